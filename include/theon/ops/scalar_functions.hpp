// The scalar functions behind the C expressions of the scalar op table (theon_add, theon_mod,
// theon_psi, ...). The precompiled kernels call them, and the code generator embeds this file
// verbatim at the top of every generated source, so a fused kernel computes exactly what the
// reference kernels compute. It must therefore stay self-contained: standard headers only.
#pragma once

#include <math.h>  // lgamma_r (glibc)

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace theon::scalar_functions {

template <class T>
constexpr bool kIsInt = std::is_integral_v<T> && !std::is_same_v<T, bool>;

// The C math functions by their C names (expf for float, exp for double): GCC turns
// std::exp(float) into a builtin that it vectorizes with glibc's vector math only under
// -fno-math-errno, which also enables folds that are wrong for NaN (sin(atan(x)) -> +-1).
#define THEON_C_MATH_1(name)             \
  inline float theon_##name(float x) {   \
    return ::name##f(x);                 \
  }                                      \
  inline double theon_##name(double x) { \
    return ::name(x);                    \
  }
#define THEON_C_MATH_2(name)                       \
  inline float theon_##name(float x, float y) {    \
    return ::name##f(x, y);                        \
  }                                                \
  inline double theon_##name(double x, double y) { \
    return ::name(x, y);                           \
  }
THEON_C_MATH_1(exp)
THEON_C_MATH_1(exp2)
THEON_C_MATH_1(expm1)
THEON_C_MATH_1(log)
THEON_C_MATH_1(log2)
THEON_C_MATH_1(log10)
THEON_C_MATH_1(log1p)
THEON_C_MATH_1(sin)
THEON_C_MATH_1(cos)
THEON_C_MATH_1(tan)
THEON_C_MATH_1(asin)
THEON_C_MATH_1(acos)
THEON_C_MATH_1(atan)
THEON_C_MATH_1(sinh)
THEON_C_MATH_1(cosh)
THEON_C_MATH_1(tanh)
THEON_C_MATH_1(asinh)
THEON_C_MATH_1(acosh)
THEON_C_MATH_1(atanh)
THEON_C_MATH_1(erf)
THEON_C_MATH_1(erfc)
THEON_C_MATH_2(atan2)
#undef THEON_C_MATH_1
#undef THEON_C_MATH_2

// Integer arithmetic wraps around like NumPy's: it is done in an unsigned type at least as wide
// as `unsigned int`, so that no signed overflow (undefined behaviour) can happen, not even
// through the promotion of small types to int (uint16 * uint16 overflows int).
template <class T>
using wide_unsigned_t =
    std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;

template <class T>
inline T theon_add(T a, T b) {
  if constexpr (std::is_same_v<T, bool>) {
    return a || b;
  } else if constexpr (kIsInt<T>) {
    using W = wide_unsigned_t<T>;
    return static_cast<T>(static_cast<W>(static_cast<W>(a) + static_cast<W>(b)));
  } else {
    return a + b;
  }
}

template <class T>
inline T theon_sub(T a, T b) {
  if constexpr (kIsInt<T>) {
    using W = wide_unsigned_t<T>;
    return static_cast<T>(static_cast<W>(static_cast<W>(a) - static_cast<W>(b)));
  } else {
    return a - b;
  }
}

