// Gradients of the shape, join and alloc families: verify_grad (finite differences) for each
// differentiable op, second order for a few, and the inputs that carry no gradient.
#include <gtest/gtest.h>

#include <random>

#include "theon/theon.hpp"

namespace theon {
namespace {

using Fun = std::function<Var(const std::vector<Var>&)>;

NDArray rand_array(const Shape& shape, unsigned seed, DType dt = DType::Float64) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  std::vector<double> v(n);
  for (double& e : v) e = u(gen);
  NDArray a = NDArray::from_vector<double>(v, shape);
  return dt == DType::Float64 ? a : a.astype(dt);
}

// verify_grad with a message naming the case when it fails.
void check(const std::string& what, const Fun& f, const std::vector<NDArray>& pt,
           const VerifyGradOptions& o = {}) {
  try {
    verify_grad(f, pt, o);
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << ": " << e.what();
  }
}

// Evaluates a graph; `values` binds its inputs.
NDArray eval(const Var& v, const std::vector<std::pair<Var, NDArray>>& values) {
  return evaluate({v}, values)[0];
}

void expect_array_near(const NDArray& got, const NDArray& want, double tol = 1e-12) {
  ASSERT_EQ(got.shape(), want.shape());
  for (int64_t k = 0; k < want.size(); ++k) {
    EXPECT_NEAR(got.flat_as_double(k), want.flat_as_double(k), tol) << "at flat index " << k;
  }
}

Var iconst(int64_t v) {
  return scalar_constant(v, DType::Int64);
}

// Makes x's static shape known (-1 leaves a dimension unknown).
Var static_shape(const Var& x, const std::vector<int64_t>& s) {
  return specify_shape(x, s);
}

// ---- Reshape, Flatten ----

TEST(ShapeGrad, Reshape) {
  check("(3,4)->(2,6)", [](auto& in) { return reshape(in[0], {2, 6}); }, {rand_array({3, 4}, 1)});
  check("(2,3,4)->(4,-1)",
        [](auto& in) {
          return reshape(in[0], {4, -1});
        },
        {rand_array({2, 3, 4}, 2)});
  check("(1,3,1)->(3,)", [](auto& in) { return reshape(in[0], std::vector<int64_t>{3}); },
        {rand_array({1, 3, 1}, 3)});
  check("(1,1)->()", [](auto& in) { return reshape(in[0], std::vector<int64_t>{}); },
        {rand_array({1, 1}, 4)});
  check("()->(1,1,1)", [](auto& in) { return reshape(in[0], {1, 1, 1}); }, {rand_array({}, 5)});
  check("static (2,3)->(3,2)",
        [](auto& in) {
          return reshape(static_shape(in[0], {2, 3}), {3, 2});
        },
        {rand_array({2, 3}, 6)});
  // Symbolic shapes: back to x's own shape, and to x's shape read backwards.
  check("reshape by x.shape",
        [](auto& in) { return reshape(flatten(in[0], 1) * 2.0, shape(in[0])); },
        {rand_array({2, 3, 2}, 7)});
  check("reshape by (x.shape[1], x.shape[0])",
        [](auto& in) {
          return reshape(in[0], std::vector<Var>{shape_i(in[0], 1), shape_i(in[0], 0)});
        },
        {rand_array({4, 3}, 8)});
  check("reshape by another input's shape",
        [](auto& in) { return reshape(in[0], shape(in[1])) * in[1]; },
        {rand_array({2, 6}, 9), rand_array({3, 4}, 10)});
  check("float32",
        [](auto& in) {
          return reshape(in[0], {6, -1});
        },
        {rand_array({3, 4}, 11, DType::Float32)});
}

TEST(ShapeGrad, Flatten) {
  check("ndim=1", [](auto& in) { return flatten(in[0], 1); }, {rand_array({2, 3, 4}, 1)});
  check("ndim=2", [](auto& in) { return flatten(in[0], 2); }, {rand_array({2, 3, 4}, 2)});
  check("ndim=3 of 3-d", [](auto& in) { return flatten(in[0], 3); }, {rand_array({2, 1, 4}, 3)});
  check("size-1 dims", [](auto& in) { return flatten(in[0], 1); }, {rand_array({1, 3, 1}, 4)});
  check("non-contiguous gradient path", [](auto& in) { return flatten(transpose(in[0]), 1); },
        {rand_array({3, 5}, 5)});
  check("concatenate(axis=None)",
        [](auto& in) {
          return concatenate({in[0], in[1]}, std::nullopt);
        },
        {rand_array({2, 2}, 6), rand_array({3}, 7)});
}

// ---- DimShuffle and what is built on it ----

TEST(ShapeGrad, DimShuffle) {
  check("transpose", [](auto& in) { return transpose(in[0]); }, {rand_array({3, 4}, 1)});
  check("3-d permutation",
        [](auto& in) {
          return dimshuffle(in[0], {2, 0, 1});
        },
        {rand_array({2, 3, 4}, 2)});
  check("'x' added",
        [](auto& in) {
          return dimshuffle(in[0], {kNewAxis, 1, kNewAxis, 0});
        },
        {rand_array({3, 4}, 3)});
  check("dim dropped",
        [](auto& in) {
          return dimshuffle(static_shape(in[0], {-1, 1, -1}), {2, 0});
        },
        {rand_array({3, 1, 4}, 4)});
  // verify_grad gives its inputs the test point's broadcastable pattern: no static_shape needed.
  check("dim of size 1 dropped", [](auto& in) { return tanh(dimshuffle(in[0], {1})); },
        {rand_array({1, 3}, 6)});
  check("dropped and added",
        [](auto& in) {
          return dimshuffle(static_shape(in[0], {1, -1, 1}), {kNewAxis, 1, kNewAxis});
        },
        {rand_array({1, 5, 1}, 5)});
  check("0-d to (1,1)",
        [](auto& in) {
          return dimshuffle(in[0], {kNewAxis, kNewAxis});
        },
        {rand_array({}, 6)});
  check("(1,1) to 0-d",
        [](auto& in) {
          return dimshuffle(static_shape(in[0], {1, 1}), {});
        },
        {rand_array({1, 1}, 7)});
  check("swapaxes", [](auto& in) { return swapaxes(in[0], 0, 2); }, {rand_array({2, 3, 4}, 8)});
  check("expand_dims",
        [](auto& in) {
          return expand_dims(in[0], {0, -1});
        },
        {rand_array({3, 2}, 9)});
  check("broadcast after 'x'",
        [](auto& in) {
          return dimshuffle(in[0], {0, kNewAxis}) * in[1];
        },
        {rand_array({3}, 10), rand_array({3, 4}, 11)});
  check("float32",
        [](auto& in) {
          return dimshuffle(in[0], {1, kNewAxis, 0});
        },
        {rand_array({3, 4}, 12, DType::Float32)});
}

// The 'x' dimensions of the output gradient need not be statically 1: Squeeze checks them.
TEST(ShapeGrad, DimShuffleWithAGradientOfUnknownShape) {
  Var x = matrix("x");
  Var y = dimshuffle(x, {1, kNewAxis, 0});
  Var v = tensor("float64", {kUnknownDim, kUnknownDim, kUnknownDim}, "v");
  Var gx = Lop({y}, {x}, {v})[0];
  ASSERT_EQ(gx->type.ndim(), 2);
  NDArray vv = rand_array({4, 1, 3}, 1);
  NDArray got = eval(gx, {{x, rand_array({3, 4}, 2)}, {v, vv}});
  // gx[i, j] = v[j, 0, i]
  NDArray want = vv.view(vv.raw(), {3, 4}, {vv.strides()[2], vv.strides()[0]}).copy();
  expect_array_near(got, want);
  // A gradient whose 'x' dimension is not 1 at run time is an error, not a silent reshape.
  EXPECT_THROW(eval(gx, {{x, rand_array({3, 4}, 2)}, {v, rand_array({4, 2, 3}, 3)}}), ValueError);
}

TEST(ShapeGrad, Squeeze) {
  // Unknown static size: the Squeeze op (checked at run time).
  check("Squeeze op", [](auto& in) { return squeeze(in[0], std::vector<int64_t>{1}); },
        {rand_array({3, 1, 2}, 1)});
  check("Squeeze op, several axes",
        [](auto& in) {
          return squeeze(in[0], std::vector<int64_t>{0, -1});
        },
        {rand_array({1, 4, 1}, 2)});
  // Static size 1: squeeze is a DimShuffle.
  check("static",
        [](auto& in) {
          return squeeze(static_shape(in[0], {1, -1, 1}));
        },
        {rand_array({1, 3, 1}, 3)});
  check("to 0-d",
        [](auto& in) {
          return squeeze(in[0], std::vector<int64_t>{0, 1});
        },
        {rand_array({1, 1}, 4)});
  Var x = tensor_nd(3, "x");
  Var s = squeeze(x, std::vector<int64_t>{1});
  ASSERT_NE(dynamic_cast<const Squeeze*>(s->owner->op().get()), nullptr);
}

TEST(ShapeGrad, SpecifyShape) {
  check("specify_shape",
        [](auto& in) {
          return specify_shape(in[0], {2, -1}) * in[0];
        },
        {rand_array({2, 3}, 1)});
  // The shape input gets no gradient.
  Var x = matrix("x");
  Var out = specify_shape(x, {2, 3});
  auto g = out->owner->op()->L_op(out->owner->inputs(), {out}, {ones_like(out)});
  ASSERT_EQ(g.size(), 2u);
  EXPECT_NE(g[0], nullptr);
  EXPECT_EQ(g[1], nullptr);
}

// ---- Shape, Shape_i, Size, MakeVector ----

TEST(ShapeGrad, IntegerShapesCarryNoGradient) {
  Var x = matrix("x");
  for (const Var& out : {shape(x), shape_i(x, 0), size(x)}) {
    auto g = out->owner->op()->L_op(out->owner->inputs(), {out}, {nullptr});
    ASSERT_EQ(g.size(), 1u);
    EXPECT_EQ(g[0], nullptr) << out->owner->op()->name();
  }
  // A cost that depends on x only through its shape is disconnected from x.
  Var c = cast(sum(shape(x)) * size(x), DType::Float64);
  EXPECT_THROW(grad(c, x), ValueError);
  GradOptions ignore;
  ignore.disconnected_inputs = "ignore";
  NDArray xv = rand_array({2, 3}, 1);
  expect_array_near(eval(grad(c, std::vector<Var>{x}, ignore)[0], {{x, xv}}),
                    NDArray::zeros(DType::Float64, {2, 3}));
  // Through the shape as well as the values: only the values path counts.
  Var c2 = sum(x) * cast(shape_i(x, 1), DType::Float64);
  NDArray want = NDArray::zeros(DType::Float64, {2, 3});
  for (int64_t k = 0; k < 6; ++k) want.data<double>()[k] = 3.0;
  expect_array_near(eval(grad(c2, x), {{x, xv}}), want);
  check("sum(x) * x.shape[0]",
        [](auto& in) {
          return in[0] * cast(shape_i(in[0], 0), DType::Float64) +
                 cast(size(in[0]), DType::Float64);
        },
        {rand_array({3, 2}, 2)});
}

TEST(ShapeGrad, MakeVector) {
  check("float scalars",
        [](auto& in) {
          return make_vector({in[0], in[1], in[0] * in[1], in[1]});
        },
        {rand_array({}, 1), rand_array({}, 2)});
  check("one element", [](auto& in) { return make_vector({in[0]}); }, {rand_array({}, 3)});
  check("float32 into float64",
        [](auto& in) {
          return make_vector({in[0], in[1]}, DType::Float64);
        },
        {rand_array({}, 4, DType::Float32), rand_array({}, 5)});
  // An integer element gets no gradient; a float vector of integers none either.
  Var a = scalar("a");
  Var i = scalar("i", "int64");
  Var v = make_vector({a, i}, DType::Float64);
  auto g = v->owner->op()->L_op(v->owner->inputs(), {v}, {ones_like(v)});
  ASSERT_EQ(g.size(), 2u);
  EXPECT_NE(g[0], nullptr);
  EXPECT_EQ(g[1], nullptr);
  Var vi = make_vector({i, i});
  EXPECT_EQ(vi->owner->op()->L_op(vi->owner->inputs(), {vi}, {nullptr})[0], nullptr);
}

// ---- Join, Split, stack ----

TEST(JoinGrad, JoinOnEveryAxis) {
  check("2-d axis 0",
        [](auto& in) {
          return join(0, {in[0], in[1]});
        },
        {rand_array({2, 3}, 1), rand_array({4, 3}, 2)});
  check("2-d axis 1",
        [](auto& in) {
          return join(1, {in[0], in[1]});
        },
        {rand_array({2, 3}, 3), rand_array({2, 1}, 4)});
  check("2-d axis -1",
        [](auto& in) {
          return join(-1, {in[0], in[1], in[0]});
        },
        {rand_array({2, 3}, 3), rand_array({2, 1}, 4)});
  const Shape base{2, 3, 4};
  for (int axis = 0; axis < 3; ++axis) {
    Shape a = base, b = base, c = base;
    b[axis] = 1;
    c[axis] = 2;
    check("3-d axis " + std::to_string(axis),
          [axis](auto& in) {
            return join(axis, {in[0], in[1], in[2]});
          },
          {rand_array(a, 5 + axis), rand_array(b, 8 + axis), rand_array(c, 11 + axis)});
  }
  check("1-d",
        [](auto& in) {
          return join(0, {in[0], in[1]});
        },
        {rand_array({3}, 14), rand_array({1}, 15)});
  check("one input", [](auto& in) { return join(0, {in[0]}); }, {rand_array({3}, 16)});
  check("empty piece",
        [](auto& in) {
          return join(1, {in[0], in[1]});
        },
        {rand_array({2, 0}, 17), rand_array({2, 3}, 18)});
  check("static sizes",
        [](auto& in) {
          return join(1, {static_shape(in[0], {2, 3}), static_shape(in[1], {2, 2})});
        },
        {rand_array({2, 3}, 19), rand_array({2, 2}, 20)});
  check("float32",
        [](auto& in) {
          return join(0, {in[0], in[1]});
        },
        {rand_array({2, 3}, 21, DType::Float32), rand_array({1, 3}, 22, DType::Float32)});
  check("float32 and float64",
        [](auto& in) {
          return join(1, {in[0], in[1]});
        },
        {rand_array({2, 3}, 23, DType::Float32), rand_array({2, 2}, 24)});
}

TEST(JoinGrad, JoinWithAnIntegerInput) {
  Var x = matrix("x");
  Var i = tensor("int64", {kUnknownDim, kUnknownDim}, "i");
  Var out = join(0, {x, i});
  auto g = out->owner->op()->L_op(out->owner->inputs(), {out}, {ones_like(out)});
  ASSERT_EQ(g.size(), 2u);
  EXPECT_NE(g[0], nullptr);
  EXPECT_EQ(g[1], nullptr);
  // The float piece gets its own rows of the gradient.
  Var c = sum(out * out);
  NDArray xv = rand_array({2, 2}, 1);
  NDArray iv = NDArray::from_vector<int64_t>({1, 2, 3, 4, 5, 6}, {3, 2});
  NDArray got = eval(grad(c, x), {{x, xv}, {i, iv}});
  for (int64_t k = 0; k < 4; ++k)
    EXPECT_NEAR(got.flat_as_double(k), 2 * xv.flat_as_double(k), 1e-12);
}

TEST(JoinGrad, Stack) {
  for (int axis = -3; axis < 3; ++axis) {
    check("stack axis " + std::to_string(axis),
          [axis](auto& in) {
            return stack({in[0], in[1], in[0]}, axis);
          },
          {rand_array({2, 3}, 1 + axis + 3), rand_array({2, 3}, 10 + axis + 3)});
  }
  check("stack of scalars",
        [](auto& in) {
          return stack({in[0], in[1]});
        },
        {rand_array({}, 20), rand_array({}, 21)});
}

TEST(JoinGrad, SplitOnEveryAxis) {
  const Shape base{3, 4, 5};
  for (int axis = 0; axis < 3; ++axis) {
    const int64_t len = base[axis];
    // Pieces used in a different order; the middle one (when there are three) is left unused,
    // so its gradient is zeros.
    check("axis " + std::to_string(axis),
          [axis, len](auto& in) {
            auto p = split(in[0], std::vector<int64_t>{1, len - 3, 2}, axis);
            return join(axis, {p[2], p[0]});
          },
          {rand_array(base, 1 + axis)});
    check("all pieces, axis " + std::to_string(axis),
          [axis, len](auto& in) {
            auto p = split(in[0], std::vector<int64_t>{len - 1, 1}, axis);
            return join(axis, {p[1] * p[1], p[0]});
          },
          {rand_array(base, 5 + axis)});
  }
  check("one piece", [](auto& in) { return split(in[0], std::vector<int64_t>{4}, 0)[0]; },
        {rand_array({4, 2}, 9)});
  check("empty piece",
        [](auto& in) {
          auto p = split(in[0], std::vector<int64_t>{0, 2, 2}, 1);
          return join(1, {p[2], p[0], p[1]});
        },
        {rand_array({3, 4}, 10)});
  // Symbolic sizes: halves of x's first dimension.
  check("symbolic sizes",
        [](auto& in) {
          Var half = floor_divide(shape_i(in[0], 0), iconst(2));
          Var sizes = make_vector({half, shape_i(in[0], 0) - half});
          auto p = split(in[0], sizes, 2, 0);
          return join(0, {p[1], p[0] * p[0]});
        },
        {rand_array({5, 2}, 11)});
  check("float32",
        [](auto& in) {
          auto p = split(in[0], std::vector<int64_t>{2, 1}, 1);
          return join(0, {p[1], p[1]});
        },
        {rand_array({2, 3}, 12, DType::Float32)});
  // The sizes input gets no gradient.
  Var x = matrix("x");
  auto p = split(x, std::vector<int64_t>{1, 1}, 0);
  auto g = p[0]->owner->op()->L_op(p[0]->owner->inputs(), p, {ones_like(p[0]), ones_like(p[1])});
  ASSERT_EQ(g.size(), 2u);
  EXPECT_NE(g[0], nullptr);
  EXPECT_EQ(g[1], nullptr);
}

// ---- Alloc, Fill and friends ----

TEST(AllocGrad, Alloc) {
  check("scalar to (2,3)",
        [](auto& in) {
          return alloc(in[0], {iconst(2), iconst(3)});
        },
        {rand_array({}, 1)});
  check("(3,) to (2,3)",
        [](auto& in) {
          return alloc(in[0], {iconst(2), iconst(3)});
        },
        {rand_array({3}, 2)});
  check("(1,3) to (4,2,3)",
        [](auto& in) {
          return alloc(in[0], {iconst(4), iconst(2), iconst(3)});
        },
        {rand_array({1, 3}, 3)});
  check("(2,1) to (2,3)",
        [](auto& in) {
          return alloc(in[0], {iconst(2), iconst(3)});
        },
        {rand_array({2, 1}, 4)});
  check("same shape",
        [](auto& in) {
          return alloc(in[0], {iconst(2), iconst(3)});
        },
        {rand_array({2, 3}, 5)});
  check("symbolic shape",
        [](auto& in) {
          return alloc(in[0], {shape_i(in[1], 0), shape(in[0])}) * 2.0;
        },
        {rand_array({2, 1}, 6), rand_array({3}, 7)});
  check("full", [](auto& in) { return full({iconst(3), iconst(2)}, in[0]); }, {rand_array({}, 8)});
  check("float32",
        [](auto& in) {
          return alloc(in[0], {iconst(4), iconst(3)});
        },
        {rand_array({3}, 9, DType::Float32)});
  // The shape inputs get no gradient.
  Var v = vector("v");
  Var out = alloc(v, {iconst(2), iconst(3)});
  auto g = out->owner->op()->L_op(out->owner->inputs(), {out}, {ones_like(out)});
  ASSERT_EQ(g.size(), 3u);
  EXPECT_NE(g[0], nullptr);
  EXPECT_EQ(g[1], nullptr);
  EXPECT_EQ(g[2], nullptr);
}

TEST(AllocGrad, FillAndLikes) {
  check("fill value broadcast to the model", [](auto& in) { return fill(in[0], in[1]); },
        {rand_array({2, 3}, 1), rand_array({3}, 2)});
  check("fill value larger than the model", [](auto& in) { return fill(in[0], in[1]); },
        {rand_array({1, 3}, 3), rand_array({4, 1, 3}, 4)});
  check("full_like", [](auto& in) { return full_like(in[0], in[1]) * in[0]; },
        {rand_array({2, 3}, 5), rand_array({}, 6)});
  check("ones_like", [](auto& in) { return ones_like(in[0]) * in[0]; }, {rand_array({2, 3}, 7)});
  // The model only gives a shape: no gradient to it.
  Var m = matrix("m");
  Var s = scalar("s");
  Var out = fill(m, s);
  auto g = out->owner->op()->L_op(out->owner->inputs(), {out}, {ones_like(out)});
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0], nullptr);
  ASSERT_NE(g[1], nullptr);
  EXPECT_EQ(g[1]->type.ndim(), 0);
  EXPECT_NEAR(eval(g[1], {{m, rand_array({2, 3}, 8)}, {s, NDArray::scalar(1.0)}}).flat_as_double(0),
              6.0, 1e-12);
  // zeros_like / ones_like depend on x only through its shape.
  EXPECT_THROW(grad(sum(zeros_like(m)), m), ValueError);
  EXPECT_THROW(grad(sum(ones_like(m)), m), ValueError);
}

