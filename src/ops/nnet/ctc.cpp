// Ctc(activations, labels, input_lengths): the connectionist temporal classification loss
// (Theano's nnet.ctc, warp-ctc's definition: a softmax over the classes at every time step,
// class 0 the blank), cost (batch,); and CtcGrad, the same op computing the cost's gradient
// with respect to the activations (time, batch, classes). Both run the forward-backward
// recursions in log space, in double precision.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "../shape_util.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/nnet.hpp"
#include "theon/ops/shape.hpp"

namespace theon {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

double log_add(double a, double b) {
  if (a == kNegInf) return b;
  if (b == kNegInf) return a;
  const double m = std::max(a, b);
  return m + std::log1p(std::exp(-std::abs(a - b)));
}

// The loss of one sample and its gradient. lp: log-softmax (steps x classes, row-major);
// labels without padding; grad (steps x classes, row-major) is written.
double ctc_sample(const std::vector<double>& lp, int64_t steps, int64_t classes,
                  const std::vector<int64_t>& labels, std::vector<double>& grad) {
  const int64_t s_len = 2 * static_cast<int64_t>(labels.size()) + 1;
  auto ext = [&](int64_t s) { return s % 2 == 0 ? int64_t{0} : labels[(s - 1) / 2]; };
  // A skip from s - 2 to s is allowed between two different labels.
  auto can_skip = [&](int64_t s) { return s >= 2 && s % 2 == 1 && ext(s) != ext(s - 2); };
  std::fill(grad.begin(), grad.end(), 0.0);
  if (steps == 0) return labels.empty() ? 0.0 : std::numeric_limits<double>::infinity();
  std::vector<double> alpha(steps * s_len, kNegInf), beta(steps * s_len, kNegInf);
  alpha[0] = lp[0];
  if (s_len > 1) alpha[1] = lp[ext(1)];
  for (int64_t t = 1; t < steps; ++t) {
    for (int64_t s = 0; s < s_len; ++s) {
      double a = alpha[(t - 1) * s_len + s];
      if (s >= 1) a = log_add(a, alpha[(t - 1) * s_len + s - 1]);
      if (can_skip(s)) a = log_add(a, alpha[(t - 1) * s_len + s - 2]);
      alpha[t * s_len + s] = a == kNegInf ? kNegInf : a + lp[t * classes + ext(s)];
    }
  }
  const int64_t last = (steps - 1) * s_len;
  double log_p = alpha[last + s_len - 1];
  if (s_len > 1) log_p = log_add(log_p, alpha[last + s_len - 2]);
  if (log_p == kNegInf) return std::numeric_limits<double>::infinity();  // no alignment
  beta[last + s_len - 1] = lp[(steps - 1) * classes];
  if (s_len > 1) beta[last + s_len - 2] = lp[(steps - 1) * classes + ext(s_len - 2)];
  for (int64_t t = steps - 2; t >= 0; --t) {
    for (int64_t s = 0; s < s_len; ++s) {
      double b = beta[(t + 1) * s_len + s];
      if (s + 1 < s_len) b = log_add(b, beta[(t + 1) * s_len + s + 1]);
      if (s + 2 < s_len && can_skip(s + 2)) b = log_add(b, beta[(t + 1) * s_len + s + 2]);
      beta[t * s_len + s] = b == kNegInf ? kNegInf : b + lp[t * classes + ext(s)];
    }
  }
  // d cost / d u[t][k] = softmax[t][k] - (sum over s labelled k of alpha beta) / (y[t][k] P).
  std::vector<double> occupancy(classes);
  for (int64_t t = 0; t < steps; ++t) {
    std::fill(occupancy.begin(), occupancy.end(), kNegInf);
    for (int64_t s = 0; s < s_len; ++s) {
      const double ab = alpha[t * s_len + s] + beta[t * s_len + s];
      if (ab != kNegInf) occupancy[ext(s)] = log_add(occupancy[ext(s)], ab);
    }
    for (int64_t k = 0; k < classes; ++k) {
      const double y = lp[t * classes + k];
      const double occ = occupancy[k] == kNegInf ? 0.0 : std::exp(occupancy[k] - y - log_p);
      grad[t * classes + k] = std::exp(y) - occ;
    }
  }
  return -log_p;
}

// The labels of sample b: the entries before the first -1 (the padding), checked.
// labels: int64, C-contiguous.
std::vector<int64_t> sample_labels(const Op& op, const NDArray& labels, int64_t b,
                                   int64_t classes) {
  std::vector<int64_t> out;
  bool padding = false;
  const int64_t width = labels.shape(1);
  for (int64_t i = 0; i < width; ++i) {
    const int64_t v = labels.data<int64_t>()[b * width + i];
    if (v == -1) {
      padding = true;
    } else if (padding || v < 1 || v >= classes) {
      throw ValueError(op_error(op, "labels of sample " + std::to_string(b) + " must be in [1, " +
                                        std::to_string(classes) +
                                        ") (0 is the blank) followed only by -1 padding, got " +
                                        std::to_string(v) + " at position " + std::to_string(i)));
    } else {
      out.push_back(v);
    }
  }
  return out;
}

// act: float64 and labels, lengths: int64, all C-contiguous.
template <class T>
void ctc_batch(const Op& op, const NDArray& act, const NDArray& labels, const NDArray& lengths,
               NDArray& cost, NDArray& grad) {
  const int64_t steps = act.shape(0), batch = act.shape(1), classes = act.shape(2);
  if (classes == 0 && steps > 0 && batch > 0) {
    throw ValueError(op_error(
        op, "the activations have no class (class 0 is the blank): " + shape_str(act.shape())));
  }
  const double* a = act.data<double>();
  T* gp = grad.data<T>();
  std::vector<double> lp, g;
  for (int64_t b = 0; b < batch; ++b) {
    const int64_t n = lengths.data<int64_t>()[b];
    if (n < 0 || n > steps) {
      throw ValueError(op_error(op, "input_lengths[" + std::to_string(b) +
                                        "] = " + std::to_string(n) + " is outside [0, " +
                                        std::to_string(steps) + "]"));
    }
    const std::vector<int64_t> l = sample_labels(op, labels, b, classes);
    lp.assign(n * classes, 0.0);
    for (int64_t t = 0; t < n; ++t) {  // log-softmax of step t
      const double* row = a + (t * batch + b) * classes;
      const double m = *std::max_element(row, row + classes);
      double sum = 0.0;
      for (int64_t k = 0; k < classes; ++k) sum += std::exp(row[k] - m);
      const double shift = m + std::log(sum);
      for (int64_t k = 0; k < classes; ++k) lp[t * classes + k] = row[k] - shift;
    }
    g.assign(n * classes, 0.0);
    cost.data<T>()[b] = static_cast<T>(ctc_sample(lp, n, classes, l, g));
    for (int64_t t = 0; t < n; ++t) {
      for (int64_t k = 0; k < classes; ++k) {
        gp[(t * batch + b) * classes + k] = static_cast<T>(g[t * classes + k]);
      }
    }
  }
}

class Ctc final : public Op {
 public:
  explicit Ctc(bool grad) : grad_(grad) {}
  std::string type_name() const override { return grad_ ? "CtcGrad" : "Ctc"; }

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    if (inputs.size() != 3) {
      throw TypeError(op_error(*this,
                               "expected 3 inputs (activations, labels, input_lengths), "
                               "got " +
                                   std::to_string(inputs.size())));
    }
    const TensorType& act = inputs[0]->type;
    const TensorType& labels = inputs[1]->type;
    const TensorType& lengths = inputs[2]->type;
    if (act.ndim() != 3 || !is_float(act.dtype)) {
      throw TypeError(op_error(*this,
                               "expected activations (time, batch, classes) of floats, "
                               "got " +
                                   act.str()));
    }
    if (labels.ndim() != 2 || !is_integer(labels.dtype)) {
      throw TypeError(
          op_error(*this, "expected labels (batch, length) of integers, got " + labels.str()));
    }
    if (lengths.ndim() != 1 || !is_integer(lengths.dtype)) {
      throw TypeError(
          op_error(*this, "expected input_lengths (batch,) of integers, got " + lengths.str()));
    }
    const int64_t b = act.shape[1];
    for (int64_t other : {labels.shape[0], lengths.shape[0]}) {
      if (b != kUnknownDim && other != kUnknownDim && other != b) {
        throw ValueError(op_error(*this, "the batch sizes differ: activations " + act.str() +
                                             ", labels " + labels.str() + ", input_lengths " +
                                             lengths.str()));
      }
    }
    return {grad_ ? act : TensorType(act.dtype, {b})};
  }

  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override {
    const NDArray act = inputs[0].astype(DType::Float64);
    const NDArray labels = inputs[1].astype(DType::Int64);
    const NDArray lengths = inputs[2].astype(DType::Int64);
    const int64_t batch = act.shape(1);
    if (labels.shape(0) != batch || lengths.shape(0) != batch) {
      throw ValueError(op_error(
          *this, "the batch sizes differ: activations " + shape_str(act.shape()) + ", labels " +
                     shape_str(labels.shape()) + ", input_lengths " + shape_str(lengths.shape())));
    }
    const DType dt = inputs[0].dtype();
    NDArray cost = NDArray::empty(dt, {batch});
    NDArray grad = NDArray::zeros(dt, act.shape());
    if (dt == DType::Float32) {
      ctc_batch<float>(*this, act, labels, lengths, cost, grad);
    } else {
      ctc_batch<double>(*this, act, labels, lengths, cost, grad);
    }
    outputs[0] = grad_ ? grad : cost;
  }

