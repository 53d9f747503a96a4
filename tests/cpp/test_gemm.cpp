// Gemm, Gemv and Ger against plain double loops: values for both dtypes and every trans flag,
// strided and transposed operands, broadcasting accumulators, empty dimensions, the inplace
// variants, errors, symbolic shapes and gradients; and the batched products making one BLAS
// call per batch element without copies.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "test_util.hpp"
#include "theon/ops/gemm.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

using namespace test_util;

NDArray rnd(DType dt, const Shape& shape, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(-2.0, 2.0);
  NDArray d = NDArray::empty(DType::Float64, shape);
  for (int64_t i = 0; i < d.size(); ++i) d.data<double>()[i] = u(gen);
  return d.astype(dt);
}

// Element (i, j) of a 2-d view (or element i of a 1-d one, j ignored), broadcasting size-1
// dimensions to any index.
double at(const NDArray& a, int64_t i, int64_t j = 0) {
  const int nd = a.ndim();
  const int64_t ii = nd == 2 ? (a.shape(0) == 1 ? 0 : i) : (a.shape(0) == 1 ? 0 : i);
  const int64_t jj = nd == 2 ? (a.shape(1) == 1 ? 0 : j) : 0;
  const char* p = a.raw() + ii * a.strides()[0] + (nd == 2 ? jj * a.strides()[1] : 0);
  if (a.dtype() == DType::Float32) return *reinterpret_cast<const float*>(p);
  return *reinterpret_cast<const double*>(p);
}

NDArray scalar_of(DType dt, double v) {
  return dt == DType::Float32 ? NDArray::scalar<float>(static_cast<float>(v))
                              : NDArray::scalar<double>(v);
}

double tol(DType dt) {
  return dt == DType::Float32 ? 1e-4 : 1e-12;
}

NDArray run_op(const Op& op, const std::vector<NDArray>& in) {
  std::vector<NDArray> out(1);
  op.perform(in, out);
  return out[0];
}

// alpha * op(x) @ op(y) + beta * z, z broadcast, in double.
void expect_gemm(const NDArray& out, const NDArray& z, double alpha, const NDArray& x,
                 const NDArray& y, double beta, bool tx, bool ty) {
  const int64_t m = tx ? x.shape(1) : x.shape(0), k = tx ? x.shape(0) : x.shape(1);
  const int64_t n = ty ? y.shape(0) : y.shape(1);
  ASSERT_EQ(out.shape(), (Shape{std::max(m, z.shape(0)), std::max(n, z.shape(1))}));
  for (int64_t i = 0; i < out.shape(0); ++i) {
    for (int64_t j = 0; j < out.shape(1); ++j) {
      double s = 0;
      const int64_t pi = m == 1 ? 0 : i, pj = n == 1 ? 0 : j;
      for (int64_t l = 0; l < k; ++l)
        s += (tx ? at(x, l, pi) : at(x, pi, l)) * (ty ? at(y, pj, l) : at(y, l, pj));
      const double want = alpha * s + (beta != 0 ? beta * at(z, i, j) : 0.0);
      EXPECT_NEAR(at(out, i, j), want, tol(out.dtype()) * (1 + std::abs(want))) << i << "," << j;
    }
  }
}

class GemmDtypes : public ::testing::TestWithParam<DType> {};

TEST_P(GemmDtypes, GemmEveryTransFlag) {
  const DType dt = GetParam();
  for (int flags = 0; flags < 4; ++flags) {
    const bool tx = flags & 1, ty = flags & 2;
    const NDArray x = rnd(dt, tx ? Shape{4, 3} : Shape{3, 4}, 1 + flags);
    const NDArray y = rnd(dt, ty ? Shape{5, 4} : Shape{4, 5}, 11 + flags);
    const NDArray z = rnd(dt, {3, 5}, 21);
    Gemm op(tx, ty, false);
    const NDArray out = run_op(op, {z, scalar_of(dt, 1.5), x, y, scalar_of(dt, -0.5)});
    expect_gemm(out, z, 1.5, x, y, -0.5, tx, ty);
    EXPECT_FALSE(out.shares_buffer_with(z));
  }
}

