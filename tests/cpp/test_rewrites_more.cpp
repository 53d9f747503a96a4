// The canonicalize, stabilize and specialize rewrites through the C++ API: the optimized graph
// (pprint) and values against FAST_COMPILE. The Python tests hold the full table.
#include <gtest/gtest.h>

#include <cmath>

#include "test_util.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

using test_util::values;

std::shared_ptr<Function> compile(const std::vector<In>& ins, const Var& out,
                                  const std::string& mode) {
  FunctionOptions o;
  o.mode.name = mode;
  o.mode.excluding.insert("fusion");  // the goldens show the rewrites before fusion
  return function(ins, {out}, o);
}

std::string optimized(const std::vector<In>& ins, const Var& out) {
  return pprint(compile(ins, out, "FAST_RUN")->graph().outputs()[0]);
}

void expect_same_as_fast_compile(const std::vector<In>& ins, const Var& out,
                                 const std::vector<NDArray>& args) {
  NDArray fast = compile(ins, out, "FAST_RUN")->call(args).at(0);
  NDArray plain = compile(ins, out, "FAST_COMPILE")->call(args).at(0);
  EXPECT_EQ(fast.dtype(), plain.dtype());
  EXPECT_EQ(fast.shape(), plain.shape());
  const auto a = values(fast), b = values(plain);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-9 * (1 + std::fabs(b[i])));
}

NDArray vec(std::vector<double> v) {
  const int64_t n = static_cast<int64_t>(v.size());
  return NDArray::from_vector<double>(v, {n});
}

TEST(RewritesMore, SpecializePowers) {
  Var x = vector("x");
  EXPECT_EQ(optimized({x}, pow(x, 2.0)), "sqr(x)");
  // pow(-0.0, 0.5) is +0.0 and pow(-inf, 0.5) +inf, where sqrt gives -0.0 and NaN.
  EXPECT_EQ(optimized({x}, pow(x, 0.5)), "(x ** 0.5)");
  EXPECT_EQ(optimized({x}, pow(x, -1.0)), "reciprocal(x)");
  EXPECT_EQ(optimized({x}, pow(x, 1.0)), "x");
  EXPECT_EQ(optimized({x}, x * x), "sqr(x)");
  EXPECT_EQ(optimized({x}, x * -1.0), "-x");
  for (double e : {2.0, 0.5, -1.0, 1.0, 3.0, 4.0}) {
    expect_same_as_fast_compile({x}, pow(x, e), {vec({0.5, 1.5, 2.0, 3.25})});
  }
}

TEST(RewritesMore, CanonicalizeReductionsAndShapes) {
  Var m = matrix("m");
  EXPECT_EQ(optimized({m}, transpose(transpose(m))), "m");
  const Var ss = sum(sum(m, std::vector<int64_t>{0}), std::vector<int64_t>{0});
  EXPECT_NE(optimized({m}, ss).find("axis=(0, 1)"), std::string::npos) << optimized({m}, ss);
  NDArray a = test_util::iota(DType::Float64, {3, 4});
  expect_same_as_fast_compile({m}, ss, {a});
  expect_same_as_fast_compile({m}, m * 0.0, {a});
  expect_same_as_fast_compile({m}, reshape(reshape(m, std::vector<int64_t>{12}), shape(m)), {a});
}

TEST(RewritesMore, ConstantSwitchBroadcastsTheBranch) {
  Var x = vector("x"), y = vector("y");
  const Var out = switch_(constant(NDArray::scalar(true)), x, y);
  // x of shape (1,) against y of shape (3,): the result is x broadcast to (3,).
  NDArray r = compile({x, y}, out, "FAST_RUN")->call({vec({2.5}), vec({1, 2, 3})}).at(0);
  EXPECT_EQ(r.shape(), (Shape{3}));
  EXPECT_EQ(values(r), (std::vector<double>{2.5, 2.5, 2.5}));
  expect_same_as_fast_compile({x, y}, out, {vec({2.5, 1, 0}), vec({1, 2, 3})});
}

TEST(RewritesMore, StableLogSumExpAndSoftmax) {
  Var x = vector("x");
  auto lse = compile({x}, log(sum(exp(x))), "FAST_RUN");
  const double got = lse->call({vec({1000, 1000})}).at(0).flat_as_double(0);
  EXPECT_NEAR(got, 1000 + std::log(2.0), 1e-12);
  auto sm = compile({x}, exp(x) / sum(exp(x), std::nullopt, true), "FAST_RUN");
  EXPECT_EQ(values(sm->call({vec({1000, 0})}).at(0)), (std::vector<double>{1.0, 0.0}));
  EXPECT_EQ(optimized({x}, log(softmax(x))).find("log("), std::string::npos);
}

TEST(RewritesMore, BinaryCrossEntropyGradientIsFinite) {
  Var z = vector("z"), y = vector("y");
  Var s = sigmoid(z);
  Var cost = -sum(y * log(s) + (1.0 - y) * log(1.0 - s));
  auto f = compile({z, y}, grad(cost, z), "FAST_RUN");
  const auto g = values(f->call({vec({-1000, 1000, -1000, 1000, 0}), vec({1, 0, 0, 1, 1})}).at(0));
  const std::vector<double> want{-1, 1, 0, 0, -0.5};
  for (size_t i = 0; i < g.size(); ++i) EXPECT_NEAR(g[i], want[i], 1e-12) << i;
}

}  // namespace
}  // namespace theon
