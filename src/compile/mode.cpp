#include "theon/compile/mode.hpp"

#include <sstream>

#include "theon/core/config.hpp"
#include "theon/core/error.hpp"
#include "theon/rewrite/pipeline.hpp"

namespace theon {
namespace {

std::set<std::string> split(const std::string& s) {
  std::set<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ':')) {
    if (!item.empty()) out.insert(item);
  }
  return out;
}

}  // namespace

Mode resolve_mode(const Mode& mode) {
  const Config& c = Config::global();
  Mode m = mode;
  if (m.name.empty()) m.name = c.get("mode");
  // NanGuardMode checks each op's output, so it keeps ops apart rather than fusing them.
  if (m.name == "NanGuardMode") {
    m.nan_guard = true;
    if (!m.including.count("fusion")) m.excluding.insert("fusion");
  }
  if (m.name == "DebugMode") m.debug_checks = true;
  if (m.name != "FAST_RUN" && m.name != "FAST_COMPILE" && m.name != "NONE" &&
      m.name != "NanGuardMode" && m.name != "DebugMode") {
    throw ValueError("unknown mode '" + m.name +
                     "'; expected FAST_RUN, FAST_COMPILE, NONE, NanGuardMode or DebugMode");
  }
  for (const auto& s : split(c.get("optimizer_including"))) m.including.insert(s);
  for (const auto& s : split(c.get("optimizer_excluding"))) m.excluding.insert(s);
  // FAST_COMPILE and NONE run few rewrites on purpose; fast_math adds to FAST_RUN's.
  if (c.get("fast_math") == "True" && m.name != "FAST_COMPILE" && m.name != "NONE") {
    m.including.insert("fast_math");
  }
  for (const auto* set : {&m.including, &m.excluding}) {
    for (const auto& n : *set) {
      if (!is_rewrite_name_or_tag(n)) {
        throw ValueError("mode: no rewrite or tag named '" + n + "'");
      }
    }
  }
  return m;
}

void optimize(FunctionGraph& fg, const Mode& mode) {
  const Mode m = resolve_mode(mode);
  const ModePipeline& pipeline = mode_pipeline(m.name);
  RewriteFilter filter{pipeline.tags, m.excluding};
  filter.include.insert(m.including.begin(), m.including.end());
  run_pipeline(fg, pipeline.passes, filter);
}

}  // namespace theon
