// C++ API of the nnet op family (op files in src/ops/nnet/): Theano's tensor.nnet functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "theon/graph/op.hpp"
#include "theon/graph/variable.hpp"

namespace theon {

// softmax or log_softmax along one axis (or over all elements when axis is nullopt), with a
// stable kernel: the maximum is subtracted before exponentiating. Integer and bool inputs are
// converted to float the way exp converts them.
class Softmax : public Op {
 public:
  // `axis` must already be non-negative.
  Softmax(bool log, std::optional<int64_t> axis);
  bool log() const { return log_; }
  std::optional<int64_t> axis() const { return axis_; }
  std::string type_name() const override { return log_ ? "LogSoftmax" : "Softmax"; }
  Props fields() const override { return {{"axis", PropValue::optional_int(axis_)}}; }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  // softmax: (g - sum(g * sm, axis, keepdims)) * sm; log_softmax: g - exp(lsm) * sum(g, axis,
  // keepdims); null for an integer or bool input.
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;

 private:
  bool log_;
  std::optional<int64_t> axis_;
};

// Categorical cross-entropy of softmax(x + b) against integer labels, fused (Theano's
// CrossentropySoftmaxArgmax1HotWithBias). Inputs: x (n, k) float logits, b (k,) or (1,) bias
// of x's dtype, y (n,) integer labels. Outputs: nll (n,) with nll[i] = logsumexp(z[i]) - z[i,
// y[i]] for z = x + b (computed from the shifted row, so it stays finite for any finite z),
// sm = softmax(z) (n, k), and am = argmax(z, axis=1) (n,) int64. A label outside [-k, k) raises
// IndexError; a negative label counts from the end, as NumPy indexing does, so that the fused
// op computes exactly what -log(softmax(z)[arange(n), y]) does.
class CrossentropySoftmaxArgmax1HotWithBias : public Op {
 public:
  std::string type_name() const override { return "CrossentropySoftmaxArgmax1HotWithBias"; }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  // dx = CrossentropySoftmax1HotWithBiasDx(g_nll, sm, y), plus the softmax gradient of g_sm;
  // db = dx summed over the rows; none for y and from am.
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
};

// The gradient of the fused cross-entropy with respect to its logits: dx[i, j] = dy[i] *
// (sm[i, j] - (j == y[i])). Inputs: dy (n,) or (1,), sm (n, k), y (n,) integer labels (the same
// range rules as the forward op). Differentiable again: d/d dy = sum(g * (sm - onehot(y)),
// axis=1) and d/d sm = g * dy[:, None] (so second derivatives of the cross-entropy work).
class CrossentropySoftmax1HotWithBiasDx : public Op {
 public:
  std::string type_name() const override { return "CrossentropySoftmax1HotWithBiasDx"; }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
};

// The three outputs of the fused op: {nll, sm, am}. A null b is a zero bias.
std::vector<Var> crossentropy_softmax_argmax_1hot_with_bias(const Var& x, const Var& b,
                                                            const Var& y);
Var crossentropy_softmax_1hot_with_bias_dx(const Var& dy, const Var& sm, const Var& y);
// Theano's categorical_crossentropy(coding_dist, true_dist): for integer labels
// -log(coding_dist[arange(n), true_dist]); for a distribution (matrix) true_dist
// -sum(true_dist * log(coding_dist), axis=1). The stabilize rewrites turn the first form over
// a softmax into the fused op.
Var categorical_crossentropy(const Var& coding_dist, const Var& true_dist);

// 1 / (1 + exp(-x)), stable for large |x|.
Var sigmoid(const Var& x);
// log(1 + exp(x)), stable for large |x|.
Var softplus(const Var& x);
// Theano's hard_sigmoid: clip(0.2 * x + 0.5, 0, 1).
Var hard_sigmoid(const Var& x);
// maximum(x, 0) when alpha == 0, else where(x > 0, x, alpha * x) (the dtype follows NumPy with
// alpha as a Python scalar).
Var relu(const Var& x, double alpha = 0.0);
Var relu(const Var& x, const Var& alpha);
// Negative axes count from the end; nullopt: over all elements.
Var softmax(const Var& x, std::optional<int64_t> axis = -1);
Var log_softmax(const Var& x, std::optional<int64_t> axis = -1);

}  // namespace theon
