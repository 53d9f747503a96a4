// Dot: numpy.dot (the last axis of a against the second-to-last of b, or an elementwise product
// when one side is 0-d), and its C++ API dot.

#include "blas_detail.hpp"
#include "product_kernel.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/blas.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/gradient_support.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/shape.hpp"

namespace theon {

using namespace blas_detail;

std::vector<TensorType> Dot::output_types(const std::vector<Var>& inputs) const {
  check_two(*this, inputs);
  const TensorType& ta = inputs[0]->type;
  const TensorType& tb = inputs[1]->type;
  auto [axa, axb] = dot_axes(ta.ndim(), tb.ndim());
  if (!axa.empty() && known_mismatch(ta.shape[axa[0]], tb.shape[axb[0]])) {
    throw ValueError(
        op_error(*this, not_aligned(static_shape_str(ta.shape), static_shape_str(tb.shape),
                                    ta.shape[axa[0]], axa[0], tb.shape[axb[0]], axb[0])));
  }
  return {TensorType(promote(ta.dtype, tb.dtype), contracted_shape(ta.shape, tb.shape, axa, axb))};
}

void Dot::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray& a0 = inputs[0];
  const NDArray& b0 = inputs[1];
  auto [axa, axb] = dot_axes(a0.ndim(), b0.ndim());
  if (!axa.empty() && a0.shape(axa[0]) != b0.shape(axb[0])) {
    throw ValueError(
        op_error(*this, not_aligned(shape_str(a0.shape()), shape_str(b0.shape()), a0.shape(axa[0]),
                                    axa[0], b0.shape(axb[0]), axb[0])));
  }
  const DType dt = promote(a0.dtype(), b0.dtype());
  const NDArray a = in_dtype(a0, dt), b = in_dtype(b0, dt);
  NDArray& out = reuse_or_empty(outputs[0], dt, contracted_shape(a.shape(), b.shape(), axa, axb));
  contract(dt, a, b, axa, axb, out.raw());
}

Shapes Dot::infer_shape(const std::vector<Var>& inputs,
                        const std::vector<std::vector<Var>>& input_shapes) const {
  auto [axa, axb] = dot_axes(inputs[0]->type.ndim(), inputs[1]->type.ndim());
  return std::vector<Dims>{contracted_shape(input_shapes[0], input_shapes[1], axa, axb)};
}

std::vector<Var> Dot::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                           const std::vector<Var>& output_grads) const {
  const Var& a = inputs[0];
  const Var& b = inputs[1];
  const Var& g = output_grads[0];
  if (!g) return {nullptr, nullptr};
  const int nda = a->type.ndim(), ndb = b->type.ndim();
  Var ga, gb;
  if (nda == 0 || ndb == 0) {  // an elementwise product (dot() itself builds mul instead)
    ga = sum_to_shape(mul(g, b), a);
    gb = sum_to_shape(mul(g, a), b);
  } else if (nda == 1 && ndb == 1) {  // g is 0-d
    ga = mul(g, b);
    gb = mul(g, a);
  } else if (nda == 2 && ndb == 1) {  // g (m,)
    ga = outer(g, b);
    gb = dot(g, a);
  } else if (nda == 1 && ndb == 2) {  // g (n,)
    ga = dot(b, g);
    gb = outer(a, g);
  } else if (nda == 2 && ndb == 2) {
    ga = dot(g, transpose(b));
    gb = dot(transpose(a), g);
  } else {
    auto [axa, axb] = dot_axes(nda, ndb);
    return tensordot_grads(a, b, {axa[0]}, {axb[0]}, g);
  }
  return {differentiable(a) ? ga : nullptr, differentiable(b) ? gb : nullptr};
}

Var dot(const Var& a, const Var& b) {
  if (a->type.ndim() == 0 || b->type.ndim() == 0) return mul(a, b);
  return make_node1(std::make_shared<Dot>(), {a, b});
}

THEON_OP_FILE(dot) {
  register_op_factory("Dot", [](const PropReader&) -> OpPtr { return std::make_shared<Dot>(); });
  register_builder("dot", 2, 2, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{dot(in[0], in[1])};
  });
}

}  // namespace theon
