// The CPU kernel of a FusedDraw node: the loop's generated kernel over tiles of a few thousand
// elements, each tile's draw made just before into a buffer that stays in the first-level
// cache. Where the operands are not all contiguous arrays of the draw's shape (or before the
// loop is compiled) it draws the whole sample and runs the loop's own kernel on it.
#pragma once

#include <memory>

#include "theon/codegen/fused_kernel.hpp"
#include "theon/ops/fused_draw.hpp"
#include "theon/ops/random.hpp"

namespace theon::codegen {

class FusedDrawKernel final : public Kernel {
 public:
  explicit FusedDrawKernel(std::shared_ptr<const FusedDraw> op);
  // The loop's kernel, which the linker's build installs the generated code into.
  const FusedLoopKernel& loop() const { return loop_; }

  void run(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::string origin() const override { return loop_.origin(); }
  bool is_reference() const override { return loop_.is_reference(); }

 private:
  bool run_tiles(FusedKernelFn fn, const DrawRanges& draw, const std::vector<NDArray>& inputs,
                 std::vector<NDArray>& outputs) const;

  std::shared_ptr<const FusedDraw> op_;
  FusedLoopKernel loop_;
};

// Registers FusedDrawKernel as the CPU kernel of FusedDraw nodes.
void register_fused_draw_kernel();

}  // namespace theon::codegen
