// Helpers shared by the sparse op files.
#pragma once

#include "theon/core/error.hpp"
#include "theon/ops/sparse.hpp"

namespace theon {

// Calls f(T{}) with T the C type of a sparse dtype (float or double).
template <class F>
decltype(auto) with_float(DType dt, F&& f) {
  if (dt == DType::Float32) return f(float{});
  if (dt != DType::Float64) {
    throw TypeError("sparse values are float32 or float64, got " + std::string(dtype_name(dt)));
  }
  return f(double{});
}

}  // namespace theon
