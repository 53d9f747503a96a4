// Op::infer_shape of the reduce, sort, nnet, blas, gradient-support and subtensor ops: the
// compiled shape(out) (FAST_RUN) equals the shape of out itself, and the shape graph does not
// run the op. Direct calls of infer_shape check the expressions built for static inputs.
// tests/python/test_infer_shape_a.py has the full tables.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_util.hpp"
#include "theon/ops/gradient_support.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

using test_util::iota;

FunctionOptions fast_run() {
  FunctionOptions o;
  o.mode.name = "FAST_RUN";
  o.mode.excluding.insert("fusion");  // the graphs checked keep their reductions
  o.on_unused_input = "ignore";
  return o;
}

bool graph_has_op(const Function& f, const std::string& type_name) {
  for (const Apply* node : f.graph().nodes()) {
    if (node->op()->type_name() == type_name) return true;
  }
  return false;
}

// shape(out) compiled alone equals out's shape for each argument list, and never runs `op`.
void expect_shape(const std::vector<In>& ins, const Var& out,
                  const std::vector<std::vector<NDArray>>& arg_sets, const std::string& op) {
  auto fs = function(ins, {shape(out)}, fast_run());
  auto fv = function(ins, {out}, fast_run());
  EXPECT_FALSE(graph_has_op(*fs, op)) << debugprint(fs->graph().outputs());
  EXPECT_TRUE(graph_has_op(*fv, op));  // the check above can see the op
  for (const auto& args : arg_sets) {
    const NDArray got = fs->call(args).at(0);
    const NDArray real = fv->call(args).at(0);
    ASSERT_EQ(got.dtype(), DType::Int64);
    ASSERT_EQ(got.ndim(), 1);
    Shape s;
    for (int64_t i = 0; i < got.size(); ++i) s.push_back(got.data<int64_t>()[i]);
    EXPECT_EQ(s, real.shape()) << shape_str(s) << " vs " << shape_str(real.shape());
  }
}

NDArray f64(const Shape& s) {
  return iota(DType::Float64, s);
}

TEST(InferShapeA, ReduceKeepdimsAndAxisNone) {
  Var x = tensor("float64", {kUnknownDim, kUnknownDim, kUnknownDim}, "x");
  const std::vector<std::vector<NDArray>> args{
      {f64({3, 4, 5})}, {f64({0, 2, 1})}, {f64({1, 1, 1})}};
  expect_shape({x}, sum(x, std::vector<int64_t>{0, 2}, true), args, "Sum");
  expect_shape({x}, prod(x, std::vector<int64_t>{-1}), args, "Prod");
  expect_shape({x}, any(x, std::nullopt, true), args, "Any");
  expect_shape({x}, all(x), args, "All");
  expect_shape({x}, cumsum(x), args, "CumSum");
  expect_shape({x}, cumprod(x, 1), args, "CumProd");
  expect_shape({x}, mean(x, std::vector<int64_t>{1}), args, "ReduceCount");
  expect_shape({x}, argsort(x, std::nullopt), args, "ArgSort");
  expect_shape({x}, softmax(x, 1), args, "Softmax");
  const std::vector<std::vector<NDArray>> nonempty{{f64({3, 4, 5})}, {f64({1, 1, 1})}};
  expect_shape({x}, argmax(x, std::vector<int64_t>{1}, true), nonempty, "Argmax");
}

TEST(InferShapeA, MatmulBroadcastsBatchDimensions) {
  Var a = tensor("float64", {kUnknownDim, kUnknownDim, kUnknownDim, kUnknownDim}, "a");
  Var b = tensor("float64", {1, kUnknownDim, kUnknownDim}, "b");
  expect_shape({a, b}, matmul(a, b),
               {{f64({2, 3, 4, 5}), f64({1, 5, 6})},
                {f64({2, 1, 4, 5}), f64({1, 5, 0})},
                {f64({0, 3, 4, 5}), f64({1, 5, 2})}},
               "Matmul");
  Var v = vector("v", "float64");
  expect_shape({a, v}, matmul(a, v), {{f64({2, 3, 4, 5}), f64({5})}}, "Matmul");
  expect_shape({a, b}, dot(a, b), {{f64({2, 3, 4, 5}), f64({1, 5, 6})}}, "Dot");
  expect_shape({a, b}, tensordot(a, b, {3, 0}, {1, 0}), {{f64({1, 2, 3, 5}), f64({1, 5, 6})}},
               "Tensordot");
  expect_shape({a, v}, outer(a, v), {{f64({2, 3, 1, 2}), f64({3})}}, "Outer");
  expect_shape({a, b}, batched_dot(b, a),
               {{f64({1, 2, 4, 5}), f64({1, 3, 4})}, {f64({1, 0, 4, 1}), f64({1, 2, 4})}},
               "BatchedDot");
}

