// What the optimizer runs, in order: the rule groups by name, the passes that run them, and the
// tags by which each mode picks rules. A new group joins the table, a new pass the list.
#include "theon/rewrite/pipeline.hpp"

#include <iostream>
#include <map>

#include "theon/core/config.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/printing.hpp"
#include "theon/rewrite/groups.hpp"

namespace theon {
namespace {

struct RuleGroup {
  std::vector<GraphRewriter> graph_rewriters;
  std::vector<NodeRewriter> node_rewriters;
};

template <class T>
std::vector<T> concat(std::vector<T> a, const std::vector<T>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::map<std::string, RuleGroup>& rule_groups() {
  static std::map<std::string, RuleGroup> groups = {
      {"merge", {merge_rewriters(), {}}},
      {"inline", {{}, inline_rules()}},
      {"constant_folding", {{}, constant_folding_rules()}},
      {"canonicalize", {{}, canonicalize_rules()}},
      {"ifelse", {ifelse_graph_rewriters(), ifelse_rules()}},
      {"stabilize", {{}, concat(stabilize_rules(), linalg_rules())}},
      {"specialize", {{}, specialize_rules()}},
      {"shape_cleanup",
       {{}, concat(canonicalize_shape_cleanup_rules(), stabilize_shape_cleanup_rules())}},
      {"shape", {{}, shape_rules()}},
      {"device_placement", {device_placement_rewriters(), {}}},
      {"blas", {{}, blas_rules()}},
      {"fusion", {concat(row_reduction_rewriters(), fusion_rewriters()), {}}},
      {"inplace", {{}, concat(blas_inplace_rules(), inplace_rules())}},
      {"draw_fusion", {draw_fusion_rewriters(), {}}},
      {"scan", {{}, scan_rules()}},
      {"scan_memory", {scan_graph_rewriters(), {}}},
  };
  return groups;
}

// The passes, in order; each names the groups whose rules it runs. Every mode walks this list:
// the mode's tags pick the rules it runs by default, and its `including` may add any rule,
// which then runs in its pass.
const std::vector<Pass>& passes() {
  static const std::vector<Pass> list = {
      // OpFromGraph(inline=True) nodes are expanded first, so every later pass sees their graphs.
      {"merge", {"merge", "inline"}},
      {"canonicalize", {"constant_folding", "canonicalize", "ifelse", "scan"}},
      {"stabilize", {"stabilize"}},
      {"specialize", {"constant_folding", "specialize"}},
      // Shape rules build make_vector(x.shape[0], ...) and Shape_i nodes, which often fold.
      {"shape", {"constant_folding", "shape_cleanup", "shape"}},
      // Before blas and fusion, which then build their nodes on the device.
      {"device_placement", {"device_placement"}},
      {"blas", {"blas"}},
      // After the shape rules, so that reads of a scan's shape no longer hold its whole output.
      {"scan_memory", {"scan_memory"}},
      {"fusion", {"fusion"}},
      // Rewrites build nodes that duplicate others. Inplace relies on each variable it destroys
      // having one reader, so the duplicates must be one node first.
      {"final_merge", {"merge"}},
      {"inplace", {"inplace"}},
      // After inplace, whose rules know Fused nodes and not the FusedDraw this builds.
      {"draw_fusion", {"draw_fusion"}},
  };
  return list;
}

}  // namespace

const ModePipeline& mode_pipeline(const std::string& mode) {
  static const ModePipeline fast_run{passes(), {"fast_run"}};          // every rule
  static const ModePipeline fast_compile{passes(), {"fast_compile"}};  // merge, constant folding
  static const ModePipeline none{passes(), {}};  // only the rules `including` names
  // NanGuardMode and DebugMode rewrite as FAST_RUN; their checks run with the function.
  if (mode == "FAST_RUN" || mode == "NanGuardMode" || mode == "DebugMode") return fast_run;
  if (mode == "FAST_COMPILE") return fast_compile;
  if (mode == "NONE") return none;
  throw ValueError("no rewrite pipeline for mode '" + mode + "'");
}

bool RewriteFilter::admits(const std::string& name, const std::set<std::string>& tags) const {
  if (exclude.count(name)) return false;
  bool in = include.count(name) != 0;
  for (const auto& t : tags) {
    if (exclude.count(t)) return false;
    in = in || include.count(t);
  }
  return in;
}

std::vector<std::string> rule_group_names() {
  std::vector<std::string> names;
  for (const auto& [name, group] : rule_groups()) names.push_back(name);
  return names;
}

bool is_rewrite_name_or_tag(const std::string& name) {
  auto named = [&](const auto& rule) { return rule.name == name || rule.tags.count(name); };
  for (const auto& [group_name, group] : rule_groups()) {
    for (const auto& r : group.graph_rewriters) {
      if (named(r)) return true;
    }
    for (const auto& r : group.node_rewriters) {
      if (named(r)) return true;
    }
  }
  return false;
}

void add_node_rewriter(const std::string& group, NodeRewriter rule) {
  auto it = rule_groups().find(group);
  if (it == rule_groups().end()) throw ValueError("no rewrite group named '" + group + "'");
  it->second.node_rewriters.push_back(std::move(rule));
}

namespace {

struct SelectedRules {
  std::vector<const GraphRewriter*> graph_rewriters;
  std::vector<const NodeRewriter*> node_rewriters;
  bool empty() const { return graph_rewriters.empty() && node_rewriters.empty(); }
};

SelectedRules select(const Pass& pass, const RewriteFilter& filter) {
  SelectedRules selected;
  for (const auto& name : pass.groups) {
    auto it = rule_groups().find(name);
    if (it == rule_groups().end()) throw ValueError("no rewrite group named '" + name + "'");
    for (const auto& r : it->second.graph_rewriters) {
      if (filter.admits(r.name, r.tags)) selected.graph_rewriters.push_back(&r);
    }
    for (const auto& r : it->second.node_rewriters) {
      if (filter.admits(r.name, r.tags)) selected.node_rewriters.push_back(&r);
    }
  }
  return selected;
}

int run_selected(FunctionGraph& fg, const SelectedRules& rules) {
  LocationScope no_location("");  // as in rewrite_to_fixpoint, for the graph rewriters
  int changes = 0;
  for (const GraphRewriter* r : rules.graph_rewriters) changes += r->apply(fg) ? 1 : 0;
  if (!rules.node_rewriters.empty()) changes += rewrite_to_fixpoint(fg, rules.node_rewriters);
  return changes;
}

}  // namespace

int run_pass(FunctionGraph& fg, const Pass& pass, const RewriteFilter& filter) {
  return run_selected(fg, select(pass, filter));
}

int run_group(FunctionGraph& fg, const std::string& group, const RewriteFilter& filter) {
  return run_pass(fg, {group, {group}}, filter);
}

void run_pipeline(FunctionGraph& fg, const std::vector<Pass>& passes, const RewriteFilter& filter) {
  const bool print = Config::global().get("optimizer_print_passes") == "True";
  for (size_t i = 0; i < passes.size(); ++i) {
    const SelectedRules rules = select(passes[i], filter);
    if (rules.empty()) continue;
    const int changes = run_selected(fg, rules);
    if (print) {
      std::cerr << "optimizer: after pass " << i + 1 << "/" << passes.size() << " '"
                << passes[i].name << "' (" << changes << " changes)\n"
                << debugprint(fg.outputs());
    }
  }
}

}  // namespace theon
