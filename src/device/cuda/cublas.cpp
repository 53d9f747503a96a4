#include "cublas.hpp"

#include <cuda.h>  // CUDA_VERSION

#include "../library_loader.hpp"

namespace theon::device::cuda {
namespace {

// The symbol a name of cublas_v2.h stands for, after its versioning macros.
#define THEON_CUBLAS_SYMBOL(name) THEON_CUBLAS_STRING(name)
#define THEON_CUBLAS_STRING(name) #name

Cublas load() {
  std::string reasons;
  void* lib = open_library({"libcublas.so." + std::to_string(CUDA_VERSION / 1000), "libcublas.so"},
                           reasons);
  if (!lib) throw DeviceError(reasons);
  Cublas c;
  auto bind = [&](auto& fn, const char* name) {
    if (!bind_symbol(lib, fn, name)) throw DeviceError(std::string("libcublas lacks ") + name);
  };
#define THEON_CUBLAS_BIND(name) bind(c.name, THEON_CUBLAS_SYMBOL(name));
  THEON_CUBLAS_FUNCTIONS(THEON_CUBLAS_BIND)
#undef THEON_CUBLAS_BIND
  return c;
}

}  // namespace

const Cublas* cublas(std::string* why) {
  try {
    return &load_once(load);
  } catch (const Error& e) {
    if (why) *why = e.what();
    return nullptr;
  }
}

}  // namespace theon::device::cuda
