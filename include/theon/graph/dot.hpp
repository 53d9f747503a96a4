// Graphviz DOT text for a graph: one box per node (op name), one ellipse per variable that is
// an input, a shared variable, a constant or an output, edges labelled with the type.
#pragma once

#include <string>
#include <vector>

#include "theon/graph/variable.hpp"

namespace theon {

struct DotOptions {
  std::string graph_name = "theon";
  int max_constant_chars = 24;  // longer constant values are shown as their type only
};

// The DOT text of the graph computing `outputs`. Free inputs are drawn as green ellipses,
// shared variables as cyan ellipses, constants as grey rectangles with their value when small,
// outputs as blue ellipses, and nodes as boxes labelled "OpName\n<output type>".
std::string dot_graph(const std::vector<Var>& outputs, const DotOptions& options = {});

}  // namespace theon
