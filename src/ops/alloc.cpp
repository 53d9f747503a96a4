#include "theon/ops/alloc.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "shape_util.hpp"
#include "theon/core/config.hpp"
#include "theon/core/error.hpp"
#include "theon/core/iterate.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/families.hpp"
#include "theon/ops/gradient_support.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/shape.hpp"

namespace theon {
namespace {

DType float_x() {
  return parse_dtype(config_floatX());
}

double read_double(const NDArray& a) {
  double v = 0;
  convert_strided(a.dtype(), a.raw(), 0, DType::Float64, reinterpret_cast<char*>(&v), 0, 1);
  return v;
}

// The shape given by Alloc's shape inputs (scalars and vectors) at run time.
Shape runtime_shape(const Op& op, const std::vector<NDArray>& inputs, size_t first) {
  Shape shape;
  for (size_t k = first; k < inputs.size(); ++k) {
    if (inputs[k].ndim() == 0) {
      shape.push_back(read_int(inputs[k], 0));
    } else {
      for (int64_t d : read_int_vector(inputs[k])) shape.push_back(d);
    }
  }
  for (int64_t d : shape) {
    if (d < 0)
      throw ValueError(op_error(op, "negative dimensions are not allowed: " + ints_str(shape)));
  }
  return shape;
}

// Broadcasts `value` into `out` (already shaped), as a fresh copy; names `op` on mismatch.
void fill_broadcast(const Op& op, const NDArray& value, NDArray& out) {
  const Shape& shape = out.shape();
  bool ok = value.ndim() <= out.ndim();
  const int off = out.ndim() - value.ndim();
  for (int i = 0; ok && i < value.ndim(); ++i) {
    ok = value.shape(i) == 1 || value.shape(i) == shape[off + i];
  }
  if (!ok) {
    throw ValueError(op_error(op, "cannot broadcast a value of shape " + shape_str(value.shape()) +
                                      " to shape " + shape_str(shape)));
  }
  out.copy_from(value.broadcast_to(shape));
}

bool is_numeric_scalar(const Var& v) {
  return v->type.ndim() == 0;
}

// Static arange length, or nullopt when an argument is not a constant.
int64_t arange_length(const Op& op, const NDArray& start, const NDArray& stop,
                      const NDArray& step) {
  const bool ints = !is_float(start.dtype()) && !is_float(stop.dtype()) && !is_float(step.dtype());
  if (ints) {
    const int64_t a = read_int(start, 0), b = read_int(stop, 0), s = read_int(step, 0);
    if (s == 0) throw ValueError(op_error(op, "step must not be zero"));
    const int64_t span = b - a;
    if ((span > 0) != (s > 0) || span == 0) return 0;
    const int64_t as = s > 0 ? s : -s, aspan = span > 0 ? span : -span;
    return (aspan + as - 1) / as;
  }
  const double a = read_double(start), b = read_double(stop), s = read_double(step);
  if (s == 0) throw ValueError(op_error(op, "step must not be zero"));
  const double n = std::ceil((b - a) / s);
  if (!std::isfinite(n)) {
    throw ValueError(
        op_error(op, "arange: cannot compute the length of the result (start=" + std::to_string(a) +
                         ", stop=" + std::to_string(b) + ", step=" + std::to_string(s) + ")"));
  }
  return n > 0 ? static_cast<int64_t>(n) : 0;
}

}  // namespace

// ---- Alloc ----

std::vector<TensorType> Alloc::output_types(const std::vector<Var>& inputs) const {
  if (inputs.empty()) throw TypeError(op_error(*this, "expected a value and a shape"));
  const TensorType& vt = inputs[0]->type;
  StaticShape out;
  for (size_t k = 1; k < inputs.size(); ++k) {
    const TensorType& t = inputs[k]->type;
    if (!is_integer(t.dtype) || t.ndim() > 1) {
      throw TypeError(
          op_error(*this, "shape entries must be integer scalars or vectors, got " + t.str()));
    }
    if (t.ndim() == 0) {
      auto v = static_int_scalar(inputs[k]);
      out.push_back(v ? *v : kUnknownDim);
    } else {
      auto vals = static_int_vector(inputs[k]);
      if (!vals) {
        throw TypeError(
            op_error(*this, "a shape vector must have a static length, got " + t.str()));
      }
      for (const auto& v : *vals) out.push_back(v ? *v : kUnknownDim);
    }
  }
  for (int64_t d : out) {
    if (d < kUnknownDim) {
      throw ValueError(
          op_error(*this, "negative dimensions are not allowed: " + static_shape_str(out)));
    }
  }
  if (vt.ndim() > static_cast<int>(out.size())) {
    throw ValueError(op_error(*this, "the value " + vt.str() + " has more dimensions than the " +
                                         "shape " + static_shape_str(out)));
  }
  const size_t off = out.size() - vt.ndim();
  for (int i = 0; i < vt.ndim(); ++i) {
    const int64_t vd = vt.shape[i];
    int64_t& od = out[off + i];
    if (vd == kUnknownDim || vd == 1) continue;
    if (od != kUnknownDim && od != vd) {
      throw ValueError(op_error(*this, "cannot broadcast a value of shape " +
                                           static_shape_str(vt.shape) + " to shape " +
                                           static_shape_str(out)));
    }
    od = vd;
  }
  return {TensorType(vt.dtype, out)};
}

void Alloc::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  Shape shape = runtime_shape(*this, inputs, 1);
  NDArray& out = reuse_or_empty(outputs[0], inputs[0].dtype(), shape);
  fill_broadcast(*this, inputs[0], out);
}

