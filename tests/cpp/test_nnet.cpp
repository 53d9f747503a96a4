// nnet functions against float64 formulas, including extreme inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "test_util.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

using namespace test_util;

const std::vector<double> kExtreme = {-1000.0, -745.0, -100.0, -30.0, -1.5,  -1e-9, 0.0,
                                      1e-9,    0.5,    2.0,    30.0,  100.0, 1000.0};

// Reference values computed in long double from the defining formulas.
double ref_sigmoid(double x) {
  long double e = std::exp(-static_cast<long double>(x));
  return static_cast<double>(1.0L / (1.0L + e));
}
double ref_softplus(double x) {
  return static_cast<double>(std::log1p(std::exp(static_cast<long double>(x))));
}

void expect_close(double got, double want, double rtol, const std::string& what) {
  if (std::isnan(want)) {
    EXPECT_TRUE(std::isnan(got)) << what;
    return;
  }
  EXPECT_FALSE(std::isnan(got)) << what;
  EXPECT_NEAR(got, want, rtol * std::abs(want) + 1e-300) << what;
}

TEST(Nnet, SigmoidSoftplusExtremes) {
  for (DType dt : {DType::Float64, DType::Float32}) {
    const double rtol = dt == DType::Float32 ? 2e-6 : 1e-14;
    Var x = vector("x", std::string(dtype_name(dt)));
    NDArray in =
        NDArray::from_vector<double>(kExtreme, {static_cast<int64_t>(kExtreme.size())}).astype(dt);
    NDArray s = run1(x, sigmoid(x), in);
    NDArray p = run1(x, softplus(x), in);
    EXPECT_EQ(s.dtype(), dt);
    EXPECT_EQ(p.dtype(), dt);
    for (int64_t i = 0; i < in.size(); ++i) {
      const double v = in.flat_as_double(i);
      double ws = ref_sigmoid(v), wp = ref_softplus(v);
      if (dt == DType::Float32) {  // what float32 can hold (denormals flush to 0 here)
        ws = static_cast<float>(ws);
        wp = static_cast<float>(wp);
      }
      expect_close(s.flat_as_double(i), ws, rtol, "sigmoid(" + std::to_string(v) + ")");
      expect_close(p.flat_as_double(i), wp, rtol, "softplus(" + std::to_string(v) + ")");
    }
  }
  // the brief's fixed points
  Var x = vector("x");
  NDArray in = NDArray::from_vector<double>({-1000.0, 1000.0}, {2});
  NDArray s = run1(x, sigmoid(x), in);
  EXPECT_EQ(s.flat_as_double(0), 0.0);
  EXPECT_EQ(s.flat_as_double(1), 1.0);
  NDArray p = run1(x, softplus(x), in);
  EXPECT_EQ(p.flat_as_double(0), std::exp(-1000.0));
  EXPECT_EQ(p.flat_as_double(1), 1000.0);
}

TEST(Nnet, SigmoidOfIntegersIsFloatAndNaNPropagates) {
  Var i = vector("i", "int32");
  EXPECT_EQ(sigmoid(i)->type.dtype, DType::Float64);
  Var b = vector("b", "int8");
  EXPECT_EQ(softplus(b)->type.dtype, DType::Float32);
  Var x = vector("x");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  NDArray in = NDArray::from_vector<double>({nan}, {1});
  EXPECT_TRUE(std::isnan(run1(x, sigmoid(x), in).flat_as_double(0)));
  EXPECT_TRUE(std::isnan(run1(x, softplus(x), in).flat_as_double(0)));
  EXPECT_TRUE(std::isnan(run1(x, relu(x), in).flat_as_double(0)));
}

