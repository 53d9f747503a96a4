#include "theon/compile/shared.hpp"

#include "theon/core/error.hpp"

namespace theon {
namespace {

const std::shared_ptr<SharedValue>& cell_of(const Var& v) {
  if (!v || !v->shared) {
    throw TypeError("expected a shared variable, got " + (v ? var_label(*v) : std::string("null")));
  }
  return v->shared;
}

}  // namespace

Var shared(const NDArray& value, const std::string& name, bool borrow,
           std::optional<StaticShape> shape) {
  StaticShape st = shape.value_or(StaticShape(value.ndim(), kUnknownDim));
  TensorType type(value.dtype(), st);
  if (!type.accepts_shape(value.shape())) {
    throw ValueError("shared: value of shape " + shape_str(value.shape()) +
                     " does not fit static shape " + static_shape_str(st));
  }
  auto cell = std::make_shared<SharedValue>();
  cell->value = borrow ? value : value.copy();
  cell->name = name;
  return make_shared(cell, type);
}

NDArray get_value(const Var& v, bool borrow) {
  NDArray value = cell_of(v)->load();
  // Copied outside the lock: the handle keeps the buffer alive, and functions replace a shared
  // value rather than write into its buffer (the inplace rewrites never destroy one).
  return borrow ? value : value.copy();
}

void set_value(const Var& v, const NDArray& value, bool borrow) {
  const auto& cell = cell_of(v);
  if (value.dtype() != v->type.dtype) {
    throw TypeError("set_value of shared variable '" + v->name + "': expected dtype " +
                    std::string(dtype_name(v->type.dtype)) + ", got " +
                    std::string(dtype_name(value.dtype())));
  }
  std::string mismatch = v->type.shape_mismatch(value.shape());
  if (!mismatch.empty()) {
    throw ValueError("set_value of shared variable '" + v->name + "': " + mismatch);
  }
  // The old value is dropped here, after the lock is released.
  cell->exchange(borrow ? value : value.copy());
}

}  // namespace theon
