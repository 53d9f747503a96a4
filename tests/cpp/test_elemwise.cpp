// Elementwise scalar ops through the C++ API: dtypes, values against known results, integer
// corner cases, broadcasting, non-contiguous and empty inputs, errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "test_util.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

using namespace test_util;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kEuler = 0.57721566490153286061;

Var input(DType dt, StaticShape shape, const std::string& name = "x") {
  return tensor(std::string(dtype_name(dt)), std::move(shape), name);
}

void expect_values(const NDArray& a, const std::vector<double>& expected, double tol = 0) {
  ASSERT_EQ(a.size(), static_cast<int64_t>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) {
    const double got = a.flat_as_double(static_cast<int64_t>(i));
    if (std::isnan(expected[i])) {
      EXPECT_TRUE(std::isnan(got)) << "element " << i << ": got " << got;
    } else if (std::isinf(expected[i]) || tol == 0) {
      EXPECT_EQ(got, expected[i]) << "element " << i;
    } else {
      EXPECT_NEAR(got, expected[i], tol * std::max(1.0, std::fabs(expected[i]))) << "element " << i;
    }
  }
}

DType out_dtype(const Var& v) {
  return v->type.dtype;
}

TEST(ElemwiseScalar, OutputDTypesFollowTheRules) {
  Var i8 = input(DType::Int8, {3});
  Var u8 = input(DType::UInt8, {3});
  Var i32 = input(DType::Int32, {3});
  Var i64 = input(DType::Int64, {3});
  Var f32 = input(DType::Float32, {3});
  Var f64 = input(DType::Float64, {3});
  Var b = input(DType::Bool, {3});
  // Float functions: float32 for <= 16-bit ints and bool, float64 beyond (NumPy: float16 for
  // 8-bit ints and bool; a deliberate difference).
  EXPECT_EQ(out_dtype(sqrt(i8)), DType::Float32);
  EXPECT_EQ(out_dtype(sin(b)), DType::Float32);
  EXPECT_EQ(out_dtype(erf(i32)), DType::Float64);
  EXPECT_EQ(out_dtype(psi(f32)), DType::Float32);
  EXPECT_EQ(out_dtype(arctan2(i8, f32)), DType::Float32);
  EXPECT_EQ(out_dtype(reciprocal(i64)), DType::Float64);
  // Dtype-preserving ops.
  EXPECT_EQ(out_dtype(abs(i8)), DType::Int8);
  EXPECT_EQ(out_dtype(sign(i64)), DType::Int64);
  EXPECT_EQ(out_dtype(maximum(u8, i8)), DType::Int16);
  EXPECT_EQ(out_dtype(floor(i32)), DType::Int32);
  EXPECT_EQ(out_dtype(round(u8)), DType::UInt8);
  EXPECT_EQ(out_dtype(trunc(f32)), DType::Float32);
  EXPECT_EQ(out_dtype(mod(i8, i32)), DType::Int32);
  EXPECT_EQ(out_dtype(clip(i8, u8, i8)), DType::Int16);
  // bools compute power/square/floor_divide/mod in int8, like NumPy.
  EXPECT_EQ(out_dtype(pow(b, b)), DType::Int8);
  EXPECT_EQ(out_dtype(sqr(b)), DType::Int8);
  EXPECT_EQ(out_dtype(floor_divide(b, b)), DType::Int8);
  // Comparisons, classification and logic give bool.
  EXPECT_EQ(out_dtype(less(i8, f64)), DType::Bool);
  EXPECT_EQ(out_dtype(isnan(i32)), DType::Bool);
  EXPECT_EQ(out_dtype(logical_and(f32, i8)), DType::Bool);
  EXPECT_EQ(out_dtype(invert(b)), DType::Bool);
  EXPECT_EQ(out_dtype(bitwise_xor(i8, u8)), DType::Int16);
  // where: the promoted dtype of the branches.
  EXPECT_EQ(out_dtype(where(f64, i8, f32)), DType::Float32);
  EXPECT_EQ(out_dtype(switch_(b, i8, u8)), DType::Int16);
}

