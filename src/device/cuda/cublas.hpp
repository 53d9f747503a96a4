// cuBLAS's gemm, found in libcublas at run time (dlopen) like libcuda, so that BLAS on a CUDA
// device is there where the library is installed and skipped (host BLAS) elsewhere.
#pragma once

#include <cublas_v2.h>

#include <string>

namespace theon::device::cuda {

// The 64-bit-size variants (cublasSgemm_64): no dimension of Theon's arrays needs narrowing.
#define THEON_CUBLAS_FUNCTIONS(X) \
  X(cublasCreate)                 \
  X(cublasSetStream)              \
  X(cublasGetStatusName)          \
  X(cublasSgemm_64)               \
  X(cublasDgemm_64)

struct Cublas {
#define THEON_CUBLAS_MEMBER(name) decltype(&::name) name = nullptr;
  THEON_CUBLAS_FUNCTIONS(THEON_CUBLAS_MEMBER)
#undef THEON_CUBLAS_MEMBER
};

// The loaded library, or null when it is absent (`why` then says what failed).
const Cublas* cublas(std::string* why = nullptr);

}  // namespace theon::device::cuda
