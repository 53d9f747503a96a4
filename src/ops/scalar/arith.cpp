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

namespace theon {
namespace {

template <class T>
constexpr bool kIsInt = std::is_integral_v<T> && !std::is_same_v<T, bool>;

// The unsigned type integer arithmetic on T is carried out in.
template <class T>
using wide_unsigned_t =
    std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;

template <class T>
T wrap_add(T a, T b) {
  if constexpr (kIsInt<T>) {
    using W = wide_unsigned_t<T>;
    return static_cast<T>(static_cast<W>(static_cast<W>(a) + static_cast<W>(b)));
  } else {
    return a + b;
  }
}

template <class T>
T wrap_sub(T a, T b) {
  if constexpr (kIsInt<T>) {
    using W = wide_unsigned_t<T>;
    return static_cast<T>(static_cast<W>(static_cast<W>(a) - static_cast<W>(b)));
  } else {
    return a - b;
  }
}

template <class T>
T wrap_mul(T a, T b) {
  if constexpr (kIsInt<T>) {
    using W = wide_unsigned_t<T>;
    return static_cast<T>(static_cast<W>(static_cast<W>(a) * static_cast<W>(b)));
  } else if constexpr (std::is_same_v<T, bool>) {
    return a && b;
  } else {
    return a * b;
  }
}

template <class T>
T wrap_neg(T a) {
  if constexpr (kIsInt<T>) {
    using W = wide_unsigned_t<T>;
    return static_cast<T>(static_cast<W>(W{0} - static_cast<W>(a)));
  } else {
    return -a;
  }
}

// Python's divmod for floats: the quotient is floored and the remainder takes the divisor's sign.
template <class T>
void float_divmod(T a, T b, T& quotient, T& remainder) {
  T mod = std::fmod(a, b);
  if (b == 0) {
    quotient = a / b;
    remainder = mod;
    return;
  }
  T div = (a - mod) / b;
  if (mod != 0) {
    if ((b < 0) != (mod < 0)) {
      mod += b;
      div -= 1;
    }
  } else {
    mod = std::copysign(T(0), b);
  }
  T floored;
  if (div != 0) {
    floored = std::floor(div);
    if (div - floored > T(0.5)) floored += 1;
  } else {
    floored = std::copysign(T(0), a / b);
  }
  quotient = floored;
  remainder = mod;
}

template <class T>
T floor_divide(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    T q, r;
    float_divmod(a, b, q, r);
    return q;
  } else if constexpr (std::is_unsigned_v<T>) {
    return b == 0 ? T(0) : static_cast<T>(a / b);
  } else {
    if (b == 0) return T(0);             // NumPy: 0 (with a warning)
    if (b == T(-1)) return wrap_neg(a);  // INT_MIN // -1 wraps instead of trapping
    T q = static_cast<T>(a / b);
    if (static_cast<T>(a % b) != 0 && ((a < 0) != (b < 0))) q = static_cast<T>(q - 1);
    return q;
  }
}

template <class T>
T mod(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    T q, r;
    float_divmod(a, b, q, r);
    return r;
  } else if constexpr (std::is_unsigned_v<T>) {
    return b == 0 ? T(0) : static_cast<T>(a % b);
  } else {
    if (b == 0 || b == T(-1)) return T(0);  // x % -1 is 0; INT_MIN % -1 would trap
    T r = static_cast<T>(a % b);
    if (r != 0 && ((r < 0) != (b < 0))) r = static_cast<T>(r + b);
    return r;
  }
}

template <class T>
T power(T base, T exponent) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::pow(base, exponent);
  } else {
    if constexpr (std::is_signed_v<T>) {
      if (exponent < 0) {
        throw ValueError("pow: integers to negative integer powers are not allowed");
      }
    }
    using W = wide_unsigned_t<T>;
    W result = 1;
    W b = static_cast<W>(base);
    auto e = static_cast<std::make_unsigned_t<T>>(exponent);
    while (e != 0) {
      if (e & 1u) result = static_cast<W>(result * b);
      b = static_cast<W>(b * b);
      e = static_cast<decltype(e)>(e >> 1);
    }
    return static_cast<T>(result);
  }
}

template <class T>
T absolute(T a) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::fabs(a);
  } else if constexpr (kIsInt<T> && std::is_signed_v<T>) {
    return a < 0 ? wrap_neg(a) : a;  // abs(INT_MIN) wraps to INT_MIN like NumPy
  } else {
    return a;
  }
}

