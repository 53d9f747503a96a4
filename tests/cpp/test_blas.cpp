// Products (dot, matmul, tensordot, outer, batched_dot) against naive reference loops.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "test_util.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

using namespace test_util;

// A C-contiguous array of `dt` with random small values (integers for integer dtypes).
NDArray random_array(DType dt, const Shape& shape, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(-3.0, 3.0);
  std::vector<double> v(static_cast<size_t>(shape_size(shape)));
  for (double& x : v) {
    x = u(gen);
    if (!is_float(dt)) x = std::round(x);
    if (dt == DType::Bool) x = x > 0;
  }
  NDArray d = NDArray::empty(DType::Float64, shape);
  std::copy(v.begin(), v.end(), d.data<double>());
  return d.astype(dt);
}

// Multi-index of a C-order flat index.
std::vector<int64_t> unravel(int64_t flat, const Shape& shape) {
  std::vector<int64_t> idx(shape.size());
  for (int d = static_cast<int>(shape.size()) - 1; d >= 0; --d) {
    idx[d] = shape[d] ? flat % shape[d] : 0;
    flat = shape[d] ? flat / shape[d] : 0;
  }
  return idx;
}

int64_t ravel(const std::vector<int64_t>& idx, const Shape& shape) {
  int64_t f = 0;
  for (size_t d = 0; d < shape.size(); ++d) f = f * shape[d] + idx[d];
  return f;
}

// tensordot computed element by element in double (from the logical values of any view).
std::vector<double> ref_tensordot(const NDArray& a, const NDArray& b, const std::vector<int>& axa,
                                  const std::vector<int>& axb, Shape* out_shape) {
  std::vector<int> fa, fb;
  for (int d = 0; d < a.ndim(); ++d)
    if (std::find(axa.begin(), axa.end(), d) == axa.end()) fa.push_back(d);
  for (int d = 0; d < b.ndim(); ++d)
    if (std::find(axb.begin(), axb.end(), d) == axb.end()) fb.push_back(d);
  Shape os, ks;
  for (int d : fa) os.push_back(a.shape(d));
  for (int d : fb) os.push_back(b.shape(d));
  for (int d : axa) ks.push_back(a.shape(d));
  *out_shape = os;
  std::vector<double> out(static_cast<size_t>(shape_size(os)), 0.0);
  for (int64_t o = 0; o < shape_size(os); ++o) {
    auto oi = unravel(o, os);
    double s = 0;
    for (int64_t k = 0; k < shape_size(ks); ++k) {
      auto ki = unravel(k, ks);
      std::vector<int64_t> ia(a.ndim()), ib(b.ndim());
      for (size_t i = 0; i < fa.size(); ++i) ia[fa[i]] = oi[i];
      for (size_t i = 0; i < fb.size(); ++i) ib[fb[i]] = oi[fa.size() + i];
      for (size_t i = 0; i < axa.size(); ++i) {
        ia[axa[i]] = ki[i];
        ib[axb[i]] = ki[i];
      }
      s += a.flat_as_double(ravel(ia, a.shape())) * b.flat_as_double(ravel(ib, b.shape()));
    }
    out[o] = s;
  }
  return out;
}

void expect_values(const NDArray& got, const Shape& shape, const std::vector<double>& want,
                   double tol) {
  ASSERT_EQ(got.shape(), shape);
  ASSERT_EQ(static_cast<size_t>(got.size()), want.size());
  for (int64_t i = 0; i < got.size(); ++i) {
    EXPECT_NEAR(got.flat_as_double(i), want[i], tol * (1 + std::abs(want[i]))) << "at " << i;
  }
}

TEST(Blas, DotAllRankPairsFloat) {
  for (DType dt : {DType::Float32, DType::Float64}) {
    const double tol = dt == DType::Float32 ? 1e-5 : 1e-12;
    const std::vector<std::pair<Shape, Shape>> cases = {
        {{5}, {5}},       {{3, 5}, {5}},    {{5}, {5, 4}},          {{3, 5}, {5, 4}},
        {{1, 5}, {5, 1}}, {{2, 3, 5}, {5}}, {{2, 3, 5}, {4, 5, 2}}, {{5}, {2, 5, 3}}};
    unsigned seed = 1;
    for (const auto& [sa, sb] : cases) {
      Var a = tensor(std::string(dtype_name(dt)), StaticShape(sa.size(), kUnknownDim), "a");
      Var b = tensor(std::string(dtype_name(dt)), StaticShape(sb.size(), kUnknownDim), "b");
      NDArray va = random_array(dt, sa, seed++), vb = random_array(dt, sb, seed++);
      NDArray got = run({a, b}, dot(a, b), {va, vb});
      EXPECT_EQ(got.dtype(), dt);
      Shape os;
      auto want = ref_tensordot(va, vb, {va.ndim() - 1}, {std::max(vb.ndim() - 2, 0)}, &os);
      expect_values(got, os, want, tol);
    }
  }
}

