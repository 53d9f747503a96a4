// Text forms of graphs: debugprint (a tree with ids and types) and pprint (infix).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "theon/graph/variable.hpp"

namespace theon {

struct DebugPrintOptions {
  bool print_type = true;
  int max_depth = -1;  // -1: unlimited
  // A note printed after a node, e.g. the rewrite that built it ("" for none).
  std::function<std::string(const Apply*)> annotate;
};

// One tree per output; a node seen before is printed once, later references show its id only.
std::string debugprint(const std::vector<Var>& outputs, const DebugPrintOptions& options = {});
// Infix text of the expression. A graph that reuses subexpressions prints them each time, so
// the text can grow exponentially with depth: `max_depth` (-1: unlimited) cuts it with "...".
std::string pprint(const Var& v, int max_depth = -1);
// pprint with each node's inputs given by `inputs_of` (the inputs a node had at some earlier
// time, for a record printed later than it was taken).
std::string pprint(const Var& v, int max_depth,
                   const std::function<std::vector<Var>(const Apply&)>& inputs_of);

}  // namespace theon
