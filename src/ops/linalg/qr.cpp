// QR: a = q r for each matrix of a stack (numpy.linalg.qr) by Householder reflections (LAPACK
// geqrf, orgqr): mode "reduced" gives q (m x k), r (k x n) with k = min(m, n); "complete" q
// (m x m), r (m x n); "r" only r. Gradient (reduced, or r alone): with a = [x | y], x its
// first k columns, r = [r1 | r2] and q_x = q_bar + y r2_bar^T, M = r1 r1_bar^T - q_x^T q:
// x_bar = (q_x + q copyltu(M)) r1^-T (copyltu mirrors M's lower triangle into its upper one)
// and y_bar = q r2_bar. From C++: qr(a, mode).
#include <algorithm>

#include "linalg_util.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/blas.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/join.hpp"
#include "theon/ops/linalg.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/shape.hpp"
#include "theon/ops/subtensor.hpp"
#include "theon/runtime/lapack.hpp"

namespace theon {
namespace {

class Qr final : public Op {
 public:
  explicit Qr(std::string mode) : mode_(std::move(mode)) {}
  std::string type_name() const override { return "QR"; }
  Props fields() const override { return {{"mode", PropValue::string(mode_)}}; }

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    if (inputs.size() != 1) {
      throw TypeError(op_error(*this, "expected 1 input, got " + std::to_string(inputs.size())));
    }
    const TensorType& t = inputs[0]->type;
    linalg::check_matrix(*this, t, false);
    const DType dtype = linalg::compute_dtype(t.dtype);
    const int64_t m = t.shape[t.ndim() - 2], n = t.shape[t.ndim() - 1];
    const int64_t k = (m == kUnknownDim || n == kUnknownDim) ? kUnknownDim : std::min(m, n);
    const bool complete = mode_ == "complete";
    auto with = [&](int64_t r, int64_t c) {
      StaticShape s(t.shape.begin(), t.shape.end() - 2);
      s.push_back(r);
      s.push_back(c);
      return TensorType(dtype, s);
    };
    const TensorType r = with(complete ? m : k, n);
    if (mode_ == "r") return {r};
    return {with(m, complete ? m : k), r};
  }

  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override {
    const NDArray& x = inputs[0];
    linalg::check_matrix_value(*this, x, false);
    const DType dtype = linalg::compute_dtype(x.dtype());
    const linalg::MatrixStack stack(x);
    const int64_t m = stack.rows(), n = stack.cols(), k = std::min(m, n);
    const bool complete = mode_ == "complete", with_q = mode_ != "r";
    const int64_t rrows = complete ? m : k, qcols = complete ? m : k;
    Shape batch(x.shape().begin(), x.shape().end() - 2);
    auto with = [&](int64_t r, int64_t c) {
      Shape s = batch;
      s.push_back(r);
      s.push_back(c);
      return s;
    };
    NDArray& r_out = reuse_or_empty(outputs[with_q ? 1 : 0], dtype, with(rrows, n));
    if (with_q) reuse_or_empty(outputs[0], dtype, with(m, qcols));
    const int64_t ld = std::max<int64_t>(m, 1);
    linalg::dispatch_float(dtype, [&]<class T>() {
      std::vector<T> a(static_cast<size_t>(ld * n)),
          tau(static_cast<size_t>(std::max<int64_t>(k, 1)));
      std::vector<T> q(static_cast<size_t>(ld * qcols)),
          r(static_cast<size_t>(std::max<int64_t>(rrows, 1) * n));
      for (int64_t b = 0; b < stack.count(); ++b) {
        stack.load(b, a.data(), ld);
        if (k > 0) lapack::geqrf<T>(m, n, a.data(), ld, tau.data());
        const int64_t ldr = std::max<int64_t>(rrows, 1);
        for (int64_t j = 0; j < n; ++j) {
          for (int64_t i = 0; i < rrows; ++i) r[j * ldr + i] = i <= j ? a[j * ld + i] : T(0);
        }
        linalg::store(r.data(), ldr, rrows, n, r_out, b);
        if (!with_q) continue;
        for (int64_t j = 0; j < qcols; ++j) {
          for (int64_t i = 0; i < m; ++i) q[j * ld + i] = j < n ? a[j * ld + i] : T(0);
        }
        if (m > 0 && qcols > 0) lapack::orgqr<T>(m, qcols, k, q.data(), ld, tau.data());
        linalg::store(q.data(), ld, m, qcols, outputs[0], b);
      }
    });
  }

  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override {
    const Var& a = inputs[0];
    const int nd = a->type.ndim();
    const int64_t m = a->type.shape[nd - 2], n = a->type.shape[nd - 1];
    if (mode_ == "complete" && (m == kUnknownDim || n == kUnknownDim || m > n)) {
      throw NotImplementedError(
          op_error(*this,
                   "the gradient of mode='complete' is defined here only where q is the reduced "
                   "one (static sizes with rows <= columns); use mode='reduced', got " +
                       a->type.str()));
    }
    std::vector<Var> qr_out = outputs;
    Var q_bar, r_bar;
    if (mode_ == "r") {
      qr_out = qr(a, "reduced");
      r_bar = output_grads[0];
    } else {
      q_bar = output_grads[0];
      r_bar = output_grads[1];
    }
    if (!q_bar && !r_bar) return {nullptr};
    const Var& q = qr_out[0];
    const Var& r = qr_out[1];
    if (!q_bar) q_bar = zeros_like(q);
    if (!r_bar) r_bar = zeros_like(r);
    // a = [x | y] with x its first k = min(m, n) columns: q r1 = x, r2 = q^T y (y is empty
    // for m >= n).
    const Var k = minimum(shape_i(a, -2), shape_i(a, -1));
    auto cols = [&](const Var& v, bool first) {
      return getitem(v, {idx::ellipsis(), first ? idx::slice({}, k) : idx::slice(k, {})});
    };
    const Var r1 = cols(r, true), r1_bar = cols(r_bar, true), r2_bar = cols(r_bar, false);
    const Var q_bar_x = q_bar + matmul(cols(a, false), linalg::mT(r2_bar));
    const Var mm = matmul(r1, linalg::mT(r1_bar)) - matmul(linalg::mT(q_bar_x), q);
    const Var lower = linalg::keep_where(mm, "lower");
    const Var copyltu = lower + linalg::mT(lower) + linalg::keep_where(mm, "diag");
    const Var x_bar =
        linalg::mT(solve_triangular(r1, linalg::mT(q_bar_x + matmul(q, copyltu)), false, 0));
    return {join(nd - 1, {x_bar, matmul(q, r2_bar)})};
  }

  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& input_shapes) const override {
    const std::vector<Var>& sh = input_shapes[0];
    const Var m = sh[sh.size() - 2], n = sh.back();
    const Var k = minimum(m, n);
    const bool complete = mode_ == "complete";
    auto with = [&](const Var& r, const Var& c) {
      std::vector<Var> s(sh.begin(), sh.end() - 2);
      s.push_back(r);
      s.push_back(c);
      return s;
    };
    const std::vector<Var> r = with(complete ? m : k, n);
    if (mode_ == "r") return std::vector<std::vector<Var>>{r};
    return std::vector<std::vector<Var>>{with(m, complete ? m : k), r};
  }

 private:
  std::string mode_;
};

std::string checked_mode(const std::string& mode) {
  if (mode != "reduced" && mode != "complete" && mode != "r") {
    throw ValueError("QR: mode must be 'reduced', 'complete' or 'r', got '" + mode + "'");
  }
  return mode;
}

}  // namespace

std::vector<Var> qr(const Var& a, const std::string& mode) {
  return make_node(std::make_shared<Qr>(checked_mode(mode)), {a});
}

THEON_OP_FILE(qr) {
  register_op_factory("QR", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Qr>(checked_mode(f.get_string("mode")));
  });
  register_builder("qr", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return qr(in[0], p.get_string("mode", "reduced"));
  });
}

}  // namespace theon