TEST(Nnet, HardSigmoidAndRelu) {
  Var x = vector("x");
  NDArray in = NDArray::from_vector<double>({-10.0, -2.5, -1.0, 0.0, 1.0, 2.5, 10.0}, {7});
  NDArray h = run1(x, hard_sigmoid(x), in);
  NDArray r = run1(x, relu(x), in);
  NDArray l = run1(x, relu(x, 0.1), in);
  for (int64_t k = 0; k < 7; ++k) {
    const double v = in.flat_as_double(k);
    EXPECT_DOUBLE_EQ(h.flat_as_double(k), std::min(1.0, std::max(0.0, 0.2 * v + 0.5)));
    EXPECT_EQ(r.flat_as_double(k), std::max(v, 0.0));
    EXPECT_DOUBLE_EQ(l.flat_as_double(k), v > 0 ? v : 0.1 * v);
  }
  // integer relu keeps its dtype; a float alpha makes it float64 (NumPy's weak scalar rule)
  Var i = vector("i", "int16");
  EXPECT_EQ(relu(i)->type.dtype, DType::Int16);
  EXPECT_EQ(relu(i, 0.5)->type.dtype, DType::Float64);
  NDArray vi = NDArray::from_vector<int16_t>({-3, 0, 4}, {3});
  NDArray ri = run1(i, relu(i), vi);
  EXPECT_EQ(ri.data<int16_t>()[0], 0);
  EXPECT_EQ(ri.data<int16_t>()[2], 4);
  // a symbolic alpha through the builder
  Var a = scalar("a");
  Var y = build("relu", {x, a}, Params())[0];
  auto f = function({x, a}, {y});
  NDArray out = f->call({in, NDArray::scalar<double>(0.25)})[0];
  EXPECT_DOUBLE_EQ(out.flat_as_double(1), -0.625);
  Var bx = vector("bx", "bool");
  EXPECT_THROW(relu(bx), TypeError);
}

// softmax / log_softmax along `axis` of a 2-d array in float64 from the formulas (with the
// maximum subtracted, which is exact math).
std::vector<double> ref_softmax(const NDArray& x, int axis, bool log) {
  const int64_t r = x.shape(0), c = x.shape(1);
  std::vector<double> out(static_cast<size_t>(r * c));
  const int64_t outer = axis == 1 ? r : c, inner = axis == 1 ? c : r;
  for (int64_t o = 0; o < outer; ++o) {
    auto at = [&](int64_t k) { return axis == 1 ? o * c + k : k * c + o; };
    double m = -INFINITY;
    for (int64_t k = 0; k < inner; ++k) m = std::max(m, x.flat_as_double(at(k)));
    long double s = 0;
    for (int64_t k = 0; k < inner; ++k)
      s += std::exp(static_cast<long double>(x.flat_as_double(at(k)) - m));
    for (int64_t k = 0; k < inner; ++k) {
      const long double z = x.flat_as_double(at(k)) - m;
      out[at(k)] = static_cast<double>(log ? z - std::log(s) : std::exp(z) / s);
    }
  }
  return out;
}

TEST(Nnet, SoftmaxAnyAxisAndStrides) {
  NDArray base = NDArray::empty(DType::Float64, {4, 6});
  for (int64_t i = 0; i < 24; ++i)
    base.data<double>()[i] = std::sin(1.7 * i) * 5 + (i == 5 ? 900 : 0);
  // a transposed view (6 x 4) and a view with every other column (4 x 3)
  NDArray t = transposed(base);
  NDArray s2 = base.view(base.raw(), {4, 3}, {48, 16});
  for (DType dt : {DType::Float64, DType::Float32}) {
    const double tol = dt == DType::Float32 ? 2e-6 : 1e-13;
    for (const NDArray& v0 : {base, t, s2}) {
      const NDArray v = dt == DType::Float64 ? v0 : v0.astype(dt);
      const NDArray vref = v.astype(DType::Float64);
      for (int axis : {0, 1, -1}) {
        const int ax = axis < 0 ? axis + 2 : axis;
        Var x = matrix("x", std::string(dtype_name(dt)));
        NDArray sm = run1(x, softmax(x, axis), v);
        NDArray lsm = run1(x, log_softmax(x, axis), v);
        EXPECT_EQ(sm.dtype(), dt);
        auto want = ref_softmax(vref, ax, false);
        auto lwant = ref_softmax(vref, ax, true);
        for (int64_t k = 0; k < v.size(); ++k) {
          EXPECT_NEAR(sm.flat_as_double(k), want[k], tol * (1 + std::abs(want[k])));
          EXPECT_NEAR(lsm.flat_as_double(k), lwant[k], tol * (1 + std::abs(lwant[k])));
        }
      }
    }
  }
}

