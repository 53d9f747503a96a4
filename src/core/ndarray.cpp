#include "theon/core/ndarray.hpp"

#include <cstdlib>
#include <cstring>
#include <new>

#include "theon/core/checked_size.hpp"
#include "theon/core/error.hpp"
#include "theon/core/iterate.hpp"

namespace theon {
namespace {

thread_local BufferAllocator* current_allocator = nullptr;

}  // namespace

int64_t shape_size(const Shape& shape) {
  return checked_size(shape);
}

std::string shape_str(const Shape& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

Strides c_strides(const Shape& shape, size_t itemsize) {
  Strides st(shape.size());
  int64_t acc = static_cast<int64_t>(itemsize);
  for (int i = static_cast<int>(shape.size()) - 1; i >= 0; --i) {
    st[i] = acc;
    acc *= shape[i] > 0 ? shape[i] : 1;
  }
  return st;
}

std::shared_ptr<void> allocate_buffer_fresh(size_t bytes) {
  constexpr std::align_val_t kAlign{64};
  void* p = ::operator new(bytes ? bytes : 1, kAlign);
  return std::shared_ptr<void>(p, [](void* q) { ::operator delete (q, std::align_val_t{64}); });
}

std::shared_ptr<void> allocate_buffer(size_t bytes) {
  if (current_allocator) return current_allocator->allocate(bytes);
  return allocate_buffer_fresh(bytes);
}

AllocatorScope::AllocatorScope(BufferAllocator* alloc) : previous_(current_allocator) {
  current_allocator = alloc;
}
AllocatorScope::~AllocatorScope() {
  current_allocator = previous_;
}

void NDArray::clear() {
  buffer_.reset();
  data_ = nullptr;
  dtype_ = DType::Float64;
  shape_.clear();
  strides_.clear();
  writeable_ = true;
}

NDArray NDArray::empty(DType dtype, Shape shape) {
  const size_t bytes = checked_nbytes(shape, itemsize(dtype), "", dtype);
  auto unable = [&](const std::string& why) {
    return MemoryError("unable to allocate " + std::to_string(bytes) +
                       " bytes for an array with shape " + shape_str(shape) + " and dtype " +
                       std::string(dtype_name(dtype)) + why);
  };
  // No 64-bit machine maps more than 2**57 bytes (five-level paging); refusing larger requests
  // here keeps them from allocators (AddressSanitizer's among them) that abort instead of
  // throwing.
  if (bytes > (size_t{1} << 57)) throw unable(": more than any address space holds");
  NDArray a;
  a.dtype_ = dtype;
  a.strides_ = c_strides(shape, itemsize(dtype));
  try {
    a.buffer_ = allocate_buffer(bytes);
  } catch (const std::bad_alloc&) {
    throw unable("");
  }
  a.shape_ = std::move(shape);
  a.data_ = static_cast<char*>(a.buffer_.get());
  return a;
}

NDArray NDArray::zeros(DType dtype, Shape shape) {
  NDArray a = empty(dtype, std::move(shape));
  std::memset(a.data_, 0, a.nbytes());
  return a;
}

NDArray NDArray::wrap(std::shared_ptr<void> owner, void* data, DType dtype, Shape shape,
                      Strides strides, bool writeable) {
  checked_nbytes(shape, itemsize(dtype), "", dtype);
  NDArray a;
  a.buffer_ = std::move(owner);
  a.data_ = static_cast<char*>(data);
  a.dtype_ = dtype;
  a.shape_ = std::move(shape);
  a.strides_ = std::move(strides);
  a.writeable_ = writeable;
  return a;
}

bool NDArray::is_c_contiguous() const {
  int64_t expected = static_cast<int64_t>(itemsize(dtype_));
  for (int i = ndim() - 1; i >= 0; --i) {
    if (shape_[i] == 0) return true;
    if (shape_[i] != 1 && strides_[i] != expected) return false;
    expected *= shape_[i];
  }
  return true;
}

double NDArray::flat_as_double(int64_t index) const {
  int64_t offset = 0;
  for (int i = ndim() - 1; i >= 0; --i) {
    offset += (index % shape_[i]) * strides_[i];
    index /= shape_[i];
  }
  double out = 0;
  convert_strided(dtype_, data_ + offset, 0, DType::Float64, reinterpret_cast<char*>(&out), 0, 1);
  return out;
}

bool NDArray::shares_buffer_with(const NDArray& other) const {
  if (!buffer_ || !other.buffer_) return false;
  return !buffer_.owner_before(other.buffer_) && !other.buffer_.owner_before(buffer_);
}

NDArray NDArray::view(char* data, Shape shape, Strides strides) const {
  return wrap(buffer_, data, dtype_, std::move(shape), std::move(strides), writeable_);
}

NDArray NDArray::reshaped_view(Shape shape) const {
  checked_nbytes(shape, itemsize(dtype_), "", dtype_);
  Strides st = c_strides(shape, itemsize(dtype_));
  return view(data_, std::move(shape), std::move(st));
}

NDArray NDArray::copy() const {
  return astype(dtype_);
}

NDArray NDArray::astype(DType dtype) const {
  NDArray out = empty(dtype, shape_);
  out.copy_from(*this);
  return out;
}

void NDArray::copy_from(const NDArray& src) {
  if (src.shape_ != shape_) {
    throw ValueError("copy: shape mismatch " + shape_str(src.shape_) + " vs " + shape_str(shape_));
  }
  LoopPlan plan = plan_loop(shape_, {this, &src});
  for_each_run(plan, {data_, src.data_}, [&](char** p, const int64_t* st, int64_t n) {
    convert_strided(src.dtype_, p[1], st[1], dtype_, p[0], st[0], n);
  });
}

NDArray NDArray::broadcast_to(const Shape& shape) const {
  const int nd = static_cast<int>(shape.size());
  const int off = nd - ndim();
  Strides st(nd, 0);
  for (int i = 0; i < ndim(); ++i) {
    if (shape_[i] == shape[off + i]) {
      st[off + i] = strides_[i];
    } else if (shape_[i] != 1) {
      throw ValueError("cannot broadcast shape " + shape_str(shape_) + " to " + shape_str(shape));
    }
  }
  NDArray v = view(data_, shape, std::move(st));
  v.writeable_ = false;
  return v;
}

Shape broadcast_shapes(const std::vector<Shape>& shapes, const std::string& context) {
  size_t nd = 0;
  for (const auto& s : shapes) nd = std::max(nd, s.size());
  Shape out(nd, 1);
  for (const auto& s : shapes) {
    const size_t off = nd - s.size();
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t& o = out[off + i];
      if (s[i] == o || s[i] == 1) continue;
      if (o == 1) {
        o = s[i];
        continue;
      }
      std::string all;
      for (const auto& t : shapes) all += (all.empty() ? "" : ", ") + shape_str(t);
      throw ValueError(context + ": shapes do not broadcast: " + all + " (dimension " +
                       std::to_string(static_cast<int>(i + off) - static_cast<int>(nd)) + ": " +
                       std::to_string(o) + " vs " + std::to_string(s[i]) + ")");
    }
  }
  return out;
}

}  // namespace theon
