// The parts of generated device kernels that the elementwise and reduction kernels share: which
// Fused trees a device computes, and the statements computing a tree's values per element,
// from the same C expression table as the CPU's generated kernels.
#pragma once

#include <memory>
#include <string>

#include "theon/device/device_array.hpp"
#include "theon/graph/op.hpp"
#include "theon/ops/fused.hpp"

namespace theon::device {

// The most work items a kernel is launched with: enough to fill a device; each loops over the
// rest of its elements or rows.
constexpr int64_t kMaxWorkItems = int64_t{1} << 20;

// Device kernels compute float32 and float64 values; elementwise kernels also bool (masks, one
// byte per element, as on the host).
bool device_float(DType d);
bool device_elementwise_dtype(DType d);
// The dialect's type of a float or bool dtype: "float", "double" or "theon_bool".
const char* device_type(DType d);

// The node's op as a Fused tree: a Fused op itself, an Elemwise as a tree of one step, Fill as
// a tree of no step whose output is its value input; null for other ops.
std::shared_ptr<const Fused> as_fused(const Apply& node);

// Whether every input, step and value of `op` is a float or bool the prelude computes.
bool device_steps(const Fused& op);

// Statements (one per line, each starting with `indent`) that load input i from
// p<first + i>[at<first + i>] into v<i> and compute every step's value v<nin + j>.
std::string emit_values(const Fused& op, int first, const std::string& indent);

// A kernel's inputs as device arrays. Host arrays among them (constants that rewrites built
// after placement) are copied to `device` for the call and kept alive in `uploaded`.
struct DeviceInputs {
  std::vector<const DeviceArray*> arrays;
  std::vector<std::shared_ptr<DeviceArray>> uploaded;
};
DeviceInputs device_inputs(const std::vector<Value>& inputs, Device device,
                           const std::string& what);

// The element strides of `a` read as an array of `nd` dimensions (right-aligned, NumPy's
// broadcasting): 0 along the dimensions where it broadcasts.
std::vector<int64_t> broadcast_strides(const DeviceArray& a, int nd);

// Copies src into dst (same dtype; src broadcast to dst's shape), both strided views
// (copy_kernels.cpp).
void copy_into(const DeviceArray& dst, const DeviceArray& src);

}  // namespace theon::device
