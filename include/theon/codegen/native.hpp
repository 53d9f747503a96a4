// The generated kernels of one linked program: the loops of its Fused nodes, emitted as one
// module, loaded from the on-disk cache or compiled (in the background unless asked to wait),
// and installed into the program's FusedLoopKernels, which switch to them on their next run.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "theon/codegen/fused_kernel.hpp"

namespace theon::codegen {

class NativeBuild {
 public:
  // Starts the build for `kernels`. With `wait` it returns once the kernels are installed (or
  // failed); otherwise it returns at once when the module must be compiled. Without a compiler
  // (config.cxx empty or not runnable) nothing is built. With `step_loops` the module also
  // holds the step loop of each kernel that does not reduce.
  static std::shared_ptr<NativeBuild> start(const std::vector<const FusedLoopKernel*>& kernels,
                                            bool wait, bool step_loops = false);

  // Blocks until the build is over. Returns false if it failed (see error()) or was not made.
  bool wait() const;
  bool done() const;
  bool installed() const;
  std::string error() const;
  // The module's source ("" when there are no fused nodes or no compiler).
  const std::string& source() const;
  // Whether the kernels came from the on-disk cache without running the compiler.
  bool from_cache() const;
  // Seconds the compiler ran (0 when loaded from the cache or not built).
  double compile_seconds() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace theon::codegen
