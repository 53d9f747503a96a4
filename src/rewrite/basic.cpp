// Merge (common subexpressions and equal constants) and constant folding: the rewrites every
// mode runs, FAST_COMPILE included.
#include <cstring>
#include <typeinfo>
#include <unordered_map>

#include "theon/graph/op.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/distributed.hpp"
#include "theon/rewrite/groups.hpp"

namespace theon {
namespace {

// Constants larger than this are not produced by folding: they would bloat the compiled
// function for little gain (an alloc of zeros costs less to run than to store).
constexpr int64_t kMaxFoldedElements = 1 << 16;

std::string constant_key(const NDArray& a) {
  std::string key = std::string(dtype_name(a.dtype())) + shape_str(a.shape());
  NDArray c = a.is_c_contiguous() ? a : a.copy();
  key.append(c.raw(), c.nbytes());
  return key;
}

bool merge(FunctionGraph& fg) {
  bool changed = false;
  std::unordered_map<std::string, Var> constants;
  for (const Var& leaf : fg.leaves()) {
    if (!leaf->is_constant()) continue;
    auto [it, fresh] = constants.emplace(constant_key(*leaf->constant), leaf);
    if (!fresh && it->second != leaf) {
      fg.replace(leaf, it->second, "merge");
      changed = true;
    }
  }
  // Nodes are bucketed by their op's class and their inputs, which is cheap to hash; ops are
  // compared within a bucket. A node merged away has no reader left, and the readers it had
  // come later in the order, so a node already bucketed is never rewired: the live nodes of a
  // bucket are never equal to each other, and a node has at most one twin among them.
  const std::vector<Apply*> order = fg.nodes();
  std::unordered_map<size_t, std::vector<Apply*>> seen;
  seen.reserve(order.size());
  for (Apply* node : order) {
    if (!fg.contains(node)) continue;
    const Op& op = *node->op();
    size_t h = typeid(op).hash_code();
    for (const auto& in : node->inputs()) h = h * 1000003u ^ std::hash<const void*>()(in.get());
    auto& bucket = seen[h];
    Apply* twin = nullptr;
    for (Apply* other : bucket) {
      if (fg.contains(other) && other->inputs() == node->inputs() && other->op()->equals(op)) {
        twin = other;
        break;
      }
    }
    if (!twin) {
      bucket.push_back(node);
      continue;
    }
    // Handles to every output first: replacing the last used one may free the node.
    const std::vector<Var> outs = node->outputs();
    for (size_t i = 0; i < outs.size(); ++i) fg.replace(outs[i], twin->output(i), "merge");
    changed = true;
  }
  return changed;
}

std::optional<std::vector<Var>> constant_fold(FunctionGraph&, Apply* node) {
  // A collective exchanges data with the other ranks when it runs, never at compile time.
  for (const auto& in : node->inputs()) {
    if (!in->is_constant()) return std::nullopt;
  }
  if (is_collective(*node->op())) return std::nullopt;
  std::vector<NDArray> inputs;
  for (const auto& in : node->inputs()) inputs.push_back(*in->constant);
  std::vector<NDArray> outputs(node->nout());
  try {
    node->op()->perform(inputs, outputs);
  } catch (const std::exception&) {
    return std::nullopt;  // the error belongs to run time, where it names the user's inputs
  }
  std::vector<Var> result;
  for (int i = 0; i < node->nout(); ++i) {
    if (outputs[i].size() > kMaxFoldedElements) return std::nullopt;
    result.push_back(constant(outputs[i].copy()));
  }
  return result;
}

}  // namespace

std::vector<GraphRewriter> merge_rewriters() {
  return {{"merge", merge, {"fast_run", "fast_compile"}}};
}

std::vector<NodeRewriter> constant_folding_rules() {
  return {{"constant_folding", {}, constant_fold, {"fast_run", "fast_compile"}}};
}

}  // namespace theon