TEST(ElemwiseScalar, IntegerFloorDivideAndModFollowPython) {
  Var a = input(DType::Int64, {8}, "a");
  Var b = input(DType::Int64, {8}, "b");
  const int64_t lo = std::numeric_limits<int64_t>::min();
  NDArray av = NDArray::from_vector<int64_t>({7, -7, 7, -7, 5, -5, lo, lo}, {8});
  NDArray bv = NDArray::from_vector<int64_t>({2, 2, -2, -2, 0, 0, -1, 3}, {8});
  NDArray q = run({a, b}, floor_divide(a, b), {av, bv});
  EXPECT_EQ(q.dtype(), DType::Int64);
  // Python: 7//2=3, -7//2=-4, 7//-2=-4, -7//-2=3, x//0 -> 0 (NumPy), INT_MIN//-1 wraps.
  const std::vector<int64_t> eq{3, -4, -4, 3, 0, 0, lo, -3074457345618258603};
  for (int i = 0; i < 8; ++i) EXPECT_EQ(q.data<int64_t>()[i], eq[i]) << i;
  NDArray r = run({a, b}, mod(a, b), {av, bv});
  const std::vector<int64_t> er{1, 1, -1, -1, 0, 0, 0, 1};
  for (int i = 0; i < 8; ++i) EXPECT_EQ(r.data<int64_t>()[i], er[i]) << i;

  // int8: INT8_MIN // -1 and promotion-free wraparound.
  Var c = input(DType::Int8, {3}, "c");
  Var d = input(DType::Int8, {3}, "d");
  NDArray cv = NDArray::from_vector<int8_t>({-128, -128, 100}, {3});
  NDArray dv = NDArray::from_vector<int8_t>({-1, 0, -7}, {3});
  expect_values(run({c, d}, floor_divide(c, d), {cv, dv}), {-128, 0, -15});
  expect_values(run({c, d}, mod(c, d), {cv, dv}), {0, 0, -5});

  // Unsigned.
  Var u = input(DType::UInt32, {3}, "u");
  Var v = input(DType::UInt32, {3}, "v");
  NDArray uv = NDArray::from_vector<uint32_t>({7, 4000000000u, 9}, {3});
  NDArray vv = NDArray::from_vector<uint32_t>({0, 3, 4}, {3});
  expect_values(run({u, v}, floor_divide(u, v), {uv, vv}), {0, 1333333333, 2});
  expect_values(run({u, v}, mod(u, v), {uv, vv}), {0, 1, 1});
}

TEST(ElemwiseScalar, FloatFloorDivideAndModFollowPython) {
  Var a = input(DType::Float64, {7}, "a");
  Var b = input(DType::Float64, {7}, "b");
  NDArray av = NDArray::from_vector<double>({7.5, -7.5, 7.5, 1.0, -1.0, 5.0, kInf}, {7});
  NDArray bv = NDArray::from_vector<double>({2.0, 2.0, -2.0, kInf, kInf, 0.0, 2.0}, {7});
  expect_values(run({a, b}, floor_divide(a, b), {av, bv}), {3, -4, -4, 0, -1, kInf, kNaN});
  expect_values(run({a, b}, mod(a, b), {av, bv}), {1.5, 0.5, -0.5, 1, kInf, kNaN, kNaN});
}

TEST(ElemwiseScalar, IntegerPowerAndWraparound) {
  Var a = input(DType::Int32, {5}, "a");
  Var b = input(DType::Int32, {5}, "b");
  NDArray av = NDArray::from_vector<int32_t>({2, -3, 0, 7, 2}, {5});
  NDArray bv = NDArray::from_vector<int32_t>({10, 3, 0, 1, 31}, {5});
  NDArray p = run({a, b}, pow(a, b), {av, bv});
  EXPECT_EQ(p.dtype(), DType::Int32);
  expect_values(p, {1024, -27, 1, 7, static_cast<double>(std::numeric_limits<int32_t>::min())});

  NDArray negexp = NDArray::from_vector<int32_t>({1, 1, 1, -1, 1}, {5});
  try {
    run({a, b}, pow(a, b), {av, negexp});
    FAIL() << "expected ValueError";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("pow"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("negative integer powers"), std::string::npos);
  }

  // abs and neg of the minimum wrap; sqr and mul of uint16 do not overflow int.
  Var x = input(DType::Int8, {3});
  NDArray xv = NDArray::from_vector<int8_t>({-128, -5, 5}, {3});
  expect_values(run({x}, abs(x), {xv}), {-128, 5, 5});
  expect_values(run({x}, neg(x), {xv}), {-128, 5, -5});
  expect_values(run({x}, sign(x), {xv}), {-1, -1, 1});
  Var w = input(DType::UInt16, {2});
  NDArray wv = NDArray::from_vector<uint16_t>({65535, 300}, {2});
  expect_values(run({w}, sqr(w), {wv}), {1, 24464});
}

