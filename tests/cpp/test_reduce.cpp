#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "test_util.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

using namespace test_util;

TEST(Reduce, SumOverEveryAxisForm) {
  Var x = tensor("float64", {kUnknownDim, kUnknownDim, kUnknownDim}, "x");
  NDArray a = iota(DType::Float64, {2, 3, 4});
  // Reference sums computed by direct loops.
  auto ref = [&](bool r0, bool r1, bool r2) {
    std::vector<double> out;
    for (int i = 0; i < (r0 ? 1 : 2); ++i)
      for (int j = 0; j < (r1 ? 1 : 3); ++j)
        for (int k = 0; k < (r2 ? 1 : 4); ++k) {
          double s = 0;
          for (int ii = 0; ii < 2; ++ii)
            for (int jj = 0; jj < 3; ++jj)
              for (int kk = 0; kk < 4; ++kk) {
                if ((r0 || ii == i) && (r1 || jj == j) && (r2 || kk == k))
                  s += ii * 12 + jj * 4 + kk;
              }
          out.push_back(s);
        }
    return out;
  };
  EXPECT_EQ(values(run1(x, sum(x), a)), ref(true, true, true));
  EXPECT_EQ(values(run1(x, sum(x, std::vector<int64_t>{1}), a)), ref(false, true, false));
  EXPECT_EQ(values(run1(x, sum(x, std::vector<int64_t>{-1}), a)), ref(false, false, true));
  EXPECT_EQ(values(run1(x, sum(x, std::vector<int64_t>{0, 2}), a)), ref(true, false, true));
  EXPECT_EQ(values(run1(x, sum(x, std::vector<int64_t>{2, 0}), a)), ref(true, false, true));
  NDArray k = run1(x, sum(x, std::vector<int64_t>{0, 2}, true), a);
  EXPECT_EQ(k.shape(), (Shape{1, 3, 1}));
  EXPECT_EQ(values(k), ref(true, false, true));
  NDArray none = run1(x, sum(x, std::vector<int64_t>{}), a);
  EXPECT_EQ(none.shape(), (Shape{2, 3, 4}));
  EXPECT_EQ(values(none), values(a));
  // Static shapes.
  EXPECT_EQ(sum(x, std::vector<int64_t>{1})->type.shape, (StaticShape{kUnknownDim, kUnknownDim}));
  EXPECT_EQ(sum(x, std::vector<int64_t>{1}, true)->type.shape,
            (StaticShape{kUnknownDim, 1, kUnknownDim}));
}

TEST(Reduce, NonContiguousInputs) {
  Var x = matrix("x", "float64");
  NDArray a = iota(DType::Float64, {2, 3, 4}).reshaped_view({6, 4});
  // Transposed view (4, 6) and a reversed-stride, every-other-row view (3, 4).
  NDArray t = transposed(a);
  NDArray rev = a.view(a.raw() + 5 * 32, {3, 4}, {-64, 8});
  NDArray s0 = run1(x, sum(x, std::vector<int64_t>{0}), t);
  NDArray s1 = run1(x, sum(x, std::vector<int64_t>{1}), t);
  ASSERT_EQ(s0.shape(), (Shape{6}));
  ASSERT_EQ(s1.shape(), (Shape{4}));
  for (int j = 0; j < 6; ++j) {
    double e = 0;
    for (int i = 0; i < 4; ++i) e += j * 4 + i;
    EXPECT_EQ(s0.flat_as_double(j), e);
  }
  for (int i = 0; i < 4; ++i) {
    double e = 0;
    for (int j = 0; j < 6; ++j) e += j * 4 + i;
    EXPECT_EQ(s1.flat_as_double(i), e);
  }
  NDArray r = run1(x, max(x, std::vector<int64_t>{0}), rev);
  EXPECT_EQ(values(r), (std::vector<double>{20, 21, 22, 23}));
  NDArray am = run1(x, argmax(x, std::vector<int64_t>{0}), rev);
  EXPECT_EQ(values(am), (std::vector<double>{0, 0, 0, 0}));
  NDArray ami = run1(x, argmin(x), t);  // flat C-order index in the (4, 6) view
  EXPECT_EQ(ami.flat_as_double(0), 0);
  NDArray amx = run1(x, argmax(x), t);
  EXPECT_EQ(amx.flat_as_double(0), 23);
  // Broadcast (stride 0) input.
  NDArray b = NDArray::from_vector<double>({1, 2, 3}, {3}).broadcast_to({4, 3});
  EXPECT_EQ(values(run1(x, sum(x, std::vector<int64_t>{0}), b)), (std::vector<double>{4, 8, 12}));
}

