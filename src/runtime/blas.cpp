// CBLAS calls. The prototypes are declared here rather than taken from a cblas.h, because the
// OpenBLAS of the scipy-openblas32 wheel prefixes its symbols (THEON_CBLAS_PREFIX=scipy_) while
// a system CBLAS does not. Both use 32-bit integers and the standard enum values.
#include "theon/runtime/blas.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>

#include "small_blas.hpp"
#include "theon/core/error.hpp"
#include "theon/core/thread_pool.hpp"

#ifdef THEON_CBLAS_PREFIX
#define THEON_CBLAS_CAT2(a, b) a##b
#define THEON_CBLAS_CAT(a, b) THEON_CBLAS_CAT2(a, b)
#define THEON_CBLAS(name) THEON_CBLAS_CAT(THEON_CBLAS_PREFIX, name)
#else
#define THEON_CBLAS(name) name
#endif

extern "C" {
void THEON_CBLAS(cblas_sgemm)(int order, int trans_a, int trans_b, int m, int n, int k, float alpha,
                              const float* a, int lda, const float* b, int ldb, float beta,
                              float* c, int ldc);
void THEON_CBLAS(cblas_dgemm)(int order, int trans_a, int trans_b, int m, int n, int k,
                              double alpha, const double* a, int lda, const double* b, int ldb,
                              double beta, double* c, int ldc);
void THEON_CBLAS(cblas_sgemv)(int order, int trans, int m, int n, float alpha, const float* a,
                              int lda, const float* x, int incx, float beta, float* y, int incy);
void THEON_CBLAS(cblas_dgemv)(int order, int trans, int m, int n, double alpha, const double* a,
                              int lda, const double* x, int incx, double beta, double* y, int incy);
void THEON_CBLAS(cblas_sger)(int order, int m, int n, float alpha, const float* x, int incx,
                             const float* y, int incy, float* a, int lda);
void THEON_CBLAS(cblas_dger)(int order, int m, int n, double alpha, const double* x, int incx,
                             const double* y, int incy, double* a, int lda);
// OpenBLAS's thread-count API; weak, because a system BLAS other than OpenBLAS has none.
void THEON_CBLAS(openblas_set_num_threads)(int) __attribute__((weak));
int THEON_CBLAS(openblas_get_num_threads)() __attribute__((weak));
}

