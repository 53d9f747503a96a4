// The type of a variable: dtype, a static shape (each dimension a known size or unknown; a
// static size of 1 is what Theano calls a broadcastable dimension) and the device its value
// lives on. A dense tensor is the common case; other kinds of values (sparse matrices, random
// generator states) add a ValueKind, which the families that introduce them derive.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "theon/core/device.hpp"
#include "theon/core/dtype.hpp"
#include "theon/core/ndarray.hpp"
#include "theon/core/value.hpp"

namespace theon {

inline constexpr int64_t kUnknownDim = -1;
using StaticShape = std::vector<int64_t>;  // kUnknownDim where not known

struct Type;

// What a non-tensor type adds: its name, equality, and which values it accepts.
class ValueKind {
 public:
  virtual ~ValueKind() = default;
  virtual std::string name() const = 0;  // "csr", "generator state"
  virtual bool equals(const ValueKind& other) const = 0;
  // Describes why `value` cannot be stored in a variable of `type`, or "" when it can.
  virtual std::string value_mismatch(const Type& type, const Value& value) const = 0;
};

struct Type {
  DType dtype = DType::Float64;
  StaticShape shape;
  Device device;
  std::shared_ptr<const ValueKind> value_kind;  // null: a dense tensor

  Type() = default;
  Type(DType dt, StaticShape s, Device d = Device{}) : dtype(dt), shape(std::move(s)), device(d) {}

  bool is_tensor() const { return value_kind == nullptr; }
  // The same type on another device.
  Type on(Device d) const;

  int ndim() const { return static_cast<int>(shape.size()); }
  bool broadcastable(int i) const { return shape[i] == 1; }
  std::vector<bool> broadcastable() const;
  // "TensorType(float64, shape=(None, 1))"
  std::string str() const;
  // Short form used in debugprint: "float64 (?, 1)", or Theano's names ("matrix", "col").
  std::string short_str() const;
  bool operator==(const Type& o) const;
  bool operator!=(const Type& o) const { return !(*this == o); }
  // Same kind, device, dtype and ndim, and static sizes agree wherever both are known.
  bool compatible_with(const Type& o) const;
  // True if a value of this shape can be stored in a variable of this type.
  bool accepts_shape(const Shape& s) const;
  // Describes the first mismatch between this type and a value's shape, or "" if none.
  std::string shape_mismatch(const Shape& s) const;
  // Describes why `value` cannot be stored in a variable of this type (kind, device, dtype,
  // shape), or "" when it can.
  std::string value_mismatch(const Value& value) const;
};

// The name Theano's users know for the type of dense tensors.
using TensorType = Type;

// The static shape of a broadcast result; throws ValueError naming `context` when two known
// sizes differ and neither is 1.
StaticShape broadcast_static(const std::vector<StaticShape>& shapes, const std::string& context);
std::string static_shape_str(const StaticShape& s);  // "(None, 3)"

}  // namespace theon
