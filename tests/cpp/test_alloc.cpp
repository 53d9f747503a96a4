// Tests of the alloc family: Alloc, Fill, Eye, ARange, Tile, Repeat and their functions.
#include <gtest/gtest.h>

#include "test_util.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

using namespace test_util;

TEST(AllocOps, AllocSymbolicShape) {
  Var v = vector("v", "float32");
  Var n = scalar("n", "int32");
  Var a = alloc(v, {n, scalar_constant(int64_t{2}, DType::Int64), shape_i(v, 0)});
  EXPECT_EQ(a->type.dtype, DType::Float32);
  EXPECT_EQ(a->type.shape, (StaticShape{kUnknownDim, 2, kUnknownDim}));
  auto f = function({v, n}, {a});
  NDArray vin = iota(DType::Float32, {3});
  auto out = f->call({vin, NDArray::scalar<int32_t>(2)});
  EXPECT_EQ(out[0].shape(), (Shape{2, 2, 3}));
  for (int i = 0; i < 12; ++i) EXPECT_EQ(out[0].flat_as_double(i), i % 3);
  EXPECT_FALSE(out[0].shares_buffer_with(vin));
  out = f->call({vin, NDArray::scalar<int32_t>(0)});
  EXPECT_EQ(out[0].shape(), (Shape{0, 2, 3}));
  expect_error<ValueError>(
      [&] {
        f->call({vin, NDArray::scalar<int32_t>(-1)});
      },
      {"Alloc", "negative"});
}

TEST(AllocOps, AllocWithShapeVectorAndErrors) {
  Var x = tensor("float64", {kUnknownDim, 4}, "x");
  Var z = zeros({shape(x)}, DType::Int16);
  EXPECT_EQ(z->type.dtype, DType::Int16);
  EXPECT_EQ(z->type.shape, (StaticShape{kUnknownDim, 4}));
  auto f = function({x}, {z});
  auto out = f->call({iota(DType::Float64, {3, 4})});
  EXPECT_EQ(out[0].shape(), (Shape{3, 4}));
  EXPECT_EQ(values(out[0]), std::vector<double>(12, 0.0));
  Var v = tensor("float64", {3}, "v");
  expect_error<ValueError>(
      [&] {
        alloc(v, {scalar_constant(int64_t{2}, DType::Int64),
                  scalar_constant(int64_t{4}, DType::Int64)});
      },
      {"Alloc", "(3,)", "(2, 4)"});
  EXPECT_THROW(alloc(v, {scalar("f", "float64")}), TypeError);
  Var u = vector("u");
  Var k = scalar("k", "int64");
  auto g = function({u, k}, {alloc(u, {k, k})});
  expect_error<ValueError>(
      [&] {
        g->call({iota(DType::Float64, {3}), NDArray::scalar<int64_t>(2)});
      },
      {"Alloc", "(3,)", "(2, 2)"});
}

TEST(AllocOps, ZerosOnesFull) {
  Var z = zeros(std::vector<int64_t>{2, 3});
  EXPECT_EQ(z->type.shape, (StaticShape{2, 3}));
  EXPECT_EQ(z->type.dtype, parse_dtype(config_floatX()));
  Var o = ones(std::vector<int64_t>{}, DType::Bool);
  EXPECT_EQ(o->type.ndim(), 0);
  Var full7 = full({scalar_constant(int64_t{2}, DType::Int64)},
                   scalar_constant(7.5, DType::Float64), DType::Int32);
  auto f = function(std::vector<In>{}, {z, o, full7});
  auto out = f->call({});
  EXPECT_EQ(values(out[0]), std::vector<double>(6, 0.0));
  EXPECT_EQ(out[1].dtype(), DType::Bool);
  EXPECT_EQ(out[1].flat_as_double(0), 1.0);
  EXPECT_EQ(out[2].dtype(), DType::Int32);
  EXPECT_EQ(values(out[2]), (std::vector<double>{7, 7}));
}

TEST(AllocOps, FillAndLike) {
  Var x = tensor("float32", {kUnknownDim, 1}, "x");
  Var zl = zeros_like(x), ol = ones_like(x, DType::Int64);
  Var fl = full_like(x, scalar_constant(2.5, DType::Float64));
  Var fi = fill(x, vector("r", "int8"));
  EXPECT_EQ(zl->type.dtype, DType::Float32);
  EXPECT_EQ(ol->type.dtype, DType::Int64);
  EXPECT_EQ(fl->type.dtype, DType::Float32);
  EXPECT_EQ(fi->type.dtype, DType::Int8);
  EXPECT_EQ(fi->type.shape, (StaticShape{kUnknownDim, kUnknownDim}));
  auto f = function({x, fi->owner->inputs()[1]}, {zl, ol, fl, fi});
  NDArray base = iota(DType::Float32, {6, 1});
  NDArray xv = base.view(base.raw(), {3, 1}, {8, 4});
  auto out = f->call({xv, iota(DType::Int8, {2}, 4)});
  EXPECT_EQ(values(out[0]), std::vector<double>(3, 0.0));
  EXPECT_EQ(values(out[1]), std::vector<double>(3, 1.0));
  EXPECT_EQ(values(out[2]), std::vector<double>(3, 2.5));
  EXPECT_EQ(out[3].shape(), (Shape{3, 2}));
  EXPECT_EQ(values(out[3]), (std::vector<double>{4, 5, 4, 5, 4, 5}));
}

