// BatchedDot: dot of a[i] and b[i] for every i of the shared first dimension, and its C++ API
// batched_dot.

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

namespace {

std::string batch_mismatch(const std::string& sa, const std::string& sb) {
  return "expected the same batch size (first dimension), got shapes " + sa + " and " + sb;
}

}  // namespace

std::vector<TensorType> BatchedDot::output_types(const std::vector<Var>& inputs) const {
  check_two(*this, inputs);
  const TensorType& ta = inputs[0]->type;
  const TensorType& tb = inputs[1]->type;
  if (ta.ndim() == 0 || tb.ndim() == 0) {
    throw TypeError(op_error(*this, "expected inputs with a batch dimension (ndim >= 1), got " +
                                        ta.short_str() + " and " + tb.short_str()));
  }
  if (known_mismatch(ta.shape[0], tb.shape[0])) {
    throw ValueError(
        op_error(*this, batch_mismatch(static_shape_str(ta.shape), static_shape_str(tb.shape))));
  }
  const StaticShape a(ta.shape.begin() + 1, ta.shape.end());
  const StaticShape b(tb.shape.begin() + 1, tb.shape.end());
  auto [axa, axb] = dot_axes(ta.ndim() - 1, tb.ndim() - 1);
  if (!axa.empty() && known_mismatch(a[axa[0]], b[axb[0]])) {
    throw ValueError(
        op_error(*this, not_aligned(static_shape_str(ta.shape), static_shape_str(tb.shape),
                                    a[axa[0]], axa[0] + 1, b[axb[0]], axb[0] + 1)));
  }
  StaticShape out = contracted_shape(a, b, axa, axb);
  const int64_t n = ta.shape[0] != kUnknownDim ? ta.shape[0] : tb.shape[0];
  out.insert(out.begin(), n);
  return {TensorType(promote(ta.dtype, tb.dtype), out)};
}

void BatchedDot::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray& a0 = inputs[0];
  const NDArray& b0 = inputs[1];
  if (a0.ndim() == 0 || b0.ndim() == 0) {
    throw TypeError(op_error(*this, "expected inputs with a batch dimension"));
  }
  if (a0.shape(0) != b0.shape(0)) {
    throw ValueError(op_error(*this, batch_mismatch(shape_str(a0.shape()), shape_str(b0.shape()))));
  }
  const DType dt = promote(a0.dtype(), b0.dtype());
  const NDArray a = in_dtype(a0, dt), b = in_dtype(b0, dt);
  auto slice = [](const NDArray& x, int64_t i) {
    return x.view(x.raw() + i * x.strides()[0], Shape(x.shape().begin() + 1, x.shape().end()),
                  Strides(x.strides().begin() + 1, x.strides().end()));
  };
  auto [axa, axb] = dot_axes(a.ndim() - 1, b.ndim() - 1);
  const Shape sa(a.shape().begin() + 1, a.shape().end());
  const Shape sb(b.shape().begin() + 1, b.shape().end());
  if (!axa.empty() && sa[axa[0]] != sb[axb[0]]) {
    throw ValueError(op_error(*this, not_aligned(shape_str(a.shape()), shape_str(b.shape()),
                                                 sa[axa[0]], axa[0] + 1, sb[axb[0]], axb[0] + 1)));
  }
  Shape out_shape = contracted_shape(sa, sb, axa, axb);
  const int64_t block = shape_size(out_shape) * static_cast<int64_t>(itemsize(dt));
  out_shape.insert(out_shape.begin(), a.shape(0));
  NDArray& out = reuse_or_empty(outputs[0], dt, out_shape);
  if (out.size() == 0) return;
  for (int64_t i = 0; i < a.shape(0); ++i) {
    contract(dt, slice(a, i), slice(b, i), axa, axb, out.raw() + i * block);
  }
}

Shapes BatchedDot::infer_shape(const std::vector<Var>& inputs,
                               const std::vector<std::vector<Var>>& input_shapes) const {
  const Dims a(input_shapes[0].begin() + 1, input_shapes[0].end());
  const Dims b(input_shapes[1].begin() + 1, input_shapes[1].end());
  auto [axa, axb] = dot_axes(static_cast<int>(a.size()), static_cast<int>(b.size()));
  Dims out = contracted_shape(a, b, axa, axb);
  // Both batch sizes are equal when the op runs; prefer the one known statically.
  const bool a_known = inputs[0]->type.shape[0] != kUnknownDim;
  const bool b_known = inputs[1]->type.shape[0] != kUnknownDim;
  out.insert(out.begin(), !a_known && b_known ? input_shapes[1][0] : input_shapes[0][0]);
  return std::vector<Dims>{out};
}

