#include "theon/device/dialect.hpp"

#include <set>

namespace theon::device {

// OpenCL C has overloading only through an attribute, CUDA through C++: DEVICE_FN gives each
// scalar function both overloads (float, double). Both compilers run without fast-math options,
// so NaN, infinities and signed zeros behave as on the host.
const char* const kPrelude = R"(
#if defined(__OPENCL_VERSION__)
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#define KERNEL __kernel
#define GLOBAL_MEM __global
#define GLOBAL_ID() ((int64_t)get_global_id(0))
#define GLOBAL_SIZE() ((int64_t)get_global_size(0))
#define DEVICE_FN static inline __attribute__((overloadable))
typedef long int64_t;
typedef ulong uint64_t;
typedef int int32_t;
typedef uint uint32_t;
typedef uchar theon_bool;
#else
#define KERNEL extern "C" __global__
#define GLOBAL_MEM
#define GLOBAL_ID() ((int64_t)blockIdx.x * blockDim.x + threadIdx.x)
#define GLOBAL_SIZE() ((int64_t)gridDim.x * blockDim.x)
#define DEVICE_FN static __device__ inline
typedef long long int64_t;
typedef unsigned long long uint64_t;
typedef int int32_t;
typedef unsigned int uint32_t;
typedef unsigned char theon_bool;
#ifndef INFINITY
#define INFINITY __int_as_float(0x7f800000)
#endif
#endif

#define THEON_FLOAT_FNS(X) X(float) X(double)

#define THEON_MATH_1(name, c_name) \
  DEVICE_FN float theon_##name(float x) { return c_name(x); } \
  DEVICE_FN double theon_##name(double x) { return c_name(x); }
THEON_MATH_1(exp, exp) THEON_MATH_1(exp2, exp2) THEON_MATH_1(expm1, expm1)
THEON_MATH_1(log, log) THEON_MATH_1(log2, log2) THEON_MATH_1(log10, log10)
THEON_MATH_1(log1p, log1p) THEON_MATH_1(sin, sin) THEON_MATH_1(cos, cos)
THEON_MATH_1(tan, tan) THEON_MATH_1(asin, asin) THEON_MATH_1(acos, acos)
THEON_MATH_1(atan, atan) THEON_MATH_1(sinh, sinh) THEON_MATH_1(cosh, cosh)
THEON_MATH_1(tanh, tanh) THEON_MATH_1(asinh, asinh) THEON_MATH_1(acosh, acosh)
THEON_MATH_1(atanh, atanh) THEON_MATH_1(erf, erf) THEON_MATH_1(erfc, erfc)
THEON_MATH_1(floor, floor) THEON_MATH_1(ceil, ceil) THEON_MATH_1(trunc, trunc)
THEON_MATH_1(rint, rint) THEON_MATH_1(round_away, round) THEON_MATH_1(abs, fabs)

#define THEON_FLOAT_OPS(T) \
  DEVICE_FN T theon_atan2(T a, T b) { return atan2(a, b); } \
  DEVICE_FN T theon_pow(T a, T b) { return pow(a, b); } \
  DEVICE_FN T theon_add(T a, T b) { return a + b; } \
  DEVICE_FN T theon_sub(T a, T b) { return a - b; } \
  DEVICE_FN T theon_mul(T a, T b) { return a * b; } \
  DEVICE_FN T theon_neg(T a) { return -a; } \
  DEVICE_FN T theon_sqr(T a) { return a * a; } \
  DEVICE_FN T theon_sign(T a) { return a > 0 ? (T)1 : (a < 0 ? (T)-1 : (a == 0 ? (T)0 : a)); } \
  DEVICE_FN T theon_maximum(T a, T b) { return a != a ? a : (b != b ? b : (a < b ? b : a)); } \
  DEVICE_FN T theon_minimum(T a, T b) { return a != a ? a : (b != b ? b : (b < a ? b : a)); } \
  /* Python's divmod: the quotient floored, the remainder with the divisor's sign. */ \
  DEVICE_FN T theon_divmod(T a, T b, T* quotient) { \
    T mod = fmod(a, b); \
    if (b == 0) { *quotient = a / b; return mod; } \
    T div = (a - mod) / b; \
    if (mod != 0) { \
      if ((b < 0) != (mod < 0)) { mod += b; div -= 1; } \
    } else { \
      mod = copysign((T)0, b); \
    } \
    T floored; \
    if (div != 0) { \
      floored = floor(div); \
      if (div - floored > (T)0.5) floored += 1; \
    } else { \
      floored = copysign((T)0, a / b); \
    } \
    *quotient = floored; \
    return mod; \
  } \
  DEVICE_FN T theon_mod(T a, T b) { T q; return theon_divmod(a, b, &q); } \
  DEVICE_FN T theon_floor_divide(T a, T b) { T q; theon_divmod(a, b, &q); return q; } \
  DEVICE_FN int theon_isnan(T a) { return a != a; } \
  DEVICE_FN int theon_isinf(T a) { return a == (T)INFINITY || a == -(T)INFINITY; } \
  /* The activations as the host computes them (src/ops/scalar_functions.hpp): selects. */ \
  DEVICE_FN T theon_sigmoid(T a) { \
    const T e = exp(-fabs(a)); \
    return a >= (T)0 ? (T)1 / ((T)1 + e) : e / ((T)1 + e); \
  } \
  DEVICE_FN T theon_softplus(T a) { return (a > (T)0 ? a : (T)0) + log1p(exp(-fabs(a))); } \
  DEVICE_FN T theon_hard_sigmoid(T a) { \
    const T r = a * (T)0.2 + (T)0.5; \
    return r < (T)0 ? (T)0 : (r > (T)1 ? (T)1 : r); \
  } \
  DEVICE_FN T theon_relu(T a) { return a != a ? a : (a > (T)0 ? a : (T)0); } \
  DEVICE_FN T theon_leaky_relu(T a, T alpha) { return a > (T)0 ? a : a * alpha; }
THEON_FLOAT_FNS(THEON_FLOAT_OPS)
)";

