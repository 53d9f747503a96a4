// C++ API of 2-d pooling (op files src/ops/nnet/pool*.cpp, max_pool_grad_grad.cpp): Theano's
// Pool over the last two axes of an array of at least 2 dimensions, and its gradients.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "theon/graph/op.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/variable.hpp"

namespace theon {

enum class PoolMode : int8_t { Max = 0, Sum = 1, AverageIncPad = 2, AverageExcPad = 3 };

struct PoolSpec {
  std::array<int64_t, 2> ws{2, 2};
  std::array<int64_t, 2> stride{2, 2};
  std::array<int64_t, 2> pad{0, 0};
  bool ignore_border = true;
  PoolMode mode = PoolMode::Max;

  // Checks Theano's rules (ws and stride at least 1, 0 <= pad < ws, pad only with
  // ignore_border) and the mode name; ValueError naming `who` otherwise.
  static PoolSpec make(const std::string& who, const std::vector<int64_t>& ws,
                       const std::vector<int64_t>& stride, const std::vector<int64_t>& pad,
                       bool ignore_border, const std::string& mode);
  static PoolSpec read(const PropReader& f);
  Props fields() const;
  // Theano's output size along axis (0: rows, 1: columns) for an input of `in` elements:
  // ignore_border drops windows that overhang the (padded) input, otherwise the last partial
  // window is kept.
  int64_t out_size(int axis, int64_t in) const;
};

// Pool(x): max, sum or average over each window.
class Pool : public Op {
 public:
  explicit Pool(PoolSpec spec) : spec_(spec) {}
  std::string type_name() const override { return "Pool"; }
  Props fields() const override { return spec_.fields(); }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  // Max: MaxPoolGrad(x, y, g); the other modes: AveragePoolGrad(x, g).
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;

 private:
  PoolSpec spec_;
};

// MaxPoolGrad(x, maxout, gz): gx where every element of a window equal to the window's maximum
// receives the window's gradient (summed over the windows it belongs to).
class MaxPoolGrad : public Op {
 public:
  explicit MaxPoolGrad(PoolSpec spec) : spec_(spec) {}
  std::string type_name() const override { return "MaxPoolGrad"; }
  Props fields() const override { return spec_.fields(); }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  // Linear in gz, with MaxPoolGradGrad as its transpose; piecewise constant in x and maxout.
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;

 private:
  PoolSpec spec_;
};

// AveragePoolGrad(x, gz) for the sum and average modes: each window's gradient spread over
// its elements (divided by the window's count for the averages). x gives only the shape.
class AveragePoolGrad : public Op {
 public:
  explicit AveragePoolGrad(PoolSpec spec) : spec_(spec) {}
  std::string type_name() const override { return "AveragePoolGrad"; }
  Props fields() const override { return spec_.fields(); }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  // Linear in gz, with Pool of the same mode as its transpose.
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;

 private:
  PoolSpec spec_;
};

// MaxPoolGradGrad(x, maxout, ggx): the transpose of MaxPoolGrad in its gradient: for each
// window, the sum of ggx over the elements equal to the window's maximum.
class MaxPoolGradGrad : public Op {
 public:
  explicit MaxPoolGradGrad(PoolSpec spec) : spec_(spec) {}
  std::string type_name() const override { return "MaxPoolGradGrad"; }
  Props fields() const override { return spec_.fields(); }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;

 private:
  PoolSpec spec_;
};

Var pool_2d(const Var& x, const PoolSpec& spec);
Var max_pool_grad(const Var& x, const Var& maxout, const Var& gz, const PoolSpec& spec);
Var average_pool_grad(const Var& x, const Var& gz, const PoolSpec& spec);
Var max_pool_grad_grad(const Var& x, const Var& maxout, const Var& ggx, const PoolSpec& spec);

}  // namespace theon
