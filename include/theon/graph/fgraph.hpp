// FunctionGraph: the graph being compiled. It owns a private copy of the user's nodes (leaves
// are shared, since variables are immutable), with givens substituted, knows every variable's
// clients, and lets rewrites replace variables. Because the nodes are private copies, replace
// may rewire them in place: the user's graph never changes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "theon/graph/pointer_map.hpp"
#include "theon/graph/variable.hpp"

namespace theon {

// Nodes reachable from `outputs`, inputs before users. Iterative, so deep graphs are fine.
std::vector<Apply*> toposort(const std::vector<Var>& outputs);
// Leaf variables (inputs, constants, shared) reachable from `outputs`, in first-seen order.
std::vector<Var> graph_leaves(const std::vector<Var>& outputs);

class FunctionGraph;

// Listens to changes of a FunctionGraph (history, shape tracking, inplace validation...).
class FGraphFeature {
 public:
  virtual ~FGraphFeature() = default;
  // A node entered the graph (built by a rewrite, or at construction with reason "init").
  virtual void on_import(FunctionGraph&, Apply* node, const std::string& reason) {}
  // Input `i` of `node` is about to read `replacement` instead (a replacement rewires each
  // reader of the variable it replaces); node->inputs()[i] is still the variable it read.
  virtual void on_change_input(FunctionGraph&, Apply* node, size_t i, const Var& replacement) {}
  // Every use of `old` now reads `replacement`.
  virtual void on_replace(FunctionGraph&, const Var& old, const Var& replacement,
                          const std::string& reason) {}
  // A node left the graph (nothing reads it any more). It is still alive during the call.
  virtual void on_prune(FunctionGraph&, Apply* node) {}
};

class FunctionGraph {
 public:
  using Client = std::pair<Apply*, int>;  // (node, input index); node null for a graph output

  // Copies the graph of `outputs`; every variable in `replace` is substituted by its value
  // (which is copied as well). Replacements must have compatible types.
  FunctionGraph(std::vector<Var> inputs, const std::vector<Var>& outputs,
                const std::vector<std::pair<Var, Var>>& replace = {});

  const std::vector<Var>& inputs() const { return inputs_; }
  const std::vector<Var>& outputs() const { return outputs_; }
  // Topological order (recomputed after changes).
  const std::vector<Apply*>& nodes() const;
  // graph_leaves(outputs()), from the cached order.
  std::vector<Var> leaves() const;
  // The nodes that read `v` (one entry per use); null-node entries are uses as graph outputs.
  const std::vector<Client>& clients(const Variable* v) const;
  bool contains(const Apply* node) const { return nodes_set_.contains(node); }
  size_t num_nodes() const { return nodes_set_.size(); }

  // Makes every reader of `old` (and the graph outputs) read `replacement` instead. The types
  // must agree in dtype and ndim, and static sizes known on both sides must be equal
  // (TypeError naming `reason` otherwise). Nodes nothing reads any more leave the graph.
  // The nodes the replacement brings into the graph that were built without a creation trace
  // (by a rewrite) take the traces of the nodes they take the place of: old's node and the
  // nodes that leave the graph with it (a Gemv replacing y - dot(X, w) takes the sub's and the
  // dot's): their user's lines, and the ops the user wrote there (Apply::origin).
  void replace(const Var& old, const Var& replacement, const std::string& reason = "");
  // After `n` more replacements, replace() does nothing (DebugMode replays the rewrites up to
  // a point to find the one that changed a value); negative: no limit.
  void limit_replacements(int64_t n) { replacements_left_ = n; }
  void add_feature(std::shared_ptr<FGraphFeature> feature);
  template <class F>
  F* feature() const {
    for (const auto& f : features_) {
      if (auto* p = dynamic_cast<F*>(f.get())) return p;
    }
    return nullptr;
  }

 private:
  // Adds v's nodes that are not in the graph yet; returns them, inputs first.
  std::vector<Apply*> import_graph(const Var& v, const std::string& reason);
  // Removes `node` if nothing reads it, then its inputs' nodes likewise; appends what left.
  void prune(Apply* node, std::vector<const Apply*>* removed = nullptr);

  std::vector<Var> inputs_;
  std::vector<Var> outputs_;
  PointerSet<Apply> nodes_set_;
  std::unordered_map<const Variable*, std::vector<Client>> clients_;
  std::vector<std::shared_ptr<FGraphFeature>> features_;
  mutable std::vector<Apply*> order_;
  mutable bool order_valid_ = false;
  int64_t replacements_left_ = -1;
};

}  // namespace theon
