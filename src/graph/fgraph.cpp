#include "theon/graph/fgraph.hpp"

#include <algorithm>
#include <unordered_map>

#include "theon/core/error.hpp"
#include "theon/graph/clone.hpp"
#include "theon/graph/op.hpp"
#include "theon/graph/pointer_map.hpp"

namespace theon {

namespace {

// toposort, with room made at once for `expected` nodes (the size of the graph, when known).
std::vector<Apply*> toposort_sized(const std::vector<Var>& outputs, size_t expected) {
  std::vector<Apply*> order;
  order.reserve(expected);
  PointerSet<Apply> done;
  done.reserve(expected);
  std::vector<std::pair<Apply*, size_t>> stack;
  for (const auto& out : outputs) {
    if (!out->owner || done.contains(out->owner)) continue;
    stack.push_back({out->owner, 0});
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next < node->inputs().size()) {
        Apply* in = node->inputs()[next++]->owner;
        if (in && done.insert(in)) stack.push_back({in, 0});
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

}  // namespace

std::vector<Apply*> toposort(const std::vector<Var>& outputs) {
  return toposort_sized(outputs, 0);
}

namespace {

// The leaves of `outputs`, whose nodes are `order` (their toposort).
std::vector<Var> leaves_in_order(const std::vector<Var>& outputs,
                                 const std::vector<Apply*>& order) {
  std::vector<Var> leaves;
  PointerSet<Variable> seen;
  auto visit = [&](const Var& v) {
    if (!v->owner && seen.insert(v.get())) leaves.push_back(v);
  };
  for (const auto& o : outputs) visit(o);
  for (Apply* node : order) {
    for (const auto& in : node->inputs()) visit(in);
  }
  return leaves;
}

}  // namespace

std::vector<Var> graph_leaves(const std::vector<Var>& outputs) {
  return leaves_in_order(outputs, toposort(outputs));
}

FunctionGraph::FunctionGraph(std::vector<Var> inputs, const std::vector<Var>& outputs,
                             const std::vector<std::pair<Var, Var>>& replace)
    : inputs_(std::move(inputs)) {
  outputs_ = clone_replace(outputs, replace);
  for (size_t k = 0; k < outputs_.size(); ++k) {
    const std::vector<Apply*> fresh = import_graph(outputs_[k], "init");
    order_.insert(order_.end(), fresh.begin(), fresh.end());
    clients_[outputs_[k].get()].push_back({nullptr, static_cast<int>(k)});
  }
  // import_graph walks as toposort does, skipping the nodes of the outputs before: the nodes
  // it added, output after output, are the graph's order.
  order_valid_ = true;
}

const std::vector<Apply*>& FunctionGraph::nodes() const {
  if (!order_valid_) {
    order_ = toposort_sized(outputs_, num_nodes());
    order_valid_ = true;
  }
  return order_;
}

std::vector<Var> FunctionGraph::leaves() const {
  return leaves_in_order(outputs_, nodes());
}

const std::vector<FunctionGraph::Client>& FunctionGraph::clients(const Variable* v) const {
  static const std::vector<Client> none;
  auto it = clients_.find(v);
  return it == clients_.end() ? none : it->second;
}

std::vector<Apply*> FunctionGraph::import_graph(const Var& v, const std::string& reason) {
  // Only the nodes not yet in the graph are visited: the walk stops at known nodes, so a
  // rewrite's replacement costs the size of what it built, not of the whole graph.
  std::vector<Apply*> fresh;
  std::vector<std::pair<Apply*, size_t>> stack;
  PointerSet<Apply> seen;
  if (v->owner && !nodes_set_.contains(v->owner)) {
    stack.push_back({v->owner, 0});
    seen.insert(v->owner);
  }
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->inputs().size()) {
      Apply* in = node->inputs()[next++]->owner;
      if (in && !nodes_set_.contains(in) && seen.insert(in)) stack.push_back({in, 0});
      continue;
    }
    fresh.push_back(node);
    stack.pop_back();
  }
  if (fresh.size() > nodes_set_.size()) {
    // A large import (the whole graph, at construction): room for it at once. Only then, so
    // that the many small imports of rewrites never resize the tables by small steps.
    nodes_set_.reserve(nodes_set_.size() + fresh.size());
    clients_.reserve(clients_.size() + 2 * fresh.size());  // a node has about two inputs
  }
  for (Apply* node : fresh) {
    nodes_set_.insert(node);
    for (size_t i = 0; i < node->inputs().size(); ++i) {
      clients_[node->inputs()[i].get()].push_back({node, static_cast<int>(i)});
    }
    for (const auto& f : features_) f->on_import(*this, node, reason);
  }
  return fresh;
}

void FunctionGraph::prune(Apply* node, std::vector<const Apply*>* removed) {
  for (int i = 0; i < node->nout(); ++i) {
    auto it = clients_.find(&node->output_ref(i));
    if (it != clients_.end() && !it->second.empty()) return;  // still read
  }
  nodes_set_.erase(node);
  if (removed) removed->push_back(node);
  for (const auto& f : features_) f->on_prune(*this, node);
  for (int i = 0; i < node->nout(); ++i) clients_.erase(&node->output_ref(i));
  for (size_t i = 0; i < node->inputs().size(); ++i) {
    const Var& in = node->inputs()[i];
    auto& cl = clients_[in.get()];
    auto pos = std::find(cl.begin(), cl.end(), Client{node, static_cast<int>(i)});
    if (pos != cl.end()) cl.erase(pos);
    if (cl.empty()) {
      clients_.erase(in.get());
      if (in->owner && nodes_set_.contains(in->owner)) prune(in->owner, removed);
    }
  }
}

void FunctionGraph::replace(const Var& old, const Var& replacement, const std::string& reason) {
  if (old == replacement) return;
  const TensorType& a = old->type;
  const TensorType& b = replacement->type;
  if (!a.compatible_with(b)) {
    throw TypeError("replace" + (reason.empty() ? std::string() : " by " + reason) + ": " +
                    var_label(*old) + " of type " + a.str() + " cannot be replaced by " +
                    var_label(*replacement) + " of type " + b.str());
  }
  if (replacements_left_ == 0) return;
  if (replacements_left_ > 0) --replacements_left_;
  const Var keep_old = old;  // rewiring may drop the last other reference to it
  const std::vector<Apply*> fresh = import_graph(replacement, reason);
  std::vector<Client> moved = std::move(clients_[old.get()]);
  clients_.erase(old.get());
  auto& target = clients_[replacement.get()];
  for (const Client& c : moved) {
    if (c.first) {
      for (const auto& f : features_)
        f->on_change_input(*this, c.first, static_cast<size_t>(c.second), replacement);
      c.first->set_input(static_cast<size_t>(c.second), replacement);
    } else {
      outputs_[static_cast<size_t>(c.second)] = replacement;
    }
    target.push_back(c);
  }
  for (const auto& f : features_) f->on_replace(*this, keep_old, replacement, reason);
  std::vector<const Apply*> removed;
  if (keep_old->owner && nodes_set_.contains(keep_old->owner)) prune(keep_old->owner, &removed);
  // Rewrites build their nodes with no trace; they take the place of what just left the graph
  // (old's node, and what only it read). Pruning went from old towards the inputs: reversed,
  // the traces read in graph order. Those nodes are still alive: keep_old holds them.
  if (removed.empty() && keep_old->owner) removed.push_back(keep_old->owner);
  std::reverse(removed.begin(), removed.end());
  // Every fresh node with no trace and no origin ends up with the same one: computed once, then
  // copied, so a replacement costs the size of what it built plus what it removed, not their
  // product.
  const Apply* traced = nullptr;
  for (Apply* node : fresh) {
    if (!node->where().empty() || !nodes_set_.contains(node)) continue;
    const bool untraced = node->origin_.empty();
    if (untraced && traced) {
      node->where_ = traced->where_;
      node->origin_ = traced->origin_;
      for (auto& out : node->outputs_) out.where = node->where_;
      continue;
    }
    node->inherit_trace(removed);
    if (untraced) traced = node;
  }
  order_valid_ = false;
}

void FunctionGraph::add_feature(std::shared_ptr<FGraphFeature> feature) {
  for (Apply* node : nodes()) feature->on_import(*this, node, "init");
  features_.push_back(std::move(feature));
}

}  // namespace theon
