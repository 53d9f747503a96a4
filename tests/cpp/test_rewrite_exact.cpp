// The default rewrites keep IEEE values. Each rewrite that assumes finite operands or
// reassociates floats leaves FAST_RUN's result equal to FAST_COMPILE's bit for bit (NaN where
// it is NaN, infinities with their signs, the sign of zero) on NaN, infinite, signed-zero and
// extreme inputs, and runs only when the mode includes fast_math.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "test_util.hpp"
#include "theon/ops/constant.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::shared_ptr<Function> compile(const std::vector<In>& ins, const Var& out,
                                  const std::string& mode, bool fast_math = false,
                                  const std::string& excluding = "") {
  FunctionOptions o;
  o.mode.name = mode;
  o.on_unused_input = "ignore";  // the cases take x and y, some use only x
  if (fast_math) o.mode.including.insert("fast_math");
  if (!excluding.empty()) o.mode.excluding.insert(excluding);
  return function(ins, {out}, o);
}

bool applied(const Function& f, const std::string& rewrite) {
  for (const auto& e : f.history().entries()) {
    if (e.rewrite == rewrite) return true;
  }
  return false;
}

// Same value, NaN-ness and sign (so +0.0 and -0.0 differ).
void expect_identical(const NDArray& got, const NDArray& want, const std::string& what) {
  ASSERT_EQ(got.dtype(), want.dtype()) << what;
  ASSERT_EQ(got.shape(), want.shape()) << what;
  for (int64_t i = 0; i < got.size(); ++i) {
    const double g = got.flat_as_double(i), w = want.flat_as_double(i);
    if (std::isnan(w)) {
      EXPECT_TRUE(std::isnan(g)) << what << " at " << i << ": " << g << ", expected NaN";
    } else {
      EXPECT_EQ(g, w) << what << " at " << i;
      EXPECT_EQ(std::signbit(g), std::signbit(w)) << what << " at " << i << ": sign of " << g;
    }
  }
}

NDArray vec(std::vector<double> v) {
  const int64_t n = static_cast<int64_t>(v.size());
  return NDArray::from_vector<double>(v, {n});
}

// Inputs where the finite-operand identities fail: NaN, infinities, zeros of both signs,
// values whose products overflow or underflow.
const NDArray kX = vec({kNaN, kInf, -kInf, 0.0, -0.0, 1.5, -2.0, 1e-30, 1e308, 3.0});
const NDArray kY = vec({2.0, 0.0, kInf, -0.0, kNaN, -kInf, 0.0, 1e300, 1e308, 5.0});

struct Case {
  const char* rewrite;
  std::function<Var(const Var&, const Var&)> build;
  // A rewrite that would get there first under fast_math, excluded to see this one run.
  const char* first = "";
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.rewrite;
}

class DefaultRewriteIsExact : public ::testing::TestWithParam<Case> {};

TEST_P(DefaultRewriteIsExact, KeepsNaNInfinityAndZeroSign) {
  const Case& c = GetParam();
  Var x = vector("x"), y = vector("y");
  const Var out = c.build(x, y);
  auto fast_run = compile({x, y}, out, "FAST_RUN");
  EXPECT_FALSE(applied(*fast_run, c.rewrite)) << c.rewrite << " ran by default";
  const NDArray want = compile({x, y}, out, "FAST_COMPILE")->call({kX, kY}).at(0);
  expect_identical(fast_run->call({kX, kY}).at(0), want, c.rewrite);
  EXPECT_TRUE(applied(*compile({x, y}, out, "FAST_RUN", true, c.first), c.rewrite))
      << c.rewrite << " did not run under fast_math";
}

Var twice(double a, double b, const Var& x) {
  return (x * a) * b;
}

