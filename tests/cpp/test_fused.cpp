// Fusion and generated kernels from C++: the fusion rewrite's graphs, the reference kernel of a
// Fused op, the emitted source, DebugMode catching a generated kernel that disagrees with the
// reference kernels and a rewrite that changes values, and the thread pool.
// (tests/python/test_codegen.py compiles and runs the generated kernels against every op of the
// table.)
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <vector>

#include "test_util.hpp"
#include "theon/codegen/emit.hpp"
#include "theon/codegen/fused_kernel.hpp"
#include "theon/core/thread_pool.hpp"
#include "theon/ops/fused.hpp"
#include "theon/rewrite/pipeline.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

FunctionOptions with_mode(const std::string& name) {
  FunctionOptions o;
  o.mode.name = name;
  return o;
}

const Fused* only_fused(const Function& f) {
  const Fused* found = nullptr;
  int count = 0;
  for (Apply* node : f.graph().nodes()) {
    if (auto* op = dynamic_cast<const Fused*>(node->op().get())) {
      found = op;
      ++count;
    }
  }
  return count == 1 ? found : nullptr;
}

TEST(Fusion, ElementwiseTreeBecomesOneLoopThatMatchesTheUnfusedGraph) {
  Var x = matrix("x");
  Var y = vector("y");
  Var out = exp(x * y + 1.0) - y / 2.0;
  auto fused = function({x, y}, {out}, with_mode("FAST_RUN"));
  const Fused* op = only_fused(*fused);
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->steps().size(), 5u);
  auto plain = function({x, y}, {out}, with_mode("FAST_COMPILE"));
  NDArray a = test_util::iota(DType::Float64, {3, 4}, -1);
  NDArray b = test_util::iota(DType::Float64, {4}, 2);
  EXPECT_EQ(test_util::values(fused->call({a, b})[0]), test_util::values(plain->call({a, b})[0]));
}

TEST(Fusion, ANodeReadByALaterTreeIsAFurtherOutputOfItsLoop) {
  Var x = vector("x");
  Var shared_term = exp(x);
  auto f = function({x}, {shared_term * 2.0, shared_term + 1.0}, with_mode("FAST_RUN"));
  std::vector<const Fused*> fused;
  for (Apply* node : f->graph().nodes()) {
    if (auto* op = dynamic_cast<const Fused*>(node->op().get())) fused.push_back(op);
  }
  // exp joins the first tree and that loop also writes it for the other tree, which comes
  // after it; the other tree cannot take exp too.
  ASSERT_EQ(fused.size(), 2u);
  EXPECT_EQ(fused[0]->outputs().size(), 2u);
  EXPECT_EQ(fused[1]->outputs().size(), 1u);
  NDArray a = test_util::iota(DType::Float64, {5}, -2);
  const std::vector<NDArray> got = f->call({a});
  const std::vector<double> twice = test_util::values(got[0]), plus = test_util::values(got[1]);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(twice[i], std::exp(i - 2.0) * 2.0);
    EXPECT_EQ(plus[i], std::exp(i - 2.0) + 1.0);
  }
}

TEST(Fusion, ABroadcastColumnIsLoadedOncePerRow) {
  // The max of another matrix: x's own would make the pair one MaxExpSum node.
  Var x = matrix("x"), y = matrix("y");
  Var out = sum(exp(x - max(y, std::vector<int64_t>{1}, true)), std::vector<int64_t>{1});
  auto f = function({x, y}, {out}, with_mode("FAST_RUN"));
  const Fused* reducing = nullptr;
  for (Apply* node : f->graph().nodes()) {
    auto* op = dynamic_cast<const Fused*>(node->op().get());
    if (op != nullptr && op->steps().size() == 2) reducing = op;
  }
  ASSERT_NE(reducing, nullptr);
  const std::string source = codegen::emit_kernel(*reducing, "k");
  // The column's stride-0 test selects a body that reads it before the loop over a row.
  EXPECT_NE(source.find("const bool hoisted = true && st[1] == sizeof(double) && st[2] == 0;"),
            std::string::npos);
  EXPECT_NE(source.find("else if (hoisted) {\n        const double v1 = *reinterpret_cast"),
            std::string::npos);
}

