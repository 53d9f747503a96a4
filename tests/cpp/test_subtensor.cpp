#include <gtest/gtest.h>

#include "test_util.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

using namespace test_util;

TEST(Subtensor, BasicSlicesAgainstLoops) {
  Var x = matrix("x");
  // x[1:, ::-2] on a 4x5 matrix
  Var y = getitem(x, {idx::slice(1, std::nullopt), idx::slice(std::nullopt, std::nullopt, -2)});
  EXPECT_EQ(y->type.shape, (StaticShape{kUnknownDim, kUnknownDim}));
  NDArray a = iota(DType::Float64, {4, 5});
  NDArray out = run({x}, y, {a});
  ASSERT_EQ(out.shape(), (Shape{3, 3}));
  std::vector<double> want;
  for (int i = 1; i < 4; ++i)
    for (int j = 4; j >= 0; j -= 2) want.push_back(i * 5 + j);
  EXPECT_EQ(values(out), want);
  EXPECT_FALSE(out.shares_buffer_with(a));
}

TEST(Subtensor, StaticShapeAndViewMap) {
  Var x = tensor("float32", {6, kUnknownDim, 4}, "x");
  Var y = getitem(x, {idx::at(-1), idx::all(), idx::slice(3, 0, -1), idx::newaxis()});
  EXPECT_EQ(y->type.dtype, DType::Float32);
  EXPECT_EQ(y->type.shape, (StaticShape{kUnknownDim, 3, 1}));
  ASSERT_TRUE(y->owner);
  EXPECT_EQ(y->owner->op()->type_name(), "Subtensor");
  EXPECT_EQ(y->owner->op()->view_map(), (std::vector<std::pair<int, int>>{{0, 0}}));
  EXPECT_EQ(y->owner->op()->name(), "Subtensor{-1, :, 3:0:-1, None}");
  // Equal indexings make equal ops; ellipsis, trailing ':' and a step of 1 are canonicalized.
  Var z1 = getitem(x, {idx::slice(0, 2, 1), idx::ellipsis()});
  Var z2 = getitem(x, {idx::slice(std::nullopt, 2), idx::all(), idx::all()});
  EXPECT_TRUE(z1->owner->op()->equals(*z2->owner->op()));
  Var z3 = getitem(x, {idx::slice(std::nullopt, 3)});
  EXPECT_FALSE(z1->owner->op()->equals(*z3->owner->op()));
}

TEST(Subtensor, PerformIsAView) {
  Subtensor op(
      make_index_spec(2, {idx::at(1), idx::slice(std::nullopt, std::nullopt, -1)}, nullptr));
  NDArray a = iota(DType::Float64, {3, 4});
  std::vector<NDArray> outs(1);
  op.perform({a}, outs);
  EXPECT_TRUE(outs[0].shares_buffer_with(a));
  EXPECT_EQ(values(outs[0]), (std::vector<double>{7, 6, 5, 4}));
}

TEST(Subtensor, SymbolicIntsAndSliceBounds) {
  Var x = matrix("x", "int32");
  Var i = scalar("i", "int64");
  Var j = scalar("j", "int8");
  Var y = getitem(x, {idx::slice(i, std::nullopt, j), idx::at(i)});
  EXPECT_EQ(y->owner->op()->name(), "Subtensor{$::$, $}");
  EXPECT_EQ(y->owner->inputs().size(), 4u);
  auto f = function({x, i, j}, {y});
  NDArray a = iota(DType::Int32, {5, 3});
  auto out = f->call({a, NDArray::scalar<int64_t>(-2), NDArray::scalar<int8_t>(-1)})[0];
  // rows -2, -3, ... 0 i.e. 3, 2, 1, 0; column -2 -> 1
  EXPECT_EQ(out.dtype(), DType::Int32);
  EXPECT_EQ(values(out), (std::vector<double>{10, 7, 4, 1}));
  expect_error<IndexError>(
      [&] {
        f->call({a, NDArray::scalar<int64_t>(3), NDArray::scalar<int8_t>(1)});
      },
      {"Subtensor", "index 3 is out of bounds for axis 1 with size 3"});
  expect_error<ValueError>(
      [&] {
        f->call({a, NDArray::scalar<int64_t>(0), NDArray::scalar<int8_t>(0)});
      },
      {"Subtensor", "slice step cannot be zero"});
}

