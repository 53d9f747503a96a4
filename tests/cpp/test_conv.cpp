// Conv2d and Pool from C++: a hand-computed convolution, the props round trip of every border
// mode, and the build-time errors.
#include <gtest/gtest.h>

#include "test_util.hpp"
#include "theon/ops/conv.hpp"
#include "theon/ops/pool.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

using namespace test_util;

Conv2dSpec spec_of(const std::string& border, bool flip = true) {
  return Conv2dSpec::make("test", border, {0, 0}, {1, 1}, {1, 1}, 1, flip);
}

TEST(Conv, TwoByTwoConvolutionByHand) {
  Var x = make_input(TensorType(DType::Float64, {1, 1, 3, 3}), "x");
  Var w = make_input(TensorType(DType::Float64, {1, 1, 2, 2}), "w");
  const NDArray xv = NDArray::from_vector<double>({1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 1, 3, 3});
  const NDArray wv = NDArray::from_vector<double>({1, 10, 100, 1000}, {1, 1, 2, 2});
  // Correlation: out[0][0] = 1*1 + 2*10 + 4*100 + 5*1000; the convolution flips w.
  auto f = function({In(x), In(w)}, {Out(conv2d(x, w, spec_of("valid", false))),
                                     Out(conv2d(x, w, spec_of("valid", true)))});
  const std::vector<NDArray> out = f->call({xv, wv});
  EXPECT_EQ(out[0].shape(), (Shape{1, 1, 2, 2}));
  EXPECT_EQ(out[0].flat_as_double(0), 5421);
  EXPECT_EQ(out[0].flat_as_double(3), 9 * 1000 + 8 * 100 + 6 * 10 + 5);
  EXPECT_EQ(out[1].flat_as_double(0), 1 * 1000 + 2 * 100 + 4 * 10 + 5);
}

TEST(Conv, BorderModesRoundTripThroughTheirFields) {
  for (const char* border : {"valid", "full", "half"}) {
    Var x = make_input(TensorType(DType::Float32, {2, 3, 7, 7}), "x");
    Var w = make_input(TensorType(DType::Float32, {4, 3, 3, 3}), "w");
    const Var y = conv2d(x, w, spec_of(border));
    const int64_t want = std::string(border) == "valid" ? 5 : std::string(border) == "full" ? 9 : 7;
    EXPECT_EQ(y->type.shape, (StaticShape{2, 4, want, want})) << border;
    const std::vector<Var> back = deserialize(serialize({y}));
    EXPECT_TRUE(back[0]->owner->op()->equals(*y->owner->op())) << border;
  }
}

TEST(Conv, BuildTimeErrorsNameTheOpAndShapes) {
  Var x = make_input(TensorType(DType::Float64, {2, 3, 8, 8}), "x");
  Var w = make_input(TensorType(DType::Float64, {4, 2, 3, 3}), "w");
  expect_error<ValueError>([&] { conv2d(x, w, spec_of("valid")); },
                           {"Conv2d", "channels", "(2, 3, 8, 8)", "(4, 2, 3, 3)"});
  Var even = make_input(TensorType(DType::Float64, {4, 3, 2, 2}), "w");
  expect_error<ValueError>([&] { conv2d(x, even, spec_of("half")); }, {"Conv2d", "half", "odd"});
  expect_error<ValueError>(
      [&] {
        Conv2dSpec::make("conv2d", "valid", {}, {0, 1}, {1, 1}, 1, true);
      },
      {"conv2d", "subsample", "at least 1"});
  expect_error<ValueError>(
      [&] {
        PoolSpec::make("pool_2d", {2, 2}, {2, 2}, {2, 0}, true, "max");
      },
      {"pool_2d", "smaller than ws"});
}

TEST(Pool, PartialWindowsAndTheirGradient) {
  Var x = make_input(TensorType(DType::Float64, {kUnknownDim, kUnknownDim}), "x");
  const NDArray xv = NDArray::from_vector<double>({1, 5, 2, 4, 3, 0, 7, 8, 6}, {3, 3});
  const PoolSpec spec = PoolSpec::make("test", {2, 2}, {2, 2}, {0, 0}, false, "max");
  const Var y = pool_2d(x, spec);
  const Var g = grad(sum(y), std::vector<Var>{x})[0];
  auto f = function({In(x)}, {Out(y), Out(g)});
  const std::vector<NDArray> out = f->call({xv});
  EXPECT_EQ(out[0].shape(), (Shape{2, 2}));
  const std::vector<double> want_y{5, 2, 8, 6}, want_g{0, 1, 1, 0, 0, 0, 0, 1, 1};
  for (int i = 0; i < 4; ++i) EXPECT_EQ(out[0].flat_as_double(i), want_y[i]);
  for (int i = 0; i < 9; ++i) EXPECT_EQ(out[1].flat_as_double(i), want_g[i]);
}

}  // namespace
}  // namespace theon