template <class T>
T sign(T a) {
  if constexpr (std::is_unsigned_v<T>) {
    return a > 0 ? T(1) : T(0);
  } else {
    // Zero (either sign) and NaN map to themselves.
    return a > 0 ? T(1) : (a < 0 ? T(-1) : a);
  }
}

// NaN-propagating maximum and minimum (NumPy's np.maximum / np.minimum).
template <class T>
T maximum(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return a;
    if (std::isnan(b)) return b;
  }
  return a < b ? b : a;
}

template <class T>
T minimum(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return a;
    if (std::isnan(b)) return b;
  }
  return b < a ? b : a;
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
      "add",
      [](auto a, auto b) {
        if constexpr (std::is_same_v<decltype(a), bool>) {
          return a || b;
        } else {
          return wrap_add(a, b);
        }
      },
      "{0} + {1}", "+", 10));
  register_scalar_op(make_scalar_op<2, DTypeRule::Same, kNoBool>(
      "sub", [](auto a, auto b) { return wrap_sub(a, b); }, "{0} - {1}", "-", 10));
  register_scalar_op(make_scalar_op<2, DTypeRule::Same, kAllTypes>(
      "mul", [](auto a, auto b) { return wrap_mul(a, b); }, "{0} * {1}", "*", 20));
  register_scalar_op(make_scalar_op<2, DTypeRule::Float, kFloatTypes>(
      "true_divide", [](auto a, auto b) { return a / b; }, "{0} / {1}", "/", 20));
  register_scalar_op(make_scalar_op<2, DTypeRule::Same, kNoBool>(
      "floor_divide", [](auto a, auto b) { return floor_divide(a, b); },
      "theon_floor_divide({0}, {1})", "//", 20));
  register_scalar_op(make_scalar_op<2, DTypeRule::Same, kNoBool>(
      "mod", [](auto a, auto b) { return mod(a, b); }, "theon_mod({0}, {1})", "%", 20));
  register_scalar_op(make_scalar_op<2, DTypeRule::Same, kNoBool>(
      "pow", [](auto a, auto b) { return power(a, b); }, "theon_pow({0}, {1})", "**", 40));
  register_scalar_op(make_scalar_op<1, DTypeRule::Same, kNoBool>(
      "neg", [](auto a) { return wrap_neg(a); }, "-{0}", "-", 30));
  register_scalar_op(make_scalar_op<1, DTypeRule::Same, kAllTypes>(
      "abs", [](auto a) { return absolute(a); }, "theon_abs({0})"));
  // NumPy has no sign for bool: it is rejected (TypeError).
  register_scalar_op(make_scalar_op<1, DTypeRule::Same, kNoBool>(
      "sign", [](auto a) { return sign(a); }, "theon_sign({0})"));
  register_scalar_op(make_scalar_op<2, DTypeRule::Same, kAllTypes>(
      "maximum", [](auto a, auto b) { return maximum(a, b); }, "theon_maximum({0}, {1})"));
  register_scalar_op(make_scalar_op<2, DTypeRule::Same, kAllTypes>(
      "minimum", [](auto a, auto b) { return minimum(a, b); }, "theon_minimum({0}, {1})"));
  register_scalar_op(make_scalar_op<3, DTypeRule::Same, kAllTypes>(
      "clip", [](auto x, auto lo, auto hi) { return minimum(maximum(x, lo), hi); },
      "theon_minimum(theon_maximum({0}, {1}), {2})"));
  register_scalar_op(make_scalar_op<1, DTypeRule::Same, kNoBool>(
      "sqr", [](auto a) { return wrap_mul(a, a); }, "{0} * {0}"));
  // Deliberate difference: NumPy's reciprocal of an integer is an integer (1 // x); Theon follows
  // Theano and computes it in float (float32 for <= 16-bit ints and bool, float64 otherwise).
  register_scalar_op(make_scalar_op<1, DTypeRule::Float, kFloatTypes>(
      "reciprocal", [](auto a) { return decltype(a)(1) / a; }, "({T})1 / {0}"));
  register_scalar_op(make_scalar_op<1, DTypeRule::Float, kFloatTypes>(
      "exp", [](auto a) { return std::exp(a); }, "exp({0})"));
  register_scalar_op(make_scalar_op<1, DTypeRule::Float, kFloatTypes>(
      "log", [](auto a) { return std::log(a); }, "log({0})"));
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
