// Inplace rewrites: which ops become inplace, that inputs are never written, that the buffer
// pool does not hand out a buffer that an inplace output still uses.
#include <gtest/gtest.h>

#include <cmath>

#include "test_util.hpp"
#include "theon/rewrite/rewriter.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

FunctionOptions fast_run(bool inplace = true) {
  FunctionOptions o;
  o.mode.name = "FAST_RUN";
  o.mode.excluding.insert("fusion");  // these tests are about Elemwise's inplace variant
  if (!inplace) o.mode.excluding.insert("inplace");
  return o;
}

int count_destroyers(const Function& f) {
  int n = 0;
  for (Apply* node : f.graph().nodes()) n += node->op()->destroy_map().empty() ? 0 : 1;
  return n;
}

TEST(Inplace, ChainOfIntermediatesBecomesInplace) {
  Var x = vector("x");
  auto f = function({x}, {exp(x * 2.0) + 1.0}, fast_run());
  const std::string text = debugprint(f->graph().outputs(), {.print_type = false});
  EXPECT_EQ(text,
            "Elemwise{add,inplace0} [id A]\n"
            " |Elemwise{exp,inplace0} [id B]\n"
            " | |Elemwise{mul} [id C]\n"
            " | | |x [id D]\n"
            " | | |2 [id E] (constant)\n"
            " |1 [id F] (constant)\n");
  NDArray a = test_util::iota(DType::Float64, {5}, -2);
  const std::vector<double> before = test_util::values(a);
  for (int call = 0; call < 3; ++call) {
    NDArray out = f->call({a})[0];
    const std::vector<double> got = test_util::values(out);
    for (size_t i = 0; i < got.size(); ++i) EXPECT_DOUBLE_EQ(got[i], std::exp(before[i] * 2) + 1);
    EXPECT_EQ(test_util::values(a), before);  // the input is never written
  }
}

TEST(Inplace, ExcludingTheTagTurnsItOff) {
  Var x = vector("x");
  auto f = function({x}, {exp(x * 2.0) + 1.0}, fast_run(false));
  EXPECT_EQ(count_destroyers(*f), 0);
  auto g = function({x}, {exp(x * 2.0) + 1.0}, fast_run(true));
  EXPECT_EQ(count_destroyers(*g), 2);
}

TEST(Inplace, VariableReadTwiceIsNotDestroyed) {
  Var x = vector("x");
  Var e = exp(x);
  // e is read by both the add and the mul: neither may write into it.
  auto f = function({x}, {(e + 1.0) * e}, fast_run());
  for (Apply* node : f->graph().nodes()) {
    for (const auto& [o, i] : node->op()->destroy_map()) {
      EXPECT_NE(node->inputs()[i]->owner->op()->name(), "Elemwise{exp}");
      (void)o;
    }
  }
  NDArray a = test_util::iota(DType::Float64, {4}, 0);
  const std::vector<double> got = test_util::values(f->call({a})[0]);
  for (size_t i = 0; i < got.size(); ++i) {
    const double ei = std::exp(static_cast<double>(i));
    EXPECT_DOUBLE_EQ(got[i], (ei + 1) * ei);
  }
}

TEST(Inplace, BroadcastingInputIsNotChosen) {
  Var x = vector("x");
  Var m = matrix("m");
  // exp(x) has shape (n,), the sum has shape (k, n): exp(x) must not be destroyed.
  auto f = function({x, m}, {exp(x) + m}, fast_run());
  EXPECT_EQ(count_destroyers(*f), 0);
  // Nor in x + exp(m): x's unknown size may be n while m's is 1 at run time.
  auto h = function({x, m}, {x + exp(m)}, fast_run());
  EXPECT_EQ(count_destroyers(*h), 0);
  // A scalar cannot change exp(m)'s shape: exp(m) may be destroyed.
  auto g = function({m}, {exp(m) * 2.0}, fast_run());
  EXPECT_EQ(count_destroyers(*g), 1);
  NDArray b = test_util::iota(DType::Float64, {2, 3}, 0);
  const std::vector<double> got = test_util::values(g->call({b})[0]);
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_DOUBLE_EQ(got[i], 2 * std::exp(static_cast<double>(i)));
}