TEST(AllocOps, Eye) {
  Var n = scalar("n", "int64");
  Var e = eye(n, nullptr, scalar_constant(int64_t{-1}, DType::Int64), DType::Int32);
  auto f = function({n}, {e, eye(2, 3, 1)});
  auto out = f->call({NDArray::scalar<int64_t>(3)});
  EXPECT_EQ(out[0].dtype(), DType::Int32);
  EXPECT_EQ(values(out[0]), (std::vector<double>{0, 0, 0, 1, 0, 0, 0, 1, 0}));
  EXPECT_EQ(values(out[1]), (std::vector<double>{0, 1, 0, 0, 0, 1}));
  EXPECT_EQ(eye(2, 3, 1)->type.shape, (StaticShape{2, 3}));
  out = f->call({NDArray::scalar<int64_t>(0)});
  EXPECT_EQ(out[0].shape(), (Shape{0, 0}));
  EXPECT_THROW(f->call({NDArray::scalar<int64_t>(-2)}), ValueError);
  EXPECT_THROW(eye(scalar("f", "float32")), TypeError);
}

TEST(AllocOps, ARange) {
  Var a = arange(2, 11, 3);
  EXPECT_EQ(a->type.dtype, DType::Int64);
  EXPECT_EQ(a->type.shape, StaticShape{3});
  Var stop = scalar("stop", "int32");
  Var b = arange(stop);
  EXPECT_EQ(b->type.dtype, DType::Int64);
  EXPECT_EQ(b->type.shape, StaticShape{kUnknownDim});
  Var c = arange(scalar_constant(0.0, DType::Float64), scalar_constant(int64_t{1}, DType::Int64),
                 scalar_constant(0.25, DType::Float32));
  EXPECT_EQ(c->type.dtype, DType::Float64);
  EXPECT_EQ(c->type.shape, StaticShape{4});
  // NumPy: arange(-3, 3, 1.5, dtype=int64) is [-3, -1, 1, 3] (step taken after conversion).
  Var d =
      arange(scalar_constant(int64_t{-3}, DType::Int64), scalar_constant(int64_t{3}, DType::Int64),
             scalar_constant(1.5, DType::Float64), DType::Int64);
  Var e =
      arange(scalar_constant(int64_t{10}, DType::Int64), scalar_constant(int64_t{0}, DType::Int64),
             scalar_constant(int64_t{-3}, DType::Int64));
  auto f = function({stop}, {a, b, c, d, e});
  auto out = f->call({NDArray::scalar<int32_t>(4)});
  EXPECT_EQ(values(out[0]), (std::vector<double>{2, 5, 8}));
  EXPECT_EQ(values(out[1]), (std::vector<double>{0, 1, 2, 3}));
  EXPECT_EQ(values(out[2]), (std::vector<double>{0, 0.25, 0.5, 0.75}));
  EXPECT_EQ(values(out[3]), (std::vector<double>{-3, -1, 1, 3}));
  EXPECT_EQ(values(out[4]), (std::vector<double>{10, 7, 4, 1}));
  out = f->call({NDArray::scalar<int32_t>(-4)});
  EXPECT_EQ(out[1].shape(), (Shape{0}));
  expect_error<ValueError>([&] { arange(1, 5, 0); }, {"ARange", "step"});
}

TEST(AllocOps, Tile) {
  Var x = matrix("x", "int32");
  Var t = tile(x, {2, 1, 3});
  EXPECT_EQ(t->type.shape, (StaticShape{2, kUnknownDim, kUnknownDim}));
  auto f = function({x}, {t, tile(x, {2})});
  NDArray base = iota(DType::Int32, {2, 4});
  NDArray v = base.view(base.raw(), {2, 2}, {16, 8});  // x[:, ::2] = [[0, 2], [4, 6]]
  auto out = f->call({v});
  EXPECT_EQ(out[0].shape(), (Shape{2, 2, 6}));
  std::vector<double> row0{0, 2, 0, 2, 0, 2}, row1{4, 6, 4, 6, 4, 6};
  std::vector<double> expect;
  for (int k = 0; k < 2; ++k) {
    expect.insert(expect.end(), row0.begin(), row0.end());
    expect.insert(expect.end(), row1.begin(), row1.end());
  }
  EXPECT_EQ(values(out[0]), expect);
  EXPECT_EQ(values(out[1]), (std::vector<double>{0, 2, 0, 2, 4, 6, 4, 6}));
  EXPECT_THROW(tile(x, {-1}), ValueError);
  out = f->call({iota(DType::Int32, {0, 3})});
  EXPECT_EQ(out[0].shape(), (Shape{2, 0, 9}));
}

TEST(AllocOps, Repeat) {
  Var x = matrix("x", "float32");
  Var r = vector("r", "int64");
  auto f = function({x, r}, {repeat(x, r, 0), repeat(x, 2, std::nullopt), repeat(x, 3, -1)});
  NDArray in = iota(DType::Float32, {2, 3});
  auto out = f->call({in, NDArray::from_vector<int64_t>({1, 2}, {2})});
  EXPECT_EQ(out[0].shape(), (Shape{3, 3}));
  EXPECT_EQ(values(out[0]), (std::vector<double>{0, 1, 2, 3, 4, 5, 3, 4, 5}));
  EXPECT_EQ(values(out[1]), (std::vector<double>{0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5}));
  EXPECT_EQ(out[2].shape(), (Shape{2, 9}));
  expect_error<ValueError>(
      [&] {
        f->call({in, NDArray::from_vector<int64_t>({1, 2, 3}, {3})});
      },
      {"Repeat{axis=0}"});
  expect_error<ValueError>(
      [&] {
        f->call({in, NDArray::from_vector<int64_t>({1, -2}, {2})});
      },
      {"Repeat", "negative"});
  EXPECT_EQ(repeat(tensor("float32", {2, 3}), 2, 1)->type.shape, (StaticShape{2, 6}));
}

}  // namespace
}  // namespace theon
