// Canonicalization: algebraic identities that make graphs smaller and expose the patterns later
// passes look for. Each rewrite preserves types: a replacement that would change the output's
// shape at run time (a branch smaller than the broadcast result) is broadcast to the output's
// shape with Alloc.
//
// By default each also preserves IEEE values: NaN where the graph gives NaN, infinities with
// their signs, the sign of zero. Identities that hold only for finite operands (x - x -> 0,
// x * 0 -> 0, x / x -> 1, (x * y) / x -> y) or that reassociate float sums and products
// (n-ary chains, folded constants) hold exactly in wrapping integer arithmetic, so they run by
// default where the output is an integer or bool, and on floats only under the opt-in tag
// "fast_math" (as Theano and -ffast-math do).
#include "canonicalize.hpp"

#include "theon/ops/reduce.hpp"
#include "theon/rewrite/groups.hpp"
#include "theon/rewrite/pattern.hpp"

namespace theon {
namespace {

using namespace canon;
using Transform = std::function<Result(FunctionGraph&, Apply*)>;

// The op type names of the reductions whose rule satisfies `pred`.
template <class Pred>
std::vector<std::string> reduce_type_names(Pred pred) {
  std::vector<std::string> names;
  for (const ReductionRule& rule : reduction_rules()) {
    if (pred(rule)) names.push_back(rule.type_name);
  }
  return names;
}

// f on nodes whose outputs are all integers or bools, where it is exact.
Transform on_integer_outputs(Transform f) {
  return [f = std::move(f)](FunctionGraph& fg, Apply* node) -> Result {
    for (const Var& o : node->outputs()) {
      if (!is_integer(o->type.dtype) && !is_bool(o->type.dtype)) return std::nullopt;
    }
    return f(fg, node);
  };
}

}  // namespace

std::vector<NodeRewriter> canonicalize_rules() {
  const std::set<std::string> exact{"fast_run", "canonicalize"};
  const std::set<std::string> fast{"fast_math", "canonicalize"};
  std::vector<NodeRewriter> rules;
  auto add = [&](const char* name, const char* from, const char* to,
                 const std::set<std::string>& tags) {
    rules.push_back(pattern_rewriter(name, from, to));
    rules.back().tags = tags;
  };
  auto node = [&](const char* name, std::vector<std::string> tracks, Transform f) {
    rules.push_back({name, std::move(tracks), std::move(f), exact});
  };
  // Exact on integers, inexact on floats: the integer form by default, every dtype under
  // fast_math (one name for both, so excluding the name excludes both).
  auto integer_exact = [&](NodeRewriter r) {
    r.tags = fast;
    rules.push_back(r);
    r.transform = on_integer_outputs(r.transform);
    r.tags = exact;
    rules.push_back(std::move(r));
  };
  auto zero = [&](const char* name, bool is_sub) {
    for (bool any_sign : {false, true}) {
      rules.push_back({name,
                       {"Elemwise"},
                       [=](FunctionGraph&, Apply* n) { return additive_zero(n, is_sub, any_sign); },
                       any_sign ? fast : exact});
    }
  };
  add("neg_neg", "neg(neg($x))", "$x", exact);
  zero("add_zero", false);
  zero("sub_zero", true);
  add("mul_one", "mul($x, 1)", "$x", exact);
  add("div_one", "true_divide($x, 1)", "$x", exact);
  integer_exact(pattern_rewriter("sub_self", "sub($x, $x)", "zeros_like($x)"));
  // x / x is NaN at 0 for integers too (true division gives floats).
  add("div_self", "true_divide($x, $x)", "ones_like($x)", fast);
  rules.push_back({"mul_div_cancel", {"Elemwise"}, mul_div_cancel, fast});
  integer_exact({"mul_zero", {"Elemwise"}, mul_zero, {}});
  node("cast_cast", {"Elemwise"}, cast_cast);
  node("switch_constant", {"Elemwise"}, switch_constant);
  node("dimshuffle_merge", {"DimShuffle"}, dimshuffle_merge);
  node("reshape_reshape", {"Reshape"}, reshape_reshape);
  node("useless_reshape", {"Reshape"}, useless_reshape);
  node("useless_alloc", {"Alloc"}, useless_alloc);
  node("useless_fill", {"Fill"}, useless_fill);
  node("subtensor_make_vector", {"Subtensor"}, subtensor_make_vector);
  node("subtensor_shape", {"Subtensor"}, subtensor_shape);
  integer_exact({"collect_constants", {"Elemwise"}, collect_constants, {}});
  integer_exact({"nary_add", {"Elemwise"}, nary_add, {}});
  integer_exact({"nary_mul", {"Elemwise"}, nary_mul, {}});
  node("subtensor_subtensor", {"Subtensor"}, subtensor_subtensor);
  node("subtensor_lift_elemwise", {"Subtensor"}, subtensor_lift_elemwise);
  node("dimshuffle_lift_elemwise", {"DimShuffle"}, dimshuffle_lift_elemwise);
  node("subtensor_of_set_subtensor", {"Subtensor"}, subtensor_of_set_subtensor);
  node("elemwise_of_set_fill", {"Elemwise"}, elemwise_of_set_fill);
  // Reductions combine in an unspecified order (as NumPy's pairwise sum does): merging two
  // changes rounding, not which results are NaN or infinite.
  node("reduce_reduce", reduce_type_names([](const ReductionRule& r) { return r.combine; }),
       reduce_reduce);
  node("reduce_size_one_axes", reduce_type_names([](const ReductionRule&) { return true; }),
       reduce_size_one_axes);
  return rules;
}

std::vector<NodeRewriter> canonicalize_shape_cleanup_rules() {
  const std::set<std::string> tags{"fast_run", "shape"};
  return {
      {"subtensor_make_vector", {"Subtensor"}, subtensor_make_vector, tags},
      {"subtensor_shape", {"Subtensor"}, subtensor_shape, tags},
      {"useless_reshape", {"Reshape"}, useless_reshape, tags},
      {"useless_fill", {"Fill"}, useless_fill, tags},
      {"useless_alloc", {"Alloc"}, useless_alloc, tags},
  };
}

}  // namespace theon
