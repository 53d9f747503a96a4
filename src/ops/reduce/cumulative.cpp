// Cumulative: cumsum and cumprod along one axis or over the C-order flattening.
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
#include "theon/ops/reduce.hpp"
#include "theon/ops/scalar.hpp"
#include "theon/ops/shape.hpp"
#include "theon/ops/subtensor.hpp"

namespace theon {

using reduce_detail::as_float;
using reduce_detail::axes_str;
using reduce_detail::located;
using reduce_detail::reduced_mask;

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

std::optional<std::vector<std::vector<Var>>> Cumulative::infer_shape(
    const std::vector<Var>&, const std::vector<std::vector<Var>>& input_shapes) const {
  if (axis_) return std::vector<std::vector<Var>>{input_shapes[0]};
  return std::vector<std::vector<Var>>{{dims_product(input_shapes[0])}};
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

namespace {

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

std::optional<int64_t> optional_axis(const Params& p) {
  if (!p.has("axis")) return std::nullopt;
  return p.get_int("axis");
}

}  // namespace

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

THEON_OP_FILE(cumulative) {
  register_builder("cumsum", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{cumsum(in[0], optional_axis(p))};
  });
  register_builder("cumprod", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{cumprod(in[0], optional_axis(p))};
  });
  register_op_factory("CumSum", [](const PropReader& f) -> OpPtr {
    return std::make_shared<CumulativeOf<false>>(f.get_optional_int("axis"));
  });
  register_op_factory("CumProd", [](const PropReader& f) -> OpPtr {
    return std::make_shared<CumulativeOf<true>>(f.get_optional_int("axis"));
  });
}

}  // namespace theon
