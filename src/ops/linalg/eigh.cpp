// Eigh: eigenvalues (ascending) and eigenvectors (the columns of v) of each symmetric matrix of
// a stack (numpy.linalg.eigh; eigvalsh without vectors), by LAPACK's divide and conquer. Only
// the `lower` (else upper) triangle is read. Gradient, for distinct eigenvalues:
// G = v (diag(w_bar) + F o (v^T v_bar)) v^T with F_ij = 1 / (w_j - w_i) off the diagonal,
// folded into the triangle read. From C++: eigh(a, lower), eigvalsh(a, lower).
#include <algorithm>

#include "linalg_util.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/blas.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/linalg.hpp"
#include "theon/ops/shape.hpp"
#include "theon/runtime/lapack.hpp"

namespace theon {
namespace {

class Eigh final : public Op {
 public:
  Eigh(bool lower, bool compute_v) : lower_(lower), compute_v_(compute_v) {}
  std::string type_name() const override { return "Eigh"; }
  Props fields() const override {
    return {{"lower", PropValue::boolean(lower_)}, {"compute_v", PropValue::boolean(compute_v_)}};
  }

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    if (inputs.size() != 1) {
      throw TypeError(op_error(*this, "expected 1 input, got " + std::to_string(inputs.size())));
    }
    const TensorType& t = inputs[0]->type;
    linalg::check_matrix(*this, t, true);
    const DType dtype = linalg::compute_dtype(t.dtype);
    StaticShape v = t.shape;
    const int nd = t.ndim();
    v[nd - 2] = v[nd - 1] = std::max(v[nd - 2], v[nd - 1]);
    const StaticShape w(v.begin(), v.end() - 1);
    std::vector<TensorType> out{TensorType(dtype, w)};
    if (compute_v_) out.emplace_back(dtype, v);
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
      std::vector<T> a(static_cast<size_t>(ld * n));
      for (int64_t b = 0; b < stack.count() && n > 0; ++b) {
        stack.load_transposed(b, a.data(), ld);  // a^T: the other triangle is the one read
        T* w = w_out.data<T>() + b * n;
        const int info =
            lapack::syevd<T>(compute_v_ ? 'V' : 'N', lower_ ? 'U' : 'L', n, a.data(), ld, w);
        if (info > 0) linalg::fail(*this, "the eigenvalues did not converge", b, stack.count());
        if (compute_v_) linalg::store(a.data(), ld, n, n, outputs[1], b);
      }
    });
  }

  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override {
    std::vector<Var> wv = outputs;
    if (!compute_v_) wv = make_node(std::make_shared<Eigh>(lower_, true), {inputs[0]});
    const Var& w = wv[0];
    const Var& v = wv[1];
    const Var& w_bar = output_grads[0];
    const Var v_bar = compute_v_ ? output_grads[1] : nullptr;
    Var inner;
    if (w_bar) inner = linalg::diag_embed(w_bar);
    if (v_bar) {
      const Var term = linalg::inverse_gaps(w) * matmul(linalg::mT(v), v_bar);
      inner = inner ? inner + term : term;
    }
    if (!inner) return {nullptr};
    return {linalg::fold_to_triangle(matmul(matmul(v, inner), linalg::mT(v)), lower_)};
  }

  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& input_shapes) const override {
    const std::vector<Var>& s = input_shapes[0];
    std::vector<std::vector<Var>> out{std::vector<Var>(s.begin(), s.end() - 1)};
    if (compute_v_) out.push_back(s);
    return out;
  }

 private:
  bool lower_;
  bool compute_v_;
};

}  // namespace

std::vector<Var> eigh(const Var& a, bool lower) {
  return make_node(std::make_shared<Eigh>(lower, true), {a});
}

Var eigvalsh(const Var& a, bool lower) {
  return make_node1(std::make_shared<Eigh>(lower, false), {a});
}

THEON_OP_FILE(eigh) {
  register_op_factory("Eigh", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Eigh>(f.get_bool("lower"), f.get_bool("compute_v"));
  });
  register_builder("eigh", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return eigh(in[0], p.get_bool("lower", true));
  });
  register_builder("eigvalsh", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{eigvalsh(in[0], p.get_bool("lower", true))};
  });
}

}  // namespace theon
