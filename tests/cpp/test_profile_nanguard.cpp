// The run-time tools: the profiler, NanGuardMode and DebugMode.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "test_util.hpp"
#include "theon/compile/function.hpp"
#include "theon/compile/profile.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op.hpp"
#include "theon/ops/elemwise.hpp"

namespace theon {
namespace {

using test_util::iota;

std::string here(int line) {
  return std::string(__FILE__) + ":" + std::to_string(line);
}

Var fvec(const std::string& name) {
  return make_input(TensorType{DType::Float64, {kUnknownDim}}, name);
}

TEST(ProfileNanGuard, ProfilerListsEveryOpTypeAndNodeTimesSumToTotal) {
  Var x = fvec("x");
  Var y = add(exp(x), mul(x, x));
  FunctionOptions o;
  o.profile = true;
  o.mode.name = "NONE";
  auto f = function({x}, {y}, o);
  NDArray a = iota(DType::Float64, {100000});
  for (int i = 0; i < 5; ++i) f->call({a});
  auto p = f->profile();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->calls, 5);
  ASSERT_EQ(p->nodes.size(), 3u);
  for (const auto& n : p->nodes) {
    EXPECT_EQ(n.calls, 5);
    EXPECT_GT(n.seconds, 0);
  }
  // The kernels are most of the VM time; the rest is the loop and releases.
  EXPECT_LE(p->node_seconds(), p->run_seconds);
  EXPECT_GT(p->node_seconds(), 0.5 * p->run_seconds);
  const std::string s = p->summary();
  EXPECT_NE(s.find("Elemwise{exp}"), std::string::npos) << s;
  EXPECT_NE(s.find("Elemwise{add}"), std::string::npos) << s;
  EXPECT_NE(s.find("Elemwise{mul}"), std::string::npos) << s;
  EXPECT_NE(s.find("Per op type"), std::string::npos) << s;
  EXPECT_NE(s.find("rewriting"), std::string::npos) << s;
  EXPECT_NE(s.find("linking"), std::string::npos) << s;
  EXPECT_NE(s.find("profiler overhead"), std::string::npos) << s;
}

TEST(ProfileNanGuard, ProfileOffByDefault) {
  Var x = fvec("x");
  auto f = function({x}, {exp(x)});
  EXPECT_FALSE(f->profile());
}

TEST(ProfileNanGuard, NanGuardNamesTheNodeAndItsInputs) {
  Var x = fvec("x");
  Var bad;
  int line = 0;
  {
    line = __LINE__ + 1;
    LocationScope scope(here(line));
    bad = log(x);
  }
  Var y = exp(add(bad, x));
  FunctionOptions o;
  o.mode.name = "NanGuardMode";
  auto f = function({x}, {y}, o);
  NDArray ok = NDArray::from_vector<double>({1, 2, 3}, {3});
  EXPECT_NO_THROW(f->call({ok}));
  NDArray neg = NDArray::from_vector<double>({-1, 2, 3}, {3});
  try {
    f->call({neg});
    FAIL() << "expected ValueError";
  } catch (const ValueError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("NaN"), std::string::npos) << msg;
    EXPECT_NE(msg.find("Elemwise{log}"), std::string::npos) << msg;
    EXPECT_NE(msg.find(here(line)), std::string::npos) << msg;
    EXPECT_NE(msg.find("min=-1 max=3"), std::string::npos) << msg;
  }
  // Without the guard the NaN goes through.
  auto g = function({x}, {y});
  EXPECT_TRUE(std::isnan(g->call({neg})[0].flat_as_double(0)));
}

TEST(ProfileNanGuard, NanGuardInfAndBig) {
  Var x = fvec("x");
  FunctionOptions o;
  o.mode.name = "NanGuardMode";
  auto f = function({x}, {exp(x)}, o);
  EXPECT_THROW(f->call({NDArray::from_vector<double>({1000}, {1})}), ValueError);
  EXPECT_NO_THROW(f->call({NDArray::from_vector<double>({30}, {1})}));
  o.mode.nan_guard_big = 1e10;
  auto g = function({x}, {exp(x)}, o);
  try {
    g->call({NDArray::from_vector<double>({30}, {1})});
    FAIL() << "expected ValueError";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("larger in magnitude"), std::string::npos) << e.what();
  }
}

// Test-only ops: one returns a view of its input without declaring view_map, one writes into
// its input.
class SneakyAlias : public Op {
 public:
  std::string type_name() const override { return "SneakyAlias"; }
  std::vector<TensorType> output_types(const std::vector<Var>& in) const override {
    return {in[0]->type};
  }
  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out) const override {
    out[0] = in[0];
  }
};

class Scribbler : public Op {
 public:
  std::string type_name() const override { return "Scribbler"; }
  std::vector<TensorType> output_types(const std::vector<Var>& in) const override {
    return {in[0]->type};
  }
  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out) const override {
    out[0] = in[0].copy();
    *reinterpret_cast<double*>(in[0].raw()) += 1;
  }
};

TEST(ProfileNanGuard, DebugModeCatchesUndeclaredAliasing) {
  Var x = fvec("x");
  Var y = make_node1(std::make_shared<SneakyAlias>(), {exp(x)});
  FunctionOptions o;
  o.mode.name = "DebugMode";
  auto f = function({x}, {y}, o);
  try {
    f->call({NDArray::from_vector<double>({1, 2}, {2})});
    FAIL() << "expected ValueError";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("SneakyAlias"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("view_map"), std::string::npos) << e.what();
  }
  auto g = function({x}, {y});  // unchecked: runs
  EXPECT_NO_THROW(g->call({NDArray::from_vector<double>({1, 2}, {2})}));
}

TEST(ProfileNanGuard, DebugModeCatchesInputModification) {
  Var x = fvec("x");
  Var y = make_node1(std::make_shared<Scribbler>(), {exp(x)});
  FunctionOptions o;
  o.mode.name = "DebugMode";
  auto f = function({x}, {y}, o);
  try {
    f->call({NDArray::from_vector<double>({1, 2}, {2})});
    FAIL() << "expected ValueError";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("Scribbler"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("modified its input 0"), std::string::npos) << e.what();
  }
}

TEST(ProfileNanGuard, DebugModePassesOrdinaryGraphs) {
  Var x = fvec("x");
  Var y = add(exp(x), mul(x, x));
  FunctionOptions o;
  o.mode.name = "DebugMode";
  auto f = function({x}, {y}, o);
  NDArray r = f->call({NDArray::from_vector<double>({1, 2}, {2})})[0];
  EXPECT_NEAR(r.flat_as_double(1), std::exp(2.0) + 4, 1e-12);
}

}  // namespace
}  // namespace theon
