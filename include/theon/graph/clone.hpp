// Copying graphs with substitutions, and evaluating graphs with the ops' reference kernels.
#pragma once

#include <utility>
#include <vector>

#include "theon/core/ndarray.hpp"
#include "theon/graph/variable.hpp"

namespace theon {

// Copies the nodes of `outputs`, substituting each `replace` pair's first variable by its
// second (whose own graph is copied as well). Leaves are shared, not copied. Replacements must
// have compatible types (TypeError otherwise). Returns the copies of `outputs`.
std::vector<Var> clone_replace(const std::vector<Var>& outputs,
                               const std::vector<std::pair<Var, Var>>& replace);

// Computes `outputs` by running every node's reference kernel (perform), with `values` giving
// the inputs (and overriding anything else). Shared variables use their current value and
// constants their data. For constant folding, tests and reference evaluation, not speed.
std::vector<NDArray> evaluate(const std::vector<Var>& outputs,
                              const std::vector<std::pair<Var, NDArray>>& values);

}  // namespace theon
