// exp for hand-written kernels with loops of exp (include it only there: it declares the C
// library's exp functions to have vector variants for the whole file).
#pragma once

#include <cmath>

// exp with glibc's vector variants where libmvec is linked (THEON_LIBMVEC, CMakeLists.txt): a
// loop calling it in a THEON_VECTOR_CLONES function calls 8 or 16 lanes at once (within 4 ulp,
// as in the generated kernels); elsewhere the C library's scalar exp.
#if defined(THEON_LIBMVEC) && defined(__x86_64__) && defined(__GLIBC__)
extern "C" float expf(float) noexcept __attribute__((simd("notinbranch"), const));
extern "C" double exp(double) noexcept __attribute__((simd("notinbranch"), const));
#endif
namespace theon {
inline float vector_exp(float x) {
  return ::expf(x);
}
inline double vector_exp(double x) {
  return ::exp(x);
}
}  // namespace theon
