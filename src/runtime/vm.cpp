#include "theon/runtime/vm.hpp"

#include "theon/core/error.hpp"
#include "theon/graph/op.hpp"

namespace theon {

void VM::run(std::vector<NDArray>& slots) {
  AllocatorScope scope(&pool_);
  for (const Instruction& ins : program_.code) {
    args_.resize(ins.in.size());
    for (size_t i = 0; i < ins.in.size(); ++i) args_[i] = slots[ins.in[i]];
    results_.resize(ins.out.size());
    for (size_t i = 0; i < ins.out.size(); ++i) results_[i] = std::move(slots[ins.out[i]]);
    try {
      ins.node->op()->perform(args_, results_);
    } catch (const Error& e) {
      std::string msg = e.what();
      const std::string prefix = ins.node->op()->name() + ":";
      if (msg.rfind(prefix, 0) != 0) msg = ins.node->op()->name() + ": " + msg;
      rethrow_with_message(e, msg + node_error_context(*ins.node, args_));
    } catch (const std::bad_alloc&) {
      throw Error(ErrorKind::Runtime, ins.node->op()->name() + ": out of memory" +
                                          node_error_context(*ins.node, args_));
    }
    for (size_t i = 0; i < ins.out.size(); ++i) slots[ins.out[i]] = std::move(results_[i]);
    for (auto& a : args_) a = NDArray();
    for (int s : ins.release) pool_.release(std::move(slots[s]));
  }
}

}  // namespace theon
