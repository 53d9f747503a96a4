// Reduce: sum, prod, max, min, argmax, argmin, any, all (and kinds op files add) over any set
// of axes; the kinds' rows are in reduce_rules.cpp.
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

#include "../axis_lines.hpp"
#include "reduce_detail.hpp"
#include "reduce_folds.hpp"
#include "theon/core/error.hpp"
#include "theon/core/iterate.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/scalar.hpp"
#include "theon/ops/shape.hpp"
#include "theon/ops/subtensor.hpp"

namespace theon {

using reduce_detail::as_float;
using reduce_detail::axes_str;
using reduce_detail::located;
using reduce_detail::reduced_mask;

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

namespace {

// `v`, shaped like a reduction's output, with the reduced axes put back as size-1 dimensions.
Var restore_reduced(const Var& v, const std::vector<int64_t>& axes, bool keepdims) {
  if (keepdims || axes.empty()) return v;
  return expand_dims(v, axes);
}

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

ReduceKind register_reduction(ReductionRule rule, std::string doc) {
  const ReductionRule& row = store_reduction_rule(rule);
  register_reduction_entries(row);
  export_to_python({"tensor", row.name, row.name, std::move(doc), false, 1, {"axis", "keepdims"}});
  return row.kind;
}

THEON_OP_FILE(reduce) {
  for (const ReductionRule& rule : builtin_reduction_rules()) register_reduction_entries(rule);
}

}  // namespace theon
