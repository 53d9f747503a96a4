// Structural comparison of graphs (Theano's equal_computations and is_same_graph).
#pragma once

#include <vector>

#include "theon/graph/variable.hpp"

namespace theon {

// Whether xs[i] and ys[i] compute the same thing, for every i: the same variable, constants
// of the same type and value, or the same output of nodes with equal ops whose inputs compute
// the same thing. A free input or shared variable matches only itself, or its partner when it
// is in_xs[j] and the other is in_ys[j]. Lists of different lengths are not equal.
bool equal_computations(const std::vector<Var>& xs, const std::vector<Var>& ys,
                        const std::vector<Var>& in_xs = {}, const std::vector<Var>& in_ys = {});

}  // namespace theon