TEST(Blas, DotStaticShapesAndScalars) {
  Var a = tensor("float64", {3, 5}, "a");
  Var b = tensor("float64", {5, kUnknownDim}, "b");
  Var d = dot(a, b);
  EXPECT_EQ(d->type.shape, (StaticShape{3, kUnknownDim}));
  Var s = scalar("s", "float32");
  Var m = dot(s, a);  // a 0-d operand multiplies
  EXPECT_EQ(m->type.shape, (StaticShape{3, 5}));
  NDArray va = random_array(DType::Float64, {3, 5}, 7);
  NDArray got = run({s, a}, m, {NDArray::scalar<float>(2.0f), va});
  std::vector<double> want;
  for (int64_t i = 0; i < 15; ++i) want.push_back(2.0 * va.flat_as_double(i));
  expect_values(got, {3, 5}, want, 1e-12);
}

TEST(Blas, DotNonContiguousOperands) {
  for (DType dt : {DType::Float32, DType::Float64}) {
    const double tol = dt == DType::Float32 ? 1e-5 : 1e-12;
    NDArray base_a = random_array(dt, {6, 8}, 11);
    NDArray base_b = random_array(dt, {8, 10}, 12);
    const int64_t isz = static_cast<int64_t>(itemsize(dt));
    std::vector<std::pair<NDArray, NDArray>> cases;
    // transposed a (8 x 6) with b' (6 x 10) sliced from base_b rows 0..5
    NDArray at = transposed(base_a);
    NDArray b6 = base_b.view(base_b.raw(), {6, 10}, base_b.strides());
    cases.push_back({at, b6});
    // every other column of a (6 x 4) with every other row of b (4 x 10)
    NDArray a_cols = base_a.view(base_a.raw(), {6, 4}, {8 * isz, 2 * isz});
    NDArray b_rows = base_b.view(base_b.raw(), {4, 10}, {20 * isz, isz});
    cases.push_back({a_cols, b_rows});
    // reversed rows (negative stride), and transposed b
    NDArray a_rev = base_a.view(base_a.raw() + 5 * 8 * isz, {6, 8}, {-8 * isz, isz});
    NDArray bt = transposed(base_b.view(base_b.raw(), {8, 8}, base_b.strides()));
    cases.push_back({a_rev, bt});
    // strided vectors: matrix . vector and vector . matrix, and broadcast (0-stride) operand
    NDArray v_step = base_b.view(base_b.raw(), {8}, {10 * isz});
    cases.push_back({base_a, v_step});
    cases.push_back({v_step, at});
    NDArray zero_stride = base_b.view(base_b.raw(), {8, 3}, {0, isz});
    cases.push_back({base_a, zero_stride});
    for (const auto& [va, vb] : cases) {
      Var a = tensor(std::string(dtype_name(dt)), StaticShape(va.ndim(), kUnknownDim), "a");
      Var b = tensor(std::string(dtype_name(dt)), StaticShape(vb.ndim(), kUnknownDim), "b");
      NDArray got = run({a, b}, dot(a, b), {va, vb});
      Shape os;
      auto want = ref_tensordot(va, vb, {va.ndim() - 1}, {std::max(vb.ndim() - 2, 0)}, &os);
      expect_values(got, os, want, tol);
    }
  }
}