// ---- Fill ----

std::vector<TensorType> Fill::output_types(const std::vector<Var>& inputs) const {
  if (inputs.size() != 2) {
    throw TypeError(
        op_error(*this, "expected 2 inputs (model, value), got " + std::to_string(inputs.size())));
  }
  return {TensorType(inputs[1]->type.dtype,
                     broadcast_static({inputs[0]->type.shape, inputs[1]->type.shape}, name()))};
}

void Fill::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  Shape shape = broadcast_shapes({inputs[0].shape(), inputs[1].shape()}, name());
  NDArray& out = reuse_or_empty(outputs[0], inputs[1].dtype(), shape);
  fill_broadcast(*this, inputs[1], out);
}

// ---- Eye ----

std::vector<TensorType> Eye::output_types(const std::vector<Var>& inputs) const {
  if (inputs.size() != 3) {
    throw TypeError(
        op_error(*this, "expected 3 inputs (n, m, k), got " + std::to_string(inputs.size())));
  }
  require_int_scalar(*this, inputs[0], "n");
  require_int_scalar(*this, inputs[1], "m");
  require_int_scalar(*this, inputs[2], "k");
  StaticShape out;
  for (int i = 0; i < 2; ++i) {
    auto v = static_int_scalar(inputs[i]);
    if (v && *v < 0) {
      throw ValueError(
          op_error(*this, "negative dimensions are not allowed, got " + std::to_string(*v)));
    }
    out.push_back(v ? *v : kUnknownDim);
  }
  return {TensorType(dtype_, out)};
}

void Eye::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const int64_t n = read_int(inputs[0], 0), m = read_int(inputs[1], 0), k = read_int(inputs[2], 0);
  if (n < 0 || m < 0) {
    throw ValueError(op_error(*this, "negative dimensions are not allowed: (" + std::to_string(n) +
                                         ", " + std::to_string(m) + ")"));
  }
  NDArray& out = reuse_or_empty(outputs[0], dtype_, {n, m});
  visit_dtype(dtype_, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = out.data<T>();
    std::fill(p, p + n * m, T(0));
    for (int64_t i = 0; i < n; ++i) {
      const int64_t j = i + k;
      if (j >= 0 && j < m) p[i * m + j] = T(1);
    }
  });
}

// ---- ARange ----

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

// ---- Tile ----

std::vector<TensorType> Tile::output_types(const std::vector<Var>& inputs) const {
  if (inputs.size() != 1) throw TypeError(op_error(*this, "expected 1 input"));
  const TensorType& t = inputs[0]->type;
  for (int64_t r : reps_) {
    if (r < 0)
      throw ValueError(op_error(*this, "repetitions must be non-negative, got " + ints_str(reps_)));
  }
  const int n = std::max(t.ndim(), static_cast<int>(reps_.size()));
  StaticShape out(n);
  for (int i = 0; i < n; ++i) {
    const int xi = i - (n - t.ndim()), ri = i - (n - static_cast<int>(reps_.size()));
    const int64_t s = xi >= 0 ? t.shape[xi] : 1;
    const int64_t r = ri >= 0 ? reps_[ri] : 1;
    out[i] = r == 0 ? 0 : s == kUnknownDim ? kUnknownDim : s * r;
  }
  return {TensorType(t.dtype, out)};
}

