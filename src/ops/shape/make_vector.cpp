// MakeVector: 0-d inputs stacked into a vector of one dtype.
#include "../shape_util.hpp"
#include "shape_detail.hpp"
#include "theon/core/iterate.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/join.hpp"
#include "theon/ops/shape.hpp"

namespace theon {

std::vector<TensorType> MakeVector::output_types(const std::vector<Var>& inputs) const {
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i]->type.ndim() != 0) {
      throw TypeError(op_error(*this, "expected scalar (0-d) inputs, got " + inputs[i]->type.str() +
                                          " as input " + std::to_string(i)));
    }
    if (is_integer(dtype_) && is_float(inputs[i]->type.dtype)) {
      throw TypeError(op_error(
          *this, "expected integer inputs for an " + std::string(dtype_name(dtype_)) +
                     " vector, got " + inputs[i]->type.str() + " as input " + std::to_string(i)));
    }
  }
  return {TensorType(dtype_, {static_cast<int64_t>(inputs.size())})};
}

void MakeVector::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  NDArray& out = reuse_or_empty(outputs[0], dtype_, {static_cast<int64_t>(inputs.size())});
  const size_t isz = itemsize(dtype_);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].size() != 1) {
      throw ValueError(
          op_error(*this, "expected scalar inputs, got shape " + shape_str(inputs[i].shape())));
    }
    convert_strided(inputs[i].dtype(), inputs[i].raw(), 0, dtype_, out.raw() + i * isz, 0, 1);
  }
}

SymShapes MakeVector::infer_shape(const std::vector<Var>& inputs,
                                  const std::vector<std::vector<Var>>&) const {
  return std::vector<SymShape>{{int64_const(static_cast<int64_t>(inputs.size()))}};
}
// A float vector stacked from scalars: element i of the gradient goes back to input i (cut with
// one Split into pieces of length 1, each reshaped to 0-d).
std::vector<Var> MakeVector::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                                  const std::vector<Var>& output_grads) const {
  std::vector<Var> grads(inputs.size());
  const Var& g = output_grads[0];
  bool any_float = false;
  for (const Var& in : inputs) any_float = any_float || is_float(in->type.dtype);
  if (!g || !is_float(dtype_) || !any_float) return grads;
  std::vector<Var> pieces = split(g, std::vector<int64_t>(inputs.size(), 1), 0);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (is_float(inputs[i]->type.dtype)) grads[i] = reshape(pieces[i], std::vector<int64_t>{});
  }
  return grads;
}

Var make_vector(const std::vector<Var>& elements, std::optional<DType> dtype) {
  DType dt = DType::Int64;
  if (dtype) {
    dt = *dtype;
  } else if (!elements.empty()) {
    dt = elements[0]->type.dtype;
    for (const Var& e : elements) dt = promote(dt, e->type.dtype);
  }
  return make_node1(std::make_shared<MakeVector>(dt), elements);
}

THEON_OP_FILE(make_vector) {
  register_op_factory("MakeVector", [](const PropReader& f) -> OpPtr {
    return std::make_shared<MakeVector>(f.get_dtype("dtype"));
  });
  register_builder("make_vector", 0, -1, [](const std::vector<Var>& in, const Params& p) {
    std::optional<DType> dt;
    if (p.has("dtype")) dt = parse_dtype(p.get_string("dtype", ""));
    return std::vector<Var>{make_vector(in, dt)};
  });
}

}  // namespace theon
