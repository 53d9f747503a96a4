#include "theon/ops/constant.hpp"

#include <limits>

#include "theon/core/error.hpp"
#include "theon/core/iterate.hpp"

namespace theon {
namespace {

template <class V>
NDArray scalar_array(V value, DType dtype) {
  NDArray a = NDArray::empty(dtype, {});
  convert_strided(dtype_of<V>(), reinterpret_cast<const char*>(&value), 0, dtype, a.raw(), 0, 1);
  return a;
}

bool int_fits(int64_t v, DType dt) {
  bool fits = true;
  visit_dtype(dt, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      if constexpr (std::is_unsigned_v<T>) {
        fits = v >= 0 && static_cast<uint64_t>(v) <= std::numeric_limits<T>::max();
      } else {
        fits = v >= std::numeric_limits<T>::min() && v <= std::numeric_limits<T>::max();
      }
    }
  });
  return fits;
}

}  // namespace

Var constant(NDArray value, std::string name) {
  return make_constant(std::move(value), std::move(name));
}

Var scalar_constant(double value, DType dtype) {
  return constant(scalar_array(value, dtype));
}
Var scalar_constant(int64_t value, DType dtype) {
  return constant(scalar_array(value, dtype));
}

Var weak_scalar(double value, DType other) {
  return scalar_constant(value, weak_scalar_dtype(PyScalarKind::Float, other));
}

Var weak_scalar(int64_t value, DType other) {
  DType dt = weak_scalar_dtype(PyScalarKind::Int, other);
  if (!int_fits(value, dt)) {
    throw ValueError("Python integer " + std::to_string(value) + " out of bounds for " +
                     std::string(dtype_name(dt)));
  }
  return scalar_constant(value, dt);
}

Var weak_scalar(bool value, DType other) {
  return scalar_constant(static_cast<int64_t>(value), weak_scalar_dtype(PyScalarKind::Bool, other));
}

Var weak_scalar(double value, const Var& other) {
  return weak_scalar(value, other->type.dtype);
}
Var weak_scalar(int64_t value, const Var& other) {
  return weak_scalar(value, other->type.dtype);
}
Var weak_scalar(bool value, const Var& other) {
  return weak_scalar(value, other->type.dtype);
}

}  // namespace theon
