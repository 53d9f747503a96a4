// Golden rewrite tests: one rule group run alone on a graph, so that the expected text changes
// only when a rule of that group does.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "theon/rewrite/pipeline.hpp"
#include "theon/theon.hpp"

namespace theon::test_util {

struct BeforeAfter {
  std::string before;
  std::string after;
};

// The graph of inputs -> outputs printed (debugprint without types) before and after the rules
// of `group` that FAST_RUN selects ran on it to a fixpoint.
inline BeforeAfter run_one_group(const std::string& group, const std::vector<Var>& inputs,
                                 const std::vector<Var>& outputs) {
  FunctionGraph fg(inputs, outputs);
  DebugPrintOptions plain;
  plain.print_type = false;
  BeforeAfter text;
  text.before = debugprint(fg.outputs(), plain);
  run_group(fg, group, RewriteFilter{{"fast_run"}, {}});
  text.after = debugprint(fg.outputs(), plain);
  return text;
}

// Expects run_one_group's texts to be `before` and `after`.
inline void expect_rewrite(const std::string& group, const std::vector<Var>& inputs,
                           const std::vector<Var>& outputs, const std::string& before,
                           const std::string& after) {
  const BeforeAfter text = run_one_group(group, inputs, outputs);
  EXPECT_EQ(text.before, before) << "graph given to " << group;
  EXPECT_EQ(text.after, after) << "after " << group;
}

}  // namespace theon::test_util
