// Sparse x dense products: StructuredDot (structured_dot and dot, which differ only in their
// gradient with respect to the sparse operand) and SamplingDot ((x @ y.T) at the stored
// positions of a sparse p). Dense x sparse is built from them with transposes. Multithreaded
// over output rows; a CSC left operand (the transpose of a CSR one, as in a gradient) scatters
// into one private output per thread, summed at the end.
#include <algorithm>
#include <cstring>

#include "sparse_detail.hpp"
#include "theon/core/thread_pool.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/blas.hpp"
#include "theon/ops/shape.hpp"

namespace theon {
namespace {

constexpr int64_t kMinRowsPerTask = 256;
constexpr int64_t kMaxScratchElements = int64_t{1} << 24;

DType float_result(DType a, DType b) {
  DType r = promote(a, b);
  return r == DType::Float32 ? DType::Float32 : DType::Float64;
}

NDArray contiguous_as(const NDArray& a, DType dt) {
  if (a.dtype() != dt) return a.astype(dt);
  return a.is_c_contiguous() ? a : a.copy();
}

// out (m x n, C order, zeroed) += s (m x k) @ d (k x n).
template <class T>
void sparse_dense_product(const SparseMatrix& s, const T* sv, const T* d, int64_t n, T* out) {
  const int32_t* p = s.ptr();
  const int32_t* ix = s.idx();
  if (s.format == SparseFormat::Csr) {
    parallel_for(s.rows, kMinRowsPerTask, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        T* o = out + i * n;
        if (n == 1) {  // a matrix-vector product: the row's dot product in a register
          T acc = 0;
          for (int32_t k = p[i]; k < p[i + 1]; ++k) acc += sv[k] * d[ix[k]];
          o[0] += acc;
          continue;
        }
        for (int32_t k = p[i]; k < p[i + 1]; ++k) {
          const T v = sv[k];
          const T* row = d + int64_t{ix[k]} * n;
          for (int64_t c = 0; c < n; ++c) o[c] += v * row[c];
        }
      }
    });
    return;
  }
  // CSC: column j of s adds s[i, j] * d[j, :] to row i of out.
  auto scatter = [&](int64_t jb, int64_t je, int64_t cb, int64_t ce, T* o) {
    for (int64_t j = jb; j < je; ++j) {
      const T* row = d + j * n;
      for (int32_t k = p[j]; k < p[j + 1]; ++k) {
        T* orow = o + int64_t{ix[k]} * n;
        const T v = sv[k];
        for (int64_t c = cb; c < ce; ++c) orow[c] += v * row[c];
      }
    }
  };
  const int64_t threads = std::max(1, kernel_threads());
  const int64_t out_size = s.rows * n;
  if (threads == 1 || s.nnz() < kMinRowsPerTask * 16) {
    scatter(0, s.cols, 0, n, out);
  } else if (n >= threads) {
    parallel_for(n, 1, [&](int64_t cb, int64_t ce) { scatter(0, s.cols, cb, ce, out); });
  } else if (out_size * (threads - 1) <= kMaxScratchElements) {
    std::vector<std::vector<T>> partial(threads - 1);
    parallel_for(threads, 1, [&](int64_t tb, int64_t te) {
      for (int64_t t = tb; t < te; ++t) {
        T* o = out;
        if (t > 0) {
          partial[t - 1].assign(out_size, T(0));
          o = partial[t - 1].data();
        }
        scatter(s.cols * t / threads, s.cols * (t + 1) / threads, 0, n, o);
      }
    });
    for (const auto& part : partial) {
      for (int64_t q = 0; q < out_size; ++q) out[q] += part[q];
    }
  } else {
    scatter(0, s.cols, 0, n, out);
  }
}

class StructuredDot final : public SparseOp {
 public:
  explicit StructuredDot(bool structured) : structured_(structured) {}
  std::string type_name() const override { return "StructuredDot"; }
  Props fields() const override { return {{"structured", PropValue::boolean(structured_)}}; }
  std::string props() const override { return structured_ ? "structured" : ""; }

