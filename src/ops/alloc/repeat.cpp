// Repeat{axis}(x, repeats): NumPy's repeat along an axis, and RepeatSum{axis}(g, repeats, n),
// its adjoint (runs of g summed), which is Repeat's gradient for per-element counts; with their
// C++ API repeat and repeat_sum.
#include <cstring>

#include "../shape_util.hpp"
#include "theon/core/checked_size.hpp"
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

// A repeated length computed with checked_add / checked_mul, or a ValueError naming the op.
int64_t repeated_length(const Op& op, std::optional<int64_t> n) {
  if (n) return *n;
  throw ValueError(op_error(op, "array is too big: the repeated length overflows int64"));
}

}  // namespace

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
      if (dim != kUnknownDim) out[axis_] = repeated_length(*this, checked_mul(dim, *v));
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
        total = repeated_length(*this, checked_add(total, *v));
      else
        known = false;
    }
    if (known && len != 1) out[axis_] = total;
    if (known && len == 1 && dim != kUnknownDim) {
      out[axis_] = repeated_length(*this, checked_mul(total, dim));
    }
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
    total = repeated_length(*this, checked_add(total, r));
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
    total = repeated_length(*this, checked_add(total, r));
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

SymShapes RepeatSum::infer_shape(const std::vector<Var>& inputs,
                                 const std::vector<std::vector<Var>>& input_shapes) const {
  SymShape out = input_shapes[0];
  out[axis_] = as_int64(inputs[2]);
  return std::vector<SymShape>{out};
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

THEON_OP_FILE(repeat) {
  register_op_factory("Repeat", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Repeat>(f.get_int("axis"));
  });
  register_op_factory("RepeatSum", [](const PropReader& f) -> OpPtr {
    return std::make_shared<RepeatSum>(f.get_int("axis"));
  });
  register_builder("repeat", 2, 2, [](const std::vector<Var>& in, const Params& p) {
    std::optional<int64_t> axis;
    if (p.has("axis")) axis = p.get_int("axis");
    return std::vector<Var>{repeat(in[0], in[1], axis)};
  });
}

}  // namespace theon
