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

// IncSubtensor{Set,inplace}(x, w, constant basic index) where w comes from a Fused loop read
// only here: the loop takes x[idx] as a further input and writes into it in place, so the slice
// write finds its value already there instead of copying it. x may be destroyed (the node is
// inplace), so nothing else reads x or a view of it: the loop cannot read what it writes. Where
// the loop's shape is not the slice's at run time the loop writes a fresh array and the slice
// write copies it as before.
Result fused_into_slice(FunctionGraph& fg, Apply* node) {
  const auto* op = node_op<IncSubtensor>(node);
  if (!op || !op->inplace() || !op->set_instead_of_inc() || op->spec().num_inputs != 0 ||
      op->spec().advanced() || node->inputs().size() != 2) {
    return std::nullopt;
  }
  const Var& x = node->inputs()[0];
  const Var& w = node->inputs()[1];
  const auto* loop = rewrite_util::op_as<Fused>(w);
  if (!loop || loop->inplace_input() >= 0 || loop->reduction() || w->owner->nout() != 1 ||
      fg.clients(w.get()).size() != 1 || w->type.dtype != x->type.dtype ||
      !x->type.device.is_cpu()) {
    return std::nullopt;
  }
  Var target = subtensor(x, op->spec(), {});
  if (target->type.ndim() != w->type.ndim()) return std::nullopt;
  // Values are numbered inputs first: the steps' values move up by the one added input.
  const int nin = static_cast<int>(loop->input_types().size());
  auto moved = [nin](int v) { return v < nin ? v : v + 1; };
  std::vector<FusedStep> steps = loop->steps();
  for (FusedStep& step : steps) {
    for (int& a : step.args) a = moved(a);
  }
  std::vector<int> outputs;
  for (int v : loop->outputs()) outputs.push_back(moved(v));
  std::vector<TensorType> types = loop->input_types();
  types.push_back(target->type);
  std::vector<Var> inputs = w->owner->inputs();
  inputs.push_back(target);
  auto into = std::make_shared<Fused>(std::move(types), std::move(steps), std::move(outputs),
                                      std::nullopt, nin);
  return rewrite_util::one(make_node1(node->op(), {x, make_node1(into, inputs)}));
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
      {"fused_into_slice", {"IncSubtensor"}, fused_into_slice, tags},
  };
}

}  // namespace theon
