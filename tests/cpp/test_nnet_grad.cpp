// Gradients of the nnet functions (sigmoid, softplus, hard_sigmoid, relu, leaky relu, softmax,
// log_softmax): verify_grad against finite differences, extreme values, second order, and the
// logistic-regression gradient and Hessian against their closed forms.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "theon/theon.hpp"

namespace theon {
namespace {

using Fn = std::function<Var(const std::vector<Var>&)>;

// Uniform values in [lo, hi] of dtype `dt`.
NDArray rnd(const Shape& shape, unsigned seed, double lo = -2.0, double hi = 2.0,
            DType dt = DType::Float64) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  NDArray d = NDArray::empty(DType::Float64, shape);
  for (int64_t i = 0; i < d.size(); ++i) d.data<double>()[i] = u(gen);
  return d.astype(dt);
}

// Moves every element at least `gap` away from each kink (finite differences straddling a
// kink do not measure the derivative).
NDArray away_from(NDArray a, const std::vector<double>& kinks, double gap) {
  for (int64_t i = 0; i < a.size(); ++i) {
    double& v = a.data<double>()[i];
    for (double k : kinks) {
      if (std::abs(v - k) < gap) v = v < k ? k - gap : k + gap;
    }
  }
  return a;
}

NDArray vec(const std::vector<double>& v) {
  return NDArray::from_vector<double>(v, {static_cast<int64_t>(v.size())});
}

void check(const Fn& fn, const std::vector<NDArray>& pt, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_NO_THROW(verify_grad(fn, pt));
}

Fn unary(Var (*f)(const Var&)) {
  return [f](const std::vector<Var>& in) { return f(in[0]); };
}

TEST(NnetGrad, SigmoidSoftplus) {
  for (const Shape& s : std::vector<Shape>{{}, {5}, {3, 4}, {2, 1, 3}}) {
    check(unary(sigmoid), {rnd(s, 1, -4, 4)}, "sigmoid " + shape_str(s));
    check(unary(softplus), {rnd(s, 2, -4, 4)}, "softplus " + shape_str(s));
  }
  // float32 with the default (loose) tolerances.
  check(unary(sigmoid), {rnd({3, 4}, 3, -4, 4, DType::Float32)}, "sigmoid float32");
  check(unary(softplus), {rnd({6}, 4, -4, 4, DType::Float32)}, "softplus float32");
  // Large arguments, where the kernels switch branches.
  check(unary(sigmoid), {vec({-30, -12, 12, 30})}, "sigmoid large");
  check(unary(softplus), {vec({-30, -12, 12, 30})}, "softplus large");
}

TEST(NnetGrad, HardSigmoidAndRelu) {
  NDArray x = away_from(rnd({4, 5}, 5, -4, 4), {-2.5, 2.5, 0.0}, 0.05);
  check(unary(hard_sigmoid), {x}, "hard_sigmoid");
  Fn relu0 = [](const std::vector<Var>& in) { return relu(in[0]); };
  Fn leaky = [](const std::vector<Var>& in) { return relu(in[0], 0.1); };
  check(relu0, {x}, "relu");
  check(leaky, {x}, "relu alpha=0.1");
  check(relu0, {x.astype(DType::Float32)}, "relu float32");
  // alpha as an input: 0-d (broadcast, its gradient summed) and full-shaped.
  Fn leaky_var = [](const std::vector<Var>& in) { return relu(in[0], in[1]); };
  check(leaky_var, {x, NDArray::scalar(0.3)}, "leaky relu, 0-d alpha");
  check(leaky_var, {x, rnd({4, 5}, 6, 0, 1)}, "leaky relu, alpha per element");
  // The values: relu' = 1 for x > 0 and 0 otherwise (0 at 0); hard_sigmoid' = 0.2 inside.
  Var v = vector("v");
  auto g = grad(sum(relu(v)) + sum(hard_sigmoid(v)) * 10.0, v);
  NDArray r = evaluate({g}, {{v, vec({-3, -1, 0, 1, 3})}})[0];
  const std::vector<double> want{0, 2, 2, 3, 1};
  for (int64_t i = 0; i < 5; ++i) EXPECT_NEAR(r.flat_as_double(i), want[i], 1e-12) << i;
}

Fn softmax_fn(bool log, std::optional<int64_t> axis) {
  return [log, axis](const std::vector<Var>& in) {
    return log ? log_softmax(in[0], axis) : softmax(in[0], axis);
  };
}

TEST(NnetGrad, SoftmaxAndLogSoftmaxAnyAxis) {
  struct Case {
    Shape shape;
    std::optional<int64_t> axis;
  };
  const std::vector<Case> cases = {
      {{5}, -1},
      {{3, 4}, -1},
      {{3, 4}, 0},
      {{2, 3, 4}, 1},
      {{2, 3, 4}, 0},
      {{3, 1}, 1},
      {{2, 3}, std::nullopt},
      {{4}, std::nullopt},
      {{2, 2, 3}, std::nullopt},
      {{1, 4}, 0},
  };
  unsigned seed = 10;
  for (const Case& c : cases) {
    for (bool log : {false, true}) {
      const std::string what = std::string(log ? "log_softmax " : "softmax ") + shape_str(c.shape) +
                               " axis " + (c.axis ? std::to_string(*c.axis) : "None");
      check(softmax_fn(log, c.axis), {rnd(c.shape, seed++)}, what);
    }
  }
  check(softmax_fn(false, -1), {rnd({3, 4}, 30, -2, 2, DType::Float32)}, "softmax float32");
  check(softmax_fn(true, 0), {rnd({3, 4}, 31, -2, 2, DType::Float32)}, "log_softmax float32");
}

TEST(NnetGrad, ExtremeValuesGiveFiniteGradients) {
  Var x = vector("x");
  NDArray xv = vec({-1000, -40, 0, 40, 1000});
  auto gs = grad(sum(sigmoid(x)) + sum(softplus(x)) * 2.0, x);
  NDArray r = evaluate({gs}, {{x, xv}})[0];
  // sigmoid' + 2 sigmoid: 0 + 0 at -1000, 1/4 + 1 at 0, 0 + 2 at 1000.
  const std::vector<double> want{0, 2 * std::exp(-40.0), 0.25 + 1, 2, 2};
  for (int64_t i = 0; i < 5; ++i) {
    EXPECT_TRUE(std::isfinite(r.flat_as_double(i))) << i;
    EXPECT_NEAR(r.flat_as_double(i), want[i], 1e-12) << i;
  }
  // softmax / log_softmax with a spread of 2000: the weights are exact 0 and 1.
  Var c = vector("c");
  NDArray cv = vec({1, 2, 3, 4, 5});
  for (bool log : {false, true}) {
    Var y = log ? log_softmax(x) : softmax(x);
    NDArray gr = evaluate({grad(sum(y * c), x)}, {{x, xv}, {c, cv}})[0];
    for (int64_t i = 0; i < 5; ++i) EXPECT_TRUE(std::isfinite(gr.flat_as_double(i))) << i;
    if (log) {  // c - softmax * sum(c): softmax is one-hot at 1000
      for (int64_t i = 0; i < 4; ++i) EXPECT_NEAR(gr.flat_as_double(i), i + 1.0, 1e-12);
      EXPECT_NEAR(gr.flat_as_double(4), 5.0 - 15.0, 1e-12);
    } else {  // a saturated softmax has zero gradient
      for (int64_t i = 0; i < 5; ++i) EXPECT_EQ(gr.flat_as_double(i), 0.0);
    }
  }
  // The log-sigmoid cost of a saturated unit: finite gradient too.
  NDArray gl = evaluate({grad(sum(log(sigmoid(x))), x)}, {{x, vec({-30, 30})}})[0];
  EXPECT_NEAR(gl.flat_as_double(0), 1.0, 1e-12);
  EXPECT_NEAR(gl.flat_as_double(1), 0.0, 1e-12);
}

TEST(NnetGrad, IntegerInputsGetNullOrZeros) {
  Var i = matrix("i", "int64");
  Var s = softmax(i);
  auto none = s->owner->op()->L_op(s->owner->inputs(), {s}, {ones_like(s)});
  EXPECT_EQ(none[0], nullptr);
  Var r = relu(i);  // an int64 output: no gradient reaches i
  Var x = matrix("x");
  auto g = grad(sum(s) + sum(x * cast(r, DType::Float64)), std::vector<Var>{i, x});
  NDArray iv = NDArray::from_vector<int64_t>({-1, 2, 3, -4}, {2, 2});
  auto vals = evaluate(g, {{i, iv}, {x, rnd({2, 2}, 40)}});
  for (int64_t k = 0; k < 4; ++k) EXPECT_EQ(vals[0].flat_as_double(k), 0.0);
  const std::vector<double> relu_i{0, 2, 3, 0};
  for (int64_t k = 0; k < 4; ++k) EXPECT_EQ(vals[1].flat_as_double(k), relu_i[k]);
}

TEST(NnetGrad, SecondOrder) {
  // Gradients of gradients, each through the op's own gradient graph.
  Fn g_sigmoid = [](const std::vector<Var>& in) {
    return grad(sum(sigmoid(in[0]) * in[1]), in[0]);
  };
  check(g_sigmoid, {rnd({3, 4}, 50), rnd({3, 4}, 51)}, "sigmoid''");
  Fn g_softplus = [](const std::vector<Var>& in) {
    return grad(sum(softplus(in[0]) * in[1]), in[0]);
  };
  check(g_softplus, {rnd({5}, 52), rnd({5}, 53)}, "softplus''");
  for (bool log : {false, true}) {
    for (std::optional<int64_t> axis :
         {std::optional<int64_t>(0), std::optional<int64_t>(1), std::optional<int64_t>()}) {
      Fn g_sm = [log, axis](const std::vector<Var>& in) {
        Var y = log ? log_softmax(in[0], axis) : softmax(in[0], axis);
        return grad(sum(y * in[1]), in[0]);
      };
      check(g_sm, {rnd({3, 4}, 54), rnd({3, 4}, 55)},
            std::string(log ? "log_softmax''" : "softmax''") + " axis " +
                (axis ? std::to_string(*axis) : "None"));
    }
  }
  // The leaky relu gradient depends on alpha: d/dalpha of d/dx.
  Fn g_leaky = [](const std::vector<Var>& in) {
    return grad(sum(relu(in[0], in[1]) * in[0]), in[0]);
  };
  check(g_leaky, {away_from(rnd({6}, 56), {0.0}, 0.1), NDArray::scalar(0.2)}, "leaky relu''");
}

// Logistic regression: E = -sum(y log mu + (1 - y) log(1 - mu)), mu = sigmoid(X w), has
// gradient (mu - y) X and Hessian X^T diag(mu (1 - mu)) X.
TEST(NnetGrad, LogisticRegressionGradientAndHessian) {
  const int64_t n = 7, d = 3;
  Var X = matrix("X");
  Var y = vector("y");
  Var w = vector("w");
  Var mu = sigmoid(dot(X, w));
  Var E = -sum(y * log(mu) + (1.0 - y) * log(1.0 - mu));
  Var gw = grad(E, w);
  Var closed = dot(mu - y, X);
  Var H = hessian(E, {w})[0];
  NDArray Xv = rnd({n, d}, 60);
  NDArray yv = NDArray::from_vector<double>({1, 0, 0, 1, 1, 0, 1}, {n});
  NDArray wv = rnd({d}, 61);
  auto r = evaluate({gw, closed, H}, {{X, Xv}, {y, yv}, {w, wv}});
  // The same quantities with plain loops.
  std::vector<double> m(n);
  for (int64_t i = 0; i < n; ++i) {
    double z = 0;
    for (int64_t j = 0; j < d; ++j) z += Xv.flat_as_double(i * d + j) * wv.flat_as_double(j);
    m[i] = 1 / (1 + std::exp(-z));
  }
  ASSERT_EQ(shape_str(r[0].shape()), "(3,)");
  for (int64_t j = 0; j < d; ++j) {
    double want = 0;
    for (int64_t i = 0; i < n; ++i)
      want += (m[i] - yv.flat_as_double(i)) * Xv.flat_as_double(i * d + j);
    EXPECT_NEAR(r[0].flat_as_double(j), r[1].flat_as_double(j), 1e-12) << j;
    EXPECT_NEAR(r[0].flat_as_double(j), want, 1e-12) << j;
  }
  ASSERT_EQ(shape_str(r[2].shape()), "(3, 3)");
  for (int64_t j = 0; j < d; ++j) {
    for (int64_t k = 0; k < d; ++k) {
      double want = 0;
      for (int64_t i = 0; i < n; ++i) {
        want += Xv.flat_as_double(i * d + j) * m[i] * (1 - m[i]) * Xv.flat_as_double(i * d + k);
      }
      EXPECT_NEAR(r[2].flat_as_double(j * d + k), want, 1e-12) << j << "," << k;
    }
  }
  // And the gradient of the loss as a function of X and w passes verify_grad.
  Fn loss = [yv](const std::vector<Var>& in) {
    Var p = sigmoid(dot(in[0], in[1]));
    Var yc = constant(yv);
    return -sum(yc * log(p) + (1.0 - yc) * log(1.0 - p));
  };
  check(loss, {Xv, wv}, "logistic loss");
}

}  // namespace
}  // namespace theon
