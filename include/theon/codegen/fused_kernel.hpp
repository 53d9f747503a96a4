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

  void run(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::string origin() const override { return installed() ? "generated" : "perform"; }
  bool is_reference() const override { return installed() == nullptr; }

 private:
  void run_partial_reductions(FusedKernelFn fn, const Shape& shape, const std::vector<char*>& base,
                              const std::vector<int64_t>& strides, NDArray& out) const;
  bool writable_in_place(const std::vector<NDArray>& inputs, const Shape& shape) const;
  bool run_contiguous(FusedKernelFn fn, const std::vector<NDArray>& inputs,
                      std::vector<NDArray>& outputs) const;
  void run_native(FusedKernelFn fn, const std::vector<NDArray>& inputs,
                  std::vector<NDArray>& outputs) const;

  std::shared_ptr<const Fused> op_;
  std::string name_;  // op_->name(), built once: errors name the op, and building costs a call
  std::shared_ptr<std::atomic<FusedKernelFn>> native_;
};

// Registers FusedLoopKernel as the CPU kernel of Fused nodes.
void register_fused_kernels();

}  // namespace theon::codegen
