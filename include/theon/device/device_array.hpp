// DeviceArray: an n-d array in device memory, the Value Object that device kernels read and
// write. Like NDArray it is a strided view over a shared buffer, but its strides and offset
// count elements, not bytes: kernels index typed pointers, so every access stays aligned.
#pragma once

#include <memory>
#include <string>

#include "theon/core/ndarray.hpp"
#include "theon/core/value.hpp"
#include "theon/device/runtime.hpp"

namespace theon::device {

class DeviceArray final : public Object {
 public:
  DeviceArray(std::shared_ptr<DeviceBuffer> buffer, DType dtype, Shape shape,
              std::vector<int64_t> strides, int64_t offset);
  // A C-contiguous array with uninitialized contents; `what` names the op for size errors.
  static std::shared_ptr<DeviceArray> empty(Device device, DType dtype, Shape shape,
                                            const std::string& what = "");
  // A copy of `host` on `device`.
  static std::shared_ptr<DeviceArray> from_host(const NDArray& host, Device device);
  // A C-contiguous host copy.
  NDArray to_host() const;

  std::string kind() const override;
  Device device() const override;
  size_t nbytes() const override;

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int ndim() const { return static_cast<int>(shape_.size()); }
  int64_t size() const { return shape_size(shape_); }
  const std::vector<int64_t>& strides() const { return strides_; }  // in elements
  int64_t offset() const { return offset_; }                        // in elements
  const std::shared_ptr<DeviceBuffer>& buffer() const { return buffer_; }
  DeviceRuntime& runtime() const { return buffer_->runtime(); }
  bool is_c_contiguous() const;

 private:
  std::shared_ptr<DeviceBuffer> buffer_;
  DType dtype_;
  Shape shape_;
  std::vector<int64_t> strides_;
  int64_t offset_;
};

// The device array held by `v`; throws TypeError "<what>: expected an array on a device, got
// ..." otherwise.
const DeviceArray& device_array(const Value& v, const std::string& what);

// Element strides of a C-contiguous array of `shape`.
std::vector<int64_t> c_element_strides(const Shape& shape);

}  // namespace theon::device
