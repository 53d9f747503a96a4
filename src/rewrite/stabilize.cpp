// Numerical stability: rewrites that keep results finite and accurate where the naive formula
// overflows or cancels (log(1 + 1e-20) is 1e-20, not 0; log(sigmoid(-1000)) is -1000).
#include "theon/rewrite/groups.hpp"
#include "theon/rewrite/pattern.hpp"

namespace theon {

void register_stabilize_rewrites(RewriteDB& db) {
  const std::set<std::string> tags{"fast_run", "stabilize"};
  auto add = [&](const char* name, const char* from, const char* to) {
    db.add_node_rewriter(Phase::Stabilize, pattern_rewriter(name, from, to), tags);
  };
  add("log1p_from_log", "log(add(1, $x))", "log1p($x)");
  add("expm1_from_exp", "sub(exp($x), 1)", "expm1($x)");
  add("log_sigmoid", "log(sigmoid($x))", "neg(softplus(neg($x)))");
  add("log_one_minus_sigmoid", "log(sub(1, sigmoid($x)))", "neg(softplus($x))");
  add("one_minus_sigmoid", "sub(1, sigmoid($x))", "sigmoid(neg($x))");
  add("softplus_from_log1p_exp", "log1p(exp($x))", "softplus($x)");
  add("erfc_from_one_minus_erf", "sub(1, erf($x))", "erfc($x)");
  add("erfc_from_one_plus_erf", "add(1, erf($x))", "erfc(neg($x))");
}

}  // namespace theon