TEST(InferShapeA, SubtensorNegativeStepsAndSymbolicBounds) {
  Var x = tensor("float64", {kUnknownDim, kUnknownDim}, "x");
  Var i = scalar("i", "int64");
  Var k = scalar("k", "int32");
  Var out = getitem(x, {idx::slice(i, {}, k), idx::slice(-1, 0, -2), idx::newaxis()});
  auto fs = function({x, i, k}, {shape(out)}, fast_run());
  auto fv = function({x, i, k}, {out}, fast_run());
  EXPECT_FALSE(graph_has_op(*fs, "Subtensor"));
  for (const Shape& s : {Shape{6, 5}, Shape{0, 3}, Shape{1, 0}}) {
    for (int64_t iv : {-8, -2, 0, 3, 9}) {
      for (int32_t kv : {-3, -1, 1, 2}) {
        std::vector<NDArray> args{f64(s), NDArray::scalar<int64_t>(iv),
                                  NDArray::scalar<int32_t>(kv)};
        const NDArray got = fs->call(args).at(0);
        const Shape real = fv->call(args).at(0).shape();
        ASSERT_EQ(got.size(), 3);
        EXPECT_EQ((Shape{got.data<int64_t>()[0], got.data<int64_t>()[1], got.data<int64_t>()[2]}),
                  real)
            << "n=" << shape_str(s) << " i=" << iv << " k=" << kv;
      }
    }
  }
}

TEST(InferShapeA, AdvancedSubtensorAndIncSubtensor) {
  Var x = tensor("float64", {kUnknownDim, kUnknownDim, kUnknownDim}, "x");
  Var ia = tensor("int64", {kUnknownDim, 1}, "ia");
  Var ib = tensor("int64", {kUnknownDim}, "ib");
  Var m = tensor("bool", {kUnknownDim}, "m");
  NDArray iav = NDArray::from_vector<int64_t>({0, 1, -1}, {3, 1});
  NDArray ibv = NDArray::from_vector<int64_t>({1, 0}, {2});
  NDArray mv = NDArray::from_vector<bool>({true, false, true, true}, {4});
  // Non-adjacent advanced indices: the broadcast dimensions (3, 2) come first.
  expect_shape({x, ia, ib}, getitem(x, {idx::array(ia), idx::slice(), idx::array(ib)}),
               {{f64({3, 4, 5}), iav, ibv}}, "AdvancedSubtensor");
  expect_shape({x, ib}, getitem(x, {idx::slice({}, {}, -1), idx::array(ib)}),
               {{f64({3, 4, 5}), ibv}, {f64({0, 2, 1}), ibv}}, "AdvancedSubtensor");
  expect_shape({x, m}, getitem(x, {idx::slice(), idx::array(m)}), {{f64({2, 4, 3}), mv}},
               "AdvancedSubtensor");
  Var y = scalar("y", "float64");
  expect_shape({x, y, ib}, inc_subtensor(getitem(x, {idx::array(ib)}), y),
               {{f64({3, 4, 5}), NDArray::scalar<double>(1.0), ibv}}, "AdvancedIncSubtensor");
  expect_shape({x, y}, set_subtensor(getitem(x, {idx::at(0), idx::slice(1)}), y),
               {{f64({3, 4, 5}), NDArray::scalar<double>(1.0)}}, "IncSubtensor");
}

TEST(InferShapeA, GradientSupportShapes) {
  Var g = tensor("float64", {kUnknownDim, kUnknownDim}, "g");
  Var like = tensor("float64", {kUnknownDim}, "like");
  expect_shape({g, like}, sum_to_shape(g, like), {{f64({3, 4}), f64({4})}, {f64({3, 4}), f64({1})}},
               "SumToShape");
  expect_shape({g}, grad_scale(g, 2.0), {{f64({3, 0})}}, "GradScale");
}

TEST(InferShapeA, DirectCallsFoldConstantParts) {
  // With a static input every inferred dimension of a constant slice is a constant.
  Var x = tensor("float64", {7, kUnknownDim}, "x");
  Var out = getitem(x, {idx::slice(-2, {}, -3)});
  Var d1 = shape_i(x, 1);
  auto shapes = out->owner->op()->infer_shape(out->owner->inputs(),
                                              {{scalar_constant(int64_t{7}, DType::Int64), d1}});
  ASSERT_TRUE(shapes.has_value());
  ASSERT_EQ(shapes->at(0).size(), 2u);
  const NDArray* c = constant_value(shapes->at(0)[0]);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->flat_as_double(0), 2.0);  // len(range(7)[-2::-3]) == 2
  EXPECT_EQ(shapes->at(0)[1], d1);       // the untouched dimension is passed through

  // A boolean mask that is not a constant: its count of true elements is its sum.
  Var m = tensor("bool", {kUnknownDim}, "m");
  Var xm = getitem(x, {idx::array(m)});
  auto ms =
      xm->owner->op()->infer_shape(xm->owner->inputs(), {{shape_i(x, 0), d1}, {shape_i(m, 0)}});
  ASSERT_TRUE(ms.has_value());
  ASSERT_NE(ms->at(0)[0]->owner, nullptr);
  EXPECT_EQ(ms->at(0)[0]->owner->op()->type_name(), "Sum");
  EXPECT_EQ(ms->at(0)[1], d1);
}

}  // namespace
}  // namespace theon