TEST_P(GemmDtypes, GemmStridedAndTransposedViews) {
  const DType dt = GetParam();
  const int64_t isz = static_cast<int64_t>(itemsize(dt));
  // x: every other column of a (3, 8) array (inner stride 2: no BLAS layout, copied);
  // y: a transposed view (a BLAS trans flag); z: a transposed, non-contiguous view.
  const NDArray xb = rnd(dt, {3, 8}, 2);
  const NDArray x = xb.view(xb.raw(), {3, 4}, {8 * isz, 2 * isz});
  const NDArray y = transposed(rnd(dt, {5, 4}, 3));
  const NDArray z = transposed(rnd(dt, {5, 3}, 4));
  for (bool inplace : {false, true}) {
    Gemm op(false, false, inplace);
    const NDArray out = run_op(op, {z, scalar_of(dt, 2.0), x, y, scalar_of(dt, 1.0)});
    expect_gemm(out, z, 2.0, x, y, 1.0, false, false);
    // A non-contiguous accumulator is never written, even by the inplace variant.
    EXPECT_FALSE(out.shares_buffer_with(z));
  }
  // trans_x on a transposed view: the flags cancel into a plain row-major read.
  const NDArray xt = transposed(rnd(dt, {3, 4}, 5));
  const NDArray z2 = rnd(dt, {3, 5}, 6);
  const NDArray out =
      run_op(Gemm(true, false, false), {z2, scalar_of(dt, 1.0), xt, y, scalar_of(dt, 0.25)});
  expect_gemm(out, z2, 1.0, xt, y, 0.25, true, false);
}

TEST_P(GemmDtypes, GemmBroadcastAccumulatorAndProduct) {
  const DType dt = GetParam();
  const NDArray x = rnd(dt, {3, 4}, 7), y = rnd(dt, {4, 5}, 8);
  const NDArray bias = rnd(dt, {1, 5}, 9);
  Gemm op(false, false, true);  // inplace cannot use a (1, 5) accumulator: fresh output
  const NDArray out = run_op(op, {bias, scalar_of(dt, 1.0), x, y, scalar_of(dt, 1.0)});
  expect_gemm(out, bias, 1.0, x, y, 1.0, false, false);
  // A one-row product against a (3, 5) accumulator: the product broadcasts.
  const NDArray x1 = rnd(dt, {1, 4}, 10), z = rnd(dt, {3, 5}, 11);
  const NDArray out2 = run_op(op, {z, scalar_of(dt, -1.0), x1, y, scalar_of(dt, 2.0)});
  expect_gemm(out2, z, -1.0, x1, y, 2.0, false, false);
}

TEST_P(GemmDtypes, GemmInplaceWritesIntoTheAccumulator) {
  const DType dt = GetParam();
  const NDArray x = rnd(dt, {3, 4}, 1), y = rnd(dt, {4, 5}, 2);
  const NDArray z = rnd(dt, {3, 5}, 3);
  const NDArray z_before = z.copy();
  const NDArray out =
      run_op(Gemm(false, false, true), {z, scalar_of(dt, 1.0), x, y, scalar_of(dt, 3.0)});
  EXPECT_TRUE(out.shares_buffer_with(z));
  expect_gemm(out, z_before, 1.0, x, y, 3.0, false, false);
}

TEST_P(GemmDtypes, GemmEmptyDimensions) {
  const DType dt = GetParam();
  // k = 0: the product is zero, out = beta * z.
  const NDArray z = rnd(dt, {3, 5}, 1);
  const NDArray out =
      run_op(Gemm(false, false, false), {z, scalar_of(dt, 2.0), NDArray::zeros(dt, {3, 0}),
                                         NDArray::zeros(dt, {0, 5}), scalar_of(dt, -2.0)});
  for (int64_t i = 0; i < 15; ++i) EXPECT_EQ(out.flat_as_double(i), -2.0 * z.flat_as_double(i));
  // m = 0.
  const NDArray e = run_op(Gemm(false, false, false),
                           {NDArray::zeros(dt, {0, 5}), scalar_of(dt, 1.0),
                            NDArray::zeros(dt, {0, 4}), rnd(dt, {4, 5}, 2), scalar_of(dt, 1.0)});
  EXPECT_EQ(e.shape(), (Shape{0, 5}));
}