TEST(ElemwiseScalar, FloatFunctionsMatchKnownValues) {
  Var x = input(DType::Float64, {4});
  NDArray xv = NDArray::from_vector<double>({0.5, 1.0, 2.0, 4.0}, {4});
  expect_values(run({x}, sqrt(x), {xv}), {std::sqrt(0.5), 1, std::sqrt(2.0), 2}, 1e-15);
  expect_values(run({x}, exp2(x), {xv}), {std::sqrt(2.0), 2, 4, 16}, 1e-15);
  expect_values(run({x}, log2(x), {xv}), {-1, 0, 1, 2}, 1e-15);
  expect_values(run({x}, log10(x), {xv}),
                {std::log(0.5) / std::log(10.0), 0, 0.30102999566398120, 0.60205999132796240},
                1e-15);
  expect_values(run({x}, reciprocal(x), {xv}), {2, 1, 0.5, 0.25});
  expect_values(run({x}, gamma(x), {xv}), {1.7724538509055160273, 1, 1, 6}, 1e-14);
  expect_values(run({x}, gammaln(x), {xv}), {0.57236494292470008707, 0, 0, std::log(6.0)}, 1e-14);
  // psi(1) = -gamma, psi(1/2) = -gamma - 2 ln 2, psi(2) = 1 - gamma, psi(4) = 11/6 - gamma.
  expect_values(run({x}, psi(x), {xv}),
                {-kEuler - 2 * std::log(2.0), -kEuler, 1 - kEuler, 11.0 / 6 - kEuler}, 1e-14);
  Var y = input(DType::Float64, {6});
  // psi(-1/2) = 2 - gamma - 2 ln 2; psi(100) by the recurrence from H_99.
  double h99 = 0;
  for (int k = 1; k <= 99; ++k) h99 += 1.0 / k;
  NDArray yv = NDArray::from_vector<double>({-0.5, 100.0, -2.0, 0.0, kInf, kNaN}, {6});
  expect_values(run({y}, psi(y), {yv}),
                {2 - kEuler - 2 * std::log(2.0), h99 - kEuler, kNaN, -kInf, kInf, kNaN}, 1e-13);
}

TEST(ElemwiseScalar, ErfinvInvertsErf) {
  std::vector<double> xs;
  for (double t = -5.5; t <= 5.5; t += 0.37) xs.push_back(t);
  xs.push_back(1e-200);
  xs.push_back(-3e-9);
  const int64_t n = static_cast<int64_t>(xs.size());
  Var x = input(DType::Float64, {n});
  NDArray xv = NDArray::from_vector<double>(xs, {n});
  NDArray got = run({x}, erfinv(erf(x)), {xv});
  for (int64_t i = 0; i < n; ++i) {
    // Near the tails erf rounds to within 1 ulp of 1, which limits any inverse; compare
    // against the erfc-based error propagation bound instead of a fixed tolerance there.
    const double xi = xs[i];
    const double y = std::erf(xi);
    const double slope = 2 / std::sqrt(M_PI) * std::exp(-xi * xi);
    const double tol = std::max(1e-14 * std::fabs(xi), 4e-16 * std::fabs(y) / slope);
    EXPECT_NEAR(got.flat_as_double(i), xi, tol) << "x = " << xi;
  }
  Var e = input(DType::Float64, {6});
  NDArray ev = NDArray::from_vector<double>({1.0, -1.0, 1.5, 0.0, 0.5, kNaN}, {6});
  expect_values(run({e}, erfinv(e), {ev}), {kInf, -kInf, kNaN, 0, 0.47693627620446987338, kNaN},
                1e-15);
  Var f = input(DType::Float32, {2});
  NDArray fv = NDArray::from_vector<float>({0.5f, -0.9f}, {2});
  NDArray fr = run({f}, erfinv(f), {fv});
  EXPECT_EQ(fr.dtype(), DType::Float32);
  expect_values(fr, {0.47693627620446987338, -1.1630871536766740867}, 1e-6);
}

