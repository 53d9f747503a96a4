// A thin wrapper over the CBLAS routines Theon calls (row-major), so that no other file depends
// on how the library names its symbols. beta == 0 follows BLAS: the output is not read first.
#pragma once

#include <cstdint>

#include "theon/core/dtype.hpp"

namespace theon::blas {

// The largest dimension, leading dimension or increment the linked BLAS accepts (32-bit ints).
inline constexpr int64_t kMaxInt = 2147483647;

// Sets the library's thread count to `threads` (OpenBLAS's openblas_set_num_threads; nothing
// where the BLAS is not OpenBLAS). The calls below set 1: gemm splits large products over
// Theon's pool itself, so that the library's threads and the pool's never run side by side.
void match_threads(int threads);

// Sets the library's thread count to Theon's (config.num_threads, 0: every core) for a LAPACK
// call, or to 1 on a thread of Theon's pool running a chunk (the others are busy).
void match_lapack_threads();

// The library's thread count (OpenBLAS's openblas_get_num_threads), 0 where it has no such API.
int library_threads();

// C (m x n, row-major, leading dimension ldc) = alpha op(A) (m x k) * op(B) (k x n) + beta C,
// where op(X) is X or its transpose as `trans_*` says and lda/ldb are the leading dimensions of
// the stored (row-major) matrices. dtype is Float32 or Float64. The BLAS level follows the
// shape: a rank-1 update (k = 1, beta = 1) is one ger, a single row or column one gemv, and a
// large product is split by rows (or columns) over config.num_threads threads.
void gemm(DType dtype, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const void* a,
          int64_t lda, const void* b, int64_t ldb, void* c, int64_t ldc, double alpha = 1.0,
          double beta = 0.0);

// y = alpha op(A) x + beta y, where A is stored row-major as rows x cols with leading
// dimension lda.
void gemv(DType dtype, bool trans, int64_t rows, int64_t cols, const void* a, int64_t lda,
          const void* x, int64_t incx, void* y, int64_t incy, double alpha = 1.0,
          double beta = 0.0);

// A (m x n, row-major, leading dimension lda) += alpha x y^T.
void ger(DType dtype, int64_t m, int64_t n, double alpha, const void* x, int64_t incx,
         const void* y, int64_t incy, void* a, int64_t lda);

}  // namespace theon::blas