  std::vector<TensorType> output_types(const std::vector<Var>& in) const override {
    expect_sparse(*this, in[0], "the left operand");
    expect_dense(*this, in[1], "the right operand", -1);
    const Type& s = in[0]->type;
    const Type& d = in[1]->type;
    if (d.ndim() != 1 && d.ndim() != 2) {
      throw TypeError(
          op_error(*this, "the dense operand must be a vector or a matrix, got " + d.str()));
    }
    if (s.shape[1] != kUnknownDim && d.shape[0] != kUnknownDim && s.shape[1] != d.shape[0]) {
      throw ValueError(op_error(*this, "shapes " + static_shape_str(s.shape) + " and " +
                                           static_shape_str(d.shape) + " are not aligned"));
    }
    StaticShape out{s.shape[0]};
    if (d.ndim() == 2) out.push_back(d.shape[1]);
    return {TensorType(float_result(s.dtype, d.dtype), out)};
  }

  void perform_values(const std::vector<Value>& in, std::vector<Value>& out) const override {
    const SparseMatrix& s = sparse_value(in[0], name());
    const NDArray& d0 = dense_value(in[1], name());
    if (d0.shape(0) != s.cols) {
      throw ValueError(op_error(*this, "shapes " + shape_str({s.rows, s.cols}) + " and " +
                                           shape_str(d0.shape()) + " are not aligned"));
    }
    const DType dt = float_result(s.dtype(), d0.dtype());
    const NDArray d = contiguous_as(d0, dt);
    const NDArray sv = contiguous_as(s.data, dt);
    const int64_t n = d.ndim() == 2 ? d.shape(1) : 1;
    Shape shape{s.rows};
    if (d.ndim() == 2) shape.push_back(n);
    NDArray o = NDArray::zeros(dt, shape);
    with_float(dt, [&](auto zero) {
      using T = decltype(zero);
      sparse_dense_product<T>(s, sv.data<T>(), d.data<T>(), n, o.data<T>());
    });
    out[0] = std::move(o);
  }

  std::vector<Var> L_op(const std::vector<Var>& in, const std::vector<Var>&,
                        const std::vector<Var>& g) const override {
    const Var& s = in[0];
    const Var& d = in[1];
    const bool vec = d->type.ndim() == 1;
    Var gd = make_node1(std::make_shared<StructuredDot>(structured_), {sparse_transpose(s), g[0]});
    const Var g2 = vec ? expand_dims(g[0], {1}) : g[0];
    const Var d2 = vec ? expand_dims(d, {1}) : d;
    Var gs = structured_ ? sampling_dot_pattern(g2, d2, s)
                         : sparse_from_dense(dot(g2, transpose(d2)), *sparse_format(s->type));
    return {gs, gd};
  }

  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& in, const std::vector<std::vector<Var>>& shapes) const override {
    std::vector<Var> out{shapes[0][0]};
    if (in[1]->type.ndim() == 2) out.push_back(shapes[1][1]);
    return std::vector<std::vector<Var>>{out};
  }

  static Var sampling_dot_pattern(const Var& x, const Var& y, const Var& p);

 private:
  bool structured_;
};

// (x @ y.T)[i, j] at p's stored positions, times p's values (or not, for the structured
// gradient of StructuredDot: pattern_only).
class SamplingDot final : public SparseOp {
 public:
  explicit SamplingDot(bool pattern_only) : pattern_only_(pattern_only) {}
  std::string type_name() const override { return "SamplingDot"; }
  Props fields() const override { return {{"pattern_only", PropValue::boolean(pattern_only_)}}; }

  std::vector<TensorType> output_types(const std::vector<Var>& in) const override {
    expect_dense(*this, in[0], "x", 2);
    expect_dense(*this, in[1], "y", 2);
    expect_sparse(*this, in[2], "p");
    const Type &x = in[0]->type, &y = in[1]->type, &p = in[2]->type;
    auto clash = [](int64_t a, int64_t b) {
      return a != kUnknownDim && b != kUnknownDim && a != b;
    };
    if (clash(x.shape[1], y.shape[1]) || clash(x.shape[0], p.shape[0]) ||
        clash(y.shape[0], p.shape[1])) {
      throw ValueError(op_error(
          *this, "x " + static_shape_str(x.shape) + ", y " + static_shape_str(y.shape) + " and p " +
                     static_shape_str(p.shape) + " do not fit (x @ y.T has p's shape)"));
    }
    const DType dt =
        pattern_only_ ? p.dtype : float_result(float_result(x.dtype, y.dtype), p.dtype);
    return {sparse_type(*sparse_format(p), dt, p.shape)};
  }

