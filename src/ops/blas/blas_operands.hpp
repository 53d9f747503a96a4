// Internal: how matrix and vector operands are handed to BLAS, shared by the blas and gemm
// families. Strided views go as leading dimensions, trans flags and increments; what BLAS cannot
// express is copied to C order first.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>

#include "theon/core/ndarray.hpp"
#include "theon/runtime/blas.hpp"

namespace theon::blas_operands {

// A strided matrix view; element (i, j) at p + i * rs + j * cs (bytes).
struct Mat {
  const NDArray* base;  // the array p points into (for copies)
  const char* p;
  int64_t rows, cols, rs, cs;
};

// How BLAS sees a matrix view: stored row-major (trans = false) or as the row-major storage of
// its transpose (trans = true), with leading dimension ld (in elements).
struct Layout {
  bool trans;
  int64_t ld;
};

inline std::optional<Layout> blas_layout(const Mat& m, int64_t isz) {
  auto ld_ok = [&](int64_t s, int64_t at_least) {
    return s > 0 && s % isz == 0 && s / isz >= std::max<int64_t>(1, at_least) &&
           s / isz <= blas::kMaxInt;
  };
  if ((m.cols <= 1 || m.cs == isz) && (m.rows <= 1 || ld_ok(m.rs, m.cols))) {
    return Layout{false, m.rows <= 1 ? std::max<int64_t>(1, m.cols) : m.rs / isz};
  }
  if ((m.rows <= 1 || m.rs == isz) && (m.cols <= 1 || ld_ok(m.cs, m.rows))) {
    return Layout{true, m.cols <= 1 ? std::max<int64_t>(1, m.rows) : m.cs / isz};
  }
  return std::nullopt;
}

// The BLAS increment of a vector with byte stride s and n elements, or 0 if it has none.
inline int64_t blas_inc(int64_t s, int64_t n, int64_t isz) {
  if (n <= 1) return 1;
  if (s > 0 && s % isz == 0 && s / isz <= blas::kMaxInt) return s / isz;
  return 0;
}

// A C-order copy of a matrix view (kept alive in `keep`).
inline Mat copy_matrix(const Mat& m, DType dt, std::deque<NDArray>& keep) {
  keep.push_back(m.base->view(const_cast<char*>(m.p), {m.rows, m.cols}, {m.rs, m.cs}).copy());
  const int64_t isz = static_cast<int64_t>(itemsize(dt));
  return Mat{&keep.back(), keep.back().raw(), m.rows, m.cols, m.cols * isz, isz};
}

// The BLAS layout of m, which is first replaced by a C-contiguous copy if it has none.
inline Layout layout_or_copy(Mat& m, DType dt, std::deque<NDArray>& keep) {
  const int64_t isz = static_cast<int64_t>(itemsize(dt));
  std::optional<Layout> l = blas_layout(m, isz);
  if (!l) {
    m = copy_matrix(m, dt, keep);
    l = blas_layout(m, isz);
  }
  return *l;
}

}  // namespace theon::blas_operands
