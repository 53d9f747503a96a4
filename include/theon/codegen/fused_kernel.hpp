// The CPU kernel of a Fused node: runs its generated loop once the module is compiled (over
// contiguous operands directly, otherwise through the loop planner, split across threads), and
// the op's reference kernel until then, or where the generated loop cannot take the case.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "theon/ops/fused.hpp"
#include "theon/runtime/kernel.hpp"

namespace theon::codegen {

// A generated step loop: runs the kernel `steps` times over `shape` (as FusedKernelFn reads
// shape and strides), operand k at base[k] + row[k] * row_bytes[k] at each step, its row
// advancing by one per step and wrapping to 0 at rows[k] (a ring; 0: never). feed[i] is the
// output whose row of the step before input i always is (-1: none), which steps of one
// element pass in a register. Leaves in row[k] the row of the step after the last. What a
// scan runs when its body is one fused loop.
using FusedStepLoopFn = void (*)(int64_t steps, int64_t nd, const int64_t* shape,
                                 const int64_t* strides, char* const* base,
                                 const int64_t* row_bytes, const int64_t* rows, int64_t* row,
                                 const int64_t* feed);

class FusedLoopKernel final : public Kernel {
 public:
  explicit FusedLoopKernel(std::shared_ptr<const Fused> op);
  const Fused& op() const { return *op_; }
  // Installs the compiled loop; thread-safe (the build finishes on a background thread), and
  // the next run uses it.
  void install(FusedKernelFn fn) const { native_->store(fn); }
  FusedKernelFn installed() const { return native_->load(); }
  // The slot the build writes to; it outlives the kernel when the function is dropped early.
  std::shared_ptr<std::atomic<FusedKernelFn>> slot() const { return native_; }
  // The step loop, built with the loop when the program was linked with step loops (a scan's
  // body); null until installed or when not built.
  FusedStepLoopFn step_loop() const { return step_loop_->load(); }
  std::shared_ptr<std::atomic<FusedStepLoopFn>> step_loop_slot() const { return step_loop_; }

  void run(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::string origin() const override { return installed() ? "generated" : "perform"; }
  // Whether the loop's output of `shape` may be written into its inplace input's buffer.
  bool writable_in_place(const std::vector<NDArray>& inputs, const Shape& shape) const;
  bool is_reference() const override { return installed() == nullptr; }

 private:
  void run_partial_reductions(FusedKernelFn fn, const Shape& shape, const std::vector<char*>& base,
                              const std::vector<int64_t>& strides, NDArray& out) const;
  bool run_contiguous(FusedKernelFn fn, const std::vector<NDArray>& inputs,
                      std::vector<NDArray>& outputs) const;
  void run_native(FusedKernelFn fn, const std::vector<NDArray>& inputs,
                  std::vector<NDArray>& outputs) const;

  std::shared_ptr<const Fused> op_;
  std::string name_;  // op_->name(), built once: errors name the op, and building costs a call
  std::shared_ptr<std::atomic<FusedKernelFn>> native_;
  std::shared_ptr<std::atomic<FusedStepLoopFn>> step_loop_;
  // For each output after the first, the inputs its value depends on: its shape is theirs
  // broadcast, which must be the loop's.
  std::vector<std::vector<int>> output_inputs_;
};

// Registers FusedLoopKernel as the CPU kernel of Fused nodes.
void register_fused_kernels();

}  // namespace theon::codegen
