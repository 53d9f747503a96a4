// Overflow-checked sizes: the one helper every element and byte count goes through, NDArray's
// use of it, and CheckedProduct, which keeps the check where a rewrite drops the array.
#include <gtest/gtest.h>

#include <climits>

#include "test_util.hpp"
#include "theon/core/checked_size.hpp"
#include "theon/graph/clone.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

using test_util::expect_error;

constexpr int64_t kBig = int64_t{1} << 32;  // kBig * kBig wraps to 0

TEST(CheckedSize, MultipliesAndAddsOnlyWithinInt64) {
  EXPECT_EQ(checked_mul(int64_t{1} << 31, int64_t{1} << 31), int64_t{1} << 62);
  EXPECT_EQ(checked_mul(kBig, kBig), std::nullopt);
  EXPECT_EQ(checked_mul(-kBig, kBig), std::nullopt);
  EXPECT_EQ(checked_add(INT64_MAX - 1, 1), INT64_MAX);
  EXPECT_EQ(checked_add(INT64_MAX, 1), std::nullopt);
}

TEST(CheckedSize, CountsElementsAndRejectsOverflowAndNegativeDimensions) {
  EXPECT_EQ(checked_size({}), 1);
  EXPECT_EQ(checked_size({3, 4, 5}), 60);
  EXPECT_EQ(checked_size({3, 0, 5}), 0);
  EXPECT_EQ(checked_size({INT64_MAX}), INT64_MAX);
  expect_error<ValueError>(
      [] {
        checked_size({kBig, kBig}, "Alloc");
      },
      {"Alloc: ", "too big", "(4294967296, 4294967296)", "overflows"});
  // As NumPy: a zero dimension does not excuse the others, whose product makes the strides.
  expect_error<ValueError>([] { checked_size({0, kBig, kBig}); }, {"too big"});
  expect_error<ValueError>(
      [] {
        checked_size({2, -3}, "Reshape");
      },
      {"Reshape: ", "negative dimensions", "(2, -3)"});
}

TEST(CheckedSize, CountsBytesWithinAddressableMemory) {
  EXPECT_EQ(checked_nbytes({3, 4}, 8), 96u);
  EXPECT_EQ(checked_nbytes({0, 4}, 8), 0u);
  EXPECT_EQ(checked_nbytes({int64_t{1} << 60}, 4), size_t{1} << 62);
  // 2**61 items fit in int64; their 2**64 bytes do not.
  expect_error<ValueError>([] { checked_nbytes({int64_t{1} << 61}, 8, "Alloc", DType::Float64); },
                           {"Alloc: ", "too big", "(2305843009213693952,)", "float64", "8 bytes"});
}

TEST(CheckedSize, EveryArrayIsCheckedWhereverItsGeometryComesFrom) {
  expect_error<ValueError>(
      [] {
        NDArray::empty(DType::Float64, {kBig, kBig});
      },
      {"too big", "(4294967296, 4294967296)", "float64"});
  expect_error<ValueError>([] { NDArray::zeros(DType::Int8, {int64_t{1} << 62, 4}); }, {"too big"});
  expect_error<ValueError>([] { NDArray::empty(DType::Float32, {3, -1}); }, {"negative"});
  const NDArray empty = NDArray::empty(DType::Float64, {0});
  expect_error<ValueError>([&] { empty.reshaped_view({kBig, kBig}); }, {"too big"});
  const NDArray one = NDArray::scalar<double>(1.0);
  expect_error<ValueError>([&] { one.broadcast_to({kBig, kBig}); }, {"too big"});
  EXPECT_EQ(one.broadcast_to({kBig, 2}).size(), kBig * 2);  // a view: nothing is allocated
}

TEST(CheckedSize, AnAllocationTheMachineCannotSatisfyIsAMemoryError) {
  // 2**59 float64 items: 4 EiB, a valid byte count that no address space holds.
  expect_error<MemoryError>([] { NDArray::empty(DType::Float64, {int64_t{1} << 59}); },
                            {"unable to allocate", "(576460752303423488,)", "float64"});
}

TEST(CheckedSize, TypesWhoseStaticSizeOverflowsCannotBeBuilt) {
  expect_error<ValueError>(
      [] {
        make_input(TensorType(DType::Float64, {kBig, kBig}), "x");
      },
      {"input 'x'", "too big"});
  Var v = scalar("v");
  expect_error<ValueError>([&] { zeros(std::vector<int64_t>{kBig, kBig}); }, {"Alloc", "too big"});
  expect_error<ValueError>([&] { tile(alloc(v, {int64_const(4)}), {int64_t{1} << 62}); },
                           {"Tile", "overflows"});
  // Unknown sizes do not count: only the static ones must fit.
  EXPECT_NO_THROW(make_input(TensorType(DType::Float64, {kUnknownDim, int64_t{1} << 59})));
}

TEST(CheckedProduct, MultipliesDimensionsOrRaisesNamingTheShape) {
  Var a = scalar("a", "int64"), b = scalar("b", "int64");
  auto f = function({a, b}, {checked_product({a, b}, 8)});
  auto call = [&](int64_t x, int64_t y) {
    return f->call({NDArray::scalar<int64_t>(x), NDArray::scalar<int64_t>(y)})
        .at(0)
        .data<int64_t>()[0];
  };
  EXPECT_EQ(call(3, 4), 12);
  EXPECT_EQ(call(0, kBig), 0);
  expect_error<ValueError>([&] { call(kBig, kBig); },
                           {"CheckedProduct", "too big", "(4294967296, 4294967296)"});
  expect_error<ValueError>([&] { call(int64_t{1} << 31, int64_t{1} << 30); }, {"8 bytes"});
  expect_error<ValueError>([&] { call(-1, 3); }, {"negative"});
  expect_error<TypeError>([&] { checked_product({vector("v")}, 8); }, {"CheckedProduct"});
}

TEST(CheckedProduct, SumOfAnAllocWhoseSizeOverflowsStaysAnError) {
  Var x = scalar("x");
  Var n = scalar("n", "int64");
  Var total;
  {
    LocationScope where("model.py:7");
    total = sum(alloc(x, {n, n}));
  }
  auto f = function({x, n}, {total});
  auto call = [&](int64_t size) {
    return f->call({NDArray::scalar<double>(2.0), NDArray::scalar<int64_t>(size)}).at(0);
  };
  EXPECT_EQ(call(3).data<double>()[0], 18.0);
  expect_error<ValueError>([&] { call(kBig); }, {"too big", "model.py:7"});
}

}  // namespace
}  // namespace theon
