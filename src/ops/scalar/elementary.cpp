// Elementary float functions: powers and logarithms, roots, trigonometric and hyperbolic
// functions and their inverses. Integer and bool inputs are computed in float (DTypeRule::Float:
// float32 for <= 16-bit ints and bool, float64 otherwise; NumPy would give float16 for 8-bit
// ints and bool).
#include <cmath>

#include "theon/ops/elemwise.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/scalar.hpp"
#include "theon/ops/scalar_functions.hpp"

namespace theon {
namespace {

template <class F>
void float_unary(const char* name, F f, const char* c_expr) {
  register_scalar_op(make_scalar_op<1, DTypeRule::Float, kFloatTypes>(name, f, c_expr));
}

constexpr double kLn2 = 0.69314718055994530942;
constexpr double kLn10 = 2.30258509299404568402;

using Vars = std::vector<Var>;

}  // namespace

void register_scalar_elementary() {
  float_unary(
      "exp2", [](auto a) { return scalar_functions::theon_exp2(a); }, "theon_exp2({0})");
  float_unary(
      "expm1", [](auto a) { return scalar_functions::theon_expm1(a); }, "theon_expm1({0})");
  float_unary(
      "log2", [](auto a) { return scalar_functions::theon_log2(a); }, "theon_log2({0})");
  float_unary(
      "log10", [](auto a) { return scalar_functions::theon_log10(a); }, "theon_log10({0})");
  float_unary(
      "log1p", [](auto a) { return scalar_functions::theon_log1p(a); }, "theon_log1p({0})");
  float_unary(
      "sqrt", [](auto a) { return std::sqrt(a); }, "sqrt({0})");
  float_unary(
      "sin", [](auto a) { return scalar_functions::theon_sin(a); }, "theon_sin({0})");
  float_unary(
      "cos", [](auto a) { return scalar_functions::theon_cos(a); }, "theon_cos({0})");
  float_unary(
      "tan", [](auto a) { return scalar_functions::theon_tan(a); }, "theon_tan({0})");
  float_unary(
      "arcsin", [](auto a) { return scalar_functions::theon_asin(a); }, "theon_asin({0})");
  float_unary(
      "arccos", [](auto a) { return scalar_functions::theon_acos(a); }, "theon_acos({0})");
  float_unary(
      "arctan", [](auto a) { return scalar_functions::theon_atan(a); }, "theon_atan({0})");
  float_unary(
      "sinh", [](auto a) { return scalar_functions::theon_sinh(a); }, "theon_sinh({0})");
  float_unary(
      "cosh", [](auto a) { return scalar_functions::theon_cosh(a); }, "theon_cosh({0})");
  float_unary(
      "tanh", [](auto a) { return scalar_functions::theon_tanh(a); }, "theon_tanh({0})");
  float_unary(
      "arcsinh", [](auto a) { return scalar_functions::theon_asinh(a); }, "theon_asinh({0})");
  float_unary(
      "arccosh", [](auto a) { return scalar_functions::theon_acosh(a); }, "theon_acosh({0})");
  float_unary(
      "arctanh", [](auto a) { return scalar_functions::theon_atanh(a); }, "theon_atanh({0})");
  register_scalar_op(make_scalar_op<2, DTypeRule::Float, kFloatTypes>(
      "arctan2", [](auto a, auto b) { return scalar_functions::theon_atan2(a, b); },
      "theon_atan2({0}, {1})"));

  // Gradients, built from differentiable ops (so second derivatives work). `x` are the
  // node's inputs, `y` its output, `g` the gradient with respect to the output.
  register_scalar_grad(
      "exp2", [](const Vars&, const Var& y, const Var& g) { return Vars{mul(g, y * kLn2)}; });
  register_scalar_grad(
      "expm1", [](const Vars&, const Var& y, const Var& g) { return Vars{mul(g, y + 1.0)}; });
  register_scalar_grad("log2", [](const Vars& x, const Var&, const Var& g) {
    return Vars{true_divide(g, x[0] * kLn2)};
  });
  register_scalar_grad("log10", [](const Vars& x, const Var&, const Var& g) {
    return Vars{true_divide(g, x[0] * kLn10)};
  });
  register_scalar_grad("log1p", [](const Vars& x, const Var&, const Var& g) {
    return Vars{true_divide(g, x[0] + 1.0)};
  });
  register_scalar_grad("sqrt", [](const Vars&, const Var& y, const Var& g) {
    return Vars{true_divide(g, y * 2.0)};
  });
  register_scalar_grad(
      "sin", [](const Vars& x, const Var&, const Var& g) { return Vars{mul(g, cos(x[0]))}; });
  register_scalar_grad(
      "cos", [](const Vars& x, const Var&, const Var& g) { return Vars{neg(mul(g, sin(x[0])))}; });
  register_scalar_grad(
      "tan", [](const Vars&, const Var& y, const Var& g) { return Vars{mul(g, sqr(y) + 1.0)}; });
  register_scalar_grad("arcsin", [](const Vars& x, const Var&, const Var& g) {
    return Vars{true_divide(g, sqrt(1.0 - sqr(x[0])))};
  });
  register_scalar_grad("arccos", [](const Vars& x, const Var&, const Var& g) {
    return Vars{neg(true_divide(g, sqrt(1.0 - sqr(x[0]))))};
  });
  register_scalar_grad("arctan", [](const Vars& x, const Var&, const Var& g) {
    return Vars{true_divide(g, sqr(x[0]) + 1.0)};
  });
  // arctan2(y, x): d/dy = x / (x^2 + y^2), d/dx = -y / (x^2 + y^2).
  register_scalar_grad("arctan2", [](const Vars& x, const Var&, const Var& g) {
    Var scaled = true_divide(g, sqr(x[0]) + sqr(x[1]));
    return Vars{mul(scaled, x[1]), neg(mul(scaled, x[0]))};
  });
  register_scalar_grad(
      "sinh", [](const Vars& x, const Var&, const Var& g) { return Vars{mul(g, cosh(x[0]))}; });
  register_scalar_grad(
      "cosh", [](const Vars& x, const Var&, const Var& g) { return Vars{mul(g, sinh(x[0]))}; });
  register_scalar_grad(
      "tanh", [](const Vars&, const Var& y, const Var& g) { return Vars{mul(g, 1.0 - sqr(y))}; });
  register_scalar_grad("arcsinh", [](const Vars& x, const Var&, const Var& g) {
    return Vars{true_divide(g, sqrt(sqr(x[0]) + 1.0))};
  });
  // sqrt((x - 1)(x + 1)) rather than sqrt(x^2 - 1): no cancellation near x = 1.
  register_scalar_grad("arccosh", [](const Vars& x, const Var&, const Var& g) {
    return Vars{true_divide(g, sqrt(mul(x[0] - 1.0, x[0] + 1.0)))};
  });
  register_scalar_grad("arctanh", [](const Vars& x, const Var&, const Var& g) {
    return Vars{true_divide(g, 1.0 - sqr(x[0]))};
  });
}

}  // namespace theon
