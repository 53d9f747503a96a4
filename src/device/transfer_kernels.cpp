// The kernels of Transfer: host to device (a copy into a fresh pool block), device to host (a
// C-contiguous host copy) and device to device (through the host, which works between any two
// runtimes).
#include "theon/device/device_array.hpp"
#include "theon/device/kernels.hpp"
#include "theon/graph/op.hpp"
#include "theon/graph/variable.hpp"
#include "theon/runtime/kernel.hpp"

namespace theon::device {
namespace {

class TransferKernel final : public Kernel {
 public:
  explicit TransferKernel(const Apply& node)
      : node_(node), target_(node.output_ref(0).type.device) {}
  bool takes_values() const override { return true; }
  std::string origin() const override { return "transfer"; }

  void run_values(const std::vector<Value>& inputs, std::vector<Value>& outputs) const override {
    const Value& x = inputs[0];
    const std::string what = node_.op()->name();
    NDArray host = x.is_array() ? x.array() : device_array(x, what + ": the input").to_host();
    if (target_.is_cpu()) {
      outputs[0] = std::move(host);
    } else {
      outputs[0] = Value(DeviceArray::from_host(host, target_));
    }
  }

 private:
  const Apply& node_;
  Device target_;
};

std::unique_ptr<Kernel> make_transfer(const Apply& node) {
  // Host to host is the op's own perform.
  if (node.inputs()[0]->type.device.is_cpu() && node.output_ref(0).type.device.is_cpu()) {
    return nullptr;
  }
  return std::make_unique<TransferKernel>(node);
}

}  // namespace

void register_transfer_kernels() {
  for (DeviceKind kind : {DeviceKind::Cpu, DeviceKind::OpenCL, DeviceKind::Cuda}) {
    register_kernel("Transfer", kind, make_transfer);
  }
}

}  // namespace theon::device
