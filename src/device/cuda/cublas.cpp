#include "cublas.hpp"

#include <cuda.h>  // CUDA_VERSION
#include <dlfcn.h>

#include <mutex>
#include <type_traits>

namespace theon::device::cuda {
namespace {

// The symbol a name of cublas_v2.h stands for, after its versioning macros.
#define THEON_CUBLAS_SYMBOL(name) THEON_CUBLAS_STRING(name)
#define THEON_CUBLAS_STRING(name) #name

}  // namespace

const Cublas* cublas(std::string* why) {
  static std::once_flag once;
  static Cublas loaded;
  static bool ok = false;
  static std::string failure;
  std::call_once(once, [] {
    void* lib = nullptr;
    const std::string versioned = "libcublas.so." + std::to_string(CUDA_VERSION / 1000);
    for (const std::string& name : {versioned, std::string("libcublas.so")}) {
      if ((lib = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL))) break;
      const char* e = dlerror();
      failure += (failure.empty() ? "" : "; ") + (e ? std::string(e) : name);
    }
    if (!lib) return;
    ok = true;
    auto bind = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(lib, name));
      if (!fn) {
        failure = std::string("libcublas lacks ") + name;
        ok = false;
      }
    };
#define THEON_CUBLAS_BIND(name) bind(loaded.name, THEON_CUBLAS_SYMBOL(name));
    THEON_CUBLAS_FUNCTIONS(THEON_CUBLAS_BIND)
#undef THEON_CUBLAS_BIND
  });
  if (!ok && why) *why = failure;
  return ok ? &loaded : nullptr;
}

}  // namespace theon::device::cuda
