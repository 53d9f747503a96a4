// Flip: the input with the order of its elements reversed along some axes (np.flip), as a view
// with negated strides. Its gradient is the output gradient flipped back along the same axes.
// From C++: build("flip", {x}, Params({{"axis", std::vector<int64_t>{0}}})); no axis flips all.
#include <algorithm>

#include "theon/core/error.hpp"
#include "theon/graph/op.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/reduce.hpp"

namespace theon {
namespace {

class Flip final : public Op {
 public:
  explicit Flip(std::vector<int64_t> axes) : axes_(std::move(axes)) {}
  std::string type_name() const override { return "Flip"; }
  Props fields() const override { return {{"axis", PropValue::ints(axes_)}}; }

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    if (inputs.size() != 1) {
      throw TypeError(op_error(*this, "expected 1 input, got " + std::to_string(inputs.size())));
    }
    const TensorType& t = inputs[0]->type;
    for (int64_t a : axes_) {
      if (a >= t.ndim()) {
        throw ValueError(op_error(
            *this, "axis " + std::to_string(a) + " is out of bounds for the input " + t.str()));
      }
    }
    return {t};
  }

  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override {
    const NDArray& x = inputs[0];
    Strides strides = x.strides();
    char* data = x.raw();
    for (int64_t a : axes_) {
      if (x.shape(static_cast<int>(a)) == 0) continue;  // no element to start from
      data += (x.shape(static_cast<int>(a)) - 1) * strides[a];
      strides[a] = -strides[a];
    }
    outputs[0] = x.view(data, x.shape(), std::move(strides));
  }

  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                        const std::vector<Var>& output_grads) const override {
    if (!is_float(inputs[0]->type.dtype)) return {nullptr};
    return {make_node1(std::make_shared<Flip>(axes_), {output_grads[0]})};
  }

  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& input_shapes) const override {
    return std::vector<std::vector<Var>>{input_shapes[0]};
  }

  std::vector<std::pair<int, int>> view_map() const override { return {{0, 0}}; }

 private:
  std::vector<int64_t> axes_;  // normalized, sorted
};

}  // namespace

THEON_OP_FILE(flip) {
  register_op_factory("Flip", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Flip>(f.get_sorted_axes("axis"));
  });
  register_builder("flip", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    std::vector<int64_t> axes =
        normalize_axes("flip", p.get_optional_ints("axis"), in[0]->type.ndim());
    return std::vector<Var>{make_node1(std::make_shared<Flip>(std::move(axes)), in)};
  });
  export_to_python({"tensor",
                    "flip",
                    "flip",
                    "x with the order of its elements reversed along `axis`, as np.flip.\n"
                    "\n"
                    "Parameters\n"
                    "----------\n"
                    "x : Variable or array_like\n"
                    "    The input.\n"
                    "axis : None, int or tuple of int\n"
                    "    The axes reversed; None: every axis.\n"
                    "\n"
                    "Returns\n"
                    "-------\n"
                    "Variable\n"
                    "    A view of x.\n"
                    "\n"
                    "Examples\n"
                    "--------\n"
                    ">>> x = T.dmatrix('x')\n"
                    ">>> theon.function([x], T.flip(x, axis=1))([[1., 2., 3.]])\n"
                    "array([[3., 2., 1.]])",
                    false,
                    1,
                    {"axis"}});
}

}  // namespace theon
