// Inplace rewrites: replace an op by its variant that writes its output into an input's buffer
// (Op::destroy_map), where no one else can see that the input was destroyed. The pipeline runs
// them last, after every other rewrite has settled the graph.
//
// The validator is deliberately conservative. A variable d may be destroyed by node n only if:
//  - d is read once in the whole graph, by n (so no other node, no second input slot of n, and
//    not a graph output);
//  - d is computed by a node (not an input, constant or shared variable); and if d is a view
//    (Op::view_map) of another variable, the same holds for that variable, up the chain to the
//    variable that owns the buffer: every variable in the chain is read only by the next view,
//    so nothing else can read the memory that n overwrites, and no input, shared value or
//    constant is written;
//  - d is not destroyed by another node already (it has one reader, so this follows).
// Because d has a single reader, no other variable can be a view of d either.
#include <memory>
#include <optional>
#include <vector>

#include "theon/graph/fgraph.hpp"
#include "theon/ops/fused.hpp"
#include "theon/ops/subtensor.hpp"
#include "theon/rewrite/groups.hpp"
#include "util.hpp"

namespace theon {
namespace {

using rewrite_util::can_destroy;
using rewrite_util::node_op;
using rewrite_util::Result;

// The first input of an elementwise node (Elemwise or Fused) that has the output's dtype,
// whose static shape guarantees the output's shape (every other input broadcasts into it), and
// that may be destroyed; -1 if none.
int destroyable_input(FunctionGraph& fg, Apply* node) {
  const TensorType& out_type = node->output_ref(0).type;
  const auto& in = node->inputs();
  for (size_t k = 0; k < in.size(); ++k) {
    if (in[k]->type.dtype != out_type.dtype || in[k]->type.ndim() != out_type.ndim()) continue;
    bool dominates = true;
    for (size_t j = 0; j < in.size() && dominates; ++j) {
      if (j != k) dominates = rewrite_util::dominated(in[j], in[k]);
    }
    if (dominates && can_destroy(fg, node, k)) return static_cast<int>(k);
  }
  return -1;
}

Result elemwise_inplace(FunctionGraph& fg, Apply* node) {
  const auto* op = node_op<Elemwise>(node);
  if (!op || op->inplace_input() >= 0 || node->nout() != 1) return std::nullopt;
  const int k = destroyable_input(fg, node);
  if (k < 0) return std::nullopt;
  auto inplace = std::make_shared<Elemwise>(op->scalar(), op->cast_target(), k);
  return rewrite_util::one(make_node1(inplace, node->inputs()));
}

// A Fused loop without reduction, under the same conditions as an Elemwise.
Result fused_inplace(FunctionGraph& fg, Apply* node) {
  const auto* op = node_op<Fused>(node);
  if (!op || op->inplace_input() >= 0 || op->reduction() || node->nout() != 1) return std::nullopt;
  const int k = destroyable_input(fg, node);
  if (k < 0) return std::nullopt;
  return rewrite_util::one(make_node1(op->with_inplace_input(k), node->inputs()));
}

// IncSubtensor / AdvancedIncSubtensor write into x (input 0) when x may be destroyed.
Result inc_subtensor_inplace(FunctionGraph& fg, Apply* node) {
  const auto* op = node_op<IncSubtensorBase>(node);
  if (!op || op->inplace() || node->nout() != 1) return std::nullopt;
  if (!can_destroy(fg, node, 0)) return std::nullopt;
  std::shared_ptr<Op> inplace;
  if (dynamic_cast<const AdvancedIncSubtensor*>(op)) {
    inplace = std::make_shared<AdvancedIncSubtensor>(op->spec(), op->set_instead_of_inc(), true);
  } else if (dynamic_cast<const IncSubtensor*>(op)) {
    inplace = std::make_shared<IncSubtensor>(op->spec(), op->set_instead_of_inc(), true);
  } else {
    return std::nullopt;
  }
  return rewrite_util::one(make_node1(inplace, node->inputs()));
}

}  // namespace

std::vector<NodeRewriter> inplace_rules() {
  const std::set<std::string> tags{"fast_run", "inplace"};
  return {
      {"inplace_elemwise", {"Elemwise"}, elemwise_inplace, tags},
      {"inplace_fused", {"Fused"}, fused_inplace, tags},
      {"inplace_inc_subtensor",
       {"IncSubtensor", "AdvancedIncSubtensor"},
       inc_subtensor_inplace,
       tags},
  };
}

}  // namespace theon