void Tile::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray& x = inputs[0];
  const int n = std::max(x.ndim(), static_cast<int>(reps_.size()));
  Shape xs(n), rs(n);
  Strides xst(n);
  for (int i = 0; i < n; ++i) {
    const int xi = i - (n - x.ndim()), ri = i - (n - static_cast<int>(reps_.size()));
    xs[i] = xi >= 0 ? x.shape(xi) : 1;
    xst[i] = xi >= 0 ? x.strides()[xi] : 0;
    rs[i] = ri >= 0 ? reps_[ri] : 1;
  }
  Shape shape(n);
  for (int i = 0; i < n; ++i) shape[i] = xs[i] * rs[i];
  NDArray& out = reuse_or_empty(outputs[0], x.dtype(), shape);
  // out viewed as (r0, s0, r1, s1, ...), filled from x viewed with 0 strides on the r axes.
  Shape split_shape;
  Strides dst_st, src_st;
  for (int i = 0; i < n; ++i) {
    split_shape.push_back(rs[i]);
    split_shape.push_back(xs[i]);
    dst_st.push_back(out.strides()[i] * xs[i]);
    dst_st.push_back(out.strides()[i]);
    src_st.push_back(0);
    src_st.push_back(xst[i]);
  }
  NDArray dst = out.view(out.raw(), split_shape, dst_st);
  dst.copy_from(x.view(x.raw(), split_shape, src_st));
}

// ---- Repeat ----

std::vector<TensorType> Repeat::output_types(const std::vector<Var>& inputs) const {
  if (inputs.size() != 2) {
    throw TypeError(
        op_error(*this, "expected 2 inputs (x, repeats), got " + std::to_string(inputs.size())));
  }
  const TensorType& t = inputs[0]->type;
  const Var& r = inputs[1];
  if (!is_integer(r->type.dtype) || r->type.ndim() > 1) {
    throw TypeError(
        op_error(*this, "repeats must be an integer scalar or vector, got " + r->type.str()));
  }
  if (axis_ < 0 || axis_ >= t.ndim()) {
    throw ValueError(op_error(*this, "axis " + std::to_string(axis_) +
                                         " is out of bounds for array of dimension " +
                                         std::to_string(t.ndim())));
  }
  StaticShape out = t.shape;
  const int64_t dim = t.shape[axis_];
  out[axis_] = kUnknownDim;
  if (r->type.ndim() == 0) {
    if (auto v = static_int_scalar(r)) {
      if (*v < 0) throw ValueError(op_error(*this, "repeats may not contain negative values"));
      if (dim != kUnknownDim) out[axis_] = dim * *v;
    }
  } else if (auto vals = static_int_vector(r)) {
    const int64_t len = static_cast<int64_t>(vals->size());
    if (dim != kUnknownDim && len != 1 && len != dim) {
      throw ValueError(op_error(*this, "got " + std::to_string(len) + " repeats for " +
                                           std::to_string(dim) + " elements along axis " +
                                           std::to_string(axis_)));
    }
    int64_t total = 0;
    bool known = true;
    for (const auto& v : *vals) {
      if (v && *v < 0) throw ValueError(op_error(*this, "repeats may not contain negative values"));
      if (v)
        total += *v;
      else
        known = false;
    }
    if (known && len != 1) out[axis_] = total;
    if (known && len == 1 && dim != kUnknownDim) out[axis_] = total * dim;
  }
  return {TensorType(t.dtype, out)};
}

void Repeat::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray& x = inputs[0];
  const int ax = static_cast<int>(axis_);
  const int64_t dim = x.shape(ax);
  std::vector<int64_t> reps = read_int_vector(inputs[1]);
  if (reps.size() == 1) reps.assign(dim, reps[0]);
  if (static_cast<int64_t>(reps.size()) != dim) {
    throw ValueError(op_error(*this, "got " + std::to_string(reps.size()) + " repeats for " +
                                         std::to_string(dim) + " elements along axis " +
                                         std::to_string(axis_) + " of shape " +
                                         shape_str(x.shape())));
  }
  int64_t total = 0;
  for (int64_t r : reps) {
    if (r < 0) throw ValueError(op_error(*this, "repeats may not contain negative values"));
    total += r;
  }
  Shape shape = x.shape();
  shape[ax] = total;
  NDArray& out = reuse_or_empty(outputs[0], x.dtype(), shape);
  int64_t offset = 0;
  for (int64_t i = 0; i < dim; ++i) {
    if (reps[i] == 0) continue;
    Shape s = x.shape();
    s[ax] = reps[i];
    Strides src_st = x.strides();
    src_st[ax] = 0;
    NDArray dst = out.view(out.raw() + offset * out.strides()[ax], s, out.strides());
    dst.copy_from(x.view(x.raw() + i * x.strides()[ax], s, src_st));
    offset += reps[i];
  }
}

