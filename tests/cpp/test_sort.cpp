#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "test_util.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

using namespace test_util;

TEST(Sort, LastAxisFirstAxisAndFlattened) {
  Var x = matrix("x", "int32");
  NDArray a = NDArray::from_vector<int32_t>({3, 1, 2, 0, 5, -4}, {2, 3});
  NDArray s = run1(x, sort(x), a);
  EXPECT_EQ(s.dtype(), DType::Int32);
  EXPECT_EQ(values(s), (std::vector<double>{1, 2, 3, -4, 0, 5}));
  EXPECT_EQ(values(run1(x, sort(x, 0), a)), (std::vector<double>{0, 1, -4, 3, 5, 2}));
  NDArray f = run1(x, sort(x, std::nullopt), a);
  EXPECT_EQ(f.shape(), (Shape{6}));
  EXPECT_EQ(values(f), (std::vector<double>{-4, 0, 1, 2, 3, 5}));
  NDArray i = run1(x, argsort(x), a);
  EXPECT_EQ(i.dtype(), DType::Int64);
  EXPECT_EQ(values(i), (std::vector<double>{1, 2, 0, 2, 0, 1}));
  EXPECT_EQ(values(run1(x, argsort(x, std::nullopt), a)), (std::vector<double>{5, 3, 1, 2, 0, 4}));
}

TEST(Sort, NaNLastAndStable) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  Var x = vector("x", "float64");
  NDArray a = NDArray::from_vector<double>({nan, 2, -inf, 1, nan, 2, inf}, {7});
  std::vector<double> s = values(run1(x, sort(x), a));
  EXPECT_EQ(std::vector<double>(s.begin(), s.begin() + 5),
            (std::vector<double>{-inf, 1, 2, 2, inf}));
  EXPECT_TRUE(std::isnan(s[5]) && std::isnan(s[6]));
  EXPECT_EQ(values(run1(x, argsort(x, -1, "stable"), a)),
            (std::vector<double>{2, 3, 1, 5, 6, 0, 4}));
}

TEST(Sort, NonContiguousAndRandom) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> dist(-20, 20);
  std::vector<double> v(8 * 5);
  for (double& d : v) d = dist(rng);
  NDArray a = NDArray::from_vector(v, {8, 5});
  NDArray t = transposed(a);
  Var x = matrix("x", "float64");
  NDArray s = run1(x, sort(x, 1), t);
  NDArray i = run1(x, argsort(x, 1), t);
  for (int r = 0; r < 5; ++r) {
    std::vector<double> row;
    for (int c = 0; c < 8; ++c) row.push_back(v[c * 5 + r]);
    std::vector<int> order(8);
    for (int k = 0; k < 8; ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(), [&](int p, int q) { return row[p] < row[q]; });
    for (int c = 0; c < 8; ++c) {
      EXPECT_EQ(s.flat_as_double(r * 8 + c), row[order[c]]);
      EXPECT_EQ(i.flat_as_double(r * 8 + c), order[c]);
    }
  }
}

TEST(Sort, EmptyBoolAndZeroDim) {
  Var x = matrix("x", "float32");
  EXPECT_EQ(run1(x, sort(x), NDArray::zeros(DType::Float32, {0, 4})).shape(), (Shape{0, 4}));
  EXPECT_EQ(run1(x, argsort(x, 0), NDArray::zeros(DType::Float32, {3, 0})).shape(), (Shape{3, 0}));
  Var b = vector("b", "bool");
  NDArray ba = NDArray::empty(DType::Bool, {4});
  bool bv[4] = {true, false, true, false};
  for (int k = 0; k < 4; ++k) ba.data<bool>()[k] = bv[k];
  EXPECT_EQ(values(run1(b, sort(b), ba)), (std::vector<double>{0, 0, 1, 1}));
  EXPECT_EQ(values(run1(b, argsort(b), ba)), (std::vector<double>{1, 3, 0, 2}));
  Var s = scalar("s", "float64");
  EXPECT_THROW(sort(s), ValueError);
  NDArray one = run1(s, sort(s, std::nullopt), NDArray::scalar<double>(2.5));
  EXPECT_EQ(one.shape(), (Shape{1}));
  EXPECT_EQ(one.flat_as_double(0), 2.5);
}

TEST(Sort, ErrorsNameTheOp) {
  Var x = matrix("x", "float64");
  try {
    sort(x, 2);
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("sort: axis 2 is out of bounds"), std::string::npos)
        << e.what();
  }
  try {
    argsort(x, -1, "bogo");
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("argsort: kind must be"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(sort(x, -1, "mergesort"));
  EXPECT_NO_THROW(argsort(x, 0, "stable"));
  EXPECT_FALSE(sort(x)->owner->op()->equals(*argsort(x)->owner->op()));
  EXPECT_TRUE(sort(x, 1)->owner->op()->equals(*sort(x, -1, "stable")->owner->op()));
  Var d = build("sort", {x}, Params())[0];
  EXPECT_EQ(d->owner->op()->name(), "Sort{axis=1}");
  Var n = build("argsort", {x}, Params({{"axis", std::monostate{}}}))[0];
  EXPECT_EQ(n->owner->op()->name(), "ArgSort{axis=None}");
}

}  // namespace
}  // namespace theon