TEST(Reduce, DTypesFollowNumPy2) {
  struct Case {
    std::string in;
    DType sum, mean;
  };
  for (const Case& c :
       {Case{"bool", DType::Int64, DType::Float64}, Case{"int8", DType::Int64, DType::Float64},
        Case{"int32", DType::Int64, DType::Float64}, Case{"int64", DType::Int64, DType::Float64},
        Case{"uint8", DType::UInt64, DType::Float64}, Case{"uint32", DType::UInt64, DType::Float64},
        Case{"float32", DType::Float32, DType::Float32},
        Case{"float64", DType::Float64, DType::Float64}}) {
    Var x = vector("x", c.in);
    DType in = parse_dtype(c.in);
    EXPECT_EQ(sum(x)->type.dtype, c.sum) << c.in;
    EXPECT_EQ(prod(x)->type.dtype, c.sum) << c.in;
    EXPECT_EQ(cumsum(x)->type.dtype, c.sum) << c.in;
    EXPECT_EQ(cumprod(x)->type.dtype, c.sum) << c.in;
    EXPECT_EQ(mean(x)->type.dtype, c.mean) << c.in;
    EXPECT_EQ(var(x)->type.dtype, c.mean) << c.in;
    EXPECT_EQ(std(x)->type.dtype, c.mean) << c.in;
    EXPECT_EQ(max(x)->type.dtype, in) << c.in;
    EXPECT_EQ(min(x)->type.dtype, in) << c.in;
    EXPECT_EQ(argmax(x)->type.dtype, DType::Int64) << c.in;
    EXPECT_EQ(argmin(x)->type.dtype, DType::Int64) << c.in;
    EXPECT_EQ(any(x)->type.dtype, DType::Bool) << c.in;
    EXPECT_EQ(all(x)->type.dtype, DType::Bool) << c.in;
  }
}

TEST(Reduce, IntegerValuesAndWraparound) {
  Var x = vector("x", "int8");
  NDArray a = NDArray::from_vector<int8_t>({100, 100, 100, -7}, {4});
  NDArray s = run1(x, sum(x), a);
  EXPECT_EQ(s.dtype(), DType::Int64);
  EXPECT_EQ(*s.data<int64_t>(), 293);
  EXPECT_EQ(*run1(x, prod(x), a).data<int64_t>(), -7000000);
  EXPECT_EQ(*run1(x, max(x), a).data<int8_t>(), 100);
  EXPECT_EQ(*run1(x, min(x), a).data<int8_t>(), -7);
  EXPECT_EQ(*run1(x, argmax(x), a).data<int64_t>(), 0);  // first occurrence
  EXPECT_EQ(*run1(x, argmin(x), a).data<int64_t>(), 3);
  Var u = vector("u", "uint8");
  NDArray ua = NDArray::from_vector<uint8_t>({255, 255, 3}, {3});
  NDArray us = run1(u, sum(u), ua);
  EXPECT_EQ(us.dtype(), DType::UInt64);
  EXPECT_EQ(*us.data<uint64_t>(), 513u);
  Var l = vector("l", "int64");
  NDArray big = NDArray::from_vector<int64_t>({std::numeric_limits<int64_t>::max(), 1}, {2});
  EXPECT_EQ(*run1(l, sum(l), big).data<int64_t>(), std::numeric_limits<int64_t>::min());
}

TEST(Reduce, BoolInputs) {
  Var x = matrix("x", "bool");
  NDArray a = NDArray::empty(DType::Bool, {2, 3});
  bool v[6] = {true, false, true, false, false, false};
  for (int i = 0; i < 6; ++i) a.data<bool>()[i] = v[i];
  EXPECT_EQ(values(run1(x, sum(x, std::vector<int64_t>{1}), a)), (std::vector<double>{2, 0}));
  EXPECT_EQ(values(run1(x, any(x, std::vector<int64_t>{1}), a)), (std::vector<double>{1, 0}));
  EXPECT_EQ(values(run1(x, all(x, std::vector<int64_t>{0}), a)), (std::vector<double>{0, 0, 0}));
  EXPECT_EQ(values(run1(x, max(x, std::vector<int64_t>{0}), a)), (std::vector<double>{1, 0, 1}));
  EXPECT_EQ(values(run1(x, argmax(x, std::vector<int64_t>{1}), a)), (std::vector<double>{0, 0}));
  EXPECT_EQ(values(run1(x, mean(x), a)), (std::vector<double>{2.0 / 6}));
}

