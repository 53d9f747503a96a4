#include "driver_api.hpp"

#include <dlfcn.h>

#include <mutex>
#include <type_traits>

#include "theon/device/runtime.hpp"

namespace theon::device::cuda {
namespace {

// The symbol a name of cuda.h stands for, after its versioning macros.
#define THEON_CU_SYMBOL(name) THEON_CU_STRING(name)
#define THEON_CU_STRING(name) #name

Driver load() {
  void* lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char* e = dlerror();
    throw DeviceError(std::string("the CUDA driver (libcuda.so.1) was not found: ") +
                      (e ? e : "dlopen failed") + "; install the NVIDIA driver");
  }
  Driver d;
  auto bind = [&](auto& fn, const char* name) {
    void* sym = dlsym(lib, name);
    if (!sym) {
      throw DeviceError(std::string("the CUDA driver (libcuda.so.1) lacks ") + name +
                        "; it is older than the CUDA toolkit Theon was built with");
    }
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(sym);
  };
#define THEON_CU_BIND(name) bind(d.name, THEON_CU_SYMBOL(name));
  THEON_CU_FUNCTIONS(THEON_CU_BIND)
#undef THEON_CU_BIND
  return d;
}

}  // namespace

const Driver& driver() {
  // Loaded once; a failure is reported again on every later call (the machine will not change).
  static std::once_flag once;
  static Driver loaded;
  static std::string failure;
  std::call_once(once, [] {
    try {
      loaded = load();
    } catch (const Error& e) {
      failure = e.what();
    }
  });
  if (!failure.empty()) throw DeviceError(failure);
  return loaded;
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
