// Scalar ops: the per-element functions that Elemwise maps over arrays. One table entry per
// function holds its dtype rule, its reference kernels (one per compute dtype) and the C
// expression that code generators (CPU fused loops, CUDA) will emit.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "theon/core/dtype.hpp"
#include "theon/graph/variable.hpp"

namespace theon {

// How a scalar op derives (compute dtype, output dtype) from its input dtypes.
enum class DTypeRule {
  Same,     // compute = output = promote(inputs)            (add, maximum, neg, ...)
  Float,    // compute = output = float of promote(inputs)   (exp, true_divide, ...)
  Compare,  // compute = promote(inputs), output = bool      (less, isnan, ...)
  Logical,  // compute = output = bool                       (logical_and, ...)
  Where,    // first input is the condition; compute = output = promote(rest)
  Cast,     // compute = output = the op's target dtype
};

// Bit set of dtypes a scalar op accepts as its compute dtype.
using TypeSet = uint16_t;
constexpr TypeSet type_bit(DType d) {
  return static_cast<TypeSet>(1u << static_cast<int>(d));
}
inline constexpr TypeSet kBoolTypes = type_bit(DType::Bool);
inline constexpr TypeSet kSignedTypes = type_bit(DType::Int8) | type_bit(DType::Int16) |
                                        type_bit(DType::Int32) | type_bit(DType::Int64);
inline constexpr TypeSet kUnsignedTypes = type_bit(DType::UInt8) | type_bit(DType::UInt16) |
                                          type_bit(DType::UInt32) | type_bit(DType::UInt64);
inline constexpr TypeSet kIntTypes = kSignedTypes | kUnsignedTypes;
inline constexpr TypeSet kFloatTypes = type_bit(DType::Float32) | type_bit(DType::Float64);
inline constexpr TypeSet kNumericTypes = kIntTypes | kFloatTypes;
inline constexpr TypeSet kAllTypes = kNumericTypes | kBoolTypes;

// Computes out[i] = f(in0[i], in1[i], ...) for n contiguous elements: inputs are in the compute
// dtype, the output in the output dtype.
using ScalarKernel = void (*)(const char* const* in, char* out, int64_t n);

struct ScalarOp {
  std::string name;  // "add"
  int arity = 1;
  DTypeRule rule = DTypeRule::Same;
  TypeSet types = kAllTypes;
  std::array<ScalarKernel, kNumDTypes> kernels{};  // by compute dtype
  // C expression with {0}, {1}, ... for the inputs and {T} for the compute type.
  std::string c_expr;
  // Infix symbol and precedence for pprint ("+", 10); empty when printed as a call.
  std::string infix;
  int precedence = 0;
};

struct ScalarResolution {
  DType compute;
  DType output;
};
// Picks compute and output dtypes for these inputs; throws TypeError naming the op when the
// compute dtype is not supported (e.g. bitwise ops on floats).
ScalarResolution resolve_scalar(const ScalarOp& op, const std::vector<DType>& inputs,
                                DType cast_target = DType::Float64);

void register_scalar_op(ScalarOp op);

// The gradient of a scalar op as a graph: given the Elemwise node's inputs, its output and the
// gradient with respect to the output, the gradient with respect to each input, in the
// broadcast (output) shape; Elemwise sums it back to each input's shape and dtype. Null where
// an input is not differentiable. Registered next to the op's definition.
using ScalarGrad = std::vector<Var> (*)(const std::vector<Var>& inputs, const Var& output,
                                        const Var& output_grad);
void register_scalar_grad(const std::string& name, ScalarGrad grad);
ScalarGrad find_scalar_grad(const std::string& name);     // null if the op has none
const ScalarOp& find_scalar_op(const std::string& name);  // throws ValueError if unknown
const ScalarOp* lookup_scalar_op(const std::string& name);
std::vector<std::string> scalar_op_names();

namespace scalar_detail {

template <class F, class T, class O, int N>
void kernel(const char* const* in, char* out, int64_t n) {
  O* o = reinterpret_cast<O*>(out);
  const T* a = reinterpret_cast<const T*>(in[0]);
  if constexpr (N == 1) {
    for (int64_t i = 0; i < n; ++i) o[i] = static_cast<O>(F{}(a[i]));
  } else if constexpr (N == 2) {
    const T* b = reinterpret_cast<const T*>(in[1]);
    for (int64_t i = 0; i < n; ++i) o[i] = static_cast<O>(F{}(a[i], b[i]));
  } else {
    static_assert(N == 3);
    const T* b = reinterpret_cast<const T*>(in[1]);
    const T* c = reinterpret_cast<const T*>(in[2]);
    for (int64_t i = 0; i < n; ++i) o[i] = static_cast<O>(F{}(a[i], b[i], c[i]));
  }
}

template <DTypeRule R, class T>
using output_t = std::conditional_t<R == DTypeRule::Compare || R == DTypeRule::Logical, bool, T>;

template <class F, int N, DTypeRule R, TypeSet S, class T>
void set_kernel(std::array<ScalarKernel, kNumDTypes>& k) {
  if constexpr ((S & type_bit(dtype_of<T>())) != 0) {
    k[static_cast<int>(dtype_of<T>())] = &kernel<F, T, output_t<R, T>, N>;
  }
}

}  // namespace scalar_detail

// Builds a table entry from a captureless generic lambda type F, instantiating its kernel for
// every compute dtype in S (and only those, so F may use operations only they support).
template <int N, DTypeRule R, TypeSet S, class F>
ScalarOp make_scalar_op(std::string name, F, std::string c_expr, std::string infix = "",
                        int precedence = 0) {
  using namespace scalar_detail;
  ScalarOp op;
  op.name = std::move(name);
  op.arity = N;
  op.rule = R;
  op.types = S;
  op.c_expr = std::move(c_expr);
  op.infix = std::move(infix);
  op.precedence = precedence;
  set_kernel<F, N, R, S, bool>(op.kernels);
  set_kernel<F, N, R, S, int8_t>(op.kernels);
  set_kernel<F, N, R, S, int16_t>(op.kernels);
  set_kernel<F, N, R, S, int32_t>(op.kernels);
  set_kernel<F, N, R, S, int64_t>(op.kernels);
  set_kernel<F, N, R, S, uint8_t>(op.kernels);
  set_kernel<F, N, R, S, uint16_t>(op.kernels);
  set_kernel<F, N, R, S, uint32_t>(op.kernels);
  set_kernel<F, N, R, S, uint64_t>(op.kernels);
  set_kernel<F, N, R, S, float>(op.kernels);
  set_kernel<F, N, R, S, double>(op.kernels);
  return op;
}

// Scalar op families, each defined in its own file under src/ops/scalar/.
void register_scalar_arith();       // add, sub, mul, divisions, mod, pow, abs, sign, max, clip...
void register_scalar_elementary();  // exp2, expm1, log2, log10, log1p, sqrt, trig, hyperbolic
void register_scalar_special();     // erf, erfc, erfinv, gamma, gammaln, psi
void register_scalar_rounding();    // floor, ceil, trunc, round
void register_scalar_compare();     // comparisons, isnan..., logical, bitwise, switch

}  // namespace theon