// out[i] = dot(a[i], b[i]). Per batch element the dot gradients apply; they are written with
// batched_dot where the per-element operands are vectors or matrices, and otherwise (an
// operand of 4 or more dimensions) as a broadcast product summed over the other operand's free
// axes, which costs memory proportional to the product of all the axes involved.
std::vector<Var> BatchedDot::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                                  const std::vector<Var>& output_grads) const {
  const Var& a = inputs[0];
  const Var& b = inputs[1];
  const Var& g = output_grads[0];
  if (!g) return {nullptr, nullptr};
  const int64_t p = a->type.ndim() - 1, q = b->type.ndim() - 1;  // per-element ndims
  const int64_t ng = g->type.ndim();
  Var ga, gb;
  if (p == 0 || q == 0) {  // out[i] = a[i] * b[i], the 0-d side broadcast over the other
    // The 0-d side as (B, 1, ..., 1) with the other side's ndim.
    auto spread = [](const Var& x, int64_t nd) {
      std::vector<int64_t> pattern{0};
      for (int64_t i = 1; i < nd; ++i) pattern.push_back(kNewAxis);
      return dimshuffle(x, pattern);
    };
    auto collapse = [](const Var& x) {
      return x->type.ndim() == 1 ? x : sum(x, iota(1, x->type.ndim()));
    };
    if (p == 0) {
      ga = collapse(mul(g, b));
      gb = mul(g, spread(a, ng));
    } else {
      ga = mul(g, spread(b, ng));
      gb = collapse(mul(g, a));
    }
  } else if (p == 1 && q == 1) {  // g (B,)
    const Var gc = dimshuffle(g, {0, kNewAxis});
    ga = mul(gc, b);
    gb = mul(gc, a);
  } else if (p == 2 && q == 1) {  // a (B, m, k), b (B, k), g (B, m)
    ga = mul(dimshuffle(g, {0, 1, kNewAxis}), dimshuffle(b, {0, kNewAxis, 1}));
    gb = batched_dot(g, a);
  } else if (p == 1 && q == 2) {  // a (B, k), b (B, k, n), g (B, n)
    ga = batched_dot(b, g);
    gb = mul(dimshuffle(a, {0, 1, kNewAxis}), dimshuffle(g, {0, kNewAxis, 1}));
  } else if (p == 2 && q == 2) {
    ga = batched_dot(g, swapaxes(b, 1, 2));
    gb = batched_dot(swapaxes(a, 1, 2), g);
  } else {
    // The index space (batch, a's free axes, b's free axes, k): a, b and g dimshuffled into
    // it, multiplied, and summed over the axes the input lacks.
    const int64_t kb = q >= 2 ? q - 1 : 1;  // b's contracted axis
    std::vector<int64_t> pa = iota(0, p), pb{0}, pg = iota(0, ng);
    for (int64_t i = 1; i < q; ++i) pa.push_back(kNewAxis);
    pa.push_back(p);
    for (int64_t i = 1; i < p; ++i) pb.push_back(kNewAxis);
    for (int64_t d = 1; d <= q; ++d) {
      if (d != kb) pb.push_back(d);
    }
    pb.push_back(kb);
    pg.push_back(kNewAxis);
    const Var gx = dimshuffle(g, pg);
    ga = mul(gx, dimshuffle(b, pb));
    if (q > 1) ga = sum(ga, iota(p, p + q - 1));
    gb = mul(gx, dimshuffle(a, pa));
    if (p > 1) gb = sum(gb, iota(1, p));
    // gb is (batch, b's free axes, k): move k back to b's axis kb.
    std::vector<int64_t> where(q + 1);
    where[0] = 0;
    int64_t pos = 1;
    for (int64_t d = 1; d <= q; ++d) {
      if (d != kb) where[d] = pos++;
    }
    where[kb] = q;
    gb = permute(gb, where);
  }
  return {differentiable(a) ? ga : nullptr, differentiable(b) ? gb : nullptr};
}

Var batched_dot(const Var& a, const Var& b) {
  return make_node1(std::make_shared<BatchedDot>(), {a, b});
}

THEON_OP_FILE(batched_dot) {
  register_op_factory("BatchedDot",
                      [](const PropReader&) -> OpPtr { return std::make_shared<BatchedDot>(); });
  register_builder("batched_dot", 2, 2, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{batched_dot(in[0], in[1])};
  });
}

}  // namespace theon
