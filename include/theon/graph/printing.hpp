// Text forms of graphs: debugprint (a tree with ids and types) and pprint (infix).
#pragma once

#include <string>
#include <vector>

#include "theon/graph/variable.hpp"

namespace theon {

struct DebugPrintOptions {
  bool print_type = true;
  int max_depth = -1;  // -1: unlimited
};

// One tree per output; a node seen before is printed once, later references show its id only.
std::string debugprint(const std::vector<Var>& outputs, const DebugPrintOptions& options = {});
std::string pprint(const Var& v);

}  // namespace theon
