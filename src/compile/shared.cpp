#include "theon/compile/shared.hpp"

#include <mutex>
#include <shared_mutex>
#include <utility>

#include "theon/core/error.hpp"
#include "theon/graph/clone.hpp"

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

Var shared_object(std::shared_ptr<const Object> value, const std::string& name, const Type& type) {
  const std::string mismatch = type.value_mismatch(Value(value));
  if (!mismatch.empty()) throw TypeError("shared '" + name + "': " + mismatch);
  auto cell = std::make_shared<SharedValue>();
  cell->object = std::move(value);
  cell->name = name;
  return make_shared(cell, type);
}

std::shared_ptr<const Object> get_object(const Var& v) {
  const auto& cell = cell_of(v);
  std::shared_lock<std::shared_mutex> lock(cell->mutex, std::defer_lock);
  if (!SharedLocks::held(cell.get())) lock.lock();
  if (!cell->object) {
    throw TypeError("shared variable '" + v->name + "' holds an array, not a " + v->type.str());
  }
  return cell->object;
}

void set_object(const Var& v, std::shared_ptr<const Object> value) {
  const auto& cell = cell_of(v);
  const std::string mismatch = v->type.value_mismatch(Value(value));
  if (!mismatch.empty()) {
    throw TypeError("set_value of shared variable '" + v->name + "': " + mismatch);
  }
  std::shared_ptr<const Object> old;  // dropped after the lock is released
  std::unique_lock<std::shared_mutex> lock(cell->mutex);
  old = std::exchange(cell->object, std::move(value));
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

void set_default_update(const Var& v, const Var& update) {
  const auto& cell = cell_of(v);
  std::shared_ptr<const SharedValue::DefaultUpdate> value;
  if (update) {
    if (!v->type.compatible_with(update->type)) {
      throw TypeError("default_update of shared variable '" + v->name + "': expected type " +
                      v->type.str() + ", got " + update->type.str());
    }
    Var self = make_input(v->type, v->name);
    Var expression = clone_replace({update}, {{v, self}})[0];
    value = std::make_shared<const SharedValue::DefaultUpdate>(
        SharedValue::DefaultUpdate{std::move(self), std::move(expression)});
  }
  std::unique_lock lock(cell->mutex);
  cell->default_update.swap(value);
}

Var default_update(const Var& v) {
  const auto& cell = cell_of(v);
  std::shared_ptr<const SharedValue::DefaultUpdate> du;
  {
    std::shared_lock lock(cell->mutex);
    du = cell->default_update;
  }
  if (!du) return nullptr;
  return clone_replace({du->expression}, {{du->self, v}})[0];
}

}  // namespace theon
