// Lazy evaluation: the linker's grouping of each branch's exclusive nodes into conditional
// blocks, the VM skipping them, releases of values read only in a skipped block; and the
// IfElse op (types, gradient) and OpFromGraph (compiled, inlined, equality, gradient).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "test_util.hpp"
#include "theon/compile/linker.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

using test_util::expect_error;
using test_util::values;

const TensorType kVector(DType::Float64, {kUnknownDim});
const TensorType kIntScalar(DType::Int64, {});

void expect_values_near(const NDArray& got, const std::vector<double>& want) {
  const std::vector<double> v = values(got);
  ASSERT_EQ(v.size(), want.size());
  for (size_t i = 0; i < v.size(); ++i) EXPECT_NEAR(v[i], want[i], 1e-12 * (1 + std::abs(want[i])));
}

// The position in `program` of the instruction whose op's name begins with `name`, or -1
// (the first match when there are several).
int position(const Program& program, const std::string& name) {
  for (size_t pc = 0; pc < program.code.size(); ++pc) {
    if (program.code[pc].node->op()->name().rfind(name, 0) == 0) return static_cast<int>(pc);
  }
  return -1;
}

struct Linking {
  std::unique_ptr<FunctionGraph> fg;
  Linked linked;
};

// Links inputs -> outputs as they are (no rewrites), so the test sees the nodes it built.
Linking link_as_built(const std::vector<Var>& inputs, const std::vector<Var>& outputs) {
  Linking l;
  l.fg = std::make_unique<FunctionGraph>(inputs, outputs);
  l.linked = link(*l.fg, LinkOptions{});
  return l;
}

// Runs `program` on `args` (one per fg input) and returns the first output.
NDArray run_program(const Linking& l, VM& vm, const std::vector<NDArray>& args) {
  const Program& p = *l.linked.program;
  std::vector<Value> slots(p.num_slots);
  for (const auto& [s, c] : p.constant_slots) slots[s] = *c;
  for (size_t k = 0; k < args.size(); ++k) {
    const int s = p.slot(l.fg->inputs()[k].get());
    if (s >= 0) slots[s] = args[k];
  }
  vm.run(slots);
  return slots[p.output_slots[0]].array();
}

TEST(LazyLinker, GroupsEachBranchsExclusiveNodesBeforeTheIfElse) {
  const Var c = make_input(kIntScalar, "c");
  const Var x = make_input(kVector, "x");
  const Var both = x * x;  // read by both branches: stays unconditional
  const Var out = ifelse(c, {exp(x) + both}, {log(x) - both})[0];
  Linking l = link_as_built({c, x}, {out});
  const Program& p = *l.linked.program;
  ASSERT_EQ(p.blocks.size(), 2u);
  const ConditionalBlock& then_block = p.blocks[0];
  const ConditionalBlock& else_block = p.blocks[1];
  EXPECT_TRUE(then_block.when_true);
  EXPECT_FALSE(else_block.when_true);
  EXPECT_EQ(then_block.end, else_block.begin);
  const int join = position(p, "IfElse");
  EXPECT_EQ(then_block.join, join);
  EXPECT_EQ(else_block.join, join);
  EXPECT_EQ(else_block.end, join);
  const int mul = position(p, "Elemwise{mul}");
  EXPECT_LT(mul, then_block.begin);
  const int e = position(p, "Elemwise{exp}");
  const int g = position(p, "Elemwise{log}");
  EXPECT_TRUE(then_block.begin <= e && e < then_block.end);
  EXPECT_TRUE(else_block.begin <= g && g < else_block.end);
  EXPECT_EQ(p.slot(c.get()), then_block.cond_slot);
  // x*x is read last inside a block, so its release moves to the join, which always runs.
  const int both_slot = p.slot(&p.code[mul].node->output_ref(0));
  const auto& released = p.code[join].release;
  EXPECT_NE(std::find(released.begin(), released.end(), both_slot), released.end());
}

TEST(LazyLinker, GraphsWithoutIfElseHaveNoBlocks) {
  const Var x = make_input(kVector, "x");
  Linking l = link_as_built({x}, {exp(x) + x});
  EXPECT_TRUE(l.linked.program->blocks.empty());
}

TEST(LazyVM, RunsOnlyTheTakenBranch) {
  const Var c = make_input(kIntScalar, "c");
  const Var x = make_input(kVector, "x");
  const Var out = ifelse(c, {exp(x) * x}, {log(x) + x})[0];
  Linking l = link_as_built({c, x}, {out});
  const Program& p = *l.linked.program;
  VM vm(l.linked.program);
  vm.enable_timing(true);
  const NDArray a = NDArray::from_vector<double>({1.0, 2.0}, {2});
  expect_values_near(run_program(l, vm, {NDArray::scalar<int64_t>(1), a}),
                     {std::exp(1.0), 2 * std::exp(2.0)});
  EXPECT_EQ(vm.instruction_calls()[position(p, "Elemwise{exp}")], 1);
  EXPECT_EQ(vm.instruction_calls()[position(p, "Elemwise{log}")], 0);
  expect_values_near(run_program(l, vm, {NDArray::scalar<int64_t>(0), a}),
                     {1.0, std::log(2.0) + 2});
  EXPECT_EQ(vm.instruction_calls()[position(p, "Elemwise{exp}")], 1);
  EXPECT_EQ(vm.instruction_calls()[position(p, "Elemwise{log}")], 1);
  EXPECT_EQ(vm.instruction_calls()[position(p, "IfElse")], 2);
  // The plain loop (no timing) skips the same way.
  VM plain(l.linked.program);
  expect_values_near(run_program(l, plain, {NDArray::scalar<int64_t>(0), a}),
                     {1.0, std::log(2.0) + 2});
}

