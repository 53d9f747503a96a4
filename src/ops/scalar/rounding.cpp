// Rounding: floor, ceil, trunc, round (half to even, like np.round) and
// round_half_away_from_zero (Theano's other rounding mode). Integers and bools are returned
// unchanged with their dtype, as NumPy 2 does for floor/ceil/trunc/round of integers.
// (Deliberate difference: np.round of a bool array goes through rint and gives float16; Theon
// keeps bool.)
#include <cmath>
#include <type_traits>

#include "theon/ops/elemwise.hpp"
#include "theon/ops/scalar.hpp"

namespace theon {
namespace {

template <class T, class F>
T round_float(T a, F f) {
  if constexpr (std::is_floating_point_v<T>) {
    return f(a);
  } else {
    return a;
  }
}

}  // namespace

void register_scalar_rounding() {
  register_scalar_op(make_scalar_op<1, DTypeRule::Same, kAllTypes>(
      "floor", [](auto a) { return round_float(a, [](auto v) { return std::floor(v); }); },
      "floor({0})"));
  register_scalar_op(make_scalar_op<1, DTypeRule::Same, kAllTypes>(
      "ceil", [](auto a) { return round_float(a, [](auto v) { return std::ceil(v); }); },
      "ceil({0})"));
  register_scalar_op(make_scalar_op<1, DTypeRule::Same, kAllTypes>(
      "trunc", [](auto a) { return round_float(a, [](auto v) { return std::trunc(v); }); },
      "trunc({0})"));
  // nearbyint rounds with the current rounding mode, which is to nearest, ties to even.
  register_scalar_op(make_scalar_op<1, DTypeRule::Same, kAllTypes>(
      "round", [](auto a) { return round_float(a, [](auto v) { return std::nearbyint(v); }); },
      "nearbyint({0})"));
  register_scalar_op(make_scalar_op<1, DTypeRule::Same, kAllTypes>(
      "round_half_away_from_zero",
      [](auto a) { return round_float(a, [](auto v) { return std::round(v); }); }, "round({0})"));

  // Rounding is piecewise constant: the gradient is 0 (connected zeros shaped like the output,
  // as Theano gives; at the jumps the true derivative does not exist and 0 is returned too).
  for (const char* name : {"floor", "ceil", "trunc", "round", "round_half_away_from_zero"}) {
    register_scalar_grad(name, [](const std::vector<Var>&, const Var&, const Var& g) {
      return std::vector<Var>{g * 0.0};
    });
  }
}

}  // namespace theon
