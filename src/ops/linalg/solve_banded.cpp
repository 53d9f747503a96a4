// SolveBanded: x with a x = b (or a^T x = b when `transposed`) for a band matrix a with `lower`
// subdiagonals and `upper` superdiagonals, given in SciPy's band storage ab (lower + upper + 1
// rows, n columns; ab[upper + i - j, j] = a[i, j]), by LAPACK's banded LU (gbtrf/gbtrs): the
// work and memory grow with n times the bandwidth, not n^2 (scipy.linalg.solve_banded).
// b is a vector (n,) or a matrix (n, k).
// Gradient: b_bar = the transposed system solved for x_bar; a_bar = -b_bar x^T (-x b_bar^T for
// the transposed system), of which only the band is kept: BandedOuter below computes it in
// band storage directly. From C++: solve_banded(ab, b, lower, upper, transposed).
#include <algorithm>

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

DType banded_dtype(DType a, DType b) {
  return linalg::compute_dtype(promote(a, b));
}

// Checks that b is (n,) or (n, k) with n matching ab's columns where both are known.
void check_rhs(const Op& op, const TensorType& ab, const TensorType& b) {
  if (!b.is_tensor() || (b.ndim() != 1 && b.ndim() != 2)) {
    throw TypeError(op_error(op, "expected b as a vector or a matrix, got " + b.str()));
  }
  if (ab.shape[1] != kUnknownDim && b.shape[0] != kUnknownDim && ab.shape[1] != b.shape[0]) {
    throw ValueError(op_error(op, "ab " + ab.str() + " has " + std::to_string(ab.shape[1]) +
                                      " columns but b " + b.str() + " has " +
                                      std::to_string(b.shape[0]) + " rows"));
  }
}

class SolveBanded final : public Op {
 public:
  SolveBanded(int64_t lower, int64_t upper, bool transposed)
      : lower_(lower), upper_(upper), transposed_(transposed) {
    if (lower < 0 || upper < 0) {
      throw ValueError(
          "solve_banded: the numbers of sub- and superdiagonals must not be "
          "negative, got (" +
          std::to_string(lower) + ", " + std::to_string(upper) + ")");
    }
  }
  std::string type_name() const override { return "SolveBanded"; }
  Props fields() const override {
    return {{"lower", PropValue::integer(lower_)},
            {"upper", PropValue::integer(upper_)},
            {"transposed", PropValue::boolean(transposed_)}};
  }

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    if (inputs.size() != 2) {
      throw TypeError(
          op_error(*this, "expected 2 inputs (ab, b), got " + std::to_string(inputs.size())));
    }
    const TensorType& ab = inputs[0]->type;
    const TensorType& b = inputs[1]->type;
    if (!ab.is_tensor() || ab.ndim() != 2) {
      throw TypeError(op_error(*this, "expected ab as a matrix (the band), got " + ab.str()));
    }
    if (ab.shape[0] != kUnknownDim && ab.shape[0] != lower_ + upper_ + 1) {
      throw ValueError(op_error(
          *this, "ab must have lower + upper + 1 = " + std::to_string(lower_ + upper_ + 1) +
                     " rows, got " + ab.str()));
    }
    check_rhs(*this, ab, b);
    return {TensorType(banded_dtype(ab.dtype, b.dtype), b.shape)};
  }

  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override {
    const int64_t rows = lower_ + upper_ + 1;
    if (inputs[0].ndim() != 2 || inputs[0].shape(0) != rows) {
      throw ValueError(op_error(*this, "ab must have lower + upper + 1 = " + std::to_string(rows) +
                                           " rows, got shape " + shape_str(inputs[0].shape())));
    }
    const int64_t n = inputs[0].shape(1);
    if (inputs[1].shape(0) != n) {
      throw ValueError(op_error(*this, "ab has " + std::to_string(n) + " columns but b (shape " +
                                           shape_str(inputs[1].shape()) + ") has " +
                                           std::to_string(inputs[1].shape(0)) + " rows"));
    }
    const DType dtype = banded_dtype(inputs[0].dtype(), inputs[1].dtype());
    const NDArray ab = inputs[0].astype(dtype);
    const NDArray b = inputs[1].astype(dtype);
    const int64_t k = b.ndim() == 2 ? b.shape(1) : 1;
    NDArray& x = reuse_or_empty(outputs[0], dtype, b.shape());
    if (n == 0 || k == 0) return;
    const int64_t ldab = 2 * lower_ + upper_ + 1;
    linalg::dispatch_float(dtype, [&]<class T>() {
      // LAPACK's band storage: lower_ rows for the LU's fill-in above SciPy's rows.
      std::vector<T> w(static_cast<size_t>(ldab * n), T(0)), wb(static_cast<size_t>(n * k));
      const T* src = ab.data<T>();
      for (int64_t r = 0; r < rows; ++r) {
        for (int64_t j = 0; j < n; ++j) w[j * ldab + lower_ + r] = src[r * n + j];
      }
      const T* bs = b.data<T>();
      for (int64_t i = 0; i < n; ++i) {
        for (int64_t c = 0; c < k; ++c) wb[c * n + i] = bs[i * k + c];
      }
      std::vector<int> ipiv(static_cast<size_t>(n));
      const int info = lapack::gbtrf<T>(n, lower_, upper_, w.data(), ldab, ipiv.data());
      if (info > 0) linalg::fail(*this, "the matrix is singular", 0, 1);
      lapack::gbtrs<T>(transposed_ ? 'T' : 'N', n, lower_, upper_, k, w.data(), ldab, ipiv.data(),
                       wb.data(), n);
      T* xs = x.data<T>();
      for (int64_t i = 0; i < n; ++i) {
        for (int64_t c = 0; c < k; ++c) xs[i * k + c] = wb[c * n + i];
      }
    });
  }

  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;

  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& input_shapes) const override {
    return std::vector<std::vector<Var>>{input_shapes[1]};
  }

 private:
  int64_t lower_, upper_;
  bool transposed_;
};

