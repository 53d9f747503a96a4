#include <gtest/gtest.h>

#include <cmath>

#include "theon/theon.hpp"

namespace theon {
namespace {

double eval1(const Var& out, const std::vector<std::pair<Var, NDArray>>& values) {
  return evaluate({out}, values)[0].flat_as_double(0);
}

TEST(Grad, ScalarChainRuleAndSeveralPaths) {
  Var x = scalar("x");
  Var y = scalar("y");
  // f = exp(x) * x + log(y) * x: x reaches the cost through three paths.
  Var f = exp(x) * x + log(y) * x;
  auto g = grad(f, std::vector<Var>{x, y});
  const double xv = 0.7, yv = 2.5;
  std::vector<std::pair<Var, NDArray>> v{{x, NDArray::scalar(xv)}, {y, NDArray::scalar(yv)}};
  EXPECT_NEAR(eval1(g[0], v), std::exp(xv) * (1 + xv) + std::log(yv), 1e-12);
  EXPECT_NEAR(eval1(g[1], v), xv / yv, 1e-12);
}

TEST(Grad, SecondDerivativeOfAGradient) {
  Var x = scalar("x");
  Var f = exp(x * x);
  Var g = grad(f, x);
  Var h = grad(g, x);
  const double xv = 0.3;
  std::vector<std::pair<Var, NDArray>> v{{x, NDArray::scalar(xv)}};
  EXPECT_NEAR(eval1(h, v), std::exp(xv * xv) * (2 + 4 * xv * xv), 1e-12);
}

TEST(Grad, BroadcastGradientIsSummedBackToTheInputShape) {
  Var a = vector("a");
  Var s = scalar("s");
  Var out = a * s;  // s is broadcast over a
  Var g = Lop({out}, {s}, {ones_like(out)})[0];
  NDArray av = NDArray::from_vector<double>({1, 2, 3}, {3});
  EXPECT_NEAR(eval1(g, {{a, av}, {s, NDArray::scalar(2.0)}}), 6.0, 1e-12);
}

TEST(Grad, DisconnectedInputsRaiseWarnOrGiveZeros) {
  Var x = scalar("x");
  Var y = scalar("y");
  Var f = exp(x);
  EXPECT_THROW(grad(f, y), ValueError);
  GradOptions warn;
  warn.disconnected_inputs = "warn";
  GradResult r = grad_ex(f, {y}, warn);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(eval1(r.grads[0], {{y, NDArray::scalar(1.0)}}), 0.0);
  GradOptions none;
  none.disconnected_inputs = "ignore";
  none.return_disconnected = "none";
  EXPECT_EQ(grad(f, std::vector<Var>{y}, none)[0], nullptr);
}

TEST(Grad, ConsiderConstantAndGradientModifiers) {
  Var x = scalar("x");
  Var e = exp(x);
  GradOptions o;
  o.consider_constant = {e};
  // d(e * x)/dx with e held constant is e.
  Var g = grad(e * x, std::vector<Var>{x}, o)[0];
  EXPECT_NEAR(eval1(g, {{x, NDArray::scalar(1.0)}}), std::exp(1.0), 1e-12);
  EXPECT_NEAR(eval1(grad(zero_grad(e) * x, x), {{x, NDArray::scalar(1.0)}}), std::exp(1.0), 1e-12);
  EXPECT_NEAR(eval1(grad(grad_scale(e, 3.0), x), {{x, NDArray::scalar(0.0)}}), 3.0, 1e-12);
  // The gradient reaching e (10) is clipped to 0.5 before the chain rule continues.
  EXPECT_NEAR(eval1(grad(grad_clip(e, -0.5, 0.5) * 10.0, x), {{x, NDArray::scalar(0.0)}}), 0.5,
              1e-12);
  GradOptions ignore;
  ignore.disconnected_inputs = "ignore";
  EXPECT_EQ(eval1(grad(disconnected_grad(e), std::vector<Var>{x}, ignore)[0],
                  {{x, NDArray::scalar(1.0)}}),
            0.0);
}

TEST(Grad, CostMustBeAFloatScalar) {
  Var v = vector("v");
  EXPECT_THROW(grad(exp(v), v), TypeError);
  Var i = scalar("i", "int64");
  EXPECT_THROW(grad(i, i), TypeError);
}

TEST(Grad, IntegerInputsGetZeros) {
  Var x = scalar("x");
  Var n = scalar("n", "int64");
  Var g = grad(x * n, std::vector<Var>{n})[0];
  EXPECT_EQ(eval1(g, {{x, NDArray::scalar(2.0)}, {n, NDArray::scalar<int64_t>(3)}}), 0.0);
}

TEST(Grad, RopMatchesTheDirectionalDerivative) {
  Var x = scalar("x");
  Var v = scalar("v");
  Var f = exp(x) * x;
  Var r = Rop({f}, {x}, {v})[0];
  const double xv = 0.4;
  EXPECT_NEAR(eval1(r, {{x, NDArray::scalar(xv)}, {v, NDArray::scalar(2.0)}}),
              2.0 * std::exp(xv) * (1 + xv), 1e-12);
}

TEST(Grad, OpWithoutGradientRaisesNamingTheOp) {
  Var x = scalar("x");
  Var f = elemwise("trigamma", {x});
  try {
    grad(f * x, x);
    FAIL() << "expected NotImplementedError";
  } catch (const NotImplementedError& e) {
    EXPECT_NE(std::string(e.what()).find("trigamma"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace theon
