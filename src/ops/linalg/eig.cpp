// Eig: eigenvalues and right eigenvectors (the columns of v, each of unit length) of each general
// square matrix of a stack (numpy.linalg.eig; eigvals without vectors), by LAPACK's geev, in
// its order. Theon has no complex dtypes, so a matrix with a complex eigenvalue raises
// LinAlgError (Theano silently kept the real parts; NumPy returns complex arrays); so does a
// matrix with an inf or NaN (as NumPy).
// Gradient, for distinct eigenvalues: with F_ij = 1 / (w_j - w_i) off the diagonal and the part
// of v_bar along each unit-length v_j dropped (v_bar' = v_bar - v diag(diag(v^T v_bar))),
// a_bar = v^-T (diag(w_bar) + F o (v^T v_bar')) v^T. From C++: eig(a), eigvals(a).
#include <algorithm>
#include <cmath>

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

class Eig final : public Op {
 public:
  explicit Eig(bool compute_v) : compute_v_(compute_v) {}
  std::string type_name() const override { return "Eig"; }
  Props fields() const override { return {{"compute_v", PropValue::boolean(compute_v_)}}; }

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    const TensorType v = linalg::square_matrix_type(*this, inputs);
    const StaticShape w(v.shape.begin(), v.shape.end() - 1);
    std::vector<TensorType> out{TensorType(v.dtype, w)};
    if (compute_v_) out.push_back(v);
    return out;
  }

  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override {
    const NDArray& x = inputs[0];
    linalg::check_matrix_value(*this, x, true);
    const DType dtype = linalg::compute_dtype(x.dtype());
    const Shape w_shape(x.shape().begin(), x.shape().end() - 1);
    NDArray& w_out = reuse_or_empty(outputs[0], dtype, w_shape);
    if (compute_v_) reuse_or_empty(outputs[1], dtype, x.shape());
    const linalg::MatrixStack stack(x);
    const int64_t n = stack.rows(), ld = std::max<int64_t>(n, 1);
    linalg::dispatch_float(dtype, [&]<class T>() {
      std::vector<T> a(static_cast<size_t>(ld * n)), wi(static_cast<size_t>(ld));
      std::vector<T> vr(compute_v_ ? static_cast<size_t>(ld * n) : 1);
      for (int64_t b = 0; b < stack.count() && n > 0; ++b) {
        stack.load(b, a.data(), ld);
        if (!std::all_of(a.begin(), a.end(), [](T e) { return std::isfinite(e); })) {
          linalg::fail(*this, "the matrix contains an inf or NaN", b, stack.count());
        }
        T* w = w_out.data<T>() + b * n;
        const int info = lapack::geev<T>(compute_v_ ? 'V' : 'N', n, a.data(), ld, w, wi.data(),
                                         vr.data(), compute_v_ ? ld : 1);
        if (info > 0) linalg::fail(*this, "the eigenvalues did not converge", b, stack.count());
        if (std::any_of(wi.begin(), wi.begin() + n, [](T e) { return e != T(0); })) {
          linalg::fail(*this,
                       "the matrix has complex eigenvalues, and Theon has no complex dtypes "
                       "(for a symmetric matrix, eigh gives real ones)",
                       b, stack.count());
        }
        if (compute_v_) linalg::store(vr.data(), ld, n, n, outputs[1], b);
      }
    });
  }

  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override {
    std::vector<Var> wv = outputs;
    if (!compute_v_) wv = make_node(std::make_shared<Eig>(true), {inputs[0]});
    const Var& w = wv[0];
    const Var& v = wv[1];
    const Var& w_bar = output_grads[0];
    const Var v_bar = compute_v_ ? output_grads[1] : nullptr;
    const Var vt = linalg::mT(v);
    Var inner;
    if (w_bar) inner = linalg::diag_embed(w_bar);
    if (v_bar) {
      const Var along = v * linalg::as_rows(linalg::diagonal(matmul(vt, v_bar)));
      const Var term = linalg::inverse_gaps(w) * matmul(vt, v_bar - along);
      inner = inner ? inner + term : term;
    }
    if (!inner) return {nullptr};
    return {solve(vt, matmul(inner, vt))};
  }

  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& input_shapes) const override {
    const std::vector<Var>& s = input_shapes[0];
    std::vector<std::vector<Var>> out{std::vector<Var>(s.begin(), s.end() - 1)};
    if (compute_v_) out.push_back(s);
    return out;
  }

 private:
  bool compute_v_;
};

}  // namespace

std::vector<Var> eig(const Var& a) {
  return make_node(std::make_shared<Eig>(true), {a});
}

Var eigvals(const Var& a) {
  return make_node1(std::make_shared<Eig>(false), {a});
}

THEON_OP_FILE(eig) {
  register_op_factory("Eig", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Eig>(f.get_bool("compute_v"));
  });
  register_builder("eig", 1, 1,
                   [](const std::vector<Var>& in, const Params&) { return eig(in[0]); });
  register_builder("eigvals", 1, 1, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{eigvals(in[0])};
  });
}

}  // namespace theon
