// Unbroadcast: x unchanged, with the static size 1 of some axes forgotten (Theano's
// unbroadcast), so that the type no longer promises a broadcastable dimension there. A view of
// x; its gradient is the output gradient given back the size 1 of those axes.

#include "../shape_util.hpp"
#include "shape_detail.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/shape.hpp"

namespace theon {
namespace {

using shape_detail::require_inputs;

class Unbroadcast final : public Op {
 public:
  explicit Unbroadcast(std::vector<int64_t> axes) : axes_(std::move(axes)) {}
  std::string type_name() const override { return "Unbroadcast"; }
  Props fields() const override { return {{"axis", PropValue::ints(axes_)}}; }

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    require_inputs(*this, inputs, 1);
    const TensorType& t = inputs[0]->type;
    StaticShape out = t.shape;
    for (int64_t a : axes_) {
      if (a >= t.ndim()) {
        throw ValueError(op_error(
            *this, "axis " + std::to_string(a) + " is out of bounds for the input " + t.str()));
      }
      if (out[a] == 1) out[a] = kUnknownDim;
    }
    return {TensorType(t.dtype, out, t.device)};
  }

  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override {
    outputs[0] = inputs[0];
  }

  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                        const std::vector<Var>& output_grads) const override {
    if (!is_float(inputs[0]->type.dtype)) return {nullptr};
    std::vector<int64_t> sizes;
    for (int64_t d : inputs[0]->type.shape) sizes.push_back(d == 1 ? 1 : -1);
    return {specify_shape(output_grads[0], sizes)};
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

THEON_OP_FILE(unbroadcast) {
  register_op_factory("Unbroadcast", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Unbroadcast>(f.get_sorted_axes("axis"));
  });
  register_builder("unbroadcast", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    std::vector<int64_t> axes =
        normalize_axes("unbroadcast", p.get_optional_ints("axis"), in[0]->type.ndim());
    return std::vector<Var>{make_node1(std::make_shared<Unbroadcast>(std::move(axes)), in)};
  });
}

}  // namespace theon
