// The rewrite engine: node rewriters (local transformations of one node), graph rewriters
// (whole-graph passes such as merge), the fixpoint driver, and the database that modes query.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "theon/graph/fgraph.hpp"

namespace theon {

// Phases run in this order; each phase runs its graph passes, then its node rewriters to a
// fixpoint.
enum class Phase { Merge, Canonicalize, Stabilize, Specialize, Shape, Cleanup, Blas, Fusion, Inplace };
const char* phase_name(Phase p);

struct NodeRewriter {
  std::string name;
  // Op type names (Op::type_name()) this rewriter looks at; empty: every node.
  std::vector<std::string> tracks;
  // Returns replacements for the node's outputs (null entries keep an output), or nullopt when
  // the rewrite does not apply. Must preserve values and types.
  std::function<std::optional<std::vector<Var>>(FunctionGraph&, Apply*)> transform;
};

struct GraphRewriter {
  std::string name;
  // Returns true if it changed the graph.
  std::function<bool(FunctionGraph&)> apply;
};

// Applies `rewriters` to every node until none applies any more (or `max_passes` sweeps).
// Returns the number of replacements made.
int rewrite_to_fixpoint(FunctionGraph& fg, const std::vector<const NodeRewriter*>& rewriters,
                        int max_passes = 50);

// Records which rewrite replaced what, so that debugprint can say which rewrites fired.
class RewriteHistory : public FGraphFeature {
 public:
  struct Entry {
    std::string rewrite;
    std::string before;  // the replaced variable, printed
    std::string after;   // its replacement, printed
  };
  void on_import(FunctionGraph&, Apply* node, const std::string& reason) override;
  void on_replace(FunctionGraph&, const Var& old, const Var& replacement,
                  const std::string& reason) override;
  const std::vector<Entry>& entries() const { return entries_; }
  // The rewrite that built `node`, or "" for nodes of the user's graph.
  std::string built_by(const Apply* node) const;

 private:
  std::vector<Entry> entries_;
  std::unordered_map<const Apply*, std::string> built_by_;
};

// A database of rewrites by name, phase and tags. Every rewrite has the tag "fast_run" unless
// registered otherwise; merge and constant folding also have "fast_compile".
class RewriteDB {
 public:
  static RewriteDB& global();
  void add_node_rewriter(Phase phase, NodeRewriter rewriter, std::set<std::string> tags);
  void add_graph_rewriter(Phase phase, GraphRewriter rewriter, std::set<std::string> tags);
  std::vector<std::string> names() const;
  bool has(const std::string& name_or_tag) const;

  // Runs, phase by phase, every rewrite that has a tag in `include` (or whose name is there)
  // and neither a tag nor a name in `exclude`.
  void optimize(FunctionGraph& fg, const std::set<std::string>& include,
                const std::set<std::string>& exclude) const;

 private:
  struct NodeEntry {
    Phase phase;
    NodeRewriter rewriter;
    std::set<std::string> tags;
  };
  struct GraphEntry {
    Phase phase;
    GraphRewriter rewriter;
    std::set<std::string> tags;
  };
  std::vector<NodeEntry> node_rewriters_;
  std::vector<GraphEntry> graph_rewriters_;
};

// Registers every rewrite group once (src/rewrite/register_all.cpp).
void ensure_rewrites_registered();

}  // namespace theon
