#include "theon/core/value.hpp"

namespace theon {

std::string Value::describe() const {
  if (object_) return object_->kind() + " on " + object_->device().str();
  if (!array_.defined()) return "no value";
  return std::string(dtype_name(array_.dtype())) + " array of shape " + shape_str(array_.shape());
}

}  // namespace theon