TEST(Reduce, NaNHandling) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Var x = vector("x", "float64");
  NDArray a = NDArray::from_vector<double>({1, nan, 5, nan}, {4});
  EXPECT_TRUE(std::isnan(run1(x, max(x), a).flat_as_double(0)));
  EXPECT_TRUE(std::isnan(run1(x, min(x), a).flat_as_double(0)));
  EXPECT_EQ(run1(x, argmax(x), a).flat_as_double(0), 1);
  EXPECT_EQ(run1(x, argmin(x), a).flat_as_double(0), 1);
  EXPECT_EQ(run1(x, any(x), NDArray::from_vector<double>({0, nan}, {2})).flat_as_double(0), 1);
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(run1(x, sum(x), NDArray::from_vector<double>({inf, 1, 2}, {3})).flat_as_double(0), inf);
}

TEST(Reduce, EmptyInputs) {
  Var x = matrix("x", "float64");
  NDArray e = NDArray::zeros(DType::Float64, {0, 3});
  NDArray s = run1(x, sum(x, std::vector<int64_t>{0}), e);
  EXPECT_EQ(s.shape(), (Shape{3}));
  EXPECT_EQ(values(s), (std::vector<double>{0, 0, 0}));
  EXPECT_EQ(values(run1(x, prod(x), e)), (std::vector<double>{1}));
  EXPECT_EQ(values(run1(x, any(x), e)), (std::vector<double>{0}));
  EXPECT_EQ(values(run1(x, all(x), e)), (std::vector<double>{1}));
  EXPECT_EQ(run1(x, max(x, std::vector<int64_t>{1}), e).shape(), (Shape{0}));
  EXPECT_EQ(run1(x, argmax(x, std::vector<int64_t>{1}), e).shape(), (Shape{0}));
  NDArray m = run1(x, mean(x), e);
  EXPECT_TRUE(std::isnan(m.flat_as_double(0)));
  NDArray m0 = run1(x, mean(x, std::vector<int64_t>{0}), e);
  EXPECT_EQ(m0.shape(), (Shape{3}));
  EXPECT_TRUE(std::isnan(m0.flat_as_double(2)));
  try {
    run1(x, max(x, std::vector<int64_t>{0}), e);
    FAIL() << "expected ValueError";
  } catch (const ValueError& err) {
    std::string w = err.what();
    EXPECT_NE(w.find("Max"), std::string::npos) << w;
    EXPECT_NE(w.find("zero-size array to reduction operation maximum which has no identity"),
              std::string::npos)
        << w;
  }
  EXPECT_THROW(run1(x, min(x), e), ValueError);
  EXPECT_THROW(run1(x, argmin(x), e), ValueError);
}

// A float sum starts from +0.0, as NumPy's: the sum of -0.0 is +0.0, in every mode (the
// rewrite of a sum over size-1 axes adds +0.0 to the element).
TEST(Reduce, SumOfNegativeZeroIsPositiveZero) {
  for (DType dt : {DType::Float64, DType::Float32}) {
    Var x = tensor(std::string(dtype_name(dt)), {kUnknownDim}, "x");
    Var c = tensor(std::string(dtype_name(dt)), {1}, "c");
    const NDArray zeros = NDArray::from_vector<double>({-0.0, -0.0}, {2}).astype(dt);
    const NDArray zero = NDArray::from_vector<double>({-0.0}, {1}).astype(dt);
    for (const std::string mode : {"FAST_RUN", "FAST_COMPILE"}) {
      FunctionOptions o;
      o.mode.name = mode;
      EXPECT_FALSE(std::signbit(function({x}, {sum(x)}, o)->call({zeros}).at(0).flat_as_double(0)));
      EXPECT_FALSE(std::signbit(function({c}, {sum(c)}, o)->call({zero}).at(0).flat_as_double(0)))
          << mode;
      EXPECT_FALSE(std::signbit(function({c}, {mean(c)}, o)->call({zero}).at(0).flat_as_double(0)))
          << mode;
    }
  }
}

