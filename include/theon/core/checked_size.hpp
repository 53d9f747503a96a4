// Overflow-checked sizes. Every element count and byte count of an array goes through here, so
// that a shape whose product does not fit (alloc(x, 2**32, 2**32)) is an error instead of a
// small buffer that later code indexes past.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "theon/core/dtype.hpp"

namespace theon {

// a * b, or nullopt when it does not fit in int64.
std::optional<int64_t> checked_mul(int64_t a, int64_t b);
// a + b, or nullopt when it does not fit in int64.
std::optional<int64_t> checked_add(int64_t a, int64_t b);

// The number of elements of `shape`. Throws ValueError when a dimension is negative or the
// product of the nonzero dimensions does not fit in int64 (NumPy's rule: strides are products
// of them); the message begins with `what` (an op's name; "" for none) and shows the shape.
int64_t checked_size(const std::vector<int64_t>& shape, const std::string& what = "");
// The bytes an array of `shape` with items of `itemsize` bytes takes. Throws ValueError as
// checked_size does, and also when the byte count exceeds what a pointer can address
// (PTRDIFF_MAX), naming the dtype when given.
size_t checked_nbytes(const std::vector<int64_t>& shape, size_t itemsize,
                      const std::string& what = "", std::optional<DType> dtype = std::nullopt);

}  // namespace theon
