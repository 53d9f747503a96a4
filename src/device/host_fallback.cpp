// Nodes on a device whose op has no device kernel run on the host: their device inputs are
// copied to the host, the op's reference kernel runs, and the outputs are copied back. The
// kernel's origin says so, so the profile shows where a graph leaves the device.
#include "theon/device/device_array.hpp"
#include "theon/device/kernels.hpp"
#include "theon/graph/op.hpp"
#include "theon/graph/variable.hpp"
#include "theon/runtime/kernel.hpp"

namespace theon::device {
namespace {

class HostFallbackKernel final : public Kernel {
 public:
  explicit HostFallbackKernel(const Apply& node) : node_(node) {}
  bool takes_values() const override { return true; }
  std::string origin() const override {
    return "host fallback (no " + node_.output_ref(0).type.device.str() + " kernel)";
  }

  void run_values(const std::vector<Value>& inputs, std::vector<Value>& outputs) const override {
    run_on_host(node_, inputs, outputs);
  }

 private:
  const Apply& node_;
};

// A node on a device that cannot be used here: graphs still compile (and serialize) on any
// machine; running one says why the device is unavailable.
class UnavailableDeviceKernel final : public Kernel {
 public:
  explicit UnavailableDeviceKernel(const Apply& node) : node_(node) {}
  bool takes_values() const override { return true; }
  std::string origin() const override { return "unavailable device"; }
  void run_values(const std::vector<Value>&, std::vector<Value>&) const override {
    runtime(node_.output_ref(0).type.device);  // throws the reason
    throw DeviceError(node_.op()->name() + ": device " + node_.output_ref(0).type.device.str() +
                      " became unavailable");
  }

 private:
  const Apply& node_;
};

}  // namespace

void run_on_host(const Apply& node, const std::vector<Value>& inputs, std::vector<Value>& outputs) {
  std::vector<Value> host(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const auto* a = dynamic_cast<const DeviceArray*>(inputs[i].object().get());
    host[i] = a ? Value(a->to_host()) : inputs[i];
  }
  std::vector<Value> results(outputs.size());
  node.op()->perform_values(host, results);
  for (size_t k = 0; k < outputs.size(); ++k) {
    const Device device = node.output_ref(static_cast<int>(k)).type.device;
    outputs[k] = results[k].is_array() && !device.is_cpu()
                     ? Value(DeviceArray::from_host(results[k].array(), device))
                     : std::move(results[k]);
  }
}

void register_host_fallback() {
  for (DeviceKind kind : {DeviceKind::OpenCL, DeviceKind::Cuda}) {
    register_fallback_kernel(kind, [](const Apply& node) -> std::unique_ptr<Kernel> {
      if (!device_available(node.output_ref(0).type.device)) {
        return std::make_unique<UnavailableDeviceKernel>(node);
      }
      return std::make_unique<HostFallbackKernel>(node);
    });
  }
}

void register_device_kernel(const std::string& op_type_name, KernelFactory factory) {
  // Declined on a device that cannot be used here, so that other backends' kernels for it are
  // not shadowed by these (nodes left without a kernel get the fallback's, which says why).
  auto on_usable_device = [factory](const Apply& node) -> std::unique_ptr<Kernel> {
    if (!device_available(node.output_ref(0).type.device)) return nullptr;
    return factory(node);
  };
  for (DeviceKind kind : {DeviceKind::OpenCL, DeviceKind::Cuda}) {
    register_kernel(op_type_name, kind, on_usable_device);
  }
}

void register_device_kernels() {
  register_host_fallback();
  register_elementwise_kernels();
  register_reduction_kernels();
  register_blas_kernels();
  register_nnet_kernels();
  register_copy_kernels();
  register_transfer_kernels();
  register_view_kernels();
  register_shape_kernels();
}

}  // namespace theon::device
