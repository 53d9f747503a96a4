// The fused softmax cross-entropy CrossentropySoftmaxArgmax1HotWithBias and its gradient op
// CrossentropySoftmax1HotWithBiasDx, with their C++ API.
#include <cmath>
#include <limits>
#include <type_traits>

#include "../vector_clones.hpp"
#include "../vector_exp.hpp"
#include "row_kernels.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/gradient_support.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/nnet.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/shape.hpp"

namespace theon {

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
  const bool as_is = y.dtype() == DType::Int64 && y.is_c_contiguous();  // no copy to read
  const NDArray y64 = as_is ? y : y.astype(DType::Int64);
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
THEON_INLINE void add_bias(const T* x, int64_t kx, const T* b, int64_t kb, int64_t k, T* z) {
  if (kx == k && kb == k) {
    for (int64_t j = 0; j < k; ++j) z[j] = x[j] + b[j];
  } else {
    for (int64_t j = 0; j < k; ++j) z[j] = x[kx == 1 ? 0 : j] + b[kb == 1 ? 0 : j];
  }
}

// The index of the first maximum of z (k > 0), a NaN winning as in NumPy's argmax: the lanes'
// maximum, then the first element equal to it.
template <class T>
THEON_INLINE int64_t first_argmax(const T* z, int64_t k) {
  const T max = row_kernels::row_max(z, k);
  const bool nan = max != max;
  for (int64_t i = 0; i < k; ++i) {
    if (nan ? z[i] != z[i] : z[i] == max) return i;
  }
  return 0;
}

// e = exp(z - m) and their sum in double.
template <class T>
THEON_INLINE double exp_and_sum(const T* z, T m, int64_t k, T* e) {
  for (int64_t j = 0; j < k; ++j) e[j] = vector_exp(z[j] - m);
  return row_kernels::sum_in_double(e, k);
}

// One row: sm = softmax(z), nll = log(sum exp(z - m)) - (z[label] - m), am = argmax(z).
template <class T>
THEON_INLINE void xent_row(const T* x, int64_t kx, const T* b, int64_t kb, int64_t label, int64_t k,
                           T* z, T* nll, T* sm, int64_t* am) {
  add_bias(x, kx, b, kb, k, z);
  const int64_t arg = first_argmax(z, k);
  const T m = z[arg];
  const double sum = exp_and_sum(z, m, k, sm);
  const T inv = static_cast<T>(1.0 / sum);
  for (int64_t j = 0; j < k; ++j) sm[j] *= inv;
  *nll = static_cast<T>(std::log(sum)) - (z[label] - m);
  *am = arg;
}

#define THEON_XENT_ROWS(T)                                                                  \
  THEON_VECTOR_CLONES void xent_rows(const T* x, int64_t kx, const T* b, int64_t kb,        \
                                     const int64_t* y, int64_t n, int64_t k, T* nll, T* sm, \
                                     int64_t* am) {                                         \
    std::vector<T> z(static_cast<size_t>(k));                                               \
    for (int64_t i = 0; i < n; ++i) {                                                       \
      xent_row(x + i * kx, kx, b, kb, y[i], k, z.data(), nll + i, sm + i * k, am + i);      \
    }                                                                                       \
  }
THEON_XENT_ROWS(float)
THEON_XENT_ROWS(double)
#undef THEON_XENT_ROWS

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
    xent_rows(x.data<float>(), kx, b.data<float>(), kb, y.data(), n, k, nll.data<float>(),
              sm.data<float>(), am.data<int64_t>());
  } else {
    xent_rows(x.data<double>(), kx, b.data<double>(), kb, y.data(), n, k, nll.data<double>(),
              sm.data<double>(), am.data<int64_t>());
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

THEON_OP_FILE(crossentropy_softmax) {
  register_op_factory("CrossentropySoftmaxArgmax1HotWithBias", [](const PropReader&) -> OpPtr {
    return std::make_shared<CrossentropySoftmaxArgmax1HotWithBias>();
  });
  register_op_factory("CrossentropySoftmax1HotWithBiasDx", [](const PropReader&) -> OpPtr {
    return std::make_shared<CrossentropySoftmax1HotWithBiasDx>();
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
}

}  // namespace theon
