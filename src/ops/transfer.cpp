// Transfer: the input on another device, same dtype and shape. Its output type carries the
// target device (places_outputs), so the nodes built on it run there. Its gradient transfers
// the output gradient back to the input's device.
#include "theon/ops/transfer.hpp"

#include "theon/core/error.hpp"
#include "theon/graph/op.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"

namespace theon {
namespace {

class Transfer final : public Op {
 public:
  explicit Transfer(Device target) : target_(target) {}
  std::string type_name() const override { return "Transfer"; }
  Props fields() const override { return {{"target", PropValue::string(target_.str())}}; }
  bool places_outputs() const override { return true; }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    if (inputs.size() != 1) {
      throw TypeError(op_error(*this, "expected 1 input, got " + std::to_string(inputs.size())));
    }
    if (!inputs[0]->type.is_tensor()) {
      throw TypeError(op_error(*this, "expected a tensor, got " + inputs[0]->type.str()));
    }
    return {inputs[0]->type.on(target_)};
  }
  // Host to host only: the copies to and from a device are the device layer's kernels.
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override {
    if (!target_.is_cpu()) {
      throw NotImplementedError(op_error(
          *this, "a host array cannot be moved to " + target_.str() + " by the reference kernel"));
    }
    outputs[0] = inputs[0];
  }
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                        const std::vector<Var>& output_grads) const override {
    if (!is_float(inputs[0]->type.dtype)) return {nullptr};
    return {transfer(output_grads[0], inputs[0]->type.device)};
  }
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& input_shapes) const override {
    return std::vector<std::vector<Var>>{input_shapes[0]};
  }

 private:
  Device target_;
};

}  // namespace

Var transfer(const Var& x, Device target) {
  if (x->type.device == target) return x;
  return make_node1(std::make_shared<Transfer>(target), {x});
}

THEON_OP_FILE(transfer) {
  register_op_factory("Transfer", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Transfer>(parse_device(f.get_string("target")));
  });
  register_builder("transfer", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{transfer(in[0], parse_device(p.get_string("target", "cpu")))};
  });
  export_to_python({"tensor",
                    "transfer",
                    "transfer",
                    "x moved to the device `target`, as Theano's x.transfer(target).\n"
                    "\n"
                    "Parameters\n"
                    "----------\n"
                    "x : Variable or array_like\n"
                    "    The input.\n"
                    "target : str\n"
                    "    A device name: 'cpu', 'cuda0', 'opencl0:0', ...\n"
                    "\n"
                    "Returns\n"
                    "-------\n"
                    "Variable\n"
                    "    x on `target`: the nodes built on it run there.\n"
                    "\n"
                    "Examples\n"
                    "--------\n"
                    ">>> x = T.dvector('x')\n"
                    ">>> T.transfer(x, 'cpu').type.device\n"
                    "'cpu'",
                    false,
                    1,
                    {"target"}});
}

}  // namespace theon
