#include "theon/graph/fgraph.hpp"

#include <unordered_map>
#include <unordered_set>

#include "theon/graph/clone.hpp"
#include "theon/graph/op.hpp"

namespace theon {

std::vector<Apply*> toposort(const std::vector<Var>& outputs) {
  std::vector<Apply*> order;
  std::unordered_set<const Apply*> done;
  std::vector<std::pair<Apply*, size_t>> stack;
  for (const auto& out : outputs) {
    if (!out->owner || done.count(out->owner)) continue;
    stack.push_back({out->owner, 0});
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next < node->inputs().size()) {
        Apply* in = node->inputs()[next++]->owner;
        if (in && !done.count(in)) {
          done.insert(in);
          stack.push_back({in, 0});
        }
        continue;
      }
      done.insert(node);
      order.push_back(node);
      stack.pop_back();
    }
  }
  // The root's insertions into `done` happen on completion; duplicates cannot arise because a
  // node is pushed only when not yet in `done`.
  return order;
}

std::vector<Var> graph_leaves(const std::vector<Var>& outputs) {
  std::vector<Var> leaves;
  std::unordered_set<const Variable*> seen;
  auto visit = [&](const Var& v) {
    if (!v->owner && seen.insert(v.get()).second) leaves.push_back(v);
  };
  for (const auto& o : outputs) visit(o);
  for (Apply* node : toposort(outputs)) {
    for (const auto& in : node->inputs()) visit(in);
  }
  return leaves;
}

FunctionGraph::FunctionGraph(std::vector<Var> inputs, const std::vector<Var>& outputs,
                             const std::vector<std::pair<Var, Var>>& replace)
    : inputs_(std::move(inputs)) {
  outputs_ = clone_replace(outputs, replace);
  nodes_ = toposort(outputs_);
  leaves_ = graph_leaves(outputs_);
  for (Apply* node : nodes_) {
    for (size_t i = 0; i < node->inputs().size(); ++i) {
      clients_[node->inputs()[i].get()].push_back({node, static_cast<int>(i)});
    }
  }
  for (const auto& o : outputs_) clients_[o.get()].push_back({nullptr, -1});
}

const std::vector<std::pair<Apply*, int>>& FunctionGraph::clients(const Variable* v) const {
  static const std::vector<std::pair<Apply*, int>> none;
  auto it = clients_.find(v);
  return it == clients_.end() ? none : it->second;
}

}  // namespace theon
