// Tests of the join family: Join (join, concatenate, stack) and Split.
#include <gtest/gtest.h>

#include "test_util.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

using namespace test_util;

TEST(JoinOps, ConcatenateAxis1PromotesAndHandlesStrides) {
  Var a = tensor("int32", {kUnknownDim, 2}, "a");
  Var b = tensor("float32", {kUnknownDim, kUnknownDim}, "b");
  Var c = concatenate({a, b}, 1);
  EXPECT_EQ(c->type.dtype, DType::Float64);
  EXPECT_EQ(c->type.shape, (StaticShape{kUnknownDim, kUnknownDim}));
  auto f = function({a, b}, {c});
  NDArray av = iota(DType::Int32, {2, 2});
  NDArray bbase = iota(DType::Float32, {3, 2}, 10);
  NDArray bv = transposed(bbase);
  auto out = f->call({av, bv});
  EXPECT_EQ(out[0].shape(), (Shape{2, 5}));
  EXPECT_EQ(values(out[0]), (std::vector<double>{0, 1, 10, 12, 14, 2, 3, 11, 13, 15}));
}

TEST(JoinOps, JoinNegativeAxisAndEmpty) {
  Var a = tensor("float64", {2, kUnknownDim}, "a");
  Var b = tensor("float64", {2, 3}, "b");
  Var j = join(-1, {a, b});
  EXPECT_EQ(j->type.shape, (StaticShape{2, kUnknownDim}));
  EXPECT_EQ(join(0, {b, b})->type.shape, (StaticShape{4, 3}));
  auto f = function({a, b}, {j});
  auto out = f->call({iota(DType::Float64, {2, 0}), iota(DType::Float64, {2, 3})});
  EXPECT_EQ(out[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(values(out[0]), (std::vector<double>{0, 1, 2, 3, 4, 5}));
}

TEST(JoinOps, ConcatenateNoneFlattens) {
  Var a = matrix("a");
  Var b = vector("b");
  auto f = function({a, b}, {concatenate({a, b}, std::nullopt)});
  auto out = f->call({iota(DType::Float64, {2, 2}), iota(DType::Float64, {1}, 9)});
  EXPECT_EQ(values(out[0]), (std::vector<double>{0, 1, 2, 3, 9}));
}

TEST(JoinOps, Stack) {
  Var a = vector("a", "int8");
  Var b = vector("b", "int16");
  Var s0 = stack({a, b}, 0), s1 = stack({a, b}, -1);
  EXPECT_EQ(s0->type.dtype, DType::Int16);
  EXPECT_EQ(s0->type.shape, (StaticShape{2, kUnknownDim}));
  EXPECT_EQ(s1->type.shape, (StaticShape{kUnknownDim, 2}));
  auto f = function({a, b}, {s0, s1});
  auto out = f->call({iota(DType::Int8, {3}), iota(DType::Int16, {3}, 5)});
  EXPECT_EQ(values(out[0]), (std::vector<double>{0, 1, 2, 5, 6, 7}));
  EXPECT_EQ(values(out[1]), (std::vector<double>{0, 5, 1, 6, 2, 7}));
  expect_error<ValueError>(
      [&] {
        f->call({iota(DType::Int8, {3}), iota(DType::Int16, {4})});
      },
      {"Join{axis=0}", "(1, 3)", "(1, 4)"});
  EXPECT_THROW(stack({a, matrix("m")}), ValueError);
}

TEST(JoinOps, Errors) {
  Var a = tensor("float64", {2, 3}, "a");
  Var b = tensor("float64", {2, 4}, "b");
  expect_error<ValueError>([&] { concatenate({a, b}, 0); }, {"Join{axis=0}", "(2, 3)", "(2, 4)"});
  EXPECT_EQ(concatenate({a, b}, 1)->type.shape, (StaticShape{2, 7}));
  EXPECT_THROW(concatenate({a, vector("v")}, 0), ValueError);
  EXPECT_THROW(concatenate({scalar("s"), scalar("t")}, 0), ValueError);
  EXPECT_THROW(concatenate({a, b}, 2), ValueError);
  EXPECT_THROW(concatenate({}, 0), ValueError);
}

TEST(JoinOps, SplitGivesViews) {
  Var x = matrix("x");
  Var sizes = vector("sizes", "int64");
  auto parts = split(x, sizes, 3, 1);
  ASSERT_EQ(parts.size(), 3u);
  auto f = function({x, sizes}, std::vector<Out>(parts.begin(), parts.end()));
  NDArray in = iota(DType::Float64, {2, 5});
  auto out = f->call({in, NDArray::from_vector<int64_t>({2, 0, 3}, {3})});
  EXPECT_EQ(out[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(out[1].shape(), (Shape{2, 0}));
  EXPECT_EQ(values(out[0]), (std::vector<double>{0, 1, 5, 6}));
  EXPECT_EQ(values(out[2]), (std::vector<double>{2, 3, 4, 7, 8, 9}));
  for (const auto& o : out) EXPECT_FALSE(o.shares_buffer_with(in));
  expect_error<ValueError>(
      [&] {
        f->call({in, NDArray::from_vector<int64_t>({2, 2, 2}, {3})});
      },
      {"Split{n=3,axis=1}", "(2, 2, 2)", "(2, 5)"});
  expect_error<ValueError>(
      [&] {
        f->call({in, NDArray::from_vector<int64_t>({2, 3}, {2})});
      },
      {"Split"});
  // The op's outputs are views of its input.
  Split op(2, 0);
  std::vector<NDArray> outs(2);
  op.perform({in, NDArray::from_vector<int64_t>({1, 1}, {2})}, outs);
  EXPECT_TRUE(outs[1].shares_buffer_with(in));
  EXPECT_EQ(values(outs[1]), (std::vector<double>{5, 6, 7, 8, 9}));
}

TEST(JoinOps, SplitStaticShapes) {
  Var x = tensor("float32", {6, 2}, "x");
  auto parts = split(x, std::vector<int64_t>{1, 5}, 0);
  EXPECT_EQ(parts[0]->type.shape, (StaticShape{1, 2}));
  EXPECT_EQ(parts[1]->type.shape, (StaticShape{5, 2}));
  EXPECT_THROW(split(x, std::vector<int64_t>{1, 4}, 0), ValueError);
  EXPECT_THROW(split(x, std::vector<int64_t>{1, 5}, 2), ValueError);
  EXPECT_TRUE(has_builder("join") && has_builder("concatenate") && has_builder("stack") &&
              has_builder("split"));
}

}  // namespace
}  // namespace theon
