// Compile modes: which rewrites run. FAST_RUN runs every rewrite tagged fast_run; FAST_COMPILE
// only merge and constant folding (tag fast_compile); NONE rewrites nothing. `including` and
// `excluding` add or remove rewrites by name or tag. NanGuardMode and DebugMode rewrite as
// FAST_RUN and add run-time checks after every node (see include/theon/compile/guards.hpp).
// The passes, and which rules each runs: src/rewrite/pipeline.cpp.
#pragma once

#include <set>
#include <string>

#include "theon/graph/fgraph.hpp"

namespace theon {

struct Mode {
  std::string name;  // "FAST_RUN", "FAST_COMPILE", "NONE", "NanGuardMode", "DebugMode";
                     // empty: config.mode
  std::set<std::string> including;
  std::set<std::string> excluding;
  // Checks float outputs of every node for NaN and Inf (set by the name NanGuardMode too).
  bool nan_guard = false;
  // With nan_guard: values with |x| > nan_guard_big are errors too (0: no such check).
  double nan_guard_big = 0;
  // DebugMode's checks: inputs not modified, no undeclared aliasing, two runs agree (set by
  // the name DebugMode too).
  bool debug_checks = false;
};

// The mode with the config's defaults filled in (config.mode, optimizer_including/_excluding).
// Throws ValueError for an unknown mode name or an unknown rewrite name or tag.
Mode resolve_mode(const Mode& mode);
// Rewrites `fg` as `mode` says.
void optimize(FunctionGraph& fg, const Mode& mode);

}  // namespace theon
