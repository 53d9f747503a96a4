// Tests of the shape family: Shape, Shape_i, MakeVector, Reshape, Flatten, DimShuffle and the
// functions built on them.
#include <gtest/gtest.h>

#include "test_util.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

using namespace test_util;

TEST(ShapeOps, ShapeAndShapeI) {
  Var x = tensor("float32", {kUnknownDim, 3, kUnknownDim}, "x");
  auto f = function({x}, {shape(x), shape_i(x, -1), size(x)});
  auto out = f->call({iota(DType::Float32, {2, 3, 0})});
  EXPECT_EQ(out[0].dtype(), DType::Int64);
  EXPECT_EQ(values(out[0]), (std::vector<double>{2, 3, 0}));
  EXPECT_EQ(out[1].ndim(), 0);
  EXPECT_EQ(out[1].flat_as_double(0), 0);
  EXPECT_EQ(out[2].flat_as_double(0), 0);
  EXPECT_EQ(shape(x)->type.shape, StaticShape{3});
  EXPECT_EQ(static_int_scalar(shape_i(x, 1)), std::optional<int64_t>(3));
  EXPECT_FALSE(static_int_scalar(shape_i(x, 0)).has_value());
  EXPECT_THROW(shape_i(x, 3), IndexError);
}

TEST(ShapeOps, ReshapeConstantShapeIsViewWithStaticShape) {
  Var x = tensor("float64", {2, 3}, "x");
  Var r = reshape(x, std::vector<int64_t>{3, -1});
  EXPECT_EQ(r->type.shape, (StaticShape{3, 2}));
  auto f = function({x}, {r});
  NDArray in = iota(DType::Float64, {2, 3});
  auto out = f->call({in});
  EXPECT_EQ(out[0].shape(), (Shape{3, 2}));
  EXPECT_EQ(values(out[0]), values(in));
  // function() copies outputs that alias inputs.
  EXPECT_FALSE(out[0].shares_buffer_with(in));
  // The op itself returns a view of contiguous data.
  Reshape op(2);
  std::vector<NDArray> outs(1);
  op.perform({in, NDArray::from_vector<int64_t>({6, 1}, {2})}, outs);
  EXPECT_TRUE(outs[0].shares_buffer_with(in));
}

TEST(ShapeOps, ReshapeSymbolicShape) {
  Var x = tensor_nd(3, "x", "int32");
  Var r = reshape(x, std::vector<Var>{shape_i(x, 0), scalar_constant(int64_t{-1}, DType::Int64)});
  EXPECT_EQ(r->type.shape, (StaticShape{kUnknownDim, kUnknownDim}));
  EXPECT_EQ(r->type.dtype, DType::Int32);
  auto f = function({x}, {r});
  NDArray in = iota(DType::Int32, {2, 3, 4});
  auto out = f->call({in});
  EXPECT_EQ(out[0].shape(), (Shape{2, 12}));
  EXPECT_EQ(values(out[0]), values(in));
  // As NumPy: -1 is ambiguous when the other entries multiply to 0.
  EXPECT_THROW(f->call({iota(DType::Int32, {0, 3, 4})}), ValueError);
  out = f->call({iota(DType::Int32, {2, 0, 4})});
  EXPECT_EQ(out[0].shape(), (Shape{2, 0}));
  // A static dimension propagates through Shape_i.
  Var y = tensor("float64", {4, kUnknownDim});
  Var ry = reshape(y, std::vector<Var>{shape_i(y, 0), scalar_constant(int64_t{-1}, DType::Int64)});
  EXPECT_EQ(ry->type.shape, (StaticShape{4, kUnknownDim}));
}

TEST(ShapeOps, ReshapeNonContiguousCopies) {
  Var x = matrix("x");
  auto f = function({x}, {reshape(x, std::vector<int64_t>{-1})});
  NDArray base = iota(DType::Float64, {3, 4});
  NDArray t = transposed(base);  // shape (4, 3), strides (8, 32)
  auto out = f->call({t});
  EXPECT_EQ(values(out[0]), values(t.copy()));
  Reshape op(1);
  std::vector<NDArray> outs(1);
  op.perform({t, NDArray::from_vector<int64_t>({12}, {1})}, outs);
  EXPECT_FALSE(outs[0].shares_buffer_with(base));
  EXPECT_EQ(values(outs[0]), values(t.copy()));
}