TEST(AllocGrad, EyeAndARange) {
  Var n = scalar("n", "int64");
  Var e = eye(n);
  auto g = e->owner->op()->L_op(e->owner->inputs(), {e}, {ones_like(e)});
  ASSERT_EQ(g.size(), 3u);
  for (const Var& gi : g) EXPECT_EQ(gi, nullptr);
  // Integer arange: no gradient.
  Var a = arange(iconst(0), n);
  auto ga = a->owner->op()->L_op(a->owner->inputs(), {a}, {nullptr});
  for (const Var& gi : ga) EXPECT_EQ(gi, nullptr);
  // Float arange: out[i] = start + i * step.
  check("float arange (start, step)",
        [](auto& in) { return arange(in[0], scalar_constant(5.05, DType::Float64), in[1]); },
        {NDArray::scalar(0.3), NDArray::scalar(0.7)});
  check("float arange (stop)",
        [](auto& in) { return arange(scalar_constant(0.5, DType::Float64), in[0]) * in[0]; },
        {NDArray::scalar(4.3)});
}

TEST(AllocGrad, Tile) {
  const std::vector<std::pair<Shape, std::vector<int64_t>>> cases{
      {{2, 3}, {2, 3}},    {{2, 3}, {2}},    {{2, 3}, {2, 1, 3}}, {{2, 3}, {1, 1}}, {{3}, {3}},
      {{2, 1, 2}, {1, 2}}, {{2, 3}, {0, 2}}, {{1, 1}, {3, 2}},    {{2}, {2, 1}},    {{}, {3}}};
  unsigned seed = 1;
  for (const auto& [shape, reps] : cases) {
    std::vector<int64_t> r = reps;
    check("tile " + shape_str(shape) + " by " + shape_str(Shape(reps.begin(), reps.end())),
          [r](auto& in) { return tile(in[0], r); }, {rand_array(shape, seed++)});
  }
  check("static shape",
        [](auto& in) {
          return tile(static_shape(in[0], {2, 3}), {2, 2});
        },
        {rand_array({2, 3}, 20)});
  check("float32",
        [](auto& in) {
          return tile(in[0], {2, 3});
        },
        {rand_array({2, 2}, 21, DType::Float32)});
}

