// The device kernels: registered with the linker's kernel registry for each device kind this
// build has a runtime for. The linker calls register_device_kernels once.
#pragma once

#include <string>
#include <vector>

#include "theon/core/value.hpp"
#include "theon/graph/variable.hpp"
#include "theon/runtime/kernel.hpp"

namespace theon::device {

void register_device_kernels();

// Registers `factory` for `op_type_name` on every GPU device kind (OpenCL, CUDA).
void register_device_kernel(const std::string& op_type_name, KernelFactory factory);

// Per family, each in its own file.
void register_elementwise_kernels();  // elementwise_kernel.cpp
void register_blas_kernels();         // blas_kernel.cpp
void register_copy_kernels();         // copy_kernels.cpp
void register_nnet_kernels();         // nnet_kernels.cpp
void register_reduction_kernels();    // reduction_kernel.cpp
void register_transfer_kernels();     // transfer_kernels.cpp
void register_view_kernels();         // view_kernels.cpp
void register_shape_kernels();        // shape_kernels.cpp

// Whether ops of this type read only their input's shape (Shape, Shape_i, Size): the host runs
// them on a device value without copying it (shape_kernels.cpp).
bool reads_only_shape(const std::string& op_type_name);
void register_host_fallback();  // host_fallback.cpp

// Runs `node`'s reference kernel on host copies of its inputs and copies the outputs to their
// device: the host fallback, also taken by device kernels for cases they leave to the host.
void run_on_host(const Apply& node, const std::vector<Value>& inputs, std::vector<Value>& outputs);

}  // namespace theon::device
