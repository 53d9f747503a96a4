// Helpers shared by the Gemm, Gemv and Ger op files (src/ops/blas/), private to them.
//
// Every op runs the same way: the output is the accumulator's buffer (inplace variant, when at
// run time it has the output's dtype and shape, is C-contiguous and writeable) or a fresh array
// filled with the accumulator broadcast to the output's shape; BLAS then adds the scaled
// product into it. Operands reach BLAS as strided views: a transposed matrix (a trans_* flag,
// or a transposed layout such as a DimShuffle view) becomes a BLAS trans flag with a leading
// dimension, a vector with a positive stride an increment; only other layouts (non-unit inner
// stride in both directions, negative or unaligned strides) are copied first. When the product
// itself must broadcast (a one-row product against a many-row accumulator), it is computed into
// a temporary and combined with a plain loop.
#pragma once

#include <algorithm>
#include <cstring>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "blas_operands.hpp"
#include "theon/core/error.hpp"
#include "theon/core/ndarray.hpp"
#include "theon/graph/op.hpp"
#include "theon/ops/shape.hpp"

namespace theon::gemm_detail {

using namespace blas_operands;

// ---------------------------------------------------------------------------------------------
// Type checks

inline std::string flags_props(const std::vector<std::pair<bool, const char*>>& flags) {
  std::string out;
  for (const auto& [on, name] : flags) {
    if (!on) continue;
    if (!out.empty()) out += ",";
    out += name;
  }
  return out;
}

inline void check_arity(const Op& op, const std::vector<Var>& inputs, size_t n) {
  if (inputs.size() != n) {
    throw TypeError(op_error(
        op, "expected " + std::to_string(n) + " inputs, got " + std::to_string(inputs.size())));
  }
}

inline void check_ndim(const Op& op, const Var& v, int nd, const char* what) {
  static const char* const kinds[] = {"a 0-d scalar", "a vector", "a matrix"};
  if (v->type.ndim() != nd) {
    throw TypeError(op_error(
        op, std::string("expected ") + what + " to be " + kinds[nd] + ", got " + v->type.str()));
  }
}

// Every operand must have the first one's dtype, float32 or float64 (the dtypes BLAS has; the
// rewrites only build these ops for them).
inline void check_dtypes(const Op& op,
                         const std::vector<std::pair<const Var*, const char*>>& operands) {
  const DType dt = (*operands[0].first)->type.dtype;
  if (dt != DType::Float32 && dt != DType::Float64) {
    throw TypeError(op_error(op, std::string("expected float32 or float64 operands, got ") +
                                     operands[0].second + " of type " +
                                     (*operands[0].first)->type.str()));
  }
  for (const auto& [v, what] : operands) {
    if ((*v)->type.dtype != dt) {
      throw TypeError(op_error(op, std::string("expected every operand to be ") +
                                       std::string(dtype_name(dt)) + ", got " + what + " of type " +
                                       (*v)->type.str()));
    }
  }
}

inline void check_inner(const Op& op, int64_t k1, int64_t k2, const std::string& s1,
                        const std::string& s2) {
  if (k1 != kUnknownDim && k2 != kUnknownDim && k1 != k2) {
    throw ValueError(op_error(op, "shapes " + s1 + " and " + s2 +
                                      " not aligned: " + std::to_string(k1) +
                                      " (dim 1) != " + std::to_string(k2) + " (dim 0)"));
  }
}

inline StaticShape transposed_if(StaticShape s, bool t) {
  if (t) std::swap(s[0], s[1]);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Operand layouts

inline Mat mat_of(const NDArray& a, bool trans) {
  Mat m{&a, a.raw(), a.shape(0), a.shape(1), a.strides()[0], a.strides()[1]};
  if (trans) {
    std::swap(m.rows, m.cols);
    std::swap(m.rs, m.cs);
  }
  return m;
}

struct VecView {
  const char* p;
  int64_t inc;  // in elements
};

inline VecView vec_or_copy(const NDArray& v, std::deque<NDArray>& keep) {
  const int64_t isz = static_cast<int64_t>(itemsize(v.dtype()));
  if (const int64_t inc = blas_inc(v.strides()[0], v.shape(0), isz)) return {v.raw(), inc};
  keep.push_back(v.copy());
  return {keep.back().raw(), 1};
}

// ---------------------------------------------------------------------------------------------
// The shared update

template <class T>
inline void scale_in_place(NDArray& out, double beta) {
  T* p = out.data<T>();
  const int64_t n = out.size();
  if (beta == 0) {
    std::fill(p, p + n, T(0));
  } else if (beta != 1) {
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(p[i] * beta);
  }
}

// out = alpha * p + beta * z with both broadcast to out's shape (ndim <= 2), out C-contiguous.
template <class T>
inline void combine(NDArray& out, const NDArray& p, double alpha, const NDArray& z, double beta) {
  const NDArray pv = p.broadcast_to(out.shape());
  const NDArray zv = z.broadcast_to(out.shape());
  const int nd = out.ndim();
  const int64_t rows = nd == 2 ? out.shape(0) : 1;
  const int64_t cols = nd >= 1 ? out.shape(nd - 1) : 1;
  auto stride = [&](const NDArray& a, int d) { return d < nd ? a.strides()[d] : 0; };
  const int64_t prs = nd == 2 ? stride(pv, 0) : 0, pcs = nd >= 1 ? stride(pv, nd - 1) : 0;
  const int64_t zrs = nd == 2 ? stride(zv, 0) : 0, zcs = nd >= 1 ? stride(zv, nd - 1) : 0;
  T* o = out.data<T>();
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) {
      T v;
      std::memcpy(&v, pv.raw() + i * prs + j * pcs, sizeof(T));
      double r = alpha * v;
      if (beta != 0) {
        T w;
        std::memcpy(&w, zv.raw() + i * zrs + j * zcs, sizeof(T));
        r += beta * w;
      }
      o[i * cols + j] = static_cast<T>(r);
    }
  }
}

