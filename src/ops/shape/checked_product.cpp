// CheckedProduct{itemsize}(d0, d1, ...): the element count of a shape, overflow-checked.
#include "../shape_util.hpp"
#include "theon/core/checked_size.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/shape.hpp"

namespace theon {

std::vector<TensorType> CheckedProduct::output_types(const std::vector<Var>& inputs) const {
  if (itemsize_ < 1) {
    throw ValueError(
        op_error(*this, "itemsize must be positive, got " + std::to_string(itemsize_)));
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const TensorType& t = inputs[i]->type;
    if (t.ndim() != 0 || !is_integer(t.dtype)) {
      throw TypeError(op_error(*this, "expected integer scalar dimensions, got " + t.str() +
                                          " as input " + std::to_string(i)));
    }
  }
  return {TensorType(DType::Int64, {})};
}

void CheckedProduct::perform(const std::vector<NDArray>& inputs,
                             std::vector<NDArray>& outputs) const {
  Shape dims;
  for (const NDArray& d : inputs) dims.push_back(read_int(d, 0));
  checked_nbytes(dims, static_cast<size_t>(itemsize_), name());
  NDArray& out = reuse_or_empty(outputs[0], DType::Int64, {});
  *out.data<int64_t>() = checked_size(dims, name());
}

SymShapes CheckedProduct::infer_shape(const std::vector<Var>&,
                                      const std::vector<std::vector<Var>>&) const {
  return std::vector<SymShape>{{}};
}

// A count of elements: no gradient flows through it.
std::vector<Var> CheckedProduct::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                                      const std::vector<Var>&) const {
  return std::vector<Var>(inputs.size());
}

Var checked_product(const std::vector<Var>& dims, int64_t itemsize) {
  return make_node1(std::make_shared<CheckedProduct>(itemsize), dims);
}

THEON_OP_FILE(checked_product) {
  register_op_factory("CheckedProduct", [](const PropReader& f) -> OpPtr {
    return std::make_shared<CheckedProduct>(f.get_int("itemsize"));
  });
}

}  // namespace theon
