// The kernel dialect: one generated source compiles as OpenCL C and as CUDA C++. The prelude
// maps a few macros to each language (KERNEL, GLOBAL_MEM, GLOBAL_ID, DEVICE_FN, fixed-width
// integer names) and defines the scalar functions of the C expression table (theon_add,
// theon_maximum, ...) for float and double with the semantics of the host kernels
// (include/theon/ops/scalar_functions.hpp), so the CPU's expressions are reused verbatim.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace theon::device {

// Prepended to every kernel source by DeviceRuntime::kernel.
extern const char* const kPrelude;

// Whether the device prelude defines what the C expression of the scalar op `name` calls
// (device kernels are generated for float32, float64 and bool values).
bool device_scalar_op(const std::string& name);

// Kernel code that splits the flat index `index` into coordinates over `nd` dimensions of
// extents <extent>0, <extent>1, ... (the last varying fastest) and adds each coordinate times
// <stride>d to every (base, stride) pair's base variable: the strided walk of every kernel.
std::string add_offsets_source(const std::string& index, int nd, const std::string& extent,
                               const std::vector<std::pair<std::string, std::string>>& bases,
                               const std::string& indent);

}  // namespace theon::device
