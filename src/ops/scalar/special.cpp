// Special functions: erf, erfc, erfinv, gamma, gammaln (log |gamma|), psi (digamma) and
// trigamma (polygamma(1, x), the derivative of psi, there for psi's gradient), with
// scipy.special's values. erfinv and psi are computed in double (also for float32 inputs, then
// rounded). Integer and bool inputs are computed in float (DTypeRule::Float); scipy.special
// computes them in float64 even for small ints.
//
// C expressions call helpers theon_erfinv, theon_gammaln, theon_psi and theon_trigamma that a
// code generator must define with the semantics of the kernels below.
#include <math.h>  // lgamma_r (glibc)

#include <algorithm>
#include <cmath>
#include <limits>

#include "theon/ops/elemwise.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/scalar.hpp"

namespace theon {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kTwoOverSqrtPi = 1.12837916709551257390;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Inverse error function. A closed-form approximation (Winitzki's, relative error about 2e-3)
// gives the start; Halley's method on erf (or on erfc for |y| >= 0.5, where 1 - |y| is exact and
// erf(x) - y would cancel) converges cubically, so three steps reach double precision.
double erfinv(double y) {
  if (std::isnan(y) || y < -1 || y > 1) return kNaN;
  if (y == 1) return kInf;
  if (y == -1) return -kInf;
  if (y == 0) return y;  // keeps the sign of zero
  const double a = std::fabs(y);
  const double k = 0.147;
  const double l = std::log((1 - a) * (1 + a));
  const double h = 2 / (kPi * k) + l / 2;
  double x = std::sqrt(std::max(0.0, std::sqrt(h * h - l / k) - h));
  const double c = 1 - a;  // exact when a >= 0.5
  for (int i = 0; i < 3; ++i) {
    const double d = kTwoOverSqrtPi * std::exp(-x * x);
    const double t = a < 0.5 ? (std::erf(x) - a) / d : (c - std::erfc(x)) / d;
    x -= t / (1 + x * t);
  }
  return y < 0 ? -x : x;
}

double log_abs_gamma(double x) {
#if defined(__GLIBC__)
  int sign;
  return ::lgamma_r(x, &sign);  // std::lgamma writes the global signgam: not thread-safe
#else
  return std::lgamma(x);
#endif
}

float log_abs_gamma(float x) {
#if defined(__GLIBC__)
  int sign;
  return ::lgammaf_r(x, &sign);
#else
  return std::lgamma(x);
#endif
}

// Digamma: reflection psi(x) = psi(1 - x) - pi / tan(pi x) for x < 0, the recurrence
// psi(x) = psi(x + 1) - 1 / x up to x >= 10, then the asymptotic series
// psi(x) ~ log x - 1/(2x) - sum B_2n / (2n x^2n).
double digamma(double x) {
  if (std::isnan(x) || x == -kInf) return kNaN;
  if (x == kInf) return kInf;
  if (x == 0) return std::signbit(x) ? kInf : -kInf;  // scipy: psi(+0) = -inf, psi(-0) = inf
  double result = 0;
  if (x < 0) {
    const double nearest = std::nearbyint(x);
    if (x == nearest) return kNaN;  // poles at the non-positive integers
    // tan(pi x) = tan(pi r) with r = x - nearest in [-0.5, 0.5], exact.
    result = -kPi / std::tan(kPi * (x - nearest));
    x = 1 - x;
  }
  while (x < 10) {
    result -= 1 / x;
    x += 1;
  }
  const double z = 1 / (x * x);
  const double series =
      z * (1.0 / 12 - z * (1.0 / 120 -
                           z * (1.0 / 252 -
                                z * (1.0 / 240 - z * (1.0 / 132 - z * (691.0 / 32760 - z / 12))))));
  return result + std::log(x) - 0.5 / x - series;
}

// Trigamma psi'(x) = sum_k 1 / (x + k)^2: reflection psi'(x) = pi^2 / sin^2(pi x) - psi'(1 - x)
// for x < 0, the recurrence psi'(x) = psi'(x + 1) + 1 / x^2 up to x >= 10, then the asymptotic
// series psi'(x) ~ 1/x + 1/(2x^2) + sum B_2n / x^(2n+1). Poles (+inf) at the non-positive
// integers, like scipy.special.polygamma(1, x).
double trigamma_value(double x) {
  if (std::isnan(x) || x == -kInf) return kNaN;
  if (x == kInf) return 0;
  double result = 0;
  double sign = 1;
  if (x <= 0) {
    const double nearest = std::nearbyint(x);
    if (x == nearest) return kInf;
    // sin(pi x)^2 = sin(pi r)^2 with r = x - nearest in [-0.5, 0.5], exact.
    const double s = std::sin(kPi * (x - nearest));
    result = kPi * kPi / (s * s);
    sign = -1;
    x = 1 - x;
  }
  double acc = 0;
  while (x < 10) {
    acc += 1 / (x * x);
    x += 1;
  }
  const double r = 1 / x;
  const double z = r * r;
  const double series =
      r + z / 2 +
      r * z *
          (1.0 / 6 -
           z * (1.0 / 30 - z * (1.0 / 42 - z * (1.0 / 30 - z * (5.0 / 66 - z * (691.0 / 2730 -
                                                                                z * 7.0 / 6))))));
  return result + sign * (acc + series);
}

constexpr double kSqrtPiOverTwo = 0.88622692545275801365;

using Vars = std::vector<Var>;

template <class F>
void float_unary(const char* name, F f, const char* c_expr) {
  register_scalar_op(make_scalar_op<1, DTypeRule::Float, kFloatTypes>(name, f, c_expr));
}

}  // namespace

void register_scalar_special() {
  float_unary(
      "erf", [](auto a) { return std::erf(a); }, "erf({0})");
  float_unary(
      "erfc", [](auto a) { return std::erfc(a); }, "erfc({0})");
  float_unary(
      "erfinv", [](auto a) { return static_cast<decltype(a)>(erfinv(a)); }, "theon_erfinv({0})");
  float_unary(
      "gamma", [](auto a) { return std::tgamma(a); }, "tgamma({0})");
  float_unary(
      "gammaln", [](auto a) { return log_abs_gamma(a); }, "theon_gammaln({0})");
  float_unary(
      "psi", [](auto a) { return static_cast<decltype(a)>(digamma(a)); }, "theon_psi({0})");
  float_unary(
      "trigamma", [](auto a) { return static_cast<decltype(a)>(trigamma_value(a)); },
      "theon_trigamma({0})");

  // Gradients, built from differentiable ops (second derivatives work, except through
  // trigamma, which has no gradient: there is no tetragamma op, so differentiating psi twice
  // raises NotImplementedError naming trigamma).
  register_scalar_grad("erf", [](const Vars& x, const Var&, const Var& g) {
    return Vars{mul(g, exp(neg(sqr(x[0]))) * kTwoOverSqrtPi)};
  });
  register_scalar_grad("erfc", [](const Vars& x, const Var&, const Var& g) {
    return Vars{mul(g, exp(neg(sqr(x[0]))) * -kTwoOverSqrtPi)};
  });
  // erfinv'(y) = sqrt(pi) / 2 * exp(erfinv(y)^2).
  register_scalar_grad("erfinv", [](const Vars&, const Var& y, const Var& g) {
    return Vars{mul(g, exp(sqr(y)) * kSqrtPiOverTwo)};
  });
  register_scalar_grad("gamma", [](const Vars& x, const Var& y, const Var& g) {
    return Vars{mul(mul(g, y), psi(x[0]))};
  });
  // gammaln = log |gamma|: its derivative is psi for either sign of gamma.
  register_scalar_grad(
      "gammaln", [](const Vars& x, const Var&, const Var& g) { return Vars{mul(g, psi(x[0]))}; });
  register_scalar_grad(
      "psi", [](const Vars& x, const Var&, const Var& g) { return Vars{mul(g, trigamma(x[0]))}; });
}

}  // namespace theon
