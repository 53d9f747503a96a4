// The kernel of the products (dot, matmul, tensordot, outer, batched_dot).
//
// Every product reduces to one kernel: C (m x n, C-contiguous) = A (m x k) * B (k x n), where A
// and B are strided views. A view is a matrix when its row dimensions and its column dimensions
// each merge into a single stride; otherwise the operand is copied to C order first. Float32 and
// float64 go to BLAS (gemv when one side is a vector, else gemm), passing transposed layouts
// through the trans flags and leading dimensions; other layouts (negative, zero or unaligned
// strides) are copied. Integer and bool products run a plain loop.
#include "product_kernel.hpp"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "theon/runtime/blas.hpp"

namespace theon::blas_detail {

using namespace blas_operands;

bool merge_dims(const NDArray& a, const std::vector<int>& dims, int64_t& size, int64_t& stride) {
  size = 1;
  for (int d : dims) size *= a.shape(d);
  stride = 0;
  if (size <= 1) return true;
  bool have = false;
  for (int d : dims) {
    const int64_t n = a.shape(d);
    if (n == 1) continue;
    const int64_t s = a.strides()[d];
    if (have && stride != s * n) return false;
    stride = s;
    have = true;
  }
  return true;
}

namespace {

// `a` as a matrix whose rows run over `row_dims` and columns over `col_dims` (together every
// dimension of `a`, each once); copies to C order (kept alive in `keep`) when not expressible.
Mat as_matrix(const NDArray& a, const std::vector<int>& row_dims, const std::vector<int>& col_dims,
              std::deque<NDArray>& keep) {
  Mat m{&a, a.raw(), 0, 0, 0, 0};
  if (merge_dims(a, row_dims, m.rows, m.rs) && merge_dims(a, col_dims, m.cols, m.cs)) return m;
  Shape shape;
  Strides strides;
  for (const auto* group : {&row_dims, &col_dims}) {
    for (int d : *group) {
      shape.push_back(a.shape(d));
      strides.push_back(a.strides()[d]);
    }
  }
  keep.push_back(a.view(a.raw(), shape, strides).copy());
  const NDArray& c = keep.back();
  const int64_t isz = static_cast<int64_t>(itemsize(a.dtype()));
  m.rows = 1;
  m.cols = 1;
  for (int d : row_dims) m.rows *= a.shape(d);
  for (int d : col_dims) m.cols *= a.shape(d);
  m.base = &c;
  m.p = c.raw();
  m.cs = isz;
  m.rs = m.cols * isz;
  return m;
}

void blas_product(DType dt, Mat a, Mat b, char* c, std::deque<NDArray>& keep) {
  const int64_t isz = static_cast<int64_t>(itemsize(dt));
  const int64_t m = a.rows, k = a.cols, n = b.cols;
  if (n == 1) {  // y (m) = A x, x = the column of B
    int64_t incx = blas_inc(b.rs, k, isz);
    if (incx == 0) {
      b = copy_matrix(b, dt, keep);
      incx = 1;
    }
    const Layout la = layout_or_copy(a, dt, keep);
    blas::gemv(dt, la.trans, la.trans ? k : m, la.trans ? m : k, a.p, la.ld, b.p, incx, c, 1);
  } else if (m == 1) {  // y (n) = B^T x, x = the row of A
    int64_t incx = blas_inc(a.cs, k, isz);
    if (incx == 0) {
      a = copy_matrix(a, dt, keep);
      incx = 1;
    }
    const Layout lb = layout_or_copy(b, dt, keep);
    blas::gemv(dt, !lb.trans, lb.trans ? n : k, lb.trans ? k : n, b.p, lb.ld, a.p, incx, c, 1);
  } else {
    const Layout la = layout_or_copy(a, dt, keep);
    const Layout lb = layout_or_copy(b, dt, keep);
    blas::gemm(dt, la.trans, lb.trans, m, n, k, a.p, la.ld, b.p, lb.ld, c, n);
  }
}

// The loop for dtypes BLAS does not have. Integers accumulate modulo 2^64, which equals NumPy's
// wrap-around in the narrower type once truncated; bool is the logical or of ands.
template <class T>
void loop_product(const Mat& a, const Mat& b, char* c) {
  using Acc = std::conditional_t<std::is_same_v<T, bool>, bool,
                                 std::conditional_t<std::is_integral_v<T>, uint64_t, T>>;
  auto load = [](const char* p) -> Acc {
    T v;
    std::memcpy(&v, p, sizeof(T));
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      return static_cast<Acc>(
          static_cast<std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>(v));
    } else {
      return static_cast<Acc>(v);
    }
  };
  std::vector<Acc> row(static_cast<size_t>(b.cols));
  T* out = reinterpret_cast<T*>(c);
  for (int64_t i = 0; i < a.rows; ++i) {
    std::fill(row.begin(), row.end(), Acc{});
    for (int64_t kk = 0; kk < a.cols; ++kk) {
      const Acc x = load(a.p + i * a.rs + kk * a.cs);
      const char* brow = b.p + kk * b.rs;
      for (int64_t j = 0; j < b.cols; ++j) {
        const Acc y = load(brow + j * b.cs);
        if constexpr (std::is_same_v<Acc, bool>) {
          row[j] = row[j] || (x && y);
        } else {
          row[j] += x * y;
        }
      }
    }
    for (int64_t j = 0; j < b.cols; ++j) out[i * b.cols + j] = static_cast<T>(row[j]);
  }
}

}  // namespace

void product_2d(DType dt, const Mat& a, const Mat& b, char* c, std::deque<NDArray>& keep) {
  const int64_t m = a.rows, k = a.cols, n = b.cols;
  if (m == 0 || n == 0) return;
  if (k == 0) {  // an empty sum: zero bits are 0 (and false) in every dtype
    std::memset(c, 0, static_cast<size_t>(m * n) * itemsize(dt));
    return;
  }
  const bool blas_ok =
      is_float(dt) && m <= blas::kMaxInt && n <= blas::kMaxInt && k <= blas::kMaxInt;
  if (blas_ok) {
    blas_product(dt, a, b, c, keep);
    return;
  }
  visit_dtype(dt, [&](auto tag) {
    using T = typename decltype(tag)::type;
    loop_product<T>(a, b, c);
  });
}
void contract(DType dt, const NDArray& a, const NDArray& b, const std::vector<int>& axes_a,
              const std::vector<int>& axes_b, char* out) {
  auto free_dims = [](int nd, const std::vector<int>& axes) {
    std::vector<int> out;
    for (int d = 0; d < nd; ++d) {
      if (std::find(axes.begin(), axes.end(), d) == axes.end()) out.push_back(d);
    }
    return out;
  };
  std::deque<NDArray> keep;  // copies the Mats point into
  const Mat ma = as_matrix(a, free_dims(a.ndim(), axes_a), axes_a, keep);
  const Mat mb = as_matrix(b, axes_b, free_dims(b.ndim(), axes_b), keep);
  product_2d(dt, ma, mb, out, keep);
}

}  // namespace theon::blas_detail
