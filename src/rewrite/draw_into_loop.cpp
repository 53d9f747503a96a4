// A random draw read only by one Fused loop (a dropout mask: x * mask) becomes part of the loop,
// drawn a tile at a time as the loop runs, so that the sample is never written out and read
// back as a whole array. Runs after the inplace pass, so that the loop it takes is final.
#include "theon/ops/fused.hpp"
#include "theon/ops/fused_draw.hpp"
#include "theon/rewrite/groups.hpp"
#include "util.hpp"

namespace theon {
namespace {

using rewrite_util::node_op;

// The loop's input that is the sample of a RandomVariable read by nothing else, or -1.
int drawn_input(const FunctionGraph& fg, Apply* loop_node) {
  const auto& inputs = loop_node->inputs();
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Var& v = inputs[i];
    if (!v->owner || v->index != 1 || v->owner->op()->type_name() != "RandomVariable") continue;
    const auto& readers = fg.clients(v.get());
    if (readers.size() != 1 || readers[0].first != loop_node) continue;
    if (v->type.ndim() != loop_node->output_ref(0).type.ndim()) continue;
    return static_cast<int>(i);
  }
  return -1;
}

bool draw_into_loop(FunctionGraph& fg) {
  std::vector<Apply*> loops;
  for (Apply* node : fg.nodes()) {
    const Fused* op = node_op<Fused>(node);
    if (op && !op->reduction() && node->output_ref(0).type.device.is_cpu()) loops.push_back(node);
  }
  bool changed = false;
  for (Apply* node : loops) {
    const int drawn = drawn_input(fg, node);
    if (drawn < 0) continue;
    auto loop = std::static_pointer_cast<const Fused>(node->op());
    // The sample is drawn into a tile, not a buffer the loop could write its output into.
    if (loop->inplace_input() == drawn) loop = loop->with_inplace_input(-1);
    Apply* draw = node->inputs()[drawn]->owner;
    std::vector<Var> inputs;
    for (size_t i = 0; i < node->inputs().size(); ++i) {
      if (static_cast<int>(i) != drawn) inputs.push_back(node->inputs()[i]);
    }
    inputs.insert(inputs.end(), draw->inputs().begin(), draw->inputs().end());
    const std::vector<Var> fused =
        make_node(std::make_shared<FusedDraw>(loop, draw->op(), drawn), inputs);
    const Var state = draw->output(0);
    const bool state_read = !fg.clients(state.get()).empty();
    // Replacing the last read output frees the loop's node: it is held here.
    const std::shared_ptr<Apply> hold = node->shared_from_this();
    std::vector<Var> outputs;
    for (int k = 0; k < node->nout(); ++k) outputs.push_back(node->output(k));
    for (size_t k = 0; k < outputs.size(); ++k) {
      if (!fg.clients(outputs[k].get()).empty()) fg.replace(outputs[k], fused[k], "draw_into_loop");
    }
    if (state_read) fg.replace(state, fused.back(), "draw_into_loop");
    changed = true;
  }
  return changed;
}

}  // namespace

std::vector<GraphRewriter> draw_fusion_rewriters() {
  return {{"draw_into_loop", draw_into_loop, {"fast_run", "fusion"}}};
}

}  // namespace theon