TEST(Reduce, ZeroDimInput) {
  Var x = scalar("x", "float64");
  NDArray a = NDArray::scalar<double>(4.5);
  EXPECT_EQ(run1(x, sum(x), a).flat_as_double(0), 4.5);
  EXPECT_EQ(run1(x, argmax(x), a).flat_as_double(0), 0);
  EXPECT_EQ(run1(x, mean(x), a).flat_as_double(0), 4.5);
  EXPECT_EQ(run1(x, var(x), a).flat_as_double(0), 0);
  NDArray c = run1(x, cumsum(x), a);
  EXPECT_EQ(c.shape(), (Shape{1}));
  EXPECT_THROW(sum(x, std::vector<int64_t>{0}), ValueError);
}

TEST(Reduce, AxisErrorsNameTheOp) {
  Var x = matrix("x", "float64");
  EXPECT_THROW(sum(x, std::vector<int64_t>{2}), ValueError);
  EXPECT_THROW(sum(x, std::vector<int64_t>{-3}), ValueError);
  EXPECT_THROW(sum(x, std::vector<int64_t>{0, -2}), ValueError);
  expect_error<Error>([&] { prod(x, std::vector<int64_t>{5}); }, {"prod: axis 5 is out of bounds"});
  expect_error<Error>([&] { max(x, std::vector<int64_t>{1, 1}); }, {"max: duplicate value"});
  expect_error<Error>([&] { argmin(x, std::vector<int64_t>{2}); }, {"argmin"});
  expect_error<Error>([&] { mean(x, std::vector<int64_t>{2}); }, {"mean"});
  expect_error<Error>([&] { var(x, std::vector<int64_t>{-5}); }, {"var"});
  expect_error<Error>([&] { std(x, std::vector<int64_t>{0, 0}); }, {"std"});
  expect_error<Error>([&] { cumsum(x, 2); }, {"cumsum"});
  expect_error<Error>([&] { cumprod(x, -3); }, {"cumprod"});
  EXPECT_THROW(build("any", {x}, Params({{"axis", std::vector<int64_t>{3}}})), ValueError);
}

TEST(Reduce, MeanVarStd) {
  std::mt19937 rng(3);
  std::normal_distribution<double> dist(2.0, 3.0);
  std::vector<double> v(5 * 7);
  for (double& d : v) d = dist(rng);
  NDArray a = NDArray::from_vector(v, {5, 7});
  Var x = matrix("x", "float64");
  for (int64_t ddof : {0, 1}) {
    NDArray m = run1(x, mean(x, std::vector<int64_t>{0}), a);
    NDArray vr = run1(x, var(x, std::vector<int64_t>{0}, false, ddof), a);
    NDArray sd = run1(x, std(x, std::vector<int64_t>{0}, true, ddof), a);
    EXPECT_EQ(sd.shape(), (Shape{1, 7}));
    for (int j = 0; j < 7; ++j) {
      double s = 0;
      for (int i = 0; i < 5; ++i) s += v[i * 7 + j];
      const double mu = s / 5;
      double q = 0;
      for (int i = 0; i < 5; ++i) q += (v[i * 7 + j] - mu) * (v[i * 7 + j] - mu);
      EXPECT_NEAR(m.flat_as_double(j), mu, 1e-12);
      EXPECT_NEAR(vr.flat_as_double(j), q / (5 - ddof), 1e-12);
      EXPECT_NEAR(sd.flat_as_double(j), std::sqrt(q / (5 - ddof)), 1e-12);
    }
  }
  // ddof beyond the count gives nan (0 / 0), like NumPy.
  NDArray big = run1(x, var(x, std::nullopt, false, 100), NDArray::zeros(DType::Float64, {2, 2}));
  EXPECT_TRUE(std::isnan(big.flat_as_double(0)));
  // Static shape known: the divisor is a constant; unknown: a ReduceCount node. Both agree.
  Var xs = tensor("float64", {5, 7}, "xs");
  EXPECT_NEAR(run1(xs, var(xs, std::nullopt, false, 1), a).flat_as_double(0),
              run1(x, var(x, std::nullopt, false, 1), a).flat_as_double(0), 1e-12);
}

TEST(Reduce, Float32SumIsAccurate) {
  const int n = 100000;
  std::vector<float> v(n);
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(0.0f, 1.0f);
  double ref = 0;
  for (float& f : v) {
    f = dist(rng);
    ref += f;
  }
  Var x = vector("x", "float32");
  NDArray s = run1(x, sum(x), NDArray::from_vector(v, {n}));
  EXPECT_EQ(s.dtype(), DType::Float32);
  EXPECT_NEAR(s.flat_as_double(0), ref, ref * 1e-6);
  NDArray m = run1(x, mean(x), NDArray::from_vector(v, {n}));
  EXPECT_EQ(m.dtype(), DType::Float32);
  EXPECT_NEAR(m.flat_as_double(0), ref / n, ref / n * 1e-6);
}

