// logaddexp and logaddexp2 (np.logaddexp, np.logaddexp2): log(exp(x) + exp(y)) and
// log2(2^x + 2^y) without overflow, as NumPy computes them: equal arguments give x + log(2)
// (x + 1), which keeps -inf and +inf; otherwise max + log1p(exp(-|x - y|)). NaN propagates
// (|x - y| is NaN). The gradient is exp(x - out) (2^(x - out) for logaddexp2), a softmax weight.
#include "theon/graph/registry.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/scalar.hpp"
#include "theon/ops/scalar_functions.hpp"

namespace theon {
namespace {

constexpr double kLn2 = 0.69314718055994530942;

struct LogAddExp {
  template <class T>
  T operator()(T x, T y) const {
    using namespace scalar_functions;
    if (x == y) return x + T(kLn2);
    return (x > y ? x : y) + theon_log1p(theon_exp(-std::fabs(x - y)));
  }
};

struct LogAddExp2 {
  template <class T>
  T operator()(T x, T y) const {
    using namespace scalar_functions;
    if (x == y) return x + T(1);
    return (x > y ? x : y) + theon_log1p(theon_exp2(-std::fabs(x - y))) / T(kLn2);
  }
};

// The C expressions repeat the reference kernels' operations in the same order, so generated
// code gives the same bits.
constexpr const char* kLogAddExpC =
    "({0} == {1} ? {0} + ({T})0.69314718055994530942 : ({0} > {1} ? {0} : {1}) + "
    "theon_log1p(theon_exp(-std::fabs({0} - {1}))))";
constexpr const char* kLogAddExp2C =
    "({0} == {1} ? {0} + ({T})1 : ({0} > {1} ? {0} : {1}) + "
    "theon_log1p(theon_exp2(-std::fabs({0} - {1}))) / ({T})0.69314718055994530942)";

std::vector<Var> logaddexp_grad(const std::vector<Var>& x, const Var& y, const Var& g) {
  return {mul(g, exp(x[0] - y)), mul(g, exp(x[1] - y))};
}

std::vector<Var> logaddexp2_grad(const std::vector<Var>& x, const Var& y, const Var& g) {
  return {mul(g, elemwise("exp2", {x[0] - y})), mul(g, elemwise("exp2", {x[1] - y}))};
}

}  // namespace

THEON_OP_FILE(logaddexp) {
  register_elementwise_op(
      make_scalar_op<2, DTypeRule::Float, kFloatTypes>("logaddexp", LogAddExp{}, kLogAddExpC),
      &logaddexp_grad,
      "log(exp(x) + exp(y)) without overflow, elementwise (np.logaddexp).\n"
      "\n"
      "Parameters\n"
      "----------\n"
      "x, y : Variable, array_like or number\n"
      "    The operands, broadcast together.\n"
      "\n"
      "Returns\n"
      "-------\n"
      "Variable\n"
      "    Computed elementwise, of the broadcast shape.\n"
      "\n"
      "Examples\n"
      "--------\n"
      ">>> x, y = T.dvectors('x', 'y')\n"
      ">>> theon.function([x, y], T.logaddexp(x, y))([0., 1000.], [0., 1000.])\n"
      "array([6.93147181e-01, 1.00069315e+03])");
  register_elementwise_op(
      make_scalar_op<2, DTypeRule::Float, kFloatTypes>("logaddexp2", LogAddExp2{}, kLogAddExp2C),
      &logaddexp2_grad,
      "log2(2**x + 2**y) without overflow, elementwise (np.logaddexp2).\n"
      "\n"
      "Parameters\n"
      "----------\n"
      "x, y : Variable, array_like or number\n"
      "    The operands, broadcast together.\n"
      "\n"
      "Returns\n"
      "-------\n"
      "Variable\n"
      "    Computed elementwise, of the broadcast shape.\n"
      "\n"
      "Examples\n"
      "--------\n"
      ">>> x, y = T.dvectors('x', 'y')\n"
      ">>> theon.function([x, y], T.logaddexp2(x, y))([1., 1000.], [1., 1000.])\n"
      "array([   2., 1001.])");
}

}  // namespace theon
