// CBLAS calls. The prototypes are declared here rather than taken from a cblas.h, because the
// OpenBLAS of the scipy-openblas32 wheel prefixes its symbols (THEON_CBLAS_PREFIX=scipy_) while
// a system CBLAS does not. Both use 32-bit integers and the standard enum values.
#include "theon/runtime/blas.hpp"

#include "theon/core/error.hpp"

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

void gemm(DType dtype, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const void* a,
          int64_t lda, const void* b, int64_t ldb, void* c, int64_t ldc, double alpha,
          double beta) {
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

void gemv(DType dtype, bool trans, int64_t rows, int64_t cols, const void* a, int64_t lda,
          const void* x, int64_t incx, void* y, int64_t incy, double alpha, double beta) {
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

void ger(DType dtype, int64_t m, int64_t n, double alpha, const void* x, int64_t incx,
         const void* y, int64_t incy, void* a, int64_t lda) {
  if (dtype == DType::Float32) {
    THEON_CBLAS(cblas_sger)
    (kRowMajor, as_int(m), as_int(n), static_cast<float>(alpha), static_cast<const float*>(x),
     as_int(incx), static_cast<const float*>(y), as_int(incy), static_cast<float*>(a), as_int(lda));
  } else if (dtype == DType::Float64) {
    THEON_CBLAS(cblas_dger)
    (kRowMajor, as_int(m), as_int(n), alpha, static_cast<const double*>(x), as_int(incx),
     static_cast<const double*>(y), as_int(incy), static_cast<double*>(a), as_int(lda));
  } else {
    throw TypeError("BLAS ger: expected float32 or float64, got " + std::string(dtype_name(dtype)));
  }
}

}  // namespace theon::blas
