// The kernel dialect: one generated source compiles as OpenCL C and as CUDA C++. The prelude
// maps a few macros to each language (KERNEL, GLOBAL_MEM, GLOBAL_ID, DEVICE_FN, fixed-width
// integer names) and defines the scalar functions of the C expression table (theon_add,
// theon_maximum, ...) for float and double with the semantics of the host kernels
// (include/theon/ops/scalar_functions.hpp), so the CPU's expressions are reused verbatim.
#pragma once

#include <string>

namespace theon::device {

// Prepended to every kernel source by DeviceRuntime::kernel.
extern const char* const kPrelude;

// Whether the device prelude defines what the C expression of the scalar op `name` calls
// (device kernels are generated for float32 and float64 values only).
bool device_scalar_op(const std::string& name);

}  // namespace theon::device
