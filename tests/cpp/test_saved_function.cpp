// Graph bytes with their leaves kept outside, and saved functions: a loaded function runs its
// saved rewritten graph (no rewrite runs), reads and updates the shared variables given as its
// leaves, and damaged bytes give a ValueError, never a crash.
#include <gtest/gtest.h>

#include "test_util.hpp"
#include "theon/compile/saved_function.hpp"
#include "theon/graph/serialize.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

using test_util::expect_error;

TEST(SavedFunction, LeavesKeptOutsideAreTheVariablesGivenBack) {
  Var x = vector("x");
  auto cell = std::make_shared<SharedValue>(NDArray::from_vector<double>({1, 2}, {2}), "w");
  Var w = make_shared(cell, TensorType(DType::Float64, {2}));
  Var out = exp(x) * w + constant(NDArray::scalar<double>(1.0));
  std::vector<Var> leaves;
  const std::string bytes = serialize({out}, leaves);
  ASSERT_EQ(leaves.size(), 2u);
  EXPECT_EQ(leaves[0].get(), x.get());
  EXPECT_EQ(leaves[1].get(), w.get());
  Var y = vector("y");
  auto other = std::make_shared<SharedValue>(NDArray::from_vector<double>({3, 4}, {2}), "v");
  Var v = make_shared(other, TensorType(DType::Float64, {2}));
  const std::vector<Var> given{y, v};
  const Var back = deserialize(bytes, &given)[0];
  const auto f = function({y}, {back});
  const NDArray r = (*f)({NDArray::from_vector<double>({0, 0}, {2})})[0];
  EXPECT_EQ(r.flat_as_double(0), 4.0);
  EXPECT_EQ(r.flat_as_double(1), 5.0);
  expect_error<ValueError>([&] { deserialize(bytes); }, {"a leaf kept outside", "none"});
  const std::vector<Var> one{y};
  expect_error<ValueError>([&] { deserialize(bytes, &one); }, {"leaf 1 of 1 given"});
  const std::vector<Var> not_leaf{y, out};
  expect_error<ValueError>([&] { deserialize(bytes, &not_leaf); }, {"not an input or shared"});
}

std::shared_ptr<Function> step_function(const Var& x, const Var& w) {
  FunctionOptions options;
  options.updates = {{w, w + x}};
  options.name = "step";
  return function({In(x, "x", NDArray::from_vector<double>({1, 1}, {2}))},
                  {Out(sum(exp(x) * w, std::nullopt, false))}, options);
}

TEST(SavedFunction, LoadsWithoutRewritingAndUpdatesTheGivenSharedVariables) {
  Var x = vector("x");
  auto cell = std::make_shared<SharedValue>(NDArray::from_vector<double>({1, 2}, {2}), "w");
  Var w = make_shared(cell, TensorType(DType::Float64, {2}));
  const auto f = step_function(x, w);
  EXPECT_FALSE(f->history().entries().empty());
  std::vector<Var> leaves;
  const std::string bytes = save_function(*f, leaves);
  ASSERT_EQ(leaves.size(), 2u);
  // New leaves, as Python's pickle makes them: a fresh input and a shared variable with a copy.
  auto copy = std::make_shared<SharedValue>(cell->load().copy(), "w");
  const std::vector<Var> given{vector("x"), make_shared(copy, w->type)};
  std::string key = "unset";
  const auto g = load_function(bytes, given, &key);
  EXPECT_EQ(key, kernel_key(*f));
  EXPECT_TRUE(g->history().entries().empty());
  EXPECT_EQ(g->name(), "step");
  EXPECT_EQ(g->inputs()[0].name, "x");
  for (int call = 0; call < 2; ++call) {
    const double want = (*f)({NDArray()})[0].flat_as_double(0);  // the default argument
    EXPECT_EQ((*g)({NDArray()})[0].flat_as_double(0), want);
  }
  EXPECT_EQ(copy->load().flat_as_double(1), cell->load().flat_as_double(1));
  EXPECT_EQ(copy->load().flat_as_double(1), 4.0);
}

TEST(SavedFunction, DamagedBytesAreValueErrors) {
  Var x = vector("x");
  auto cell = std::make_shared<SharedValue>(NDArray::from_vector<double>({1, 2}, {2}), "w");
  Var w = make_shared(cell, TensorType(DType::Float64, {2}));
  std::vector<Var> leaves;
  const std::string bytes = save_function(*step_function(x, w), leaves);
  for (size_t n = 0; n < bytes.size(); ++n) {
    expect_error<ValueError>([&] { load_function(bytes.substr(0, n), leaves); }, {""});
  }
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(static_cast<unsigned char>(bad[i]) ^ 0x5a);
    try {
      load_function(bad, leaves);  // a changed name or value may still load
    } catch (const Error&) {
    }
  }
  std::string newer = bytes;
  newer[8] = 7;
  expect_error<ValueError>([&] { load_function(newer, leaves); },
                           {"format version 7", "reads version 1"});
  expect_error<ValueError>([&] { load_function("THEONGR\n", leaves); }, {"bad magic"});
  expect_error<ValueError>([&] { load_function(bytes + "x", leaves); }, {"1 trailing bytes"});
}

TEST(SavedFunction, DebugModeFunctionsAreNotSaved) {
  Var x = vector("x");
  FunctionOptions options;
  options.mode.name = "DebugMode";
  const auto f = function({x}, {x * 2.0}, options);
  std::vector<Var> leaves;
  expect_error<NotImplementedError>([&] { save_function(*f, leaves); }, {"DebugMode"});
}

}  // namespace
}  // namespace theon
