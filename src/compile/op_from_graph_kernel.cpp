// The kernel of a (not inlined) OpFromGraph node: the inner graph compiled once, when the node
// is linked, with the mode config.mode names, and run by an inner VM per call. VMs are pooled
// so that a steady-state call allocates only its outputs, and concurrent calls each get one.
#include <mutex>

#include "theon/compile/linker.hpp"
#include "theon/ops/op_from_graph.hpp"

namespace theon {
namespace {

class OpFromGraphKernel final : public Kernel {
 public:
  explicit OpFromGraphKernel(const OpFromGraph& op)
      : fg_(std::make_unique<FunctionGraph>(op.inner_inputs(), op.inner_outputs())) {
    linked_ = compile(*fg_, Mode{}, LinkOptions{});
    for (const Var& in : fg_->inputs()) input_slots_.push_back(linked_.program->slot(in.get()));
  }

  void run(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override {
    const Program& program = *linked_.program;
    std::vector<Value> slots(program.num_slots);
    for (const auto& [s, value] : program.constant_slots) slots[s] = *value;
    for (size_t k = 0; k < inputs.size(); ++k) {
      if (input_slots_[k] >= 0) slots[input_slots_[k]] = inputs[k];
    }
    std::unique_ptr<VM> vm = take_vm();
    vm->run(slots);
    give_back(std::move(vm));
    // The outputs are the node's own: never the inputs' or a constant's buffer, nor each other's.
    std::vector<const NDArray*> reachable;
    for (const NDArray& in : inputs) reachable.push_back(&in);
    for (const auto& [s, value] : program.constant_slots) reachable.push_back(value.get());
    for (size_t i = 0; i < outputs.size(); ++i) {
      NDArray out = slots[program.output_slots[i]].array();
      bool aliased = false;
      for (const NDArray* r : reachable) aliased = aliased || out.shares_buffer_with(*r);
      for (size_t j = 0; j < i; ++j) aliased = aliased || out.shares_buffer_with(outputs[j]);
      outputs[i] = aliased ? out.copy() : std::move(out);
    }
  }

  std::string origin() const override { return "compiled graph"; }

 private:
  std::unique_ptr<VM> take_vm() const {
    std::lock_guard lock(mutex_);
    if (idle_.empty()) return std::make_unique<VM>(linked_.program);
    std::unique_ptr<VM> vm = std::move(idle_.back());
    idle_.pop_back();
    return vm;
  }
  void give_back(std::unique_ptr<VM> vm) const {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(vm));
  }

  std::unique_ptr<FunctionGraph> fg_;  // the program refers to its nodes
  Linked linked_;
  std::vector<int> input_slots_;
  mutable std::mutex mutex_;
  mutable std::vector<std::unique_ptr<VM>> idle_;
};

}  // namespace

void register_op_from_graph_kernel() {
  register_kernel("OpFromGraph", DeviceKind::Cpu, [](const Apply& node) -> std::unique_ptr<Kernel> {
    const auto* op = dynamic_cast<const OpFromGraph*>(node.op().get());
    if (!op) return nullptr;
    return std::make_unique<OpFromGraphKernel>(*op);
  });
}

}  // namespace theon