  // The cost's: d activations = CtcGrad * g[None, :, None].
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                        const std::vector<Var>& output_grads) const override {
    if (grad_) {
      throw NotImplementedError(op_error(*this,
                                         "second derivatives of the CTC loss are not "
                                         "implemented"));
    }
    if (!output_grads[0]) return {nullptr, nullptr, nullptr};
    const Var grad = make_node1(std::make_shared<Ctc>(true), inputs);
    return {mul(grad, expand_dims(output_grads[0], {0, 2})), nullptr, nullptr};
  }

  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& shapes) const override {
    if (grad_) return std::vector<std::vector<Var>>{shapes[0]};
    return std::vector<std::vector<Var>>{{shapes[0][1]}};
  }

 private:
  bool grad_;
};

}  // namespace

THEON_OP_FILE(ctc) {
  for (bool grad : {false, true}) {
    register_op_factory(grad ? "CtcGrad" : "Ctc",
                        [grad](const PropReader&) -> OpPtr { return std::make_shared<Ctc>(grad); });
    register_builder(grad ? "ctc_grad" : "ctc", 3, 3,
                     [grad](const std::vector<Var>& in, const Params&) {
                       return std::vector<Var>{make_node1(std::make_shared<Ctc>(grad), in)};
                     });
  }
}

}  // namespace theon