TEST(LazyVM, NestedBranchesAndEmptyBranches) {
  const Var c1 = make_input(kIntScalar, "c1");
  const Var c2 = make_input(kIntScalar, "c2");
  const Var x = make_input(kVector, "x");
  const Var inner = ifelse(c2, {exp(x)}, {x})[0];  // the else branch is empty: just x
  const Var out = ifelse(c1, {inner * x}, {log(x)})[0];
  Linking l = link_as_built({c1, c2, x}, {out});
  VM vm(l.linked.program);
  const NDArray a = NDArray::from_vector<double>({1.0, 2.0}, {2});
  for (int64_t v1 : {0, 1}) {
    for (int64_t v2 : {0, 1}) {
      const NDArray r =
          run_program(l, vm, {NDArray::scalar<int64_t>(v1), NDArray::scalar<int64_t>(v2), a});
      for (int i = 0; i < 2; ++i) {
        const double xi = i + 1.0;
        const double expect = v1 ? (v2 ? std::exp(xi) : xi) * xi : std::log(xi);
        EXPECT_NEAR(r.flat_as_double(i), expect, 1e-12 * (1 + std::abs(expect))) << v1 << v2;
      }
    }
  }
}

TEST(LazyFunction, AnUntakenBranchThatWouldFailDoesNotRun) {
  const Var c = make_input(kIntScalar, "c");
  const Var x = make_input(kVector, "x");
  const Var bad = reshape(x, std::vector<int64_t>{5});
  auto f = function({c, x}, {ifelse(c, {bad}, {x + x})[0]});
  const NDArray a = NDArray::from_vector<double>({1.0, 2.0}, {2});
  EXPECT_EQ(values(f->call({NDArray::scalar<int64_t>(0), a}).at(0)), (std::vector<double>{2, 4}));
  EXPECT_THROW(f->call({NDArray::scalar<int64_t>(1), a}), ValueError);
}

TEST(IfElseOp, TypesMustAgreeAndBroadcastablesUnify) {
  const Var c = make_input(kIntScalar, "c");
  expect_error<TypeError>(
      [&] { ifelse(c, {make_input(kVector)}, {make_input(TensorType(DType::Float32, {-1}))}); },
      {"IfElse", "same dtype", "float64", "float32"});
  expect_error<TypeError>([&] { ifelse(make_input(kVector), {c}, {c}); },
                          {"IfElse", "condition must be a scalar"});
  const Var row = make_input(TensorType(DType::Float64, {1, 3}));
  const Var m = make_input(TensorType(DType::Float64, {kUnknownDim, 3}));
  EXPECT_EQ(ifelse(c, {row}, {m})[0]->type.shape, (StaticShape{kUnknownDim, 3}));
}

TEST(IfElseOp, NumericGradientOfEachBranch) {
  for (int64_t cond : {0, 1}) {
    verify_grad(
        [cond](const std::vector<Var>& in) {
          return ifelse(scalar_constant(cond, DType::Int64), {exp(in[0]) * in[1]},
                        {in[0] * in[1] * in[1]})[0];
        },
        {NDArray::from_vector<double>({0.1, 0.7}, {2}),
         NDArray::from_vector<double>({1.5, -0.3}, {2})});
  }
}

TEST(OpFromGraphOp, CompiledInlinedEqualAndDifferentiable) {
  const Var x = make_input(kVector, "x");
  const Var y = make_input(kVector, "y");
  auto op = std::make_shared<OpFromGraph>(std::vector<Var>{x, y}, std::vector<Var>{exp(x) * y},
                                          OpFromGraphOptions{});
  const Var u = make_input(kVector, "u");
  const Var v = make_input(kVector, "v");
  auto same = std::make_shared<OpFromGraph>(std::vector<Var>{u, v}, std::vector<Var>{exp(u) * v},
                                            OpFromGraphOptions{});
  auto other = std::make_shared<OpFromGraph>(std::vector<Var>{u, v}, std::vector<Var>{exp(v) * u},
                                             OpFromGraphOptions{});
  EXPECT_TRUE(op->equals(*same));
  EXPECT_EQ(op->hash(), same->hash());
  EXPECT_FALSE(op->equals(*other));

  const Var a = make_input(kVector, "a");
  const Var b = make_input(kVector, "b");
  const NDArray va = NDArray::from_vector<double>({0.5, 1.0}, {2});
  const NDArray vb = NDArray::from_vector<double>({2.0, 3.0}, {2});
  const std::vector<double> expect{std::exp(0.5) * 2, std::exp(1.0) * 3};
  for (bool inline_graph : {false, true}) {
    OpFromGraphOptions o;
    o.inline_graph = inline_graph;
    auto g = std::make_shared<OpFromGraph>(std::vector<Var>{x, y}, std::vector<Var>{exp(x) * y}, o);
    auto f = function({a, b}, {(*g)({a, b})[0]});
    expect_values_near(f->call({va, vb}).at(0), expect);
  }
  verify_grad([&](const std::vector<Var>& in) { return (*op)({in[0], in[1]})[0]; }, {va, vb});
  expect_error<ValueError>([&] { OpFromGraph({x}, {x + y}, OpFromGraphOptions{}); },
                           {"not among the inputs"});
}

}  // namespace
}  // namespace theon
