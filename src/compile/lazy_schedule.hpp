// The order in which the linker runs a graph's nodes when it holds ifelse nodes: the nodes that
// only one branch of an ifelse needs are grouped into a block right before that ifelse, so the
// VM can skip the branch not taken. Nodes that something else needs too (the other branch, the
// condition, another consumer, a graph output) stay outside the block.
#pragma once

#include <vector>

#include "theon/graph/fgraph.hpp"

namespace theon {

struct ScheduledBlock {
  int begin;  // positions in LazySchedule::order
  int end;
  Var cond;
  bool when_true;
  int join;  // the position of the ifelse node
};

struct LazySchedule {
  std::vector<Apply*> order;           // a topological order of fg's nodes
  std::vector<ScheduledBlock> blocks;  // non-empty, sorted by begin, enclosing blocks first
};

// fg.nodes() and no blocks when the graph has no ifelse.
LazySchedule lazy_schedule(const FunctionGraph& fg);

}  // namespace theon
