#include <gtest/gtest.h>

#include "theon/theon.hpp"

namespace theon {
namespace {

TEST(DType, PromotionFollowsNumPy2) {
  EXPECT_EQ(promote(DType::Int8, DType::UInt8), DType::Int16);
  EXPECT_EQ(promote(DType::Int64, DType::UInt64), DType::Float64);
  EXPECT_EQ(promote(DType::Int16, DType::Float32), DType::Float32);
  EXPECT_EQ(promote(DType::Int32, DType::Float32), DType::Float64);
  EXPECT_EQ(promote(DType::Bool, DType::UInt16), DType::UInt16);
  EXPECT_EQ(promote(DType::UInt32, DType::Int32), DType::Int64);
  EXPECT_TRUE(can_cast_safe(DType::Int32, DType::Float64));
  EXPECT_FALSE(can_cast_safe(DType::Float64, DType::Float32));
  EXPECT_EQ(weak_scalar_dtype(PyScalarKind::Float, DType::Float32), DType::Float32);
  EXPECT_EQ(weak_scalar_dtype(PyScalarKind::Float, DType::Int8), DType::Float64);
  EXPECT_EQ(weak_scalar_dtype(PyScalarKind::Int, DType::UInt8), DType::UInt8);
  EXPECT_THROW(parse_dtype("float16"), TypeError);
}

TEST(NDArray, ViewsShareTheBuffer) {
  NDArray a = NDArray::from_vector<double>({1, 2, 3, 4, 5, 6}, {2, 3});
  NDArray t = a.view(a.raw(), {3, 2}, {8, 24});
  EXPECT_TRUE(t.shares_buffer_with(a));
  EXPECT_FALSE(t.is_c_contiguous());
  NDArray c = t.copy();
  EXPECT_FALSE(c.shares_buffer_with(a));
  EXPECT_EQ(c.flat_as_double(1), 4.0);
  EXPECT_EQ(c.flat_as_double(2), 2.0);
}

TEST(Config, FlagsParseAndReject) {
  Config c;
  c.define({"floatX", "float64", "", {"float64", "float32"}, nullptr});
  c.apply_flag_string("floatX=float32", "THEON_FLAGS");
  EXPECT_EQ(c.get("floatX"), "float32");
  EXPECT_THROW(c.set("floatX", "float16"), ValueError);
  EXPECT_THROW(c.get("nope"), ValueError);
  c.apply_rc_text("[global]\nfloatX = float64\n", "rc");
  EXPECT_EQ(c.get("floatX"), "float64");
}

TEST(Function, SharedUpdateAndElemwise) {
  Var x = vector("x", "float32");
  Var W = shared(NDArray::from_vector<double>({0.2, 0.7}, {2}), "W");
  auto f = function({x}, {x * W + 1.0}, {.updates = {{W, W * 2.0}}});
  NDArray in = NDArray::from_vector<float>({1.0f, 1.0f}, {2});
  auto out = f->call({in});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].dtype(), DType::Float64);
  EXPECT_NEAR(out[0].flat_as_double(0), 1.2, 1e-7);
  EXPECT_NEAR(get_value(W).flat_as_double(1), 1.4, 1e-12);
  out = f->call({in});
  EXPECT_NEAR(out[0].flat_as_double(1), 2.4, 1e-7);
}

TEST(Function, RuntimeErrorNamesTheNode) {
  Var a = vector("a");
  Var b = vector("b");
  auto f = function({a, b}, {a + b});
  try {
    f->call({NDArray::zeros(DType::Float64, {3}), NDArray::zeros(DType::Float64, {4})});
    FAIL() << "expected an error";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("Elemwise{add}"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("(3,), (4,)"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace theon
