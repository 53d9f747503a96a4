// The activation functions sigmoid, softplus, hard_sigmoid, relu and leaky_relu: scalar ops that
// Elemwise maps, with their gradients, C++ API and builders.
#include <variant>

#include "theon/graph/registry.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/nnet.hpp"
#include "theon/ops/scalar.hpp"
#include "theon/ops/scalar_functions.hpp"

namespace theon {
namespace {

void register_nnet_scalars() {
  using namespace scalar_functions;
  register_scalar_op(make_scalar_op<1, DTypeRule::Float, kFloatTypes>(
      "sigmoid", [](auto a) { return theon_sigmoid(a); }, "theon_sigmoid({0})"));
  register_scalar_op(make_scalar_op<1, DTypeRule::Float, kFloatTypes>(
      "softplus", [](auto a) { return theon_softplus(a); }, "theon_softplus({0})"));
  register_scalar_op(make_scalar_op<1, DTypeRule::Float, kFloatTypes>(
      "hard_sigmoid", [](auto a) { return theon_hard_sigmoid(a); }, "theon_hard_sigmoid({0})"));
  register_scalar_op(make_scalar_op<1, DTypeRule::Same, kNumericTypes>(
      "relu", [](auto a) { return theon_relu(a); }, "theon_relu({0})"));
  register_scalar_op(make_scalar_op<2, DTypeRule::Same, kNumericTypes>(
      "leaky_relu", [](auto a, auto alpha) { return theon_leaky_relu(a, alpha); },
      "theon_leaky_relu({0}, {1})"));
}

// Gradients of the scalar ops, in the output's shape (Elemwise sums and casts them back). Masks
// are comparisons cast to the gradient's dtype, so the gradient graphs stay differentiable
// (a cast of a bool carries no gradient).
Var mask_like(const Var& cond, const Var& g) {
  return cast(cond, g->type.dtype);
}

void register_nnet_grads() {
  // s' = s (1 - s), from the output: at |x| large s is exactly 0 or 1 and the gradient 0.
  register_scalar_grad("sigmoid", [](const std::vector<Var>&, const Var& s, const Var& g) {
    return std::vector<Var>{mul(g, mul(s, 1.0 - s))};
  });
  register_scalar_grad("softplus", [](const std::vector<Var>& x, const Var&, const Var& g) {
    return std::vector<Var>{mul(g, sigmoid(x[0]))};
  });
  // 0.2 where the clip is inactive (0 < 0.2 x + 0.5 < 1, read from the output), else 0.
  register_scalar_grad("hard_sigmoid", [](const std::vector<Var>&, const Var& out, const Var& g) {
    const Var inside = logical_and(greater(out, 0.0), less(out, 1.0));
    return std::vector<Var>{mul(g * 0.2, mask_like(inside, g))};
  });
  // 1 where x > 0, else 0 (0 at x == 0, as Theano).
  register_scalar_grad("relu", [](const std::vector<Var>& x, const Var&, const Var& g) {
    return std::vector<Var>{mul(g, mask_like(greater(x[0], 0.0), g))};
  });
  // d/dx: 1 where x > 0, else alpha; d/dalpha: x where x <= 0, else 0.
  register_scalar_grad("leaky_relu", [](const std::vector<Var>& x, const Var&, const Var& g) {
    const Var pos = mask_like(greater(x[0], 0.0), g);
    const Var neg_part = 1.0 - pos;
    return std::vector<Var>{mul(g, add(pos, mul(neg_part, x[1]))), mul(mul(g, x[0]), neg_part)};
  });
}

}  // namespace

Var sigmoid(const Var& x) {
  return elemwise("sigmoid", {x});
}
Var softplus(const Var& x) {
  return elemwise("softplus", {x});
}
Var hard_sigmoid(const Var& x) {
  return elemwise("hard_sigmoid", {x});
}

Var relu(const Var& x, double alpha) {
  if (alpha == 0.0) return elemwise("relu", {x});
  return elemwise("leaky_relu", {x, weak_scalar(alpha, x)});
}

Var relu(const Var& x, const Var& alpha) {
  return elemwise("leaky_relu", {x, alpha});
}

THEON_OP_FILE(activations) {
  register_nnet_scalars();
  register_nnet_grads();
  // The elemwise builders were registered before this family's scalar ops existed.
  for (const char* name : {"sigmoid", "softplus", "hard_sigmoid"}) {
    const std::string n = name;
    register_builder(n, 1, 1, [n](const std::vector<Var>& in, const Params&) {
      return std::vector<Var>{elemwise(n, in)};
    });
  }
  register_builder("leaky_relu", 2, 2, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{elemwise("leaky_relu", in)};
  });
  // relu(x, alpha=0): alpha a parameter (int or float, a Python scalar) or a second input.
  register_builder("relu", 1, 2, [](const std::vector<Var>& in, const Params& p) {
    if (in.size() == 2) return std::vector<Var>{relu(in[0], in[1])};
    auto it = p.values().find("alpha");
    if (it != p.values().end()) {
      if (const auto* i = std::get_if<int64_t>(&it->second)) {
        if (*i == 0) return std::vector<Var>{relu(in[0])};
        return std::vector<Var>{elemwise("leaky_relu", {in[0], weak_scalar(*i, in[0])})};
      }
      if (p.has("alpha")) return std::vector<Var>{relu(in[0], p.get_double("alpha"))};
    }
    return std::vector<Var>{relu(in[0])};
  });
}

}  // namespace theon
