// Matmul: numpy.matmul (stacks of matrices with broadcast batch dimensions), and its C++ API
// matmul.

#include <algorithm>
#include <deque>

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
using blas_operands::Mat;

namespace {

std::string matmul_mismatch(const std::string& sa, const std::string& sb, int nda, int ndb,
                            int64_t ka, int64_t kb) {
  return not_aligned(sa, sb, ka, nda - 1, kb, std::max(ndb - 2, 0));
}

// The operands as stacks of matrices: a 1-d a becomes (1, k), a 1-d b (k, 1).
template <class S>
void matmul_promote(S& a, S& b, int64_t one) {
  if (a.size() == 1) a.insert(a.begin(), one);
  if (b.size() == 1) b.push_back(one);
}

// x with a new broadcastable axis inserted at position `at`.
Var insert_axis(const Var& x, int64_t at) {
  std::vector<int64_t> pattern = iota(0, x->type.ndim());
  pattern.insert(pattern.begin() + at, kNewAxis);
  return dimshuffle(x, pattern);
}

}  // namespace

std::vector<TensorType> Matmul::output_types(const std::vector<Var>& inputs) const {
  check_two(*this, inputs);
  const TensorType& ta = inputs[0]->type;
  const TensorType& tb = inputs[1]->type;
  for (int i = 0; i < 2; ++i) {
    if (inputs[i]->type.ndim() == 0) {
      throw ValueError(op_error(*this, "input operand " + std::to_string(i) +
                                           " does not have enough dimensions (expected at "
                                           "least 1, got a 0-d " +
                                           std::string(dtype_name(inputs[i]->type.dtype)) + ")"));
    }
  }
  StaticShape a = ta.shape, b = tb.shape;
  matmul_promote(a, b, int64_t{1});
  const int64_t ka = a.back(), kb = b[b.size() - 2];
  if (known_mismatch(ka, kb)) {
    throw ValueError(
        op_error(*this, matmul_mismatch(static_shape_str(ta.shape), static_shape_str(tb.shape),
                                        ta.ndim(), tb.ndim(), ka, kb)));
  }
  StaticShape out = broadcast_static(
      {StaticShape(a.begin(), a.end() - 2), StaticShape(b.begin(), b.end() - 2)}, name());
  if (ta.ndim() > 1) out.push_back(a[a.size() - 2]);
  if (tb.ndim() > 1) out.push_back(b.back());
  return {TensorType(promote(ta.dtype, tb.dtype), out)};
}

void Matmul::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray& a0 = inputs[0];
  const NDArray& b0 = inputs[1];
  if (a0.ndim() == 0 || b0.ndim() == 0) {
    throw ValueError(op_error(*this, "0-d operands are not allowed"));
  }
  Shape sa = a0.shape(), sb = b0.shape();
  matmul_promote(sa, sb, int64_t{1});
  const int64_t m = sa[sa.size() - 2], k = sa.back(), n = sb.back();
  if (k != sb[sb.size() - 2]) {
    throw ValueError(op_error(*this, matmul_mismatch(shape_str(a0.shape()), shape_str(b0.shape()),
                                                     a0.ndim(), b0.ndim(), k, sb[sb.size() - 2])));
  }
  const Shape batch =
      broadcast_shapes({Shape(sa.begin(), sa.end() - 2), Shape(sb.begin(), sb.end() - 2)}, name());
  Shape out_shape = batch;
  if (a0.ndim() > 1) out_shape.push_back(m);
  if (b0.ndim() > 1) out_shape.push_back(n);
  const DType dt = promote(a0.dtype(), b0.dtype());
  NDArray& out = reuse_or_empty(outputs[0], dt, out_shape);
  if (out.size() == 0) return;

  // Views of the promoted operands, broadcast to the full batch shape.
  auto stack_view = [&](const NDArray& x, const Shape& s, bool is_a) {
    Strides st = x.strides();
    if (x.ndim() == 1) {
      if (is_a)
        st.insert(st.begin(), 0);
      else
        st.push_back(0);
    }
    NDArray v = x.view(x.raw(), s, st);
    Shape full = batch;
    full.push_back(s[s.size() - 2]);
    full.push_back(s.back());
    return v.broadcast_to(full);
  };
  const NDArray a = stack_view(in_dtype(a0, dt), sa, true);
  const NDArray b = stack_view(in_dtype(b0, dt), sb, false);
  const int nb = static_cast<int>(batch.size());
  const int64_t nbatch = shape_size(batch);
  const int64_t block = m * n * static_cast<int64_t>(itemsize(dt));
  std::vector<int64_t> idx(nb, 0);
  std::deque<NDArray> keep;
  for (int64_t t = 0; t < nbatch; ++t) {
    const char* pa = a.raw();
    const char* pb = b.raw();
    for (int d = 0; d < nb; ++d) {
      pa += idx[d] * a.strides()[d];
      pb += idx[d] * b.strides()[d];
    }
    const Mat ma{&a, pa, m, k, a.strides()[nb], a.strides()[nb + 1]};
    const Mat mb{&b, pb, k, n, b.strides()[nb], b.strides()[nb + 1]};
    keep.clear();
    product_2d(dt, ma, mb, out.raw() + t * block, keep);
    for (int d = nb - 1; d >= 0; --d) {
      if (++idx[d] < batch[d]) break;
      idx[d] = 0;
    }
  }
}

