// SVD: a = u diag(s) vh for each matrix of a stack (numpy.linalg.svd), by LAPACK's divide and
// conquer: full_matrices gives square u (m x m) and vh (n x n), else u (m x k) and vh (k x n)
// with k = min(m, n); without compute_uv only s. Gradient (Townsend 2016), for distinct nonzero
// singular values, with F_ij = 1 / (s_j^2 - s_i^2) off the diagonal:
// a_bar = u [(F o (u^T u_bar - u_bar^T u)) S + diag(s_bar) + S (F o (v^T v_bar - v_bar^T v))] v^T
//         + (I - u u^T) u_bar S^-1 v^T + u S^-1 v_bar^T (I - v v^T).
// From C++: svd(a, full_matrices, compute_uv).
#include <algorithm>

#include "linalg_util.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/blas.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/linalg.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/shape.hpp"
#include "theon/runtime/lapack.hpp"

namespace theon {
namespace {

// Fills the square matrix `b` of the C-contiguous stack `out` with the identity.
template <class T>
void store_identity(NDArray& out, int64_t b, int64_t n) {
  T* dst = out.data<T>() + b * n * n;
  for (int64_t i = 0; i < n * n; ++i) dst[i] = T(0);
  for (int64_t i = 0; i < n; ++i) dst[i * n + i] = T(1);
}

class Svd final : public Op {
 public:
  Svd(bool full_matrices, bool compute_uv) : full_(full_matrices), compute_uv_(compute_uv) {}
  std::string type_name() const override { return "SVD"; }
  Props fields() const override {
    return {{"full_matrices", PropValue::boolean(full_)},
            {"compute_uv", PropValue::boolean(compute_uv_)}};
  }

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    if (inputs.size() != 1) {
      throw TypeError(op_error(*this, "expected 1 input, got " + std::to_string(inputs.size())));
    }
    const TensorType& t = inputs[0]->type;
    linalg::check_matrix(*this, t, false);
    const DType dtype = linalg::compute_dtype(t.dtype);
    const StaticShape batch(t.shape.begin(), t.shape.end() - 2);
    const int64_t m = t.shape[t.ndim() - 2], n = t.shape[t.ndim() - 1];
    const int64_t k = (m == kUnknownDim || n == kUnknownDim) ? kUnknownDim : std::min(m, n);
    auto with = [&](std::vector<int64_t> core) {
      StaticShape s = batch;
      s.insert(s.end(), core.begin(), core.end());
      return TensorType(dtype, s);
    };
    if (!compute_uv_) return {with({k})};
    return {with({m, full_ ? m : k}), with({k}), with({full_ ? n : k, n})};
  }

  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override {
    const NDArray& x = inputs[0];
    linalg::check_matrix_value(*this, x, false);
    const DType dtype = linalg::compute_dtype(x.dtype());
    const linalg::MatrixStack stack(x);
    const int64_t m = stack.rows(), n = stack.cols(), k = std::min(m, n);
    const int64_t ucols = full_ ? m : k, vrows = full_ ? n : k;
    const Shape batch(x.shape().begin(), x.shape().end() - 2);
    auto with = [&](std::vector<int64_t> core) {
      Shape s = batch;
      s.insert(s.end(), core.begin(), core.end());
      return s;
    };
    NDArray& s_out = reuse_or_empty(outputs[compute_uv_ ? 1 : 0], dtype, with({k}));
    if (compute_uv_) {
      reuse_or_empty(outputs[0], dtype, with({m, ucols}));
      reuse_or_empty(outputs[2], dtype, with({vrows, n}));
    }
    // LAPACK factors a^T (n x m, a's rows as columns: a copy, not a transpose, of C-ordered
    // input) = u' s vt', so that u = vt'^T and vh = u'^T: each output is a factor's buffer
    // read in the other order, again a copy.
    const int64_t ldw = std::max<int64_t>(n, 1);
    const int64_t ucols_t = full_ ? n : k, vrows_t = full_ ? m : k;  // u' (n x ucols_t), vt'
    const int64_t ldvt = std::max<int64_t>(vrows_t, 1);
    const char jobz = compute_uv_ ? (full_ ? 'A' : 'S') : 'N';
    linalg::dispatch_float(dtype, [&]<class T>() {
      std::vector<T> a(static_cast<size_t>(ldw * m)), u, vt;
      if (compute_uv_) {
        u.resize(static_cast<size_t>(ldw * ucols_t));
        vt.resize(static_cast<size_t>(ldvt * m));
      }
      T unused{};
      for (int64_t b = 0; b < stack.count(); ++b) {
        if (k == 0) {  // NumPy: the square factors of an empty matrix are identities
          if (compute_uv_ && ucols == m) store_identity<T>(outputs[0], b, m);
          if (compute_uv_ && vrows == n) store_identity<T>(outputs[2], b, n);
          continue;
        }
        stack.load_transposed(b, a.data(), ldw);
        const int info = lapack::gesdd<T>(
            jobz, n, m, a.data(), ldw, s_out.data<T>() + b * k, compute_uv_ ? u.data() : &unused,
            compute_uv_ ? ldw : 1, compute_uv_ ? vt.data() : &unused, compute_uv_ ? ldvt : 1);
        if (info > 0) linalg::fail(*this, "the SVD did not converge", b, stack.count());
        if (compute_uv_) {
          linalg::store_transposed(vt.data(), ldvt, m, ucols, outputs[0], b);
          linalg::store_transposed(u.data(), ldw, vrows, n, outputs[2], b);
        }
      }
    });
  }

  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override {
    const Var& a = inputs[0];
    if (!compute_uv_) {
      const std::vector<Var> usv = svd(a, false, true);
      return {matmul(usv[0] * linalg::as_rows(output_grads[0]), usv[2])};
    }
    const Var& u = outputs[0];
    const Var& s = outputs[1];
    const Var v = linalg::mT(outputs[2]);
    Var u_bar = output_grads[0], s_bar = output_grads[1];
    Var v_bar = output_grads[2] ? linalg::mT(output_grads[2]) : nullptr;
    const int nd = a->type.ndim();
    const int64_t m = a->type.shape[nd - 2], n = a->type.shape[nd - 1];
    if (full_ && (u_bar || v_bar) && (m == kUnknownDim || n == kUnknownDim || m != n)) {
      throw NotImplementedError(
          op_error(*this,
                   "the gradient through u or vh with full_matrices=True is defined only for "
                   "square matrices (use full_matrices=False), got " +
                       a->type.str()));
    }
    Var inner = s_bar ? linalg::diag_embed(s_bar) : nullptr;
    auto add = [](Var acc, const Var& term) { return acc ? acc + term : term; };
    const Var s2 = s * s;
    const Var gap = linalg::as_rows(s2) - linalg::as_columns(s2);  // s_j^2 - s_i^2
    const Var inv_gap = 1.0 / gap;
    const Var f = linalg::keep_where(inv_gap, "lower") + linalg::keep_where(inv_gap, "upper");
    const Var inv_s = 1.0 / s;
    Var extra;
    if (u_bar) {
      const Var utg = matmul(linalg::mT(u), u_bar);
      inner = add(inner, (f * (utg - linalg::mT(utg))) * linalg::as_rows(s));
      // (I - u u^T) u_bar S^-1, without forming I.
      const Var proj = u_bar - matmul(u, utg);
      extra = matmul(proj * linalg::as_rows(inv_s), linalg::mT(v));
    }
    if (v_bar) {
      const Var vtg = matmul(linalg::mT(v), v_bar);
      inner = add(inner, linalg::as_columns(s) * (f * (vtg - linalg::mT(vtg))));
      const Var proj = linalg::mT(v_bar - matmul(v, vtg));  // v_bar^T (I - v v^T)
      extra = add(extra, matmul(u * linalg::as_rows(inv_s), proj));
    }
    if (!inner) return {nullptr};
    const Var main = matmul(matmul(u, inner), linalg::mT(v));
    return {extra ? main + extra : main};
  }

  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& input_shapes) const override {
    const std::vector<Var>& sh = input_shapes[0];
    const std::vector<Var> batch(sh.begin(), sh.end() - 2);
    const Var m = sh[sh.size() - 2], n = sh.back();
    const Var k = minimum(m, n);
    auto with = [&](std::vector<Var> core) {
      std::vector<Var> s = batch;
      s.insert(s.end(), core.begin(), core.end());
      return s;
    };
    if (!compute_uv_) return std::vector<std::vector<Var>>{with({k})};
    return std::vector<std::vector<Var>>{with({m, full_ ? m : k}), with({k}),
                                         with({full_ ? n : k, n})};
  }

 private:
  bool full_;
  bool compute_uv_;
};

}  // namespace

std::vector<Var> svd(const Var& a, bool full_matrices, bool compute_uv) {
  return make_node(std::make_shared<Svd>(full_matrices, compute_uv), {a});
}

THEON_OP_FILE(svd) {
  register_op_factory("SVD", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Svd>(f.get_bool("full_matrices"), f.get_bool("compute_uv"));
  });
  register_builder("svd", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return svd(in[0], p.get_bool("full_matrices", true), p.get_bool("compute_uv", true));
  });
}

}  // namespace theon
