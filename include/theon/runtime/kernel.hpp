// Kernels: what runs one node of a linked program on one device. The linker asks a registry
// keyed by (op type name, device kind) for each node's kernel; on the CPU the default is the
// op's own `perform` (its reference kernel). Generated loops, device kernels and library calls
// register here, so a backend adds kernels without touching the ops.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "theon/core/device.hpp"
#include "theon/core/ndarray.hpp"
#include "theon/core/value.hpp"

namespace theon {

class Apply;

class Kernel {
 public:
  virtual ~Kernel() = default;
  // Whether the kernel works on host arrays (run) or on any value (run_values): device
  // arrays, sparse matrices, generator states.
  virtual bool takes_values() const { return false; }
  // Same contract as Op::perform: `outputs` arrives sized, possibly holding last call's arrays.
  virtual void run(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const;
  virtual void run_values(const std::vector<Value>& inputs, std::vector<Value>& outputs) const;
  // Where the code comes from, for the profiler and messages: "perform", "generated", ...
  virtual std::string origin() const = 0;
  // True when this kernel is the op's own perform; DebugMode checks every other kernel
  // against perform.
  virtual bool is_reference() const { return false; }
};

// The op's perform, called directly.
class PerformKernel final : public Kernel {
 public:
  explicit PerformKernel(const Apply& node);
  void run(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::string origin() const override { return "perform"; }
  bool is_reference() const override { return true; }

 private:
  const Apply& node_;
};

// Builds the kernel of `node`, or returns null to decline (a dtype it does not handle, say),
// in which case the next choice is taken.
using KernelFactory = std::function<std::unique_ptr<Kernel>(const Apply& node)>;

// Later registrations for the same key are tried first.
void register_kernel(const std::string& op_type_name, DeviceKind device, KernelFactory factory);
// What runs a node on a device of `device` kind when no registered factory accepts it (the
// device layer registers one that runs the op on the host with copies to and from the device).
void register_fallback_kernel(DeviceKind device, KernelFactory factory);
// The kernel for `node` on `device`: the newest registered factory that accepts it, else on
// the CPU the op's perform, else the device's fallback. Throws NotImplementedError naming the op
// and the device when a device has no kernel for it.
std::unique_ptr<Kernel> make_kernel(const Apply& node, Device device);

}  // namespace theon
