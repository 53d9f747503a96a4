// Fill(model, value): `value` broadcast against `model`'s shape, with value's dtype (Theano's
// fill / second), and its C++ API fill, zeros_like, ones_like and full_like.
#include "../shape_util.hpp"
#include "alloc_util.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/gradient_support.hpp"
#include "theon/ops/shape.hpp"

namespace theon {

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

SymShapes Fill::infer_shape(const std::vector<Var>& inputs,
                            const std::vector<std::vector<Var>>& input_shapes) const {
  return std::vector<SymShape>{broadcast_dims(inputs, input_shapes)};
}

// Only the value reaches the output; the model gives just a shape.
std::vector<Var> Fill::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                            const std::vector<Var>& output_grads) const {
  const Var& g = output_grads[0];
  if (!g || !is_float(inputs[1]->type.dtype)) return {nullptr, nullptr};
  return {nullptr, sum_to_shape(g, inputs[1])};
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

THEON_OP_FILE(fill) {
  register_op_factory("Fill", [](const PropReader&) -> OpPtr { return std::make_shared<Fill>(); });
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
}

}  // namespace theon
