// The device kernels: registered with the linker's kernel registry for each device kind this
// build has a runtime for. The linker calls register_device_kernels once.
#pragma once

namespace theon::device {

void register_device_kernels();

// Per family, each in its own file.
void register_elementwise_kernels();  // elementwise_kernel.cpp
void register_reduction_kernels();    // reduction_kernel.cpp
void register_transfer_kernels();     // transfer_kernels.cpp
void register_host_fallback();        // host_fallback.cpp

}  // namespace theon::device