bool device_scalar_op(const std::string& name) {
  static const std::set<std::string> ops = {
      "add",        "sub",          "mul",           "true_divide", "floor_divide",
      "mod",        "pow",          "neg",           "abs",         "sign",
      "maximum",    "minimum",      "clip",          "sqr",         "sqrt",
      "exp",        "exp2",         "expm1",         "log",         "log2",
      "log10",      "log1p",        "sin",           "cos",         "tan",
      "arcsin",     "arccos",       "arctan",        "sinh",        "cosh",
      "tanh",       "arcsinh",      "arccosh",       "arctanh",     "arctan2",
      "floor",      "ceil",         "trunc",         "round",       "round_half_away_from_zero",
      "reciprocal", "cast",         "deg2rad",       "rad2deg",     "hypot",
      "logaddexp",  "logaddexp2",   "erf",           "erfc",        "sigmoid",
      "softplus",   "hard_sigmoid", "relu",          "leaky_relu",  "less",
      "less_equal", "greater",      "greater_equal", "equal",       "not_equal",
      "isnan",      "isinf",        "logical_and",   "logical_or",  "logical_not",
      "switch"};
  return ops.count(name) > 0;
}

std::string add_offsets_source(const std::string& index, int nd, const std::string& extent,
                               const std::vector<std::pair<std::string, std::string>>& bases,
                               const std::string& indent) {
  std::string s = indent + "{ int64_t rest = " + index + ";\n";
  for (int d = nd - 1; d >= 0; --d) {
    const std::string ds = std::to_string(d);
    s += indent + "  { const int64_t c = rest % " + extent + ds + "; rest /= " + extent + ds + ";";
    for (const auto& [base, stride] : bases) s += " " + base + " += c * " + stride + ds + ";";
    s += " }\n";
  }
  return s + indent + "}\n";
}

}  // namespace theon::device