TEST(Inplace, ViewOfAnInputIsNotDestroyed) {
  Var m = matrix("m");
  // transpose is a view of m: writing into it would write into the caller's array.
  auto f = function({m}, {transpose(m) + 1.0}, fast_run());
  EXPECT_EQ(count_destroyers(*f), 0);
  NDArray a = test_util::iota(DType::Float64, {2, 3}, 0);
  const std::vector<double> before = test_util::values(a);
  f->call({a});
  EXPECT_EQ(test_util::values(a), before);
}

TEST(Inplace, SharedValueIsNeverWritten) {
  NDArray init = test_util::iota(DType::Float64, {4}, 1);
  Var s = shared(init, "s");
  Var x = vector("x");
  auto f = function({x}, {(s + x) * 3.0}, fast_run());
  EXPECT_EQ(count_destroyers(*f), 1);  // only the intermediate s + x
  NDArray a = test_util::iota(DType::Float64, {4}, 0);
  for (int call = 0; call < 2; ++call) {
    const std::vector<double> got = test_util::values(f->call({a})[0]);
    for (size_t i = 0; i < got.size(); ++i) EXPECT_DOUBLE_EQ(got[i], (2.0 * i + 1) * 3);
  }
  EXPECT_EQ(test_util::values(init), (std::vector<double>{1, 2, 3, 4}));
}

TEST(Inplace, PoolDoesNotReuseADestroyedBufferStillInUse) {
  // exp(x) is destroyed by the add; its buffer becomes the output. Later nodes allocate arrays of
  // the same size: if the buffer went back to the pool, they would overwrite the result.
  Var x = vector("x");
  Var y = exp(x) + 1.0;
  Var z = log(x + 10.0) * 2.0;
  auto f = function({x}, {y, z}, fast_run());
  EXPECT_GE(count_destroyers(*f), 1);
  NDArray a = test_util::iota(DType::Float64, {6}, 0);
  std::vector<NDArray> first = f->call({a});
  std::vector<NDArray> second = f->call({a});
  for (const auto& outs : {first, second}) {
    const std::vector<double> gy = test_util::values(outs[0]);
    const std::vector<double> gz = test_util::values(outs[1]);
    for (size_t i = 0; i < gy.size(); ++i) {
      EXPECT_DOUBLE_EQ(gy[i], std::exp(static_cast<double>(i)) + 1);
      EXPECT_DOUBLE_EQ(gz[i], std::log(i + 10.0) * 2);
    }
  }
}

TEST(Inplace, SetSubtensorOnAnIntermediate) {
  Var x = vector("x");
  Var y = vector("y");
  Var r = inc_subtensor(getitem(exp(x), {idx::slice(1, 3)}), y);
  auto f = function({x, y}, {r}, fast_run());
  bool found = false;
  for (Apply* node : f->graph().nodes()) {
    if (node->op()->type_name() == "IncSubtensor") {
      EXPECT_EQ(node->op()->props().rfind("Inc,inplace; ", 0), 0u) << node->op()->props();
      found = true;
    }
  }
  EXPECT_TRUE(found);
  NDArray a = test_util::iota(DType::Float64, {4}, 0);
  NDArray b = test_util::iota(DType::Float64, {2}, 10);
  const std::vector<double> got = test_util::values(f->call({a, b})[0]);
  const std::vector<double> want{1.0, std::exp(1.0) + 10, std::exp(2.0) + 11, std::exp(3.0)};
  for (size_t i = 0; i < 4; ++i) EXPECT_DOUBLE_EQ(got[i], want[i]);
  EXPECT_EQ(test_util::values(a), (std::vector<double>{0, 1, 2, 3}));
  // On an input, it stays a copy.
  auto g = function({x, y}, {inc_subtensor(getitem(x, {idx::slice(1, 3)}), y)}, fast_run());
  EXPECT_EQ(count_destroyers(*g), 0);
  g->call({a, b});
  EXPECT_EQ(test_util::values(a), (std::vector<double>{0, 1, 2, 3}));
}

}  // namespace
}  // namespace theon
