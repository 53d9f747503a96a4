// Internal helpers for the few hand-written kernels whose loops must run on wide vectors. The
// library is built for the baseline x86-64 (128-bit vectors, no variable shifts or gathers):
// functions marked THEON_VECTOR_CLONES are compiled also for AVX2 and AVX-512 machines, the
// loader picking one once.
#pragma once

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