TEST(ElemwiseScalar, RoundingAndNaNPropagation) {
  Var x = input(DType::Float64, {7});
  NDArray xv = NDArray::from_vector<double>({0.5, 1.5, 2.5, -0.5, -2.5, -1.7, kNaN}, {7});
  expect_values(run({x}, round(x), {xv}), {0, 2, 2, -0.0, -2, -2, kNaN});
  expect_values(run({x}, round_half_away_from_zero(x), {xv}), {1, 2, 3, -1, -3, -2, kNaN});
  expect_values(run({x}, floor(x), {xv}), {0, 1, 2, -1, -3, -2, kNaN});
  expect_values(run({x}, ceil(x), {xv}), {1, 2, 3, -0.0, -2, -1, kNaN});
  expect_values(run({x}, trunc(x), {xv}), {0, 1, 2, 0, -2, -1, kNaN});
  expect_values(run({x}, sign(x), {xv}), {1, 1, 1, -1, -1, -1, kNaN});

  Var a = input(DType::Float32, {4}, "a");
  Var b = input(DType::Float32, {4}, "b");
  const float nan = std::numeric_limits<float>::quiet_NaN();
  NDArray av = NDArray::from_vector<float>({1, nan, 3, -1}, {4});
  NDArray bv = NDArray::from_vector<float>({2, 0, nan, -2}, {4});
  expect_values(run({a, b}, maximum(a, b), {av, bv}), {2, kNaN, kNaN, -1});
  expect_values(run({a, b}, minimum(a, b), {av, bv}), {1, kNaN, kNaN, -2});
  expect_values(run({a, b}, less(a, b), {av, bv}), {1, 0, 0, 0});
  expect_values(run({a, b}, not_equal(a, b), {av, bv}), {1, 1, 1, 1});
  expect_values(run({a}, isnan(a), {av}), {0, 1, 0, 0});
  expect_values(run({a}, clip(a, 0.0, 2.0), {av}), {1, kNaN, 2, 0});

  // Integers keep their dtype through rounding.
  Var i = input(DType::Int64, {2});
  NDArray iv = NDArray::from_vector<int64_t>({std::numeric_limits<int64_t>::max(), -3}, {2});
  NDArray fl = run({i}, floor(i), {iv});
  EXPECT_EQ(fl.dtype(), DType::Int64);
  EXPECT_EQ(fl.data<int64_t>()[0], std::numeric_limits<int64_t>::max());
}

TEST(ElemwiseScalar, SignOfZeroIsPositiveZeroAsInNumPy) {
  Var x = input(DType::Float64, {kUnknownDim});
  const NDArray r = run1(x, sign(x), NDArray::from_vector<double>({-0.0, 0.0, kNaN, -3}, {4}));
  EXPECT_FALSE(std::signbit(r.flat_as_double(0)));
  EXPECT_FALSE(std::signbit(r.flat_as_double(1)));
  EXPECT_TRUE(std::isnan(r.flat_as_double(2)));
  EXPECT_EQ(r.flat_as_double(3), -1.0);
}

TEST(ElemwiseScalar, LogicalBitwiseAndWhere) {
  Var a = input(DType::Float64, {4}, "a");
  Var b = input(DType::Int32, {4}, "b");
  NDArray av = NDArray::from_vector<double>({0.0, 0.5, kNaN, -2}, {4});
  NDArray bv = NDArray::from_vector<int32_t>({0, 0, 3, -1}, {4});
  expect_values(run({a, b}, logical_and(a, b), {av, bv}), {0, 0, 1, 1});
  expect_values(run({a, b}, logical_or(a, b), {av, bv}), {0, 1, 1, 1});
  expect_values(run({a, b}, logical_xor(a, b), {av, bv}), {0, 1, 0, 0});
  expect_values(run({a}, logical_not(a), {av}), {1, 0, 0, 0});
  // A float condition of 0.5 is true even when the branches are integers.
  Var c = input(DType::Int8, {4}, "c");
  NDArray cv = NDArray::from_vector<int8_t>({10, 20, 30, 40}, {4});
  NDArray w = run({a, b, c}, where(a, b, c), {av, bv, cv});
  EXPECT_EQ(w.dtype(), DType::Int32);
  expect_values(w, {10, 0, 3, -1});

  Var u = input(DType::UInt8, {3}, "u");
  Var v = input(DType::UInt8, {3}, "v");
  NDArray uv = NDArray::from_vector<uint8_t>({0xF0, 0x0F, 0xFF}, {3});
  NDArray vv = NDArray::from_vector<uint8_t>({0x3C, 0x3C, 0x01}, {3});
  expect_values(run({u, v}, bitwise_and(u, v), {uv, vv}), {0x30, 0x0C, 0x01});
  expect_values(run({u, v}, bitwise_or(u, v), {uv, vv}), {0xFC, 0x3F, 0xFF});
  expect_values(run({u, v}, bitwise_xor(u, v), {uv, vv}), {0xCC, 0x33, 0xFE});
  expect_values(run({u}, invert(u), {uv}), {0x0F, 0xF0, 0x00});
  Var t = input(DType::Bool, {2});
  NDArray tv = NDArray::from_vector<bool>({true, false}, {2});
  NDArray inv = run({t}, invert(t), {tv});
  EXPECT_EQ(inv.dtype(), DType::Bool);
  expect_values(inv, {0, 1});
}

