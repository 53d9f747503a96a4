// Neural-network functions: sigmoid, softplus, hard_sigmoid, relu (scalar ops mapped by
// Elemwise) and softmax / log_softmax (an op with a stable kernel).
#include "theon/ops/nnet.hpp"

#include <cmath>
#include <limits>
#include <type_traits>

#include "theon/core/error.hpp"
#include "theon/core/iterate.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/families.hpp"
#include "theon/ops/gradient_support.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/scalar.hpp"
#include "theon/ops/scalar_functions.hpp"
#include "theon/ops/shape.hpp"
#include "theon/ops/subtensor.hpp"

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
// Fused softmax cross-entropy

namespace {

std::string dims_str(const Shape& s) {
  std::string r = "(";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + (s.size() == 1 ? ",)" : ")");
}

void require(bool ok, const Op& op, const std::string& what) {
  if (!ok) throw TypeError(op_error(op, what));
}

bool static_equal(int64_t a, int64_t b) {
  return a == kUnknownDim || b == kUnknownDim || a == b;
}

// The labels as int64, each checked against k and made non-negative (NumPy's wrap of -k..-1).
std::vector<int64_t> checked_labels(const Op& op, const NDArray& y, int64_t k) {
  const NDArray y64 = y.astype(DType::Int64);
  std::vector<int64_t> labels(y64.data<int64_t>(), y64.data<int64_t>() + y64.size());
  for (size_t i = 0; i < labels.size(); ++i) {
    int64_t& l = labels[i];
    if (l < -k || l >= k) {
      throw IndexError(op_error(op, "label " + std::to_string(l) + " of row " + std::to_string(i) +
                                        " is out of range for " + std::to_string(k) + " classes"));
    }
    if (l < 0) l += k;
  }
  return labels;
}

// z = x + b with x (n, kx) and b (kb,), either of kx, kb being 1 broadcast to k.
template <class T>
void xent_rows(const T* x, int64_t kx, const T* b, int64_t kb, const int64_t* y, int64_t n,
               int64_t k, T* nll, T* sm, int64_t* am) {
  std::vector<T> z(static_cast<size_t>(k));
  for (int64_t i = 0; i < n; ++i) {
    T m = -std::numeric_limits<T>::infinity();
    int64_t arg = 0;
    for (int64_t j = 0; j < k; ++j) {
      z[j] = x[i * kx + (kx == 1 ? 0 : j)] + b[kb == 1 ? 0 : j];
      // The first maximum, and NaN wins, as NumPy's argmax.
      if (z[j] > m || (std::isnan(z[j]) && !std::isnan(m))) {
        m = z[j];
        arg = j;
      }
    }
    double sum = 0.0;
    for (int64_t j = 0; j < k; ++j) {
      const T e = std::exp(z[j] - m);
      sm[i * k + j] = e;
      sum += e;
    }
    const T inv = static_cast<T>(1.0 / sum);
    for (int64_t j = 0; j < k; ++j) sm[i * k + j] *= inv;
    nll[i] = static_cast<T>(std::log(sum)) - (z[y[i]] - m);
    am[i] = arg;
  }
}

// A static size known and not 1 (so it never broadcasts).
bool fixed(int64_t d) {
  return d != kUnknownDim && d != 1;
}

}  // namespace

std::vector<TensorType> CrossentropySoftmaxArgmax1HotWithBias::output_types(
    const std::vector<Var>& inputs) const {
  require(inputs.size() == 3, *this,
          "expected 3 inputs (x, b, y), got " + std::to_string(inputs.size()));
  const TensorType &x = inputs[0]->type, &b = inputs[1]->type, &y = inputs[2]->type;
  require(x.ndim() == 2 && is_float(x.dtype), *this, "expected x a float matrix, got " + x.str());
  require(b.ndim() == 1 && b.dtype == x.dtype, *this,
          "expected b a vector of dtype " + std::string(dtype_name(x.dtype)) + ", got " + b.str());
  require(y.ndim() == 1 && is_integer(y.dtype) && !is_bool(y.dtype), *this,
          "expected y an integer vector, got " + y.str());
  require(static_equal(y.shape[0], x.shape[0]), *this,
          "y has " + std::to_string(y.shape[0]) + " labels for " + std::to_string(x.shape[0]) +
              " rows of x");
  require(!fixed(b.shape[0]) || !fixed(x.shape[1]) || b.shape[0] == x.shape[1], *this,
          "b has " + std::to_string(b.shape[0]) + " entries for " + std::to_string(x.shape[1]) +
              " columns of x");
  const int64_t n = x.shape[0] != kUnknownDim ? x.shape[0] : y.shape[0];
  int64_t k = fixed(x.shape[1]) ? x.shape[1] : b.shape[0];
  if (!fixed(k) && k != x.shape[1]) k = kUnknownDim;
  return {TensorType(x.dtype, {n}), TensorType(x.dtype, {n, k}), TensorType(DType::Int64, {n})};
}