TEST_P(GemmDtypes, BetaZeroDoesNotReadTheAccumulator) {
  const DType dt = GetParam();
  NDArray z = NDArray::zeros(dt, {2, 2});
  for (int64_t i = 0; i < 4; ++i) {
    if (dt == DType::Float32)
      z.data<float>()[i] = std::numeric_limits<float>::quiet_NaN();
    else
      z.data<double>()[i] = std::numeric_limits<double>::quiet_NaN();
  }
  const NDArray x = rnd(dt, {2, 3}, 1), y = rnd(dt, {3, 2}, 2);
  const NDArray out =
      run_op(Gemm(false, false, false), {z, scalar_of(dt, 1.0), x, y, scalar_of(dt, 0.0)});
  for (int64_t i = 0; i < 4; ++i) EXPECT_FALSE(std::isnan(out.flat_as_double(i)));
}

TEST_P(GemmDtypes, GemvValuesFlagsAndStrides) {
  const DType dt = GetParam();
  const int64_t isz = static_cast<int64_t>(itemsize(dt));
  const NDArray xb = rnd(dt, {8}, 1);
  const NDArray x = xb.view(xb.raw(), {4}, {2 * isz});  // stride 2: a BLAS increment
  const NDArray y = rnd(dt, {3}, 2);
  for (bool trans : {false, true}) {
    for (bool a_view : {false, true}) {
      // op(A) is always (3, 4); A is stored plainly or as a transposed view.
      const Shape stored = trans ? Shape{4, 3} : Shape{3, 4};
      const NDArray a =
          a_view ? transposed(rnd(dt, {stored[1], stored[0]}, 3)) : rnd(dt, stored, 3);
      const NDArray out =
          run_op(Gemv(trans, false), {y, scalar_of(dt, 0.5), a, x, scalar_of(dt, -1.0)});
      ASSERT_EQ(out.shape(), (Shape{3}));
      for (int64_t i = 0; i < 3; ++i) {
        double s = 0;
        for (int64_t l = 0; l < 4; ++l) s += (trans ? at(a, l, i) : at(a, i, l)) * at(x, l);
        EXPECT_NEAR(out.flat_as_double(i), 0.5 * s - at(y, i), tol(dt) * 10);
      }
    }
  }
  // k = 0 and the inplace variant.
  const NDArray y2 = rnd(dt, {3}, 4);
  const NDArray e = run_op(Gemv(false, true), {y2, scalar_of(dt, 1.0), NDArray::zeros(dt, {3, 0}),
                                               NDArray::zeros(dt, {0}), scalar_of(dt, 2.0)});
  EXPECT_TRUE(e.shares_buffer_with(y2));
  EXPECT_EQ(e.flat_as_double(1), y2.flat_as_double(1));
}

TEST_P(GemmDtypes, GerValuesStridesAndInplace) {
  const DType dt = GetParam();
  const int64_t isz = static_cast<int64_t>(itemsize(dt));
  const NDArray xb = rnd(dt, {6}, 1);
  const NDArray x = xb.view(xb.raw() + 5 * isz, {3}, {-2 * isz});  // negative stride: copied
  const NDArray y = rnd(dt, {4}, 2);
  const NDArray a = rnd(dt, {3, 4}, 3);
  const NDArray a_before = a.copy();
  for (bool inplace : {false, true}) {
    const NDArray out = run_op(Ger(inplace), {a, scalar_of(dt, -1.5), x, y});
    EXPECT_EQ(out.shares_buffer_with(a), inplace);
    for (int64_t i = 0; i < 3; ++i) {
      for (int64_t j = 0; j < 4; ++j) {
        EXPECT_NEAR(at(out, i, j), at(a_before, i, j) - 1.5 * at(x, i) * at(y, j), tol(dt) * 10);
      }
    }
  }
  // A broadcast row and an empty update.
  const NDArray row = rnd(dt, {1, 4}, 4);
  const NDArray out = run_op(Ger(false), {row, scalar_of(dt, 1.0), x, y});
  EXPECT_NEAR(at(out, 2, 3), at(row, 0, 3) + at(x, 2) * at(y, 3), tol(dt) * 10);
  const NDArray e = run_op(
      Ger(false), {NDArray::zeros(dt, {0, 4}), scalar_of(dt, 1.0), NDArray::zeros(dt, {0}), y});
  EXPECT_EQ(e.shape(), (Shape{0, 4}));
}

INSTANTIATE_TEST_SUITE_P(Floats, GemmDtypes, ::testing::Values(DType::Float32, DType::Float64));

