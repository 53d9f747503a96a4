// BroadcastView(value, s0, s1, ...): `value` broadcast to the given shape as a read-only view
// (stride 0 along the broadcast dimensions), where Alloc makes a copy. Rewrites that move a
// slice above an elementwise op use it for an operand that may broadcast at run time (a None
// dimension of size 1), so that slicing the view takes the same elements as slicing the op's
// result did. Its type, shapes and gradient are Alloc's.
#include "alloc_util.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/shape.hpp"

namespace theon {
namespace {

class BroadcastView final : public Op {
 public:
  std::string type_name() const override { return "BroadcastView"; }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    return as_alloc_.output_types(inputs);
  }
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override {
    return as_alloc_.infer_shape(inputs, input_shapes);
  }
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override {
    return as_alloc_.L_op(inputs, outputs, output_grads);
  }
  std::vector<std::pair<int, int>> view_map() const override { return {{0, 0}}; }

  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override {
    const Shape shape = alloc_runtime_shape(*this, inputs, 1);
    const NDArray& value = inputs[0];
    bool fits = value.ndim() <= static_cast<int>(shape.size());
    const size_t off = shape.size() - std::min<size_t>(shape.size(), value.ndim());
    for (int i = 0; fits && i < value.ndim(); ++i) {
      fits = value.shape(i) == 1 || value.shape(i) == shape[off + i];
    }
    if (!fits) {
      throw ValueError(op_error(*this, "cannot broadcast a value of shape " +
                                           shape_str(value.shape()) + " to shape " +
                                           shape_str(shape)));
    }
    outputs[0] = value.broadcast_to(shape);
  }

 private:
  Alloc as_alloc_;
};

}  // namespace

Var broadcast_view(const Var& value, const std::vector<Var>& shape) {
  std::vector<Var> in{value};
  in.insert(in.end(), shape.begin(), shape.end());
  return make_node1(std::make_shared<BroadcastView>(), in);
}

THEON_OP_FILE(broadcast_view) {
  register_op_factory("BroadcastView",
                      [](const PropReader&) -> OpPtr { return std::make_shared<BroadcastView>(); });
  // broadcast_view(value, *shape)
  register_builder("broadcast_view", 1, -1, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{broadcast_view(in[0], std::vector<Var>(in.begin() + 1, in.end()))};
  });
}

}  // namespace theon
