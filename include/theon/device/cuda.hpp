// What of the CUDA backend works without a GPU: compiling a kernel of the dialect with NVRTC.
// Tests use it to check that every kernel Theon generates is valid CUDA on machines with the
// toolkit but no driver.
#pragma once

#include <string>

namespace theon::device::cuda {

// The PTX of kernel `name` of `source` (the dialect prelude prepended, as DeviceRuntime::kernel
// does) for compute capability `compute_capability` (e.g. 90 for 9.0), compiled with the options
// the runtime uses. Throws DeviceError with NVRTC's log and the source when compiling fails, or
// saying why when NVRTC cannot be loaded or this build has no CUDA backend.
std::string compile_to_ptx(const std::string& source, const std::string& name,
                           int compute_capability);

}  // namespace theon::device::cuda
