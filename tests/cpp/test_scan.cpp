// Scan from C++ (make_scan): values against a loop, the op's structural identity, the gradient
// against finite differences, and build-time errors.
#include <gtest/gtest.h>

#include <cmath>

#include "test_util.hpp"
#include "theon/ops/scan_op.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

using test_util::expect_error;
using test_util::iota;
using test_util::values;

// h_t = tanh(a * h_{t-1} + x_t), with a stacked h_t * x_t.
std::vector<Var> recurrence(const Var& x, const Var& h0, const Var& a) {
  ScanParts loop;
  loop.spec.n_seqs = 1;
  loop.spec.taps = {{-1}};
  loop.spec.n_nitsot = 1;
  loop.spec.name = "rnn";
  Var row = make_input(TensorType(DType::Float64, {}), "x_t");
  Var prev = make_input(TensorType(DType::Float64, {}), "h_tm1");
  loop.inner_inputs = {row, prev};
  Var h = tanh(a * prev + row);
  loop.inner_outputs = {h, h * row};
  loop.outer_inputs = {shape_i(x, 0), x, expand_dims(h0, {0})};
  return make_scan(loop);
}

TEST(Scan, ValuesMatchALoopAndReadCapturedVariables) {
  Var x = vector("x"), h0 = scalar("h0"), a = scalar("a");
  std::vector<Var> outs = recurrence(x, h0, a);
  auto f = function({x, h0, a}, {outs[0], outs[1]});
  const NDArray xv = iota(DType::Float64, {5}, -2);
  std::vector<NDArray> r = f->call({xv, NDArray::scalar(0.25), NDArray::scalar(0.5)});
  std::vector<double> hs = values(r[0]), prods = values(r[1]);
  ASSERT_EQ(hs.size(), 6u);
  EXPECT_EQ(hs[0], 0.25);
  double h = 0.25;
  for (int t = 0; t < 5; ++t) {
    h = std::tanh(0.5 * h + (t - 2));
    EXPECT_DOUBLE_EQ(hs[t + 1], h);
    EXPECT_DOUBLE_EQ(prods[t], h * (t - 2));
  }
}

TEST(Scan, EqualBodiesMakeEqualOps) {
  Var x = vector("x"), h0 = scalar("h0"), a = scalar("a");
  const Var one = recurrence(x, h0, a)[0], two = recurrence(x, h0, a)[0];
  EXPECT_NE(one->owner, two->owner);
  EXPECT_TRUE(one->owner->op()->equals(*two->owner->op()));
  EXPECT_EQ(one->owner->op()->hash(), two->owner->op()->hash());
  ScanParts other;
  other.spec.n_seqs = 1;
  other.spec.taps = {{-1}};
  Var row = make_input(TensorType(DType::Float64, {}), "x_t");
  Var prev = make_input(TensorType(DType::Float64, {}), "h_tm1");
  other.inner_inputs = {row, prev};
  other.inner_outputs = {prev - row};
  other.outer_inputs = {shape_i(x, 0), x, expand_dims(h0, {0})};
  EXPECT_FALSE(one->owner->op()->equals(*make_scan(other)[0]->owner->op()));
}

TEST(Scan, GradientMatchesFiniteDifferences) {
  auto cost = [](const std::vector<Var>& in) {
    std::vector<Var> outs = recurrence(in[0], in[1], in[2]);
    return sum(outs[0] * outs[0]) + sum(outs[1]);
  };
  verify_grad(cost, {iota(DType::Float64, {4}, -1.5), NDArray::scalar(0.3),
                     NDArray::scalar(0.7)});
}

TEST(Scan, RecurrentOutputOfAnotherDtypeIsABuildError) {
  Var x = vector("x"), h0 = scalar("h0", "float32");
  ScanParts loop;
  loop.spec.n_seqs = 1;
  loop.spec.taps = {{-1}};
  loop.spec.name = "mismatch";
  Var row = make_input(TensorType(DType::Float64, {}), "x_t");
  Var prev = make_input(TensorType(DType::Float32, {}), "h_tm1");
  loop.inner_inputs = {row, prev};
  loop.inner_outputs = {prev + row};
  loop.outer_inputs = {shape_i(x, 0), x, expand_dims(h0, {0})};
  expect_error<TypeError>([&] { make_scan(loop); },
                          {"Scan{mismatch}", "recurrent output 0", "float64", "float32"});
}

TEST(Scan, TapsMustBeNegative) {
  Var x = vector("x"), h0 = vector("h0");
  ScanParts loop;
  loop.spec.taps = {{0}};
  Var prev = make_input(TensorType(DType::Float64, {}), "h");
  loop.inner_inputs = {prev};
  loop.inner_outputs = {prev};
  loop.outer_inputs = {shape_i(x, 0), h0};
  expect_error<ValueError>([&] { make_scan(loop); }, {"scan", "negative"});
}

}  // namespace
}  // namespace theon
