// C++ API of MaxExpSum (src/ops/reduce/max_exp_sum.cpp): the two reductions of a stable
// logsumexp along the last axis, computed in one pass over each row.
#pragma once

#include <vector>

#include "theon/graph/variable.hpp"

namespace theon {

// {m, s} for a float array x of at least one dimension, both of x's shape with the last
// dimension 1: m = max(x, -1, keepdims) and s = sum(exp(x - shift), -1, keepdims) with
// shift = m, or where(isinf(m), 0, m) when `finite_shift` (so that a row of -inf gives s = 0 and
// a row holding +inf gives s = inf instead of NaN). Equal to those written-out expressions, which
// the fusion pass replaces by it: each row is read from memory once instead of twice. An empty
// last axis raises as max does.
std::vector<Var> max_exp_sum(const Var& x, bool finite_shift);

// where(isinf(m), 0, m): the shift of a stable logsumexp by its maximum m, 0 where m is
// infinite. The stabilizer builds it, and the max_exp_sum rewrite recognizes it.
Var finite_shift(const Var& m);

}  // namespace theon
