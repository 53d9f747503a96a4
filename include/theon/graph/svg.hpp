// An SVG picture of a graph drawn without Graphviz: the nodes of dot_graph (same shapes,
// colours and labels) in layers from the inputs at the top to the outputs at the bottom.
#pragma once

#include <string>
#include <vector>

#include "theon/graph/variable.hpp"

namespace theon {

// The SVG text of the graph computing `outputs`. Each node sits one layer below the lowest of
// the nodes it reads; within a layer nodes are ordered by where their inputs are, which keeps
// most edges from crossing on the graphs functions have.
std::string svg_graph(const std::vector<Var>& outputs, const std::string& title = "theon");

}  // namespace theon
