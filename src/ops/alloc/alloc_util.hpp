// Helpers shared by the op files of the alloc family (src/ops/alloc/), private to them.
#pragma once

#include <optional>
#include <string>

#include "theon/core/config.hpp"
#include "theon/core/error.hpp"
#include "theon/core/ndarray.hpp"
#include "theon/graph/op.hpp"
#include "theon/graph/registry.hpp"

namespace theon {

inline DType float_x() {
  return parse_dtype(config_floatX());
}

// The shape that shape inputs (integer scalars and vectors, from inputs[first] on) give at run
// time; names `op` when a dimension is negative.
Shape alloc_runtime_shape(const Op& op, const std::vector<NDArray>& inputs, size_t first);

// Broadcasts `value` into `out` (already shaped), as a fresh copy; names `op` on mismatch.
inline void fill_broadcast(const Op& op, const NDArray& value, NDArray& out) {
  const Shape& shape = out.shape();
  bool ok = value.ndim() <= out.ndim();
  const int off = out.ndim() - value.ndim();
  for (int i = 0; ok && i < value.ndim(); ++i) {
    ok = value.shape(i) == 1 || value.shape(i) == shape[off + i];
  }
  if (!ok) {
    throw ValueError(op_error(op, "cannot broadcast a value of shape " + shape_str(value.shape()) +
                                      " to shape " + shape_str(shape)));
  }
  out.copy_from(value.broadcast_to(shape));
}

// The optional dtype parameter of a builder.
inline std::optional<DType> opt_dtype(const Params& p, const std::string& key = "dtype") {
  if (!p.has(key)) return std::nullopt;
  return parse_dtype(p.get_string(key, ""));
}

}  // namespace theon
