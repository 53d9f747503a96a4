// Shared variables on a device: the value lives in device memory as a DeviceArray, functions
// read it there and their updates replace it there, so training loops copy nothing between
// calls. get and set copy to and from the host.
#pragma once

#include <optional>
#include <string>

#include "theon/core/device.hpp"
#include "theon/core/ndarray.hpp"
#include "theon/graph/variable.hpp"

namespace theon::device {

// A copy of `value` on `target` (a GPU); static shape as theon::shared's.
Var shared_on_device(const NDArray& value, Device target, const std::string& name = "",
                     std::optional<StaticShape> shape = std::nullopt);
// A host copy of a device shared variable's value.
NDArray get_device_value(const Var& shared_var);
// Replaces the value by a device copy of `value`, checked against the variable's dtype and
// static shape.
void set_device_value(const Var& shared_var, const NDArray& value);

}  // namespace theon::device
