#include "theon/core/checked_size.hpp"

#include <cstddef>

#include "theon/core/error.hpp"
#include "theon/core/ndarray.hpp"

namespace theon {
namespace {

// "what: message", or the message alone when `what` is "" (an array that belongs to no op
// yet: the VM adds the op of the node that was running).
std::string prefixed(const std::string& what, const std::string& message) {
  return what.empty() ? message : what + ": " + message;
}

[[noreturn]] void too_big(const std::string& what, const Shape& shape, std::optional<DType> dtype,
                          const std::string& why) {
  std::string of = "shape " + shape_str(shape);
  if (dtype) of += " and dtype " + std::string(dtype_name(*dtype));
  throw ValueError(prefixed(what, "array is too big: " + of + " " + why));
}

// The product of the nonzero dimensions. As in NumPy it must fit even when another dimension
// is 0, since the strides are products of them.
int64_t nonzero_product(const Shape& shape, const std::string& what, std::optional<DType> dtype) {
  for (int64_t d : shape) {
    if (d < 0) {
      throw ValueError(prefixed(what, "negative dimensions are not allowed: " + shape_str(shape)));
    }
  }
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d != 0 && __builtin_mul_overflow(n, d, &n)) {
      too_big(what, shape, dtype, "(its element count overflows int64)");
    }
  }
  return n;
}

bool has_zero(const Shape& shape) {
  for (int64_t d : shape) {
    if (d == 0) return true;
  }
  return false;
}

}  // namespace

std::optional<int64_t> checked_mul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

std::optional<int64_t> checked_add(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}

int64_t checked_size(const Shape& shape, const std::string& what) {
  const int64_t n = nonzero_product(shape, what, std::nullopt);
  return has_zero(shape) ? 0 : n;
}

size_t checked_nbytes(const Shape& shape, size_t itemsize, const std::string& what,
                      std::optional<DType> dtype) {
  const int64_t n = nonzero_product(shape, what, dtype);
  int64_t bytes;
  static_assert(PTRDIFF_MAX == INT64_MAX, "a byte count that fits int64 must be addressable");
  if (__builtin_mul_overflow(n, static_cast<int64_t>(itemsize), &bytes)) {
    too_big(what, shape, dtype,
            "(its byte size overflows int64: " + std::to_string(n) + " elements of " +
                std::to_string(itemsize) + " bytes)");
  }
  return has_zero(shape) ? 0 : static_cast<size_t>(bytes);
}

}  // namespace theon