void CrossentropySoftmaxArgmax1HotWithBias::perform(const std::vector<NDArray>& inputs,
                                                    std::vector<NDArray>& outputs) const {
  const DType dt = inputs[0].dtype();
  const NDArray x = inputs[0].is_c_contiguous() ? inputs[0] : inputs[0].copy();
  const NDArray b = inputs[1].is_c_contiguous() ? inputs[1] : inputs[1].copy();
  const int64_t n = x.shape(0), kx = x.shape(1), kb = b.shape(0);
  const int64_t k = kx == 1 ? kb : kx;
  if (inputs[2].shape(0) != n || (kb != k && kb != 1)) {
    throw ValueError(op_error(
        *this, "expected y of shape (" + std::to_string(n) +
                   ",) and b broadcastable to x's columns for x of shape " + dims_str(x.shape()) +
                   ", got y " + dims_str(inputs[2].shape()) + " and b " + dims_str(b.shape())));
  }
  const std::vector<int64_t> y = checked_labels(*this, inputs[2], k);
  NDArray& nll = reuse_or_empty(outputs[0], dt, {n});
  NDArray& sm = reuse_or_empty(outputs[1], dt, {n, k});
  NDArray& am = reuse_or_empty(outputs[2], DType::Int64, {n});
  if (dt == DType::Float32) {
    xent_rows<float>(x.data<float>(), kx, b.data<float>(), kb, y.data(), n, k, nll.data<float>(),
                     sm.data<float>(), am.data<int64_t>());
  } else {
    xent_rows<double>(x.data<double>(), kx, b.data<double>(), kb, y.data(), n, k,
                      nll.data<double>(), sm.data<double>(), am.data<int64_t>());
  }
}

std::vector<Var> CrossentropySoftmaxArgmax1HotWithBias::L_op(
    const std::vector<Var>& inputs, const std::vector<Var>& outputs,
    const std::vector<Var>& output_grads) const {
  const Var& sm = outputs[1];
  Var dx;
  if (output_grads[0]) dx = crossentropy_softmax_1hot_with_bias_dx(output_grads[0], sm, inputs[2]);
  if (output_grads[1]) {
    const Var& g = output_grads[1];
    const Var dsm = mul(sub(g, sum(mul(g, sm), std::vector<int64_t>{1}, true)), sm);
    dx = dx ? add(dx, dsm) : dsm;
  }
  if (!dx) return {nullptr, nullptr, nullptr};
  const Var &x = inputs[0], &b = inputs[1];
  // An input broadcast along the columns collects the gradient of all of them.
  Var db = sum(dx, std::vector<int64_t>{0});
  if (!fixed(b->type.shape[0])) db = sum_to_shape(db, b);
  const bool x_full = fixed(x->type.shape[1]) || b->type.shape[0] == 1;
  return {x_full ? dx : sum_to_shape(dx, x), db, nullptr};
}

std::optional<std::vector<std::vector<Var>>> CrossentropySoftmaxArgmax1HotWithBias::infer_shape(
    const std::vector<Var>& inputs, const std::vector<std::vector<Var>>& input_shapes) const {
  const auto& xs = input_shapes[0];
  Var k = xs[1];
  if (!fixed(inputs[0]->type.shape[1]) && inputs[1]->type.shape[0] != 1) {
    // One of the two is 1 or they are equal.
    k = fixed(inputs[1]->type.shape[0]) ? input_shapes[1][0] : maximum(xs[1], input_shapes[1][0]);
  }
  return std::vector<std::vector<Var>>{{xs[0]}, {xs[0], k}, {xs[0]}};
}

std::vector<TensorType> CrossentropySoftmax1HotWithBiasDx::output_types(
    const std::vector<Var>& inputs) const {
  require(inputs.size() == 3, *this,
          "expected 3 inputs (dy, sm, y), got " + std::to_string(inputs.size()));
  const TensorType &dy = inputs[0]->type, &sm = inputs[1]->type, &y = inputs[2]->type;
  require(sm.ndim() == 2 && is_float(sm.dtype), *this,
          "expected sm a float matrix, got " + sm.str());
  require(
      dy.ndim() == 1 && dy.dtype == sm.dtype, *this,
      "expected dy a vector of dtype " + std::string(dtype_name(sm.dtype)) + ", got " + dy.str());
  require(y.ndim() == 1 && is_integer(y.dtype) && !is_bool(y.dtype), *this,
          "expected y an integer vector, got " + y.str());
  require(static_equal(y.shape[0], sm.shape[0]), *this,
          "y has " + std::to_string(y.shape[0]) + " labels for " + std::to_string(sm.shape[0]) +
              " rows of sm");
  require(dy.shape[0] == 1 || static_equal(dy.shape[0], sm.shape[0]), *this,
          "dy has " + std::to_string(dy.shape[0]) + " entries for " + std::to_string(sm.shape[0]) +
              " rows of sm");
  const int64_t n = sm.shape[0] != kUnknownDim ? sm.shape[0] : y.shape[0];
  return {TensorType(sm.dtype, {n, sm.shape[1]})};
}

