// LAPACK calls. The Fortran prototypes are declared here, as runtime/blas.cpp does for CBLAS:
// the OpenBLAS of the scipy-openblas32 wheel prefixes its symbols (THEON_CBLAS_PREFIX=scipy_),
// a system LAPACK does not. Character arguments carry gfortran's hidden lengths at the end.
#include "theon/runtime/lapack.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "theon/core/error.hpp"
#include "theon/runtime/blas.hpp"

#ifdef THEON_CBLAS_PREFIX
#define THEON_LAPACK_CAT3(a, b, c) a##b##c
#define THEON_LAPACK_CAT(a, b, c) THEON_LAPACK_CAT3(a, b, c)
#define THEON_LAPACK(name) THEON_LAPACK_CAT(THEON_CBLAS_PREFIX, name, _)
#else
#define THEON_LAPACK_CAT2(a, b) a##b
#define THEON_LAPACK(name) THEON_LAPACK_CAT2(name, _)
#endif

using std::size_t;

// One declaration per routine and precision: `T` is the element type, `P` the prefix letter.
#define THEON_LAPACK_DECLARE(T, P)                                                                 \
  void THEON_LAPACK(P##potrf)(const char*, const int*, T*, const int*, int*, size_t);              \
  void THEON_LAPACK(P##potrs)(const char*, const int*, const int*, const T*, const int*, T*,       \
                              const int*, int*, size_t);                                           \
  void THEON_LAPACK(P##getrf)(const int*, const int*, T*, const int*, int*, int*);                 \
  void THEON_LAPACK(P##getrs)(const char*, const int*, const int*, const T*, const int*,           \
                              const int*, T*, const int*, int*, size_t);                           \
  void THEON_LAPACK(P##getri)(const int*, T*, const int*, const int*, T*, const int*, int*);       \
  void THEON_LAPACK(P##gbtrf)(const int*, const int*, const int*, const int*, T*, const int*,      \
                              int*, int*);                                                         \
  void THEON_LAPACK(P##gbtrs)(const char*, const int*, const int*, const int*, const int*,         \
                              const T*, const int*, const int*, T*, const int*, int*, size_t);     \
  void THEON_LAPACK(P##trtrs)(const char*, const char*, const char*, const int*, const int*,       \
                              const T*, const int*, T*, const int*, int*, size_t, size_t, size_t); \
  void THEON_LAPACK(P##sysv)(const char*, const int*, const int*, T*, const int*, int*, T*,        \
                             const int*, T*, const int*, int*, size_t);                            \
  void THEON_LAPACK(P##syevd)(const char*, const char*, const int*, T*, const int*, T*, T*,        \
                              const int*, int*, const int*, int*, size_t, size_t);                 \
  void THEON_LAPACK(P##gesdd)(const char*, const int*, const int*, T*, const int*, T*, T*,         \
                              const int*, T*, const int*, T*, const int*, int*, int*, size_t);     \
  void THEON_LAPACK(P##geqrf)(const int*, const int*, T*, const int*, T*, T*, const int*, int*);   \
  void THEON_LAPACK(P##orgqr)(const int*, const int*, const int*, T*, const int*, const T*, T*,    \
                              const int*, int*);                                                   \
  void THEON_LAPACK(P##geev)(const char*, const char*, const int*, T*, const int*, T*, T*, T*,     \
                             const int*, T*, const int*, T*, const int*, int*, size_t, size_t);

extern "C" {
THEON_LAPACK_DECLARE(float, s)
THEON_LAPACK_DECLARE(double, d)
}

namespace theon::lapack {
namespace {

int as_int(int64_t v) {
  if (v < 0 || v > blas::kMaxInt) {
    throw ValueError("LAPACK: dimension " + std::to_string(v) + " out of the 32-bit range");
  }
  return static_cast<int>(v);
}

// The workspace size a query (lwork = -1) reported in its first element.
template <class T>
int work_size(T reported) {
  return std::max(1, static_cast<int>(reported));
}

// The routines of one precision, so that the templates below are written once.
template <class T>
struct Routines;

#define THEON_LAPACK_ROUTINES(T, P)                       \
  template <>                                             \
  struct Routines<T> {                                    \
    static constexpr auto potrf = THEON_LAPACK(P##potrf); \
    static constexpr auto potrs = THEON_LAPACK(P##potrs); \
    static constexpr auto getrf = THEON_LAPACK(P##getrf); \
    static constexpr auto getrs = THEON_LAPACK(P##getrs); \
    static constexpr auto getri = THEON_LAPACK(P##getri); \
    static constexpr auto gbtrf = THEON_LAPACK(P##gbtrf); \
    static constexpr auto gbtrs = THEON_LAPACK(P##gbtrs); \
    static constexpr auto trtrs = THEON_LAPACK(P##trtrs); \
    static constexpr auto sysv = THEON_LAPACK(P##sysv);   \
    static constexpr auto syevd = THEON_LAPACK(P##syevd); \
    static constexpr auto gesdd = THEON_LAPACK(P##gesdd); \
    static constexpr auto geqrf = THEON_LAPACK(P##geqrf); \
    static constexpr auto orgqr = THEON_LAPACK(P##orgqr); \
    static constexpr auto geev = THEON_LAPACK(P##geev);   \
  };
THEON_LAPACK_ROUTINES(float, s)
THEON_LAPACK_ROUTINES(double, d)

}  // namespace

template <class T>
int potrf(char uplo, int64_t n, T* a, int64_t lda) {
  const int n_ = as_int(n), lda_ = as_int(lda);
  int info = 0;
  blas::match_lapack_threads();
  Routines<T>::potrf(&uplo, &n_, a, &lda_, &info, 1);
  return info;
}

template <class T>
int potrs(char uplo, int64_t n, int64_t nrhs, const T* a, int64_t lda, T* b, int64_t ldb) {
  const int n_ = as_int(n), nrhs_ = as_int(nrhs), lda_ = as_int(lda), ldb_ = as_int(ldb);
  int info = 0;
  blas::match_lapack_threads();
  Routines<T>::potrs(&uplo, &n_, &nrhs_, a, &lda_, b, &ldb_, &info, 1);
  return info;
}

template <class T>
int getrf(int64_t m, int64_t n, T* a, int64_t lda, int* ipiv) {
  const int m_ = as_int(m), n_ = as_int(n), lda_ = as_int(lda);
  int info = 0;
  blas::match_lapack_threads();
  Routines<T>::getrf(&m_, &n_, a, &lda_, ipiv, &info);
  return info;
}

template <class T>
int getrs(char trans, int64_t n, int64_t nrhs, const T* a, int64_t lda, const int* ipiv, T* b,
          int64_t ldb) {
  const int n_ = as_int(n), nrhs_ = as_int(nrhs), lda_ = as_int(lda), ldb_ = as_int(ldb);
  int info = 0;
  blas::match_lapack_threads();
  Routines<T>::getrs(&trans, &n_, &nrhs_, a, &lda_, ipiv, b, &ldb_, &info, 1);
  return info;
}

template <class T>
int gbtrf(int64_t n, int64_t kl, int64_t ku, T* ab, int64_t ldab, int* ipiv) {
  const int n_ = as_int(n), kl_ = as_int(kl), ku_ = as_int(ku), ldab_ = as_int(ldab);
  int info = 0;
  blas::match_lapack_threads();
  Routines<T>::gbtrf(&n_, &n_, &kl_, &ku_, ab, &ldab_, ipiv, &info);
  return info;
}

template <class T>
int gbtrs(char trans, int64_t n, int64_t kl, int64_t ku, int64_t nrhs, const T* ab, int64_t ldab,
          const int* ipiv, T* b, int64_t ldb) {
  const int n_ = as_int(n), kl_ = as_int(kl), ku_ = as_int(ku), nrhs_ = as_int(nrhs),
            ldab_ = as_int(ldab), ldb_ = as_int(ldb);
  int info = 0;
  blas::match_lapack_threads();
  Routines<T>::gbtrs(&trans, &n_, &kl_, &ku_, &nrhs_, ab, &ldab_, ipiv, b, &ldb_, &info, 1);
  return info;
}

template <class T>
int getri(int64_t n, T* a, int64_t lda, const int* ipiv) {
  const int n_ = as_int(n), lda_ = as_int(lda);
  int info = 0, query = -1;
  T size{};
  blas::match_lapack_threads();
  Routines<T>::getri(&n_, a, &lda_, ipiv, &size, &query, &info);
  const int lwork = work_size(size);
  std::vector<T> work(static_cast<size_t>(lwork));
  blas::match_lapack_threads();
  Routines<T>::getri(&n_, a, &lda_, ipiv, work.data(), &lwork, &info);
  return info;
}

template <class T>
int trtrs(char uplo, char trans, char diag, int64_t n, int64_t nrhs, const T* a, int64_t lda, T* b,
          int64_t ldb) {
  const int n_ = as_int(n), nrhs_ = as_int(nrhs), lda_ = as_int(lda), ldb_ = as_int(ldb);
  int info = 0;
  blas::match_lapack_threads();
  Routines<T>::trtrs(&uplo, &trans, &diag, &n_, &nrhs_, a, &lda_, b, &ldb_, &info, 1, 1, 1);
  return info;
}

template <class T>
int sysv(char uplo, int64_t n, int64_t nrhs, T* a, int64_t lda, T* b, int64_t ldb) {
  const int n_ = as_int(n), nrhs_ = as_int(nrhs), lda_ = as_int(lda), ldb_ = as_int(ldb);
  std::vector<int> ipiv(static_cast<size_t>(std::max(n_, 1)));
  int info = 0, query = -1;
  T size{};
  blas::match_lapack_threads();
  Routines<T>::sysv(&uplo, &n_, &nrhs_, a, &lda_, ipiv.data(), b, &ldb_, &size, &query, &info, 1);
  const int lwork = work_size(size);
  std::vector<T> work(static_cast<size_t>(lwork));
  blas::match_lapack_threads();
  Routines<T>::sysv(&uplo, &n_, &nrhs_, a, &lda_, ipiv.data(), b, &ldb_, work.data(), &lwork, &info,
                    1);
  return info;
}

template <class T>
int syevd(char jobz, char uplo, int64_t n, T* a, int64_t lda, T* w) {
  const int n_ = as_int(n), lda_ = as_int(lda);
  int info = 0, query = -1, isize = 0;
  T size{};
  blas::match_lapack_threads();
  Routines<T>::syevd(&jobz, &uplo, &n_, a, &lda_, w, &size, &query, &isize, &query, &info, 1, 1);
  const int lwork = work_size(size), liwork = std::max(1, isize);
  std::vector<T> work(static_cast<size_t>(lwork));
  std::vector<int> iwork(static_cast<size_t>(liwork));
  blas::match_lapack_threads();
  Routines<T>::syevd(&jobz, &uplo, &n_, a, &lda_, w, work.data(), &lwork, iwork.data(), &liwork,
                     &info, 1, 1);
  return info;
}

template <class T>
int gesdd(char jobz, int64_t m, int64_t n, T* a, int64_t lda, T* s, T* u, int64_t ldu, T* vt,
          int64_t ldvt) {
  const int m_ = as_int(m), n_ = as_int(n), lda_ = as_int(lda), ldu_ = as_int(ldu),
            ldvt_ = as_int(ldvt);
  std::vector<int> iwork(static_cast<size_t>(8 * std::max(1, std::min(m_, n_))));
  int info = 0, query = -1;
  T size{};
  blas::match_lapack_threads();
  Routines<T>::gesdd(&jobz, &m_, &n_, a, &lda_, s, u, &ldu_, vt, &ldvt_, &size, &query,
                     iwork.data(), &info, 1);
  const int lwork = work_size(size);
  std::vector<T> work(static_cast<size_t>(lwork));
  blas::match_lapack_threads();
  Routines<T>::gesdd(&jobz, &m_, &n_, a, &lda_, s, u, &ldu_, vt, &ldvt_, work.data(), &lwork,
                     iwork.data(), &info, 1);
  return info;
}

template <class T>
int geqrf(int64_t m, int64_t n, T* a, int64_t lda, T* tau) {
  const int m_ = as_int(m), n_ = as_int(n), lda_ = as_int(lda);
  int info = 0, query = -1;
  T size{};
  blas::match_lapack_threads();
  Routines<T>::geqrf(&m_, &n_, a, &lda_, tau, &size, &query, &info);
  const int lwork = work_size(size);
  std::vector<T> work(static_cast<size_t>(lwork));
  blas::match_lapack_threads();
  Routines<T>::geqrf(&m_, &n_, a, &lda_, tau, work.data(), &lwork, &info);
  return info;
}

template <class T>
int orgqr(int64_t m, int64_t n, int64_t k, T* a, int64_t lda, const T* tau) {
  const int m_ = as_int(m), n_ = as_int(n), k_ = as_int(k), lda_ = as_int(lda);
  int info = 0, query = -1;
  T size{};
  blas::match_lapack_threads();
  Routines<T>::orgqr(&m_, &n_, &k_, a, &lda_, tau, &size, &query, &info);
  const int lwork = work_size(size);
  std::vector<T> work(static_cast<size_t>(lwork));
  blas::match_lapack_threads();
  Routines<T>::orgqr(&m_, &n_, &k_, a, &lda_, tau, work.data(), &lwork, &info);
  return info;
}

template <class T>
int geev(char jobvr, int64_t n, T* a, int64_t lda, T* wr, T* wi, T* vr, int64_t ldvr) {
  const int n_ = as_int(n), lda_ = as_int(lda), ldvr_ = as_int(ldvr), one = 1;
  const char jobvl = 'N';
  T unused{};
  int info = 0, query = -1;
  T size{};
  blas::match_lapack_threads();
  Routines<T>::geev(&jobvl, &jobvr, &n_, a, &lda_, wr, wi, &unused, &one, vr, &ldvr_, &size, &query,
                    &info, 1, 1);
  const int lwork = work_size(size);
  std::vector<T> work(static_cast<size_t>(lwork));
  blas::match_lapack_threads();
  Routines<T>::geev(&jobvl, &jobvr, &n_, a, &lda_, wr, wi, &unused, &one, vr, &ldvr_, work.data(),
                    &lwork, &info, 1, 1);
  return info;
}

#define THEON_LAPACK_INSTANTIATE(T)                                                              \
  template int potrf<T>(char, int64_t, T*, int64_t);                                             \
  template int potrs<T>(char, int64_t, int64_t, const T*, int64_t, T*, int64_t);                 \
  template int getrf<T>(int64_t, int64_t, T*, int64_t, int*);                                    \
  template int getrs<T>(char, int64_t, int64_t, const T*, int64_t, const int*, T*, int64_t);     \
  template int getri<T>(int64_t, T*, int64_t, const int*);                                       \
  template int gbtrf<T>(int64_t, int64_t, int64_t, T*, int64_t, int*);                           \
  template int gbtrs<T>(char, int64_t, int64_t, int64_t, int64_t, const T*, int64_t, const int*, \
                        T*, int64_t);                                                            \
  template int trtrs<T>(char, char, char, int64_t, int64_t, const T*, int64_t, T*, int64_t);     \
  template int sysv<T>(char, int64_t, int64_t, T*, int64_t, T*, int64_t);                        \
  template int syevd<T>(char, char, int64_t, T*, int64_t, T*);                                   \
  template int gesdd<T>(char, int64_t, int64_t, T*, int64_t, T*, T*, int64_t, T*, int64_t);      \
  template int geqrf<T>(int64_t, int64_t, T*, int64_t, T*);                                      \
  template int orgqr<T>(int64_t, int64_t, int64_t, T*, int64_t, const T*);                       \
  template int geev<T>(char, int64_t, T*, int64_t, T*, T*, T*, int64_t);
THEON_LAPACK_INSTANTIATE(float)
THEON_LAPACK_INSTANTIATE(double)

}  // namespace theon::lapack
