// Elementary float functions: powers and logarithms, roots, trigonometric and hyperbolic
// functions and their inverses. Integer and bool inputs are computed in float (DTypeRule::Float:
// float32 for <= 16-bit ints and bool, float64 otherwise; NumPy would give float16 for 8-bit
// ints and bool).
#include <cmath>

#include "theon/ops/scalar.hpp"

namespace theon {
namespace {

template <class F>
void float_unary(const char* name, F f, const char* c_expr) {
  register_scalar_op(make_scalar_op<1, DTypeRule::Float, kFloatTypes>(name, f, c_expr));
}

}  // namespace

void register_scalar_elementary() {
  float_unary(
      "exp2", [](auto a) { return std::exp2(a); }, "exp2({0})");
  float_unary(
      "expm1", [](auto a) { return std::expm1(a); }, "expm1({0})");
  float_unary(
      "log2", [](auto a) { return std::log2(a); }, "log2({0})");
  float_unary(
      "log10", [](auto a) { return std::log10(a); }, "log10({0})");
  float_unary(
      "log1p", [](auto a) { return std::log1p(a); }, "log1p({0})");
  float_unary(
      "sqrt", [](auto a) { return std::sqrt(a); }, "sqrt({0})");
  float_unary(
      "sin", [](auto a) { return std::sin(a); }, "sin({0})");
  float_unary(
      "cos", [](auto a) { return std::cos(a); }, "cos({0})");
  float_unary(
      "tan", [](auto a) { return std::tan(a); }, "tan({0})");
  float_unary(
      "arcsin", [](auto a) { return std::asin(a); }, "asin({0})");
  float_unary(
      "arccos", [](auto a) { return std::acos(a); }, "acos({0})");
  float_unary(
      "arctan", [](auto a) { return std::atan(a); }, "atan({0})");
  float_unary(
      "sinh", [](auto a) { return std::sinh(a); }, "sinh({0})");
  float_unary(
      "cosh", [](auto a) { return std::cosh(a); }, "cosh({0})");
  float_unary(
      "tanh", [](auto a) { return std::tanh(a); }, "tanh({0})");
  float_unary(
      "arcsinh", [](auto a) { return std::asinh(a); }, "asinh({0})");
  float_unary(
      "arccosh", [](auto a) { return std::acosh(a); }, "acosh({0})");
  float_unary(
      "arctanh", [](auto a) { return std::atanh(a); }, "atanh({0})");
  register_scalar_op(make_scalar_op<2, DTypeRule::Float, kFloatTypes>(
      "arctan2", [](auto a, auto b) { return std::atan2(a, b); }, "atan2({0}, {1})"));
}

}  // namespace theon
