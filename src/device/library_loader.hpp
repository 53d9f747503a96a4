// Run-time loading of the device backends' libraries (dlopen), shared by the OpenCL and CUDA
// backends: Theon builds against their headers alone and imports on machines without them.
#pragma once

#include <dlfcn.h>

#include <mutex>
#include <string>
#include <vector>

#include "theon/device/runtime.hpp"

namespace theon::device {

// The first of `names` that dlopen loads, or null; `reasons` then holds dlerror's messages.
void* open_library(const std::vector<std::string>& names, std::string& reasons);

// Points `fn` at the symbol `name` of `lib`; false when `lib` lacks it.
template <class Fn>
bool bind_symbol(void* lib, Fn& fn, const char* name) {
  fn = reinterpret_cast<Fn>(dlsym(lib, name));
  return fn != nullptr;
}

// The table of entry points `load` returns (it throws an Error saying why it cannot), loaded
// once per process and Table type; a failure is thrown again on every later call, as the
// machine will not change.
template <class Table>
const Table& load_once(Table (*load)()) {
  static std::once_flag once;
  static Table loaded;
  static std::string failure;
  std::call_once(once, [load] {
    try {
      loaded = load();
    } catch (const Error& e) {
      failure = e.what();
    }
  });
  if (!failure.empty()) throw DeviceError(failure);
  return loaded;
}

}  // namespace theon::device