// ---- RepeatSum ----

std::vector<TensorType> RepeatSum::output_types(const std::vector<Var>& inputs) const {
  if (inputs.size() != 3) {
    throw TypeError(
        op_error(*this, "expected 3 inputs (g, repeats, n), got " + std::to_string(inputs.size())));
  }
  const TensorType& t = inputs[0]->type;
  const Var& r = inputs[1];
  if (!is_float(t.dtype)) throw TypeError(op_error(*this, "expected a float g, got " + t.str()));
  if (!is_integer(r->type.dtype) || r->type.ndim() > 1) {
    throw TypeError(
        op_error(*this, "repeats must be an integer scalar or vector, got " + r->type.str()));
  }
  require_int_scalar(*this, inputs[2], "n");
  if (axis_ < 0 || axis_ >= t.ndim()) {
    throw ValueError(op_error(*this, "axis " + std::to_string(axis_) +
                                         " is out of bounds for array of dimension " +
                                         std::to_string(t.ndim())));
  }
  StaticShape out = t.shape;
  auto n = static_int_scalar(inputs[2]);
  out[axis_] = n ? *n : kUnknownDim;
  return {TensorType(t.dtype, out)};
}

void RepeatSum::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray& g = inputs[0];
  const int ax = static_cast<int>(axis_);
  const int64_t n = read_int(inputs[2], 0);
  std::vector<int64_t> reps = read_int_vector(inputs[1]);
  if (reps.size() == 1 && n >= 0) reps.assign(n, reps[0]);
  int64_t total = 0;
  bool ok = n >= 0 && static_cast<int64_t>(reps.size()) == n;
  for (int64_t r : reps) {
    ok = ok && r >= 0;
    total += r;
  }
  if (!ok || total != g.shape(ax)) {
    throw ValueError(op_error(*this, "repeats " + ints_str(read_int_vector(inputs[1])) + " for " +
                                         std::to_string(n) + " entries do not cover shape " +
                                         shape_str(g.shape()) + " along axis " +
                                         std::to_string(axis_)));
  }
  Shape shape = g.shape();
  shape[ax] = n;
  NDArray& out = reuse_or_empty(outputs[0], g.dtype(), shape);
  if (out.nbytes() > 0) std::memset(out.raw(), 0, out.nbytes());
  if (g.size() == 0) return;
  int64_t offset = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (reps[i] == 0) continue;
    Shape s = g.shape();
    s[ax] = reps[i];
    // Entry i of out, seen with a 0 stride along the axis, accumulates its run of g.
    Strides acc_st = out.strides();
    acc_st[ax] = 0;
    NDArray acc = out.view(out.raw() + i * out.strides()[ax], s, acc_st);
    NDArray src = g.view(g.raw() + offset * g.strides()[ax], s, g.strides());
    LoopPlan plan = plan_loop(s, {&acc, &src});
    visit_dtype(g.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (std::is_floating_point_v<T>) {
        for_each_run(plan, {acc.raw(), src.raw()}, [&](char** p, const int64_t* st, int64_t m) {
          for (int64_t k = 0; k < m; ++k) {
            *reinterpret_cast<T*>(p[0] + k * st[0]) +=
                *reinterpret_cast<const T*>(p[1] + k * st[1]);
          }
        });
      }
    });
    offset += reps[i];
  }
}

std::vector<Var> RepeatSum::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                                 const std::vector<Var>& output_grads) const {
  // Linear in g; its adjoint repeats the gradient back.
  return {repeat(output_grads[0], inputs[1], axis_), nullptr, nullptr};
}

// ---- symbolic shapes (infer_shape) ----

