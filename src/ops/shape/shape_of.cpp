// Shape, Shape_i and Size: a variable's shape, one of its dimensions, and its element count,
// as int64. No gradient flows through them.
#include <algorithm>

#include "../shape_util.hpp"
#include "shape_detail.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/shape.hpp"

namespace theon {

using shape_detail::require_inputs;

std::vector<TensorType> ShapeOp::output_types(const std::vector<Var>& inputs) const {
  require_inputs(*this, inputs, 1);
  return {TensorType(DType::Int64, {inputs[0]->type.ndim()})};
}

void ShapeOp::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const Shape& s = inputs[0].shape();
  NDArray& out = reuse_or_empty(outputs[0], DType::Int64, {static_cast<int64_t>(s.size())});
  std::copy(s.begin(), s.end(), out.data<int64_t>());
}

std::vector<TensorType> ShapeI::output_types(const std::vector<Var>& inputs) const {
  require_inputs(*this, inputs, 1);
  const int nd = inputs[0]->type.ndim();
  if (i_ < 0 || i_ >= nd) {
    throw IndexError(op_error(*this, "dimension " + std::to_string(i_) +
                                         " out of range for an input of " + std::to_string(nd) +
                                         " dimensions (" + inputs[0]->type.str() + ")"));
  }
  return {TensorType(DType::Int64, {})};
}

void ShapeI::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  NDArray& out = reuse_or_empty(outputs[0], DType::Int64, {});
  *out.data<int64_t>() = inputs[0].shape(static_cast<int>(i_));
}

std::vector<TensorType> SizeOp::output_types(const std::vector<Var>& inputs) const {
  require_inputs(*this, inputs, 1);
  return {TensorType(DType::Int64, {})};
}

void SizeOp::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  NDArray& out = reuse_or_empty(outputs[0], DType::Int64, {});
  *out.data<int64_t>() = inputs[0].size();
}

SymShapes ShapeOp::infer_shape(const std::vector<Var>& inputs,
                               const std::vector<std::vector<Var>>&) const {
  return std::vector<SymShape>{{int64_const(inputs[0]->type.ndim())}};
}

SymShapes ShapeI::infer_shape(const std::vector<Var>&, const std::vector<std::vector<Var>>&) const {
  return std::vector<SymShape>{{}};
}

SymShapes SizeOp::infer_shape(const std::vector<Var>&, const std::vector<std::vector<Var>>&) const {
  return std::vector<SymShape>{{}};
}

// Shapes and sizes are integers: no gradient flows through them.
std::vector<Var> ShapeOp::L_op(const std::vector<Var>&, const std::vector<Var>&,
                               const std::vector<Var>&) const {
  return {nullptr};
}

std::vector<Var> ShapeI::L_op(const std::vector<Var>&, const std::vector<Var>&,
                              const std::vector<Var>&) const {
  return {nullptr};
}

std::vector<Var> SizeOp::L_op(const std::vector<Var>&, const std::vector<Var>&,
                              const std::vector<Var>&) const {
  return {nullptr};
}

Var shape(const Var& x) {
  return make_node1(std::make_shared<ShapeOp>(), {x});
}

Var shape_i(const Var& x, int64_t i) {
  const int64_t nd = x->type.ndim();
  if (i < -nd || i >= nd) {
    throw IndexError("Shape_i: dimension " + std::to_string(i) + " out of range for " +
                     x->type.str());
  }
  return make_node1(std::make_shared<ShapeI>(i < 0 ? i + nd : i), {x});
}

Var size(const Var& x) {
  return make_node1(std::make_shared<SizeOp>(), {x});
}

THEON_OP_FILE(shape_of) {
  register_op_factory("Shape",
                      [](const PropReader&) -> OpPtr { return std::make_shared<ShapeOp>(); });
  register_op_factory("Shape_i", [](const PropReader& f) -> OpPtr {
    return std::make_shared<ShapeI>(f.get_int("i"));
  });
  register_op_factory("Size",
                      [](const PropReader&) -> OpPtr { return std::make_shared<SizeOp>(); });
  register_builder("shape", 1, 1, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{shape(in[0])};
  });
  register_builder("shape_i", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{shape_i(in[0], p.get_int("i"))};
  });
  register_builder("size", 1, 1, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{size(in[0])};
  });
}

}  // namespace theon