TEST(Subtensor, StaticOutOfRangeAndBadKeys) {
  Var x = tensor("float64", {3, kUnknownDim}, "x");
  // An integer beyond the static size builds (as in Theano) and raises when computed.
  auto f = function({x}, {getitem(x, {idx::at(3)})});
  expect_error<IndexError>(
      [&] {
        f->call({iota(DType::Float64, {3, 2})});
      },
      {"Subtensor", "index 3", "axis 0", "size 3"});
  auto g = function({x}, {getitem(x, {idx::at(-4)})});
  expect_error<IndexError>([&] { g->call({iota(DType::Float64, {3, 2})}); }, {"axis 0", "size 3"});
  EXPECT_NO_THROW(getitem(x, {idx::at(0), idx::at(100)}));  // axis 1 is not known
  expect_error<IndexError>(
      [&] {
        getitem(x, {idx::at(0), idx::at(0), idx::at(0)});
      },
      {"too many indices"});
  expect_error<IndexError>(
      [&] {
        getitem(x, {idx::ellipsis(), idx::ellipsis()});
      },
      {"single ellipsis"});
  expect_error<ValueError>([&] { getitem(x, {idx::slice(0, 2, 0)}); }, {"step"});
  expect_error<IndexError>([&] { getitem(x, {idx::at(scalar("f", "float64"))}); }, {"integer"});
  expect_error<IndexError>([&] { getitem(x, {idx::array(vector("v", "float32"))}); },
                           {"integer or boolean arrays"});
}

TEST(Subtensor, RuntimeOutOfRangeOnUnknownDims) {
  Var x = matrix("x");
  auto f = function({x}, {getitem(x, {idx::all(), idx::at(-3)})});
  EXPECT_EQ(values(f->call({iota(DType::Float64, {2, 3})})[0]), (std::vector<double>{0, 3}));
  expect_error<IndexError>(
      [&] {
        f->call({iota(DType::Float64, {2, 2})});
      },
      {"Subtensor", "index -3 is out of bounds for axis 1 with size 2"});
}

TEST(Subtensor, NonContiguousAndEmpty) {
  Var x = matrix("x");
  Var y = getitem(x, {idx::slice(-1, std::nullopt, -1), idx::slice(1, 3)});
  auto f = function({x}, {y});
  NDArray a = iota(DType::Float64, {3, 4});
  // the transpose of a: shape (4, 3), element (i, j) = a[j, i] = 4 j + i
  NDArray t = transposed(a);
  auto out = f->call({t})[0];
  std::vector<double> want;
  for (int i = 3; i >= 0; --i)
    for (int j = 1; j < 3; ++j) want.push_back(4 * j + i);
  EXPECT_EQ(values(out), want);
  out = f->call({NDArray::zeros(DType::Float64, {0, 4})})[0];
  EXPECT_EQ(out.shape(), (Shape{0, 2}));
  Var e = getitem(x, {idx::slice(3, 1)});
  auto g = function({x}, {e});
  EXPECT_EQ(g->call({a})[0].shape(), (Shape{0, 4}));
}

TEST(AdvancedSubtensor, IntegerArraysWithSlices) {
  Var x = matrix("x", "int16");
  Var ind = constant(NDArray::from_vector<int64_t>({2, 0, -1, 2}, {4}));
  // x[:, ind] -> (3, 4); x[ind] -> (4, 5)
  Var y1 = getitem(x, {idx::all(), idx::array(ind)});
  Var y2 = getitem(x, {idx::array(ind)});
  EXPECT_EQ(y1->owner->op()->name(), "AdvancedSubtensor{:, [int]}");
  EXPECT_TRUE(y1->owner->op()->view_map().empty());
  auto f = function({x}, {y1, y2});
  NDArray a = iota(DType::Int16, {3, 5});
  auto outs = f->call({a});
  ASSERT_EQ(outs[0].shape(), (Shape{3, 4}));
  ASSERT_EQ(outs[1].shape(), (Shape{4, 5}));
  const int cols[] = {2, 0, 4, 2};
  const int rows[] = {2, 0, 2, 2};
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 4; ++k) EXPECT_EQ(outs[0].flat_as_double(i * 4 + k), i * 5 + cols[k]);
  for (int k = 0; k < 4; ++k)
    for (int j = 0; j < 5; ++j) EXPECT_EQ(outs[1].flat_as_double(k * 5 + j), rows[k] * 5 + j);
  // static out of range with a constant index array
  expect_error<IndexError>(
      [&] {
        getitem(tensor("float64", {3, 5}),
                {idx::array(ind), idx::array(constant(NDArray::from_vector<int64_t>({5}, {1})))});
      },
      {"AdvancedSubtensor", "index 5 is out of bounds for axis 1 with size 5"});
}

