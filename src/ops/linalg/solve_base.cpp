// The shared half of the linear-system ops; see solve_base.hpp.
#include "solve_base.hpp"

#include <algorithm>

#include "linalg_util.hpp"
#include "theon/core/error.hpp"
#include "theon/ops/blas.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/shape.hpp"

namespace theon::linalg {

namespace {

// b as a stack of matrices: a vector becomes one column.
NDArray as_matrices(const NDArray& b) {
  if (b.ndim() != 1) return b;
  return b.view(b.raw(), {b.shape(0), 1},
                {b.strides()[0], static_cast<int64_t>(itemsize(b.dtype()))});
}

}  // namespace

std::vector<TensorType> SolveBase::output_types(const std::vector<Var>& inputs) const {
  if (inputs.size() != 2) {
    throw TypeError(
        op_error(*this, "expected 2 inputs (a, b), got " + std::to_string(inputs.size())));
  }
  const TensorType& ta = inputs[0]->type;
  const TensorType& tb = inputs[1]->type;
  check_matrix(*this, ta, true, "a");
  if (!tb.is_tensor() || tb.ndim() == 0) {
    throw ValueError(
        op_error(*this, "expected b as a vector or a stack of matrices, got " + tb.str()));
  }
  const bool vector = tb.ndim() == 1;
  const int64_t n_a = ta.shape[ta.ndim() - 1];
  const int64_t n_b = tb.shape[vector ? 0 : tb.ndim() - 2];
  if (n_a != kUnknownDim && n_b != kUnknownDim && n_a != n_b) {
    throw ValueError(op_error(*this, "a " + ta.str() + " and b " + tb.str() +
                                         " do not match: b needs " + std::to_string(n_a) +
                                         " rows"));
  }
  const int64_t n = n_a != kUnknownDim ? n_a : n_b;
  StaticShape out = broadcast_batch_static(*this, ta.shape, 2, tb.shape, vector ? 1 : 2);
  out.push_back(n);
  if (!vector) out.push_back(tb.shape.back());
  return {TensorType(compute_dtype(promote(ta.dtype, tb.dtype)), out)};
}

void SolveBase::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray& a = inputs[0];
  check_matrix_value(*this, a, true, "a");
  if (inputs[1].ndim() == 0) {
    throw ValueError(op_error(*this,
                              "expected b as a vector or a stack of matrices, got a 0-d "
                              "array"));
  }
  const bool vector = inputs[1].ndim() == 1;
  const NDArray b = as_matrices(inputs[1]);
  const int64_t n = a.shape(a.ndim() - 1);
  if (b.shape(b.ndim() - 2) != n) {
    throw ValueError(op_error(*this, "a of shape " + shape_str(a.shape()) + " and b of shape " +
                                         shape_str(inputs[1].shape()) +
                                         " do not match: b "
                                         "needs " +
                                         std::to_string(n) + " rows"));
  }
  const int64_t k = b.shape(b.ndim() - 1);
  const Shape batch = broadcast_batch(*this, a.shape(), 2, b.shape(), 2);
  Shape out_shape = batch;
  out_shape.push_back(n);
  if (!vector) out_shape.push_back(k);
  const DType dtype = compute_dtype(promote(a.dtype(), inputs[1].dtype()));
  NDArray& out = reuse_or_empty(outputs[0], dtype, out_shape);
  const MatrixStack as(a, batch), bs(b, batch);
  const int64_t ld = std::max<int64_t>(n, 1);
  dispatch_float(dtype, [&]<class T>() {
    std::vector<T> wa(static_cast<size_t>(ld * n)), wb(static_cast<size_t>(ld * k));
    for (int64_t i = 0; i < as.count(); ++i) {
      if (n == 0 || k == 0) break;
      as.load_transposed(i, wa.data(), ld);
      bs.load(i, wb.data(), ld);
      const int info = solve(wa.data(), n, wb.data(), k);
      if (info < 0)
        throw ValueError(op_error(*this, "LAPACK rejected argument " + std::to_string(-info)));
      if (info > 0) fail(*this, failure(info), i, as.count());
      store(wb.data(), ld, n, k, out, i);
    }
  });
}

std::optional<std::vector<std::vector<Var>>> SolveBase::infer_shape(
    const std::vector<Var>& inputs, const std::vector<std::vector<Var>>& input_shapes) const {
  const std::vector<Var>& sa = input_shapes[0];
  const std::vector<Var>& sb = input_shapes[1];
  const bool vector = sb.size() == 1;
  const size_t core_b = vector ? 1 : 2;
  const StaticShape& ta = inputs[0]->type.shape;
  const StaticShape& tb = inputs[1]->type.shape;
  std::vector<Var> out = broadcast_dims(
      {std::vector<Var>(sa.begin(), sa.end() - 2), std::vector<Var>(sb.begin(), sb.end() - core_b)},
      {StaticShape(ta.begin(), ta.end() - 2), StaticShape(tb.begin(), tb.end() - core_b)});
  out.push_back(sa.back());
  if (!vector) out.push_back(sb.back());
  return std::vector<std::vector<Var>>{out};
}

Var outer_of(const Var& u, const Var& v, bool vectors) {
  if (!vectors) return matmul(u, mT(v));
  return as_columns(u) * as_rows(v);
}

}  // namespace theon::linalg