TEST(Fusion, ReductionOfATreeIsOneLoopAndEmittedWithItsAxes) {
  Var x = matrix("x");
  Var out = sum(exp(x - 1.0), std::vector<int64_t>{1});
  auto f = function({x}, {out}, with_mode("FAST_RUN"));
  const Fused* op = only_fused(*f);
  ASSERT_NE(op, nullptr);
  ASSERT_TRUE(op->reduction().has_value());
  EXPECT_EQ(op->reduction()->axes, std::vector<int64_t>{1});
  const std::string source = codegen::emit_kernel(*op, "k");
  EXPECT_NE(source.find("extern \"C\" void k("), std::string::npos);
  EXPECT_NE(source.find("exp("), std::string::npos);
  NDArray a = test_util::iota(DType::Float64, {2, 3});
  const std::vector<double> got = test_util::values(f->call({a})[0]);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_NEAR(got[0], std::exp(-1.0) + std::exp(0.0) + std::exp(1.0), 1e-12);
}

// A kernel that writes the wrong value everywhere, as a code generator bug would.
void wrong_kernel(int64_t nd, const int64_t* shape, char* const* base, const int64_t* strides) {
  int64_t n = 1;
  for (int64_t d = 0; d < nd; ++d) n *= shape[d];
  for (int64_t i = 0; i < n; ++i) {
    *reinterpret_cast<double*>(base[0] + i * strides[nd - 1]) = 42.0;
  }
}

TEST(Fusion, DebugModeCatchesAGeneratedKernelThatDisagrees) {
  Var x = vector("x");
  auto f = function({x}, {exp(x) * 3.0}, with_mode("DebugMode"));
  ASSERT_NE(only_fused(*f), nullptr);
  const codegen::FusedLoopKernel* loop = nullptr;
  for (const auto& ins : f->program().code) {
    if (auto* k = dynamic_cast<const codegen::FusedLoopKernel*>(ins.kernel)) loop = k;
  }
  ASSERT_NE(loop, nullptr);
  NDArray a = test_util::iota(DType::Float64, {4});
  EXPECT_NO_THROW(f->call({a}));
  loop->install(&wrong_kernel);
  try {
    f->call({a});
    FAIL() << "DebugMode accepted a wrong generated kernel";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("generated kernel disagrees"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("Fused"), std::string::npos) << e.what();
  }
}

TEST(ThreadPool, EveryIndexRunsExactlyOnceAndErrorsPropagate) {
  Config::global().set("num_threads", "0");
  std::vector<std::atomic<int>> hits(100000);
  parallel_for(100000, 1000, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) hits[i]++;
  });
  for (const auto& h : hits) ASSERT_EQ(h.load(), 1);
  EXPECT_THROW(parallel_for(100000, 1000,
                            [&](int64_t, int64_t end) {
                              if (end == 100000) throw ValueError("last chunk failed");
                            }),
               ValueError);
}

// A test-only rewrite that is wrong: exp(x) -> x. Registered under its own tag, so that only a
// mode that asks for it runs it.
void register_planted_rewrite() {
  static bool done = false;
  if (done) return;
  done = true;
  add_node_rewriter("canonicalize",
                    {"planted_wrong_exp",
                     {"Elemwise"},
                     [](FunctionGraph&, Apply* node) -> std::optional<std::vector<Var>> {
                       const auto* op = dynamic_cast<const Elemwise*>(node->op().get());
                       if (!op || op->scalar().name != "exp") return std::nullopt;
                       return std::vector<Var>{node->inputs()[0]};
                     },
                     {"planted_wrong"}});
}

TEST(DebugModeRewrites, NamesTheRewriteThatChangedAValue) {
  register_planted_rewrite();
  Var x = vector("x");
  FunctionOptions o;
  o.mode.name = "DebugMode";
  o.mode.including.insert("planted_wrong");
  auto f = function({x}, {log(1.0 + x) + exp(x * 2.0)}, o);
  NDArray a = test_util::iota(DType::Float64, {3}, 1);
  try {
    f->call({a});
    FAIL() << "DebugMode accepted a wrong rewrite";
  } catch (const ValueError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("rewrite 'planted_wrong_exp'"), std::string::npos) << what;
    EXPECT_NE(what.find("exp("), std::string::npos) << what;  // what it replaced
  }
  FunctionOptions right;
  right.mode.name = "DebugMode";
  auto g = function({x}, {log(1.0 + x) + exp(x * 2.0)}, right);
  EXPECT_NO_THROW(g->call({a}));
}

}  // namespace
}  // namespace theon