TEST(AdvancedSubtensor, BroadcastArraysAndPlacement) {
  Var x = tensor_nd(3, "x");
  Var i = tensor("int32", {2, 1}, "i");
  Var j = vector("j", "uint8");
  // adjacent: x[:, i, j] -> (d0, 2, len(j)); separated by a slice: x[i, :, j] -> (2, len(j), d1)
  Var a1 = getitem(x, {idx::all(), idx::array(i), idx::array(j)});
  Var a2 = getitem(x, {idx::array(i), idx::all(), idx::array(j)});
  EXPECT_EQ(a1->type.shape, (StaticShape{kUnknownDim, 2, kUnknownDim}));
  EXPECT_EQ(a2->type.shape, (StaticShape{2, kUnknownDim, kUnknownDim}));
  auto f = function({x, i, j}, {a1, a2});
  NDArray xa = iota(DType::Float64, {2, 3, 4});
  NDArray ia = NDArray::from_vector<int32_t>({1, -2}, {2, 1});
  NDArray ja = NDArray::from_vector<uint8_t>({3, 0, 1}, {3});
  auto outs = f->call({xa, ia, ja});
  ASSERT_EQ(outs[0].shape(), (Shape{2, 2, 3}));
  ASSERT_EQ(outs[1].shape(), (Shape{2, 3, 3}));
  const int iv1[] = {1, 1};  // i normalized against axis 1 (size 3): -2 -> 1
  const int iv[] = {1, 0};   // and against axis 0 (size 2): -2 -> 0
  const int jv[] = {3, 0, 1};
  for (int a = 0; a < 2; ++a)
    for (int p = 0; p < 2; ++p)
      for (int q = 0; q < 3; ++q)
        EXPECT_EQ(outs[0].flat_as_double((a * 2 + p) * 3 + q), a * 12 + iv1[p] * 4 + jv[q]);
  for (int p = 0; p < 2; ++p)
    for (int q = 0; q < 3; ++q)
      for (int b = 0; b < 3; ++b)
        EXPECT_EQ(outs[1].flat_as_double((p * 3 + q) * 3 + b), iv[p] * 12 + b * 4 + jv[q]);
  expect_error<IndexError>(
      [&] {
        f->call({xa, NDArray::from_vector<int32_t>({1, 5}, {2, 1}), ja});
      },
      {"AdvancedSubtensor", "index 5 is out of bounds for axis"});
  Var k = vector("k", "int64");
  auto g = function({x, k, j}, {getitem(x, {idx::array(k), idx::array(j)})});
  expect_error<IndexError>(
      [&] {
        g->call({xa, NDArray::from_vector<int64_t>({0, 1}, {2}), ja});
      },
      {"shape mismatch", "(2,) (3,)"});
}

TEST(AdvancedSubtensor, BooleanMasks) {
  Var x = matrix("x");
  Var m = matrix("m", "bool");
  Var r = vector("r", "bool");
  auto f =
      function({x, m, r}, {getitem(x, {idx::array(m)}), getitem(x, {idx::array(r), idx::at(1)})});
  NDArray xa = iota(DType::Float64, {2, 3});
  NDArray ma = NDArray::from_vector<bool>({true, false, true, false, false, true}, {2, 3});
  NDArray ra = NDArray::from_vector<bool>({false, true}, {2});
  auto outs = f->call({xa, ma, ra});
  EXPECT_EQ(values(outs[0]), (std::vector<double>{0, 2, 5}));
  EXPECT_EQ(values(outs[1]), (std::vector<double>{4}));
  expect_error<IndexError>(
      [&] {
        f->call({xa, NDArray::zeros(DType::Bool, {3, 2}), ra});
      },
      {"AdvancedSubtensor",
       "boolean index did not match indexed array along axis 0; size of axis is 2 but size of "
       "corresponding boolean axis is 3"});
  expect_error<IndexError>(
      [&] {
        getitem(tensor("float64", {2, 4}), {idx::array(tensor("bool", {2, 3}))});
      },
      {"boolean index did not match", "axis 1"});
}

TEST(IncSubtensor, SetAndIncBasic) {
  Var x = matrix("x");
  Var y = vector("y");
  Var s = set_subtensor(getitem(x, {idx::slice(1, 3)}), y);
  Var i = inc_subtensor(getitem(x, {idx::all(), idx::at(-1)}), y);
  EXPECT_EQ(s->owner->op()->name(), "IncSubtensor{Set; 1:3}");
  EXPECT_EQ(i->owner->op()->name(), "IncSubtensor{Inc; :, -1}");
  EXPECT_EQ(s->type, x->type);
  auto f = function({x, y}, {s});
  NDArray xa = iota(DType::Float64, {3, 2});
  auto outs = f->call({xa, NDArray::from_vector<double>({10, 20}, {2})});
  EXPECT_EQ(values(outs[0]), (std::vector<double>{0, 1, 10, 20, 10, 20}));
  EXPECT_FALSE(outs[0].shares_buffer_with(xa));
  EXPECT_EQ(values(xa), (std::vector<double>{0, 1, 2, 3, 4, 5}));  // x untouched
  expect_error<ValueError>(
      [&] {
        f->call({xa, NDArray::from_vector<double>({1, 2, 3}, {3})});
      },
      {"IncSubtensor",
       "shape mismatch: value array of shape (3,) could not be broadcast to indexing result of "
       "shape (2, 2)"});
  // the inc with y of length 3 (rows): x[:, -1] has 3 elements
  auto g = function({x, y}, {i});
  EXPECT_EQ(values(g->call({xa, NDArray::from_vector<double>({1, 2, 3}, {3})})[0]),
            (std::vector<double>{0, 2, 2, 5, 4, 8}));
}

