// Loops that stand in for BLAS calls where BLAS's per-call or per-row costs exceed the
// arithmetic (issue 20 item 3): a row-major A^T x whose A has at most kNarrowWidth columns,
// and a rank-1 update of a small A. Private to src/runtime/blas.cpp.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "../ops/vector_clones.hpp"

namespace theon::blas::small {

// The widest row a loop of compile-time width handles, keeping the row (or its sums) in
// registers.
inline constexpr int kNarrowWidth = 16;

template <class F, int... W>
THEON_INLINE bool dispatch_width(int64_t width, F& f, std::integer_sequence<int, W...>) {
  return ((width == W + 1 && (f(std::integral_constant<int, W + 1>{}), true)) || ...);
}

// Calls f(std::integral_constant<int, width>{}) when 1 <= width <= kNarrowWidth; false if not.
template <class F>
THEON_INLINE bool with_narrow_width(int64_t width, F&& f) {
  return dispatch_width(width, f, std::make_integer_sequence<int, kNarrowWidth>{});
}

// y = alpha A^T x + beta y, A rows x Cols: the Cols sums add one row of A per step, each in row
// order (BLAS's are in other orders: results agree to rounding). beta 0: y is not read.
template <class T, int Cols>
void narrow_gemv_t(int64_t rows, T alpha, const T* a, int64_t lda, const T* x, int64_t incx, T* y,
                   int64_t incy, T beta) {
  T sum[Cols] = {};
  for (int64_t i = 0; i < rows; ++i) {
    const T xi = x[i * incx];
    const T* row = a + i * lda;
    for (int j = 0; j < Cols; ++j) sum[j] += row[j] * xi;
  }
  for (int j = 0; j < Cols; ++j) {
    T& out = y[j * incy];
    out = beta == T(0) ? alpha * sum[j] : alpha * sum[j] + beta * out;
  }
}

// row[0..N) += scaled * y[0..N) in vectors of 32, 16, 8 and 4 bytes (GCC's vector types,
// lowered to the widest registers the calling function's target has): fixed-width loops of
// 10 elements stay scalar otherwise.
template <class T, int N>
THEON_INLINE void axpy_row(T scaled, const T* y, T* row) {
  if constexpr (N > 0) {
    constexpr int bytes = N * static_cast<int>(sizeof(T)) >= 32   ? 32
                          : N * static_cast<int>(sizeof(T)) >= 16 ? 16
                          : N * static_cast<int>(sizeof(T)) >= 8  ? 8
                                                                  : static_cast<int>(sizeof(T));
    constexpr int lanes = bytes / static_cast<int>(sizeof(T));
    if constexpr (lanes == 1) {
      row[0] += scaled * y[0];
    } else {
      typedef T Vec __attribute__((vector_size(bytes)));
      Vec r, yv;
      std::memcpy(&r, row, bytes);
      std::memcpy(&yv, y, bytes);
      r += scaled * yv;
      std::memcpy(row, &r, bytes);
    }
    axpy_row<T, N - lanes>(scaled, y + lanes, row + lanes);
  }
}

// A += alpha x y^T, scaled as BLAS scales (alpha x_i, then times y_j); N: y's length when it
// is at most kNarrowWidth (y held in registers), 0 for any length n.
template <class T, int N>
THEON_INLINE void ger_rows(int64_t m, int64_t n, T alpha, const T* x, int64_t incx, const T* y,
                           int64_t incy, T* a, int64_t lda) {
  if constexpr (N > 0) {
    T yv[N];
    for (int j = 0; j < N; ++j) yv[j] = y[j * incy];
    for (int64_t i = 0; i < m; ++i) axpy_row<T, N>(alpha * x[i * incx], yv, a + i * lda);
  } else {
    for (int64_t i = 0; i < m; ++i) {
      const T scaled = alpha * x[i * incx];
      T* row = a + i * lda;
      for (int64_t j = 0; j < n; ++j) row[j] += scaled * y[j * incy];
    }
  }
}

}  // namespace theon::blas::small
