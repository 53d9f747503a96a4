// The linker: turns a rewritten FunctionGraph into a Program (a schedule with one kernel per
// node, chosen by op and device from the kernel registry, and a storage plan) and starts the
// build of its generated kernels. `function()` uses it; scan bodies, OpFromGraph and saved
// functions reuse it.
#pragma once

#include <memory>

#include "theon/codegen/native.hpp"
#include "theon/compile/mode.hpp"
#include "theon/graph/fgraph.hpp"
#include "theon/runtime/vm.hpp"

namespace theon {

struct LinkOptions {
  // Return only once the generated kernels are installed (or failed to build).
  bool wait_for_kernels = false;
  // Build the step loops of the fused kernels too (a scan's body, whose steps may run as one
  // call of its loop).
  bool step_loops = false;
};

struct Linked {
  std::shared_ptr<const Program> program;
  std::shared_ptr<codegen::NativeBuild> native;
  double rewrite_seconds = 0;  // compile() only
  double codegen_seconds = 0;  // emitting and starting (or waiting for) the native build
  double link_seconds = 0;     // kernels and storage plan
};

// Links `fg` as it stands. The program refers to fg's nodes: fg must outlive it.
Linked link(const FunctionGraph& fg, const LinkOptions& options);
// Rewrites `fg` as `mode` says, then links it.
Linked compile(FunctionGraph& fg, const Mode& mode, const LinkOptions& options);

// Registers the kernels that are not an op's own perform (once per process).
void ensure_kernels_registered();

}  // namespace theon
