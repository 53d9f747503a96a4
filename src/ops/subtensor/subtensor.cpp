// Subtensor: basic indexing (ints, slices, newaxis), a view of x; and the C++ API that builds
// any indexing from a key (getitem, subtensor, take).
#include "theon/ops/subtensor.hpp"

#include <memory>
#include <string>
#include <vector>

#include "subtensor_detail.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"

namespace theon {

using namespace subtensor_detail;

std::vector<TensorType> Subtensor::output_types(const std::vector<Var>& inputs) const {
  check_num_inputs(*this, inputs, 1 + spec_.num_inputs, "x and the index inputs");
  if (spec_.advanced()) throw TypeError(op_error(*this, "expected a basic index"));
  std::vector<Var> idx(inputs.begin() + 1, inputs.end());
  return {
      TensorType(inputs[0]->type.dtype, indexed_static_shape(*this, spec_, inputs[0]->type, idx))};
}

void Subtensor::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray& x = inputs[0];
  const Plan P = make_plan(*this, spec_, x.shape(), x.strides(), inputs, 1);
  outputs[0] = x.view(x.raw() + P.base, P.rest_shape, P.rest_strides);
}

std::optional<std::vector<std::vector<Var>>> Subtensor::infer_shape(
    const std::vector<Var>& inputs, const std::vector<std::vector<Var>>& input_shapes) const {
  return indexing_shape(spec_, inputs, input_shapes);
}

std::string Subtensor::pprint(const std::vector<std::string>& args) const {
  return args[0] + "[" + render(spec_, [&](int s) { return args[1 + s]; }) + "]";
}

namespace subtensor_detail {

// The gradient with respect to x of x[idx]: g added into zeros at the indexed locations.
std::vector<Var> indexing_grad(const IndexSpec& spec, const std::vector<Var>& inputs,
                               const Var& g) {
  std::vector<Var> grads(inputs.size());
  const Var& x = inputs[0];
  if (!g || !is_float(x->type.dtype)) return grads;
  grads[0] =
      inc_node(spec, false, zeros_like(x), g, std::vector<Var>(inputs.begin() + 1, inputs.end()));
  return grads;
}

}  // namespace subtensor_detail

std::vector<Var> Subtensor::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                                 const std::vector<Var>& output_grads) const {
  return indexing_grad(spec_, inputs, output_grads[0]);
}

Var subtensor(const Var& x, const IndexSpec& spec, std::vector<Var> index_inputs) {
  std::vector<Var> inputs{x};
  inputs.insert(inputs.end(), index_inputs.begin(), index_inputs.end());
  if (spec.advanced()) return make_node1(std::make_shared<AdvancedSubtensor>(spec), inputs);
  return make_node1(std::make_shared<Subtensor>(spec), inputs);
}

Var getitem(const Var& x, const IndexKey& key) {
  std::vector<Var> inputs;
  IndexSpec spec = make_index_spec(x->type.ndim(), key, &inputs);
  return subtensor(x, spec, std::move(inputs));
}

Var take(const Var& x, const Var& indices, int64_t axis) {
  const int nd = x->type.ndim();
  if (axis < -nd || axis >= nd) {
    throw ValueError("take: axis " + std::to_string(axis) +
                     " is out of bounds for array of dimension " + std::to_string(nd));
  }
  if (axis < 0) axis += nd;
  if (is_bool(indices->type.dtype) || !is_integer(indices->type.dtype)) {
    throw TypeError("take: indices must be integers, got " +
                    std::string(dtype_name(indices->type.dtype)));
  }
  std::vector<Index> key(axis, idx::all());
  key.push_back(indices->type.ndim() == 0 ? idx::at(indices) : idx::array(indices));
  return getitem(x, key);
}

THEON_OP_FILE(subtensor) {
  register_op_factory("Subtensor", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Subtensor>(checked_spec(f, false));
  });
  register_builder("take", 2, 2, [](const std::vector<Var>& in, const Params& p) {
    Var x = in[0];
    int64_t axis = 0;
    if (p.has("axis")) {
      axis = p.get_int("axis");
    } else if (x->type.ndim() != 1) {
      // np.take without an axis indexes the flattened array.
      x = build("flatten", {x}, Params{})[0];
    }
    return std::vector<Var>{take(x, in[1], axis)};
  });
}

}  // namespace theon
