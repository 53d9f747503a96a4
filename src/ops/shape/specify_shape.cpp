// SpecifyShape(x, shape): x unchanged, with the static shape its constant entries give, checked
// at run time.
#include "../shape_util.hpp"
#include "shape_detail.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/shape.hpp"

namespace theon {

using shape_detail::int64_vector;
using shape_detail::require_inputs;

std::vector<TensorType> SpecifyShape::output_types(const std::vector<Var>& inputs) const {
  require_inputs(*this, inputs, 2);
  const TensorType& t = inputs[0]->type;
  const Var& s = inputs[1];
  if (s->type.ndim() != 1 || !is_integer(s->type.dtype)) {
    throw TypeError(op_error(*this, "the shape must be an integer vector, got " + s->type.str()));
  }
  if (s->type.shape[0] != kUnknownDim && s->type.shape[0] != t.ndim()) {
    throw ValueError(op_error(*this, "the shape has " + std::to_string(s->type.shape[0]) +
                                         " entries for an input of type " + t.str()));
  }
  StaticShape out = t.shape;
  if (auto vals = static_int_vector(s)) {
    for (int d = 0; d < t.ndim(); ++d) {
      const auto& v = (*vals)[d];
      if (!v || *v < 0) continue;
      if (out[d] != kUnknownDim && out[d] != *v) {
        throw ValueError(op_error(*this, "dimension " + std::to_string(d) + " of " + t.str() +
                                             " cannot have size " + std::to_string(*v)));
      }
      out[d] = *v;
    }
  }
  return {TensorType(t.dtype, out)};
}

void SpecifyShape::perform(const std::vector<NDArray>& inputs,
                           std::vector<NDArray>& outputs) const {
  const NDArray& x = inputs[0];
  std::vector<int64_t> req = read_int_vector(inputs[1]);
  bool ok = static_cast<int>(req.size()) == x.ndim();
  for (int d = 0; ok && d < x.ndim(); ++d) ok = req[d] < 0 || req[d] == x.shape(d);
  if (!ok) {
    throw ValueError(op_error(
        *this, "expected shape " + ints_str(req) + " (-1: any), got " + shape_str(x.shape())));
  }
  outputs[0] = x;
}

// The specified sizes where they are constants (the run-time check makes them the truth);
// x's own sizes elsewhere (a symbolic entry may be -1, "any").
SymShapes SpecifyShape::infer_shape(const std::vector<Var>& inputs,
                                    const std::vector<std::vector<Var>>& input_shapes) const {
  SymShape out = input_shapes[0];
  if (auto vals = static_int_vector(inputs[1])) {
    for (size_t d = 0; d < out.size() && d < vals->size(); ++d) {
      const auto& v = (*vals)[d];
      if (v && *v >= 0) out[d] = int64_const(*v);
    }
  }
  return std::vector<SymShape>{out};
}

std::vector<Var> SpecifyShape::L_op(const std::vector<Var>&, const std::vector<Var>&,
                                    const std::vector<Var>& output_grads) const {
  return {output_grads[0], nullptr};
}

Var specify_shape(const Var& x, const Var& shape) {
  return make_node1(std::make_shared<SpecifyShape>(), {x, shape});
}

Var specify_shape(const Var& x, const std::vector<int64_t>& shape) {
  return specify_shape(x, constant(int64_vector(shape)));
}

THEON_OP_FILE(specify_shape) {
  register_op_factory("SpecifyShape",
                      [](const PropReader&) -> OpPtr { return std::make_shared<SpecifyShape>(); });
  register_builder("specify_shape", 1, -1, [](const std::vector<Var>& in, const Params&) {
    if (in.size() == 2 && in[1]->type.ndim() == 1) {
      return std::vector<Var>{specify_shape(in[0], in[1])};
    }
    std::vector<Var> entries(in.begin() + 1, in.end());
    return std::vector<Var>{specify_shape(in[0], make_vector(entries, DType::Int64))};
  });
}

}  // namespace theon
