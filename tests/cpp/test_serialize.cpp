// Graph serialization: a graph holding every op kind round-trips through bytes to an equal graph
// that computes the same values, every op kind has a factory, and the Python-independent parts
// of the format (shared cells, traces, deep graphs) hold.
#include <gtest/gtest.h>

#include <cmath>

#include "every_op_graph.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/serialize.hpp"

namespace theon {
namespace {

using test_util::every_op_graph;
using test_util::GraphMatcher;
using test_util::OpGraph;

TEST(Serialize, EveryOpKindOfTheTestGraphHasAFactoryAndEveryFactoryIsInIt) {
  const OpGraph g = every_op_graph();
  const std::set<std::string> names = test_util::op_names(g.outputs);
  for (const std::string& name : names) EXPECT_TRUE(has_op_factory(name)) << name;
  for (const std::string& name : op_factory_names()) {
    EXPECT_TRUE(names.count(name)) << "the test graph has no " << name << " node";
  }
}

void expect_same_values(const NDArray& a, const NDArray& b, const std::string& what) {
  ASSERT_EQ(a.dtype(), b.dtype()) << what;
  ASSERT_EQ(a.shape(), b.shape()) << what;
  const NDArray ca = a.copy(), cb = b.copy();
  EXPECT_EQ(std::memcmp(ca.raw(), cb.raw(), ca.nbytes()), 0) << what;
}

TEST(Serialize, GraphWithEveryOpKindRoundTripsToAnEqualGraphWithTheSameValues) {
  const OpGraph g = every_op_graph();
  const std::string bytes = serialize(g.outputs);
  const std::vector<Var> back = deserialize(bytes);
  ASSERT_EQ(back.size(), g.outputs.size());
  GraphMatcher matcher;
  for (size_t k = 0; k < back.size(); ++k) matcher.match(g.outputs[k], back[k]);
  EXPECT_EQ(serialize(back), bytes);

  const std::vector<Var> leaves = graph_leaves(back);
  std::vector<std::pair<Var, NDArray>> values, back_values;
  for (const auto& [v, a] : g.values) {
    values.emplace_back(v, a);
    const Var c = matcher.counterpart(v, leaves);
    ASSERT_TRUE(c) << v->name;
    back_values.emplace_back(c, a);
  }
  // Inplace ops may write into their inputs: each evaluation gets fresh copies.
  auto copies = [](std::vector<std::pair<Var, NDArray>> given) {
    for (auto& [v, a] : given) a = a.copy();
    return given;
  };
  int evaluated = 0;
  for (size_t k = 0; k < back.size(); ++k) {
    const std::string what = std::to_string(k) + ": " + var_label(*g.outputs[k]);
    std::vector<NDArray> expected;
    try {
      expected = evaluate({g.outputs[k]}, copies(values));
    } catch (const Error&) {
      EXPECT_THROW(evaluate({back[k]}, copies(back_values)), Error) << what;
      continue;
    }
    expect_same_values(expected.at(0), evaluate({back[k]}, copies(back_values)).at(0), what);
    ++evaluated;
  }
  EXPECT_GT(evaluated, static_cast<int>(back.size()) * 9 / 10);
}

TEST(Serialize, SharedCellsStaySharedWithinOneGraphAndGetNewCells) {
  auto cell = std::make_shared<SharedValue>(NDArray::scalar<double>(2.5), "w");
  Var a = make_shared(cell, TensorType(DType::Float64, {}));
  Var b = make_shared(cell, TensorType(DType::Float64, {}));
  b->name = "w_alias";
  Var x = scalar("x");
  const std::vector<Var> back = deserialize(serialize({a * x, b + x}));
  const Var ra = back[0]->owner->inputs()[0], rb = back[1]->owner->inputs()[0];
  ASSERT_TRUE(ra->is_shared() && rb->is_shared());
  EXPECT_EQ(ra->shared, rb->shared);
  EXPECT_NE(ra->shared, cell);
  EXPECT_EQ(ra->shared->name, "w");
  EXPECT_EQ(rb->name, "w_alias");
  EXPECT_EQ(ra->shared->value.flat_as_double(0), 2.5);
  // The same input variable is one variable after reading too.
  EXPECT_EQ(back[0]->owner->inputs()[1], back[1]->owner->inputs()[1]);
}

TEST(Serialize, KeepsTracesNamesAndStaticShapes) {
  Var x = tensor("float32", {3, kUnknownDim, 1}, "x");
  Var out;
  {
    LocationScope where("model.py:12");
    out = sum(x * 2.0, std::vector<int64_t>{1});
  }
  out->name = "total";
  const Var back = deserialize(serialize({out})).at(0);
  EXPECT_EQ(back->name, "total");
  EXPECT_EQ(back->owner->where(), "model.py:12");
  EXPECT_EQ(back->where, "model.py:12");
  EXPECT_EQ(back->type, out->type);
  EXPECT_EQ(back->owner->op()->name(), "Sum{axis=(1,)}");
  const Var bx = graph_leaves({back}).at(0);
  EXPECT_EQ(bx->name, "x");
  EXPECT_EQ(bx->type, x->type);
}

TEST(Serialize, KeepsDevicesAndRefusesValueKindsItCannotWrite) {
  const Device cuda{DeviceKind::Cuda, 1};
  Var x = make_input(TensorType(DType::Float32, {kUnknownDim}, cuda), "x");
  const Var back = deserialize(serialize({x * x})).at(0);
  EXPECT_EQ(back->type.device, cuda);
  EXPECT_EQ(back->owner->inputs().at(0)->type.device, cuda);

  struct Opaque : ValueKind {
    std::string name() const override { return "opaque"; }
    bool equals(const ValueKind& o) const override { return dynamic_cast<const Opaque*>(&o); }
    std::string value_mismatch(const Type&, const Value&) const override { return ""; }
  };
  TensorType opaque(DType::Float64, {});
  opaque.value_kind = std::make_shared<Opaque>();
  test_util::expect_error<NotImplementedError>([&] { serialize({make_input(opaque, "o")}); },
                                               {"kind 'opaque'", "only dense tensors"});
}

TEST(Serialize, DeepGraphsDoNotExhaustTheStack) {
  Var x = scalar("x");
  Var out = x;
  for (int i = 0; i < 20000; ++i) out = neg(out);
  const Var back = deserialize(serialize({out})).at(0);
  EXPECT_EQ(evaluate({back}, {{graph_leaves({back}).at(0), NDArray::scalar<double>(1.5)}})
                .at(0)
                .flat_as_double(0),
            1.5);
}

TEST(Serialize, EmptyOutputListAndLeafOutputs) {
  EXPECT_TRUE(deserialize(serialize({})).empty());
  Var x = vector("x");
  Var c = constant(NDArray::from_vector<int64_t>({4, 5}, {2}), "c");
  const std::vector<Var> back = deserialize(serialize({x, c, x}));
  ASSERT_EQ(back.size(), 3u);
  EXPECT_TRUE(back[0]->is_input());
  EXPECT_EQ(back[0], back[2]);
  EXPECT_EQ(back[1]->name, "c");
  EXPECT_EQ(back[1]->constant->flat_as_double(1), 5.0);
}

}  // namespace
}  // namespace theon
