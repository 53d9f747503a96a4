// What the random ops share: reading and advancing a generator state, the `size` input, and
// parameter broadcasting. Private to src/ops/random/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../shape_util.hpp"
#include "theon/core/ndarray.hpp"
#include "theon/graph/op.hpp"
#include "theon/ops/philox.hpp"

namespace theon::random_detail {

struct StateWords {
  philox::Key key;
  uint32_t stream;
  uint32_t call;
};
StateWords read_state(const Op& op, const NDArray& state);
// The state after one more call, in `slot` (reused when possible).
void advance_state(const NDArray& state, NDArray& slot);

// Throws TypeError naming `op` unless `v` is a generator state.
void check_state_input(const Op& op, const Var& v);
// The static shape given by an int vector `size` (TypeError unless its length is static).
StaticShape static_size(const Op& op, const Var& size);
// The shape of a 1-d int array `size` at run time (no negative entries).
Shape runtime_size(const Op& op, const NDArray& size);
// Symbolic entries of `size` (infer_shape).
std::vector<Var> size_dims(const Var& size);

// `params` as float64 arrays broadcast to `shape` (ValueError naming `op` when a parameter
// does not broadcast to it, or has more dimensions).
std::vector<NDArray> broadcast_params(const Op& op, const std::vector<NDArray>& params,
                                      const Shape& shape, const std::vector<const char*>& names);
// Walks a C-order traversal of `shape` from flat index `begin`, keeping each array's element
// offset (in elements) in step: for reading broadcast parameters inside a parallel chunk.
class OffsetWalker {
 public:
  OffsetWalker(const std::vector<NDArray>& arrays, const Shape& shape, int64_t begin);
  const std::vector<int64_t>& offsets() const { return offsets_; }
  void next();

 private:
  std::vector<std::vector<int64_t>> strides_;  // in elements
  Shape shape_;
  std::vector<int64_t> index_;
  std::vector<int64_t> offsets_;
};

}  // namespace theon::random_detail
