// Outer: numpy.outer (the product of the flattened operands), and its C++ API outer.

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

std::vector<TensorType> Outer::output_types(const std::vector<Var>& inputs) const {
  check_two(*this, inputs);
  auto flat = [](const StaticShape& s) {
    int64_t n = 1;
    bool unknown = false;
    for (int64_t d : s) {
      if (d == 0) return int64_t{0};
      if (d == kUnknownDim)
        unknown = true;
      else
        n *= d;
    }
    return unknown ? kUnknownDim : n;
  };
  return {TensorType(promote(inputs[0]->type.dtype, inputs[1]->type.dtype),
                     {flat(inputs[0]->type.shape), flat(inputs[1]->type.shape)})};
}

void Outer::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const DType dt = promote(inputs[0].dtype(), inputs[1].dtype());
  NDArray a = in_dtype(inputs[0], dt), b = in_dtype(inputs[1], dt);
  // Flatten (as a (size,) view when the layout allows, else a C-order copy).
  auto flat = [](NDArray x) {
    std::vector<int> dims(x.ndim());
    for (int d = 0; d < x.ndim(); ++d) dims[d] = d;
    int64_t n, s;
    if (!merge_dims(x, dims, n, s)) {
      x = x.copy();
      s = static_cast<int64_t>(itemsize(x.dtype()));
    }
    return x.view(x.raw(), {x.size()}, {s});
  };
  a = flat(a);
  b = flat(b);
  NDArray& out = reuse_or_empty(outputs[0], dt, {a.size(), b.size()});
  contract(dt, a, b, {}, {}, out.raw());
}

Shapes Outer::infer_shape(const std::vector<Var>&,
                          const std::vector<std::vector<Var>>& input_shapes) const {
  return std::vector<Dims>{{dims_product(input_shapes[0]), dims_product(input_shapes[1])}};
}

// out = outer(a.ravel(), b.ravel()): ga = (g @ b.ravel()) reshaped like a, gb symmetric.
std::vector<Var> Outer::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                             const std::vector<Var>& output_grads) const {
  const Var& g = output_grads[0];
  if (!g) return {nullptr, nullptr};
  auto ravel = [](const Var& x) {
    return x->type.ndim() == 1 ? x : reshape(x, std::vector<int64_t>{-1});
  };
  auto unravel = [](const Var& v, const Var& like) {
    return like->type.ndim() == 1 ? v : reshape(v, shape(like), like->type.ndim());
  };
  const Var& a = inputs[0];
  const Var& b = inputs[1];
  Var ga, gb;
  if (differentiable(a)) ga = unravel(dot(g, ravel(b)), a);
  if (differentiable(b)) gb = unravel(dot(ravel(a), g), b);
  return {ga, gb};
}

Var outer(const Var& x, const Var& y) {
  return make_node1(std::make_shared<Outer>(), {x, y});
}

THEON_OP_FILE(outer) {
  register_op_factory("Outer",
                      [](const PropReader&) -> OpPtr { return std::make_shared<Outer>(); });
  register_builder("outer", 2, 2, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{outer(in[0], in[1])};
  });
}

}  // namespace theon
