// The VM: runs a linked program (ordered instructions over numbered storage slots) without
// touching Python. Each instruction calls one node's kernel; storage is released after its last
// use.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "theon/core/ndarray.hpp"
#include "theon/core/value.hpp"
#include "theon/graph/variable.hpp"
#include "theon/runtime/buffer_pool.hpp"
#include "theon/runtime/kernel.hpp"

namespace theon {

struct Instruction {
  Apply* node;               // for the op and for error messages
  const Kernel* kernel;      // owned by the Program
  bool takes_values;         // kernel->takes_values(), read once when linking
  std::vector<int> in;       // input slots
  std::vector<int> out;      // output slots
  std::vector<int> release;  // slots whose last reader is this instruction
};

// A run of instructions [begin, end) that executes only when the scalar in `cond_slot` is
// nonzero (when_true) or zero (!when_true): one branch of an ifelse. The instruction at `join`
// (the ifelse itself) always runs when the block's enclosing code runs.
struct ConditionalBlock {
  int begin;
  int end;
  int cond_slot;
  bool when_true;
  int join;
};

// What the linker makes of a graph: the schedule with one kernel per node, and the storage
// plan (which slot holds which variable; what is filled in before a run; what is kept after).
struct Program {
  std::vector<Instruction> code;
  std::vector<std::unique_ptr<Kernel>> kernels;
  int num_slots = 0;
  std::unordered_map<const Variable*, int> slot_of;
  std::vector<int> output_slots;  // the graph's outputs, in order
  std::vector<std::pair<int, std::shared_ptr<const NDArray>>> constant_slots;
  std::vector<std::pair<int, std::shared_ptr<SharedValue>>> shared_slots;
  // Non-empty blocks sorted by begin, an enclosing block before the blocks it holds. Empty for
  // a graph without ifelse, whose run is the plain loop over `code`.
  std::vector<ConditionalBlock> blocks;

  // The slot of `v`, or -1 when the program does not read it.
  int slot(const Variable* v) const;
};

// Called around each instruction over host arrays when installed (NanGuardMode, DebugMode).
// `before` sees the inputs and the output slots as they arrive; `after` sees them once the
// kernel has run. Either may throw to stop the run.
class InstructionHook {
 public:
  virtual ~InstructionHook() = default;
  virtual void before(size_t pc, const Instruction& ins, const std::vector<NDArray>& inputs) {}
  virtual void after(size_t pc, const Instruction& ins, const std::vector<NDArray>& inputs,
                     const std::vector<NDArray>& outputs) = 0;
};

class VM {
 public:
  explicit VM(std::shared_ptr<const Program> program) : program_(std::move(program)) {}
  // Runs the instructions over `slots` (sized num_slots, with inputs, constants and shared
  // values filled in), skipping the conditional blocks whose condition fails. On failure
  // rethrows the op's error with the node's context.
  void run(std::vector<Value>& slots);
  const Program& program() const { return *program_; }
  // Gives a buffer this VM's pool allocated back to it (see BufferPool::take_back): a shared
  // variable's previous value, which the next run's update can then be written into.
  bool recycle(NDArray& array) { return pool_.take_back(array); }

  // Per-instruction timing (the profiler) and hooks. When neither is on, run() takes the plain
  // loop: the cost is one branch per run.
  void enable_timing(bool on);
  bool timing() const { return timing_; }
  void add_hook(std::shared_ptr<InstructionHook> hook);
  // Seconds spent in each instruction's kernel and how often it completed, since the last reset.
  const std::vector<double>& instruction_seconds() const { return seconds_; }
  const std::vector<int64_t>& instruction_calls() const { return calls_; }
  // Seconds spent in run() (all of it, loop and releases included) and how many runs completed.
  double run_seconds() const { return run_seconds_; }
  // The most memory held at once by the arrays in the slots (each buffer counted once) after
  // any instruction of a timed run: the storage plan's peak, inputs and outputs included.
  size_t peak_bytes() const { return peak_bytes_; }
  int64_t runs() const { return runs_; }
  void reset_timing();

 private:
  template <bool Instrumented>
  void run_impl(std::vector<Value>& slots);
  // Whether the block's condition lets it run (reads the condition's slot).
  static bool block_runs(const ConditionalBlock& block, const std::vector<Value>& slots);
  void run_arrays(const Instruction& ins, std::vector<NDArray>& args);
  void run_values(const Instruction& ins, std::vector<Value>& slots);
  void record_live_bytes(const std::vector<Value>& slots);

  std::shared_ptr<const Program> program_;
  BufferPool pool_;
  // Each instruction's argument list, kept between runs: cleared arrays keep the capacity of
  // their shapes and strides, so assigning a run's arguments allocates nothing.
  std::vector<std::vector<NDArray>> args_;
  std::vector<NDArray> results_;
  std::vector<Value> value_args_;
  std::vector<Value> value_results_;
  bool timing_ = false;
  std::vector<std::shared_ptr<InstructionHook>> hooks_;
  std::vector<double> seconds_;
  std::vector<int64_t> calls_;
  double run_seconds_ = 0;
  int64_t runs_ = 0;
  size_t peak_bytes_ = 0;
};

}  // namespace theon
