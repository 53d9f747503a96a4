// Inlining: an OpFromGraph built with inline=True is replaced by a copy of its graph on the
// node's inputs, before any other rewrite, so the rest of the pipeline sees one flat graph.
#include "theon/ops/op_from_graph.hpp"
#include "theon/rewrite/groups.hpp"
#include "util.hpp"

namespace theon {

std::vector<NodeRewriter> inline_rules() {
  auto expand = [](FunctionGraph&, Apply* node) -> rewrite_util::Result {
    const auto* op = rewrite_util::node_op<OpFromGraph>(node);
    if (!op || !op->inline_graph()) return std::nullopt;
    return op->expand(node->inputs());
  };
  return {{"inline_op_from_graph", {"OpFromGraph"}, expand, {"fast_run", "fast_compile"}}};
}

}  // namespace theon
