// DebugMode's check of the rewrites: a call's results are compared with those of the graph as
// the user wrote it (every op's reference kernel); when they disagree, the rewrites are
// replayed on copies of the graph, stopping after k replacements, and a bisection over k finds
// the first replacement after which the values change.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "theon/compile/mode.hpp"
#include "theon/core/ndarray.hpp"
#include "theon/graph/variable.hpp"

namespace theon {

class RewriteChecker {
 public:
  // The same inputs, roots (outputs, then update expressions) and givens as the function, the
  // mode it was rewritten with and how many replacements that made (its rewrite history).
  RewriteChecker(std::vector<Var> inputs, std::vector<Var> roots,
                 std::vector<std::pair<Var, Var>> givens, Mode mode, int64_t replacements);

  // `results` are the function's values of the roots for `args` (shared variables still hold
  // their values from before the call). Throws ValueError naming the rewrite, what it replaced
  // and the values, if the rewritten graph's results differ from the unrewritten graph's.
  // Elements where the unrewritten graph gives NaN or Inf are not compared: stabilization
  // exists to change those.
  void check(const std::vector<NDArray>& args, const std::vector<NDArray>& results) const;

 private:
  std::vector<NDArray> evaluate_after(int64_t replacements, const std::vector<NDArray>& args,
                                      std::string* last_rewrite) const;

  std::vector<Var> inputs_, roots_;
  std::vector<std::pair<Var, Var>> givens_;
  Mode mode_;
  int64_t replacements_;
};

}  // namespace theon
