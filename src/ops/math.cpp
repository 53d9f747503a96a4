#include "theon/ops/math.hpp"

#include <vector>

#include "theon/ops/constant.hpp"

namespace theon {
namespace {

// NumPy computes power, square, floor_divide and remainder of bools in int8.
std::vector<Var> int8_if_all_bool(std::vector<Var> in) {
  for (const Var& v : in) {
    if (v->type.dtype != DType::Bool) return in;
  }
  for (Var& v : in) v = cast(v, DType::Int8);
  return in;
}

}  // namespace

Var floor_divide(const Var& a, const Var& b) {
  return elemwise("floor_divide", int8_if_all_bool({a, b}));
}
Var mod(const Var& a, const Var& b) {
  return elemwise("mod", int8_if_all_bool({a, b}));
}
Var pow(const Var& a, const Var& b) {
  return elemwise("pow", int8_if_all_bool({a, b}));
}
Var pow(const Var& a, double b) {
  return pow(a, weak_scalar(b, a));
}
Var abs(const Var& x) {
  return elemwise("abs", {x});
}
Var sign(const Var& x) {
  return elemwise("sign", {x});
}
Var sqr(const Var& x) {
  return elemwise("sqr", int8_if_all_bool({x}));
}
Var reciprocal(const Var& x) {
  return elemwise("reciprocal", {x});
}
Var maximum(const Var& a, const Var& b) {
  return elemwise("maximum", {a, b});
}
Var minimum(const Var& a, const Var& b) {
  return elemwise("minimum", {a, b});
}
Var maximum(const Var& a, double b) {
  return maximum(a, weak_scalar(b, a));
}
Var minimum(const Var& a, double b) {
  return minimum(a, weak_scalar(b, a));
}
Var clip(const Var& x, const Var& lo, const Var& hi) {
  return elemwise("clip", {x, lo, hi});
}
Var clip(const Var& x, double lo, double hi) {
  return clip(x, weak_scalar(lo, x), weak_scalar(hi, x));
}

Var exp2(const Var& x) {
  return elemwise("exp2", {x});
}
Var expm1(const Var& x) {
  return elemwise("expm1", {x});
}
Var log2(const Var& x) {
  return elemwise("log2", {x});
}
Var log10(const Var& x) {
  return elemwise("log10", {x});
}
Var log1p(const Var& x) {
  return elemwise("log1p", {x});
}
Var sqrt(const Var& x) {
  return elemwise("sqrt", {x});
}
Var sin(const Var& x) {
  return elemwise("sin", {x});
}
Var cos(const Var& x) {
  return elemwise("cos", {x});
}
Var tan(const Var& x) {
  return elemwise("tan", {x});
}
Var arcsin(const Var& x) {
  return elemwise("arcsin", {x});
}
Var arccos(const Var& x) {
  return elemwise("arccos", {x});
}
Var arctan(const Var& x) {
  return elemwise("arctan", {x});
}
Var sinh(const Var& x) {
  return elemwise("sinh", {x});
}
Var cosh(const Var& x) {
  return elemwise("cosh", {x});
}
Var tanh(const Var& x) {
  return elemwise("tanh", {x});
}
Var arcsinh(const Var& x) {
  return elemwise("arcsinh", {x});
}
Var arccosh(const Var& x) {
  return elemwise("arccosh", {x});
}
Var arctanh(const Var& x) {
  return elemwise("arctanh", {x});
}
Var arctan2(const Var& y, const Var& x) {
  return elemwise("arctan2", {y, x});
}
Var erf(const Var& x) {
  return elemwise("erf", {x});
}
Var erfc(const Var& x) {
  return elemwise("erfc", {x});
}
Var erfinv(const Var& x) {
  return elemwise("erfinv", {x});
}
Var gamma(const Var& x) {
  return elemwise("gamma", {x});
}
Var gammaln(const Var& x) {
  return elemwise("gammaln", {x});
}
Var psi(const Var& x) {
  return elemwise("psi", {x});
}
Var trigamma(const Var& x) {
  return elemwise("trigamma", {x});
}

Var floor(const Var& x) {
  return elemwise("floor", {x});
}
Var ceil(const Var& x) {
  return elemwise("ceil", {x});
}
Var trunc(const Var& x) {
  return elemwise("trunc", {x});
}
Var round(const Var& x) {
  return elemwise("round", {x});
}
Var round_half_away_from_zero(const Var& x) {
  return elemwise("round_half_away_from_zero", {x});
}

Var less(const Var& a, const Var& b) {
  return elemwise("less", {a, b});
}
Var less_equal(const Var& a, const Var& b) {
  return elemwise("less_equal", {a, b});
}
Var greater(const Var& a, const Var& b) {
  return elemwise("greater", {a, b});
}
Var greater_equal(const Var& a, const Var& b) {
  return elemwise("greater_equal", {a, b});
}
Var equal(const Var& a, const Var& b) {
  return elemwise("equal", {a, b});
}
Var not_equal(const Var& a, const Var& b) {
  return elemwise("not_equal", {a, b});
}
Var less(const Var& a, double b) {
  return less(a, weak_scalar(b, a));
}
Var less_equal(const Var& a, double b) {
  return less_equal(a, weak_scalar(b, a));
}
Var greater(const Var& a, double b) {
  return greater(a, weak_scalar(b, a));
}
Var greater_equal(const Var& a, double b) {
  return greater_equal(a, weak_scalar(b, a));
}
Var equal(const Var& a, double b) {
  return equal(a, weak_scalar(b, a));
}
Var not_equal(const Var& a, double b) {
  return not_equal(a, weak_scalar(b, a));
}
Var isnan(const Var& x) {
  return elemwise("isnan", {x});
}
Var isinf(const Var& x) {
  return elemwise("isinf", {x});
}
Var isfinite(const Var& x) {
  return elemwise("isfinite", {x});
}

Var logical_and(const Var& a, const Var& b) {
  return elemwise("logical_and", {a, b});
}
Var logical_or(const Var& a, const Var& b) {
  return elemwise("logical_or", {a, b});
}
Var logical_xor(const Var& a, const Var& b) {
  return elemwise("logical_xor", {a, b});
}
Var logical_not(const Var& x) {
  return elemwise("logical_not", {x});
}
Var bitwise_and(const Var& a, const Var& b) {
  return elemwise("bitwise_and", {a, b});
}
Var bitwise_or(const Var& a, const Var& b) {
  return elemwise("bitwise_or", {a, b});
}
Var bitwise_xor(const Var& a, const Var& b) {
  return elemwise("bitwise_xor", {a, b});
}
Var invert(const Var& x) {
  return elemwise("invert", {x});
}

Var switch_(const Var& cond, const Var& a, const Var& b) {
  return elemwise("switch", {cast(cond, DType::Bool), a, b});
}
Var where(const Var& cond, const Var& a, const Var& b) {
  return switch_(cond, a, b);
}

}  // namespace theon