TEST(IncSubtensor, RepeatedIndicesAccumulateOrLastWins) {
  Var x = vector("x", "int32");
  Var ind = vector("ind", "int64");
  Var y = vector("y", "int32");
  Var sub = getitem(x, {idx::array(ind)});
  auto f = function({x, ind, y}, {inc_subtensor(sub, y), set_subtensor(sub, y)});
  NDArray xa = NDArray::from_vector<int32_t>({1, 1, 1, 1}, {4});
  auto outs = f->call({xa, NDArray::from_vector<int64_t>({0, 2, 0, -4, 3}, {5}),
                       NDArray::from_vector<int32_t>({1, 2, 3, 4, 5}, {5})});
  // np.add.at: x[0] += 1 + 3 + 4; x[2] += 2; x[3] += 5
  EXPECT_EQ(values(outs[0]), (std::vector<double>{9, 1, 3, 6}));
  EXPECT_EQ(values(outs[1]), (std::vector<double>{4, 1, 2, 5}));
  EXPECT_EQ(outs[0].dtype(), DType::Int32);
}

TEST(IncSubtensor, BroadcastYAndMasks) {
  Var x = matrix("x", "float32");
  Var m = vector("m", "bool");
  Var y = row("y", "float64");  // broadcast along the selected rows
  Var out = inc_subtensor(getitem(x, {idx::array(m)}), y);
  EXPECT_EQ(out->owner->op()->type_name(), "AdvancedIncSubtensor");
  EXPECT_EQ(out->type.dtype, DType::Float32);
  auto f = function({x, m, y}, {out});
  NDArray xa = iota(DType::Float32, {3, 2});
  auto o = f->call({xa, NDArray::from_vector<bool>({true, false, true}, {3}),
                    NDArray::from_vector<double>({0.5, -1}, {1, 2})})[0];
  EXPECT_EQ(values(o), (std::vector<double>{0.5, 0, 2, 3, 4.5, 4}));
}

TEST(IncSubtensor, Errors) {
  Var x = matrix("x", "int64");
  expect_error<TypeError>([&] { set_subtensor(x, x); }, {"set_subtensor", "indexing"});
  expect_error<TypeError>([&] { inc_subtensor(x + x, x); }, {"inc_subtensor"});
  // float increments into an int tensor are refused as np.add.at does
  expect_error<TypeError>([&] { inc_subtensor(getitem(x, {idx::at(0)}), vector("f", "float64")); },
                          {"IncSubtensor", "same_kind"});
  EXPECT_NO_THROW(set_subtensor(getitem(x, {idx::at(0)}), vector("f", "float64")));
  Var xs = tensor("float64", {3, 4});
  expect_error<ValueError>(
      [&] {
        set_subtensor(getitem(xs, {idx::slice(0, 2)}), tensor("float64", {3, 4}));
      },
      {"IncSubtensor", "shape mismatch"});
}

TEST(Subtensor, KeyWithSymbolicSliceBoundAndTake) {
  Var x = matrix("x");
  Var i = scalar("i", "int32");
  Var arr = constant(NDArray::from_vector<int64_t>({0, 0}, {2}));
  Var y = getitem(x, {idx::slice(1, i, -1), idx::newaxis(), idx::array(arr)});
  EXPECT_EQ(y->owner->op()->name(), "AdvancedSubtensor{1:$:-1, None, [int]}");
  auto f = function({x, i}, {y});
  auto out = f->call({iota(DType::Float64, {3, 2}), NDArray::scalar<int32_t>(-4)})[0];
  ASSERT_EQ(out.shape(), (Shape{2, 1, 2}));
  EXPECT_EQ(values(out), (std::vector<double>{2, 2, 0, 0}));

  Var t = take(x, constant(NDArray::from_vector<int64_t>({1, 1, 0}, {3})), -1);
  auto g = function({x}, {t});
  EXPECT_EQ(values(g->call({iota(DType::Float64, {2, 2})})[0]),
            (std::vector<double>{1, 1, 0, 3, 3, 2}));
}

}  // namespace
}  // namespace theon
