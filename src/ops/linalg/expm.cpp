// Expm: the matrix exponential of each matrix of a stack (scipy.linalg.expm), by scaling and
// squaring with the degree-13 Pade approximant (Higham 2005), computed in float64. Gradient:
// the adjoint of the Frechet derivative, the upper-right block of expm([[a^T, g], [0, a^T]]).
// From C++: expm(a).
#include <algorithm>
#include <cmath>

#include "linalg_util.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/join.hpp"
#include "theon/ops/linalg.hpp"
#include "theon/ops/shape.hpp"
#include "theon/ops/subtensor.hpp"
#include "theon/runtime/blas.hpp"
#include "theon/runtime/lapack.hpp"

namespace theon {
namespace {

constexpr double kPade13[] = {64764752532480000.0,
                              32382376266240000.0,
                              7771770303897600.0,
                              1187353796428800.0,
                              129060195264000.0,
                              10559470521600.0,
                              670442572800.0,
                              33522128640.0,
                              1323241920.0,
                              40840800.0,
                              960960.0,
                              16380.0,
                              182.0,
                              1.0};
constexpr double kTheta13 = 5.371920351148152;  // the largest 1-norm degree 13 handles unscaled

using Matrix = std::vector<double>;  // n x n, row-major

Matrix product(const Matrix& a, const Matrix& b, int64_t n) {
  Matrix c(a.size());
  blas::gemm(DType::Float64, false, false, n, n, n, a.data(), n, b.data(), n, c.data(), n);
  return c;
}

// sum_k coef[k] * terms[k] (+ coef_i * I).
Matrix combine(const std::vector<std::pair<double, const Matrix*>>& terms, double coef_i,
               int64_t n) {
  Matrix out(static_cast<size_t>(n * n), 0.0);
  for (const auto& [c, m] : terms) {
    for (size_t i = 0; i < out.size(); ++i) out[i] += c * (*m)[i];
  }
  for (int64_t i = 0; i < n; ++i) out[static_cast<size_t>(i * n + i)] += coef_i;
  return out;
}

// exp(a) for row-major a, in place. Returns false if the Pade denominator was singular (only
// for non-finite input).
bool expm_in_place(Matrix& a, int64_t n) {
  double norm1 = 0;
  for (int64_t j = 0; j < n; ++j) {
    double col = 0;
    for (int64_t i = 0; i < n; ++i) col += std::abs(a[static_cast<size_t>(i * n + j)]);
    norm1 = std::max(norm1, col);
  }
  if (!std::isfinite(norm1)) {
    std::fill(a.begin(), a.end(), std::nan(""));
    return true;
  }
  const int squarings =
      norm1 > kTheta13 ? static_cast<int>(std::ceil(std::log2(norm1 / kTheta13))) : 0;
  const double scale = std::ldexp(1.0, -squarings);
  for (double& v : a) v *= scale;
  const double* b = kPade13;
  const Matrix a2 = product(a, a, n), a4 = product(a2, a2, n), a6 = product(a4, a2, n);
  const Matrix u_inner = combine({{b[13], &a6}, {b[11], &a4}, {b[9], &a2}}, 0.0, n);
  Matrix u_poly = product(a6, u_inner, n);
  u_poly = combine({{1.0, &u_poly}, {b[7], &a6}, {b[5], &a4}, {b[3], &a2}}, b[1], n);
  const Matrix u = product(a, u_poly, n);
  const Matrix v_inner = combine({{b[12], &a6}, {b[10], &a4}, {b[8], &a2}}, 0.0, n);
  Matrix v = product(a6, v_inner, n);
  v = combine({{1.0, &v}, {b[6], &a6}, {b[4], &a4}, {b[2], &a2}}, b[0], n);
  // exp(a) ~ (v - u)^-1 (v + u); u and v commute, so the row-major buffers (seen by LAPACK as
  // the transposes) solve for the same matrix.
  Matrix p = combine({{1.0, &v}, {-1.0, &u}}, 0.0, n);
  Matrix q = combine({{1.0, &v}, {1.0, &u}}, 0.0, n);
  std::vector<int> ipiv(static_cast<size_t>(n));
  if (lapack::getrf<double>(n, n, p.data(), n, ipiv.data()) != 0) return false;
  lapack::getrs<double>('N', n, n, p.data(), n, ipiv.data(), q.data(), n);
  for (int k = 0; k < squarings; ++k) q = product(q, q, n);
  a = std::move(q);
  return true;
}

class Expm final : public Op {
 public:
  std::string type_name() const override { return "Expm"; }

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    return {linalg::square_matrix_type(*this, inputs)};
  }

  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override {
    const NDArray& x = inputs[0];
    linalg::check_matrix_value(*this, x, true);
    const DType dtype = linalg::compute_dtype(x.dtype());
    NDArray& out = reuse_or_empty(outputs[0], dtype, x.shape());
    const linalg::MatrixStack stack(x);
    const int64_t n = stack.rows();
    for (int64_t b = 0; b < stack.count() && n > 0; ++b) {
      // The column-major load is a^T row-major; exp(a^T) = exp(a)^T is then exp(a) column-major.
      Matrix w(static_cast<size_t>(n * n));
      stack.load(b, w.data(), n);
      if (!expm_in_place(w, n))
        linalg::fail(*this, "the Pade denominator is singular", b, stack.count());
      linalg::dispatch_float(dtype, [&]<class T>() {
        std::vector<T> cast(w.begin(), w.end());
        linalg::store(cast.data(), n, n, n, out, b);
      });
    }
  }

  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                        const std::vector<Var>& output_grads) const override {
    const Var at = linalg::mT(inputs[0]);
    const Var& g = output_grads[0];
    const int axis = inputs[0]->type.ndim() - 1;
    const Var top = join(axis, {at, g});
    const Var bottom = join(axis, {zeros_like(g), at});
    const Var block = expm(join(axis - 1, {top, bottom}));
    const Var n = shape_i(inputs[0], -1);
    return {getitem(block, {idx::ellipsis(), idx::slice({}, n), idx::slice(n, {})})};
  }

  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& input_shapes) const override {
    return std::vector<std::vector<Var>>{input_shapes[0]};
  }
};

}  // namespace

Var expm(const Var& a) {
  return make_node1(std::make_shared<Expm>(), {a});
}

THEON_OP_FILE(expm) {
  register_op_factory("Expm", [](const PropReader&) -> OpPtr { return std::make_shared<Expm>(); });
  register_builder("expm", 1, 1, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{expm(in[0])};
  });
}

}  // namespace theon
