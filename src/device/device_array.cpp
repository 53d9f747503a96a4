#include "theon/device/device_array.hpp"

#include <algorithm>

#include "theon/core/checked_size.hpp"
#include "theon/core/error.hpp"

namespace theon::device {

DeviceArray::DeviceArray(std::shared_ptr<DeviceBuffer> buffer, DType dtype, Shape shape,
                         std::vector<int64_t> strides, int64_t offset)
    : buffer_(std::move(buffer)),
      dtype_(dtype),
      shape_(std::move(shape)),
      strides_(std::move(strides)),
      offset_(offset) {}

std::vector<int64_t> c_element_strides(const Shape& shape) {
  std::vector<int64_t> strides(shape.size());
  int64_t step = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    strides[d] = step;
    step *= std::max<int64_t>(shape[d], 1);
  }
  return strides;
}

std::shared_ptr<DeviceArray> DeviceArray::empty(Device device, DType dtype, Shape shape,
                                                const std::string& what) {
  const size_t bytes = checked_nbytes(shape, itemsize(dtype), what, dtype);
  std::vector<int64_t> strides = c_element_strides(shape);
  return std::make_shared<DeviceArray>(device::runtime(device).allocate(bytes), dtype,
                                       std::move(shape), std::move(strides), 0);
}

std::shared_ptr<DeviceArray> DeviceArray::from_host(const NDArray& host, Device device) {
  NDArray c = host.is_c_contiguous() ? host : host.copy();
  auto out = empty(device, c.dtype(), c.shape());
  out->runtime().copy_to_device(*out->buffer_, 0, c.raw(), c.nbytes());
  return out;
}

bool DeviceArray::is_c_contiguous() const {
  int64_t step = 1;
  for (size_t d = shape_.size(); d-- > 0;) {
    if (shape_[d] != 1 && strides_[d] != step) return false;
    step *= shape_[d];
  }
  return true;
}

NDArray DeviceArray::to_host() const {
  const size_t item = itemsize(dtype_);
  if (size() == 0 || is_c_contiguous()) {
    NDArray out = NDArray::empty(dtype_, shape_);
    runtime().copy_to_host(out.raw(), *buffer_, static_cast<size_t>(offset_) * item, out.nbytes());
    return out;
  }
  // A strided view: copy the span it covers, then gather on the host.
  int64_t lo = offset_, hi = offset_;
  for (int d = 0; d < ndim(); ++d) {
    const int64_t reach = (shape_[d] - 1) * strides_[d];
    (reach < 0 ? lo : hi) += reach;
  }
  const size_t span = static_cast<size_t>(hi - lo + 1);
  NDArray flat = NDArray::empty(dtype_, {static_cast<int64_t>(span)});
  runtime().copy_to_host(flat.raw(), *buffer_, static_cast<size_t>(lo) * item, span * item);
  Strides bytes(strides_.size());
  for (size_t d = 0; d < bytes.size(); ++d) bytes[d] = strides_[d] * static_cast<int64_t>(item);
  return NDArray::wrap(flat.buffer(), flat.raw() + (offset_ - lo) * item, dtype_, shape_, bytes,
                       false)
      .copy();
}

std::string DeviceArray::kind() const {
  return std::string(dtype_name(dtype_)) + " array of shape " + shape_str(shape_) + " on " +
         device().str();
}

Device DeviceArray::device() const {
  return buffer_->runtime().device();
}

size_t DeviceArray::nbytes() const {
  return static_cast<size_t>(size()) * itemsize(dtype_);
}

const DeviceArray& device_array(const Value& v, const std::string& what) {
  const auto* a = dynamic_cast<const DeviceArray*>(v.object().get());
  if (!a) throw TypeError(what + ": expected an array on a device, got " + v.describe());
  return *a;
}

}  // namespace theon::device