Shapes Matmul::infer_shape(const std::vector<Var>& inputs,
                           const std::vector<std::vector<Var>>& input_shapes) const {
  // Batch dimensions broadcast; a 1-d operand contributes no batch and no output dimension.
  const Dims& a = input_shapes[0];
  const Dims& b = input_shapes[1];
  const StaticShape& sa = inputs[0]->type.shape;
  const StaticShape& sb = inputs[1]->type.shape;
  const size_t ba = a.size() > 1 ? a.size() - 2 : 0;
  const size_t bb = b.size() > 1 ? b.size() - 2 : 0;
  Dims out = broadcast_dims(
      {Dims(a.begin(), a.begin() + ba), Dims(b.begin(), b.begin() + bb)},
      {StaticShape(sa.begin(), sa.begin() + ba), StaticShape(sb.begin(), sb.begin() + bb)});
  if (a.size() > 1) out.push_back(a[a.size() - 2]);
  if (b.size() > 1) out.push_back(b.back());
  return std::vector<Dims>{out};
}

// The operands are promoted to stacks of matrices (a 1-d a to (1, k), a 1-d b to (k, 1)) and g
// to the promoted output batch + (m, n); then ga = g @ b^T and gb = a^T @ g, summed over the
// batch dimensions broadcasting added or stretched, and the promoted axis removed.
std::vector<Var> Matmul::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                              const std::vector<Var>& output_grads) const {
  const Var& a = inputs[0];
  const Var& b = inputs[1];
  Var g = output_grads[0];
  if (!g) return {nullptr, nullptr};
  const int nda = a->type.ndim(), ndb = b->type.ndim();
  const Var a2 = nda == 1 ? insert_axis(a, 0) : a;
  const Var b2 = ndb == 1 ? insert_axis(b, 1) : b;
  if (ndb == 1) g = insert_axis(g, g->type.ndim());
  if (nda == 1) g = insert_axis(g, g->type.ndim() - 1);
  Var ga, gb;
  if (differentiable(a)) {
    ga = sum_to_shape(matmul(g, swapaxes(b2, -1, -2)), a2);
    if (nda == 1) ga = squeeze(ga, std::vector<int64_t>{0});
  }
  if (differentiable(b)) {
    gb = sum_to_shape(matmul(swapaxes(a2, -1, -2), g), b2);
    if (ndb == 1) gb = squeeze(gb, std::vector<int64_t>{1});
  }
  return {ga, gb};
}

Var matmul(const Var& a, const Var& b) {
  return make_node1(std::make_shared<Matmul>(), {a, b});
}

THEON_OP_FILE(matmul) {
  register_op_factory("Matmul",
                      [](const PropReader&) -> OpPtr { return std::make_shared<Matmul>(); });
  register_builder("matmul", 2, 2, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{matmul(in[0], in[1])};
  });
}

}  // namespace theon