INSTANTIATE_TEST_SUITE_P(
    Rewrites, DefaultRewriteIsExact,
    ::testing::Values(
        Case{"sub_self", [](const Var& x, const Var&) { return x - x; }},
        Case{"div_self", [](const Var& x, const Var&) { return x / x; }},
        Case{"mul_zero", [](const Var& x, const Var&) { return x * 0.0; }},
        Case{"mul_div_cancel", [](const Var& x, const Var& y) { return (x * y) / x; }},
        Case{"nary_mul", [](const Var& x, const Var& y) { return (x / y) * y; }},
        Case{"nary_add", [](const Var& x, const Var& y) { return (x + y) - y; }},
        Case{"add_zero", [](const Var& x, const Var&) { return x + 0.0; }},
        Case{"sub_zero", [](const Var& x, const Var&) { return x - (-0.0); }},
        Case{"collect_constants", [](const Var& x, const Var&) { return twice(1e-300, 1e300, x); }},
        Case{"pow_specialize", [](const Var& x, const Var&) { return pow(x, 0.5); }},
        Case{"sum_scalar_mul",
             [](const Var& x, const Var&) { return dimshuffle(sum(x * 0.5), {kNewAxis}); }},
        Case{"distribute_mul_cancel_div",
             [](const Var& x, const Var& y) { return (x / y) * (y * x); }, "nary_mul"}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.rewrite); });

TEST(DefaultRewriteIsExact, ZeroSignsThatKeepEveryValueStillSimplify) {
  Var x = vector("x");
  for (const Var& out : {x + (-0.0), x - 0.0, x * 1.0, x / 1.0}) {
    auto f = compile({x}, out, "FAST_RUN");
    EXPECT_EQ(pprint(f->graph().outputs()[0]), "x");
    expect_identical(f->call({kX}).at(0), kX, pprint(out));
  }
}

TEST(DefaultRewriteIsExact, IntegerCancellationsStayOnByDefault) {
  Var i = vector("i", "int64"), j = vector("j", "int64");
  const NDArray iv =
      NDArray::from_vector<int64_t>({0, -3, std::numeric_limits<int64_t>::max()}, {3});
  const NDArray jv = NDArray::from_vector<int64_t>({7, 0, 1}, {3});
  const Var zero = scalar_constant(int64_t{0}, DType::Int64);
  for (const Var& out : {i - i, i * zero, (i + j) - j}) {
    auto f = compile({i, j}, out, "FAST_RUN");
    EXPECT_FALSE(f->history().entries().empty()) << pprint(out);
    expect_identical(f->call({iv, jv}).at(0),
                     compile({i, j}, out, "FAST_COMPILE")->call({iv, jv}).at(0), pprint(out));
  }
}

TEST(DefaultRewriteIsExact, EmptySumOfAnInfiniteFillIsZero) {
  Var s = scalar("s");
  Var n = scalar("n", "int64");
  const Var out = sum(alloc(s, {n}));
  const std::vector<NDArray> args{NDArray::scalar<double>(kInf), NDArray::scalar<int64_t>(0)};
  auto fast_run = compile({s, n}, out, "FAST_RUN");
  EXPECT_FALSE(applied(*fast_run, "sum_alloc"));
  EXPECT_EQ(fast_run->call(args).at(0).flat_as_double(0), 0.0);
  EXPECT_TRUE(applied(*compile({s, n}, out, "FAST_RUN", true), "sum_alloc"));
}

TEST(DefaultRewriteIsExact, SigmoidDivisorStillCancelsAndKeepsNaN) {
  // The log-sigmoid gradient: finite where s underflows to 0, NaN where x is NaN.
  Var x = vector("x");
  const Var g = grad(sum(log(sigmoid(x))), x);
  auto f = compile({x}, g, "FAST_RUN");
  const NDArray r = f->call({vec({-1000.0, 1000.0, kNaN, -kInf})}).at(0);
  EXPECT_EQ(r.flat_as_double(0), 1.0);
  EXPECT_EQ(r.flat_as_double(1), 0.0);
  EXPECT_TRUE(std::isnan(r.flat_as_double(2)));
  EXPECT_EQ(r.flat_as_double(3), 1.0);
}

TEST(DefaultRewriteIsExact, ConfigFastMathAddsTheTag) {
  Config& c = Config::global();
  const std::string before = c.get("fast_math");
  c.set("fast_math", "True");
  Var x = vector("x");
  auto f = compile({x}, x - x, "FAST_RUN");
  auto plain = compile({x}, x - x, "FAST_COMPILE");
  c.set("fast_math", before);
  EXPECT_TRUE(applied(*f, "sub_self"));
  EXPECT_FALSE(applied(*plain, "sub_self"));
}

}  // namespace
}  // namespace theon