template <class T>
inline T theon_mul(T a, T b) {
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
inline T theon_neg(T a) {
  if constexpr (kIsInt<T>) {
    using W = wide_unsigned_t<T>;
    return static_cast<T>(static_cast<W>(W{0} - static_cast<W>(a)));
  } else {
    return -a;
  }
}

// Python's divmod for floats: the quotient is floored and the remainder takes the divisor's sign.
template <class T>
inline void float_divmod(T a, T b, T& quotient, T& remainder) {
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
inline T theon_floor_divide(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    T q, r;
    float_divmod(a, b, q, r);
    return q;
  } else if constexpr (std::is_unsigned_v<T>) {
    return b == 0 ? T(0) : static_cast<T>(a / b);
  } else {
    if (b == 0) return T(0);              // NumPy: 0 (with a warning)
    if (b == T(-1)) return theon_neg(a);  // INT_MIN // -1 wraps instead of trapping
    T q = static_cast<T>(a / b);
    if (static_cast<T>(a % b) != 0 && ((a < 0) != (b < 0))) q = static_cast<T>(q - 1);
    return q;
  }
}

template <class T>
inline T theon_mod(T a, T b) {
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

// Integer powers by squaring with wrap-around. A negative integer exponent is an error that the
// caller reports (the precompiled kernel raises; fusion never takes integer pow).
template <class T>
inline T theon_pow(T base, T exponent) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::pow(base, exponent);
  } else {
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
inline T theon_abs(T a) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::fabs(a);
  } else if constexpr (kIsInt<T> && std::is_signed_v<T>) {
    return a < 0 ? theon_neg(a) : a;  // abs(INT_MIN) wraps to INT_MIN like NumPy
  } else {
    return a;
  }
}

template <class T>
inline T theon_sign(T a) {
  if constexpr (std::is_unsigned_v<T>) {
    return a > 0 ? T(1) : T(0);
  } else {
    // NaN maps to itself and -0.0 to +0.0, as in NumPy.
    return a > 0 ? T(1) : (a < 0 ? T(-1) : (a == 0 ? T(0) : a));
  }
}

// NaN-propagating maximum and minimum (NumPy's np.maximum / np.minimum).
// Written as selects, not branches, so that loops over them vectorize.
template <class T>
inline T theon_maximum(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    return a != a ? a : (b != b ? b : (a < b ? b : a));
  } else {
    return a < b ? b : a;
  }
}

template <class T>
inline T theon_minimum(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    return a != a ? a : (b != b ? b : (b < a ? b : a));
  } else {
    return b < a ? b : a;
  }
}

template <class T>
inline T theon_sqr(T a) {
  return theon_mul(a, a);
}

// Rounding leaves integers and bools unchanged.
template <class T>
inline T theon_floor(T a) {
  if constexpr (std::is_floating_point_v<T>) return std::floor(a);
  return a;
}
template <class T>
inline T theon_ceil(T a) {
  if constexpr (std::is_floating_point_v<T>) return std::ceil(a);
  return a;
}
template <class T>
inline T theon_trunc(T a) {
  if constexpr (std::is_floating_point_v<T>) return std::trunc(a);
  return a;
}
// nearbyint rounds with the current rounding mode, which is to nearest, ties to even.
template <class T>
inline T theon_rint(T a) {
  if constexpr (std::is_floating_point_v<T>) return std::nearbyint(a);
  return a;
}
template <class T>
inline T theon_round_away(T a) {
  if constexpr (std::is_floating_point_v<T>) return std::round(a);
  return a;
}

template <class T>
inline bool theon_isnan(T a) {
  if constexpr (std::is_floating_point_v<T>) return std::isnan(a);
  return false;
}
template <class T>
inline bool theon_isinf(T a) {
  if constexpr (std::is_floating_point_v<T>) return std::isinf(a);
  return false;
}
template <class T>
inline bool theon_isfinite(T a) {
  if constexpr (std::is_floating_point_v<T>) return std::isfinite(a);
  return true;
}

template <class T>
inline T theon_invert(T a) {
  if constexpr (std::is_same_v<T, bool>) {
    return !a;
  } else {
    return static_cast<T>(~a);
  }
}

inline constexpr double kPi = 3.14159265358979323846;
inline constexpr double kTwoOverSqrtPi = 1.12837916709551257390;

