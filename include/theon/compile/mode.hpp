// Compile modes: which rewrites run. FAST_RUN runs every rewrite tagged fast_run; FAST_COMPILE
// only merge and constant folding (tag fast_compile); NONE rewrites nothing. `including` and
// `excluding` add or remove rewrites by name or tag.
#pragma once

#include <set>
#include <string>

#include "theon/graph/fgraph.hpp"

namespace theon {

struct Mode {
  std::string name;  // "FAST_RUN", "FAST_COMPILE", "NONE"; empty: config.mode
  std::set<std::string> including;
  std::set<std::string> excluding;
};

// The mode with the config's defaults filled in (config.mode, optimizer_including/_excluding).
// Throws ValueError for an unknown mode name or an unknown rewrite name or tag.
Mode resolve_mode(const Mode& mode);
// Rewrites `fg` as `mode` says.
void optimize(FunctionGraph& fg, const Mode& mode);

}  // namespace theon