TEST(Nnet, SoftmaxExtremesEmptyAndErrors) {
  Var x = vector("x");
  NDArray in = NDArray::from_vector<double>({1000.0, 0.0}, {2});
  NDArray sm = run1(x, softmax(x), in);
  EXPECT_EQ(sm.flat_as_double(0), 1.0);
  EXPECT_EQ(sm.flat_as_double(1), std::exp(-1000.0));
  NDArray lsm = run1(x, log_softmax(x), in);
  EXPECT_EQ(lsm.flat_as_double(0), 0.0);
  EXPECT_EQ(lsm.flat_as_double(1), -1000.0);
  // -1000 everywhere: uniform, not 0/0
  NDArray low = NDArray::from_vector<double>({-1000.0, -1000.0, -1000.0, -1000.0}, {4});
  NDArray u = run1(x, softmax(x), low);
  for (int k = 0; k < 4; ++k) EXPECT_DOUBLE_EQ(u.flat_as_double(k), 0.25);
  // empty inputs
  Var m = matrix("m");
  EXPECT_EQ(run1(m, softmax(m, 1), NDArray::zeros(DType::Float64, {0, 3})).shape(), (Shape{0, 3}));
  EXPECT_EQ(run1(m, log_softmax(m, 1), NDArray::zeros(DType::Float64, {3, 0})).shape(),
            (Shape{3, 0}));
  // axis=None: over every element
  NDArray two = NDArray::from_vector<double>({0.0, 1.0, 2.0, 3.0}, {2, 2});
  NDArray all = run1(m, softmax(m, std::nullopt), two);
  double s = 0;
  for (int k = 0; k < 4; ++k) s += std::exp(k);
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(all.flat_as_double(k), std::exp(k) / s, 1e-15);
  // integers give float
  Var i = matrix("i", "int64");
  EXPECT_EQ(softmax(i)->type.dtype, DType::Float64);
  EXPECT_THROW(softmax(m, 2), ValueError);
  EXPECT_THROW(log_softmax(m, -3), ValueError);
  try {
    build("softmax", {m}, Params({{"axis", int64_t{5}}}));
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("softmax"), std::string::npos) << e.what();
  }
  EXPECT_EQ(softmax(m, -1)->owner->op()->name(), "Softmax{axis=1}");
  EXPECT_EQ(log_softmax(m, 0)->owner->op()->name(), "LogSoftmax{axis=0}");
}