// The shape inputs (the value only broadcasts into them).
SymShapes Alloc::infer_shape(const std::vector<Var>& inputs,
                             const std::vector<std::vector<Var>>&) const {
  SymShape out;
  for (size_t k = 1; k < inputs.size(); ++k) {
    const Var& in = inputs[k];
    if (in->type.ndim() == 0) {
      out.push_back(as_int64(in));
      continue;
    }
    auto vals = static_int_vector(in);
    if (!vals) return std::nullopt;  // output_types rejects this
    for (size_t i = 0; i < vals->size(); ++i) {
      out.push_back((*vals)[i] ? int64_const(*(*vals)[i])
                               : vector_entry(in, static_cast<int64_t>(i)));
    }
  }
  return std::vector<SymShape>{out};
}

SymShapes Fill::infer_shape(const std::vector<Var>& inputs,
                            const std::vector<std::vector<Var>>& input_shapes) const {
  return std::vector<SymShape>{broadcast_dims(inputs, input_shapes)};
}

SymShapes Eye::infer_shape(const std::vector<Var>& inputs,
                           const std::vector<std::vector<Var>>&) const {
  return std::vector<SymShape>{{as_int64(inputs[0]), as_int64(inputs[1])}};
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

SymShapes Tile::infer_shape(const std::vector<Var>& inputs,
                            const std::vector<std::vector<Var>>& input_shapes) const {
  const int xnd = inputs[0]->type.ndim();
  const int n = std::max(xnd, static_cast<int>(reps_.size()));
  SymShape out(n);
  for (int i = 0; i < n; ++i) {
    const int xi = i - (n - xnd), ri = i - (n - static_cast<int>(reps_.size()));
    const int64_t r = ri >= 0 ? reps_[ri] : 1;
    out[i] = xi >= 0 ? dims_product({input_shapes[0][xi], int64_const(r)}) : int64_const(r);
  }
  return std::vector<SymShape>{out};
}

// A scalar (or length-1) count r: n * r; a vector of counts: their sum.
SymShapes Repeat::infer_shape(const std::vector<Var>& inputs,
                              const std::vector<std::vector<Var>>& input_shapes) const {
  SymShape out = input_shapes[0];
  const Var& dim = out[axis_];
  const Var& r = inputs[1];
  if (r->type.ndim() == 0) {
    out[axis_] = dims_product({dim, as_int64(r)});
    return std::vector<SymShape>{out};
  }
  // The counts added one by one where they are constants or stacked scalars, else sum(r).
  Var total;
  auto vals = static_int_vector(r);
  bool by_terms = vals.has_value();
  if (vals && !(r->owner && dynamic_cast<const MakeVector*>(r->owner->op().get()))) {
    for (const auto& v : *vals) by_terms = by_terms && v.has_value();
  }
  if (by_terms) {
    std::vector<Var> terms;
    for (size_t i = 0; i < vals->size(); ++i) {
      terms.push_back((*vals)[i] ? int64_const(*(*vals)[i])
                                 : vector_entry(r, static_cast<int64_t>(i)));
    }
    total = dims_sum(terms);
  } else {
    total = as_int64(sum(r));
  }
  const int64_t len = r->type.shape[0];
  if (len == 1) {
    out[axis_] = dims_product({dim, total});
  } else if (len != kUnknownDim) {
    out[axis_] = total;
  } else {
    // Length 1 (one count for every element) or x.shape[axis]: sum * (dim if length 1 else 1).
    Var factor = elemwise(
        "switch", {elemwise("equal", {input_shapes[1][0], int64_const(1)}), dim, int64_const(1)});
    out[axis_] = dims_product({total, factor});
  }
  return std::vector<SymShape>{out};
}

SymShapes RepeatSum::infer_shape(const std::vector<Var>& inputs,
                                 const std::vector<std::vector<Var>>& input_shapes) const {
  SymShape out = input_shapes[0];
  out[axis_] = as_int64(inputs[2]);
  return std::vector<SymShape>{out};
}

// ---- gradients ----

// The value was broadcast to the shape: its gradient is g summed back to the value's shape.
std::vector<Var> Alloc::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                             const std::vector<Var>& output_grads) const {
  std::vector<Var> grads(inputs.size());
  const Var& g = output_grads[0];
  if (g && is_float(inputs[0]->type.dtype)) grads[0] = sum_to_shape(g, inputs[0]);
  return grads;
}

// Only the value reaches the output; the model gives just a shape.
std::vector<Var> Fill::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                            const std::vector<Var>& output_grads) const {
  const Var& g = output_grads[0];
  if (!g || !is_float(inputs[1]->type.dtype)) return {nullptr, nullptr};
  return {nullptr, sum_to_shape(g, inputs[1])};
}

