// Rounding: floor, ceil, trunc, round (half to even, like np.round) and
// round_half_away_from_zero (Theano's other rounding mode). Integers and bools are returned
// unchanged with their dtype, as NumPy 2 does for floor/ceil/trunc/round of integers.
// (Deliberate difference: np.round of a bool array goes through rint and gives float16; Theon
// keeps bool.)
#include <cmath>
#include <type_traits>

#include "theon/ops/elemwise.hpp"
#include "theon/ops/scalar.hpp"
#include "theon/ops/scalar_functions.hpp"

namespace theon {
using namespace scalar_functions;

void register_scalar_rounding() {
  register_scalar_op(make_scalar_op<1, DTypeRule::Same, kAllTypes>(
      "floor", [](auto a) { return theon_floor(a); }, "theon_floor({0})"));
  register_scalar_op(make_scalar_op<1, DTypeRule::Same, kAllTypes>(
      "ceil", [](auto a) { return theon_ceil(a); }, "theon_ceil({0})"));
  register_scalar_op(make_scalar_op<1, DTypeRule::Same, kAllTypes>(
      "trunc", [](auto a) { return theon_trunc(a); }, "theon_trunc({0})"));
  register_scalar_op(make_scalar_op<1, DTypeRule::Same, kAllTypes>(
      "round", [](auto a) { return theon_rint(a); }, "theon_rint({0})"));
  register_scalar_op(make_scalar_op<1, DTypeRule::Same, kAllTypes>(
      "round_half_away_from_zero", [](auto a) { return theon_round_away(a); },
      "theon_round_away({0})"));

  // Rounding is piecewise constant: the gradient is 0 (connected zeros shaped like the output,
  // as Theano gives; at the jumps the true derivative does not exist and 0 is returned too).
  for (const char* name : {"floor", "ceil", "trunc", "round", "round_half_away_from_zero"}) {
    register_scalar_grad(name, [](const std::vector<Var>&, const Var&, const Var& g) {
      return std::vector<Var>{g * 0.0};
    });
  }
}

}  // namespace theon
