#include "clblast.hpp"

#include "../library_loader.hpp"

namespace theon::device::opencl {
namespace {

Clblast load() {
  std::string reasons;
  void* lib = open_library({"libclblast.so.1", "libclblast.so"}, reasons);
  if (!lib) throw DeviceError(reasons);
  Clblast c;
  if (!bind_symbol(lib, c.sgemm, "CLBlastSgemm") || !bind_symbol(lib, c.dgemm, "CLBlastDgemm")) {
    throw DeviceError("libclblast lacks CLBlastSgemm or CLBlastDgemm");
  }
  return c;
}

}  // namespace

const Clblast* clblast(std::string* why) {
  try {
    return &load_once(load);
  } catch (const Error& e) {
    if (why) *why = e.what();
    return nullptr;
  }
}

}  // namespace theon::device::opencl
