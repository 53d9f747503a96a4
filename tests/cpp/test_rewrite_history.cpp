// The rewrite history prints each replacement when it is read, as the graph was when the
// replacement was made: later replacements rewire nodes that an earlier entry's text shows.
#include <gtest/gtest.h>

#include "theon/graph/fgraph.hpp"
#include "theon/graph/printing.hpp"
#include "theon/rewrite/rewriter.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

TEST(RewriteHistory, EntriesPrintTheGraphAsItWasAtEachReplacement) {
  const Var x = make_input(TensorType(DType::Float64, {kUnknownDim}), "x");
  const Var y = make_input(TensorType(DType::Float64, {kUnknownDim}), "y");
  FunctionGraph fg({x, y}, {mul(add(exp(x), y), y)});
  auto history = std::make_shared<RewriteHistory>();
  fg.add_feature(history);
  std::vector<RewriteHistory::Entry> expected;
  auto replace = [&](const Var& old, const Var& by, const std::string& rewrite) {
    fg.replace(old, by, rewrite);
    expected.push_back({rewrite, pprint(old, 4), pprint(by, 4)});
  };
  const Var sum = fg.outputs()[0]->owner->inputs()[0];  // exp(x) + y, the graph's copy
  const Var e = sum->owner->inputs()[0];                // exp(x)
  replace(sum, mul(e, y), "first");  // (exp(x) * y) reads e, which the next one replaces
  replace(e, log(x), "second");
  // The last replacement rewires the product built by the first, and a node read by the
  // first's replaced sum is replaced again: its text must not change.
  const Var product = fg.outputs()[0]->owner->inputs()[0];
  replace(product, add(product->owner->inputs()[0], y), "third");
  const auto& entries = history->entries();
  ASSERT_EQ(entries.size(), expected.size());
  for (size_t k = 0; k < entries.size(); ++k) {
    EXPECT_EQ(entries[k].rewrite, expected[k].rewrite);
    EXPECT_EQ(entries[k].before, expected[k].before) << k;
    EXPECT_EQ(entries[k].after, expected[k].after) << k;
  }
  EXPECT_EQ(entries[0].after, "(exp(x) * y)");  // as it was, though it now reads log(x)
  EXPECT_EQ(pprint(fg.outputs()[0]), "((log(x) + y) * y)");
}

}  // namespace
}  // namespace theon
