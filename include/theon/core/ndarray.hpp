// NDArray: a strided view (dtype, shape, byte strides) over a reference-counted buffer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "theon/core/dtype.hpp"

namespace theon {

using Shape = std::vector<int64_t>;
using Strides = std::vector<int64_t>;  // in bytes

int64_t shape_size(const Shape& shape);
std::string shape_str(const Shape& shape);  // "(3, 4)" as NumPy prints it
Strides c_strides(const Shape& shape, size_t itemsize);

// Where fresh buffers come from. The VM installs a pooling allocator while it runs so that
// intermediates of one call are reused by later nodes and later calls.
class BufferAllocator {
 public:
  virtual ~BufferAllocator() = default;
  virtual std::shared_ptr<void> allocate(size_t bytes) = 0;
};
std::shared_ptr<void> allocate_buffer(size_t bytes);        // through the current allocator
std::shared_ptr<void> allocate_buffer_fresh(size_t bytes);  // always new, 64-byte aligned
// Installs `alloc` as the current thread's allocator for the lifetime of the guard.
class AllocatorScope {
 public:
  explicit AllocatorScope(BufferAllocator* alloc);
  ~AllocatorScope();
  AllocatorScope(const AllocatorScope&) = delete;
  AllocatorScope& operator=(const AllocatorScope&) = delete;

 private:
  BufferAllocator* previous_;
};

class NDArray {
 public:
  NDArray() = default;
  // A C-contiguous array with uninitialized contents.
  static NDArray empty(DType dtype, Shape shape);
  static NDArray zeros(DType dtype, Shape shape);
  // Wraps memory owned elsewhere; `owner` keeps it alive.
  static NDArray wrap(std::shared_ptr<void> owner, void* data, DType dtype, Shape shape,
                      Strides strides, bool writeable = true);
  template <class T>
  static NDArray scalar(T value) {
    NDArray a = empty(dtype_of<T>(), {});
    *a.data<T>() = value;
    return a;
  }
  template <class T>
  static NDArray from_vector(const std::vector<T>& values, Shape shape);

  DType dtype() const { return dtype_; }
  int ndim() const { return static_cast<int>(shape_.size()); }
  const Shape& shape() const { return shape_; }
  int64_t shape(int i) const { return shape_[i]; }
  const Strides& strides() const { return strides_; }
  int64_t size() const { return shape_size(shape_); }
  size_t nbytes() const { return static_cast<size_t>(size()) * itemsize(dtype_); }
  bool defined() const { return buffer_ != nullptr; }
  bool writeable() const { return writeable_; }
  bool is_c_contiguous() const;

  char* raw() const { return data_; }
  template <class T>
  T* data() const {
    return reinterpret_cast<T*>(data_);
  }
  // Element `index` of a C-order traversal, converted to double (for tests and printing).
  double flat_as_double(int64_t index) const;
  const std::shared_ptr<void>& buffer() const { return buffer_; }
  // True when both arrays keep the same buffer alive (one may be a view of the other).
  bool shares_buffer_with(const NDArray& other) const;

  // A view with new geometry over the same buffer.
  NDArray view(char* data, Shape shape, Strides strides) const;
  NDArray reshaped_view(Shape shape) const;  // requires C-contiguous
  NDArray copy() const;                      // C-contiguous deep copy
  NDArray astype(DType dtype) const;         // always a new C-contiguous array
  void copy_from(const NDArray& src);        // same shape; converts dtype
  NDArray broadcast_to(const Shape& shape) const;
  // Makes this the undefined array NDArray() is, keeping the capacity of its shape and strides,
  // so that a later assignment into it allocates nothing: for argument lists reused per node.
  void clear();

 private:
  std::shared_ptr<void> buffer_;
  char* data_ = nullptr;
  DType dtype_ = DType::Float64;
  Shape shape_;
  Strides strides_;
  bool writeable_ = true;
};

template <class T>
NDArray NDArray::from_vector(const std::vector<T>& values, Shape shape) {
  NDArray a = empty(dtype_of<T>(), std::move(shape));
  for (size_t i = 0; i < values.size() && static_cast<int64_t>(i) < a.size(); ++i) {
    a.data<T>()[i] = values[i];
  }
  return a;
}

// NumPy broadcasting of shapes; throws ValueError naming `context` on mismatch.
Shape broadcast_shapes(const std::vector<Shape>& shapes, const std::string& context);

}  // namespace theon
