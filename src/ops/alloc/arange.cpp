// ARange{dtype}(start, stop, step): NumPy's arange with an explicit output dtype, and its C++
// API arange. Gradients flow to float start and step.
#include <cmath>
#include <cstring>

#include "../shape_util.hpp"
#include "alloc_util.hpp"
#include "theon/core/error.hpp"
#include "theon/core/iterate.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/shape.hpp"

namespace theon {
namespace {

double read_double(const NDArray& a) {
  double v = 0;
  convert_strided(a.dtype(), a.raw(), 0, DType::Float64, reinterpret_cast<char*>(&v), 0, 1);
  return v;
}

bool is_numeric_scalar(const Var& v) {
  return v->type.ndim() == 0;
}

// The length of arange(start, stop, step) for 0-d values; ValueError naming `op` for a zero step
// or a length that cannot be computed.
int64_t arange_length(const Op& op, const NDArray& start, const NDArray& stop,
                      const NDArray& step) {
  const bool ints = !is_float(start.dtype()) && !is_float(stop.dtype()) && !is_float(step.dtype());
  if (ints) {
    const int64_t a = read_int(start, 0), b = read_int(stop, 0), s = read_int(step, 0);
    if (s == 0) throw ValueError(op_error(op, "step must not be zero"));
    int64_t span;
    if (__builtin_sub_overflow(b, a, &span)) {
      throw ValueError(op_error(op, "array is too big: the length of arange(" + std::to_string(a) +
                                        ", " + std::to_string(b) + ", " + std::to_string(s) +
                                        ") overflows int64"));
    }
    if ((span > 0) != (s > 0) || span == 0) return 0;
    const int64_t as = s > 0 ? s : -s, aspan = span > 0 ? span : -span;
    return (aspan + as - 1) / as;
  }
  const double a = read_double(start), b = read_double(stop), s = read_double(step);
  if (s == 0) throw ValueError(op_error(op, "step must not be zero"));
  const double n = std::ceil((b - a) / s);
  // 2**63 as a double: the first value that does not convert to int64.
  if (!std::isfinite(n) || n >= 9223372036854775808.0) {
    throw ValueError(
        op_error(op, "arange: cannot compute the length of the result (start=" + std::to_string(a) +
                         ", stop=" + std::to_string(b) + ", step=" + std::to_string(s) + ")"));
  }
  return n > 0 ? static_cast<int64_t>(n) : 0;
}

}  // namespace

std::vector<TensorType> ARange::output_types(const std::vector<Var>& inputs) const {
  if (inputs.size() != 3) {
    throw TypeError(op_error(
        *this, "expected 3 inputs (start, stop, step), got " + std::to_string(inputs.size())));
  }
  if (dtype_ == DType::Bool) throw TypeError(op_error(*this, "a bool arange is not supported"));
  const NDArray* c[3];
  bool all_const = true;
  for (int i = 0; i < 3; ++i) {
    if (!is_numeric_scalar(inputs[i])) {
      throw TypeError(
          op_error(*this, "start, stop and step must be scalars, got " + inputs[i]->type.str()));
    }
    c[i] = constant_value(inputs[i]);
    all_const = all_const && c[i];
  }
  const int64_t len = all_const ? arange_length(*this, *c[0], *c[1], *c[2]) : kUnknownDim;
  return {TensorType(dtype_, {len})};
}

void ARange::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const int64_t n = arange_length(*this, inputs[0], inputs[1], inputs[2]);
  NDArray& out = reuse_or_empty(outputs[0], dtype_, {n});
  if (n == 0) return;
  // As NumPy: the first two values are computed in the argument type and converted to the
  // output type; the rest follow with their difference as the step.
  const bool ints =
      !is_float(inputs[0].dtype()) && !is_float(inputs[1].dtype()) && !is_float(inputs[2].dtype());
  char v0[8], v1[8];
  if (ints) {
    const int64_t a = read_int(inputs[0], 0), s = read_int(inputs[2], 0);
    const int64_t b = a + s;
    convert_strided(DType::Int64, reinterpret_cast<const char*>(&a), 0, dtype_, v0, 0, 1);
    convert_strided(DType::Int64, reinterpret_cast<const char*>(&b), 0, dtype_, v1, 0, 1);
  } else {
    const double a = read_double(inputs[0]), s = read_double(inputs[2]);
    const double b = a + s;
    convert_strided(DType::Float64, reinterpret_cast<const char*>(&a), 0, dtype_, v0, 0, 1);
    convert_strided(DType::Float64, reinterpret_cast<const char*>(&b), 0, dtype_, v1, 0, 1);
  }
  visit_dtype(dtype_, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_same_v<T, bool>) {
      T start, second;
      std::memcpy(&start, v0, sizeof(T));
      std::memcpy(&second, v1, sizeof(T));
      T* p = out.data<T>();
      if constexpr (std::is_floating_point_v<T>) {
        const T delta = second - start;
        for (int64_t i = 0; i < n; ++i) p[i] = start + static_cast<T>(i) * delta;
      } else {
        const int64_t delta = static_cast<int64_t>(second) - static_cast<int64_t>(start);
        for (int64_t i = 0; i < n; ++i)
          p[i] = static_cast<T>(static_cast<int64_t>(start) + i * delta);
      }
    }
  });
}

