// A thin wrapper over the LAPACK routines Theon calls, so that no other file depends on how the
// library names its symbols (scipy-openblas32 prefixes them with scipy_). Matrices are
// column-major (Fortran order) as LAPACK expects; every function takes float or double,
// allocates its own workspace and returns LAPACK's `info` (0: success, > 0: the routine's
// numerical failure, e.g. a singular or not positive-definite matrix). Dimensions are 32-bit
// (checked).
#pragma once

#include <cstdint>

namespace theon::lapack {

// Cholesky factor of the `uplo` ('L' or 'U') triangle of a, in place.
template <class T>
int potrf(char uplo, int64_t n, T* a, int64_t lda);
// Solves A x = b given potrf's factor of A; b (n x nrhs) is overwritten with x.
template <class T>
int potrs(char uplo, int64_t n, int64_t nrhs, const T* a, int64_t lda, T* b, int64_t ldb);
// LU factorization with partial pivoting, in place; ipiv has min(m, n) entries (1-based).
template <class T>
int getrf(int64_t m, int64_t n, T* a, int64_t lda, int* ipiv);
// Solves op(A) x = b ('N' or 'T') given getrf's factors.
template <class T>
int getrs(char trans, int64_t n, int64_t nrhs, const T* a, int64_t lda, const int* ipiv, T* b,
          int64_t ldb);
// LU factorization of a band matrix with kl sub- and ku superdiagonals, in LAPACK's band
// storage (ldab >= 2 kl + ku + 1: kl rows for the fill-in, then the band), in place.
template <class T>
int gbtrf(int64_t n, int64_t kl, int64_t ku, T* ab, int64_t ldab, int* ipiv);
// Solves op(A) x = b ('N' or 'T') given gbtrf's factors.
template <class T>
int gbtrs(char trans, int64_t n, int64_t kl, int64_t ku, int64_t nrhs, const T* ab, int64_t ldab,
          const int* ipiv, T* b, int64_t ldb);
// The inverse from getrf's factors, in place.
template <class T>
int getri(int64_t n, T* a, int64_t lda, const int* ipiv);
// Solves op(A) x = b for triangular A ('L'/'U', 'N'/'T', 'N'/'U' for a unit diagonal).
template <class T>
int trtrs(char uplo, char trans, char diag, int64_t n, int64_t nrhs, const T* a, int64_t lda, T* b,
          int64_t ldb);
// Solves A x = b for symmetric A (its `uplo` triangle) by Bunch-Kaufman; a is overwritten.
template <class T>
int sysv(char uplo, int64_t n, int64_t nrhs, T* a, int64_t lda, T* b, int64_t ldb);
// Eigenvalues (ascending, into w) and, with jobz 'V', eigenvectors (into a) of the `uplo`
// triangle of a symmetric matrix (divide and conquer).
template <class T>
int syevd(char jobz, char uplo, int64_t n, T* a, int64_t lda, T* w);
// Singular value decomposition by divide and conquer (jobz 'A', 'S' or 'N'); a is destroyed.
template <class T>
int gesdd(char jobz, int64_t m, int64_t n, T* a, int64_t lda, T* s, T* u, int64_t ldu, T* vt,
          int64_t ldvt);
// QR factorization (R in the upper triangle, Householder reflectors below and in tau).
template <class T>
int geqrf(int64_t m, int64_t n, T* a, int64_t lda, T* tau);
// The first n columns of Q (m x n) from geqrf's k reflectors, in place.
template <class T>
int orgqr(int64_t m, int64_t n, int64_t k, T* a, int64_t lda, const T* tau);
// Eigenvalues (wr + i wi) and, with jobvr 'V', right eigenvectors of a general matrix (LAPACK's
// packed real form for complex pairs); a is destroyed.
template <class T>
int geev(char jobvr, int64_t n, T* a, int64_t lda, T* wr, T* wi, T* vr, int64_t ldvr);

}  // namespace theon::lapack
