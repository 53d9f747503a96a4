// Neural-network functions: sigmoid, softplus, hard_sigmoid, relu (scalar ops mapped by
// Elemwise) and softmax / log_softmax (an op with a stable kernel).
#include "theon/ops/nnet.hpp"

#include <cmath>
#include <limits>
#include <type_traits>

#include "theon/core/error.hpp"
#include "theon/core/iterate.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/families.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/scalar.hpp"

namespace theon {
namespace {

void register_nnet_scalars() {
  // exp of a large positive argument never appears: each branch exponentiates -|x|.
  register_scalar_op(make_scalar_op<1, DTypeRule::Float, kFloatTypes>(
      "sigmoid",
      [](auto a) {
        using T = decltype(a);
        if (a >= 0) return T(1) / (T(1) + std::exp(-a));
        const T e = std::exp(a);
        return e / (T(1) + e);
      },
      "({0} >= 0 ? ({T})1 / (({T})1 + exp(-{0})) : exp({0}) / (({T})1 + exp({0})))"));
  register_scalar_op(make_scalar_op<1, DTypeRule::Float, kFloatTypes>(
      "softplus",
      [](auto a) {
        using T = decltype(a);
        if (a > 0) return T(a + std::log1p(std::exp(-a)));
        return T(std::log1p(std::exp(a)));
      },
      "({0} > 0 ? {0} + log1p(exp(-{0})) : log1p(exp({0})))"));
  register_scalar_op(make_scalar_op<1, DTypeRule::Float, kFloatTypes>(
      "hard_sigmoid",
      [](auto a) {
        using T = decltype(a);
        const T r = a * T(0.2) + T(0.5);
        return r < T(0) ? T(0) : (r > T(1) ? T(1) : r);  // NaN stays NaN
      },
      "(({0} * ({T})0.2 + ({T})0.5) < 0 ? ({T})0 : (({0} * ({T})0.2 + ({T})0.5) > 1 ? ({T})1 : "
      "({0} * ({T})0.2 + ({T})0.5)))"));
  // maximum(x, 0): NaN propagates as in numpy.maximum.
  register_scalar_op(make_scalar_op<1, DTypeRule::Same, kNumericTypes>(
      "relu",
      [](auto a) {
        using T = decltype(a);
        if constexpr (std::is_floating_point_v<T>) {
          if (std::isnan(a)) return a;
        }
        return a > T(0) ? a : T(0);
      },
      "(({0} > 0 || {0} != {0}) ? {0} : ({T})0)"));
  // where(x > 0, x, x * alpha), alpha the second input.
  register_scalar_op(make_scalar_op<2, DTypeRule::Same, kNumericTypes>(
      "leaky_relu",
      [](auto a, auto alpha) {
        using T = decltype(a);
        return a > T(0) ? a : static_cast<T>(a * alpha);
      },
      "({0} > 0 ? {0} : ({T})({0} * {1}))"));
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

// The float dtype softmax computes in (as exp would for this input).
DType softmax_dtype(DType dt) {
  return is_float(dt) ? dt : upgrade_to_float(dt);
}

template <class T>
void softmax_row(bool log, const char* x, int64_t sx, char* y, int64_t sy, int64_t n) {
  auto in = [&](int64_t k) { return *reinterpret_cast<const T*>(x + k * sx); };
  auto out = [&](int64_t k) -> T& { return *reinterpret_cast<T*>(y + k * sy); };
  if (n == 0) return;
  T m = -std::numeric_limits<T>::infinity();
  for (int64_t k = 0; k < n; ++k) {
    const T v = in(k);
    if (v > m || std::isnan(v)) m = v;
    if (std::isnan(m)) break;
  }
  double sum = 0.0;
  if (log) {
    for (int64_t k = 0; k < n; ++k) sum += std::exp(static_cast<double>(in(k)-m));
    const T lse = static_cast<T>(std::log(sum));
    for (int64_t k = 0; k < n; ++k) out(k) = in(k)-m - lse;
  } else {
    for (int64_t k = 0; k < n; ++k) {
      const T e = std::exp(in(k)-m);
      out(k) = e;
      sum += e;
    }
    const T inv = static_cast<T>(1.0 / sum);
    for (int64_t k = 0; k < n; ++k) out(k) *= inv;
  }
}

std::string axis_error(int64_t axis, int ndim) {
  return "axis " + std::to_string(axis) + " is out of bounds for array of dimension " +
         std::to_string(ndim);
}

Var make_softmax(bool log, const Var& x, std::optional<int64_t> axis) {
  if (axis) {
    const int nd = x->type.ndim();
    if (*axis < -nd || *axis >= nd) {
      throw ValueError(std::string(log ? "log_softmax" : "softmax") + ": " + axis_error(*axis, nd));
    }
    if (*axis < 0) *axis += nd;
  }
  return make_node1(std::make_shared<Softmax>(log, axis), {x});
}

}  // namespace

// -----------------------------------------------------------------------------------------------
// Softmax

Softmax::Softmax(bool log, std::optional<int64_t> axis) : log_(log), axis_(axis) {}

std::string Softmax::props() const {
  return "axis=" + (axis_ ? std::to_string(*axis_) : std::string("None"));
}

std::optional<std::vector<std::vector<Var>>> Softmax::infer_shape(
    const std::vector<Var>&, const std::vector<std::vector<Var>>& input_shapes) const {
  return std::vector<std::vector<Var>>{input_shapes[0]};
}

std::vector<TensorType> Softmax::output_types(const std::vector<Var>& inputs) const {
  if (inputs.size() != 1) {
    throw TypeError(op_error(*this, "expected 1 input, got " + std::to_string(inputs.size())));
  }
  const TensorType& t = inputs[0]->type;
  if (axis_ && (*axis_ < 0 || *axis_ >= t.ndim())) {
    throw ValueError(op_error(*this, axis_error(*axis_, t.ndim())));
  }
  return {TensorType(softmax_dtype(t.dtype), t.shape)};
}

void Softmax::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const DType dt = softmax_dtype(inputs[0].dtype());
  NDArray x = inputs[0].dtype() == dt ? inputs[0] : inputs[0].astype(dt);
  NDArray& out = reuse_or_empty(outputs[0], dt, x.shape());
  const int64_t isz = static_cast<int64_t>(itemsize(dt));
  auto row = [&](const char* px, int64_t sx, char* py, int64_t sy, int64_t n) {
    if (dt == DType::Float32) {
      softmax_row<float>(log_, px, sx, py, sy, n);
    } else {
      softmax_row<double>(log_, px, sx, py, sy, n);
    }
  };
  if (!axis_) {  // one row over every element, in C order
    if (!x.is_c_contiguous()) x = x.copy();
    row(x.raw(), isz, out.raw(), isz, x.size());
    return;
  }
  const int ax = static_cast<int>(*axis_);
  if (ax >= x.ndim()) throw ValueError(op_error(*this, axis_error(ax, x.ndim())));
  // Loop over every position of the other axes; each is one row along `ax`.
  Shape rest;
  Strides rest_x, rest_y;
  for (int d = 0; d < x.ndim(); ++d) {
    if (d == ax) continue;
    rest.push_back(x.shape(d));
    rest_x.push_back(x.strides()[d]);
    rest_y.push_back(out.strides()[d]);
  }
  const NDArray xv = x.view(x.raw(), rest, rest_x);
  const NDArray yv = out.view(out.raw(), rest, rest_y);
  const int64_t n = x.shape(ax), sx = x.strides()[ax], sy = out.strides()[ax];
  const LoopPlan plan = plan_loop(rest, {&yv, &xv});
  for_each_run(plan, {yv.raw(), xv.raw()}, [&](char** p, const int64_t* st, int64_t cnt) {
    for (int64_t r = 0; r < cnt; ++r) row(p[1] + r * st[1], sx, p[0] + r * st[0], sy, n);
  });
}

std::vector<Var> Softmax::L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                               const std::vector<Var>& output_grads) const {
  const Var& g = output_grads[0];
  if (!is_float(inputs[0]->type.dtype) || !g) return {nullptr};
  const Var& y = outputs[0];
  std::optional<std::vector<int64_t>> axes;
  if (axis_) axes = std::vector<int64_t>{*axis_};
  if (log_) return {sub(g, mul(exp(y), sum(g, axes, true)))};
  return {mul(sub(g, sum(mul(g, y), axes, true)), y)};
}

// -----------------------------------------------------------------------------------------------
// C++ API

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

Var softmax(const Var& x, std::optional<int64_t> axis) {
  return make_softmax(false, x, axis);
}
Var log_softmax(const Var& x, std::optional<int64_t> axis) {
  return make_softmax(true, x, axis);
}

void register_nnet_ops() {
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
  auto axis_of = [](const Params& p) -> std::optional<int64_t> {
    if (p.values().count("axis") && !p.has("axis")) return std::nullopt;  // axis=None
    return p.get_int("axis", -1);
  };
  register_builder("softmax", 1, 1, [axis_of](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{softmax(in[0], axis_of(p))};
  });
  register_builder("log_softmax", 1, 1, [axis_of](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{log_softmax(in[0], axis_of(p))};
  });
}

}  // namespace theon
