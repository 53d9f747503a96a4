// IfElse rewrites: an ifelse whose condition is a constant, or whose branches are the same
// variable, is its chosen branch; an elementwise op reading ifelse outputs moves into the
// branches (so it is computed lazily too, and fuses with them); ifelses on the same condition
// become one node.
#include "theon/ops/ifelse.hpp"

#include <unordered_set>

#include "theon/graph/fgraph.hpp"
#include "theon/ops/constant.hpp"
#include "theon/rewrite/groups.hpp"
#include "util.hpp"

namespace theon {
namespace {

using rewrite_util::node_op;
using rewrite_util::Result;

Result constant_condition(FunctionGraph&, Apply* node) {
  const auto* op = node_op<IfElse>(node);
  const NDArray* cond = op ? constant_value(node->inputs()[0]) : nullptr;
  if (!cond) return std::nullopt;
  const bool take_then = condition_holds(*cond);
  std::vector<Var> out;
  for (int i = 0; i < op->n_outs(); ++i) {
    out.push_back(node->inputs()[take_then ? IfElse::then_input(i) : op->else_input(i)]);
  }
  return out;
}

Result same_branches(FunctionGraph&, Apply* node) {
  const auto* op = node_op<IfElse>(node);
  if (!op) return std::nullopt;
  std::vector<Var> out(op->n_outs());
  bool any = false;
  for (int i = 0; i < op->n_outs(); ++i) {
    const Var& t = node->inputs()[IfElse::then_input(i)];
    if (t == node->inputs()[op->else_input(i)]) {
      out[i] = t;
      any = true;
    }
  }
  return any ? Result(out) : std::nullopt;
}

// f(ifelse(c, a, b), y) -> ifelse(c, f(a, y), f(b, y)) for an elementwise f, when every
// ifelse output f reads is read by f alone (nothing is computed twice) and all of them are
// on the same condition.
Result lift_elemwise(FunctionGraph& fg, Apply* node) {
  if (!node_op<Elemwise>(node) || node->nout() != 1) return std::nullopt;
  Var cond;
  std::vector<Var> then_args, else_args;
  bool lifted = false;
  for (const Var& in : node->inputs()) {
    const auto* op = rewrite_util::op_as<IfElse>(in);
    if (!op) {
      then_args.push_back(in);
      else_args.push_back(in);
      continue;
    }
    const Var& c = in->owner->inputs()[0];
    if ((cond && c != cond) || fg.clients(in.get()).size() != 1) return std::nullopt;
    cond = c;
    lifted = true;
    then_args.push_back(in->owner->inputs()[IfElse::then_input(in->index)]);
    else_args.push_back(in->owner->inputs()[op->else_input(in->index)]);
  }
  if (!lifted) return std::nullopt;
  return ifelse(cond, {make_node1(node->op(), then_args)}, {make_node1(node->op(), else_args)});
}

// Whether `node` reads, directly or not, an output of `other`.
bool depends_on(const Apply* node, const Apply* other) {
  std::vector<const Apply*> stack{node};
  std::unordered_set<const Apply*> seen{node};
  while (!stack.empty()) {
    const Apply* n = stack.back();
    stack.pop_back();
    for (const Var& in : n->inputs()) {
      const Apply* owner = in->owner;
      if (!owner || !seen.insert(owner).second) continue;
      if (owner == other) return true;
      stack.push_back(owner);
    }
  }
  return false;
}

// Two ifelses on the same condition, neither reading the other, become one.
bool merge_same_condition(FunctionGraph& fg) {
  const std::vector<Apply*> order = fg.nodes();
  for (Apply* a : order) {
    const auto* op_a = node_op<IfElse>(a);
    if (!op_a || !fg.contains(a)) continue;
    const auto readers = fg.clients(a->inputs()[0].get());  // a copy: the loop replaces
    for (const auto& [b, index] : readers) {
      const auto* op_b = b && b != a && index == 0 ? node_op<IfElse>(b) : nullptr;
      if (!op_b || depends_on(a, b) || depends_on(b, a)) continue;
      std::vector<Var> then_branch, else_branch;
      for (auto [node, op] : {std::pair{a, op_a}, std::pair{b, op_b}}) {
        for (int i = 0; i < op->n_outs(); ++i) {
          then_branch.push_back(node->inputs()[IfElse::then_input(i)]);
          else_branch.push_back(node->inputs()[op->else_input(i)]);
        }
      }
      const std::vector<Var> merged = ifelse(a->inputs()[0], then_branch, else_branch);
      // Handles to every output first: replacing the last used one may free the node.
      std::vector<Var> old = a->outputs();
      const std::vector<Var> old_b = b->outputs();
      old.insert(old.end(), old_b.begin(), old_b.end());
      for (size_t i = 0; i < old.size(); ++i) fg.replace(old[i], merged[i], "ifelse_merge");
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<NodeRewriter> ifelse_rules() {
  const std::set<std::string> tags{"fast_run", "ifelse"};
  return {
      {"ifelse_constant_condition",
       {"IfElse"},
       constant_condition,
       {"fast_run", "fast_compile", "ifelse"}},
      {"ifelse_same_branches", {"IfElse"}, same_branches, tags},
      {"ifelse_lift_elemwise", {"Elemwise"}, lift_elemwise, tags},
  };
}

std::vector<GraphRewriter> ifelse_graph_rewriters() {
  return {{"ifelse_merge",
           [](FunctionGraph& fg) {
             bool changed = false;
             while (merge_same_condition(fg)) changed = true;
             return changed;
           },
           {"fast_run", "ifelse"}}};
}

}  // namespace theon
