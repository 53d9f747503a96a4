// Arithmetic scalar ops (add, sub, mul, divisions, modulo, power, abs, sign, maximum, minimum,
// clip, ...) and the elementary float functions exp and log.
//
// Integer arithmetic wraps around like NumPy's: it is done in an unsigned type at least as wide
// as `unsigned int`, so that no signed overflow (undefined behaviour in C++) can happen, not even
// through the promotion of small types to int (uint16 * uint16 overflows int).
//
// C expressions: the simple ones are plain C; the others call helpers named theon_<op>(...)
// (theon_floor_divide, theon_mod, theon_pow, theon_abs, theon_sign, theon_maximum,
// theon_minimum) that a code generator must define with the semantics of the kernels below.
#include <cmath>
#include <type_traits>

#include "theon/core/error.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/scalar.hpp"
#include "theon/ops/scalar_functions.hpp"

namespace theon {
namespace {

using namespace scalar_functions;

// Integer pow with a negative exponent is an error in NumPy; the scalar function cannot raise.
template <class T>
T checked_pow(T base, T exponent) {
  if constexpr (std::is_signed_v<T> && kIsInt<T>) {
    if (exponent < 0) throw ValueError("pow: integers to negative integer powers are not allowed");
  }
  return theon_pow(base, exponent);
}

// The gradient g where `mask` (bool) holds, 0 elsewhere.
Var masked(const Var& mask, const Var& g) {
  return switch_(mask, g, scalar_constant(0.0, g->type.dtype));
}

// Zeros shaped like g that stay connected to the graph (the gradient of a piecewise-constant
// function is 0, not "none").
Var connected_zeros(const Var& g) {
  return g * 0.0;
}

}  // namespace

void register_scalar_arith() {
  constexpr TypeSet kNoBool = kNumericTypes;
  register_scalar_op(make_scalar_op<2, DTypeRule::Same, kAllTypes>(
      "add", [](auto a, auto b) { return theon_add(a, b); }, "theon_add({0}, {1})", "+", 10));
  register_scalar_op(make_scalar_op<2, DTypeRule::Same, kNoBool>(
      "sub", [](auto a, auto b) { return theon_sub(a, b); }, "theon_sub({0}, {1})", "-", 10));
  register_scalar_op(make_scalar_op<2, DTypeRule::Same, kAllTypes>(
      "mul", [](auto a, auto b) { return theon_mul(a, b); }, "theon_mul({0}, {1})", "*", 20));
  register_scalar_op(make_scalar_op<2, DTypeRule::Float, kFloatTypes>(
      "true_divide", [](auto a, auto b) { return a / b; }, "{0} / {1}", "/", 20));
  register_scalar_op(make_scalar_op<2, DTypeRule::Same, kNoBool>(
      "floor_divide", [](auto a, auto b) { return theon_floor_divide(a, b); },
      "theon_floor_divide({0}, {1})", "//", 20));
  register_scalar_op(make_scalar_op<2, DTypeRule::Same, kNoBool>(
      "mod", [](auto a, auto b) { return theon_mod(a, b); }, "theon_mod({0}, {1})", "%", 20));
  register_scalar_op(make_scalar_op<2, DTypeRule::Same, kNoBool>(
      "pow", [](auto a, auto b) { return checked_pow(a, b); }, "theon_pow({0}, {1})", "**", 40));
  register_scalar_op(make_scalar_op<1, DTypeRule::Same, kNoBool>(
      "neg", [](auto a) { return theon_neg(a); }, "theon_neg({0})", "-", 30));
  register_scalar_op(make_scalar_op<1, DTypeRule::Same, kAllTypes>(
      "abs", [](auto a) { return theon_abs(a); }, "theon_abs({0})"));
  // NumPy has no sign for bool: it is rejected (TypeError).
  register_scalar_op(make_scalar_op<1, DTypeRule::Same, kNoBool>(
      "sign", [](auto a) { return theon_sign(a); }, "theon_sign({0})"));
  register_scalar_op(make_scalar_op<2, DTypeRule::Same, kAllTypes>(
      "maximum", [](auto a, auto b) { return theon_maximum(a, b); }, "theon_maximum({0}, {1})"));
  register_scalar_op(make_scalar_op<2, DTypeRule::Same, kAllTypes>(
      "minimum", [](auto a, auto b) { return theon_minimum(a, b); }, "theon_minimum({0}, {1})"));
  register_scalar_op(make_scalar_op<3, DTypeRule::Same, kAllTypes>(
      "clip", [](auto x, auto lo, auto hi) { return theon_minimum(theon_maximum(x, lo), hi); },
      "theon_minimum(theon_maximum({0}, {1}), {2})"));
  register_scalar_op(make_scalar_op<1, DTypeRule::Same, kNoBool>(
      "sqr", [](auto a) { return theon_sqr(a); }, "theon_sqr({0})"));
  // Deliberate difference: NumPy's reciprocal of an integer is an integer (1 // x); Theon follows
  // Theano and computes it in float (float32 for <= 16-bit ints and bool, float64 otherwise).
  register_scalar_op(make_scalar_op<1, DTypeRule::Float, kFloatTypes>(
      "reciprocal", [](auto a) { return decltype(a)(1) / a; }, "({T})1 / {0}"));
  register_scalar_op(make_scalar_op<1, DTypeRule::Float, kFloatTypes>(
      "exp", [](auto a) { return scalar_functions::theon_exp(a); }, "theon_exp({0})"));
  register_scalar_op(make_scalar_op<1, DTypeRule::Float, kFloatTypes>(
      "log", [](auto a) { return scalar_functions::theon_log(a); }, "theon_log({0})"));
  register_scalar_op(make_scalar_op<1, DTypeRule::Cast, kAllTypes>(
      "cast", [](auto a) { return a; }, "({T}){0}"));

  register_scalar_grad("add", [](const std::vector<Var>&, const Var&, const Var& g) {
    return std::vector<Var>{g, g};
  });
  register_scalar_grad("sub", [](const std::vector<Var>&, const Var&, const Var& g) {
    return std::vector<Var>{g, neg(g)};
  });
  register_scalar_grad("mul", [](const std::vector<Var>& x, const Var&, const Var& g) {
    return std::vector<Var>{mul(g, x[1]), mul(g, x[0])};
  });
  register_scalar_grad("true_divide", [](const std::vector<Var>& x, const Var& out, const Var& g) {
    Var ga = true_divide(g, x[1]);
    return std::vector<Var>{ga, neg(mul(ga, out))};
  });
  register_scalar_grad("neg", [](const std::vector<Var>&, const Var&, const Var& g) {
    return std::vector<Var>{neg(g)};
  });
  register_scalar_grad("exp", [](const std::vector<Var>&, const Var& out, const Var& g) {
    return std::vector<Var>{mul(g, out)};
  });
  register_scalar_grad("log", [](const std::vector<Var>& x, const Var&, const Var& g) {
    return std::vector<Var>{true_divide(g, x[0])};
  });

  // Gradient rules are graphs of differentiable ops, so second derivatives work. Where the
  // derivative is zero almost everywhere (sign, floor_divide) the rule returns connected zeros
  // (0 * g, output-shaped), not null. Masks use switch rather than multiplying g by a 0/1 mask,
  // so that an inf or NaN gradient does not leak into the input that was not chosen.
  register_scalar_grad("pow", [](const std::vector<Var>& x, const Var& out, const Var& g) {
    const Var& a = x[0];
    const Var& b = x[1];
    // d/da = b * a ** (b - 1).
    Var ga = is_float(a->type.dtype) ? mul(mul(g, b), pow(a, b - 1.0)) : nullptr;
    // d/db = a ** b * log(a), except where a == 0: there it is 0 (the one-sided limit for
    // b > 0, where 0 ** b is flat; Theano's and NumPy users' convention, also used for b <= 0
    // where 0 ** b is not differentiable). Without the guard 0 * log(0) would give NaN.
    Var gb;
    if (is_float(b->type.dtype)) {
      Var is_zero = equal(a, 0.0);
      // log of a where a != 0 and of 1 where a == 0, so the unused branch is finite too.
      Var safe_a = switch_(is_zero, scalar_constant(1.0, a->type.dtype), a);
      gb = masked(logical_not(is_zero), mul(mul(g, out), log(safe_a)));
    }
    return std::vector<Var>{ga, gb};
  });
  register_scalar_grad("abs", [](const std::vector<Var>& x, const Var&, const Var& g) {
    // sign(0) = 0: the subgradient at 0 is 0.
    return std::vector<Var>{mul(g, sign(x[0]))};
  });
  register_scalar_grad("sign", [](const std::vector<Var>&, const Var&, const Var& g) {
    return std::vector<Var>{connected_zeros(g)};
  });
  // maximum / minimum route the gradient to the input that was chosen. Ties (a == b) give the
  // whole gradient to the FIRST input, the other gets 0, matching the kernels (which return a
  // on ties). With a NaN operand the comparison is false, so the gradient goes to the first
  // input, also when the NaN (and so the result) came from the second.
  register_scalar_grad("maximum", [](const std::vector<Var>& x, const Var&, const Var& g) {
    Var b_wins = less(x[0], x[1]);
    return std::vector<Var>{masked(logical_not(b_wins), g), masked(b_wins, g)};
  });
  register_scalar_grad("minimum", [](const std::vector<Var>& x, const Var&, const Var& g) {
    Var b_wins = less(x[1], x[0]);
    return std::vector<Var>{masked(logical_not(b_wins), g), masked(b_wins, g)};
  });
  // clip(x, lo, hi) = minimum(maximum(x, lo), hi) and its gradient is that of the composition:
  // x gets the gradient on the closed interval lo <= x <= hi (ties at either bound go to x),
  // lo where x < lo, hi where the result is hi because x > hi. When lo > hi the result is hi
  // everywhere and so is the gradient (NumPy's clip gives hi there too).
  register_scalar_grad("clip", [](const std::vector<Var>& x, const Var&, const Var& g) {
    Var below = less(x[0], x[1]);
    Var to_hi = less(x[2], maximum(x[0], x[1]));
    Var not_hi = logical_not(to_hi);
    return std::vector<Var>{masked(logical_and(logical_not(below), not_hi), g),
                            masked(logical_and(below, not_hi), g), masked(to_hi, g)};
  });
  register_scalar_grad("sqr", [](const std::vector<Var>& x, const Var&, const Var& g) {
    return std::vector<Var>{mul(g, x[0] * 2.0)};
  });
  register_scalar_grad("reciprocal", [](const std::vector<Var>&, const Var& out, const Var& g) {
    return std::vector<Var>{neg(mul(g, sqr(out)))};
  });
  // mod(a, b) = a - b * floor(a / b): d/da = 1, d/db = -floor_divide(a, b) (the quotient is
  // piecewise constant; at its jumps the function is not differentiable).
  register_scalar_grad("mod", [](const std::vector<Var>& x, const Var&, const Var& g) {
    return std::vector<Var>{g, neg(mul(g, floor_divide(x[0], x[1])))};
  });
  register_scalar_grad("floor_divide", [](const std::vector<Var>&, const Var&, const Var& g) {
    return std::vector<Var>{connected_zeros(g), connected_zeros(g)};
  });
}

}  // namespace theon
