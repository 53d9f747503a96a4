// What a storage slot of a running program holds: a host array, or another kind of value
// (a device array, a sparse matrix, a random generator's state) behind the Object interface,
// which the backends and later op families implement.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "theon/core/device.hpp"
#include "theon/core/ndarray.hpp"

namespace theon {

class Object {
 public:
  virtual ~Object() = default;
  // What it is, for messages: "cuda array", "csr matrix", "generator state".
  virtual std::string kind() const = 0;
  virtual Device device() const { return Device{}; }
  // Memory it holds (the profiler's peak-memory count).
  virtual size_t nbytes() const = 0;
};

class Value {
 public:
  Value() = default;
  Value(NDArray array) : array_(std::move(array)) {}  // NOLINT: an array is a value
  Value(std::shared_ptr<const Object> object) : object_(std::move(object)) {}  // NOLINT

  // Assigning an array into a slot reuses the slot's storage for the array's geometry.
  Value& operator=(const NDArray& array) {
    array_ = array;
    object_ = nullptr;
    return *this;
  }
  Value& operator=(NDArray&& array) {
    array_ = std::move(array);
    object_ = nullptr;
    return *this;
  }

  bool defined() const { return array_.defined() || object_ != nullptr; }
  bool is_array() const { return array_.defined(); }
  // The host array (undefined when the value is an object or empty).
  const NDArray& array() const { return array_; }
  NDArray& array() { return array_; }
  NDArray take_array() { return std::move(array_); }
  const std::shared_ptr<const Object>& object() const { return object_; }
  // "float64 array of shape (2, 3)", or the object's kind.
  std::string describe() const;

 private:
  NDArray array_;
  std::shared_ptr<const Object> object_;
};

}  // namespace theon
