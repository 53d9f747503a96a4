// Shared pieces of the linear-algebra ops; see linalg_util.hpp.
#include "linalg_util.hpp"

#include <algorithm>
#include <cstring>

#include "theon/core/error.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/shape.hpp"

namespace theon::linalg {

DType compute_dtype(DType in) {
  return in == DType::Float32 ? DType::Float32 : DType::Float64;
}

void check_matrix(const Op& op, const TensorType& t, bool square, const std::string& what) {
  if (!t.is_tensor()) {
    throw TypeError(op_error(op, "expected a dense tensor for " + what + ", got " + t.str()));
  }
  if (t.ndim() < 2) {
    throw ValueError(op_error(op, "expected " + what +
                                      " with at least 2 dimensions (a matrix "
                                      "or a stack of matrices), got " +
                                      t.str()));
  }
  const int64_t r = t.shape[t.ndim() - 2], c = t.shape[t.ndim() - 1];
  if (square && r != kUnknownDim && c != kUnknownDim && r != c) {
    throw ValueError(op_error(op, "expected square matrices for " + what +
                                      " (last two "
                                      "dimensions equal), got " +
                                      t.str()));
  }
}

TensorType square_matrix_type(const Op& op, const std::vector<Var>& inputs) {
  if (inputs.size() != 1) {
    throw TypeError(op_error(op, "expected 1 input, got " + std::to_string(inputs.size())));
  }
  const TensorType& t = inputs[0]->type;
  check_matrix(op, t, true);
  StaticShape shape = t.shape;
  const int nd = t.ndim();
  shape[nd - 2] = shape[nd - 1] = std::max(shape[nd - 2], shape[nd - 1]);
  return TensorType(compute_dtype(t.dtype), shape);
}

void check_matrix_value(const Op& op, const NDArray& x, bool square, const std::string& what) {
  if (x.ndim() < 2) {
    throw ValueError(op_error(
        op, "expected " + what + " with at least 2 dimensions, got shape " + shape_str(x.shape())));
  }
  if (square && x.shape(x.ndim() - 2) != x.shape(x.ndim() - 1)) {
    throw ValueError(op_error(op, "expected square matrices for " + what +
                                      " (last two dimensions equal), got shape " +
                                      shape_str(x.shape())));
  }
}

StaticShape broadcast_batch_static(const Op& op, const StaticShape& a, int core_a,
                                   const StaticShape& b, int core_b) {
  return broadcast_static(
      {StaticShape(a.begin(), a.end() - core_a), StaticShape(b.begin(), b.end() - core_b)},
      op.name());
}

Shape broadcast_batch(const Op& op, const Shape& a, int core_a, const Shape& b, int core_b) {
  return broadcast_shapes({Shape(a.begin(), a.end() - core_a), Shape(b.begin(), b.end() - core_b)},
                          op.name());
}

void fail(const Op& op, const std::string& what, int64_t batch_index, int64_t batch_count) {
  std::string where;
  if (batch_count > 1) {
    where = " (matrix " + std::to_string(batch_index) + " of the stack)";
  }
  throw LinAlgError(op_error(op, what + where));
}

MatrixStack::MatrixStack(const NDArray& x)
    : MatrixStack(x, Shape(x.shape().begin(), x.shape().end() - 2)) {}

MatrixStack::MatrixStack(const NDArray& x, const Shape& batch) : x_(x) {
  const int nd = x.ndim();
  rows_ = x.shape(nd - 2);
  cols_ = x.shape(nd - 1);
  count_ = shape_size(batch);
  // The byte offset of each matrix: x's batch axes aligned to the right of `batch`, a size-1 (or
  // missing) axis of x repeating its only matrix.
  const int nb = static_cast<int>(batch.size());
  const int skip = nb - (nd - 2);
  batch_offsets_.assign(static_cast<size_t>(count_), 0);
  std::vector<int64_t> index(static_cast<size_t>(nb), 0);
  for (int64_t b = 0; b < count_; ++b) {
    int64_t off = 0;
    for (int d = skip; d < nb; ++d) {
      const int xd = d - skip;
      if (x.shape(xd) != 1) off += index[d] * x.strides()[xd];
    }
    batch_offsets_[b] = off;
    for (int d = nb - 1; d >= 0; --d) {
      if (++index[d] < batch[d]) break;
      index[d] = 0;
    }
  }
}

namespace {

// Calls f.template operator()<S>() with S the element type of `dtype`.
template <class F>
void dispatch_any(DType dtype, F&& f) {
  switch (dtype) {
    case DType::Float32:
      f.template operator()<float>();
      break;
    case DType::Float64:
      f.template operator()<double>();
      break;
    case DType::Bool:
      f.template operator()<bool>();
      break;
    case DType::Int8:
      f.template operator()<int8_t>();
      break;
    case DType::Int16:
      f.template operator()<int16_t>();
      break;
    case DType::Int32:
      f.template operator()<int32_t>();
      break;
    case DType::Int64:
      f.template operator()<int64_t>();
      break;
    case DType::UInt8:
      f.template operator()<uint8_t>();
      break;
    case DType::UInt16:
      f.template operator()<uint16_t>();
      break;
    case DType::UInt32:
      f.template operator()<uint32_t>();
      break;
    case DType::UInt64:
      f.template operator()<uint64_t>();
      break;
    default:
      // Every DType has a case above: only a corrupt value gets here.
      throw TypeError("linalg: invalid dtype code " + std::to_string(static_cast<int>(dtype)));
  }
}

constexpr int64_t kTile = 32;  // transposing copies go tile by tile to stay in cache

}  // namespace

template <class T>
void MatrixStack::load(int64_t b, T* dst, int64_t ld) const {
  const int nd = x_.ndim();
  const int64_t sr = x_.strides()[nd - 2], sc = x_.strides()[nd - 1];
  const char* base = x_.raw() + batch_offsets_[b];
  if (x_.dtype() == dtype_of<T>() && sc == static_cast<int64_t>(sizeof(T)) &&
      sr % static_cast<int64_t>(sizeof(T)) == 0) {
    // The common case (C-ordered rows of the compute dtype): unit stride known to the compiler.
    const T* src = reinterpret_cast<const T*>(base);
    const int64_t row_stride = sr / static_cast<int64_t>(sizeof(T));
    for (int64_t i0 = 0; i0 < rows_; i0 += kTile) {
      for (int64_t j0 = 0; j0 < cols_; j0 += kTile) {
        const int64_t i1 = std::min(rows_, i0 + kTile), j1 = std::min(cols_, j0 + kTile);
        for (int64_t j = j0; j < j1; ++j) {
          for (int64_t i = i0; i < i1; ++i) dst[j * ld + i] = src[i * row_stride + j];
        }
      }
    }
    return;
  }
  dispatch_any(x_.dtype(), [&]<class S>() {
    for (int64_t i0 = 0; i0 < rows_; i0 += kTile) {
      for (int64_t j0 = 0; j0 < cols_; j0 += kTile) {
        const int64_t i1 = std::min(rows_, i0 + kTile), j1 = std::min(cols_, j0 + kTile);
        for (int64_t i = i0; i < i1; ++i) {
          for (int64_t j = j0; j < j1; ++j) {
            dst[j * ld + i] = static_cast<T>(*reinterpret_cast<const S*>(base + i * sr + j * sc));
          }
        }
      }
    }
  });
}

template <class T>
void MatrixStack::load_transposed(int64_t b, T* dst, int64_t ld) const {
  const int nd = x_.ndim();
  const int64_t sr = x_.strides()[nd - 2], sc = x_.strides()[nd - 1];
  const char* base = x_.raw() + batch_offsets_[b];
  if (x_.dtype() == dtype_of<T>() && sc == static_cast<int64_t>(sizeof(T))) {
    for (int64_t i = 0; i < rows_; ++i) {
      std::memcpy(dst + i * ld, base + i * sr, static_cast<size_t>(cols_) * sizeof(T));
    }
    return;
  }
  dispatch_any(x_.dtype(), [&]<class S>() {
    for (int64_t i = 0; i < rows_; ++i) {
      for (int64_t j = 0; j < cols_; ++j) {
        dst[i * ld + j] = static_cast<T>(*reinterpret_cast<const S*>(base + i * sr + j * sc));
      }
    }
  });
}

template <class T>
void store(const T* src, int64_t ld, int64_t rows, int64_t cols, NDArray& out, int64_t b) {
  T* dst = out.data<T>() + b * rows * cols;
  for (int64_t i0 = 0; i0 < rows; i0 += kTile) {
    for (int64_t j0 = 0; j0 < cols; j0 += kTile) {
      const int64_t i1 = std::min(rows, i0 + kTile), j1 = std::min(cols, j0 + kTile);
      for (int64_t i = i0; i < i1; ++i) {
        for (int64_t j = j0; j < j1; ++j) dst[i * cols + j] = src[j * ld + i];
      }
    }
  }
}

template <class T>
void store_transposed(const T* src, int64_t ld, int64_t rows, int64_t cols, NDArray& out,
                      int64_t b) {
  T* dst = out.data<T>() + b * rows * cols;
  for (int64_t i = 0; i < rows; ++i) {
    std::memcpy(dst + i * cols, src + i * ld, static_cast<size_t>(cols) * sizeof(T));
  }
}

template void MatrixStack::load<float>(int64_t, float*, int64_t) const;
template void MatrixStack::load<double>(int64_t, double*, int64_t) const;
template void store<float>(const float*, int64_t, int64_t, int64_t, NDArray&, int64_t);
template void store<double>(const double*, int64_t, int64_t, int64_t, NDArray&, int64_t);
template void MatrixStack::load_transposed<float>(int64_t, float*, int64_t) const;
template void MatrixStack::load_transposed<double>(int64_t, double*, int64_t) const;
template void store_transposed<float>(const float*, int64_t, int64_t, int64_t, NDArray&, int64_t);
template void store_transposed<double>(const double*, int64_t, int64_t, int64_t, NDArray&, int64_t);

// ----------------------------------------------------------------------------- graph helpers
Var mT(const Var& x) {
  return swapaxes(x, -2, -1);
}

std::vector<Var> dims_of(const Var& x) {
  std::vector<Var> dims;
  for (int d = 0; d < x->type.ndim(); ++d) dims.push_back(shape_i(x, d));
  return dims;
}

Var keep_where(const Var& x, const std::string& relation) {
  const Var i = dimshuffle(arange(int64_const(0), shape_i(x, -2)), {0, kNewAxis});
  const Var j = dimshuffle(arange(int64_const(0), shape_i(x, -1)), {kNewAxis, 0});
  Var mask;
  if (relation == "lower") {
    mask = greater(i, j);
  } else if (relation == "upper") {
    mask = less(i, j);
  } else if (relation == "diag") {
    mask = equal(i, j);
  } else if (relation == "lower_eq") {
    mask = greater_equal(i, j);
  } else {
    mask = less_equal(i, j);
  }
  return where(mask, x, zeros_like(x));
}

Var diagonal(const Var& x) {
  return sum(keep_where(x, "diag"), std::vector<int64_t>{x->type.ndim() - 1});
}

Var as_rows(const Var& v) {
  return expand_dims(v, {-2});
}

Var as_columns(const Var& v) {
  return expand_dims(v, {-1});
}

Var diag_embed(const Var& v) {
  const Var square = as_rows(v) * ones_like(as_columns(v));  // (..., n, n)
  return keep_where(square, "diag");
}

Var inverse_gaps(const Var& w) {
  const Var inv_gap = 1.0 / (as_rows(w) - as_columns(w));
  return keep_where(inv_gap, "lower") + keep_where(inv_gap, "upper");
}

Var fold_to_triangle(const Var& g, bool lower) {
  const Var both = g + mT(g);
  return keep_where(both, lower ? "lower" : "upper") + keep_where(g, "diag");
}

}  // namespace theon::linalg
