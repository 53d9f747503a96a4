// Pieces that carry Theano's API: graph comparison (equal_computations), the SVG drawing
// without Graphviz, Unbroadcast, the profile summary's limits and building an integer index
// beyond the static bounds.
#include <gtest/gtest.h>

#include <string>

#include "test_util.hpp"
#include "theon/compile/function.hpp"
#include "theon/compile/profile.hpp"
#include "theon/core/error.hpp"
#include "theon/grad/grad.hpp"
#include "theon/graph/compare.hpp"
#include "theon/graph/registry.hpp"
#include "theon/graph/svg.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/shape.hpp"
#include "theon/ops/subtensor.hpp"

namespace theon {
namespace {

using test_util::iota;

Var vec(const std::string& name) {
  return make_input(TensorType{DType::Float64, {kUnknownDim}}, name);
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

TEST(TheanoSupport, EqualComputationsComparesStructure) {
  Var x = vec("x"), y = vec("y");
  Var a = exp(x) + 1.0;
  Var b = exp(x) + 1.0;
  EXPECT_TRUE(equal_computations({a}, {b}));
  EXPECT_TRUE(equal_computations({a, x}, {b, x}));
  EXPECT_FALSE(equal_computations({a}, {exp(x) + 2.0}));  // constants differ
  EXPECT_FALSE(equal_computations({a}, {log(x) + 1.0}));  // ops differ
  EXPECT_FALSE(equal_computations({a}, {exp(y) + 1.0}));  // inputs differ
  EXPECT_TRUE(equal_computations({a}, {exp(y) + 1.0}, {x}, {y}));
  EXPECT_FALSE(equal_computations({x + y}, {y + x}));  // input order matters
  EXPECT_FALSE(equal_computations({a}, {a, a}));
  EXPECT_THROW(equal_computations({a}, {b}, {x}, {}), ValueError);
}

TEST(TheanoSupport, SvgDrawsEveryVariableAndNodeInLayers) {
  Var x = vec("x");
  Var w = vec("w");
  Var y = exp(x * w) + 1.0;
  y->name = "y";
  const std::string svg = svg_graph({y}, "g<1>");
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("<title>g&lt;1&gt;</title>"), std::string::npos);
  EXPECT_EQ(count(svg, "limegreen"), 2u);   // the inputs
  EXPECT_EQ(count(svg, "dodgerblue"), 1u);  // the output
  EXPECT_EQ(count(svg, "#dddddd"), 1u);     // the constant
  EXPECT_EQ(count(svg, "<rect"), 4u);       // three nodes and the constant
  EXPECT_EQ(count(svg, "<line"), 6u);       // x, w -> mul -> exp; exp, 1 -> add -> y
  EXPECT_NE(svg.find(">Elemwise{exp}<"), std::string::npos);
  // The output sits below the inputs.
  const size_t x_at = svg.find(">x<");
  const size_t y_at = svg.find(">y<");
  ASSERT_NE(x_at, std::string::npos);
  ASSERT_NE(y_at, std::string::npos);
  auto y_of = [&](size_t at) {
    const size_t q = svg.rfind(" y=\"", at);
    return std::stod(svg.substr(q + 4));
  };
  EXPECT_LT(y_of(x_at), y_of(y_at));
}

TEST(TheanoSupport, UnbroadcastForgetsSizeOneAndGradientGetsItBack) {
  Var r = make_input(TensorType{DType::Float64, {1, kUnknownDim}}, "r");
  Params p;
  p.set("axis", std::vector<int64_t>{0});
  Var u = build("unbroadcast", {r}, p)[0];
  EXPECT_EQ(u->type.shape, (StaticShape{kUnknownDim, kUnknownDim}));
  Var g = grad(sum(u * 3.0), r);
  EXPECT_EQ(g->type.shape[0], 1);
  auto f = function({r}, {u, g});
  NDArray a = iota(DType::Float64, {1, 3});
  auto out = f->call({a});
  EXPECT_EQ(out[0].shape(), (Shape{1, 3}));
  EXPECT_DOUBLE_EQ(out[1].data<double>()[2], 3.0);
  Params bad;
  bad.set("axis", std::vector<int64_t>{2});
  EXPECT_THROW(build("unbroadcast", {r}, bad), ValueError);
}

TEST(TheanoSupport, IntegerIndexBeyondStaticBoundsBuildsAndRaisesWhenRun) {
  Var x = make_input(TensorType{DType::Float64, {kUnknownDim, kUnknownDim}}, "x");
  Var s = shape(x);
  Var s5 = getitem(s, {idx::at(int64_t{5})});  // s is known to have 2 entries
  EXPECT_EQ(s5->type.ndim(), 0);
  FunctionOptions o;
  o.mode.name = "NONE";
  auto f = function({x}, {s5}, o);
  EXPECT_THROW(f->call({iota(DType::Float64, {2, 2})}), IndexError);
}

TEST(TheanoSupport, ProfileSummaryPrintsTheSlowestRowsAndCountsTheRest) {
  ProfileStats p;
  p.nodes = {{"A{}", "A", "", 3.0, 1}, {"B{}", "B", "", 2.0, 1}, {"C{}", "C", "", 1.0, 1}};
  const std::string all = p.summary();
  EXPECT_EQ(all.find("more ("), std::string::npos);
  const std::string some = p.summary(1, 2);
  const std::string per_type = some.substr(0, some.find("Per node:"));
  const std::string per_node = some.substr(some.find("Per node:"));
  EXPECT_NE(per_type.find("  A\n"), std::string::npos);
  EXPECT_EQ(per_type.find("  B\n"), std::string::npos);
  EXPECT_NE(per_type.find("... 2 more (3.000s, 50.0%)"), std::string::npos);
  EXPECT_NE(per_node.find("B{}"), std::string::npos);
  EXPECT_EQ(per_node.find("C{}"), std::string::npos);
  EXPECT_NE(per_node.find("... 1 more (1.000s, 16.7%)"), std::string::npos);
}

}  // namespace
}  // namespace theon
