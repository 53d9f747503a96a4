// verify_grad: compares symbolic gradients with finite differences on random projections.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "theon/core/ndarray.hpp"
#include "theon/graph/variable.hpp"

namespace theon {

struct VerifyGradOptions {
  int n_tests = 2;
  uint64_t seed = 0;
  // Defaults depend on the inputs' precision: float64 eps 1e-7, tolerances 1e-4;
  // float32 eps 1e-3, tolerances 1e-2 (an element fails only when it is beyond both).
  std::optional<double> eps;
  std::optional<double> abs_tol;
  std::optional<double> rel_tol;
};

// Builds fun(inputs) for symbolic inputs typed like `pt` (its dtypes, and static size 1 where
// the test point has a dimension of size 1, its broadcastable pattern), projects its output on a
// random tensor to get a scalar cost, and checks that grad(cost, inputs) at `pt` matches central
// finite differences. Throws ValueError naming the input, the worst element, both values,
// the tolerances and the output's op when they differ.
void verify_grad(const std::function<Var(const std::vector<Var>&)>& fun,
                 const std::vector<NDArray>& pt, const VerifyGradOptions& options = {});

}  // namespace theon
