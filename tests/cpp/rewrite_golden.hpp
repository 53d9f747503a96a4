// Golden rewrite tests: one rule group run alone on a graph, so that the expected text changes
// only when a rule of that group does.
#pragma once

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "theon/rewrite/pipeline.hpp"
#include "theon/theon.hpp"

namespace theon::test_util {

struct BeforeAfter {
  std::string before;
  std::string after;
};

// Tags that select FAST_RUN's rules plus those that assume finite floats.
inline const std::set<std::string> kFastMath{"fast_run", "fast_math"};

// The graph of inputs -> outputs printed (debugprint without types) before and after the rules
// of `group` that `tags` select (FAST_RUN's by default) ran on it to a fixpoint.
inline BeforeAfter run_one_group(const std::string& group, const std::vector<Var>& inputs,
                                 const std::vector<Var>& outputs,
                                 const std::set<std::string>& tags = {"fast_run"}) {
  FunctionGraph fg(inputs, outputs);
  DebugPrintOptions plain;
  plain.print_type = false;
  BeforeAfter text;
  text.before = debugprint(fg.outputs(), plain);
  run_group(fg, group, RewriteFilter{tags, {}});
  text.after = debugprint(fg.outputs(), plain);
  return text;
}

// Expects run_one_group's texts to be `before` and `after`.
inline void expect_rewrite(const std::string& group, const std::vector<Var>& inputs,
                           const std::vector<Var>& outputs, const std::string& before,
                           const std::string& after,
                           const std::set<std::string>& tags = {"fast_run"}) {
  const BeforeAfter text = run_one_group(group, inputs, outputs, tags);
  EXPECT_EQ(text.before, before) << "graph given to " << group;
  EXPECT_EQ(text.after, after) << "after " << group;
}

}  // namespace theon::test_util
