#include "clblast.hpp"

#include <dlfcn.h>

#include <mutex>

namespace theon::device::opencl {

const Clblast* clblast(std::string* why) {
  static std::once_flag once;
  static Clblast loaded;
  static bool ok = false;
  static std::string failure;
  std::call_once(once, [] {
    void* lib = nullptr;
    for (const char* name : {"libclblast.so.1", "libclblast.so"}) {
      if ((lib = dlopen(name, RTLD_NOW | RTLD_LOCAL))) break;
      const char* e = dlerror();
      failure += std::string(failure.empty() ? "" : "; ") + (e ? e : name);
    }
    if (!lib) return;
    loaded.sgemm = reinterpret_cast<ClblastGemm<float>>(dlsym(lib, "CLBlastSgemm"));
    loaded.dgemm = reinterpret_cast<ClblastGemm<double>>(dlsym(lib, "CLBlastDgemm"));
    ok = loaded.sgemm && loaded.dgemm;
    if (!ok) failure = "libclblast lacks CLBlastSgemm or CLBlastDgemm";
  });
  if (!ok && why) *why = failure;
  return ok ? &loaded : nullptr;
}

}  // namespace theon::device::opencl
