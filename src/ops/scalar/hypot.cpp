// hypot (np.hypot): sqrt(x^2 + y^2) without intermediate overflow or underflow, through the C
// library's hypot (inf if either argument is infinite, even with a NaN, as NumPy). Gradient:
// x / hypot(x, y) and y / hypot(x, y).
#include <cmath>

#include "theon/graph/registry.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/scalar.hpp"

namespace theon {
namespace {

struct Hypot {
  template <class T>
  T operator()(T x, T y) const {
    return std::hypot(x, y);
  }
};

std::vector<Var> hypot_grad(const std::vector<Var>& x, const Var& y, const Var& g) {
  const Var scaled = true_divide(g, y);
  return {mul(scaled, x[0]), mul(scaled, x[1])};
}

}  // namespace

THEON_OP_FILE(hypot) {
  register_elementwise_op(
      make_scalar_op<2, DTypeRule::Float, kFloatTypes>("hypot", Hypot{}, "std::hypot({0}, {1})"),
      &hypot_grad,
      "sqrt(x**2 + y**2) without overflow, elementwise (np.hypot).\n"
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
      ">>> theon.function([x, y], T.hypot(x, y))([3., 1e200], [4., 1e200])\n"
      "array([5.00000000e+000, 1.41421356e+200])");
}

}  // namespace theon