template <class F>
inline void visit_float(DType dt, F&& f) {
  if (dt == DType::Float32) {
    f(float{});
  } else {
    f(double{});
  }
}

// out = alpha * P + beta * z, where P has shape `ps` and product(c, ld, alpha, beta) makes BLAS
// compute c = alpha * P + beta * c into C-order storage at c with leading dimension ld.
// empty_sum: P is a sum over an empty axis (zero everywhere) and BLAS is not called.
template <class F>
inline void update(const Op& op, bool inplace, DType dt, const NDArray& z, double alpha,
                   double beta, const Shape& ps, bool empty_sum, F&& product,
                   std::vector<NDArray>& outputs) {
  const Shape os = broadcast_shapes({ps, z.shape()}, op.name());
  const int64_t ld = std::max<int64_t>(1, ps.empty() ? 1 : ps.back());
  if (ps == os) {
    const bool use_z =
        inplace && z.dtype() == dt && z.shape() == os && z.writeable() && z.is_c_contiguous();
    if (use_z) outputs[0] = z;
    NDArray& out = use_z ? outputs[0] : reuse_or_empty(outputs[0], dt, os);
    if (out.size() == 0) return;
    if (!use_z && beta != 0) out.copy_from(z.broadcast_to(os));
    if (empty_sum) {
      visit_float(dt, [&](auto t) { scale_in_place<decltype(t)>(out, beta); });
    } else {
      product(out.raw(), ld, alpha, beta);
    }
    return;
  }
  NDArray p = NDArray::zeros(dt, ps);
  if (!empty_sum && p.size() > 0) product(p.raw(), ld, 1.0, 0.0);
  NDArray& out = reuse_or_empty(outputs[0], dt, os);
  if (out.size() == 0) return;
  visit_float(dt, [&](auto t) { combine<decltype(t)>(out, p, alpha, z, beta); });
}

inline void check_runtime(const Op& op, const std::vector<NDArray>& inputs,
                          const std::vector<int>& ndims) {
  const DType dt = inputs[0].dtype();
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].ndim() != ndims[i] || inputs[i].dtype() != dt ||
        (dt != DType::Float32 && dt != DType::Float64)) {
      throw TypeError(op_error(
          op, "input " + std::to_string(i) + " is " + std::string(dtype_name(inputs[i].dtype())) +
                  " of shape " + shape_str(inputs[i].shape()) + ", expected " +
                  std::to_string(ndims[i]) + "-d float32/float64 like input 0"));
    }
  }
}

inline void check_aligned(const Op& op, int64_t k1, int64_t k2, const NDArray& a,
                          const NDArray& b) {
  if (k1 != k2) {
    throw ValueError(op_error(op, "shapes " + shape_str(a.shape()) + " and " +
                                      shape_str(b.shape()) + " not aligned: " + std::to_string(k1) +
                                      " != " + std::to_string(k2)));
  }
}

using Shapes = std::optional<std::vector<std::vector<Var>>>;
using Dims = std::vector<Var>;

inline Var maybe_transpose(const Var& x, bool t) {
  return t ? transpose(x) : x;
}

}  // namespace theon::gemm_detail
