// A FunctionGraph knows its order from construction (the nodes as it imported them): it must be
// the order toposort gives, which every pass and the linker rely on.
#include <gtest/gtest.h>

#include "every_op_graph.hpp"
#include "theon/graph/fgraph.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

TEST(FunctionGraphOrder, OrderAfterConstructionIsTheToposort) {
  const test_util::OpGraph g = test_util::every_op_graph();
  std::vector<Var> inputs;
  for (const auto& [v, value] : g.values) inputs.push_back(v);
  // Every output twice, and reversed: later outputs share nodes with the earlier ones.
  std::vector<Var> outputs(g.outputs.rbegin(), g.outputs.rend());
  outputs.insert(outputs.end(), g.outputs.begin(), g.outputs.end());
  const FunctionGraph fg(inputs, outputs);
  ASSERT_GT(fg.nodes().size(), 10u);
  EXPECT_EQ(fg.nodes(), toposort(fg.outputs()));
  EXPECT_EQ(fg.nodes().size(), fg.num_nodes());
}

}  // namespace
}  // namespace theon
