// Flatten{ndim}: Theano's flatten, the first ndim-1 dimensions kept and the rest folded into one.
#include <algorithm>

#include "../shape_util.hpp"
#include "shape_detail.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/shape.hpp"

namespace theon {

using shape_detail::checked_ndim;
using shape_detail::require_inputs;

std::vector<TensorType> Flatten::output_types(const std::vector<Var>& inputs) const {
  require_inputs(*this, inputs, 1);
  const TensorType& t = inputs[0]->type;
  if (ndim_ < 1 || (ndim_ > 1 && ndim_ > t.ndim())) {
    throw ValueError(op_error(*this, "ndim must be between 1 and the input's ndim, got ndim=" +
                                         std::to_string(ndim_) + " for " + t.str()));
  }
  StaticShape out(t.shape.begin(), t.shape.begin() + (ndim_ - 1));
  int64_t last = 1;
  for (int i = static_cast<int>(ndim_ - 1); i < t.ndim(); ++i) {
    if (t.shape[i] == kUnknownDim) {
      last = kUnknownDim;
      break;
    }
    last *= t.shape[i];
  }
  out.push_back(last);
  return {TensorType(t.dtype, out)};
}

void Flatten::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray& x = inputs[0];
  Shape shape(x.shape().begin(), x.shape().begin() + (ndim_ - 1));
  int64_t last = 1;
  for (int i = static_cast<int>(ndim_ - 1); i < x.ndim(); ++i) last *= x.shape(i);
  shape.push_back(last);
  outputs[0] = x.is_c_contiguous() ? x.reshaped_view(std::move(shape))
                                   : x.copy().reshaped_view(std::move(shape));
}

SymShapes Flatten::infer_shape(const std::vector<Var>&,
                               const std::vector<std::vector<Var>>& input_shapes) const {
  const SymShape& in = input_shapes[0];
  const size_t keep = std::min(static_cast<size_t>(ndim_ - 1), in.size());
  SymShape out(in.begin(), in.begin() + keep);
  out.push_back(dims_product(SymShape(in.begin() + keep, in.end())));
  return std::vector<SymShape>{out};
}

std::vector<Var> Flatten::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                               const std::vector<Var>& output_grads) const {
  const Var& g = output_grads[0];
  if (!g) return {nullptr};
  return {reshape(g, shape(inputs[0]), inputs[0]->type.ndim())};
}
Var flatten(const Var& x, int64_t ndim) {
  return make_node1(std::make_shared<Flatten>(ndim), {x});
}

THEON_OP_FILE(flatten) {
  register_op_factory("Flatten", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Flatten>(checked_ndim(f, 1));
  });
  register_builder("flatten", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{flatten(in[0], p.get_int("ndim", 1))};
  });
}

}  // namespace theon