TEST(ElemwiseScalar, BroadcastNonContiguousAndEmpty) {
  // (3,1) against (4,).
  Var a = input(DType::Float64, {3, 1}, "a");
  Var b = input(DType::Float64, {4}, "b");
  NDArray av = NDArray::from_vector<double>({1, 2, 3}, {3, 1});
  NDArray bv = NDArray::from_vector<double>({-1, 0, 2, 5}, {4});
  NDArray m = run({a, b}, arctan2(a, b), {av, bv});
  ASSERT_EQ(m.shape(), (Shape{3, 4}));
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 4; ++j) {
      EXPECT_DOUBLE_EQ(m.flat_as_double(i * 4 + j),
                       std::atan2(av.flat_as_double(i), bv.flat_as_double(j)));
    }
  }
  // A transposed view and a reversed (negative-stride) view.
  Var x = input(DType::Int32, {kUnknownDim, kUnknownDim}, "x");
  NDArray base = NDArray::from_vector<int32_t>({-7, -3, 0, 4, 9, 12}, {2, 3});
  NDArray tr = transposed(base);
  NDArray q = run({x}, floor_divide(x, scalar_constant(int64_t{2}, DType::Int32)), {tr});
  expect_values(q, {-4, 2, -2, 4, 0, 6});
  Var y = input(DType::Int32, {kUnknownDim}, "y");
  NDArray rev = base.view(base.raw() + 5 * 4, {6}, {-4});
  expect_values(run({y}, mod(y, scalar_constant(int64_t{5}, DType::Int32)), {rev}),
                {2, 4, 4, 0, 2, 3});
  // Empty.
  Var e = input(DType::Float32, {kUnknownDim, 3}, "e");
  NDArray ev = NDArray::zeros(DType::Float32, {0, 3});
  NDArray r = run({e}, psi(e), {ev});
  EXPECT_EQ(r.shape(), (Shape{0, 3}));
  EXPECT_EQ(r.dtype(), DType::Float32);
  NDArray r2 = run({e}, less(e, 1.0), {ev});
  EXPECT_EQ(r2.shape(), (Shape{0, 3}));
  EXPECT_EQ(r2.dtype(), DType::Bool);
}

TEST(ElemwiseScalar, ErrorsNameTheOp) {
  Var f = input(DType::Float64, {3});
  Var b = input(DType::Bool, {3});
  auto expect_type_error = [](auto make, const std::string& op) {
    try {
      make();
      FAIL() << "expected TypeError for " << op;
    } catch (const TypeError& e) {
      EXPECT_NE(std::string(e.what()).find(op), std::string::npos) << e.what();
    }
  };
  expect_type_error([&] { return bitwise_and(f, f); }, "bitwise_and");
  expect_type_error([&] { return invert(f); }, "invert");
  expect_type_error([&] { return sign(b); }, "sign");
  expect_type_error([&] { return neg(b); }, "neg");
  // Shape mismatch found when building.
  Var a3 = input(DType::Float64, {3});
  Var a4 = input(DType::Float64, {4});
  EXPECT_THROW(maximum(a3, a4), ValueError);
}

TEST(ElemwiseScalar, BuildersByName) {
  Var c = input(DType::Float64, {3}, "c");
  Var a = input(DType::Int8, {3}, "a");
  Var b = input(DType::Int8, {3}, "b");
  for (const char* name : {"switch", "where"}) {
    Var w = build(name, {c, a, b}, Params{})[0];
    EXPECT_EQ(w->type.dtype, DType::Int8);
    NDArray r = run({c, a, b}, w,
                    {NDArray::from_vector<double>({0.25, 0, -1}, {3}),
                     NDArray::from_vector<int8_t>({1, 2, 3}, {3}),
                     NDArray::from_vector<int8_t>({7, 8, 9}, {3})});
    expect_values(r, {1, 8, 3});
  }
  Var t = input(DType::Bool, {3}, "t");
  EXPECT_EQ(build("pow", {t, t}, Params{})[0]->type.dtype, DType::Int8);
  EXPECT_EQ(build("mod", {t, t}, Params{})[0]->type.dtype, DType::Int8);
  EXPECT_EQ(build("sqr", {t}, Params{})[0]->type.dtype, DType::Int8);
  EXPECT_EQ(build("erfinv", {a}, Params{})[0]->type.dtype, DType::Float32);
  EXPECT_EQ(build("clip", {a, b, a}, Params{})[0]->type.dtype, DType::Int8);
  EXPECT_EQ(build("greater_equal", {a, c}, Params{})[0]->type.dtype, DType::Bool);
  EXPECT_THROW(build("clip", {a, b}, Params{}), TypeError);
}

}  // namespace
}  // namespace theon
