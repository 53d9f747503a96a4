// Squeeze: axes of size 1 removed, checked at run time where their size is not static; the
// squeeze API uses a DimShuffle instead where every dropped axis is statically 1.
#include <algorithm>

#include "../shape_util.hpp"
#include "shape_detail.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/shape.hpp"

namespace theon {

using shape_detail::require_inputs;

std::string Squeeze::props() const {
  std::string s = "axis=(";
  for (size_t i = 0; i < axes_.size(); ++i) s += (i ? "," : "") + std::to_string(axes_[i]);
  return s + ")";
}

std::vector<TensorType> Squeeze::output_types(const std::vector<Var>& inputs) const {
  require_inputs(*this, inputs, 1);
  const TensorType& t = inputs[0]->type;
  StaticShape out;
  for (int d = 0; d < t.ndim(); ++d) {
    const bool drop = std::find(axes_.begin(), axes_.end(), d) != axes_.end();
    if (!drop) {
      out.push_back(t.shape[d]);
    } else if (t.shape[d] != 1 && t.shape[d] != kUnknownDim) {
      throw ValueError(op_error(*this,
                                "cannot select an axis to squeeze out which has size not "
                                "equal to one (axis " +
                                    std::to_string(d) + " of " + t.str() + ")"));
    }
  }
  for (int64_t a : axes_) {
    if (a < 0 || a >= t.ndim()) {
      throw ValueError(op_error(*this, "axis " + std::to_string(a) +
                                           " is out of bounds for array of dimension " +
                                           std::to_string(t.ndim())));
    }
  }
  return {TensorType(t.dtype, out)};
}

void Squeeze::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray& x = inputs[0];
  Shape shape;
  Strides strides;
  for (int d = 0; d < x.ndim(); ++d) {
    if (std::find(axes_.begin(), axes_.end(), d) != axes_.end()) {
      if (x.shape(d) != 1) {
        throw ValueError(op_error(*this,
                                  "cannot select an axis to squeeze out which has size "
                                  "not equal to one (axis " +
                                      std::to_string(d) + " of shape " + shape_str(x.shape()) +
                                      ")"));
      }
      continue;
    }
    shape.push_back(x.shape(d));
    strides.push_back(x.strides()[d]);
  }
  outputs[0] = x.view(x.raw(), std::move(shape), std::move(strides));
}

SymShapes Squeeze::infer_shape(const std::vector<Var>&,
                               const std::vector<std::vector<Var>>& input_shapes) const {
  SymShape out;
  for (size_t d = 0; d < input_shapes[0].size(); ++d) {
    if (std::find(axes_.begin(), axes_.end(), static_cast<int64_t>(d)) == axes_.end()) {
      out.push_back(input_shapes[0][d]);
    }
  }
  return std::vector<SymShape>{out};
}

std::vector<Var> Squeeze::L_op(const std::vector<Var>&, const std::vector<Var>&,
                               const std::vector<Var>& output_grads) const {
  const Var& g = output_grads[0];
  if (!g) return {nullptr};
  return {axes_.empty() ? g : expand_dims(g, axes_)};
}

Var squeeze(const Var& x, std::optional<std::vector<int64_t>> axis) {
  const int64_t nd = x->type.ndim();
  std::vector<int64_t> drop;
  if (!axis) {
    for (int64_t d = 0; d < nd; ++d) {
      if (x->type.shape[d] == 1) drop.push_back(d);
    }
  } else {
    for (int64_t a : *axis) {
      int64_t n = normalize_axis(a, nd, "squeeze");
      if (std::find(drop.begin(), drop.end(), n) != drop.end()) {
        throw ValueError("squeeze: repeated axis in " + ints_str(*axis));
      }
      drop.push_back(n);
    }
    std::sort(drop.begin(), drop.end());
  }
  bool all_static = true;
  for (int64_t d : drop) all_static = all_static && x->type.shape[d] == 1;
  if (!all_static) return make_node1(std::make_shared<Squeeze>(drop), {x});
  std::vector<int64_t> pattern;
  for (int64_t d = 0; d < nd; ++d) {
    if (std::find(drop.begin(), drop.end(), d) == drop.end()) pattern.push_back(d);
  }
  return dimshuffle(x, pattern);
}

THEON_OP_FILE(squeeze) {
  register_op_factory("Squeeze", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Squeeze>(f.get_sorted_axes("axis"));
  });
  register_builder("squeeze", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{squeeze(in[0], p.get_optional_ints("axis"))};
  });
}

}  // namespace theon
