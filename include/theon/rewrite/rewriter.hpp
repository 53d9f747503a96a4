// The rewrite engine: node rewriters (local transformations of one node), graph rewriters
// (whole-graph passes such as merge), the fixpoint driver, and the history of what fired.
// Which rewrites run, and in what order, is the pipeline's business (theon/rewrite/pipeline.hpp).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "theon/graph/fgraph.hpp"
#include "theon/graph/pointer_map.hpp"

namespace theon {

struct NodeRewriter {
  std::string name;
  // Op type names (Op::type_name()) this rewriter looks at; empty: every node.
  std::vector<std::string> tracks;
  // Returns replacements for the node's outputs (null entries keep an output), or nullopt when
  // the rewrite does not apply. Must preserve values and types.
  std::function<std::optional<std::vector<Var>>(FunctionGraph&, Apply*)> transform;
  // What modes select it by besides its name ("fast_run", "canonicalize", ...).
  std::set<std::string> tags;
};

struct GraphRewriter {
  std::string name;
  // Returns true if it changed the graph.
  std::function<bool(FunctionGraph&)> apply;
  std::set<std::string> tags;  // as NodeRewriter::tags
};

// Applies `rewriters` to every node until none applies any more (or `max_passes` sweeps).
// Returns the number of replacements made.
int rewrite_to_fixpoint(FunctionGraph& fg, const std::vector<const NodeRewriter*>& rewriters,
                        int max_passes = 50);

// Records which rewrite replaced what, so that debugprint can say which rewrites fired. The
// replaced variable and its replacement are printed when the entries are first read, as they
// were at the replacement: the history keeps them, and the inputs every later replacement took
// from a node that it rewired.
class RewriteHistory : public FGraphFeature {
 public:
  struct Entry {
    std::string rewrite;
    std::string before;  // the replaced variable, printed
    std::string after;   // its replacement, printed
  };
  void on_import(FunctionGraph&, Apply* node, const std::string& reason) override;
  void on_change_input(FunctionGraph&, Apply* node, size_t i, const Var& replacement) override;
  void on_replace(FunctionGraph&, const Var& old, const Var& replacement,
                  const std::string& reason) override;
  // Safe to call from several threads once the graph no longer changes.
  const std::vector<Entry>& entries() const;
  size_t size() const { return replacements_.size(); }  // entries().size(), nothing printed
  // The rewrite that built `node`, or "" for nodes of the user's graph.
  std::string built_by(const Apply* node) const;

 private:
  struct Replacement {
    std::string rewrite;
    Var before, after;
  };
  // Input `input` of a node read `previous` until replacement number `replacement` rewired it.
  struct Rewiring {
    size_t input;
    size_t replacement;
    Var previous;
  };
  struct RewiredNode {
    std::shared_ptr<const Apply> node;  // kept alive: its address is the key
    std::vector<Rewiring> rewirings;    // in order
  };
  // `v` printed with the inputs its nodes had just after replacement number `when`.
  std::string print_as_of(const Var& v, size_t when) const;

  std::vector<Replacement> replacements_;
  PointerMap<Apply, RewiredNode> rewired_;
  PointerMap<Apply, std::string> built_by_;
  mutable std::mutex printing_;
  mutable std::vector<Entry> entries_;  // replacements_ printed so far
};

}  // namespace theon
