#include "theon/runtime/vm.hpp"

#include <algorithm>
#include <chrono>
#include <unordered_map>

#include "theon/core/error.hpp"
#include "theon/graph/op.hpp"
#include "theon/ops/ifelse.hpp"

namespace theon {
namespace {

// Runs `call`, rethrowing its error with the op's name and the node's context; `args` gives the
// host arrays the context lists, and is called only when there is an error.
template <class F, class Args>
void with_node_context(const Instruction& ins, Args&& args, F&& call) {
  try {
    call();
  } catch (const Error& e) {
    rethrow_with_message(
        e, node_error_message(*ins.node, e.what()) + node_error_context(*ins.node, args()));
  } catch (const std::bad_alloc&) {
    throw MemoryError(node_label(*ins.node) + ": out of memory" +
                      node_error_context(*ins.node, args()));
  }
}

}  // namespace

int Program::slot(const Variable* v) const {
  auto it = slot_of.find(v);
  return it == slot_of.end() ? -1 : it->second;
}

void VM::enable_timing(bool on) {
  timing_ = on;
  if (on) reset_timing();
}

void VM::reset_timing() {
  seconds_.assign(program_->code.size(), 0.0);
  calls_.assign(program_->code.size(), 0);
  run_seconds_ = 0;
  runs_ = 0;
  peak_bytes_ = 0;
}

void VM::record_live_bytes(const std::vector<Value>& slots) {
  std::unordered_map<const void*, size_t> buffers;
  for (const auto& v : slots) {
    if (v.is_array()) {
      size_t& bytes = buffers[v.array().buffer().get()];
      bytes = std::max(bytes, v.array().nbytes());
    } else if (v.object()) {
      buffers[v.object().get()] = v.object()->nbytes();
    }
  }
  size_t live = 0;
  for (const auto& [buffer, bytes] : buffers) live += bytes;
  peak_bytes_ = std::max(peak_bytes_, live);
}

void VM::add_hook(std::shared_ptr<InstructionHook> hook) {
  hooks_.push_back(std::move(hook));
}

void VM::run_arrays(const Instruction& ins, std::vector<NDArray>& args) {
  with_node_context(
      ins, [&]() -> const std::vector<NDArray>& { return args; },
      [&] { ins.kernel->run(args, results_); });
}

void VM::run_values(const Instruction& ins, std::vector<Value>& slots) {
  value_args_.resize(ins.in.size());
  for (size_t i = 0; i < ins.in.size(); ++i) value_args_[i] = slots[ins.in[i]];
  value_results_.resize(ins.out.size());
  for (size_t i = 0; i < ins.out.size(); ++i) value_results_[i] = std::move(slots[ins.out[i]]);
  auto host_arrays = [&] {
    std::vector<NDArray> arrays;
    for (const auto& v : value_args_) arrays.push_back(v.array());
    return arrays;
  };
  with_node_context(ins, host_arrays, [&] { ins.kernel->run_values(value_args_, value_results_); });
  for (size_t i = 0; i < ins.out.size(); ++i) slots[ins.out[i]] = std::move(value_results_[i]);
  for (auto& v : value_args_) v = Value();
}

template <bool Instrumented>
void VM::run_impl(std::vector<Value>& slots) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point run_start = Instrumented && timing_ ? Clock::now() : Clock::time_point();
  AllocatorScope scope(&pool_);
  const std::vector<Instruction>& code = program_->code;
  if (args_.size() != code.size()) args_.resize(code.size());
  auto step = [&](size_t pc) {
    const Instruction& ins = code[pc];
    // Only the kernel is timed: not the gathering of its arguments, nor the hooks.
    auto timed = [&](auto&& body) {
      if (Instrumented && timing_) {
        const Clock::time_point t0 = Clock::now();
        body();
        seconds_[pc] += std::chrono::duration<double>(Clock::now() - t0).count();
        ++calls_[pc];
      } else {
        body();
      }
    };
    if (ins.takes_values) {
      timed([&] { run_values(ins, slots); });
    } else {
      std::vector<NDArray>& args = args_[pc];
      // The arguments' buffers are let go however the instruction ends.
      struct ClearOnExit {
        std::vector<NDArray>& arrays;
        ~ClearOnExit() {
          for (auto& a : arrays) a.clear();
        }
      } clear_args{args};
      args.resize(ins.in.size());
      for (size_t i = 0; i < ins.in.size(); ++i) {
        const Value& v = slots[ins.in[i]];
        if (v.object()) {
          throw TypeError(ins.node->op()->name() + ": kernel '" + ins.kernel->origin() +
                          "' takes host arrays, input " + std::to_string(i) + " is a " +
                          v.describe());
        }
        args[i] = v.array();
      }
      results_.resize(ins.out.size());
      for (size_t i = 0; i < ins.out.size(); ++i) results_[i] = slots[ins.out[i]].take_array();
      if constexpr (Instrumented) {
        for (const auto& h : hooks_) h->before(pc, ins, args);
        timed([&] { run_arrays(ins, args); });
        for (const auto& h : hooks_) h->after(pc, ins, args, results_);
      } else {
        run_arrays(ins, args);
      }
      for (size_t i = 0; i < ins.out.size(); ++i) slots[ins.out[i]] = std::move(results_[i]);
    }
    if constexpr (Instrumented) {
      if (timing_) record_live_bytes(slots);
    }
    for (int s : ins.release) {
      if (slots[s].object()) {
        slots[s] = Value();
      } else {
        pool_.release(slots[s].take_array());
      }
    }
  };
  const std::vector<ConditionalBlock>& blocks = program_->blocks;
  if (blocks.empty()) {
    for (size_t pc = 0; pc < code.size(); ++pc) step(pc);
  } else {
    // Before each instruction, the blocks that begin there decide (outer ones first) whether
    // to jump past them; blocks that begin inside a skipped range are passed over.
    size_t next_block = 0;
    size_t pc = 0;
    while (pc < code.size()) {
      while (next_block < blocks.size() && static_cast<size_t>(blocks[next_block].begin) <= pc) {
        const ConditionalBlock& block = blocks[next_block++];
        if (static_cast<size_t>(block.begin) == pc && !block_runs(block, slots)) {
          pc = static_cast<size_t>(block.end);
        }
      }
      if (pc < code.size()) step(pc++);
    }
  }
  if constexpr (Instrumented) {
    if (timing_) {
      run_seconds_ += std::chrono::duration<double>(Clock::now() - run_start).count();
      ++runs_;
    }
  }
}

bool VM::block_runs(const ConditionalBlock& block, const std::vector<Value>& slots) {
  const Value& cond = slots[block.cond_slot];
  if (!cond.is_array()) {
    throw TypeError("ifelse: the condition must be a host scalar, got " + cond.describe());
  }
  return condition_holds(cond.array()) == block.when_true;
}

void VM::run(std::vector<Value>& slots) {
  if (timing_ || !hooks_.empty()) {
    run_impl<true>(slots);
  } else {
    run_impl<false>(slots);
  }
}

}  // namespace theon