TEST(Blas, DotIntegerAndBoolFollowNumPy) {
  // int8 . int8 stays int8 and wraps around.
  NDArray a = NDArray::from_vector<int8_t>({100, 100, -7, 3}, {2, 2});
  NDArray b = NDArray::from_vector<int8_t>({2, 1, 3, 1}, {2, 2});
  Var x = matrix("x", "int8");
  Var y = matrix("y", "int8");
  NDArray got = run({x, y}, dot(x, y), {a, b});
  EXPECT_EQ(got.dtype(), DType::Int8);
  // row 0: 100*2 + 100*3 = 500 -> 500 - 512 = -12; 100*1 + 100*1 = 200 -> -56
  EXPECT_EQ(got.data<int8_t>()[0], static_cast<int8_t>(500 - 512));
  EXPECT_EQ(got.data<int8_t>()[1], static_cast<int8_t>(200 - 256));
  EXPECT_EQ(got.data<int8_t>()[2], static_cast<int8_t>(-7 * 2 + 3 * 3));
  // int32 . float32 -> float64 (NumPy promotion), uint8 . int16 -> int16.
  Var i = matrix("i", "int32");
  Var f = matrix("f", "float32");
  EXPECT_EQ(dot(i, f)->type.dtype, DType::Float64);
  Var u = vector("u", "uint8");
  Var s = vector("s", "int16");
  Var us = dot(u, s);
  EXPECT_EQ(us->type.dtype, DType::Int16);
  NDArray vu = random_array(DType::UInt8, {7}, 3), vs = random_array(DType::Int16, {7}, 4);
  NDArray r = run({u, s}, us, {vu, vs});
  double want = 0;
  for (int k = 0; k < 7; ++k) want += vu.flat_as_double(k) * vs.flat_as_double(k);
  EXPECT_EQ(r.ndim(), 0);
  EXPECT_EQ(r.flat_as_double(0), want);
  // bool . bool -> bool (or of ands)
  Var p = matrix("p", "bool");
  Var q = matrix("q", "bool");
  NDArray vp = NDArray::from_vector<bool>({true, false, false, false}, {2, 2});
  NDArray vq = NDArray::from_vector<bool>({false, true, true, true}, {2, 2});
  NDArray pq = run({p, q}, dot(p, q), {vp, vq});
  EXPECT_EQ(pq.dtype(), DType::Bool);
  EXPECT_EQ(pq.flat_as_double(0), 0.0);
  EXPECT_EQ(pq.flat_as_double(1), 1.0);
  EXPECT_EQ(pq.flat_as_double(2), 0.0);
  EXPECT_EQ(pq.flat_as_double(3), 0.0);
}

TEST(Blas, DotEmptyDimensions) {
  for (DType dt : {DType::Float64, DType::Float32, DType::Int64}) {
    std::string dn(dtype_name(dt));
    Var a = matrix("a", dn);
    Var b = matrix("b", dn);
    NDArray r = run({a, b}, dot(a, b), {NDArray::zeros(dt, {0, 3}), random_array(dt, {3, 4}, 1)});
    EXPECT_EQ(r.shape(), (Shape{0, 4}));
    // inner size 0: a sum of nothing is 0
    r = run({a, b}, dot(a, b), {NDArray::zeros(dt, {2, 0}), NDArray::zeros(dt, {0, 3})});
    expect_values(r, {2, 3}, std::vector<double>(6, 0.0), 0);
    Var v = vector("v", dn);
    r = run({a, v}, dot(a, v), {NDArray::zeros(dt, {4, 0}), NDArray::zeros(dt, {0})});
    expect_values(r, {4}, std::vector<double>(4, 0.0), 0);
    r = run({v, b}, dot(v, b), {NDArray::zeros(dt, {3}), NDArray::zeros(dt, {3, 0})});
    EXPECT_EQ(r.shape(), (Shape{0}));
  }
}

TEST(Blas, DotMismatchedInnerSizes) {
  Var a = tensor("float64", {2, 3}, "a");
  Var b = tensor("float64", {4, 5}, "b");
  expect_error<ValueError>([&] { dot(a, b); }, {"Dot", "(2, 3)", "(4, 5)"});
  Var x = matrix("x");
  Var y = matrix("y");
  auto f = function({x, y}, {dot(x, y)});
  expect_error<ValueError>(
      [&] {
        f->call({NDArray::zeros(DType::Float64, {2, 3}), NDArray::zeros(DType::Float64, {4, 5})});
      },
      {"Dot", "(2, 3)", "(4, 5)"});
}

