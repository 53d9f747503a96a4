// The rewrite pipeline: for each compile mode, the passes that run in order and the tags that
// pick their rules. The passes are listed in src/rewrite/pipeline.cpp; the rules, by group, in
// theon/rewrite/groups.hpp.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "theon/rewrite/rewriter.hpp"

namespace theon {

// A rule runs when its name or one of its tags is in `include` and none of them is in
// `exclude`.
struct RewriteFilter {
  std::set<std::string> include;
  std::set<std::string> exclude;
  bool admits(const std::string& name, const std::set<std::string>& tags) const;
};

// One step of a pipeline: the graph rewriters of its groups run once each, in order, then the
// node rewriters of its groups together to a fixpoint (tried on a node in the groups' order).
struct Pass {
  std::string name;
  std::vector<std::string> groups;
};

struct ModePipeline {
  std::vector<Pass> passes;
  std::set<std::string> tags;  // the rules the mode runs before `including`/`excluding`
};

// The pipeline of FAST_RUN, FAST_COMPILE, NONE, NanGuardMode or DebugMode (ValueError for any
// other name).
const ModePipeline& mode_pipeline(const std::string& mode);

std::vector<std::string> rule_group_names();
// True if a rule of some group has this name or tag.
bool is_rewrite_name_or_tag(const std::string& name);

// Appends a rule to `group`, for rules defined outside the library (a test plants a wrong one
// to check DebugMode). Must not run while another thread compiles a function.
void add_node_rewriter(const std::string& group, NodeRewriter rule);

// Runs one pass with the rules `filter` admits. Returns the number of changes: node
// replacements plus graph rewriters that changed the graph.
int run_pass(FunctionGraph& fg, const Pass& pass, const RewriteFilter& filter);
// Runs the single group `group` as a pass (ValueError for an unknown group).
int run_group(FunctionGraph& fg, const std::string& group, const RewriteFilter& filter);
// Runs the passes in order. With config.optimizer_print_passes, prints the graph to stderr
// after each pass that has rules to run.
void run_pipeline(FunctionGraph& fg, const std::vector<Pass>& passes, const RewriteFilter& filter);

}  // namespace theon
