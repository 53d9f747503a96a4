// deg2rad and rad2deg (Theano's tensor.deg2rad/rad2deg, NumPy's np.deg2rad/np.rad2deg): one
// multiplication by a constant. The constant is formed in the compute type, pi / 180 in float
// for float32, as NumPy forms it, so results agree with NumPy to the last bit.
#include "theon/graph/registry.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/scalar.hpp"

namespace theon {
namespace {

constexpr double kPi = 3.14159265358979323846;

struct Deg2Rad {
  template <class T>
  T operator()(T degrees) const {
    return degrees * (T(kPi) / T(180));
  }
};

struct Rad2Deg {
  template <class T>
  T operator()(T radians) const {
    return radians * (T(180) / T(kPi));
  }
};

std::vector<Var> deg2rad_grad(const std::vector<Var>&, const Var&, const Var& g) {
  return {g * (kPi / 180)};
}

std::vector<Var> rad2deg_grad(const std::vector<Var>&, const Var&, const Var& g) {
  return {g * (180 / kPi)};
}

}  // namespace

THEON_OP_FILE(angle_units) {
  register_elementwise_op(
      make_scalar_op<1, DTypeRule::Float, kFloatTypes>(
          "deg2rad", Deg2Rad{}, "({0} * (({T})3.14159265358979323846 / ({T})180))"),
      &deg2rad_grad,
      "Angles converted from degrees to radians, elementwise.\n"
      "\n"
      "Parameters\n"
      "----------\n"
      "x : Variable, array_like or number\n"
      "    The input.\n"
      "\n"
      "Returns\n"
      "-------\n"
      "Variable\n"
      "    Computed elementwise, of the input's shape.\n"
      "\n"
      "Examples\n"
      "--------\n"
      ">>> x = T.dvector('x')\n"
      ">>> theon.function([x], T.deg2rad(x))([180., 90.])\n"
      "array([3.14159265, 1.57079633])");
  register_elementwise_op(
      make_scalar_op<1, DTypeRule::Float, kFloatTypes>(
          "rad2deg", Rad2Deg{}, "({0} * (({T})180 / ({T})3.14159265358979323846))"),
      &rad2deg_grad,
      "Angles converted from radians to degrees, elementwise.\n"
      "\n"
      "Parameters\n"
      "----------\n"
      "x : Variable, array_like or number\n"
      "    The input.\n"
      "\n"
      "Returns\n"
      "-------\n"
      "Variable\n"
      "    Computed elementwise, of the input's shape.\n"
      "\n"
      "Examples\n"
      "--------\n"
      ">>> x = T.dvector('x')\n"
      ">>> theon.function([x], T.rad2deg(x))([np.pi, np.pi / 2])\n"
      "array([180.,  90.])");
}

}  // namespace theon