TEST(Blas, MatmulBatchBroadcasting) {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{2, 1, 3, 4}, {5, 4, 2}}, {{4}, {3, 4, 2}},       {{3, 2, 4}, {4}},   {{4}, {4}},
      {{3, 4}, {4, 2}},          {{1, 3, 4}, {2, 4, 0}}, {{0, 3, 4}, {4, 2}}};
  for (DType dt : {DType::Float64, DType::Float32, DType::Int32}) {
    const double tol = dt == DType::Float32 ? 1e-5 : 1e-12;
    unsigned seed = 5;
    for (const auto& [sa, sb] : cases) {
      std::string dn(dtype_name(dt));
      Var a = tensor(dn, StaticShape(sa.begin(), sa.end()), "a");
      Var b = tensor(dn, StaticShape(sb.size(), kUnknownDim), "b");
      Var m = matmul(a, b);
      NDArray va = random_array(dt, sa, seed++), vb = random_array(dt, sb, seed++);
      NDArray got = run({a, b}, m, {va, vb});
      EXPECT_EQ(got.dtype(), dt);
      // Reference: broadcast batch dims then per-batch 2-d product.
      Shape a2 = sa, b2 = sb;
      if (a2.size() == 1) a2.insert(a2.begin(), 1);
      if (b2.size() == 1) b2.push_back(1);
      Shape batch = broadcast_shapes(
          {Shape(a2.begin(), a2.end() - 2), Shape(b2.begin(), b2.end() - 2)}, "ref");
      const int64_t M = a2[a2.size() - 2], K = a2.back(), N = b2.back();
      std::vector<double> want;
      for (int64_t t = 0; t < shape_size(batch); ++t) {
        auto bi = unravel(t, batch);
        auto at = [&](const NDArray& v, const Shape& s2, int64_t r, int64_t c) {
          std::vector<int64_t> idx;
          const size_t nb = s2.size() - 2;
          for (size_t d = 0; d < nb; ++d) idx.push_back(s2[d] == 1 ? 0 : bi[batch.size() - nb + d]);
          idx.push_back(r);
          idx.push_back(c);
          return v.flat_as_double(ravel(idx, s2));
        };
        for (int64_t i = 0; i < M; ++i)
          for (int64_t j = 0; j < N; ++j) {
            double s = 0;
            for (int64_t k = 0; k < K; ++k) s += at(va, a2, i, k) * at(vb, b2, k, j);
            want.push_back(s);
          }
      }
      Shape os = batch;
      if (sa.size() > 1) os.push_back(M);
      if (sb.size() > 1) os.push_back(N);
      expect_values(got, os, want, tol);
      ASSERT_EQ(m->type.ndim(), static_cast<int>(os.size()));
    }
  }
}

TEST(Blas, MatmulNonContiguousAndErrors) {
  NDArray base = random_array(DType::Float64, {2, 6, 4}, 9);
  // batch of transposed matrices: (2, 4, 6) view
  NDArray at =
      base.view(base.raw(), {2, 4, 6}, {base.strides()[0], base.strides()[2], base.strides()[1]});
  NDArray vb = random_array(DType::Float64, {6, 3}, 10);
  Var a = tensor_nd(3, "a");
  Var b = matrix("b");
  NDArray got = run({a, b}, matmul(a, b), {at, vb});
  Shape os;
  auto want = ref_tensordot(at.copy(), vb, {2}, {0}, &os);
  expect_values(got, os, want, 1e-12);

  Var s = scalar("s");
  EXPECT_THROW(matmul(s, b), ValueError);
  expect_error<ValueError>(
      [&] {
        matmul(tensor("float64", {2, 3}), tensor("float64", {4, 5}));
      },
      {"Matmul", "(2, 3)", "(4, 5)"});
  expect_error<ValueError>(
      [&] {
        matmul(tensor("float64", {2, 3, 4}), tensor("float64", {3, 4, 5}));
      },
      {"Matmul"});
  auto f = function({a, b}, {matmul(a, b)});
  expect_error<ValueError>(
      [&] {
        f->call({at, random_array(DType::Float64, {5, 3}, 1)});
      },
      {"Matmul", "(2, 4, 6)", "(5, 3)"});
}

