// FunctionGraph: the graph being compiled. It owns a copy of the user's nodes (leaves are shared,
// since variables are immutable), with givens substituted, and knows every variable's clients.
#pragma once

#include <map>
#include <vector>

#include "theon/graph/variable.hpp"

namespace theon {

// Nodes reachable from `outputs`, inputs before users. Iterative, so deep graphs are fine.
std::vector<Apply*> toposort(const std::vector<Var>& outputs);
// Leaf variables (inputs, constants, shared) reachable from `outputs`, in first-seen order.
std::vector<Var> graph_leaves(const std::vector<Var>& outputs);

class FunctionGraph {
 public:
  // Copies the graph of `outputs`; every variable in `replace` is substituted by its value
  // (which is copied as well). Replacements must have compatible types.
  FunctionGraph(std::vector<Var> inputs, const std::vector<Var>& outputs,
                const std::vector<std::pair<Var, Var>>& replace = {});

  const std::vector<Var>& inputs() const { return inputs_; }
  const std::vector<Var>& outputs() const { return outputs_; }
  const std::vector<Apply*>& nodes() const { return nodes_; }  // topological order
  const std::vector<Var>& leaves() const { return leaves_; }
  // The nodes that read `v` (one entry per use), and -1 entries for uses as a graph output.
  const std::vector<std::pair<Apply*, int>>& clients(const Variable* v) const;

 private:
  std::vector<Var> inputs_;
  std::vector<Var> outputs_;
  std::vector<Apply*> nodes_;
  std::vector<Var> leaves_;
  std::map<const Variable*, std::vector<std::pair<Apply*, int>>> clients_;
};

}  // namespace theon
