// Shape, Shape_i and Size of a device value, run by the host: they read the device array's
// shape, so a host node asking for a size never copies the array to the host. The op's own
// perform computes the result, on a host array that carries the shape and no elements.
#include <algorithm>
#include <iterator>

#include "theon/device/device_array.hpp"
#include "theon/device/kernels.hpp"
#include "theon/graph/op.hpp"
#include "theon/graph/variable.hpp"
#include "theon/runtime/kernel.hpp"

namespace theon::device {
namespace {

class ShapeOfDeviceValue final : public Kernel {
 public:
  explicit ShapeOfDeviceValue(const Apply& node) : node_(node) {}
  bool takes_values() const override { return true; }
  std::string origin() const override { return "device shape"; }

  void run_values(const std::vector<Value>& inputs, std::vector<Value>& outputs) const override {
    std::vector<NDArray> results(outputs.size());
    node_.op()->perform({without_elements(inputs[0])}, results);
    for (size_t k = 0; k < outputs.size(); ++k) outputs[k] = Value(std::move(results[k]));
  }

 private:
  NDArray without_elements(const Value& v) const {
    const DeviceArray& a = device_array(v, node_.op()->name() + ": the input");
    return NDArray::wrap(nullptr, nullptr, a.dtype(), a.shape(),
                         c_strides(a.shape(), itemsize(a.dtype())), false);
  }

  const Apply& node_;
};

std::unique_ptr<Kernel> make_shape_of_device_value(const Apply& node) {
  if (node.inputs()[0]->type.device.is_cpu()) return nullptr;  // the op's perform
  return std::make_unique<ShapeOfDeviceValue>(node);
}

constexpr const char* kShapeOps[] = {"Shape", "Shape_i", "Size"};

}  // namespace

bool reads_only_shape(const std::string& op_type_name) {
  return std::find(std::begin(kShapeOps), std::end(kShapeOps), op_type_name) != std::end(kShapeOps);
}

void register_shape_kernels() {
  for (const char* op : kShapeOps) register_kernel(op, DeviceKind::Cpu, make_shape_of_device_value);
}

}  // namespace theon::device
