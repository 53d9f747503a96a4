// The reduce op family: Reduce (sum, prod, max, min, argmax, argmin, any, all over any set of
// axes), ReduceCount, Cumulative (cumsum, cumprod), the composites mean/var/std, and builders.
//
// Deliberate differences from NumPy:
// - A 0-d array has no axes: axis=0 or -1 on it raises (NumPy accepts them for reductions).
// - argmax/argmin accept several axes (as Theano does): the result is the C-order flat index
//   within the reduced axes.
// - float32 sums, products and cumulative ops accumulate in float64 (more accurate than NumPy's
//   pairwise float32 sums; results agree within float32 rounding).
#include "theon/ops/reduce.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <type_traits>

#include "axis_lines.hpp"
#include "reduce_folds.hpp"
#include "theon/core/error.hpp"
#include "theon/core/iterate.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/families.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/scalar.hpp"
#include "theon/ops/shape.hpp"
#include "theon/ops/subtensor.hpp"

namespace theon {

// ---------------------------------------------------------------------------------------------
// Axes

int64_t normalize_axis(const std::string& op, int64_t axis, int ndim) {
  if (axis < -ndim || axis >= ndim) {
    throw ValueError(op + ": axis " + std::to_string(axis) +
                     " is out of bounds for array of dimension " + std::to_string(ndim));
  }
  return axis < 0 ? axis + ndim : axis;
}

std::vector<int64_t> normalize_axes(const std::string& op,
                                    const std::optional<std::vector<int64_t>>& axis, int ndim) {
  std::vector<int64_t> out;
  if (!axis) {
    for (int i = 0; i < ndim; ++i) out.push_back(i);
    return out;
  }
  for (int64_t a : *axis) out.push_back(normalize_axis(op, a, ndim));
  std::sort(out.begin(), out.end());
  if (std::adjacent_find(out.begin(), out.end()) != out.end()) {
    throw ValueError(op + ": duplicate value in 'axis'");
  }
  return out;
}

namespace {

std::string axes_str(const std::vector<int64_t>& axes) {
  std::string s = "(";
  for (size_t i = 0; i < axes.size(); ++i) s += (i ? ", " : "") + std::to_string(axes[i]);
  if (axes.size() == 1) s += ",";
  return s + ")";
}

std::vector<bool> reduced_mask(const std::vector<int64_t>& axes, int ndim) {
  std::vector<bool> m(ndim, false);
  for (int64_t a : axes) m[a] = true;
  return m;
}

// Errors raised before a node exists carry the user's location as make_node's errors do.
[[noreturn]] void rethrow_located(const Error& e) {
  const std::string& where = current_location();
  if (where.empty()) throw;
  rethrow_with_message(e, std::string(e.what()) + "\n  (node built at " + where + ")");
}

template <class F>
auto located(F&& f) {
  try {
    return f();
  } catch (const Error& e) {
    rethrow_located(e);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Reduce

Reduce::Reduce(ReduceKind kind, std::vector<int64_t> axes, bool keepdims)
    : kind_(kind), axes_(std::move(axes)), keepdims_(keepdims) {}

std::string Reduce::type_name() const {
  return reduction_rule(kind_).type_name;
}

Props Reduce::fields() const {
  return {{"axis", PropValue::ints(axes_)}, {"keepdims", PropValue::boolean(keepdims_)}};
}

std::string Reduce::props() const {
  return "axis=" + axes_str(axes_) + (keepdims_ ? ", keepdims=True" : "");
}

std::vector<TensorType> Reduce::output_types(const std::vector<Var>& inputs) const {
  if (inputs.size() != 1) {
    throw TypeError(op_error(*this, "expected 1 input, got " + std::to_string(inputs.size())));
  }
  const TensorType& t = inputs[0]->type;
  for (int64_t a : axes_) {
    if (a < 0 || a >= t.ndim()) {
      throw ValueError(op_error(*this, "axis " + std::to_string(a) +
                                           " is out of bounds for array of dimension " +
                                           std::to_string(t.ndim())));
    }
  }
  const std::vector<bool> red = reduced_mask(axes_, t.ndim());
  StaticShape shape;
  for (int i = 0; i < t.ndim(); ++i) {
    if (!red[i]) {
      shape.push_back(t.shape[i]);
    } else if (keepdims_) {
      shape.push_back(1);
    }
  }
  return {TensorType(reduction_rule(kind_).output_dtype(t.dtype), shape)};
}

void Reduce::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray& x = inputs[0];
  const int nd = x.ndim();
  for (int64_t a : axes_) {
    if (a >= nd) {
      throw ValueError(op_error(*this, "axis " + std::to_string(a) +
                                           " is out of bounds for array of dimension " +
                                           std::to_string(nd)));
    }
  }
  const std::vector<bool> red = reduced_mask(axes_, nd);
  Shape out_shape;
  int64_t reduced_count = 1;
  for (int i = 0; i < nd; ++i) {
    if (!red[i]) {
      out_shape.push_back(x.shape(i));
    } else {
      reduced_count *= x.shape(i);
      if (keepdims_) out_shape.push_back(1);
    }
  }
  const ReductionRule& rule = reduction_rule(kind_);
  if (reduced_count == 0 && rule.empty_error) {
    throw ValueError(op_error(
        *this, std::string(rule.empty_error) + " (input shape " + shape_str(x.shape()) + ")"));
  }
  NDArray& out = reuse_or_empty(outputs[0], rule.output_dtype(x.dtype()), out_shape);

  // Loop dimensions: accumulator strides follow the C order of the kept axes, flat-index
  // strides the C order of the reduced axes.
  std::vector<RDim> dims(nd);
  int64_t astride = 1, rstride = 1;
  for (int i = nd - 1; i >= 0; --i) {
    dims[i] = {x.shape(i), x.strides()[i], 0, 0};
    if (red[i]) {
      dims[i].r = rstride;
      rstride *= x.shape(i);
    } else {
      dims[i].a = astride;
      astride *= x.shape(i);
    }
  }
  // Drop size-1 dimensions, order by decreasing |stride| (memory order), merge where possible.
  std::erase_if(dims, [](const RDim& d) { return d.n == 1; });
  std::stable_sort(dims.begin(), dims.end(),
                   [](const RDim& a, const RDim& b) { return std::abs(a.s) > std::abs(b.s); });
  ReduceLoop loop;
  loop.empty = x.size() == 0;
  loop.identity = rule.identity;
  std::vector<RDim>& merged = loop.dims;
  for (const RDim& d : dims) {
    if (!merged.empty()) {
      RDim& o = merged.back();
      if (o.s == d.s * d.n && o.a == d.a * d.n && o.r == d.r * d.n) {
        o = {o.n * d.n, d.s, d.a, d.r};
        continue;
      }
    }
    merged.push_back(d);
  }

  rule.kernel(loop, x, out);
}

std::shared_ptr<const Reduce> make_reduce_op(ReduceKind kind, std::vector<int64_t> axes,
                                             bool keepdims) {
  const ReductionRule& rule = reduction_rule(kind);
  if (!rule.make_op) return std::make_shared<Reduce>(kind, std::move(axes), keepdims);
  return rule.make_op(std::move(axes), keepdims);
}

// ---------------------------------------------------------------------------------------------
// ReduceCount

ReduceCount::ReduceCount(std::vector<int64_t> axes, int64_t ddof)
    : axes_(std::move(axes)), ddof_(ddof) {}

Props ReduceCount::fields() const {
  return {{"axis", PropValue::ints(axes_)}, {"ddof", PropValue::integer(ddof_)}};
}

std::string ReduceCount::props() const {
  return "axis=" + axes_str(axes_) + (ddof_ ? ", ddof=" + std::to_string(ddof_) : "");
}

std::vector<TensorType> ReduceCount::output_types(const std::vector<Var>& inputs) const {
  if (inputs.size() != 1) {
    throw TypeError(op_error(*this, "expected 1 input, got " + std::to_string(inputs.size())));
  }
  for (int64_t a : axes_) {
    if (a < 0 || a >= inputs[0]->type.ndim()) {
      throw ValueError(op_error(*this, "axis " + std::to_string(a) +
                                           " is out of bounds for array of dimension " +
                                           std::to_string(inputs[0]->type.ndim())));
    }
  }
  return {TensorType(DType::Int64, {})};
}

void ReduceCount::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  int64_t n = 1;
  for (int64_t a : axes_) {
    if (a >= inputs[0].ndim()) {
      throw ValueError(op_error(*this, "axis " + std::to_string(a) +
                                           " is out of bounds for array of dimension " +
                                           std::to_string(inputs[0].ndim())));
    }
    n *= inputs[0].shape(static_cast<int>(a));
  }
  NDArray& out = reuse_or_empty(outputs[0], DType::Int64, {});
  *out.data<int64_t>() = std::max<int64_t>(n - ddof_, 0);
}

// ---------------------------------------------------------------------------------------------
// Cumulative

namespace {

// The running fold of one line, written to a contiguous output of the rule's output dtype.
template <class F, class T>
void cumulate_line(const char* src, int64_t ss, char* dst, int64_t n, double identity) {
  using Acc = typename F::Acc;
  using O = std::conditional_t<std::is_floating_point_v<T>, T, Acc>;
  O* o = reinterpret_cast<O*>(dst);
  Acc a = start_value<Acc>(identity);
  for (int64_t i = 0; i < n; ++i) {
    a = F::combine(a, F::convert(load<T>(src + i * ss)));
    o[i] = static_cast<O>(a);
  }
}

}  // namespace

Cumulative::Cumulative(bool product, std::optional<int64_t> axis)
    : product_(product), axis_(axis) {}

Props Cumulative::fields() const {
  return {{"axis", PropValue::optional_int(axis_)}};
}

const ReductionRule& Cumulative::rule() const {
  return reduction_rule(product_ ? ReduceKind::Prod : ReduceKind::Sum);
}

std::vector<TensorType> Cumulative::output_types(const std::vector<Var>& inputs) const {
  if (inputs.size() != 1) {
    throw TypeError(op_error(*this, "expected 1 input, got " + std::to_string(inputs.size())));
  }
  const TensorType& t = inputs[0]->type;
  return {TensorType(rule().output_dtype(t.dtype), line_op_shape(*this, t, axis_))};
}

void Cumulative::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray& x = inputs[0];
  const DType dt = rule().output_dtype(x.dtype());
  const double identity = rule().identity;
  const AxisLines lines = axis_lines(*this, x, axis_);
  NDArray& out = reuse_or_empty(outputs[0], dt, lines.out_shape);
  // A line is written to a contiguous scratch when the output's axis stride is not one element.
  const int64_t isz = static_cast<int64_t>(itemsize(dt));
  std::vector<char> scratch;
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    for_each_line(lines, out, [&](const char* p, int64_t ss, char* o, int64_t os, int64_t len) {
      if (os != isz) scratch.resize(len * isz);
      char* dst = os == isz ? o : scratch.data();
      if (product_) {
        cumulate_line<ProdFold<T>, T>(p, ss, dst, len, identity);
      } else {
        cumulate_line<SumFold<T>, T>(p, ss, dst, len, identity);
      }
      if (os != isz) convert_strided(dt, scratch.data(), isz, dt, o, os, len);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Symbolic shapes (see Op::infer_shape)

std::optional<std::vector<std::vector<Var>>> Reduce::infer_shape(
    const std::vector<Var>& inputs, const std::vector<std::vector<Var>>& input_shapes) const {
  const std::vector<bool> red = reduced_mask(axes_, inputs[0]->type.ndim());
  std::vector<Var> out;
  for (size_t i = 0; i < red.size(); ++i) {
    if (!red[i]) {
      out.push_back(input_shapes[0][i]);
    } else if (keepdims_) {
      out.push_back(int64_const(1));
    }
  }
  return std::vector<std::vector<Var>>{out};
}

std::optional<std::vector<std::vector<Var>>> ReduceCount::infer_shape(
    const std::vector<Var>&, const std::vector<std::vector<Var>>&) const {
  return std::vector<std::vector<Var>>{{}};  // a 0-d output
}

std::optional<std::vector<std::vector<Var>>> Cumulative::infer_shape(
    const std::vector<Var>&, const std::vector<std::vector<Var>>& input_shapes) const {
  if (axis_) return std::vector<std::vector<Var>>{input_shapes[0]};
  return std::vector<std::vector<Var>>{{dims_product(input_shapes[0])}};
}

// ---------------------------------------------------------------------------------------------
// C++ API

namespace {

Var as_float(const Var& x) {
  return is_float(x->type.dtype) ? x : cast(x, DType::Float64);
}

}  // namespace

Var reduce(ReduceKind kind, const Var& x, const OptAxes& axis, bool keepdims) {
  auto axes =
      located([&] { return normalize_axes(reduction_rule(kind).name, axis, x->type.ndim()); });
  return make_node1(make_reduce_op(kind, std::move(axes), keepdims), {x});
}

Var sum(const Var& x, OptAxes axis, bool keepdims) {
  return reduce(ReduceKind::Sum, x, axis, keepdims);
}
Var prod(const Var& x, OptAxes axis, bool keepdims) {
  return reduce(ReduceKind::Prod, x, axis, keepdims);
}
Var max(const Var& x, OptAxes axis, bool keepdims) {
  return reduce(ReduceKind::Max, x, axis, keepdims);
}
Var min(const Var& x, OptAxes axis, bool keepdims) {
  return reduce(ReduceKind::Min, x, axis, keepdims);
}
Var argmax(const Var& x, OptAxes axis, bool keepdims) {
  return reduce(ReduceKind::Argmax, x, axis, keepdims);
}
Var argmin(const Var& x, OptAxes axis, bool keepdims) {
  return reduce(ReduceKind::Argmin, x, axis, keepdims);
}
Var any(const Var& x, OptAxes axis, bool keepdims) {
  return reduce(ReduceKind::Any, x, axis, keepdims);
}
Var all(const Var& x, OptAxes axis, bool keepdims) {
  return reduce(ReduceKind::All, x, axis, keepdims);
}

Var reduce_count(const Var& x, OptAxes axis, int64_t ddof, DType dtype) {
  auto axes = located([&] { return normalize_axes("reduce_count", axis, x->type.ndim()); });
  int64_t n = 1;
  for (int64_t a : axes) {
    const int64_t d = x->type.shape[a];
    if (d == kUnknownDim) {
      Var c = make_node1(std::make_shared<ReduceCount>(std::move(axes), ddof), {x});
      return cast(c, dtype);
    }
    n *= d;
  }
  return scalar_constant(static_cast<double>(std::max<int64_t>(n - ddof, 0)), dtype);
}

Var mean(const Var& x, OptAxes axis, bool keepdims) {
  located([&] { return normalize_axes("mean", axis, x->type.ndim()); });
  Var s = sum(as_float(x), axis, keepdims);
  return true_divide(s, reduce_count(x, axis, 0, s->type.dtype));
}

Var var(const Var& x, OptAxes axis, bool keepdims, int64_t ddof) {
  located([&] { return normalize_axes("var", axis, x->type.ndim()); });
  Var xf = as_float(x);
  Var m = mean(xf, axis, true);
  Var d = sub(xf, m);
  Var s = sum(mul(d, d), axis, keepdims);
  return true_divide(s, reduce_count(x, axis, ddof, s->type.dtype));
}

Var std(const Var& x, OptAxes axis, bool keepdims, int64_t ddof) {
  located([&] { return normalize_axes("std", axis, x->type.ndim()); });
  return elemwise("sqrt", {var(x, axis, keepdims, ddof)});
}

Var cumsum(const Var& x, std::optional<int64_t> axis) {
  std::optional<int64_t> a;
  if (axis) a = located([&] { return normalize_axis("cumsum", *axis, x->type.ndim()); });
  return make_node1(std::make_shared<CumulativeOf<false>>(a), {x});
}

Var cumprod(const Var& x, std::optional<int64_t> axis) {
  std::optional<int64_t> a;
  if (axis) a = located([&] { return normalize_axis("cumprod", *axis, x->type.ndim()); });
  return make_node1(std::make_shared<CumulativeOf<true>>(a), {x});
}

// ---------------------------------------------------------------------------------------------
// Gradients (see reduce.hpp for the formulas). Every gradient is a graph of other ops.

namespace {

// `v`, shaped like a reduction's output, with the reduced axes put back as size-1 dimensions.
Var restore_reduced(const Var& v, const std::vector<int64_t>& axes, bool keepdims) {
  if (keepdims || axes.empty()) return v;
  return expand_dims(v, axes);
}

// A float mask (0 or 1) of dtype `dt` from a bool variable. Its gradient stops at the bool.
Var float_mask(const Var& b, DType dt) {
  return cast(b, dt);
}

// v reversed along `axis`.
Var flip(const Var& v, int64_t axis) {
  std::vector<Index> key(axis, idx::all());
  key.push_back(idx::slice({}, {}, -1));
  return getitem(v, key);
}

// sum_{j >= i} v_j along `axis`.
Var reverse_cumsum(const Var& v, int64_t axis) {
  return flip(cumsum(flip(v, axis), axis), axis);
}

}  // namespace

std::vector<Var> Reduce::L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                              const std::vector<Var>& output_grads) const {
  const Var& x = inputs[0];
  const Var& g = output_grads[0];
  if (!is_float(x->type.dtype) || !g) return {nullptr};
  const auto grad = reduction_rule(kind_).grad;
  if (!grad) return {nullptr};  // integer or bool outputs carry no gradient
  return {grad(*this, x, restore_reduced(outputs[0], axes_, keepdims_),
               restore_reduced(g, axes_, keepdims_))};
}

std::vector<Var> ReduceCount::L_op(const std::vector<Var>&, const std::vector<Var>&,
                                   const std::vector<Var>&) const {
  return {nullptr};  // depends on the shape only
}

std::vector<Var> Cumulative::L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                                  const std::vector<Var>& output_grads) const {
  const Var& x = inputs[0];
  const Var& g = output_grads[0];
  if (!is_float(x->type.dtype) || !g) return {nullptr};
  const DType dt = x->type.dtype;
  // axis = None works on the C-order flattening, whose gradient is reshaped back at the end.
  const int64_t axis = axis_ ? *axis_ : 0;
  const bool flat = !axis_ && x->type.ndim() != 1;
  Var gx;
  if (!product_) {
    gx = reverse_cumsum(g, axis);
  } else {
    const Var xf = flat ? flatten(x, 1) : x;
    const Var& out = outputs[0];
    // Zero-safe: z is the first zero of a line. Before z, revcumsum(g * out) / x is exact (out
    // vanishes from z on, and x != 0); after z it is 0, as it should (every product contains
    // x_z); at z it is 0 too, and the right value is revcumsum(g * cumprod(w))_z with w = x
    // where x_z is replaced by 1 (the product of the others).
    const Var is_zero = equal(xf, 0.0);
    const Var zero_mask = float_mask(is_zero, dt);
    const Var first_zero = logical_and(is_zero, equal(cumsum(is_zero, axis), 1.0));
    const Var first_mask = float_mask(first_zero, dt);
    const Var before = true_divide(reverse_cumsum(mul(g, out), axis), add(xf, zero_mask));
    const Var others = cumprod(add(xf, first_mask), axis);
    gx = add(before, mul(reverse_cumsum(mul(g, others), axis), first_mask));
  }
  if (flat) gx = reshape(gx, shape(x));
  return {gx};
}

// ---------------------------------------------------------------------------------------------
// Builders

namespace {

std::optional<int64_t> optional_axis(const Params& p) {
  if (!p.has("axis")) return std::nullopt;
  return p.get_int("axis");
}

}  // namespace

namespace {

// The builder and the op factory of one reduction kind.
void register_reduction_entries(const ReductionRule& rule) {
  register_builder(
      rule.name, 1, 1, [kind = rule.kind](const std::vector<Var>& in, const Params& p) {
        return std::vector<Var>{
            reduce(kind, in[0], p.get_optional_ints("axis"), p.get_bool("keepdims", false))};
      });
  register_op_factory(rule.type_name, [kind = rule.kind](const PropReader& f) -> OpPtr {
    return make_reduce_op(kind, f.get_sorted_axes("axis"), f.get_bool("keepdims"));
  });
}

void register_reduce_factories() {
  register_op_factory("ReduceCount", [](const PropReader& f) -> OpPtr {
    return std::make_shared<ReduceCount>(f.get_sorted_axes("axis"), f.get_int("ddof"));
  });
  register_op_factory("CumSum", [](const PropReader& f) -> OpPtr {
    return std::make_shared<CumulativeOf<false>>(f.get_optional_int("axis"));
  });
  register_op_factory("CumProd", [](const PropReader& f) -> OpPtr {
    return std::make_shared<CumulativeOf<true>>(f.get_optional_int("axis"));
  });
}

}  // namespace

ReduceKind register_reduction(ReductionRule rule, std::string doc) {
  const ReductionRule& row = store_reduction_rule(rule);
  register_reduction_entries(row);
  export_to_python({"tensor", row.name, row.name, std::move(doc), false, 1, {"axis", "keepdims"}});
  return row.kind;
}

void register_reduce_ops() {
  for (const ReductionRule& rule : reduction_rules()) register_reduction_entries(rule);
  register_builder("mean", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{
        mean(in[0], p.get_optional_ints("axis"), p.get_bool("keepdims", false))};
  });
  register_builder("var", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{var(in[0], p.get_optional_ints("axis"), p.get_bool("keepdims", false),
                                p.get_int("ddof", 0))};
  });
  register_builder("std", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{std(in[0], p.get_optional_ints("axis"), p.get_bool("keepdims", false),
                                p.get_int("ddof", 0))};
  });
  register_builder("reduce_count", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{
        reduce_count(in[0], p.get_optional_ints("axis"), p.get_int("ddof", 0), DType::Int64)};
  });
  register_builder("cumsum", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{cumsum(in[0], optional_axis(p))};
  });
  register_builder("cumprod", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{cumprod(in[0], optional_axis(p))};
  });
  register_reduce_factories();
}

}  // namespace theon