void CrossentropySoftmax1HotWithBiasDx::perform(const std::vector<NDArray>& inputs,
                                                std::vector<NDArray>& outputs) const {
  const DType dt = inputs[1].dtype();
  const NDArray dy = inputs[0].is_c_contiguous() ? inputs[0] : inputs[0].copy();
  const NDArray sm = inputs[1].is_c_contiguous() ? inputs[1] : inputs[1].copy();
  const int64_t n = sm.shape(0), k = sm.shape(1);
  if (inputs[2].shape(0) != n || (dy.shape(0) != n && dy.shape(0) != 1)) {
    throw ValueError(op_error(*this, "expected y and dy of shape (" + std::to_string(n) +
                                         ",) for sm of shape " + dims_str(sm.shape()) + ", got y " +
                                         dims_str(inputs[2].shape()) + " and dy " +
                                         dims_str(dy.shape())));
  }
  const std::vector<int64_t> y = checked_labels(*this, inputs[2], k);
  NDArray& dx = reuse_or_empty(outputs[0], dt, {n, k});
  visit_dtype(dt, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      const T* g = dy.data<T>();
      const T* s = sm.data<T>();
      T* out = dx.data<T>();
      const bool one_g = dy.shape(0) == 1;
      for (int64_t i = 0; i < n; ++i) {
        const T gi = g[one_g ? 0 : i];
        for (int64_t j = 0; j < k; ++j) out[i * k + j] = gi * s[i * k + j];
        out[i * k + y[i]] -= gi;
      }
    }
  });
}

std::vector<Var> CrossentropySoftmax1HotWithBiasDx::L_op(
    const std::vector<Var>& inputs, const std::vector<Var>&,
    const std::vector<Var>& output_grads) const {
  const Var& g = output_grads[0];
  if (!g) return {nullptr, nullptr, nullptr};
  const Var &dy = inputs[0], &sm = inputs[1], &y = inputs[2];
  // sm - onehot(y) is this op with dy = 1.
  const Var centered =
      crossentropy_softmax_1hot_with_bias_dx(fill(dy, scalar_constant(1.0, dy->type.dtype)), sm, y);
  // dy may broadcast at run time (size 1 against n rows) without a static size of 1.
  const Var ddy = sum_to_shape(sum(mul(g, centered), std::vector<int64_t>{1}), dy);
  return {ddy, mul(g, dimshuffle(dy, {0, kNewAxis})), nullptr};
}

std::optional<std::vector<std::vector<Var>>> CrossentropySoftmax1HotWithBiasDx::infer_shape(
    const std::vector<Var>&, const std::vector<std::vector<Var>>& input_shapes) const {
  return std::vector<std::vector<Var>>{input_shapes[1]};
}

std::vector<Var> crossentropy_softmax_argmax_1hot_with_bias(const Var& x, const Var& b,
                                                            const Var& y) {
  Var bias = b;
  if (!bias) bias = constant(NDArray::zeros(x->type.dtype, {1}));
  auto node = make_node(std::make_shared<CrossentropySoftmaxArgmax1HotWithBias>(), {x, bias, y});
  return node;
}

Var crossentropy_softmax_1hot_with_bias_dx(const Var& dy, const Var& sm, const Var& y) {
  return make_node1(std::make_shared<CrossentropySoftmax1HotWithBiasDx>(), {dy, sm, y});
}

Var categorical_crossentropy(const Var& coding_dist, const Var& true_dist) {
  const int nd = true_dist->type.ndim();
  if (nd == coding_dist->type.ndim()) {
    return neg(sum(mul(true_dist, log(coding_dist)), std::vector<int64_t>{nd - 1}));
  }
  if (nd == coding_dist->type.ndim() - 1 && is_integer(true_dist->type.dtype) &&
      !is_bool(true_dist->type.dtype) && nd == 1) {
    const Var rows = arange(scalar_constant(int64_t{0}, DType::Int64), shape_i(coding_dist, 0),
                            scalar_constant(int64_t{1}, DType::Int64));
    return neg(log(getitem(coding_dist, {idx::array(rows), idx::array(true_dist)})));
  }
  throw TypeError(
      "categorical_crossentropy: expected true_dist a distribution of coding_dist's "
      "dimensions " +
      coding_dist->type.str() +
      " or integer labels with one "
      "dimension less for a matrix coding_dist, got " +
      true_dist->type.str());
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
  register_builder("crossentropy_softmax_argmax_1hot_with_bias", 2, 3,
                   [](const std::vector<Var>& in, const Params&) {
                     if (in.size() == 2) {
                       return crossentropy_softmax_argmax_1hot_with_bias(in[0], nullptr, in[1]);
                     }
                     return crossentropy_softmax_argmax_1hot_with_bias(in[0], in[1], in[2]);
                   });
  register_builder(
      "crossentropy_softmax_1hot_with_bias_dx", 3, 3,
      [](const std::vector<Var>& in, const Params&) {
        return std::vector<Var>{crossentropy_softmax_1hot_with_bias_dx(in[0], in[1], in[2])};
      });
  register_builder("categorical_crossentropy", 2, 2, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{categorical_crossentropy(in[0], in[1])};
  });
  register_builder("log_softmax", 1, 1, [axis_of](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{log_softmax(in[0], axis_of(p))};
  });
}

}  // namespace theon