TEST(GemmOps, ErrorsNameTheOpAndTheTypes) {
  const Var z = matrix("z"), x = matrix("x"), y = matrix("y"), a = scalar("a"), b = scalar("b");
  expect_error<TypeError>([&] { gemm(z, a, x, vector("v"), b); }, {"Gemm", "Y", "matrix"});
  expect_error<TypeError>([&] { gemm(z, a, x, y, vector("v")); }, {"Gemm", "beta", "0-d"});
  expect_error<TypeError>(
      [&] {
        gemm(matrix("zi", "int32"), scalar("ai", "int32"), matrix("xi", "int32"),
             matrix("yi", "int32"), scalar("bi", "int32"));
      },
      {"Gemm", "float32 or float64", "int32"});
  expect_error<TypeError>([&] { gemm(z, a, x, matrix("y32", "float32"), b); },
                          {"Gemm", "float64", "Y", "float32"});
  const Var x34 = specify_shape(x, std::vector<int64_t>{3, 4});
  const Var y54 = specify_shape(y, std::vector<int64_t>{5, 4});
  expect_error<ValueError>([&] { gemm(z, a, x34, y54, b); }, {"Gemm", "not aligned"});
  EXPECT_NO_THROW(gemm(z, a, x34, y54, b, false, true));
  expect_error<TypeError>([&] { gemv(vector("y"), a, x, matrix("m"), b); },
                          {"Gemv", "x", "vector"});
  expect_error<TypeError>([&] { ger(z, a, x, vector("v")); }, {"Ger", "x", "vector"});
  // Run-time shape mismatch.
  Gemm op(false, false, false);
  expect_error<ValueError>(
      [&] {
        run_op(op, {NDArray::zeros(DType::Float64, {2, 2}), NDArray::scalar<double>(1),
                    NDArray::zeros(DType::Float64, {2, 3}), NDArray::zeros(DType::Float64, {2, 2}),
                    NDArray::scalar<double>(1)});
      },
      {"Gemm", "not aligned", "(2, 3)"});
}

TEST(GemmOps, NamesPropsAndPprint) {
  EXPECT_EQ(Gemm(true, false, true).name(), "Gemm{trans_x,inplace}");
  EXPECT_EQ(Gemm(false, false, false).name(), "Gemm");
  EXPECT_EQ(Gemv(true, false).name(), "Gemv{trans_a}");
  EXPECT_EQ(Ger(true).name(), "Ger{inplace}");
  EXPECT_EQ(Gemm(false, true, false).destroy_map().size(), 0u);
  EXPECT_EQ(Gemm(false, true, true).destroy_map(), (std::vector<std::pair<int, int>>{{0, 0}}));
  const Var z = matrix("z"), x = matrix("x"), y = matrix("y"), a = scalar("a"), b = scalar("b");
  EXPECT_EQ(pprint(gemm(z, a, x, y, b, false, true)), "(a * dot(x, y.T) + b * z)");
  EXPECT_EQ(pprint(ger(z, a, vector("u"), vector("v"))), "(z + a * outer(u, v))");
}

TEST(GemmOps, InferShapeMatchesTheRunTimeShape) {
  const Var z = matrix("z"), x = matrix("x"), y = matrix("y"), a = scalar("a"), b = scalar("b");
  const Var out = gemm(z, a, x, y, b, true, false);
  FunctionOptions fast_run;
  fast_run.mode.name = "FAST_RUN";
  auto f = function({z, a, x, y, b}, {shape(out)}, fast_run);
  const auto r = f->call({NDArray::zeros(DType::Float64, {1, 5}), NDArray::scalar<double>(1),
                          NDArray::zeros(DType::Float64, {4, 3}),
                          NDArray::zeros(DType::Float64, {4, 5}), NDArray::scalar<double>(1)});
  EXPECT_EQ(values(r[0]), (std::vector<double>{3, 5}));
  // Computed from the shapes: the product is never run.
  for (Apply* n : f->graph().nodes()) EXPECT_NE(n->op()->type_name(), "Gemm");
  const Var u = vector("u"), v = vector("v");
  auto g = function({u, v, z, a}, {shape(ger(z, a, u, v))}, fast_run);
  const auto r2 = g->call({NDArray::zeros(DType::Float64, {2}), NDArray::zeros(DType::Float64, {6}),
                           NDArray::zeros(DType::Float64, {2, 6}), NDArray::scalar<double>(1)});
  EXPECT_EQ(values(r2[0]), (std::vector<double>{2, 6}));
}

