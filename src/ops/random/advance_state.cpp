// AdvanceState(state, calls) -> the generator state after `calls` more calls (the call word
// plus calls, modulo 2^32): what a random op's new state is after one call, for any count.
// Scan's gradient uses it to give the reverse loop the state each forward step drew from, so
// the backward pass sees the forward pass's random numbers (src/ops/scan/scan_grad.cpp).
#include "random_util.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/random.hpp"
#include "theon/ops/shape.hpp"

namespace theon {
namespace {

class AdvanceState final : public Op {
 public:
  std::string type_name() const override { return "AdvanceState"; }

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    if (inputs.size() != 2) {
      throw TypeError(op_error(*this, "expected a state and a call count, got " +
                                          std::to_string(inputs.size()) + " inputs"));
    }
    random_detail::check_state_input(*this, inputs[0]);
    const TensorType& calls = inputs[1]->type;
    if (!calls.is_tensor() || calls.ndim() != 0 || !is_integer(calls.dtype)) {
      throw TypeError(
          op_error(*this, "the call count must be an integer scalar, got " + calls.str()));
    }
    return {generator_state_type()};
  }

  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override {
    const random_detail::StateWords st = random_detail::read_state(*this, inputs[0]);
    const auto calls = static_cast<uint64_t>(inputs[1].astype(DType::Int64).data<int64_t>()[0]);
    NDArray& out = reuse_or_empty(outputs[0], DType::UInt32, {4});
    uint32_t* w = out.data<uint32_t>();
    w[0] = st.key[0];
    w[1] = st.key[1];
    w[2] = st.stream;
    w[3] = st.call + static_cast<uint32_t>(calls);  // wraps as a call count does
  }

  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                        const std::vector<Var>&) const override {
    return std::vector<Var>(inputs.size());  // states and counts carry no gradient
  }

  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>&) const override {
    return std::vector<std::vector<Var>>{{int64_const(4)}};
  }
};

}  // namespace

Var advance_generator_state(const Var& state, const Var& calls) {
  return make_node1(std::make_shared<AdvanceState>(), {state, calls});
}

THEON_OP_FILE(advance_state) {
  register_op_factory("AdvanceState",
                      [](const PropReader&) -> OpPtr { return std::make_shared<AdvanceState>(); });
}

}  // namespace theon