// As perform: with integer arguments ceil((stop - start) / step) = -((start - stop) // step) in
// int64; with any float argument ceil((stop - start) / step) in float64. Clamped at 0.
SymShapes ARange::infer_shape(const std::vector<Var>& inputs,
                              const std::vector<std::vector<Var>>&) const {
  bool ints = true;
  for (const Var& in : inputs) ints = ints && !is_float(in->type.dtype);
  Var len;
  if (ints) {
    const Var a = as_int64(inputs[0]), b = as_int64(inputs[1]), s = as_int64(inputs[2]);
    len = neg(elemwise("floor_divide", {sub(a, b), s}));
    len = elemwise("maximum", {len, int64_const(0)});
  } else {
    auto f64 = [](const Var& v) {
      return v->type.dtype == DType::Float64 ? v : cast(v, DType::Float64);
    };
    len = elemwise("ceil", {true_divide(sub(f64(inputs[1]), f64(inputs[0])), f64(inputs[2]))});
    len = cast(elemwise("maximum", {len, scalar_constant(0.0, DType::Float64)}), DType::Int64);
  }
  return std::vector<SymShape>{{len}};
}

// out[i] = start + i * step: d/dstart = sum(g), d/dstep = sum(g * i); stop only sets the length
// (a step function of it), so its gradient is zero. Integer aranges carry no gradient.
std::vector<Var> ARange::L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                              const std::vector<Var>& output_grads) const {
  const Var& g = output_grads[0];
  std::vector<Var> grads(3);
  if (!g || !is_float(dtype_)) return grads;
  if (is_float(inputs[0]->type.dtype)) grads[0] = sum(g);
  if (is_float(inputs[1]->type.dtype)) grads[1] = zeros_like(inputs[1]);
  if (is_float(inputs[2]->type.dtype)) {
    Var i = arange(scalar_constant(int64_t{0}, DType::Int64), shape_i(outputs[0], 0), nullptr,
                   g->type.dtype);
    grads[2] = sum(mul(g, i));
  }
  return grads;
}

Var arange(const Var& start, const Var& stop, const Var& step, std::optional<DType> dtype) {
  Var a = stop ? start : scalar_constant(int64_t{0}, DType::Int64);
  Var b = stop ? stop : start;
  Var s = step ? step : scalar_constant(int64_t{1}, DType::Int64);
  DType dt;
  if (dtype) {
    dt = *dtype;
  } else {
    // NumPy 2 converts the arguments to Python numbers: integers act as int64, floats as float64.
    auto widen = [](DType d) {
      if (is_float(d)) return DType::Float64;
      return d == DType::UInt64 ? DType::UInt64 : DType::Int64;
    };
    dt = promote(promote(widen(a->type.dtype), widen(b->type.dtype)), widen(s->type.dtype));
  }
  return make_node1(std::make_shared<ARange>(dt), {a, b, s});
}
Var arange(int64_t start, int64_t stop, int64_t step) {
  return arange(scalar_constant(start, DType::Int64), scalar_constant(stop, DType::Int64),
                scalar_constant(step, DType::Int64));
}

THEON_OP_FILE(arange) {
  register_op_factory("ARange", [](const PropReader& f) -> OpPtr {
    return std::make_shared<ARange>(f.get_dtype("dtype"));
  });
  // arange(start[, stop[, step]])
  register_builder("arange", 1, 3, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{arange(in[0], in.size() > 1 ? in[1] : nullptr,
                                   in.size() > 2 ? in[2] : nullptr, opt_dtype(p))};
  });
}

}  // namespace theon
