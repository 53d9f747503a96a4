// Internal helpers shared by subtensor.cpp (types, API) and subtensor_perform.cpp (kernels).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "theon/core/iterate.hpp"
#include "theon/core/ndarray.hpp"
#include "theon/ops/subtensor.hpp"

namespace theon::subtensor_detail {

// A slice resolved against a dimension of size n (Python's slice.indices): `len` elements
// from `start` by `step`; start is 0 when len is 0.
struct SliceRange {
  int64_t start;
  int64_t len;
  int64_t step;
};
SliceRange normalize_slice(std::optional<int64_t> start, std::optional<int64_t> stop,
                           std::optional<int64_t> step, int64_t n);

// Where the broadcast dimensions of the advanced indices go in the output.
struct AdvLayout {
  bool advanced = false;
  int adv_pos = 0;  // number of basic output dimensions before them
};
AdvLayout adv_layout(const IndexSpec& spec);

// NumPy's messages.
std::string out_of_bounds(int64_t index, int axis, int64_t size);
std::string mask_mismatch(int axis, int64_t size, int64_t mask_size);

// Registers the factories of the four indexing ops (subtensor_props.cpp).
void register_subtensor_factories();

// A 0-d integer array's value as int64.
inline int64_t read_int(const NDArray& a) {
  int64_t v = 0;
  convert_strided(a.dtype(), a.raw(), 0, DType::Int64, reinterpret_cast<char*>(&v), 0, 1);
  return v;
}

}  // namespace theon::subtensor_detail