// Inverse error function. A closed-form approximation (Winitzki's, relative error about 2e-3)
// gives the start; Halley's method on erf (or on erfc for |y| >= 0.5, where 1 - |y| is exact and
// erf(x) - y would cancel) converges cubically, so three steps reach double precision. Computed
// in double also for float32, then rounded.
inline double erfinv_double(double y) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  if (std::isnan(y) || y < -1 || y > 1) return nan;
  if (y == 1) return inf;
  if (y == -1) return -inf;
  if (y == 0) return y;  // keeps the sign of zero
  const double a = std::fabs(y);
  const double k = 0.147;
  const double l = std::log((1 - a) * (1 + a));
  const double h = 2 / (kPi * k) + l / 2;
  double x = std::sqrt(std::fmax(0.0, std::sqrt(h * h - l / k) - h));
  const double c = 1 - a;  // exact when a >= 0.5
  for (int i = 0; i < 3; ++i) {
    const double d = kTwoOverSqrtPi * std::exp(-x * x);
    const double t = a < 0.5 ? (std::erf(x) - a) / d : (c - std::erfc(x)) / d;
    x -= t / (1 + x * t);
  }
  return y < 0 ? -x : x;
}

template <class T>
inline T theon_erfinv(T y) {
  return static_cast<T>(erfinv_double(static_cast<double>(y)));
}

// log |gamma(x)|; std::lgamma writes the global signgam, which is not thread-safe.
inline double theon_gammaln(double x) {
#if defined(__GLIBC__)
  int sign;
  return ::lgamma_r(x, &sign);
#else
  return std::lgamma(x);
#endif
}

inline float theon_gammaln(float x) {
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
inline double digamma_double(double x) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  if (std::isnan(x) || x == -inf) return nan;
  if (x == inf) return inf;
  if (x == 0) return std::signbit(x) ? inf : -inf;  // scipy: psi(+0) = -inf, psi(-0) = inf
  double result = 0;
  if (x < 0) {
    const double nearest = std::nearbyint(x);
    if (x == nearest) return nan;  // poles at the non-positive integers
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

template <class T>
inline T theon_psi(T x) {
  return static_cast<T>(digamma_double(static_cast<double>(x)));
}

// Trigamma psi'(x) = sum_k 1 / (x + k)^2: reflection psi'(x) = pi^2 / sin^2(pi x) - psi'(1 - x)
// for x < 0, the recurrence psi'(x) = psi'(x + 1) + 1 / x^2 up to x >= 10, then the asymptotic
// series psi'(x) ~ 1/x + 1/(2x^2) + sum B_2n / x^(2n+1). Poles (+inf) at the non-positive
// integers, like scipy.special.polygamma(1, x).
inline double trigamma_double(double x) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  if (std::isnan(x) || x == -inf) return nan;
  if (x == inf) return 0;
  double result = 0;
  double sign = 1;
  if (x <= 0) {
    const double nearest = std::nearbyint(x);
    if (x == nearest) return inf;
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

template <class T>
inline T theon_trigamma(T x) {
  return static_cast<T>(trigamma_double(static_cast<double>(x)));
}

// exp of a large positive argument never appears: both exponentiate -|x|. Selects, not
// branches, so that loops over them vectorize.
template <class T>
inline T theon_sigmoid(T a) {
  const T e = theon_exp(-std::fabs(a));
  return a >= 0 ? T(1) / (T(1) + e) : e / (T(1) + e);
}

template <class T>
inline T theon_softplus(T a) {
  return T((a > 0 ? a : T(0)) + theon_log1p(theon_exp(-std::fabs(a))));
}

// clip(0.2 x + 0.5, 0, 1); NaN stays NaN.
template <class T>
inline T theon_hard_sigmoid(T a) {
  const T r = a * T(0.2) + T(0.5);
  return r < T(0) ? T(0) : (r > T(1) ? T(1) : r);
}

// maximum(x, 0): NaN propagates as in numpy.maximum.
template <class T>
inline T theon_relu(T a) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return a;
  }
  return a > T(0) ? a : T(0);
}

// where(x > 0, x, x * alpha).
template <class T>
inline T theon_leaky_relu(T a, T alpha) {
  return a > T(0) ? a : theon_mul(a, alpha);
}

}  // namespace theon::scalar_functions
