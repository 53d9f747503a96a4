// Golden tests of the rule groups that simplify and stabilize: canonicalize, stabilize,
// specialize, shape (and the cleanup it runs with), merge and constant folding, each run alone.
#include <gtest/gtest.h>

#include "rewrite_golden.hpp"
#include "theon/ops/gradient_support.hpp"

namespace theon {
namespace {

using test_util::expect_rewrite;
using test_util::kFastMath;

TEST(RewriteGoldenCanonicalize, SubSelfIsZerosShapedLikeX) {
  Var x = vector("x");
  expect_rewrite("canonicalize", {x}, {x - x},
                 "Elemwise{sub} [id A]\n"
                 " |x [id B]\n"
                 " |x [id B]\n",
                 "Fill [id A]\n"
                 " |x [id B]\n"
                 " |0 [id C] (constant)\n",
                 kFastMath);
}

TEST(RewriteGoldenCanonicalize, IdentitiesVanish) {
  Var x = vector("x");
  expect_rewrite("canonicalize", {x}, {(-(-x)) * 1.0 + 0.0},
                 "Elemwise{add} [id A]\n"
                 " |Elemwise{mul} [id B]\n"
                 " | |Elemwise{neg} [id C]\n"
                 " | | |Elemwise{neg} [id D]\n"
                 " | | | |x [id E]\n"
                 " | |1 [id F] (constant)\n"
                 " |0 [id G] (constant)\n",
                 "x [id A]\n", kFastMath);
}

TEST(RewriteGoldenCanonicalize, ProductCancelsADivision) {
  Var s = scalar("s");
  Var y = vector("y");
  expect_rewrite("canonicalize", {s, y}, {(s * y) / s},
                 "Elemwise{true_divide} [id A]\n"
                 " |Elemwise{mul} [id B]\n"
                 " | |s [id C]\n"
                 " | |y [id D]\n"
                 " |s [id C]\n",
                 "y [id A]\n", kFastMath);
}

TEST(RewriteGoldenCanonicalize, SumCancelsATermKeepingTheBroadcastShape) {
  Var x = vector("x");
  Var y = vector("y");
  expect_rewrite("canonicalize", {x, y}, {(x + y) - x},
                 "Elemwise{sub} [id A]\n"
                 " |Elemwise{add} [id B]\n"
                 " | |x [id C]\n"
                 " | |y [id D]\n"
                 " |x [id C]\n",
                 "Fill [id A]\n"
                 " |x [id B]\n"
                 " |y [id C]\n",
                 kFastMath);
}

TEST(RewriteGoldenCanonicalize, DoubleTransposeVanishes) {
  Var m = matrix("m");
  expect_rewrite("canonicalize", {m}, {transpose(transpose(m))},
                 "DimShuffle{1,0} [id A]\n"
                 " |DimShuffle{1,0} [id B]\n"
                 " | |m [id C]\n",
                 "m [id A]\n");
}

TEST(RewriteGoldenCanonicalize, NestedSumsBecomeOne) {
  Var m = matrix("m");
  expect_rewrite("canonicalize", {m},
                 {sum(sum(m, std::vector<int64_t>{0}), std::vector<int64_t>{0})},
                 "Sum{axis=(0,)} [id A]\n"
                 " |Sum{axis=(0,)} [id B]\n"
                 " | |m [id C]\n",
                 "Sum{axis=(0, 1)} [id A]\n"
                 " |m [id B]\n");
}

TEST(RewriteGoldenCanonicalize, ConstantsOfAProductCombine) {
  Var x = vector("x");
  expect_rewrite("canonicalize", {x}, {(x * 2.0) * 3.0},
                 "Elemwise{mul} [id A]\n"
                 " |Elemwise{mul} [id B]\n"
                 " | |x [id C]\n"
                 " | |2 [id D] (constant)\n"
                 " |3 [id E] (constant)\n",
                 "Elemwise{mul} [id A]\n"
                 " |x [id B]\n"
                 " |6 [id C] (constant)\n",
                 kFastMath);
}

TEST(RewriteGoldenStabilize, Log1p) {
  Var x = vector("x");
  expect_rewrite("stabilize", {x}, {log(1.0 + x)},
                 "Elemwise{log} [id A]\n"
                 " |Elemwise{add} [id B]\n"
                 " | |1 [id C] (constant)\n"
                 " | |x [id D]\n",
                 "Elemwise{log1p} [id A]\n"
                 " |x [id B]\n");
}

TEST(RewriteGoldenStabilize, Expm1) {
  Var x = vector("x");
  expect_rewrite("stabilize", {x}, {exp(x) - 1.0},
                 "Elemwise{sub} [id A]\n"
                 " |Elemwise{exp} [id B]\n"
                 " | |x [id C]\n"
                 " |1 [id D] (constant)\n",
                 "Elemwise{expm1} [id A]\n"
                 " |x [id B]\n");
}

TEST(RewriteGoldenStabilize, LogSigmoidIsMinusSoftplus) {
  Var x = vector("x");
  expect_rewrite("stabilize", {x}, {log(sigmoid(x))},
                 "Elemwise{log} [id A]\n"
                 " |Elemwise{sigmoid} [id B]\n"
                 " | |x [id C]\n",
                 "Elemwise{neg} [id A]\n"
                 " |Elemwise{softplus} [id B]\n"
                 " | |Elemwise{neg} [id C]\n"
                 " | | |x [id D]\n");
}

TEST(RewriteGoldenStabilize, LogOneMinusSigmoid) {
  Var x = vector("x");
  expect_rewrite("stabilize", {x}, {log(1.0 - sigmoid(x))},
                 "Elemwise{log} [id A]\n"
                 " |Elemwise{sub} [id B]\n"
                 " | |1 [id C] (constant)\n"
                 " | |Elemwise{sigmoid} [id D]\n"
                 " | | |x [id E]\n",
                 "Elemwise{neg} [id A]\n"
                 " |Elemwise{softplus} [id B]\n"
                 " | |x [id C]\n");
}

TEST(RewriteGoldenStabilize, LogSoftmax) {
  Var m = matrix("m");
  expect_rewrite("stabilize", {m}, {log(softmax(m))},
                 "Elemwise{log} [id A]\n"
                 " |Softmax{axis=1} [id B]\n"
                 " | |m [id C]\n",
                 "LogSoftmax{axis=1} [id A]\n"
                 " |m [id B]\n");
}

TEST(RewriteGoldenStabilize, SoftplusFromLog1pExp) {
  Var x = vector("x");
  expect_rewrite("stabilize", {x}, {log1p(exp(x))},
                 "Elemwise{log1p} [id A]\n"
                 " |Elemwise{exp} [id B]\n"
                 " | |x [id C]\n",
                 "Elemwise{softplus} [id A]\n"
                 " |x [id B]\n");
}

TEST(RewriteGoldenSpecialize, SquareFromPow) {
  Var x = vector("x");
  expect_rewrite("specialize", {x}, {pow(x, 2.0)},
                 "Elemwise{pow} [id A]\n"
                 " |x [id B]\n"
                 " |2 [id C] (constant)\n",
                 "Elemwise{sqr} [id A]\n"
                 " |x [id B]\n");
}

TEST(RewriteGoldenSpecialize, CubeBySquaring) {
  Var x = vector("x");
  expect_rewrite("specialize", {x}, {pow(x, 3.0)},
                 "Elemwise{pow} [id A]\n"
                 " |x [id B]\n"
                 " |3 [id C] (constant)\n",
                 "Elemwise{mul} [id A]\n"
                 " |Elemwise{sqr} [id B]\n"
                 " | |x [id C]\n"
                 " |x [id C]\n");
}

TEST(RewriteGoldenSpecialize, SqrtFromPowHalf) {
  Var x = vector("x");
  expect_rewrite("specialize", {x}, {pow(x, 0.5)},
                 "Elemwise{pow} [id A]\n"
                 " |x [id B]\n"
                 " |0.5 [id C] (constant)\n",
                 "Elemwise{sqrt} [id A]\n"
                 " |x [id B]\n",
                 kFastMath);
}

TEST(RewriteGoldenSpecialize, SquareFromSelfProduct) {
  Var x = vector("x");
  expect_rewrite("specialize", {x}, {x * x},
                 "Elemwise{mul} [id A]\n"
                 " |x [id B]\n"
                 " |x [id B]\n",
                 "Elemwise{sqr} [id A]\n"
                 " |x [id B]\n");
}

TEST(RewriteGoldenSpecialize, NegFromTimesMinusOne) {
  Var x = vector("x");
  expect_rewrite("specialize", {x}, {x * -1.0},
                 "Elemwise{mul} [id A]\n"
                 " |x [id B]\n"
                 " |-1 [id C] (constant)\n",
                 "Elemwise{neg} [id A]\n"
                 " |x [id B]\n");
}

TEST(RewriteGoldenSpecialize, ScalarFactorLeavesTheSum) {
  Var x = vector("x");
  expect_rewrite("specialize", {x}, {sum(x * 2.0)},
                 "Sum{axis=(0,)} [id A]\n"
                 " |Elemwise{mul} [id B]\n"
                 " | |x [id C]\n"
                 " | |2 [id D] (constant)\n",
                 "Elemwise{mul} [id A]\n"
                 " |2 [id B] (constant)\n"
                 " |Sum{axis=(0,)} [id C]\n"
                 " | |x [id D]\n",
                 kFastMath);
}

TEST(RewriteGoldenShape, DimOfABroadcastFromTheInputs) {
  Var x = vector("x");
  Var y = vector("y");
  expect_rewrite("shape", {x, y}, {shape_i(x + y, 0)},
                 "Shape_i{0} [id A]\n"
                 " |Elemwise{add} [id B]\n"
                 " | |x [id C]\n"
                 " | |y [id D]\n",
                 "Elemwise{switch} [id A]\n"
                 " |Elemwise{equal} [id B]\n"
                 " | |Shape_i{0} [id C]\n"
                 " | | |x [id D]\n"
                 " | |1 [id E] (constant)\n"
                 " |Shape_i{0} [id F]\n"
                 " | |y [id G]\n"
                 " |Shape_i{0} [id C]\n");
}

TEST(RewriteGoldenShape, ShapeOfElementwiseFromItsInput) {
  Var m = matrix("m");
  expect_rewrite("shape", {m}, {shape(exp(m))},
                 "Shape [id A]\n"
                 " |Elemwise{exp} [id B]\n"
                 " | |m [id C]\n",
                 "MakeVector{int64} [id A]\n"
                 " |Shape_i{0} [id B]\n"
                 " | |m [id C]\n"
                 " |Shape_i{1} [id D]\n"
                 " | |m [id C]\n");
}

TEST(RewriteGoldenShape, SizeIsAProductOfDims) {
  Var m = matrix("m");
  expect_rewrite("shape", {m}, {size(m)},
                 "Size [id A]\n"
                 " |m [id B]\n",
                 "Elemwise{mul} [id A]\n"
                 " |Elemwise{mul} [id B]\n"
                 " | |1 [id C] (constant)\n"
                 " | |Shape_i{0} [id D]\n"
                 " | | |m [id E]\n"
                 " |Shape_i{1} [id F]\n"
                 " | |m [id E]\n");
}

TEST(RewriteGoldenShapeCleanup, ElementOfMakeVector) {
  Var m = matrix("m");
  expect_rewrite("shape_cleanup", {m},
                 {getitem(make_vector({shape_i(m, 0), shape_i(m, 1)}), {idx::at(1)})},
                 "Subtensor{1} [id A]\n"
                 " |MakeVector{int64} [id B]\n"
                 " | |Shape_i{0} [id C]\n"
                 " | | |m [id D]\n"
                 " | |Shape_i{1} [id E]\n"
                 " | | |m [id D]\n",
                 "Shape_i{1} [id A]\n"
                 " |m [id B]\n");
}

TEST(RewriteGoldenShapeCleanup, ReshapeToOwnShapeVanishes) {
  Var m = matrix("m");
  expect_rewrite("shape_cleanup", {m}, {reshape(m, shape(m))},
                 "Reshape{2} [id A]\n"
                 " |m [id B]\n"
                 " |Shape [id C]\n"
                 " | |m [id B]\n",
                 "m [id A]\n");
}

TEST(RewriteGoldenShapeCleanup, SumToOwnShapeVanishes) {
  Var x = vector("x");
  expect_rewrite("shape_cleanup", {x}, {sum_to_shape(exp(x), x)},
                 "SumToShape [id A]\n"
                 " |Elemwise{exp} [id B]\n"
                 " | |x [id C]\n"
                 " |x [id C]\n",
                 "Elemwise{exp} [id A]\n"
                 " |x [id B]\n");
}

TEST(RewriteGoldenBasic, MergeFoldsEqualNodes) {
  Var x = vector("x");
  expect_rewrite("merge", {x}, {(x * 2.0) + (x * 2.0)},
                 "Elemwise{add} [id A]\n"
                 " |Elemwise{mul} [id B]\n"
                 " | |x [id C]\n"
                 " | |2 [id D] (constant)\n"
                 " |Elemwise{mul} [id E]\n"
                 " | |x [id C]\n"
                 " | |2 [id F] (constant)\n",
                 "Elemwise{add} [id A]\n"
                 " |Elemwise{mul} [id B]\n"
                 " | |x [id C]\n"
                 " | |2 [id D] (constant)\n"
                 " |Elemwise{mul} [id B]\n");
}

TEST(RewriteGoldenBasic, ConstantFolding) {
  Var x = vector("x");
  expect_rewrite("constant_folding", {x}, {x + exp(constant(NDArray::scalar(0.0)))},
                 "Elemwise{add} [id A]\n"
                 " |x [id B]\n"
                 " |Elemwise{exp} [id C]\n"
                 " | |0 [id D] (constant)\n",
                 "Elemwise{add} [id A]\n"
                 " |x [id B]\n"
                 " |1 [id C] (constant)\n");
}

}  // namespace
}  // namespace theon
