#include "theon/device/shared.hpp"

#include "theon/compile/shared.hpp"
#include "theon/core/error.hpp"
#include "theon/device/device_array.hpp"

namespace theon::device {
namespace {

// The mismatch between `value` and the variable's type with its device set aside ("" if none).
std::string host_mismatch(const Type& type, const NDArray& value) {
  return type.on(Device{}).value_mismatch(Value(value));
}

}  // namespace

Var shared_on_device(const NDArray& value, Device target, const std::string& name,
                     std::optional<StaticShape> shape) {
  if (target.is_cpu()) throw ValueError("shared '" + name + "': the target is the host (cpu)");
  const Type type =
      TensorType(value.dtype(), shape.value_or(StaticShape(value.ndim(), kUnknownDim))).on(target);
  if (const std::string m = host_mismatch(type, value); !m.empty()) {
    throw ValueError("shared '" + name + "' on " + target.str() + ": " + m);
  }
  return shared_object(DeviceArray::from_host(value, target), name, type);
}

NDArray get_device_value(const Var& v) {
  return device_array(Value(get_object(v)), "get_value of shared variable '" + v->name + "'")
      .to_host();
}

void set_device_value(const Var& v, const NDArray& value) {
  if (const std::string m = host_mismatch(v->type, value); !m.empty()) {
    throw TypeError("set_value of shared variable '" + v->name + "' on " + v->type.device.str() +
                    ": " + m);
  }
  set_object(v, DeviceArray::from_host(value, v->type.device));
}

}  // namespace theon::device
