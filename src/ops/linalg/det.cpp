// Det and SlogDet: the determinant of each matrix of a stack (numpy.linalg.det) and its sign and
// log absolute value (numpy.linalg.slogdet), from an LU factorization. A singular matrix has
// determinant 0 (sign 0, log -inf), as in NumPy. Gradients: d det = det a^-T, d log|det| = a^-T.
// From C++: det(a), slogdet(a).
#include <algorithm>
#include <cmath>
#include <limits>

#include "linalg_util.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/linalg.hpp"
#include "theon/ops/shape.hpp"
#include "theon/runtime/lapack.hpp"

namespace theon {
namespace {

// The sign and log|det| of an LU-factored matrix (column-major, leading dimension ld).
template <class T>
void lu_slogdet(const T* lu, int64_t n, int64_t ld, const int* ipiv, T& sign, T& logabs) {
  sign = T(1);
  logabs = T(0);
  for (int64_t i = 0; i < n; ++i) {
    const T d = lu[i * ld + i];
    if (ipiv[i] != i + 1) sign = -sign;
    if (d < 0) sign = -sign;
    if (d == 0) {
      sign = T(0);
      logabs = -std::numeric_limits<T>::infinity();
      return;
    }
    logabs += std::log(std::abs(d));
  }
}

// A stack with one output per matrix (det) or two (sign, log|det|).
class Determinant final : public Op {
 public:
  explicit Determinant(bool log) : log_(log) {}
  std::string type_name() const override { return log_ ? "SlogDet" : "Det"; }

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    if (inputs.size() != 1) {
      throw TypeError(op_error(*this, "expected 1 input, got " + std::to_string(inputs.size())));
    }
    const TensorType& t = inputs[0]->type;
    linalg::check_matrix(*this, t, true);
    const TensorType out(linalg::compute_dtype(t.dtype),
                         StaticShape(t.shape.begin(), t.shape.end() - 2));
    return log_ ? std::vector<TensorType>{out, out} : std::vector<TensorType>{out};
  }

  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override {
    const NDArray& x = inputs[0];
    linalg::check_matrix_value(*this, x, true);
    const DType dtype = linalg::compute_dtype(x.dtype());
    const Shape batch(x.shape().begin(), x.shape().end() - 2);
    for (NDArray& out : outputs) reuse_or_empty(out, dtype, batch);
    const linalg::MatrixStack stack(x);
    const int64_t n = stack.rows(), ld = std::max<int64_t>(n, 1);
    linalg::dispatch_float(dtype, [&]<class T>() {
      std::vector<T> w(static_cast<size_t>(ld * n));
      std::vector<int> ipiv(static_cast<size_t>(ld));
      for (int64_t b = 0; b < stack.count(); ++b) {
        stack.load(b, w.data(), ld);
        if (n > 0) lapack::getrf<T>(n, n, w.data(), ld, ipiv.data());  // info > 0: singular
        T sign, logabs;
        lu_slogdet(w.data(), n, ld, ipiv.data(), sign, logabs);
        if (log_) {
          outputs[0].data<T>()[b] = sign;
          outputs[1].data<T>()[b] = logabs;
        } else {
          outputs[0].data<T>()[b] = sign == 0 ? T(0) : det_value<T>(w.data(), n, ld, ipiv.data());
        }
      }
    });
  }

  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override {
    const Var& g = output_grads[log_ ? 1 : 0];
    if (!g) return {nullptr};
    const Var inv_t = linalg::mT(matrix_inverse(inputs[0]));
    const Var scale = log_ ? g : g * outputs[0];
    return {expand_dims(scale, {-2, -1}) * inv_t};
  }

  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& input_shapes) const override {
    const std::vector<Var> batch(input_shapes[0].begin(), input_shapes[0].end() - 2);
    return log_ ? std::vector<std::vector<Var>>{batch, batch}
                : std::vector<std::vector<Var>>{batch};
  }

 private:
  // The product of the LU diagonal with the pivots' sign, as LAPACK leaves it (no logs, so
  // that det of an integer-valued matrix is as exact as NumPy's).
  template <class T>
  static T det_value(const T* lu, int64_t n, int64_t ld, const int* ipiv) {
    T d = T(1);
    for (int64_t i = 0; i < n; ++i) {
      d *= lu[i * ld + i];
      if (ipiv[i] != i + 1) d = -d;
    }
    return d;
  }

  bool log_;
};

}  // namespace

Var det(const Var& a) {
  return make_node1(std::make_shared<Determinant>(false), {a});
}

std::vector<Var> slogdet(const Var& a) {
  return make_node(std::make_shared<Determinant>(true), {a});
}

THEON_OP_FILE(det) {
  register_op_factory(
      "Det", [](const PropReader&) -> OpPtr { return std::make_shared<Determinant>(false); });
  register_op_factory(
      "SlogDet", [](const PropReader&) -> OpPtr { return std::make_shared<Determinant>(true); });
  register_builder("det", 1, 1, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{det(in[0])};
  });
  register_builder("slogdet", 1, 1,
                   [](const std::vector<Var>& in, const Params&) { return slogdet(in[0]); });
}

}  // namespace theon