// n, m and k are integers.
std::vector<Var> Eye::L_op(const std::vector<Var>&, const std::vector<Var>&,
                           const std::vector<Var>&) const {
  return {nullptr, nullptr, nullptr};
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

// g seen as (r0, s0, r1, s1, ...) (only the r axes with r != 1, and no s axes for dimensions
// that tile prepended), summed over the r axes.
std::vector<Var> Tile::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                            const std::vector<Var>& output_grads) const {
  const Var& x = inputs[0];
  const Var& g = output_grads[0];
  if (!g || !is_float(x->type.dtype)) return {nullptr};
  const int xnd = x->type.ndim();
  const int n = std::max(xnd, static_cast<int>(reps_.size()));
  std::vector<Var> split_shape;
  std::vector<int64_t> sum_axes;
  for (int i = 0; i < n; ++i) {
    const int xi = i - (n - xnd), ri = i - (n - static_cast<int>(reps_.size()));
    const int64_t r = ri >= 0 ? reps_[ri] : 1;
    if (r != 1) {
      sum_axes.push_back(static_cast<int64_t>(split_shape.size()));
      split_shape.push_back(scalar_constant(r, DType::Int64));
    }
    if (xi >= 0) split_shape.push_back(shape_i(x, xi));
  }
  if (sum_axes.empty() && n == xnd) return {g};
  Var h = reshape(g, split_shape);
  return {sum_axes.empty() ? h : sum(h, sum_axes)};
}

// Equal repetition counts (a scalar, or a vector of length 1): g seen with an extra axis of
// length r after the repeated one, summed over it. Per-element counts: RepeatSum.
std::vector<Var> Repeat::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                              const std::vector<Var>& output_grads) const {
  const Var& x = inputs[0];
  const Var& reps = inputs[1];
  const Var& g = output_grads[0];
  if (!g || !is_float(x->type.dtype)) return {nullptr, nullptr};
  Var r;
  if (reps->type.ndim() == 0) {
    r = reps;
  } else if (reps->type.shape[0] == 1) {
    r = reshape(reps, std::vector<int64_t>{});
  }
  if (!r) return {repeat_sum(g, reps, shape_i(x, axis_), axis_), nullptr};
  std::vector<Var> split_shape;
  for (int d = 0; d < x->type.ndim(); ++d) {
    split_shape.push_back(shape_i(x, d));
    if (d == axis_) split_shape.push_back(r);
  }
  return {sum(reshape(g, split_shape), std::vector<int64_t>{axis_ + 1}), nullptr};
}

// ---- C++ API ----

Var alloc(const Var& value, const std::vector<Var>& shape) {
  std::vector<Var> in{value};
  in.insert(in.end(), shape.begin(), shape.end());
  return make_node1(std::make_shared<Alloc>(), in);
}

namespace {

std::vector<Var> const_shape(const std::vector<int64_t>& shape) {
  std::vector<Var> out;
  for (int64_t d : shape) out.push_back(scalar_constant(d, DType::Int64));
  return out;
}

}  // namespace

Var zeros(const std::vector<Var>& shape, std::optional<DType> dtype) {
  return alloc(scalar_constant(int64_t{0}, dtype.value_or(float_x())), shape);
}
Var zeros(const std::vector<int64_t>& shape, std::optional<DType> dtype) {
  return zeros(const_shape(shape), dtype);
}
Var ones(const std::vector<Var>& shape, std::optional<DType> dtype) {
  return alloc(scalar_constant(int64_t{1}, dtype.value_or(float_x())), shape);
}
Var ones(const std::vector<int64_t>& shape, std::optional<DType> dtype) {
  return ones(const_shape(shape), dtype);
}
Var full(const std::vector<Var>& shape, const Var& value, std::optional<DType> dtype) {
  return alloc(dtype ? cast(value, *dtype) : value, shape);
}

Var fill(const Var& model, const Var& value) {
  return make_node1(std::make_shared<Fill>(), {model, value});
}
Var zeros_like(const Var& x, std::optional<DType> dtype) {
  return fill(x, scalar_constant(int64_t{0}, dtype.value_or(x->type.dtype)));
}
Var ones_like(const Var& x, std::optional<DType> dtype) {
  return fill(x, scalar_constant(int64_t{1}, dtype.value_or(x->type.dtype)));
}
Var full_like(const Var& x, const Var& value, std::optional<DType> dtype) {
  return fill(x, cast(value, dtype.value_or(x->type.dtype)));
}

