#include "nvrtc.hpp"

#include <cuda.h>  // CUDA_VERSION

#include <memory>
#include <vector>

#include "../library_loader.hpp"
#include "theon/device/cuda.hpp"
#include "theon/device/dialect.hpp"

namespace theon::device::cuda {
namespace {

Nvrtc load() {
  // The toolkit's own major version first, then whichever libnvrtc.so is installed.
  std::string reasons;
  void* lib =
      open_library({"libnvrtc.so." + std::to_string(CUDA_VERSION / 1000), "libnvrtc.so"}, reasons);
  if (!lib) {
    throw DeviceError("NVRTC is unavailable: libnvrtc could not be loaded (" + reasons +
                      "); install the CUDA toolkit's runtime compiler");
  }
  Nvrtc n;
  auto bind = [&](auto& fn, const char* name) {
    if (!bind_symbol(lib, fn, name)) {
      throw DeviceError(std::string("NVRTC is unavailable: libnvrtc lacks ") + name);
    }
  };
#define THEON_NVRTC_BIND(name) bind(n.name, #name);
  THEON_NVRTC_FUNCTIONS(THEON_NVRTC_BIND)
#undef THEON_NVRTC_BIND
  return n;
}

void check(nvrtcResult code, const std::string& what) {
  if (code != NVRTC_SUCCESS) {
    throw DeviceError(what + " failed: " + nvrtc().nvrtcGetErrorString(code));
  }
}

// Reads one of the program's outputs (log, PTX, device code) with its size and get functions.
// The log and PTX are text whose size counts the terminating NUL: `text` drops it (std::string
// keeps one after its data for cuModuleLoadData).
template <class Size, class Get>
std::string program_output(nvrtcProgram program, Size size_of, Get get, const char* what,
                           bool text) {
  size_t size = 0;
  check(size_of(program, &size), what);
  std::string s(size, '\0');
  if (size > 0) check(get(program, s.data()), what);
  if (text && !s.empty() && s.back() == '\0') s.pop_back();
  return s;
}

}  // namespace

const Nvrtc& nvrtc() {
  return load_once(load);
}

int supported_arch(int arch) {
  const Nvrtc& n = nvrtc();
  int count = 0;
  check(n.nvrtcGetNumSupportedArchs(&count), "nvrtcGetNumSupportedArchs");
  std::vector<int> archs(static_cast<size_t>(count));
  if (count > 0) check(n.nvrtcGetSupportedArchs(archs.data()), "nvrtcGetSupportedArchs");
  int best = 0;
  for (int a : archs) {
    if (a <= arch && a > best) best = a;
  }
  return best;
}

std::string compile(const std::string& source, const std::string& name, int arch, CodeKind kind) {
  const Nvrtc& n = nvrtc();
  const std::string target = (kind == CodeKind::Cubin ? "sm_" : "compute_") + std::to_string(arch);
  const std::string file = name + ".cu";
  nvrtcProgram program = nullptr;
  check(n.nvrtcCreateProgram(&program, source.c_str(), file.c_str(), 0, nullptr, nullptr),
        "nvrtcCreateProgram for kernel " + name);
  const std::unique_ptr<nvrtcProgram, void (*)(nvrtcProgram*)> destroy(
      &program, [](nvrtcProgram* p) { nvrtc().nvrtcDestroyProgram(p); });
  // No fast math: kernels keep IEEE semantics for NaN, infinities, -0.0 and rounding, as on the
  // host. Warning 177 (a prelude function the kernel does not call) would bury real errors.
  const std::string arch_option = "--gpu-architecture=" + target;
  const char* options[] = {arch_option.c_str(),  "-default-device",  "--ftz=false",
                           "--prec-div=true",    "--prec-sqrt=true", "--fmad=false",
                           "--diag-suppress=177"};
  const nvrtcResult status =
      n.nvrtcCompileProgram(program, static_cast<int>(std::size(options)), options);
  const std::string failed = "compiling CUDA kernel " + name + " for " + target + " failed: ";
  if (status != NVRTC_SUCCESS) {
    const std::string log = program_output(program, n.nvrtcGetProgramLogSize, n.nvrtcGetProgramLog,
                                           "nvrtcGetProgramLog", true);
    throw DeviceError(failed + n.nvrtcGetErrorString(status) + "\nbuild log:\n" + log +
                      "\nsource:\n" + source);
  }
  if (kind == CodeKind::Cubin) {
    return program_output(program, n.nvrtcGetCUBINSize, n.nvrtcGetCUBIN, "nvrtcGetCUBIN", false);
  }
  std::string ptx = program_output(program, n.nvrtcGetPTXSize, n.nvrtcGetPTX, "nvrtcGetPTX", true);
  // Kernels are extern "C", so a missing entry is a wrong name, never mangling.
  if (ptx.find(".entry " + name + "(") == std::string::npos) {
    throw DeviceError(failed + "the source defines no kernel named " + name + "\nsource:\n" +
                      source);
  }
  return ptx;
}

std::string compile_to_ptx(const std::string& source, const std::string& name,
                           int compute_capability) {
  return compile(std::string(kPrelude) + source, name, compute_capability, CodeKind::Ptx);
}

}  // namespace theon::device::cuda