TEST(AllocGrad, Repeat) {
  for (int axis = 0; axis < 3; ++axis) {
    check("scalar 2, axis " + std::to_string(axis),
          [axis](auto& in) { return repeat(in[0], 2, axis); }, {rand_array({2, 3, 4}, 1 + axis)});
  }
  check("scalar 0", [](auto& in) { return repeat(in[0], 0, 1); }, {rand_array({2, 3}, 4)});
  check("axis None", [](auto& in) { return repeat(in[0], 3); }, {rand_array({2, 2}, 5)});
  check(
      "vector of 1",
      [](auto& in) { return repeat(in[0], constant(NDArray::from_vector<int64_t>({3}, {1})), 1); },
      {rand_array({2, 3}, 6)});
  check("vector per element, axis 1",
        [](auto& in) {
          return repeat(in[0], constant(NDArray::from_vector<int64_t>({1, 0, 3}, {3})), 1);
        },
        {rand_array({2, 3}, 7)});
  check("vector per element, axis 0",
        [](auto& in) {
          return repeat(in[0], constant(NDArray::from_vector<int32_t>({2, 1}, {2})), 0);
        },
        {rand_array({2, 3, 2}, 8)});
  check("vector per element, axis None",
        [](auto& in) {
          return repeat(in[0], constant(NDArray::from_vector<int64_t>({1, 2, 0, 3}, {4})));
        },
        {rand_array({2, 2}, 9)});
  // Symbolic repeats: counts computed from shapes.
  check("symbolic scalar", [](auto& in) { return repeat(in[0], shape_i(in[0], 0), 1); },
        {rand_array({2, 3}, 10)});
  check("symbolic vector",
        [](auto& in) {
          Var r = make_vector({shape_i(in[0], 0), iconst(1), shape_i(in[0], 1)});
          return repeat(in[0], r, 1);
        },
        {rand_array({2, 3}, 11)});
  check("float32",
        [](auto& in) {
          return repeat(in[0], constant(NDArray::from_vector<int64_t>({2, 3}, {2})), 0);
        },
        {rand_array({2, 2}, 12, DType::Float32)});
}