Var eye(const Var& n, const Var& m, const Var& k, std::optional<DType> dtype) {
  return make_node1(std::make_shared<Eye>(dtype.value_or(float_x())),
                    {n, m ? m : n, k ? k : scalar_constant(int64_t{0}, DType::Int64)});
}
Var eye(int64_t n, std::optional<int64_t> m, int64_t k, std::optional<DType> dtype) {
  return eye(scalar_constant(n, DType::Int64), scalar_constant(m.value_or(n), DType::Int64),
             scalar_constant(k, DType::Int64), dtype);
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

Var tile(const Var& x, const std::vector<int64_t>& reps) {
  return make_node1(std::make_shared<Tile>(reps), {x});
}

Var repeat(const Var& x, const Var& repeats, std::optional<int64_t> axis) {
  if (!axis) return repeat(flatten(x, 1), repeats, 0);
  const int64_t a = normalize_axis(*axis, x->type.ndim(), "repeat");
  return make_node1(std::make_shared<Repeat>(a), {x, repeats});
}
Var repeat(const Var& x, int64_t repeats, std::optional<int64_t> axis) {
  return repeat(x, scalar_constant(repeats, DType::Int64), axis);
}

Var repeat_sum(const Var& g, const Var& repeats, const Var& n, int64_t axis) {
  const int64_t a = normalize_axis(axis, g->type.ndim(), "repeat_sum");
  return make_node1(std::make_shared<RepeatSum>(a), {g, repeats, n});
}

// ---- registration ----

namespace {

std::optional<DType> opt_dtype(const Params& p, const std::string& key = "dtype") {
  if (!p.has(key)) return std::nullopt;
  return parse_dtype(p.get_string(key, ""));
}

}  // namespace

void register_alloc_ops() {
  register_op_factory("Alloc",
                      [](const PropReader&) -> OpPtr { return std::make_shared<Alloc>(); });
  register_op_factory("Fill", [](const PropReader&) -> OpPtr { return std::make_shared<Fill>(); });
  register_op_factory("Eye", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Eye>(f.get_dtype("dtype"));
  });
  register_op_factory("ARange", [](const PropReader& f) -> OpPtr {
    return std::make_shared<ARange>(f.get_dtype("dtype"));
  });
  register_op_factory("Tile", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Tile>(f.get_ints("reps"));
  });
  register_op_factory("Repeat", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Repeat>(f.get_int("axis"));
  });
  register_op_factory("RepeatSum", [](const PropReader& f) -> OpPtr {
    return std::make_shared<RepeatSum>(f.get_int("axis"));
  });
  // alloc(value, *shape)
  register_builder("alloc", 1, -1, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{alloc(in[0], std::vector<Var>(in.begin() + 1, in.end()))};
  });
  register_builder("zeros", 0, -1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{zeros(in, opt_dtype(p))};
  });
  register_builder("ones", 0, -1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{ones(in, opt_dtype(p))};
  });
  // full(fill_value, *shape, dtype=None)
  register_builder("full", 1, -1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{full(std::vector<Var>(in.begin() + 1, in.end()), in[0], opt_dtype(p))};
  });
  register_builder("fill", 2, 2, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{fill(in[0], in[1])};
  });
  register_builder("zeros_like", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{zeros_like(in[0], opt_dtype(p))};
  });
  register_builder("ones_like", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{ones_like(in[0], opt_dtype(p))};
  });
  register_builder("full_like", 2, 2, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{full_like(in[0], in[1], opt_dtype(p))};
  });
  // eye(n, m=None, k=0)
  register_builder("eye", 1, 3, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{
        eye(in[0], in.size() > 1 ? in[1] : nullptr, in.size() > 2 ? in[2] : nullptr, opt_dtype(p))};
  });
  // arange(start[, stop[, step]])
  register_builder("arange", 1, 3, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{arange(in[0], in.size() > 1 ? in[1] : nullptr,
                                   in.size() > 2 ? in[2] : nullptr, opt_dtype(p))};
  });
  register_builder("tile", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{tile(in[0], p.get_ints("reps"))};
  });
  register_builder("repeat", 2, 2, [](const std::vector<Var>& in, const Params& p) {
    std::optional<int64_t> axis;
    if (p.has("axis")) axis = p.get_int("axis");
    return std::vector<Var>{repeat(in[0], in[1], axis)};
  });
}

}  // namespace theon