TEST(ShapeOps, ReshapeErrors) {
  Var x = tensor("float64", {2, 3}, "x");
  expect_error<ValueError>(
      [&] {
        reshape(x, std::vector<int64_t>{4, 2});
      },
      {"Reshape{2}", "(2, 3)", "(4, 2)"});
  expect_error<ValueError>(
      [&] {
        reshape(x, std::vector<int64_t>{-1, -1});
      },
      {"Reshape{2}", "one unknown dimension"});
  Var m = matrix("m");
  Var s = vector("s", "int64");
  auto f = function({m, s}, {reshape(m, s, 2)});
  expect_error<ValueError>(
      [&] {
        f->call({iota(DType::Float64, {2, 3}), NDArray::from_vector<int64_t>({5, 1}, {2})});
      },
      {"Reshape{2}", "(2, 3)", "(5, 1)"});
  expect_error<ValueError>(
      [&] {
        f->call({iota(DType::Float64, {2, 3}), NDArray::from_vector<int64_t>({6}, {1})});
      },
      {"Reshape{2}"});
  EXPECT_THROW(reshape(m, vector("f", "float64"), 2), TypeError);
  EXPECT_THROW(reshape(m, s), ValueError);  // length unknown and no ndim
}

TEST(ShapeOps, Flatten) {
  Var x = tensor("float32", {2, kUnknownDim, 4}, "x");
  Var f1 = flatten(x, 1), f2 = flatten(x, 2);
  EXPECT_EQ(f1->type.shape, (StaticShape{kUnknownDim}));
  EXPECT_EQ(f2->type.shape, (StaticShape{2, kUnknownDim}));
  EXPECT_EQ(flatten(tensor("float32", {2, 3, 4}), 2)->type.shape, (StaticShape{2, 12}));
  auto f = function({x}, {f1, f2, flatten(x, 3)});
  NDArray base = iota(DType::Float32, {2, 6, 4});
  NDArray v = base.view(base.raw(), {2, 3, 4}, {6 * 4 * 4, 2 * 4 * 4, 4});  // x[:, ::2]
  auto out = f->call({v});
  EXPECT_EQ(out[0].shape(), (Shape{24}));
  EXPECT_EQ(out[1].shape(), (Shape{2, 12}));
  EXPECT_EQ(out[2].shape(), (Shape{2, 3, 4}));
  EXPECT_EQ(values(out[0]), values(v.copy()));
  EXPECT_EQ(values(out[1]), values(v.copy()));
  EXPECT_THROW(flatten(x, 0), ValueError);
  EXPECT_THROW(flatten(x, 4), ValueError);
}

TEST(ShapeOps, DimShuffleTransposeIsView) {
  Var x = tensor("int64", {kUnknownDim, 1, kUnknownDim}, "x");
  Var d = dimshuffle(x, {2, kNewAxis, 0});
  EXPECT_EQ(d->type.shape, (StaticShape{kUnknownDim, 1, kUnknownDim}));
  EXPECT_EQ(d->owner->op()->name(), "DimShuffle{2,x,0}");
  NDArray in = iota(DType::Int64, {2, 1, 3});
  DimShuffle op({2, kNewAxis, 0});
  std::vector<NDArray> outs(1);
  op.perform({in}, outs);
  EXPECT_TRUE(outs[0].shares_buffer_with(in));
  EXPECT_EQ(outs[0].shape(), (Shape{3, 1, 2}));
  // out[i, 0, j] == in[j, 0, i]
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 2; ++j) EXPECT_EQ(outs[0].flat_as_double(i * 2 + j), j * 3 + i);
  auto f = function({x}, {d, transpose(x), swapaxes(x, 0, -1)});
  auto out = f->call({in});
  EXPECT_FALSE(out[0].shares_buffer_with(in));
  EXPECT_EQ(values(out[0]), values(outs[0]));
  EXPECT_EQ(out[1].shape(), (Shape{3, 1, 2}));
  EXPECT_EQ(values(out[2]), values(outs[0]));
}

