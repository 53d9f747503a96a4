// Comparisons, float classification, logical and bitwise ops, and switch (NumPy's where).
//
// Comparisons are computed in the promoted dtype of their inputs, so int64 against uint64
// compares in float64 (NumPy 2 compares those exactly); values beyond 2**53 may compare wrong.
#include <cmath>
#include <type_traits>

#include "theon/ops/constant.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/scalar.hpp"
#include "theon/ops/scalar_functions.hpp"

namespace theon {
namespace {

template <class F>
void compare(const char* name, F f, const char* c_expr, const char* infix) {
  register_scalar_op(make_scalar_op<2, DTypeRule::Compare, kAllTypes>(name, f, c_expr, infix, 5));
}

template <class F>
void classify(const char* name, F f, const char* c_expr) {
  register_scalar_op(make_scalar_op<1, DTypeRule::Compare, kAllTypes>(name, f, c_expr));
}

}  // namespace

void register_scalar_compare() {
  compare(
      "less", [](auto a, auto b) { return a < b; }, "{0} < {1}", "<");
  compare(
      "less_equal", [](auto a, auto b) { return a <= b; }, "{0} <= {1}", "<=");
  compare(
      "greater", [](auto a, auto b) { return a > b; }, "{0} > {1}", ">");
  compare(
      "greater_equal", [](auto a, auto b) { return a >= b; }, "{0} >= {1}", ">=");
  compare(
      "equal", [](auto a, auto b) { return a == b; }, "{0} == {1}", "==");
  compare(
      "not_equal", [](auto a, auto b) { return a != b; }, "{0} != {1}", "!=");

  classify(
      "isnan", [](auto a) { return scalar_functions::theon_isnan(a); }, "theon_isnan({0})");
  classify(
      "isinf", [](auto a) { return scalar_functions::theon_isinf(a); }, "theon_isinf({0})");
  classify(
      "isfinite", [](auto a) { return scalar_functions::theon_isfinite(a); },
      "theon_isfinite({0})");

  // Logical ops see their inputs as bool (x != 0; NaN is true), like NumPy.
  register_scalar_op(make_scalar_op<2, DTypeRule::Logical, kBoolTypes>(
      "logical_and", [](bool a, bool b) { return a && b; }, "{0} && {1}", "&&", 3));
  register_scalar_op(make_scalar_op<2, DTypeRule::Logical, kBoolTypes>(
      "logical_or", [](bool a, bool b) { return a || b; }, "{0} || {1}", "||", 2));
  register_scalar_op(make_scalar_op<2, DTypeRule::Logical, kBoolTypes>(
      "logical_xor", [](bool a, bool b) { return a != b; }, "{0} != {1}"));
  register_scalar_op(make_scalar_op<1, DTypeRule::Logical, kBoolTypes>(
      "logical_not", [](bool a) { return !a; }, "!{0}", "!", 30));

  // Bitwise ops: bool and integers only (TypeError for floats, like NumPy).
  constexpr TypeSet kBits = kIntTypes | kBoolTypes;
  register_scalar_op(make_scalar_op<2, DTypeRule::Same, kBits>(
      "bitwise_and", [](auto a, auto b) { return static_cast<decltype(a)>(a & b); }, "{0} & {1}",
      "&", 8));
  register_scalar_op(make_scalar_op<2, DTypeRule::Same, kBits>(
      "bitwise_or", [](auto a, auto b) { return static_cast<decltype(a)>(a | b); }, "{0} | {1}",
      "|", 6));
  register_scalar_op(make_scalar_op<2, DTypeRule::Same, kBits>(
      "bitwise_xor", [](auto a, auto b) { return static_cast<decltype(a)>(a ^ b); }, "{0} ^ {1}",
      "^", 7));
  register_scalar_op(make_scalar_op<1, DTypeRule::Same, kBits>(
      "invert", [](auto a) { return scalar_functions::theon_invert(a); }, "theon_invert({0})", "~",
      30));

  // switch(cond, a, b): the condition arrives converted to the compute dtype of a and b, so the
  // C++ API and the builders convert a non-bool condition to bool first (x != 0): otherwise a
  // float condition 0.5 would truncate to 0 in an integer compute dtype.
  register_scalar_op(make_scalar_op<3, DTypeRule::Where, kAllTypes>(
      "switch", [](auto c, auto a, auto b) { return c != decltype(c)(0) ? a : b; },
      "({0} ? {1} : {2})"));

  // Gradients. Comparisons, classification, logical and bitwise ops are not differentiable:
  // their outputs are bool or integer, so no gradient ever reaches them, and their rule gives
  // null (disconnected) for every input rather than raising.
  for (const char* name : {"less", "less_equal", "greater", "greater_equal", "equal", "not_equal",
                           "isnan", "isinf", "isfinite", "logical_and", "logical_or", "logical_xor",
                           "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "invert"}) {
    register_scalar_grad(name, [](const std::vector<Var>& x, const Var&, const Var&) {
      return std::vector<Var>(x.size(), nullptr);
    });
  }
  // switch(cond, a, b): the gradient goes to the branch that was chosen (0 for the other, not
  // g * 0, so an inf gradient does not become NaN there); the condition gets null.
  register_scalar_grad("switch", [](const std::vector<Var>& x, const Var&, const Var& g) {
    Var zero = scalar_constant(0.0, g->type.dtype);
    return std::vector<Var>{nullptr, switch_(x[0], g, zero), switch_(x[0], zero, g)};
  });
}

}  // namespace theon
