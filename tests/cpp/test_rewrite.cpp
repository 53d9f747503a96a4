#include <gtest/gtest.h>

#include "theon/rewrite/pattern.hpp"
#include "theon/rewrite/rewriter.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

TEST(FunctionGraph, ReplaceRewiresClientsAndPrunesDeadNodes) {
  Var x = vector("x");
  Var y = exp(x);
  Var z = log(y);
  FunctionGraph fg({x}, {z + y});
  EXPECT_EQ(fg.num_nodes(), 3u);
  const Var fy = fg.outputs()[0]->owner->inputs()[1];  // the copy of exp(x)
  const Var fz = fg.outputs()[0]->owner->inputs()[0];  // the copy of log(y)
  fg.replace(fz, x, "test");
  EXPECT_EQ(fg.num_nodes(), 2u);  // log is gone; exp is still read by add
  EXPECT_EQ(fg.outputs()[0]->owner->inputs()[0], x);
  EXPECT_EQ(fg.clients(fy.get()).size(), 1u);
  EXPECT_EQ(pprint(z + y), "(log(exp(x)) + exp(x))");  // the user's graph is untouched
  Var wrong = matrix("m");
  EXPECT_THROW(fg.replace(fy, wrong, "test"), TypeError);
}

TEST(PatternRewriter, MatchesCommutedArgumentsAndBuildsTheReplacement) {
  Var x = vector("x");
  FunctionGraph fg({x}, {log(1.0 + x)});
  auto r = pattern_rewriter("log1p", "log(add($x, 1))", "log1p($x)");
  EXPECT_EQ(rewrite_to_fixpoint(fg, {&r}), 1);
  EXPECT_EQ(pprint(fg.outputs()[0]), "log1p(x)");
}

TEST(PatternRewriter, RepeatedBindingMustBeTheSameVariable) {
  Var x = vector("x");
  Var y = vector("y");
  auto r = pattern_rewriter("sub_self", "sub($a, $a)", "zeros_like($a)");
  FunctionGraph fg({x, y}, {x - y});
  EXPECT_EQ(rewrite_to_fixpoint(fg, {&r}), 0);
  FunctionGraph same({x}, {x - x});
  EXPECT_EQ(rewrite_to_fixpoint(same, {&r}), 1);
}

TEST(PatternRewriter, BadPatternIsAClearError) {
  EXPECT_THROW(pattern_rewriter("bad", "log(add($x, 1)", "log1p($x)"), ValueError);
  EXPECT_THROW(pattern_rewriter("bad", "$x", "log1p($x)"), ValueError);
}

TEST(Modes, FastCompileFoldsConstantsButKeepsTheFormula) {
  Var x = vector("x");
  FunctionOptions o;
  o.mode.name = "FAST_COMPILE";
  auto f = function({x}, {log(1.0 + x) + exp(constant(NDArray::scalar(0.0)))}, o);
  EXPECT_EQ(pprint(f->graph().outputs()[0]), "(log((1 + x)) + 1)");
  FunctionOptions fast;
  fast.mode.name = "FAST_RUN";
  fast.mode.excluding.insert("fusion");
  auto g = function({x}, {log(1.0 + x)}, fast);
  EXPECT_EQ(pprint(g->graph().outputs()[0]), "log1p(x)");
  EXPECT_EQ(g->history().entries().at(0).rewrite, "log1p_from_log");
}

}  // namespace
}  // namespace theon
