// Golden tests of the rule groups that lower: blas, fusion and inplace, each run alone.
#include <gtest/gtest.h>

#include "rewrite_golden.hpp"
#include "theon/ops/gemm.hpp"

namespace theon {
namespace {

using test_util::expect_rewrite;

TEST(RewriteGoldenBlas, Gemm) {
  Var a = matrix("a");
  Var b = matrix("b");
  Var c = matrix("c");
  expect_rewrite("blas", {a, b, c}, {dot(a, b) + c},
                 "Elemwise{add} [id A]\n"
                 " |Dot [id B]\n"
                 " | |a [id C]\n"
                 " | |b [id D]\n"
                 " |c [id E]\n",
                 "Gemm [id A]\n"
                 " |c [id B]\n"
                 " |1 [id C] (constant)\n"
                 " |a [id D]\n"
                 " |b [id E]\n"
                 " |1 [id F] (constant)\n");
}

TEST(RewriteGoldenBlas, GemvWithScale) {
  Var a = matrix("a");
  Var x = vector("x");
  Var y = vector("y");
  expect_rewrite("blas", {a, x, y}, {dot(a, x) * 2.0 + y},
                 "Elemwise{add} [id A]\n"
                 " |Elemwise{mul} [id B]\n"
                 " | |Dot [id C]\n"
                 " | | |a [id D]\n"
                 " | | |x [id E]\n"
                 " | |2 [id F] (constant)\n"
                 " |y [id G]\n",
                 "Gemv [id A]\n"
                 " |y [id B]\n"
                 " |2 [id C] (constant)\n"
                 " |a [id D]\n"
                 " |x [id E]\n"
                 " |1 [id F] (constant)\n");
}

TEST(RewriteGoldenBlas, Ger) {
  Var a = matrix("a");
  Var x = vector("x");
  Var y = vector("y");
  expect_rewrite("blas", {a, x, y}, {a + outer(x, y)},
                 "Elemwise{add} [id A]\n"
                 " |a [id B]\n"
                 " |Outer [id C]\n"
                 " | |x [id D]\n"
                 " | |y [id E]\n",
                 "Ger [id A]\n"
                 " |a [id B]\n"
                 " |1 [id C] (constant)\n"
                 " |x [id D]\n"
                 " |y [id E]\n");
}

TEST(RewriteGoldenBlas, TransposeBecomesAFlag) {
  Var a = matrix("a");
  Var b = matrix("b");
  Var c = matrix("c");
  expect_rewrite("blas", {a, b, c}, {dot(transpose(a), b) + c},
                 "Elemwise{add} [id A]\n"
                 " |Dot [id B]\n"
                 " | |DimShuffle{1,0} [id C]\n"
                 " | | |a [id D]\n"
                 " | |b [id E]\n"
                 " |c [id F]\n",
                 "Gemm{trans_x} [id A]\n"
                 " |c [id B]\n"
                 " |1 [id C] (constant)\n"
                 " |a [id D]\n"
                 " |b [id E]\n"
                 " |1 [id F] (constant)\n");
}

TEST(RewriteGoldenBlas, ProductReadElsewhereStaysADot) {
  Var a = matrix("a");
  Var b = matrix("b");
  Var c = matrix("c");
  Var d = dot(a, b);
  expect_rewrite("blas", {a, b, c}, {d + c, d},
                 "Elemwise{add} [id A]\n"
                 " |Dot [id B]\n"
                 " | |a [id C]\n"
                 " | |b [id D]\n"
                 " |c [id E]\n"
                 "Dot [id B]\n",
                 "Elemwise{add} [id A]\n"
                 " |Dot [id B]\n"
                 " | |a [id C]\n"
                 " | |b [id D]\n"
                 " |c [id E]\n"
                 "Dot [id B]\n");
}

TEST(RewriteGoldenFusion, ElementwiseTreeIsOneLoop) {
  Var x = vector("x");
  Var y = vector("y");
  expect_rewrite("fusion", {x, y}, {exp(x) + y * 2.0},
                 "Elemwise{add} [id A]\n"
                 " |Elemwise{exp} [id B]\n"
                 " | |x [id C]\n"
                 " |Elemwise{mul} [id D]\n"
                 " | |y [id E]\n"
                 " | |2 [id F] (constant)\n",
                 "Fused{float64(None,),float64(None,),float64();v3=exp(v0);v4=mul(v1,v2);v5=add(v3,"
                 "v4);out=v5} [id A]\n"
                 " |x [id B]\n"
                 " |y [id C]\n"
                 " |2 [id D] (constant)\n");
}

TEST(RewriteGoldenFusion, SumOfATreeReducesAsItComputes) {
  Var m = matrix("m");
  expect_rewrite("fusion", {m}, {sum(exp(m), std::vector<int64_t>{1})},
                 "Sum{axis=(1,)} [id A]\n"
                 " |Elemwise{exp} [id B]\n"
                 " | |m [id C]\n",
                 "Fused{float64(None, None);v1=exp(v0);out=v1;sum(axis=(1,))} [id A]\n"
                 " |m [id B]\n");
}

TEST(RewriteGoldenFusion, StopsAtAMatrixProduct) {
  Var a = matrix("a");
  Var b = matrix("b");
  expect_rewrite("fusion", {a, b}, {exp(dot(a, b)) + 1.0},
                 "Elemwise{add} [id A]\n"
                 " |Elemwise{exp} [id B]\n"
                 " | |Dot [id C]\n"
                 " | | |a [id D]\n"
                 " | | |b [id E]\n"
                 " |1 [id F] (constant)\n",
                 "Fused{float64(None, None),float64();v2=exp(v0);v3=add(v2,v1);out=v3} [id A]\n"
                 " |Dot [id B]\n"
                 " | |a [id C]\n"
                 " | |b [id D]\n"
                 " |1 [id E] (constant)\n");
}

// The first tree computes exp and writes it as a second output for the later tree.
TEST(RewriteGoldenFusion, ValueReadByTwoTreesIsASecondOutputOfTheFirst) {
  Var x = vector("x");
  Var e = exp(x);
  expect_rewrite("fusion", {x}, {e * 2.0, e + 1.0},
                 "Elemwise{mul} [id A]\n"
                 " |Elemwise{exp} [id B]\n"
                 " | |x [id C]\n"
                 " |2 [id D] (constant)\n"
                 "Elemwise{add} [id E]\n"
                 " |Elemwise{exp} [id B]\n"
                 " |1 [id F] (constant)\n",
                 "Fused{float64(None,),float64();v2=exp(v0);v3=mul(v2,v1);out=v3,v2}.0 [id A]\n"
                 " |x [id B]\n"
                 " |2 [id C] (constant)\n"
                 "Fused{float64(None,),float64();v2=add(v0,v1);out=v2} [id D]\n"
                 " |Fused{float64(None,),float64();v2=exp(v0);v3=mul(v2,v1);out=v3,v2}.1 [id A]\n"
                 " |1 [id E] (constant)\n");
}

TEST(RewriteGoldenInplace, ElementwiseWritesIntoADeadTemporary) {
  Var x = vector("x");
  expect_rewrite("inplace", {x}, {exp(x) + 1.0},
                 "Elemwise{add} [id A]\n"
                 " |Elemwise{exp} [id B]\n"
                 " | |x [id C]\n"
                 " |1 [id D] (constant)\n",
                 "Elemwise{add,inplace0} [id A]\n"
                 " |Elemwise{exp} [id B]\n"
                 " | |x [id C]\n"
                 " |1 [id D] (constant)\n");
}

TEST(RewriteGoldenInplace, InputsAreNotDestroyed) {
  Var x = vector("x");
  Var y = vector("y");
  expect_rewrite("inplace", {x, y}, {x + y},
                 "Elemwise{add} [id A]\n"
                 " |x [id B]\n"
                 " |y [id C]\n",
                 "Elemwise{add} [id A]\n"
                 " |x [id B]\n"
                 " |y [id C]\n");
}

TEST(RewriteGoldenInplace, GraphOutputsAreNotDestroyed) {
  Var x = vector("x");
  Var e = exp(x);
  expect_rewrite("inplace", {x}, {e, e * 2.0},
                 "Elemwise{exp} [id A]\n"
                 " |x [id B]\n"
                 "Elemwise{mul} [id C]\n"
                 " |Elemwise{exp} [id A]\n"
                 " |2 [id D] (constant)\n",
                 "Elemwise{exp} [id A]\n"
                 " |x [id B]\n"
                 "Elemwise{mul} [id C]\n"
                 " |Elemwise{exp} [id A]\n"
                 " |2 [id D] (constant)\n");
}

TEST(RewriteGoldenInplace, GemmWritesIntoItsAccumulator) {
  Var a = matrix("a");
  Var b = matrix("b");
  Var c = matrix("c");
  Var one = constant(NDArray::scalar(1.0));
  expect_rewrite("inplace", {a, b, c}, {gemm(exp(c), one, a, b, one)},
                 "Gemm [id A]\n"
                 " |Elemwise{exp} [id B]\n"
                 " | |c [id C]\n"
                 " |1 [id D] (constant)\n"
                 " |a [id E]\n"
                 " |b [id F]\n"
                 " |1 [id D] (constant)\n",
                 "Gemm{inplace} [id A]\n"
                 " |Elemwise{exp} [id B]\n"
                 " | |c [id C]\n"
                 " |1 [id D] (constant)\n"
                 " |a [id E]\n"
                 " |b [id F]\n"
                 " |1 [id D] (constant)\n");
}

TEST(RewriteGoldenInplace, IncSubtensorWritesIntoItsInput) {
  Var x = vector("x");
  Var y = vector("y");
  expect_rewrite("inplace", {x, y}, {inc_subtensor(getitem(exp(x), {idx::slice(1)}), y)},
                 "IncSubtensor{Inc; 1:} [id A]\n"
                 " |Elemwise{exp} [id B]\n"
                 " | |x [id C]\n"
                 " |y [id D]\n",
                 "IncSubtensor{Inc,inplace; 1:} [id A]\n"
                 " |Elemwise{exp} [id B]\n"
                 " | |x [id C]\n"
                 " |y [id D]\n");
}

}  // namespace
}  // namespace theon
