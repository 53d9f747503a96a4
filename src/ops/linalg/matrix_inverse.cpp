// MatrixInverse: the inverse of each matrix of a stack (numpy.linalg.inv), by LU factorization;
// a singular matrix raises LinAlgError. Gradient: a_bar = -x^T g x^T with x = inv(a).
// From C++: matrix_inverse(a).
#include <algorithm>

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

class MatrixInverse final : public Op {
 public:
  std::string type_name() const override { return "MatrixInverse"; }

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
      std::vector<T> w(static_cast<size_t>(ld * n));
      std::vector<int> ipiv(static_cast<size_t>(ld));
      for (int64_t b = 0; b < stack.count() && n > 0; ++b) {
        stack.load(b, w.data(), ld);
        int info = lapack::getrf<T>(n, n, w.data(), ld, ipiv.data());
        if (info == 0) info = lapack::getri<T>(n, w.data(), ld, ipiv.data());
        if (info > 0) linalg::fail(*this, "the matrix is singular", b, stack.count());
        linalg::store(w.data(), ld, n, n, out, b);
      }
    });
  }

  std::vector<Var> L_op(const std::vector<Var>&, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override {
    const Var xt = linalg::mT(outputs[0]);
    return {-matmul(matmul(xt, output_grads[0]), xt)};
  }

  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& input_shapes) const override {
    return std::vector<std::vector<Var>>{input_shapes[0]};
  }
};

}  // namespace

Var matrix_inverse(const Var& a) {
  return make_node1(std::make_shared<MatrixInverse>(), {a});
}

THEON_OP_FILE(matrix_inverse) {
  register_op_factory("MatrixInverse",
                      [](const PropReader&) -> OpPtr { return std::make_shared<MatrixInverse>(); });
  register_builder("matrix_inverse", 1, 1, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{matrix_inverse(in[0])};
  });
}

}  // namespace theon
