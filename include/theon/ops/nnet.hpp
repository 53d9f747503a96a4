// C++ API of the nnet op family (see src/ops/nnet.cpp): Theano's tensor.nnet functions.
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
  std::string props() const override;
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
