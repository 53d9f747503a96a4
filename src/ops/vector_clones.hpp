// Internal helpers for the few hand-written kernels whose loops must run on wide vectors. The
// library is built for the baseline x86-64 (128-bit vectors, no variable shifts or gathers):
// functions marked THEON_VECTOR_CLONES are compiled also for AVX2 and AVX-512 machines, the
// loader picking one once.
#pragma once

#include <cmath>

#if defined(__x86_64__) && defined(__GNUC__)
#define THEON_VECTOR_CLONES \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define THEON_VECTOR_CLONES
#endif

// For templates called from a cloned function: inlined, they are compiled for its target.
#define THEON_INLINE inline __attribute__((always_inline))

// Before a loop whose writes its reads never overlap, when there are too many pointers for the
// compiler to check that at run time (it would otherwise leave the loop scalar).
#if defined(__clang__)
#define THEON_NO_ALIAS _Pragma("clang loop vectorize(assume_safety)")
#else
#define THEON_NO_ALIAS _Pragma("GCC ivdep")
#endif

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
