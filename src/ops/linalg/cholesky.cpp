// Cholesky: the factor L with a = L L^T (lower) or U with a = U^T U (numpy.linalg.cholesky,
// scipy.linalg.cholesky). Only that triangle of a is read; the other triangle of the factor is
// zero. A matrix that is not positive definite raises LinAlgError (on_error "raise") or gives a
// NaN factor (on_error "nan", Theano's option).
// Gradient (Murray 2016): with P = Phi(L^T L_bar), Phi keeping the lower triangle with half
// the diagonal, the symmetric a_bar = sym(L^-T P L^-1), folded into the triangle read.
// From C++: cholesky(a, lower, on_error).
#include <algorithm>
#include <limits>

#include "linalg_util.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/blas.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/linalg.hpp"
#include "theon/runtime/lapack.hpp"

namespace theon {
namespace {

class Cholesky final : public Op {
 public:
  Cholesky(bool lower, bool nan_on_error) : lower_(lower), nan_on_error_(nan_on_error) {}
  std::string type_name() const override { return "Cholesky"; }
  Props fields() const override {
    return {{"lower", PropValue::boolean(lower_)},
            {"on_error", PropValue::string(nan_on_error_ ? "nan" : "raise")}};
  }

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    return {linalg::square_matrix_type(*this, inputs)};
  }

  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override {
    const NDArray& x = inputs[0];
    linalg::check_matrix_value(*this, x, true);
    const DType dtype = linalg::compute_dtype(x.dtype());
    NDArray& out = reuse_or_empty(outputs[0], dtype, x.shape());
    const linalg::MatrixStack stack(x);
    const int64_t n = stack.rows(), ld = std::max<int64_t>(n, 1);
    linalg::dispatch_float(dtype, [&]<class T>() {
      for (int64_t b = 0; b < stack.count() && n > 0; ++b) {
        // The factor is computed in its place in `out`, which holds a^T column-major (a's rows
        // as columns: a straight copy of C-ordered input, where a column-major load would be a
        // transpose); a^T's other triangle is a's `lower_` one, and its factor, read row-major,
        // is L (or U). Measured on one thread at n = 1000, this beats LAPACK's faster lower
        // factorization behind a transposing copy (1.1x SciPy's time against 1.26x).
        T* w = out.data<T>() + b * n * n;
        stack.load_transposed(b, w, ld);
        const int info = lapack::potrf<T>(lower_ ? 'U' : 'L', n, w, ld);
        if (info > 0 && !nan_on_error_) {
          linalg::fail(*this,
                       "the matrix is not positive definite (its leading minor of order " +
                           std::to_string(info) + " is not)",
                       b, stack.count());
        }
        if (info > 0) {
          std::fill(w, w + n * ld, std::numeric_limits<T>::quiet_NaN());
          continue;
        }
        // The triangle LAPACK left alone, column by column (contiguous in w).
        for (int64_t j = 0; j < n; ++j) {
          if (lower_) {
            std::fill(w + j * ld + j + 1, w + j * ld + n, T(0));
          } else {
            std::fill(w + j * ld, w + j * ld + j, T(0));
          }
        }
      }
    });
  }

  std::vector<Var> L_op(const std::vector<Var>&, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override {
    const Var l = lower_ ? outputs[0] : linalg::mT(outputs[0]);
    const Var l_bar = lower_ ? output_grads[0] : linalg::mT(output_grads[0]);
    const Var m = matmul(linalg::mT(l), l_bar);
    const Var p = linalg::keep_where(m, "lower") + linalg::keep_where(m, "diag") * 0.5;
    // S = L^-T P L^-1, as two triangular solves.
    const Var left = solve_triangular(l, p, true, 1);
    const Var s = linalg::mT(solve_triangular(l, linalg::mT(left), true, 1));
    const Var a_bar = (s + linalg::mT(s)) * 0.5;
    return {linalg::fold_to_triangle(a_bar, lower_)};
  }

  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& input_shapes) const override {
    return std::vector<std::vector<Var>>{input_shapes[0]};
  }

 private:
  bool lower_;
  bool nan_on_error_;
};

bool nan_on_error(const std::string& on_error) {
  if (on_error != "raise" && on_error != "nan") {
    throw ValueError("Cholesky: on_error must be 'raise' or 'nan', got '" + on_error + "'");
  }
  return on_error == "nan";
}

}  // namespace

Var cholesky(const Var& a, bool lower, const std::string& on_error) {
  return make_node1(std::make_shared<Cholesky>(lower, nan_on_error(on_error)), {a});
}

THEON_OP_FILE(cholesky) {
  register_op_factory("Cholesky", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Cholesky>(f.get_bool("lower"), nan_on_error(f.get_string("on_error")));
  });
  register_builder("cholesky", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{
        cholesky(in[0], p.get_bool("lower", true), p.get_string("on_error", "raise"))};
  });
}

}  // namespace theon