// ab_bar[r, j] = sum_c p[j + r - upper, c] q[j, c] (zero where the row is outside 0..n-1):
// the band, in band storage, of the outer product p q^T; p and q are (n,) or (n, k).
class BandedOuter final : public Op {
 public:
  BandedOuter(int64_t lower, int64_t upper) : lower_(lower), upper_(upper) {}
  std::string type_name() const override { return "BandedOuter"; }
  Props fields() const override {
    return {{"lower", PropValue::integer(lower_)}, {"upper", PropValue::integer(upper_)}};
  }

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    if (inputs.size() != 2 || inputs[0]->type.ndim() != inputs[1]->type.ndim() ||
        inputs[0]->type.ndim() < 1 || inputs[0]->type.ndim() > 2) {
      throw TypeError(op_error(*this, "expected two vectors or two matrices"));
    }
    const int64_t n = inputs[1]->type.shape[0];
    return {TensorType(banded_dtype(inputs[0]->type.dtype, inputs[1]->type.dtype),
                       {lower_ + upper_ + 1, n})};
  }

  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override {
    const DType dtype = banded_dtype(inputs[0].dtype(), inputs[1].dtype());
    const NDArray p = inputs[0].astype(dtype);
    const NDArray q = inputs[1].astype(dtype);
    if (p.shape() != q.shape()) {
      throw ValueError(op_error(
          *this, "shapes " + shape_str(p.shape()) + " and " + shape_str(q.shape()) + " differ"));
    }
    const int64_t n = q.shape(0), k = q.ndim() == 2 ? q.shape(1) : 1;
    const int64_t rows = lower_ + upper_ + 1;
    NDArray& out = reuse_or_empty(outputs[0], dtype, {rows, n});
    linalg::dispatch_float(dtype, [&]<class T>() {
      const T* ps = p.data<T>();
      const T* qs = q.data<T>();
      T* o = out.data<T>();
      for (int64_t r = 0; r < rows; ++r) {
        for (int64_t j = 0; j < n; ++j) {
          const int64_t i = j + r - upper_;
          T sum = 0;
          if (i >= 0 && i < n) {
            for (int64_t c = 0; c < k; ++c) sum += ps[i * k + c] * qs[j * k + c];
          }
          o[r * n + j] = sum;
        }
      }
    });
  }

  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& input_shapes) const override {
    return std::vector<std::vector<Var>>{
        std::vector<Var>{int64_const(lower_ + upper_ + 1), input_shapes[1][0]}};
  }

 private:
  int64_t lower_, upper_;
};

std::vector<Var> SolveBanded::L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                                   const std::vector<Var>& output_grads) const {
  const Var& ab = inputs[0];
  const Var& x = outputs[0];
  const Var b_bar = solve_banded(ab, output_grads[0], lower_, upper_, !transposed_);
  const Var& p = transposed_ ? x : b_bar;
  const Var& q = transposed_ ? b_bar : x;
  return {-make_node1(std::make_shared<BandedOuter>(lower_, upper_), {p, q}), b_bar};
}

}  // namespace

Var solve_banded(const Var& ab, const Var& b, int64_t lower, int64_t upper, bool transposed) {
  return make_node1(std::make_shared<SolveBanded>(lower, upper, transposed), {ab, b});
}

THEON_OP_FILE(solve_banded) {
  register_op_factory("SolveBanded", [](const PropReader& f) -> OpPtr {
    return std::make_shared<SolveBanded>(f.get_int("lower"), f.get_int("upper"),
                                         f.get_bool("transposed"));
  });
  register_op_factory("BandedOuter", [](const PropReader& f) -> OpPtr {
    return std::make_shared<BandedOuter>(f.get_int("lower"), f.get_int("upper"));
  });
  register_builder("solve_banded", 2, 2, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{solve_banded(in[0], in[1], p.get_int("lower", 0), p.get_int("upper", 0),
                                         p.get_bool("transposed", false))};
  });
}

}  // namespace theon
