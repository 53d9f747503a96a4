// Views on a device: DimShuffle, Subtensor (basic indexing: slices and integers) and Reshape
// give a DeviceArray over the same buffer with new shape and strides, no copy and no launch (a
// reshape of a strided array copies it in C order first). Subtensor's geometry is the host
// kernel's own plan (computed on the array's shape and strides in bytes, with the index values
// on the host), so bounds, negative steps and index errors are exactly the host's. A reshape
// whose shape does not fit runs on the host, which raises the error.
#include <optional>

#include "../ops/subtensor/subtensor_detail.hpp"
#include "fused_source.hpp"
#include "theon/device/kernels.hpp"
#include "theon/ops/shape.hpp"
#include "theon/ops/subtensor.hpp"
#include "theon/runtime/kernel.hpp"

namespace theon::device {
namespace {

class ViewKernel final : public Kernel {
 public:
  explicit ViewKernel(const Apply& node) : node_(node) {}
  bool takes_values() const override { return true; }
  std::string origin() const override { return "device view"; }

  void run_values(const std::vector<Value>& inputs, std::vector<Value>& outputs) const override {
    const std::string what = node_.op()->name();
    const DeviceInputs in = device_inputs({inputs[0]}, node_.output_ref(0).type.device, what);
    const DeviceArray& x = *in.arrays[0];
    if (const auto* ds = dynamic_cast<const DimShuffle*>(node_.op().get())) {
      Shape shape;
      std::vector<int64_t> strides;
      for (int64_t axis : ds->pattern()) {
        shape.push_back(axis == kNewAxis ? 1 : x.shape()[static_cast<size_t>(axis)]);
        strides.push_back(axis == kNewAxis ? 0 : x.strides()[static_cast<size_t>(axis)]);
      }
      outputs[0] = Value(std::make_shared<DeviceArray>(x.buffer(), x.dtype(), std::move(shape),
                                                       std::move(strides), x.offset()));
      return;
    }
    if (const auto* sub = dynamic_cast<const Subtensor*>(node_.op().get())) {
      outputs[0] = Value(subtensor_view(*sub, x, inputs));
      return;
    }
    const std::optional<Shape> shape = reshape_target(x, inputs[1]);
    if (!shape || shape_size(*shape) != x.size()) return run_on_host(node_, inputs, outputs);
    if (x.is_c_contiguous()) {
      outputs[0] = Value(std::make_shared<DeviceArray>(x.buffer(), x.dtype(), *shape,
                                                       c_element_strides(*shape), x.offset()));
      return;
    }
    // A strided array is first copied in C order.
    auto copy = DeviceArray::empty(x.device(), x.dtype(), x.shape(), node_.op()->name());
    copy_into(*copy, x);
    outputs[0] = Value(std::make_shared<DeviceArray>(copy->buffer(), x.dtype(), *shape,
                                                     c_element_strides(*shape), 0));
  }

 private:
  static std::shared_ptr<DeviceArray> subtensor_view(const Subtensor& op, const DeviceArray& x,
                                                     const std::vector<Value>& inputs) {
    const int64_t item = static_cast<int64_t>(itemsize(x.dtype()));
    Strides bytes;
    for (int64_t st : x.strides()) bytes.push_back(st * item);
    std::vector<NDArray> in{NDArray()};  // x's values are not read, only its geometry
    for (size_t i = 1; i < inputs.size(); ++i) {
      in.push_back(inputs[i].is_array() ? inputs[i].array()
                                        : device_array(inputs[i], op.name()).to_host());
    }
    const subtensor_detail::Plan plan =
        subtensor_detail::make_plan(op, op.spec(), x.shape(), bytes, in, 1);
    std::vector<int64_t> strides;
    for (int64_t st : plan.rest_strides) strides.push_back(st / item);
    return std::make_shared<DeviceArray>(x.buffer(), x.dtype(), plan.rest_shape, std::move(strides),
                                         x.offset() + plan.base / item);
  }

  // The shape asked for, with one -1 resolved from x's size; none when it cannot be resolved
  // (the host's kernel then raises its error).
  static std::optional<Shape> reshape_target(const DeviceArray& x, const Value& shape_value) {
    const NDArray s = shape_value.is_array()
                          ? shape_value.array()
                          : device_array(shape_value, "Reshape: the shape").to_host();
    Shape shape;
    int64_t known = 1, unknown = -1;
    for (int64_t i = 0; i < s.size(); ++i) {
      const int64_t d = static_cast<int64_t>(s.flat_as_double(i));
      if (d == -1 && unknown < 0) {
        unknown = i;
      } else if (d < 0) {
        return std::nullopt;
      } else if (__builtin_mul_overflow(known, d, &known)) {
        return std::nullopt;
      }
      shape.push_back(d);
    }
    if (unknown >= 0) {
      if (known == 0 || x.size() % known != 0) return std::nullopt;
      shape[static_cast<size_t>(unknown)] = x.size() / known;
    }
    return shape;
  }

  const Apply& node_;
};

std::unique_ptr<Kernel> make_view(const Apply& node) {
  if (!node.inputs()[0]->type.is_tensor()) return nullptr;
  return std::make_unique<ViewKernel>(node);
}

}  // namespace

void register_view_kernels() {
  register_device_kernel("DimShuffle", make_view);
  register_device_kernel("Reshape", make_view);
  register_device_kernel("Subtensor", make_view);
}

}  // namespace theon::device