// Fused softmax cross-entropy: rows of logits with the label column, float64 reference.
TEST(NnetXent, ForwardAndDxMatchReference) {
  for (DType dt : {DType::Float64, DType::Float32}) {
    const std::string d(dtype_name(dt));
    const double tol = dt == DType::Float32 ? 1e-5 : 1e-12;
    Var x = matrix("x", d), b = vector("b", d), y = vector("y", "int32");
    const NDArray xv =
        NDArray::from_vector<double>({1e4, 0, -1e4, 0.5, -0.25, 2.0}, {2, 3}).astype(dt);
    const NDArray bv = NDArray::from_vector<double>({0.1, -0.2, 0.3}, {3}).astype(dt);
    const NDArray yv = NDArray::from_vector<double>({1, -1}, {2}).astype(DType::Int32);
    auto outs = crossentropy_softmax_argmax_1hot_with_bias(x, b, y);
    auto f = function({x, b, y}, {outs[0], outs[1], outs[2]});
    auto r = f->call({xv, bv, yv});
    for (int64_t i = 0; i < 2; ++i) {
      double z[3], m = -1e300, s = 0;
      for (int j = 0; j < 3; ++j) {
        z[j] = xv.flat_as_double(i * 3 + j) + bv.flat_as_double(j);
        m = std::max(m, z[j]);
      }
      for (double v : z) s += std::exp(v - m);
      const int64_t label = i == 0 ? 1 : 2;  // -1 counts from the end
      EXPECT_NEAR(r[0].flat_as_double(i), std::log(s) + m - z[label],
                  tol * (1 + std::abs(m - z[label])));
      for (int j = 0; j < 3; ++j) {
        EXPECT_NEAR(r[1].flat_as_double(i * 3 + j), std::exp(z[j] - m) / s, tol);
      }
      EXPECT_EQ(r[2].flat_as_double(i), i == 0 ? 0 : 2);
    }
    Var dy = vector("dy", d);
    const NDArray dyv = NDArray::from_vector<double>({2.0, -1.0}, {2}).astype(dt);
    NDArray dx = run({dy, x, y}, crossentropy_softmax_1hot_with_bias_dx(dy, x, y), {dyv, r[1], yv});
    for (int64_t i = 0; i < 2; ++i) {
      for (int j = 0; j < 3; ++j) {
        const double onehot = j == (i == 0 ? 1 : 2) ? 1.0 : 0.0;
        EXPECT_NEAR(dx.flat_as_double(i * 3 + j),
                    dyv.flat_as_double(i) * (r[1].flat_as_double(i * 3 + j) - onehot), tol);
      }
    }
  }
}

TEST(NnetXent, BadLabelsAndTypes) {
  Var x = matrix("x"), b = vector("b"), y = vector("y", "int64");
  auto f = function({x, b, y}, {crossentropy_softmax_argmax_1hot_with_bias(x, b, y)[0]});
  expect_error<IndexError>(
      [&] {
        f->call({NDArray::zeros(DType::Float64, {2, 3}), NDArray::zeros(DType::Float64, {3}),
                 NDArray::from_vector<double>({0, 3}, {2}).astype(DType::Int64)});
      },
      {"CrossentropySoftmaxArgmax1HotWithBias", "label 3 of row 1", "3 classes"});
  expect_error<TypeError>([&] { crossentropy_softmax_argmax_1hot_with_bias(x, b, vector("yf")); },
                          {"CrossentropySoftmaxArgmax1HotWithBias", "integer vector"});
  expect_error<TypeError>([&] { crossentropy_softmax_1hot_with_bias_dx(b, vector("v"), y); },
                          {"CrossentropySoftmax1HotWithBiasDx", "float matrix"});
}

// categorical_crossentropy(softmax(x), y) and its gradient compile to the two fused ops.
TEST(NnetXent, TrainingStepIsFused) {
  Var x = matrix("x"), y = vector("y", "int32");
  Var cost = mean(categorical_crossentropy(softmax(x), y));
  Var gx = grad(cost, x);
  auto f = function({x, y}, {cost, gx});
  std::string ops;
  for (Apply* node : f->graph().nodes()) ops += node->op()->type_name() + " ";
  EXPECT_NE(ops.find("CrossentropySoftmaxArgmax1HotWithBias"), std::string::npos) << ops;
  EXPECT_NE(ops.find("CrossentropySoftmax1HotWithBiasDx"), std::string::npos) << ops;
  EXPECT_EQ(ops.find("Softmax "), std::string::npos) << ops;
  EXPECT_EQ(ops.find("AdvancedIncSubtensor"), std::string::npos) << ops;
  const NDArray xv = NDArray::from_vector<double>({1, 2, 3, -1, 0, 1e4}, {2, 3});
  const NDArray yv = NDArray::from_vector<double>({2, 0}, {2}).astype(DType::Int32);
  auto r = f->call({xv, yv});
  EXPECT_TRUE(std::isfinite(r[0].flat_as_double(0)));
  // d cost / d x[1, 0] = (softmax - onehot) / n = (~0 - 1) / 2.
  EXPECT_NEAR(r[1].flat_as_double(3), -0.5, 1e-12);
}

}  // namespace
}  // namespace theon
