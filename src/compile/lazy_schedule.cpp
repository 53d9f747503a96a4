#include "lazy_schedule.hpp"

#include <algorithm>
#include <functional>
#include <unordered_map>
#include <utility>

#include "theon/ops/ifelse.hpp"

namespace theon {
namespace {

// Where a node runs: context 0 is the whole program; each ifelse adds two (its then and its
// else branch), children of the context the ifelse itself runs in.
class Contexts {
 public:
  int add(int parent) {
    parent_.push_back(parent);
    depth_.push_back(depth_[parent] + 1);
    return static_cast<int>(parent_.size()) - 1;
  }
  // The innermost context that holds both.
  int common(int a, int b) const {
    while (a != b) {
      if (depth_[a] < depth_[b]) std::swap(a, b);
      a = parent_[a];
    }
    return a;
  }
  size_t size() const { return parent_.size(); }

 private:
  std::vector<int> parent_{-1};
  std::vector<int> depth_{0};
};

const IfElse* as_ifelse(const Apply* node) {
  return dynamic_cast<const IfElse*>(node->op().get());
}

}  // namespace

LazySchedule lazy_schedule(const FunctionGraph& fg) {
  const std::vector<Apply*>& nodes = fg.nodes();
  LazySchedule schedule;
  if (std::none_of(nodes.begin(), nodes.end(), [](Apply* n) { return as_ifelse(n); })) {
    schedule.order = nodes;
    return schedule;
  }
  // Backwards, each node's context is the innermost one that holds every use of its outputs: a
  // use as an ifelse's branch output is in that branch's context, any other use (the condition
  // included) in the reader's own context, a graph output in context 0.
  std::unordered_map<const Apply*, size_t> position;
  for (size_t k = 0; k < nodes.size(); ++k) position[nodes[k]] = k;
  Contexts contexts;
  std::vector<int> context(nodes.size(), 0);
  std::unordered_map<const Apply*, std::pair<int, int>> branches;  // then and else contexts
  for (size_t k = nodes.size(); k-- > 0;) {
    Apply* node = nodes[k];
    int here = -1;
    auto meet = [&](int c) { here = here < 0 ? c : contexts.common(here, c); };
    for (int o = 0; o < node->nout(); ++o) {
      for (const auto& [reader, index] : fg.clients(&node->output_ref(o))) {
        if (!reader) {
          meet(0);
        } else if (const IfElse* op = as_ifelse(reader); op && index > 0) {
          const auto& [then_context, else_context] = branches.at(reader);
          meet(index <= op->n_outs() ? then_context : else_context);
        } else {
          meet(context[position.at(reader)]);
        }
      }
    }
    context[k] = std::max(here, 0);
    if (as_ifelse(node)) {
      branches[node] = {contexts.add(context[k]), contexts.add(context[k])};
    }
  }
  std::vector<std::vector<Apply*>> members(contexts.size());
  for (size_t k = 0; k < nodes.size(); ++k) members[context[k]].push_back(nodes[k]);

  // Each context's nodes in topological order, an ifelse preceded by its two branches' blocks.
  // A block's nodes read only nodes of enclosing contexts, which precede the ifelse.
  std::function<void(int)> emit = [&](int c) {
    for (Apply* node : members[c]) {
      auto it = branches.find(node);
      if (it != branches.end()) {
        auto open_block = [&](bool when_true, int branch) {
          const int begin = static_cast<int>(schedule.order.size());
          const size_t b = schedule.blocks.size();
          schedule.blocks.push_back({begin, begin, node->inputs()[0], when_true, -1});
          emit(branch);
          schedule.blocks[b].end = static_cast<int>(schedule.order.size());
          return b;
        };
        const size_t then_block = open_block(true, it->second.first);
        const size_t else_block = open_block(false, it->second.second);
        const int join = static_cast<int>(schedule.order.size());
        schedule.blocks[then_block].join = schedule.blocks[else_block].join = join;
      }
      schedule.order.push_back(node);
    }
  };
  emit(0);
  std::erase_if(schedule.blocks, [](const ScheduledBlock& b) { return b.begin == b.end; });
  return schedule;
}

}  // namespace theon
