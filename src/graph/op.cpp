#include "theon/graph/op.hpp"

#include <functional>
#include <typeinfo>

namespace theon {

std::string Op::name() const {
  std::string p = props();
  return p.empty() ? type_name() : type_name() + "{" + p + "}";
}

bool Op::equals(const Op& other) const {
  return typeid(*this) == typeid(other) && props() == other.props();
}

size_t Op::hash() const { return std::hash<std::string>()(name()); }

std::string Op::pprint(const std::vector<std::string>&) const { return ""; }

NDArray& reuse_or_empty(NDArray& slot, DType dtype, const Shape& shape) {
  if (!(slot.defined() && slot.dtype() == dtype && slot.shape() == shape &&
        slot.buffer().use_count() == 1 && slot.is_c_contiguous() &&
        slot.raw() == static_cast<char*>(slot.buffer().get()) && slot.writeable())) {
    slot = NDArray::empty(dtype, shape);
  }
  return slot;
}

std::string op_error(const Op& op, const std::string& message) { return op.name() + ": " + message; }

}  // namespace theon
