// Canonicalization: algebraic identities that make graphs smaller and expose the patterns later
// phases look for. Each rewrite preserves values (x - x -> 0 assumes finite x, as Theano does).
#include "theon/rewrite/groups.hpp"
#include "theon/rewrite/pattern.hpp"

namespace theon {

void register_canonicalize_rewrites(RewriteDB& db) {
  const std::set<std::string> tags{"fast_run", "canonicalize"};
  auto add = [&](const char* name, const char* from, const char* to) {
    db.add_node_rewriter(Phase::Canonicalize, pattern_rewriter(name, from, to), tags);
  };
  add("neg_neg", "neg(neg($x))", "$x");
  add("add_zero", "add($x, 0)", "$x");
  add("sub_zero", "sub($x, 0)", "$x");
  add("mul_one", "mul($x, 1)", "$x");
  add("div_one", "true_divide($x, 1)", "$x");
  add("sub_self", "sub($x, $x)", "zeros_like($x)");
  add("div_self", "true_divide($x, $x)", "ones_like($x)");
  add("mul_div_cancel", "true_divide(mul($x, $y), $x)", "$y");
}

}  // namespace theon
