// TensorType: dtype plus a static shape, where each dimension is a known size or unknown.
// A static size of 1 is what Theano calls a broadcastable dimension.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "theon/core/dtype.hpp"
#include "theon/core/ndarray.hpp"

namespace theon {

inline constexpr int64_t kUnknownDim = -1;
using StaticShape = std::vector<int64_t>;  // kUnknownDim where not known

struct TensorType {
  DType dtype = DType::Float64;
  StaticShape shape;

  TensorType() = default;
  TensorType(DType dt, StaticShape s) : dtype(dt), shape(std::move(s)) {}

  int ndim() const { return static_cast<int>(shape.size()); }
  bool broadcastable(int i) const { return shape[i] == 1; }
  std::vector<bool> broadcastable() const;
  // "TensorType(float64, shape=(None, 1))"
  std::string str() const;
  // Short form used in debugprint: "float64 (?, 1)", or Theano's names ("matrix", "col").
  std::string short_str() const;
  bool operator==(const TensorType& o) const { return dtype == o.dtype && shape == o.shape; }
  bool operator!=(const TensorType& o) const { return !(*this == o); }
  // Same dtype and ndim, and static sizes agree wherever both are known.
  bool compatible_with(const TensorType& o) const;
  // True if a value of this shape can be stored in a variable of this type.
  bool accepts_shape(const Shape& s) const;
  // Describes the first mismatch between this type and a value's shape, or "" if none.
  std::string shape_mismatch(const Shape& s) const;
};

// The static shape of a broadcast result; throws ValueError naming `context` when two known
// sizes differ and neither is 1.
StaticShape broadcast_static(const std::vector<StaticShape>& shapes, const std::string& context);
std::string static_shape_str(const StaticShape& s);  // "(None, 3)"

}  // namespace theon
