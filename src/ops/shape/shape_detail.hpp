// Internal helpers shared by the shape family's op files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "theon/core/error.hpp"
#include "theon/core/ndarray.hpp"
#include "theon/graph/op.hpp"
#include "theon/graph/op_factory.hpp"

namespace theon::shape_detail {

inline void require_inputs(const Op& op, const std::vector<Var>& inputs, size_t n) {
  if (inputs.size() != n) {
    throw TypeError(op_error(
        op, "expected " + std::to_string(n) + " input(s), got " + std::to_string(inputs.size())));
  }
}

inline NDArray int64_vector(const std::vector<int64_t>& v) {
  return NDArray::from_vector<int64_t>(v, {static_cast<int64_t>(v.size())});
}

// NumPy's limit on the number of dimensions, which bounds an op's dimension count read back
// from bytes before any shape of that length is allocated.
inline constexpr int64_t kMaxNdim = 64;

inline int64_t checked_ndim(const PropReader& f, int64_t min) {
  const int64_t ndim = f.get_int("ndim");
  if (ndim < min || ndim > kMaxNdim) {
    throw ValueError(f.context("ndim") + ": " + std::to_string(ndim) + " is not between " +
                     std::to_string(min) + " and " + std::to_string(kMaxNdim));
  }
  return ndim;
}

}  // namespace theon::shape_detail
