// NVRTC, found in libnvrtc at run time (dlopen): compiles kernels of the dialect to PTX or to
// device code. It needs no driver and no GPU.
#pragma once

#include <nvrtc.h>

#include <string>

namespace theon::device::cuda {

#define THEON_NVRTC_FUNCTIONS(X) \
  X(nvrtcVersion)                \
  X(nvrtcGetErrorString)         \
  X(nvrtcGetNumSupportedArchs)   \
  X(nvrtcGetSupportedArchs)      \
  X(nvrtcCreateProgram)          \
  X(nvrtcDestroyProgram)         \
  X(nvrtcCompileProgram)         \
  X(nvrtcGetProgramLogSize)      \
  X(nvrtcGetProgramLog)          \
  X(nvrtcGetPTXSize)             \
  X(nvrtcGetPTX)                 \
  X(nvrtcGetCUBINSize)           \
  X(nvrtcGetCUBIN)

struct Nvrtc {
#define THEON_NVRTC_MEMBER(name) decltype(&::name) name = nullptr;
  THEON_NVRTC_FUNCTIONS(THEON_NVRTC_MEMBER)
#undef THEON_NVRTC_MEMBER
};

// The loaded library; throws DeviceError "NVRTC is unavailable: ..." when it cannot be found.
const Nvrtc& nvrtc();

// What the compiler makes: PTX (loaded by any newer driver) or device code for one architecture.
enum class CodeKind : unsigned char { Ptx, Cubin };

// The compiled kernel `name` of `source` (the prelude already prepended) for compute capability
// `arch` (e.g. 90), with IEEE semantics (no fast math). Throws DeviceError with NVRTC's log and
// the source when it fails, or when the result has no kernel `name`.
std::string compile(const std::string& source, const std::string& name, int arch, CodeKind kind);

// The newest architecture NVRTC compiles for that a device of compute capability `arch` runs,
// or 0 when NVRTC supports none that old.
int supported_arch(int arch);

}  // namespace theon::device::cuda
