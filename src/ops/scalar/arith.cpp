// Arithmetic scalar ops and the elementary float functions exp and log.
#include <cmath>

#include "theon/ops/scalar.hpp"

namespace theon {

void register_scalar_arith() {
  constexpr TypeSet kNoBool = kNumericTypes;
  register_scalar_op(make_scalar_op<2, DTypeRule::Same, kAllTypes>(
      "add", [](auto a, auto b) { return a + b; }, "{0} + {1}", "+", 10));
  register_scalar_op(make_scalar_op<2, DTypeRule::Same, kNoBool>(
      "sub", [](auto a, auto b) { return a - b; }, "{0} - {1}", "-", 10));
  register_scalar_op(make_scalar_op<2, DTypeRule::Same, kAllTypes>(
      "mul", [](auto a, auto b) { return a * b; }, "{0} * {1}", "*", 20));
  register_scalar_op(make_scalar_op<2, DTypeRule::Float, kFloatTypes>(
      "true_divide", [](auto a, auto b) { return a / b; }, "{0} / {1}", "/", 20));
  register_scalar_op(make_scalar_op<1, DTypeRule::Same, kNoBool>(
      "neg", [](auto a) { return -a; }, "-{0}", "-", 30));
  register_scalar_op(make_scalar_op<1, DTypeRule::Float, kFloatTypes>(
      "exp", [](auto a) { return std::exp(a); }, "exp({0})"));
  register_scalar_op(make_scalar_op<1, DTypeRule::Float, kFloatTypes>(
      "log", [](auto a) { return std::log(a); }, "log({0})"));
  register_scalar_op(make_scalar_op<1, DTypeRule::Cast, kAllTypes>(
      "cast", [](auto a) { return a; }, "({T}){0}"));
}

}  // namespace theon