TEST(AllocGrad, RepeatSumIsTheAdjointOfRepeat) {
  // RepeatSum itself against finite differences (its gradient is Repeat).
  check("repeat_sum",
        [](auto& in) {
          return repeat_sum(in[0], constant(NDArray::from_vector<int64_t>({2, 0, 1}, {3})),
                            iconst(3), 0);
        },
        {rand_array({3, 2}, 1)});
  Var g = matrix("g");
  Var r = vector("r", "int64");
  Var s = repeat_sum(g, r, iconst(2), 1);
  NDArray gv = NDArray::from_vector<double>({1, 2, 3, 4, 5, 6, 7, 8}, {2, 4});
  NDArray got = eval(s, {{g, gv}, {r, NDArray::from_vector<int64_t>({3, 1}, {2})}});
  expect_array_near(got, NDArray::from_vector<double>({6, 4, 18, 8}, {2, 2}));
  EXPECT_THROW(eval(s, {{g, gv}, {r, NDArray::from_vector<int64_t>({2, 1}, {2})}}), ValueError);
}

// ---- second order ----

TEST(ShapeGrad, SecondOrder) {
  // verify_grad of functions that are themselves gradients: grad(grad) through the op.
  check("reshape",
        [](auto& in) {
          Var y = reshape(in[0], {3, 2});
          return grad(sum(y * y * y), in[0]);
        },
        {rand_array({2, 3}, 1)});
  check("reshape by x.shape",
        [](auto& in) {
          Var y = reshape(flatten(in[0], 1), shape(in[0]));
          return grad(sum(y * y * y), in[0]);
        },
        {rand_array({2, 3}, 2)});
  check("join",
        [](auto& in) {
          Var y = join(1, {in[0], in[1] * in[1]});
          return grad(sum(y * y * y), in[0]) + sum(grad(sum(y * y * y), in[1]));
        },
        {rand_array({2, 3}, 3), rand_array({2, 2}, 4)});
  check("dimshuffle",
        [](auto& in) {
          Var y = dimshuffle(in[0], {1, kNewAxis, 0});
          return grad(sum(y * y * y), in[0]);
        },
        {rand_array({2, 3}, 5)});
  check("tile",
        [](auto& in) {
          Var y = tile(in[0], {2, 2});
          return grad(sum(y * y * y), in[0]);
        },
        {rand_array({2, 3}, 6)});
  check("repeat per element",
        [](auto& in) {
          Var y = repeat(in[0], constant(NDArray::from_vector<int64_t>({2, 0, 1}, {3})), 0);
          return grad(sum(y * y * y), in[0]);
        },
        {rand_array({3, 2}, 7)});
  check("alloc",
        [](auto& in) {
          Var y = alloc(in[0], {iconst(4), iconst(3)});
          return grad(sum(y * y * y), in[0]);
        },
        {rand_array({3}, 8)});
}

}  // namespace
}  // namespace theon