TEST(GemmOps, Gradients) {
  for (int flags = 0; flags < 4; ++flags) {
    const bool tx = flags & 1, ty = flags & 2;
    EXPECT_NO_THROW(verify_grad(
        [&](const std::vector<Var>& in) { return gemm(in[0], in[1], in[2], in[3], in[4], tx, ty); },
        {rnd(DType::Float64, {3, 5}, 1), NDArray::scalar<double>(1.3),
         rnd(DType::Float64, tx ? Shape{4, 3} : Shape{3, 4}, 2),
         rnd(DType::Float64, ty ? Shape{5, 4} : Shape{4, 5}, 3), NDArray::scalar<double>(-0.7)}));
  }
  // A broadcast accumulator (bias row).
  EXPECT_NO_THROW(verify_grad(
      [](const std::vector<Var>& in) { return gemm(in[0], in[1], in[2], in[3], in[4]); },
      {rnd(DType::Float64, {1, 5}, 4), NDArray::scalar<double>(0.5), rnd(DType::Float64, {3, 4}, 5),
       rnd(DType::Float64, {4, 5}, 6), NDArray::scalar<double>(2.0)}));
  for (bool trans : {false, true}) {
    EXPECT_NO_THROW(verify_grad(
        [&](const std::vector<Var>& in) { return gemv(in[0], in[1], in[2], in[3], in[4], trans); },
        {rnd(DType::Float64, {3}, 7), NDArray::scalar<double>(1.1),
         rnd(DType::Float64, trans ? Shape{4, 3} : Shape{3, 4}, 8), rnd(DType::Float64, {4}, 9),
         NDArray::scalar<double>(0.3)}));
  }
  EXPECT_NO_THROW(
      verify_grad([](const std::vector<Var>& in) { return ger(in[0], in[1], in[2], in[3]); },
                  {rnd(DType::Float64, {3, 4}, 10), NDArray::scalar<double>(-0.8),
                   rnd(DType::Float64, {3}, 11), rnd(DType::Float64, {4}, 12)}));
  EXPECT_NO_THROW(verify_grad(
      [](const std::vector<Var>& in) { return gemm(in[0], in[1], in[2], in[3], in[4]); },
      {rnd(DType::Float32, {3, 5}, 13), NDArray::scalar<float>(1.5f),
       rnd(DType::Float32, {3, 4}, 14), rnd(DType::Float32, {4, 5}, 15),
       NDArray::scalar<float>(0.5f)}));
}

// Counts the buffers allocated while it is installed.
class CountingAllocator : public BufferAllocator {
 public:
  std::shared_ptr<void> allocate(size_t bytes) override {
    ++count;
    return allocate_buffer_fresh(bytes);
  }
  int count = 0;
};

TEST(GemmOps, BatchedProductsCopyNoBatchElement) {
  // (B, m, k) stored as (B, k, m) and swapped: every batch element is a transposed matrix,
  // which BLAS reads through its trans flag; the only allocation is the output.
  const NDArray st = rnd(DType::Float64, {6, 4, 3}, 1);
  const NDArray a =
      st.view(st.raw(), {6, 3, 4}, {st.strides()[0], st.strides()[2], st.strides()[1]});
  const NDArray b = rnd(DType::Float64, {6, 4, 5}, 2);
  for (int which = 0; which < 2; ++which) {
    CountingAllocator counter;
    std::vector<NDArray> out(1);
    {
      AllocatorScope scope(&counter);
      if (which == 0)
        Matmul().perform({a, b}, out);
      else
        BatchedDot().perform({a, b}, out);
    }
    EXPECT_EQ(counter.count, 1) << (which ? "BatchedDot" : "Matmul");
    for (int64_t t = 0; t < 6; ++t) {
      for (int64_t i = 0; i < 3; ++i) {
        for (int64_t j = 0; j < 5; ++j) {
          double s = 0;
          for (int64_t l = 0; l < 4; ++l) {
            s += *reinterpret_cast<const double*>(a.raw() + t * a.strides()[0] +
                                                  i * a.strides()[1] + l * a.strides()[2]) *
                 *reinterpret_cast<const double*>(b.raw() + t * b.strides()[0] +
                                                  l * b.strides()[1] + j * b.strides()[2]);
          }
          EXPECT_NEAR(out[0].flat_as_double((t * 3 + i) * 5 + j), s, 1e-12);
        }
      }
    }
  }
}

}  // namespace
}  // namespace theon
