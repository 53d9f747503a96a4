#include "driver_api.hpp"

#include "../library_loader.hpp"

namespace theon::device::cuda {
namespace {

// The symbol a name of cuda.h stands for, after its versioning macros.
#define THEON_CU_SYMBOL(name) THEON_CU_STRING(name)
#define THEON_CU_STRING(name) #name

Driver load() {
  std::string reasons;
  void* lib = open_library({"libcuda.so.1"}, reasons);
  if (!lib) {
    throw DeviceError("the CUDA driver (libcuda.so.1) was not found: " + reasons +
                      "; install the NVIDIA driver");
  }
  Driver d;
  auto bind = [&](auto& fn, const char* name) {
    if (!bind_symbol(lib, fn, name)) {
      throw DeviceError(std::string("the CUDA driver (libcuda.so.1) lacks ") + name +
                        "; it is older than the CUDA toolkit Theon was built with");
    }
  };
#define THEON_CU_BIND(name) bind(d.name, THEON_CU_SYMBOL(name));
  THEON_CU_FUNCTIONS(THEON_CU_BIND)
#undef THEON_CU_BIND
  return d;
}

}  // namespace

const Driver& driver() {
  return load_once(load);
}

std::string error_name(CUresult code) {
  const char* name = nullptr;
  if (driver().cuGetErrorName(code, &name) != CUDA_SUCCESS || !name) {
    name = "an unknown CUDA error";
  }
  return std::string(name) + " (" + std::to_string(static_cast<int>(code)) + ")";
}

void check(CUresult code, const std::string& what) {
  if (code == CUDA_SUCCESS) return;
  const std::string message = what + " failed: " + error_name(code);
  if (code == CUDA_ERROR_OUT_OF_MEMORY) throw MemoryError(message);
  throw DeviceError(message);
}

}  // namespace theon::device::cuda