  void perform_values(const std::vector<Value>& in, std::vector<Value>& out) const override {
    const NDArray& x0 = dense_value(in[0], name());
    const NDArray& y0 = dense_value(in[1], name());
    const SparseMatrix& p = sparse_value(in[2], name());
    if (x0.shape(1) != y0.shape(1) || x0.shape(0) != p.rows || y0.shape(0) != p.cols) {
      throw ValueError(op_error(
          *this, "x " + shape_str(x0.shape()) + ", y " + shape_str(y0.shape()) + " and p " +
                     shape_str({p.rows, p.cols}) + " do not fit (x @ y.T has p's shape)"));
    }
    const DType dt =
        pattern_only_ ? p.dtype() : float_result(float_result(x0.dtype(), y0.dtype()), p.dtype());
    const NDArray x = contiguous_as(x0, dt), y = contiguous_as(y0, dt),
                  pv = contiguous_as(p.data, dt);
    NDArray data = NDArray::empty(dt, {p.nnz()});
    const int64_t n = x.shape(1);
    const bool csr = p.format == SparseFormat::Csr;
    with_float(dt, [&](auto zero) {
      using T = decltype(zero);
      const T *xs = x.data<T>(), *ys = y.data<T>(), *ps = pv.data<T>();
      T* d = data.data<T>();
      parallel_for(p.major(), kMinRowsPerTask, [&](int64_t b, int64_t e) {
        for (int64_t r = b; r < e; ++r) {
          for (int32_t k = p.ptr()[r]; k < p.ptr()[r + 1]; ++k) {
            const int64_t i = csr ? r : p.idx()[k], j = csr ? p.idx()[k] : r;
            T acc = 0;
            for (int64_t c = 0; c < n; ++c) acc += xs[i * n + c] * ys[j * n + c];
            d[k] = pattern_only_ ? acc : acc * ps[k];
          }
        }
      });
    });
    out[0] = Value(with_data(p, data));
  }

  std::vector<Var> L_op(const std::vector<Var>& in, const std::vector<Var>&,
                        const std::vector<Var>& g) const override {
    const Var &x = in[0], &y = in[1], &p = in[2];
    const Var weighted = pattern_only_ ? g[0] : sparse_mul(g[0], p);
    Var gx = structured_dot(weighted, y);
    Var gy = structured_dot(sparse_transpose(weighted), x);
    Var gp =
        pattern_only_ ? nullptr : make_node1(std::make_shared<SamplingDot>(false), {x, y, g[0]});
    return {gx, gy, gp};
  }

  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& shapes) const override {
    return std::vector<std::vector<Var>>{shapes[2]};
  }

 private:
  bool pattern_only_;
};

Var StructuredDot::sampling_dot_pattern(const Var& x, const Var& y, const Var& p) {
  return make_node1(std::make_shared<SamplingDot>(true), {x, y, p});
}

// a @ b with exactly one sparse operand; dense @ sparse as (b.T @ a.T).T.
Var product(const Var& a, const Var& b, bool structured) {
  auto op = std::make_shared<StructuredDot>(structured);
  if (is_sparse(a) || !is_sparse(b)) return make_node1(op, {a, b});
  if (a->type.ndim() == 1) return make_node1(op, {sparse_transpose(b), a});
  return transpose(make_node1(op, {sparse_transpose(b), transpose(a)}));
}

}  // namespace

Var structured_dot(const Var& a, const Var& b) {
  return product(a, b, true);
}
Var sparse_dot(const Var& a, const Var& b) {
  if (is_sparse(a) && is_sparse(b)) return true_dot(a, b);
  return product(a, b, false);
}
Var sampling_dot(const Var& x, const Var& y, const Var& p) {
  return make_node1(std::make_shared<SamplingDot>(false), {x, y, p});
}

THEON_OP_FILE(sparse_dot) {
  register_op_factory("StructuredDot", [](const PropReader& f) -> OpPtr {
    return std::make_shared<StructuredDot>(f.get_bool("structured"));
  });
  register_op_factory("SamplingDot", [](const PropReader& f) -> OpPtr {
    return std::make_shared<SamplingDot>(f.get_bool("pattern_only"));
  });
  register_sparse_kernel("StructuredDot");
  register_sparse_kernel("SamplingDot");
  register_builder("sparse.structured_dot", 2, 2, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{structured_dot(in[0], in[1])};
  });
  register_builder("sparse.dot", 2, 2, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{sparse_dot(in[0], in[1])};
  });
  register_builder("sparse.sampling_dot", 3, 3, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{sampling_dot(in[0], in[1], in[2])};
  });
}

}  // namespace theon
