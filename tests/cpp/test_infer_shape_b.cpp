// infer_shape of the shape, join and alloc families from C++: shape(out) compiled in FAST_RUN
// equals the shape of the computed out, and the shape graph does not compute the op.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_util.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

using test_util::iota;

FunctionOptions fast_run() {
  FunctionOptions o;
  o.mode.name = "FAST_RUN";
  o.on_unused_input = "ignore";
  return o;
}

bool computes(const Function& f, const std::string& op_type) {
  for (const Apply* node : f.graph().nodes()) {
    if (node->op()->type_name() == op_type) return true;
  }
  return false;
}

// Checks shape(out) against out's computed shape on each argument list, and that the shape
// graph has no node of type `op_type`.
void check_shape(const std::vector<Var>& ins, const Var& out,
                 const std::vector<std::vector<NDArray>>& calls, const std::string& op_type) {
  std::vector<In> in_list(ins.begin(), ins.end());
  auto f_out = function(in_list, {out}, fast_run());
  auto f_shape = function(in_list, {shape(out)}, fast_run());
  EXPECT_FALSE(computes(*f_shape, op_type)) << pprint(f_shape->graph().outputs()[0]);
  for (const auto& args : calls) {
    NDArray real = f_out->call(args).at(0);
    NDArray got = f_shape->call(args).at(0);
    ASSERT_EQ(got.dtype(), DType::Int64);
    ASSERT_EQ(got.ndim(), 1);
    std::vector<int64_t> dims(got.data<int64_t>(), got.data<int64_t>() + got.shape(0));
    EXPECT_EQ(dims, std::vector<int64_t>(real.shape().begin(), real.shape().end()));
  }
}

NDArray i64(int64_t v) {
  return NDArray::scalar(v);
}

TEST(InferShapeB, ReshapeWithMinusOne) {
  Var x = matrix("x", "float64");
  Var out = reshape(x, std::vector<Var>{shape_i(x, 0), scalar_constant(int64_t{-1}, DType::Int64)});
  check_shape({x}, out,
              {{iota(DType::Float64, {3, 4})},
               {iota(DType::Float64, {2, 0})},
               {iota(DType::Float64, {1, 1})}},
              "Reshape");
  Var n = scalar("n", "int64");
  Var out2 = reshape(x, std::vector<Var>{n, scalar_constant(int64_t{2}, DType::Int64)});
  check_shape({x, n}, out2,
              {{iota(DType::Float64, {3, 4}), i64(-1)}, {iota(DType::Float64, {3, 4}), i64(6)}},
              "Reshape");
}

TEST(InferShapeB, JoinSplitAndDimShuffle) {
  Var x = matrix("x", "float64");
  Var y = matrix("y", "float64");
  check_shape({x, y}, join(1, {x, y, x}),
              {{iota(DType::Float64, {2, 3}), iota(DType::Float64, {2, 0})}}, "Join");
  check_shape({x, y}, stack({x, y}, 1),
              {{iota(DType::Float64, {2, 3}), iota(DType::Float64, {2, 3})}}, "Join");
  Var s = vector("s", "int64");
  auto pieces = split(x, s, 2, 0);
  for (const Var& p : pieces) {
    check_shape({x, s}, p,
                {{iota(DType::Float64, {5, 2}), NDArray::from_vector<int64_t>({2, 3}, {2})}},
                "Split");
  }
  check_shape({x}, dimshuffle(x, {1, kNewAxis, 0}), {{iota(DType::Float64, {0, 3})}}, "DimShuffle");
  check_shape({x}, flatten(x, 1), {{iota(DType::Float64, {4, 3})}}, "Flatten");
}

TEST(InferShapeB, AllocFamily) {
  Var n = scalar("n", "int64");
  Var m = scalar("m", "int32");
  check_shape({n, m}, zeros(std::vector<Var>{n, m}), {{i64(3), NDArray::scalar(int32_t{0})}},
              "Alloc");
  check_shape({n, m}, eye(n, m), {{i64(2), NDArray::scalar(int32_t{5})}}, "Eye");
  Var a = scalar("a", "float64");
  Var b = scalar("b", "float64");
  check_shape(
      {a, b}, arange(a, b, scalar_constant(0.25, DType::Float64)),
      {{NDArray::scalar(0.1), NDArray::scalar(1.0)}, {NDArray::scalar(2.0), NDArray::scalar(1.0)}},
      "ARange");
  check_shape({n},
              arange(scalar_constant(int64_t{10}, DType::Int64), n,
                     scalar_constant(int64_t{-3}, DType::Int64)),
              {{i64(0)}, {i64(10)}, {i64(-1)}}, "ARange");
  Var x = matrix("x", "float64");
  check_shape({x}, tile(x, {2, 1, 3}), {{iota(DType::Float64, {2, 3})}}, "Tile");
  check_shape({x, n}, repeat(x, n, 1), {{iota(DType::Float64, {2, 3}), i64(4)}}, "Repeat");
  Var r = vector("r", "int64");
  check_shape({x, r}, repeat(x, r, 0),
              {{iota(DType::Float64, {3, 2}), NDArray::from_vector<int64_t>({1, 0, 2}, {3})},
               {iota(DType::Float64, {3, 2}), NDArray::from_vector<int64_t>({2}, {1})}},
              "Repeat");
  Var g = matrix("g", "float64");
  check_shape({g, r, n}, repeat_sum(g, r, n, 1),
              {{iota(DType::Float64, {2, 3}), NDArray::from_vector<int64_t>({1, 2}, {2}), i64(2)}},
              "RepeatSum");
  check_shape({x, g}, fill(x, g), {{iota(DType::Float64, {1, 3}), iota(DType::Float64, {4, 1})}},
              "Fill");
}

TEST(InferShapeB, OpsReturnOneDimensionPerOutputDimension) {
  // Called directly: one int64 scalar per dimension of each output.
  Var x = matrix("x", "float64");
  Var out = reshape(x, std::vector<int64_t>{-1});
  std::vector<std::vector<Var>> in_shapes{{shape_i(x, 0), shape_i(x, 1)},
                                          {scalar_constant(int64_t{1}, DType::Int64)}};
  auto s = out->owner->op()->infer_shape(out->owner->inputs(), in_shapes);
  ASSERT_TRUE(s.has_value());
  ASSERT_EQ(s->size(), 1u);
  ASSERT_EQ(s->at(0).size(), 1u);
  EXPECT_EQ(s->at(0)[0]->type.dtype, DType::Int64);
  EXPECT_EQ(s->at(0)[0]->type.ndim(), 0);
  auto pieces = split(x, std::vector<int64_t>{1, 2}, 1);
  auto ps = pieces[0]->owner->op()->infer_shape(
      pieces[0]->owner->inputs(),
      {{shape_i(x, 0), shape_i(x, 1)}, {scalar_constant(int64_t{2}, DType::Int64)}});
  ASSERT_TRUE(ps.has_value());
  ASSERT_EQ(ps->size(), 2u);
  ASSERT_NE(constant_value(ps->at(1)[1]), nullptr);
  EXPECT_EQ(constant_value(ps->at(1)[1])->flat_as_double(0), 2.0);
}

}  // namespace
}  // namespace theon
