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
  // Nodes are looked up by a hash of their op's class and their inputs, which is cheap to
  // compute; ops are compared only on a hit. A node merged away has no reader left, and the
  // readers it had come later in the order, so a node already in the table is never rewired:
  // the live nodes of the table are never equal to each other, and a node has at most one twin
  // among them. The table is open addressing: a probe goes from the hash's slot to the first
  // empty one, several nodes sharing a hash.
  const std::vector<Apply*> order = fg.nodes();
  int bits = 4;
  while ((size_t{1} << bits) < 2 * order.size()) ++bits;
  const size_t mask = (size_t{1} << bits) - 1;
  std::vector<std::pair<size_t, Apply*>> table(mask + 1);  // (hash, node); null node: empty
  for (Apply* node : order) {
    if (!fg.contains(node)) continue;
    const Op& op = *node->op();
    size_t h = typeid(op).hash_code();
    for (const auto& in : node->inputs()) h = h * 1000003u ^ std::hash<const void*>()(in.get());
    // Fibonacci hashing: input addresses are 16-byte aligned, their low bits carry nothing.
    size_t slot = static_cast<size_t>((h * 0x9E3779B97F4A7C15ull) >> (64 - bits));
    Apply* twin = nullptr;
    for (; table[slot].second; slot = (slot + 1) & mask) {
      Apply* other = table[slot].second;
      if (table[slot].first == h && fg.contains(other) && other->inputs() == node->inputs() &&
          other->op()->equals(op)) {
        twin = other;
        break;
      }
    }
    if (!twin) {
      table[slot] = {h, node};
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
