// Creation traces survive rewriting: every node a rewrite builds takes the trace of the node it
// replaces (its user's line, and the op the user wrote there), so that run-time errors of the
// optimized graph point at the user's code.
#include <gtest/gtest.h>

#include "every_op_graph.hpp"
#include "test_util.hpp"
#include "theon/graph/fgraph.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

using test_util::expect_error;

std::vector<In> inputs_of(const test_util::OpGraph& g) {
  std::vector<In> ins;
  for (const auto& [v, value] : g.values) ins.emplace_back(v);
  return ins;
}

// "a, b, c" as its entries; none for "".
std::vector<std::string> split_list(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < list.size()) {
    const size_t comma = std::min(list.find(", ", start), list.size());
    out.push_back(list.substr(start, comma - start));
    start = comma + 2;
  }
  return out;
}

TEST(RewriteTrace, EveryNodeOfTheOptimizedEveryOpGraphHasATrace) {
  const test_util::OpGraph g = test_util::every_op_graph();
  for (Apply* node : toposort(g.outputs)) ASSERT_FALSE(node->where().empty());
  FunctionOptions o;
  o.mode.name = "FAST_RUN";
  o.on_unused_input = "ignore";
  auto f = function(inputs_of(g), std::vector<Out>(g.outputs.begin(), g.outputs.end()), o);
  int rewritten = 0;
  for (Apply* node : f->graph().nodes()) {
    EXPECT_FALSE(node->where().empty()) << node->op()->name() << " has no creation trace";
    EXPECT_EQ(node->where().rfind("every_op_graph:", 0), 0u) << node->where();
    if (!node->origin().empty()) ++rewritten;
  }
  EXPECT_GT(rewritten, 0);  // the rewrites did build nodes, and named what they replaced
}

TEST(RewriteTrace, NodesRebuiltSeveralTimesNameOnlyTheOpsTheUserWrote) {
  Var x = vector("x");
  Var y;
  {
    LocationScope where("user.py:3");
    y = log(1.0 + exp(x));  // stabilize: softplus; then fused
  }
  FunctionOptions o;
  o.mode.name = "FAST_RUN";
  auto f = function({x}, {y}, o);
  const std::set<std::string> user_ops{"Elemwise{log}", "Elemwise{add}", "Elemwise{exp}"};
  int rewritten = 0;
  for (Apply* node : f->graph().nodes()) {
    EXPECT_EQ(node->where(), "user.py:3") << node->op()->name();
    const std::string& origin = node->origin();
    rewritten += !origin.empty();
    for (const std::string& op : split_list(origin)) {
      EXPECT_TRUE(user_ops.count(op)) << op << " in " << origin;
    }
  }
  EXPECT_GT(rewritten, 0);
}

TEST(RewriteTrace, ReplaceGivesUntracedNodesTheReplacedNodesTrace) {
  Var x = vector("x");
  Var y;
  {
    LocationScope where("user.py:9");
    y = exp(x);
  }
  FunctionGraph fg({x}, {y});
  Var built = log(x);  // built outside any user location, as rewrites build
  ASSERT_TRUE(built->owner->where().empty());
  Var traced;
  {
    LocationScope where("elsewhere.py:1");
    traced = sqrt(x);
  }
  fg.replace(fg.outputs()[0], built + traced, "test");
  const Apply* add = fg.outputs()[0]->owner;
  EXPECT_EQ(add->where(), "user.py:9");
  EXPECT_EQ(add->origin(), "Elemwise{exp}");
  EXPECT_EQ(built->owner->where(), "user.py:9");
  EXPECT_EQ(traced->owner->where(), "elsewhere.py:1");  // a node with a trace keeps its own
  EXPECT_TRUE(traced->owner->origin().empty());
}

TEST(RewriteTrace, RunTimeErrorOfARewrittenNodeNamesTheUsersOpsAndLines) {
  Var a = matrix("a"), v = vector("v"), u = vector("u");
  Var product, out;
  {
    LocationScope where("train.py:12");
    product = dot(a, v);
  }
  {
    LocationScope where("train.py:13");
    out = product - u;  // with the dot: one Gemv
  }
  FunctionOptions o;
  o.mode.name = "FAST_RUN";
  auto f = function({a, v, u}, {out}, o);
  const Apply* gemv = f->graph().outputs()[0]->owner;
  ASSERT_EQ(gemv->op()->type_name(), "Gemv") << debugprint(f->graph().outputs());
  EXPECT_EQ(gemv->origin(), "Dot, Elemwise{sub}");
  EXPECT_EQ(gemv->where(), "train.py:12, train.py:13");
  expect_error<ValueError>(
      [&] {
        f->call({NDArray::zeros(DType::Float64, {5, 4}), NDArray::zeros(DType::Float64, {3}),
                 NDArray::zeros(DType::Float64, {5})});
      },
      {"Gemv (from Dot, Elemwise{sub}): ", "(5, 4)", "(3,)",
       "Node built at: train.py:12, train.py:13", "in place of: Dot, Elemwise{sub}"});
}

}  // namespace
}  // namespace theon