TEST(Blas, TensordotAxes) {
  NDArray va = random_array(DType::Float64, {3, 4, 5}, 21);
  NDArray vb = random_array(DType::Float64, {4, 5, 2}, 22);
  Var a = tensor_nd(3, "a");
  Var b = tensor_nd(3, "b");
  Shape os;
  // axes=2: last two of a with first two of b
  NDArray got = run({a, b}, tensordot(a, b, 2), {va, vb});
  auto want2 = ref_tensordot(va, vb, {1, 2}, {0, 1}, &os);
  expect_values(got, os, want2, 1e-12);
  // axes=0: outer product
  got = run({a, b}, tensordot(a, b, 0), {va, vb});
  EXPECT_EQ(got.shape(), (Shape{3, 4, 5, 4, 5, 2}));
  // explicit, out-of-order and negative axes, with a non-contiguous b
  NDArray vc = random_array(DType::Float32, {5, 2, 4}, 23);
  NDArray vc_t = vc.view(vc.raw(), {4, 2, 5}, {vc.strides()[2], vc.strides()[1], vc.strides()[0]});
  Var c = tensor_nd(3, "c", "float32");
  Var t = tensordot(a, c, {2, -2}, {2, 0});
  EXPECT_EQ(t->type.dtype, DType::Float64);
  got = run({a, c}, t, {va, vc_t});
  auto want = ref_tensordot(va, vc_t, {2, 1}, {2, 0}, &os);
  expect_values(got, os, want, 1e-6);
  // errors
  EXPECT_THROW(tensordot(a, b, 4), ValueError);
  EXPECT_THROW(tensordot(a, b, {0}, {0, 1}), ValueError);
  EXPECT_THROW(tensordot(a, b, {3}, {0}), ValueError);
  expect_error<ValueError>(
      [&] {
        tensordot(tensor("float64", {3, 4}), tensor("float64", {5, 4}), 1);
      },
      {"Tensordot", "(3, 4)", "(5, 4)"});
  auto f = function({a, b}, {tensordot(a, b, 1)});
  expect_error<ValueError>([&] { f->call({va, va}); }, {"Tensordot", "(3, 4, 5)"});
  // through the builder registry
  Params p;
  p.set("axes_a", std::vector<int64_t>{1, 2});
  p.set("axes_b", std::vector<int64_t>{0, 1});
  Var viab = build("tensordot", {a, b}, p)[0];
  EXPECT_EQ(viab->owner->op()->name(), "Tensordot{axes=((1, 2), (0, 1))}");
}

TEST(Blas, OuterAndBatchedDot) {
  NDArray vx = random_array(DType::Float32, {2, 3}, 31);
  NDArray vy = random_array(DType::Float64, {4}, 32);
  Var x = matrix("x", "float32");
  Var y = vector("y");
  NDArray got = run({x, y}, outer(x, y), {transposed(vx), vy});
  ASSERT_EQ(got.shape(), (Shape{6, 4}));  // inputs are flattened (in C order of the view)
  EXPECT_EQ(got.dtype(), DType::Float64);
  NDArray xt = transposed(vx).copy();
  for (int64_t i = 0; i < 6; ++i)
    for (int64_t j = 0; j < 4; ++j)
      EXPECT_NEAR(got.flat_as_double(i * 4 + j), xt.flat_as_double(i) * vy.flat_as_double(j), 1e-6);

  NDArray va = random_array(DType::Float64, {3, 2, 4}, 33);
  NDArray vb = random_array(DType::Float64, {3, 4, 5}, 34);
  Var a = tensor_nd(3, "a");
  Var b = tensor_nd(3, "b");
  got = run({a, b}, batched_dot(a, b), {va, vb});
  ASSERT_EQ(got.shape(), (Shape{3, 2, 5}));
  for (int64_t t = 0; t < 3; ++t) {
    NDArray sa =
        va.view(va.raw() + t * va.strides()[0], {2, 4}, {va.strides()[1], va.strides()[2]});
    NDArray sb =
        vb.view(vb.raw() + t * vb.strides()[0], {4, 5}, {vb.strides()[1], vb.strides()[2]});
    Shape os;
    auto want = ref_tensordot(sa, sb, {1}, {0}, &os);
    for (int64_t i = 0; i < 10; ++i) EXPECT_NEAR(got.flat_as_double(t * 10 + i), want[i], 1e-12);
  }
  // rows . rows -> one value per batch
  Var m = matrix("m");
  Var n = matrix("n");
  NDArray vm = random_array(DType::Float64, {3, 4}, 35),
          vn = random_array(DType::Float64, {3, 4}, 36);
  got = run({m, n}, batched_dot(m, n), {vm, vn});
  ASSERT_EQ(got.shape(), (Shape{3}));
  for (int64_t t = 0; t < 3; ++t) {
    double s = 0;
    for (int64_t k = 0; k < 4; ++k)
      s += vm.flat_as_double(t * 4 + k) * vn.flat_as_double(t * 4 + k);
    EXPECT_NEAR(got.flat_as_double(t), s, 1e-12);
  }
  expect_error<ValueError>(
      [&] {
        batched_dot(tensor("float64", {3, 4}), tensor("float64", {2, 4}));
      },
      {"BatchedDot", "(3, 4)", "(2, 4)"});
  auto f = function({m, n}, {batched_dot(m, n)});
  expect_error<ValueError>(
      [&] {
        f->call({vm, random_array(DType::Float64, {2, 4}, 1)});
      },
      {"BatchedDot", "(3, 4)", "(2, 4)"});
}

}  // namespace
}  // namespace theon
