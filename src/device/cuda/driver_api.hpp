// The CUDA driver entry points Theon uses, found in libcuda at run time (dlopen), so that the
// library builds against the toolkit's headers alone and imports on machines without a driver.
#pragma once

#include <cuda.h>

#include <string>

namespace theon::device::cuda {

// cuda.h maps several names to versioned symbols (cuMemAlloc -> cuMemAlloc_v2): the table's
// members take the plain names, the loader looks up the symbols the macros expand to.
#define THEON_CU_FUNCTIONS(X) \
  X(cuInit)                   \
  X(cuGetErrorName)           \
  X(cuDeviceGetCount)         \
  X(cuDeviceGet)              \
  X(cuDeviceGetName)          \
  X(cuDeviceGetAttribute)     \
  X(cuDevicePrimaryCtxRetain) \
  X(cuCtxSetCurrent)          \
  X(cuStreamCreate)           \
  X(cuStreamSynchronize)      \
  X(cuMemAlloc)               \
  X(cuMemFree)                \
  X(cuMemcpyHtoDAsync)        \
  X(cuMemcpyDtoHAsync)        \
  X(cuMemcpyDtoDAsync)        \
  X(cuModuleLoadData)         \
  X(cuModuleGetFunction)      \
  X(cuModuleUnload)           \
  X(cuLaunchKernel)

struct Driver {
#define THEON_CU_MEMBER(name) decltype(&::name) name = nullptr;
  THEON_CU_FUNCTIONS(THEON_CU_MEMBER)
#undef THEON_CU_MEMBER
};

// The loaded driver; throws DeviceError "the CUDA driver (libcuda.so.1) was not found: ..."
// when libcuda or one of its functions cannot be found.
const Driver& driver();

// "CUDA_ERROR_OUT_OF_MEMORY (2)".
std::string error_name(CUresult code);
// Throws "`what` failed: CUDA_ERROR_... (n)" unless `code` is CUDA_SUCCESS: a MemoryError when
// the device is out of memory, else a DeviceError.
void check(CUresult code, const std::string& what);

}  // namespace theon::device::cuda