namespace theon::blas {
namespace {

constexpr int kRowMajor = 101;
constexpr int kNoTrans = 111;
constexpr int kTrans = 112;

int as_int(int64_t v) {
  if (v < 0 || v > kMaxInt) {
    throw ValueError("BLAS: dimension " + std::to_string(v) + " out of the 32-bit range");
  }
  return static_cast<int>(v);
}

int trans_flag(bool t) {
  return t ? kTrans : kNoTrans;
}

}  // namespace

int library_threads() {
  if (&THEON_CBLAS(openblas_get_num_threads) == nullptr) return 0;
  return THEON_CBLAS(openblas_get_num_threads)();
}

void match_threads(int wanted) {
  if (&THEON_CBLAS(openblas_set_num_threads) == nullptr) return;
  static std::atomic<int> applied{0};
  if (applied.load(std::memory_order_relaxed) == wanted) return;
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  if (applied.load(std::memory_order_relaxed) == wanted) return;
  THEON_CBLAS(openblas_set_num_threads)(wanted);
  applied.store(wanted, std::memory_order_relaxed);
}

void match_lapack_threads() {
  // One thread inside a chunk of Theon's pool: its other threads are busy with the other chunks.
  match_threads(in_parallel_region() ? 1 : kernel_threads());
}

namespace {

// The one gemm call, on the library's own single thread.
void gemm_call(DType dtype, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k,
               const void* a, int64_t lda, const void* b, int64_t ldb, void* c, int64_t ldc,
               double alpha, double beta) {
  if (dtype == DType::Float32) {
    THEON_CBLAS(cblas_sgemm)
    (kRowMajor, trans_flag(trans_a), trans_flag(trans_b), as_int(m), as_int(n), as_int(k),
     static_cast<float>(alpha), static_cast<const float*>(a), as_int(lda),
     static_cast<const float*>(b), as_int(ldb), static_cast<float>(beta), static_cast<float*>(c),
     as_int(ldc));
  } else if (dtype == DType::Float64) {
    THEON_CBLAS(cblas_dgemm)
    (kRowMajor, trans_flag(trans_a), trans_flag(trans_b), as_int(m), as_int(n), as_int(k), alpha,
     static_cast<const double*>(a), as_int(lda), static_cast<const double*>(b), as_int(ldb), beta,
     static_cast<double*>(c), as_int(ldc));
  } else {
    throw TypeError("BLAS gemm: expected float32 or float64, got " +
                    std::string(dtype_name(dtype)));
  }
}

// Multiply-adds below which a product stays on one thread (about 0.1 ms on one core): a wake-up
// of the pool costs microseconds, and each chunk packs its own copy of the shared operand.
constexpr int64_t kParallelMultiplyAdds = int64_t{1} << 21;

// C's rows [begin, end) (or, when `by_columns`, its columns) as a product of its own: the
// matching rows of op(A) (columns of op(B)) and the whole other operand.
void gemm_block(DType dtype, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k,
                const char* a, int64_t lda, const char* b, int64_t ldb, char* c, int64_t ldc,
                double alpha, double beta, bool by_columns, int64_t begin, int64_t end) {
  const auto isz = static_cast<int64_t>(itemsize(dtype));
  if (by_columns) {
    gemm_call(dtype, trans_a, trans_b, m, end - begin, k, a, lda,
              b + begin * (trans_b ? ldb : 1) * isz, ldb, c + begin * isz, ldc, alpha, beta);
  } else {
    gemm_call(dtype, trans_a, trans_b, end - begin, n, k, a + begin * (trans_a ? 1 : lda) * isz,
              lda, b, ldb, c + begin * ldc * isz, ldc, alpha, beta);
  }
}

}  // namespace

void gemm(DType dtype, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const void* a,
          int64_t lda, const void* b, int64_t ldb, void* c, int64_t ldc, double alpha,
          double beta) {
  // Theon's pool splits large products itself (below), so the library never runs threads of
  // its own beside the pool's.
  match_threads(1);
  // The vectors' increments: op(A)'s column and row, op(B)'s row and column (a stored matrix of
  // one row or column may carry any leading dimension; BLAS takes increments >= 1 only).
  const int64_t a_col_inc = trans_a ? 1 : lda, a_row_inc = trans_a ? lda : 1;
  const int64_t b_row_inc = trans_b ? ldb : 1, b_col_inc = trans_b ? 1 : ldb;
  if (m > 0 && n > 0 && k == 1 && beta == 1.0 && a_col_inc > 0 && b_row_inc > 0) {
    ger(dtype, m, n, alpha, a, a_col_inc, b, b_row_inc, c, ldc);  // a rank-1 update: no packing
    return;
  }
  if (m == 1 && n > 0 && a_row_inc > 0) {  // C's one row = op(B)^T x, x = op(A)'s row
    gemv(dtype, !trans_b, trans_b ? n : k, trans_b ? k : n, b, ldb, a, a_row_inc, c, 1, alpha,
         beta);
    return;
  }
  if (n == 1 && m > 0 && b_col_inc > 0 && ldc > 0) {  // C's one column = op(A) x
    gemv(dtype, trans_a, trans_a ? k : m, trans_a ? m : k, a, lda, b, b_col_inc, c, ldc, alpha,
         beta);
    return;
  }
  const auto* pa = static_cast<const char*>(a);
  const auto* pb = static_cast<const char*>(b);
  auto* pc = static_cast<char*>(c);
  const bool by_columns = n > m;
  const int64_t extent = by_columns ? n : m;
  const int64_t per_line = (by_columns ? m : n) * std::max<int64_t>(k, 1);
  const int64_t min_lines =
      std::max<int64_t>(1, kParallelMultiplyAdds / std::max<int64_t>(per_line, 1));
  parallel_for(extent, min_lines, [&](int64_t begin, int64_t end) {
    gemm_block(dtype, trans_a, trans_b, m, n, k, pa, lda, pb, ldb, pc, ldc, alpha, beta, by_columns,
               begin, end);
  });
}

namespace {

// A tall, narrow row-major A^T x (784 x 10: a batch-1 dense layer) took BLAS 3.9 us against
// 1.3 us for the same product with A 10 x 784; the loop, about 1.4 us (issue 20 item 3).
template <class T>
bool narrow_gemv_t(int64_t rows, int64_t cols, double alpha, const void* a, int64_t lda,
                   const void* x, int64_t incx, void* y, int64_t incy, double beta) {
  if (rows < 4 * cols) return false;
  return small::with_narrow_width(cols, [&](auto width) {
    small::narrow_gemv_t<T, decltype(width)::value>(
        rows, static_cast<T>(alpha), static_cast<const T*>(a), lda, static_cast<const T*>(x), incx,
        static_cast<T*>(y), incy, static_cast<T>(beta));
  });
}

}  // namespace

void gemv(DType dtype, bool trans, int64_t rows, int64_t cols, const void* a, int64_t lda,
          const void* x, int64_t incx, void* y, int64_t incy, double alpha, double beta) {
  if (trans && dtype == DType::Float32 &&
      narrow_gemv_t<float>(rows, cols, alpha, a, lda, x, incx, y, incy, beta)) {
    return;
  }
  if (trans && dtype == DType::Float64 &&
      narrow_gemv_t<double>(rows, cols, alpha, a, lda, x, incx, y, incy, beta)) {
    return;
  }
  match_threads(1);
  if (dtype == DType::Float32) {
    THEON_CBLAS(cblas_sgemv)
    (kRowMajor, trans_flag(trans), as_int(rows), as_int(cols), static_cast<float>(alpha),
     static_cast<const float*>(a), as_int(lda), static_cast<const float*>(x), as_int(incx),
     static_cast<float>(beta), static_cast<float*>(y), as_int(incy));
  } else if (dtype == DType::Float64) {
    THEON_CBLAS(cblas_dgemv)
    (kRowMajor, trans_flag(trans), as_int(rows), as_int(cols), alpha, static_cast<const double*>(a),
     as_int(lda), static_cast<const double*>(x), as_int(incx), beta, static_cast<double*>(y),
     as_int(incy));
  } else {
    throw TypeError("BLAS gemv: expected float32 or float64, got " +
                    std::string(dtype_name(dtype)));
  }
}

namespace {

// Elements of A below which a rank-1 update is a loop here: BLAS's row-major ger is a column-
// major one of the transpose, one axpy call per row of A, which costs more than the arithmetic
// when rows are short (784 x 10: 17 us in sger; issue 20 item 3).
constexpr int64_t kInlineGerElements = int64_t{1} << 16;

// The lambda inlined as well: what is not inlined into the cloned callers below is compiled
// for the baseline only.
template <class T>
THEON_INLINE void ger_loop(int64_t m, int64_t n, double alpha, const void* x, int64_t incx,
                           const void* y, int64_t incy, void* a, int64_t lda) {
  const T al = static_cast<T>(alpha);
  const T* xs = static_cast<const T*>(x);
  const T* ys = static_cast<const T*>(y);
  T* as = static_cast<T*>(a);
  const bool narrow = small::with_narrow_width(
      n, [&](auto width) __attribute__((always_inline)) {
        small::ger_rows<T, decltype(width)::value>(m, n, al, xs, incx, ys, incy, as, lda);
      });
  if (!narrow) small::ger_rows<T, 0>(m, n, al, xs, incx, ys, incy, as, lda);
}

// Compiled for AVX-512 and AVX2 too: a row of 10 float32 is then two vector operations.
THEON_VECTOR_CLONES void ger_loop_f32(int64_t m, int64_t n, double alpha, const void* x,
                                      int64_t incx, const void* y, int64_t incy, void* a,
                                      int64_t lda) {
  ger_loop<float>(m, n, alpha, x, incx, y, incy, a, lda);
}
THEON_VECTOR_CLONES void ger_loop_f64(int64_t m, int64_t n, double alpha, const void* x,
                                      int64_t incx, const void* y, int64_t incy, void* a,
                                      int64_t lda) {
  ger_loop<double>(m, n, alpha, x, incx, y, incy, a, lda);
}

}  // namespace

void ger(DType dtype, int64_t m, int64_t n, double alpha, const void* x, int64_t incx,
         const void* y, int64_t incy, void* a, int64_t lda) {
  if (dtype != DType::Float32 && dtype != DType::Float64) {
    throw TypeError("BLAS ger: expected float32 or float64, got " + std::string(dtype_name(dtype)));
  }
  if (m <= kInlineGerElements / std::max<int64_t>(n, 1)) {
    if (dtype == DType::Float32) {
      ger_loop_f32(m, n, alpha, x, incx, y, incy, a, lda);
    } else {
      ger_loop_f64(m, n, alpha, x, incx, y, incy, a, lda);
    }
    return;
  }
  match_threads(1);
  if (dtype == DType::Float32) {
    THEON_CBLAS(cblas_sger)
    (kRowMajor, as_int(m), as_int(n), static_cast<float>(alpha), static_cast<const float*>(x),
     as_int(incx), static_cast<const float*>(y), as_int(incy), static_cast<float*>(a), as_int(lda));
  } else {
    THEON_CBLAS(cblas_dger)
    (kRowMajor, as_int(m), as_int(n), alpha, static_cast<const double*>(x), as_int(incx),
     static_cast<const double*>(y), as_int(incy), static_cast<double*>(a), as_int(lda));
  }
}

}  // namespace theon::blas
