#include "theon/runtime/vm.hpp"

#include <algorithm>
#include <chrono>
#include <unordered_map>

#include "theon/core/error.hpp"
#include "theon/graph/op.hpp"

namespace theon {

void VM::enable_timing(bool on) {
  timing_ = on;
  if (on) reset_timing();
}

void VM::reset_timing() {
  seconds_.assign(program_.code.size(), 0.0);
  calls_.assign(program_.code.size(), 0);
  run_seconds_ = 0;
  runs_ = 0;
  peak_bytes_ = 0;
}

void VM::record_live_bytes(const std::vector<NDArray>& slots) {
  std::unordered_map<const void*, size_t> buffers;
  for (const auto& a : slots) {
    if (!a.defined()) continue;
    size_t& bytes = buffers[a.buffer().get()];
    bytes = std::max(bytes, a.nbytes());
  }
  size_t live = 0;
  for (const auto& [buffer, bytes] : buffers) live += bytes;
  peak_bytes_ = std::max(peak_bytes_, live);
}

void VM::add_hook(std::shared_ptr<InstructionHook> hook) {
  hooks_.push_back(std::move(hook));
}

void VM::perform(const Instruction& ins) {
  try {
    ins.node->op()->perform(args_, results_);
  } catch (const Error& e) {
    std::string msg = e.what();
    const std::string prefix = ins.node->op()->name() + ":";
    if (msg.rfind(prefix, 0) != 0) msg = ins.node->op()->name() + ": " + msg;
    rethrow_with_message(e, msg + node_error_context(*ins.node, args_));
  } catch (const std::bad_alloc&) {
    throw Error(ErrorKind::Runtime,
                ins.node->op()->name() + ": out of memory" + node_error_context(*ins.node, args_));
  }
}

template <bool Instrumented>
void VM::run_impl(std::vector<NDArray>& slots) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point run_start = Instrumented && timing_ ? Clock::now() : Clock::time_point();
  AllocatorScope scope(&pool_);
  for (size_t pc = 0; pc < program_.code.size(); ++pc) {
    const Instruction& ins = program_.code[pc];
    args_.resize(ins.in.size());
    for (size_t i = 0; i < ins.in.size(); ++i) args_[i] = slots[ins.in[i]];
    results_.resize(ins.out.size());
    for (size_t i = 0; i < ins.out.size(); ++i) results_[i] = std::move(slots[ins.out[i]]);
    if constexpr (Instrumented) {
      for (const auto& h : hooks_) h->before(pc, ins, args_);
      if (timing_) {
        const Clock::time_point t0 = Clock::now();
        perform(ins);
        seconds_[pc] += std::chrono::duration<double>(Clock::now() - t0).count();
        ++calls_[pc];
      } else {
        perform(ins);
      }
      for (const auto& h : hooks_) h->after(pc, ins, args_, results_);
    } else {
      perform(ins);
    }
    for (size_t i = 0; i < ins.out.size(); ++i) slots[ins.out[i]] = std::move(results_[i]);
    if constexpr (Instrumented) {
      if (timing_) record_live_bytes(slots);
    }
    for (auto& a : args_) a = NDArray();
    for (int s : ins.release) pool_.release(std::move(slots[s]));
  }
  if constexpr (Instrumented) {
    if (timing_) {
      run_seconds_ += std::chrono::duration<double>(Clock::now() - run_start).count();
      ++runs_;
    }
  }
}

void VM::run(std::vector<NDArray>& slots) {
  if (timing_ || !hooks_.empty()) {
    run_impl<true>(slots);
  } else {
    run_impl<false>(slots);
  }
}

}  // namespace theon
