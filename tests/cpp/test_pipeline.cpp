// The rewrite pipeline: the passes each mode walks, how tags filter rules, the pass printout,
// and the fixpoint driver's handling of nodes freed by their own replacement.
#include <gtest/gtest.h>

#include "theon/core/config.hpp"
#include "theon/rewrite/pattern.hpp"
#include "theon/rewrite/pipeline.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

std::vector<std::string> pass_names(const ModePipeline& pipeline) {
  std::vector<std::string> names;
  for (const Pass& p : pipeline.passes) names.push_back(p.name);
  return names;
}

TEST(Pipeline, ModesWalkTheSamePassesWithTheirOwnTags) {
  const std::vector<std::string> order = {"merge",  "canonicalize",     "stabilize", "specialize",
                                          "shape",  "device_placement", "blas",      "scan_memory",
                                          "fusion", "final_merge",      "inplace",   "draw_fusion"};
  for (const char* mode : {"FAST_RUN", "FAST_COMPILE", "NONE", "NanGuardMode", "DebugMode"}) {
    EXPECT_EQ(pass_names(mode_pipeline(mode)), order) << mode;
  }
  EXPECT_EQ(mode_pipeline("FAST_RUN").tags, std::set<std::string>{"fast_run"});
  EXPECT_EQ(mode_pipeline("DebugMode").tags, std::set<std::string>{"fast_run"});
  EXPECT_EQ(mode_pipeline("FAST_COMPILE").tags, std::set<std::string>{"fast_compile"});
  EXPECT_TRUE(mode_pipeline("NONE").tags.empty());
  EXPECT_THROW(mode_pipeline("FASTEST"), ValueError);
}

TEST(Pipeline, FilterAdmitsByNameOrTagAndExclusionWins) {
  const std::set<std::string> tags{"fast_run", "stabilize"};
  EXPECT_TRUE((RewriteFilter{{"fast_run"}, {}}.admits("log1p_from_log", tags)));
  EXPECT_TRUE((RewriteFilter{{"log1p_from_log"}, {}}.admits("log1p_from_log", tags)));
  EXPECT_FALSE((RewriteFilter{{"fast_compile"}, {}}.admits("log1p_from_log", tags)));
  EXPECT_FALSE((RewriteFilter{{"fast_run"}, {"stabilize"}}.admits("log1p_from_log", tags)));
  EXPECT_FALSE((RewriteFilter{{"stabilize"}, {"log1p_from_log"}}.admits("log1p_from_log", tags)));
}

TEST(Pipeline, NamesAndTagsOfEveryGroupAreKnown) {
  for (const char* name :
       {"merge", "constant_folding", "log1p_from_log", "inplace_elemwise", "blas_update", "fusion",
        "fast_run", "fast_compile", "canonicalize", "stabilize", "specialize", "shape", "inplace",
        "ifelse", "ifelse_merge", "inline_op_from_graph", "draw_into_loop"}) {
    EXPECT_TRUE(is_rewrite_name_or_tag(name)) << name;
  }
  EXPECT_FALSE(is_rewrite_name_or_tag("nope"));
  const std::vector<std::string> groups = rule_group_names();
  EXPECT_NE(std::find(groups.begin(), groups.end(), "shape_cleanup"), groups.end());
}

TEST(Pipeline, UnknownGroupIsAnError) {
  Var x = vector("x");
  FunctionGraph fg({x}, {exp(x)});
  EXPECT_THROW(run_group(fg, "nope", RewriteFilter{{"fast_run"}, {}}), ValueError);
  EXPECT_THROW(add_node_rewriter("nope", NodeRewriter{}), ValueError);
}

// The shape pass reruns a few canonicalize rules on what it builds: there they answer to the
// tag "shape", as the shape rules do, and not to "canonicalize".
TEST(Pipeline, ShapeCleanupRulesAnswerToTheShapeTag) {
  Var m = matrix("m");
  auto rewrites = [&](const std::set<std::string>& exclude) {
    FunctionGraph fg({m}, {reshape(m, shape(m))});
    return run_group(fg, "shape_cleanup", RewriteFilter{{"fast_run"}, exclude});
  };
  EXPECT_EQ(rewrites({}), 1);
  EXPECT_EQ(rewrites({"canonicalize"}), 1);
  EXPECT_EQ(rewrites({"shape"}), 0);
  EXPECT_EQ(rewrites({"useless_reshape"}), 0);
}

class PrintPasses : public ::testing::Test {
 protected:
  void SetUp() override { Config::global().set("optimizer_print_passes", "True"); }
  void TearDown() override { Config::global().set("optimizer_print_passes", "False"); }
};

TEST_F(PrintPasses, ShowsTheGraphAfterEachPassThatRuns) {
  Var x = vector("x");
  FunctionOptions fast;
  fast.mode.name = "FAST_RUN";
  fast.mode.excluding.insert("fusion");
  ::testing::internal::CaptureStderr();
  function({x}, {log(1.0 + x)}, fast);
  const std::string printed = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(printed.find("optimizer: after pass 2/12 'canonicalize' (0 changes)\n"
                         "Elemwise{log} [id A] <float64, vector>\n"),
            std::string::npos)
      << printed;
  EXPECT_NE(printed.find("optimizer: after pass 3/12 'stabilize' (1 changes)\n"
                         "Elemwise{log1p} [id A] <float64, vector>\n"
                         " |x [id B] <float64, vector>\n"),
            std::string::npos)
      << printed;
  EXPECT_EQ(printed.find("'fusion'"), std::string::npos) << printed;  // nothing of it runs

  FunctionOptions plain;
  plain.mode.name = "FAST_COMPILE";
  ::testing::internal::CaptureStderr();
  function({x}, {log(1.0 + x)}, plain);
  const std::string fast_compile = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(fast_compile.find("after pass 1/12 'merge'"), std::string::npos) << fast_compile;
  EXPECT_EQ(fast_compile.find("'stabilize'"), std::string::npos) << fast_compile;
}

TEST(PrintPassesOff, PrintsNoPass) {
  Var x = vector("x");
  ::testing::internal::CaptureStderr();
  function({x}, {log(1.0 + x)});
  EXPECT_EQ(::testing::internal::GetCapturedStderr().find("optimizer:"), std::string::npos);
}

// x - x: the sub node's only output is replaced, so the graph lets go of the node while the
// driver is still looking at it (a heap use-after-free under AddressSanitizer before the fix).
TEST(RewriteToFixpoint, NodeFreedByItsReplacementIsNotReadAgain) {
  Var x = vector("x");
  FunctionGraph fg({x}, {x - x});
  const std::weak_ptr<Apply> sub_node = fg.outputs()[0]->owner->shared_from_this();
  auto sub_self = pattern_rewriter("sub_self", "sub($x, $x)", "zeros_like($x)");
  EXPECT_EQ(rewrite_to_fixpoint(fg, {&sub_self}), 1);
  EXPECT_TRUE(sub_node.expired());
  EXPECT_EQ(fg.num_nodes(), 1u);

  auto f = function({x}, {x - x});
  NDArray out = f->call({NDArray::from_vector<double>({1.5, -2.0, 7.0}, {3})}).at(0);
  ASSERT_EQ(out.shape(), (Shape{3}));
  for (int64_t i = 0; i < 3; ++i) EXPECT_EQ(out.flat_as_double(i), 0.0);
}

}  // namespace
}  // namespace theon
