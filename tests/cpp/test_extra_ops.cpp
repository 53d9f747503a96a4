#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "test_util.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

using namespace test_util;

Var one(const std::string& name, std::vector<Var> in, Params p = Params{}) {
  return build(name, in, p).at(0);
}

TEST(ExtraOps, BinCountCountsAndSumsWeights) {
  Var x = vector("x", "int32");
  NDArray xv = NDArray::from_vector<int32_t>({1, 4, 1, 0}, {4});
  EXPECT_EQ(values(run1(x, one("bincount", {x}), xv)), (std::vector<double>{1, 2, 0, 0, 1}));
  EXPECT_EQ(values(run1(x, one("bincount", {x}, Params({{"minlength", int64_t{7}}})), xv)),
            (std::vector<double>{1, 2, 0, 0, 1, 0, 0}));
  Var w = vector("w", "float32");
  NDArray out =
      run({x, w}, one("bincount", {x, w}), {xv, NDArray::from_vector<float>({0.5f, 2, 1, 3}, {4})});
  EXPECT_EQ(out.dtype(), DType::Float64);
  EXPECT_EQ(values(out), (std::vector<double>{3, 1.5, 0, 0, 2}));
  expect_error<ValueError>(
      [&] {
        run1(x, one("bincount", {x}), NDArray::from_vector<int32_t>({2, -1}, {2}));
      },
      {"BinCount", "non-negative", "-1"});
}

TEST(ExtraOps, SearchSortedPutsNaNLast) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Var a = vector("a", "float64"), v = vector("v", "float64");
  NDArray av = NDArray::from_vector<double>({1, 2, 2, nan}, {4});
  NDArray vv = NDArray::from_vector<double>({2, nan, 0, 5}, {4});
  EXPECT_EQ(values(run({a, v}, one("searchsorted", {a, v}), {av, vv})),
            (std::vector<double>{1, 3, 0, 3}));
  EXPECT_EQ(
      values(run({a, v}, one("searchsorted", {a, v}, Params({{"side", std::string("right")}})),
                 {av, vv})),
      (std::vector<double>{3, 4, 0, 3}));
}

TEST(ExtraOps, UniqueWithIndexInverseAndCounts) {
  Var x = matrix("x", "int64");
  auto outs =
      build("unique", {x},
            Params({{"return_index", true}, {"return_inverse", true}, {"return_counts", true}}));
  ASSERT_EQ(outs.size(), 4u);
  auto f = function({x}, {outs[0], outs[1], outs[2], outs[3]});
  auto got = f->call({NDArray::from_vector<int64_t>({3, 1, 3, 2, 1, 1}, {2, 3})});
  EXPECT_EQ(values(got[0]), (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(values(got[1]), (std::vector<double>{1, 3, 0}));
  EXPECT_EQ(got[2].shape(), (Shape{2, 3}));
  EXPECT_EQ(values(got[2]), (std::vector<double>{2, 0, 2, 1, 0, 0}));
  EXPECT_EQ(values(got[3]), (std::vector<double>{3, 1, 2}));
}

TEST(ExtraOps, IndexConversionsRoundTripAndRejectOutOfRange) {
  Var i = vector("i", "int64");
  const Var dims = constant(NDArray::from_vector<int64_t>({3, 4}, {2}));
  auto multi = build("unravel_index", {i, dims}, Params{});
  ASSERT_EQ(multi.size(), 2u);
  Var flat = one("ravel_multi_index", {multi[0], multi[1], dims});
  NDArray iv = NDArray::from_vector<int64_t>({0, 5, 11, 7}, {4});
  EXPECT_EQ(values(run1(i, multi[1], iv)), (std::vector<double>{0, 1, 3, 3}));
  EXPECT_EQ(values(run1(i, flat, iv)), values(iv));
  expect_error<ValueError>([&] { run1(i, multi[0], NDArray::from_vector<int64_t>({12}, {1})); },
                           {"UnravelIndex", "index 12", "(3, 4)"});
  Var wrapped =
      one("ravel_multi_index", {i, i, dims}, Params({{"mode", std::string("wrap,clip")}}));
  EXPECT_EQ(values(run1(i, wrapped, NDArray::from_vector<int64_t>({-1, 5}, {2}))),
            (std::vector<double>{8, 11}));
  expect_error<ValueError>(
      [&] {
        build("ravel_multi_index", {i, dims}, Params{});
      },
      {"RavelMultiIndex", "1 index arrays for 2 dimensions"});
}

TEST(ExtraOps, NonzeroAndChooseWithItsGradient) {
  Var x = matrix("x", "float64");
  auto idx = build("nonzero", {x}, Params{});
  ASSERT_EQ(idx.size(), 2u);
  NDArray xv = NDArray::from_vector<double>({0, 2, std::nan(""), 0}, {2, 2});
  EXPECT_EQ(values(run1(x, idx[0], xv)), (std::vector<double>{0, 1}));
  EXPECT_EQ(values(run1(x, idx[1], xv)), (std::vector<double>{1, 0}));
  Var a = vector("a", "int64");
  Var c = matrix("c", "float64");
  Var out = one("choose", {a, c});
  NDArray av = NDArray::from_vector<int64_t>({1, 0, 1}, {3});
  NDArray cv = NDArray::from_vector<double>({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(values(run({a, c}, out, {av, cv})), (std::vector<double>{4, 2, 6}));
  Var g = grad(sum(out), c);
  EXPECT_EQ(values(run({a, c}, g, {av, cv})), (std::vector<double>{0, 1, 0, 1, 0, 1}));
  expect_error<ValueError>(
      [&] {
        run({a, c}, out, {NDArray::from_vector<int64_t>({2}, {1}), cv});
      },
      {"Choose", "index 2", "2 choices"});
}

TEST(ExtraOps, LogAddExpIsExactAtTiesAndInfinities) {
  const double inf = std::numeric_limits<double>::infinity();
  Var x = vector("x", "float64"), y = vector("y", "float64");
  NDArray xv = NDArray::from_vector<double>({-inf, inf, 1000, 0}, {4});
  NDArray yv = NDArray::from_vector<double>({-inf, inf, 999, 0}, {4});
  std::vector<double> got = values(run({x, y}, elemwise("logaddexp", {x, y}), {xv, yv}));
  EXPECT_EQ(got[0], -inf);
  EXPECT_EQ(got[1], inf);
  EXPECT_DOUBLE_EQ(got[2], 1000 + std::log1p(std::exp(-1.0)));
  EXPECT_EQ(got[3], std::log(2.0));
  EXPECT_EQ(values(run({x, y}, elemwise("hypot", {x, y}), {xv, yv}))[2], std::hypot(1000.0, 999.0));
}

}  // namespace
}  // namespace theon