TEST(Cumulative, AlongAxesAndFlattened) {
  Var x = tensor("int32", {kUnknownDim, kUnknownDim}, "x");
  NDArray a = NDArray::from_vector<int32_t>({1, 2, 3, 4, 5, 6}, {2, 3});
  NDArray c0 = run1(x, cumsum(x, 0), a);
  EXPECT_EQ(c0.dtype(), DType::Int64);
  EXPECT_EQ(values(c0), (std::vector<double>{1, 2, 3, 5, 7, 9}));
  EXPECT_EQ(values(run1(x, cumsum(x, -1), a)), (std::vector<double>{1, 3, 6, 4, 9, 15}));
  NDArray cf = run1(x, cumprod(x), a);
  EXPECT_EQ(cf.shape(), (Shape{6}));
  EXPECT_EQ(values(cf), (std::vector<double>{1, 2, 6, 24, 120, 720}));
  // Transposed input (3, 2): flattening follows the view's C order.
  NDArray t = transposed(a);
  EXPECT_EQ(values(run1(x, cumsum(x), t)), (std::vector<double>{1, 5, 7, 12, 15, 21}));
  EXPECT_EQ(values(run1(x, cumsum(x, 0), t)), (std::vector<double>{1, 4, 3, 9, 6, 15}));
  NDArray e = run1(x, cumsum(x, 1), NDArray::zeros(DType::Int32, {3, 0}));
  EXPECT_EQ(e.shape(), (Shape{3, 0}));
  Var f = vector("f", "float32");
  NDArray cfl = run1(f, cumprod(f), NDArray::from_vector<float>({0.5f, 4.0f, 3.0f}, {3}));
  EXPECT_EQ(cfl.dtype(), DType::Float32);
  EXPECT_EQ(values(cfl), (std::vector<double>{0.5, 2, 6}));
}

TEST(Reduce, BuildersByName) {
  Var x = matrix("x", "float64");
  NDArray a = iota(DType::Float64, {2, 3, 4}).reshaped_view({6, 4});
  Var s = build("sum", {x}, Params({{"axis", int64_t{1}}, {"keepdims", true}}))[0];
  EXPECT_EQ(run1(x, s, a).shape(), (Shape{6, 1}));
  Var v = build("var", {x}, Params({{"axis", std::monostate{}}, {"ddof", int64_t{1}}}))[0];
  EXPECT_NEAR(run1(x, v, a).flat_as_double(0), 50.0, 1e-12);  // var(0..23, ddof=1) = 50
  Var c = build("cumsum", {x}, Params({{"axis", std::monostate{}}}))[0];
  EXPECT_EQ(run1(x, c, a).shape(), (Shape{24}));
  for (const char* name : {"sum", "prod", "max", "min", "argmax", "argmin", "any", "all", "mean",
                           "var", "std", "cumsum", "cumprod"}) {
    EXPECT_TRUE(has_builder(name)) << name;
  }
  EXPECT_EQ(sum(x, std::vector<int64_t>{1})->owner->op()->name(), "Sum{axis=(1,)}");
}

TEST(Reduce, OpsWithEqualPropsAreEqual) {
  Var x = matrix("x", "float64");
  EXPECT_TRUE(sum(x, std::vector<int64_t>{-1})
                  ->owner->op()
                  ->equals(*sum(x, std::vector<int64_t>{1})->owner->op()));
  EXPECT_FALSE(sum(x, std::vector<int64_t>{1})
                   ->owner->op()
                   ->equals(*sum(x, std::vector<int64_t>{1}, true)->owner->op()));
  EXPECT_FALSE(sum(x)->owner->op()->equals(*prod(x)->owner->op()));
  EXPECT_FALSE(argmax(x)->owner->op()->equals(*argmin(x)->owner->op()));
  EXPECT_FALSE(cumsum(x, 0)->owner->op()->equals(*cumprod(x, 0)->owner->op()));
  EXPECT_TRUE(cumsum(x, -1)->owner->op()->equals(*cumsum(x, 1)->owner->op()));
}

}  // namespace
}  // namespace theon
