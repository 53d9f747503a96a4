// C++ API of the elementwise math functions (see src/ops/math.cpp): one function per scalar op,
// with NumPy's names and NumPy 2 semantics (dtype rules are those of the scalar op table in
// theon/ops/scalar.hpp). add, sub, mul, true_divide, neg, exp, log and cast are declared in
// theon/ops/elemwise.hpp.
#pragma once

#include "theon/graph/variable.hpp"
#include "theon/ops/elemwise.hpp"

namespace theon {

// Arithmetic. floor_divide and mod follow Python's sign rules; integer division or modulo by
// zero gives 0. pow of an integer to a negative integer power raises ValueError when run.
// pow, sqr, floor_divide and mod of bools compute in int8, as NumPy does.
Var floor_divide(const Var& a, const Var& b);
Var mod(const Var& a, const Var& b);
Var pow(const Var& a, const Var& b);
Var pow(const Var& a, double b);
Var abs(const Var& x);
Var sign(const Var& x);
Var sqr(const Var& x);
// Computed in float even for integers (NumPy would give an integer 1 // x).
Var reciprocal(const Var& x);
// NaN-propagating, dtype of the promoted inputs. Gradient: to the input that was chosen; on
// ties (a == b) all of it to the first input, none to the second.
Var maximum(const Var& a, const Var& b);
Var minimum(const Var& a, const Var& b);
Var maximum(const Var& a, double b);
Var minimum(const Var& a, double b);
// minimum(maximum(x, lo), hi). Gradient: to x on the closed interval lo <= x <= hi (ties at
// a bound go to x), to lo where x < lo, to hi where x > hi (and everywhere when lo > hi).
Var clip(const Var& x, const Var& lo, const Var& hi);
Var clip(const Var& x, double lo, double hi);

// Float functions (ints and bool compute in float32 up to 16 bits, float64 beyond).
Var exp2(const Var& x);
Var expm1(const Var& x);
Var log2(const Var& x);
Var log10(const Var& x);
Var log1p(const Var& x);
Var sqrt(const Var& x);
Var sin(const Var& x);
Var cos(const Var& x);
Var tan(const Var& x);
Var arcsin(const Var& x);
Var arccos(const Var& x);
Var arctan(const Var& x);
Var sinh(const Var& x);
Var cosh(const Var& x);
Var tanh(const Var& x);
Var arcsinh(const Var& x);
Var arccosh(const Var& x);
Var arctanh(const Var& x);
Var arctan2(const Var& y, const Var& x);
Var erf(const Var& x);
Var erfc(const Var& x);
Var erfinv(const Var& x);
Var gamma(const Var& x);
Var gammaln(const Var& x);   // log |gamma(x)|
Var psi(const Var& x);       // digamma
Var trigamma(const Var& x);  // polygamma(1, x), the derivative of psi

// Rounding: integers and bools keep their dtype and value.
Var floor(const Var& x);
Var ceil(const Var& x);
Var trunc(const Var& x);
Var round(const Var& x);  // half to even, like np.round
Var round_half_away_from_zero(const Var& x);

// Comparisons and classification: bool results.
Var less(const Var& a, const Var& b);
Var less_equal(const Var& a, const Var& b);
Var greater(const Var& a, const Var& b);
Var greater_equal(const Var& a, const Var& b);
Var equal(const Var& a, const Var& b);
Var not_equal(const Var& a, const Var& b);
Var less(const Var& a, double b);
Var less_equal(const Var& a, double b);
Var greater(const Var& a, double b);
Var greater_equal(const Var& a, double b);
Var equal(const Var& a, double b);
Var not_equal(const Var& a, double b);
Var isnan(const Var& x);
Var isinf(const Var& x);
Var isfinite(const Var& x);

// Logical (inputs read as x != 0) and bitwise (bool and integers) ops.
Var logical_and(const Var& a, const Var& b);
Var logical_or(const Var& a, const Var& b);
Var logical_xor(const Var& a, const Var& b);
Var logical_not(const Var& x);
Var bitwise_and(const Var& a, const Var& b);
Var bitwise_or(const Var& a, const Var& b);
Var bitwise_xor(const Var& a, const Var& b);
Var invert(const Var& x);

// NumPy's where: elements of a where cond is true (nonzero), of b elsewhere; the dtype is that
// of a and b promoted. A non-bool cond is converted to bool first.
Var switch_(const Var& cond, const Var& a, const Var& b);
Var where(const Var& cond, const Var& a, const Var& b);

}  // namespace theon
