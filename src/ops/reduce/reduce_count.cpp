// ReduceCount: the number of elements along some axes, less ddof (the divisor of mean and var
// where static shapes do not give it).
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

std::optional<std::vector<std::vector<Var>>> ReduceCount::infer_shape(
    const std::vector<Var>&, const std::vector<std::vector<Var>>&) const {
  return std::vector<std::vector<Var>>{{}};  // a 0-d output
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

std::vector<Var> ReduceCount::L_op(const std::vector<Var>&, const std::vector<Var>&,
                                   const std::vector<Var>&) const {
  return {nullptr};  // depends on the shape only
}

THEON_OP_FILE(reduce_count) {
  register_builder("reduce_count", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{
        reduce_count(in[0], p.get_optional_ints("axis"), p.get_int("ddof", 0), DType::Int64)};
  });
  register_op_factory("ReduceCount", [](const PropReader& f) -> OpPtr {
    return std::make_shared<ReduceCount>(f.get_sorted_axes("axis"), f.get_int("ddof"));
  });
}

}  // namespace theon