TEST(ShapeOps, DimShuffleErrors) {
  Var x = tensor("float64", {kUnknownDim, 1, 3}, "x");
  EXPECT_EQ(dimshuffle(x, {0, 2})->type.shape, (StaticShape{kUnknownDim, 3}));  // drops a 1
  expect_error<ValueError>(
      [&] {
        dimshuffle(x, {1, 2});
      },
      {"DimShuffle{1,2}", "cannot drop dimension 0"});
  expect_error<ValueError>([&] { dimshuffle(x, {0, 0, 1, 2}); }, {"appears twice"});
  expect_error<ValueError>(
      [&] {
        dimshuffle(x, {0, 1, 3});
      },
      {"DimShuffle{0,1,3}", "not a dimension"});
  EXPECT_THROW(transpose(x, std::vector<int64_t>{0, 1}), ValueError);
  EXPECT_THROW(transpose(x, std::vector<int64_t>{0, 0, 1}), ValueError);
}

TEST(ShapeOps, SqueezeAndExpandDims) {
  Var x = tensor("float64", {1, kUnknownDim, 1, kUnknownDim}, "x");
  EXPECT_EQ(squeeze(x)->type.shape, (StaticShape{kUnknownDim, kUnknownDim}));
  Var s = squeeze(x, std::vector<int64_t>{1, -2});
  EXPECT_EQ(s->type.shape, (StaticShape{1, kUnknownDim}));
  Var e = expand_dims(x, {0, -1});
  EXPECT_EQ(e->type.shape, (StaticShape{1, 1, kUnknownDim, 1, kUnknownDim, 1}));
  auto f = function({x}, {squeeze(x), s, e});
  NDArray in = iota(DType::Float64, {1, 1, 1, 5});
  auto out = f->call({in});
  EXPECT_EQ(out[0].shape(), (Shape{1, 5}));
  EXPECT_EQ(out[1].shape(), (Shape{1, 5}));
  EXPECT_EQ(out[2].shape(), (Shape{1, 1, 1, 1, 5, 1}));
  EXPECT_EQ(values(out[1]), values(in));
  // Runtime check of a dimension of unknown size.
  expect_error<ValueError>(
      [&] {
        f->call({iota(DType::Float64, {1, 2, 1, 5})});
      },
      {"Squeeze", "(1, 2, 1, 5)"});
  EXPECT_THROW(squeeze(tensor("float64", {2, 3}), std::vector<int64_t>{0}), ValueError);
  EXPECT_THROW(squeeze(x, std::vector<int64_t>{4}), ValueError);
}

TEST(ShapeOps, SpecifyShape) {
  Var x = matrix("x");
  Var s = specify_shape(x, std::vector<int64_t>{-1, 3});
  EXPECT_EQ(s->type.shape, (StaticShape{kUnknownDim, 3}));
  auto f = function({x}, {s});
  EXPECT_EQ(f->call({iota(DType::Float64, {2, 3})})[0].shape(), (Shape{2, 3}));
  expect_error<ValueError>([&] { f->call({iota(DType::Float64, {2, 4})}); }, {"SpecifyShape"});
}

TEST(ShapeOps, MakeVector) {
  Var a = scalar("a", "int32");
  Var b = scalar("b", "int64");
  Var v = make_vector({a, b, scalar_constant(int64_t{7}, DType::Int64)});
  EXPECT_EQ(v->type.dtype, DType::Int64);
  EXPECT_EQ(v->type.shape, StaticShape{3});
  auto f = function({a, b}, {v});
  auto out = f->call({NDArray::scalar<int32_t>(-2), NDArray::scalar<int64_t>(5)});
  EXPECT_EQ(values(out[0]), (std::vector<double>{-2, 5, 7}));
  EXPECT_THROW(make_vector({vector("v", "int64")}), TypeError);
  EXPECT_THROW(make_vector({scalar("f", "float64")}, DType::Int64), TypeError);
}

TEST(ShapeOps, Builders) {
  Var x = matrix("x");
  Params p;
  p.set("pattern", std::vector<int64_t>{1, -1, 0});
  Var d = build("dimshuffle", {x}, p)[0];
  EXPECT_EQ(d->type.ndim(), 3);
  for (const char* name :
       {"reshape", "dimshuffle", "transpose", "flatten", "squeeze", "swapaxes", "shape", "shape_i",
        "make_vector", "expand_dims", "size", "specify_shape"}) {
    EXPECT_TRUE(has_builder(name)) << name;
  }
}

}  // namespace
}  // namespace theon
