// Special functions: erf, erfc, erfinv, gamma, gammaln (log |gamma|), psi (digamma) and
// trigamma (polygamma(1, x), the derivative of psi, there for psi's gradient), with
// scipy.special's values. erfinv and psi are computed in double (also for float32 inputs, then
// rounded). Integer and bool inputs are computed in float (DTypeRule::Float); scipy.special
// computes them in float64 even for small ints.
//
// The functions themselves are in theon/ops/scalar_functions.hpp, shared with generated code.
#include <algorithm>
#include <cmath>
#include <limits>

#include "theon/ops/elemwise.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/scalar.hpp"
#include "theon/ops/scalar_functions.hpp"

namespace theon {
namespace {

using namespace scalar_functions;

constexpr double kSqrtPiOverTwo = 0.88622692545275801365;

using Vars = std::vector<Var>;

template <class F>
void float_unary(const char* name, F f, const char* c_expr) {
  register_scalar_op(make_scalar_op<1, DTypeRule::Float, kFloatTypes>(name, f, c_expr));
}

}  // namespace

void register_scalar_special() {
  float_unary(
      "erf", [](auto a) { return scalar_functions::theon_erf(a); }, "theon_erf({0})");
  float_unary(
      "erfc", [](auto a) { return scalar_functions::theon_erfc(a); }, "theon_erfc({0})");
  float_unary(
      "erfinv", [](auto a) { return theon_erfinv(a); }, "theon_erfinv({0})");
  float_unary(
      "gamma", [](auto a) { return std::tgamma(a); }, "tgamma({0})");
  float_unary(
      "gammaln", [](auto a) { return theon_gammaln(a); }, "theon_gammaln({0})");
  float_unary(
      "psi", [](auto a) { return theon_psi(a); }, "theon_psi({0})");
  float_unary(
      "trigamma", [](auto a) { return theon_trigamma(a); }, "theon_trigamma({0})");

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
