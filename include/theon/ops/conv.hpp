// C++ API of 2-d convolution (op files src/ops/nnet/conv2d*.cpp): Theano's abstract conv2d and
// its two gradients, on (batch, channels, rows, columns) images and (out channels, in channels /
// groups, rows, columns) filters.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "theon/graph/op.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/variable.hpp"

namespace theon {

// How the input is padded: by explicit amounts, or Theano's 'full' (by the dilated filter size
// minus one, every overlap) or 'half' (by half the dilated filter size, an odd one, so that
// the output keeps the input's size at stride 1).
enum class ConvBorder : int8_t { Explicit = 0, Full = 1, Half = 2 };

// The geometry every conv op shares.
struct Conv2dSpec {
  ConvBorder border = ConvBorder::Explicit;
  std::array<int64_t, 2> pad{0, 0};  // used when border is Explicit
  std::array<int64_t, 2> stride{1, 1};
  std::array<int64_t, 2> dilation{1, 1};
  int64_t groups = 1;
  // Theano's conv2d flips the filters (a true convolution); false: cross-correlation.
  bool filter_flip = true;

  // Parses Theano's border_mode: "valid", "full", "half", or explicit (rows, cols) pads;
  // checks every field (ValueError naming `who` otherwise).
  static Conv2dSpec make(const std::string& who, const std::string& border_mode,
                         const std::vector<int64_t>& pad, const std::vector<int64_t>& subsample,
                         const std::vector<int64_t>& dilation, int64_t groups, bool filter_flip);
  static Conv2dSpec read(const PropReader& f);
  Props fields() const;
  // (d - 1) * dilation + 1 for a filter of size d along axis (0: rows, 1: columns).
  int64_t dilated(int axis, int64_t filter) const;
  // The padding of one side along axis for a filter of size `filter`.
  int64_t pad_for(int axis, int64_t filter) const;
  // The output size along axis; ValueError naming `op` where the padded input is smaller than
  // the dilated filter or an even dilated filter meets 'half'.
  int64_t out_size(const Op& op, int axis, int64_t in, int64_t filter) const;
};

// Conv2d(input, filters): the output (b, k, oh, ow).
class Conv2d : public Op {
 public:
  explicit Conv2d(Conv2dSpec spec) : spec_(spec) {}
  const Conv2dSpec& spec() const { return spec_; }
  std::string type_name() const override { return "Conv2d"; }
  Props fields() const override { return spec_.fields(); }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  // d input = Conv2dGradInputs(g, filters, input rows/cols); d filters = Conv2dGradWeights(
  // input, g, filter rows/cols).
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;

 private:
  Conv2dSpec spec_;
};

// Conv2dGradInputs(output_grad, filters, input_hw): the gradient of Conv2d with respect to its
// input (the transposed convolution), an image of input_hw = (rows, cols) (an int vector).
class Conv2dGradInputs : public Op {
 public:
  explicit Conv2dGradInputs(Conv2dSpec spec) : spec_(spec) {}
  std::string type_name() const override { return "Conv2dGradInputs"; }
  Props fields() const override { return spec_.fields(); }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  // Linear in output_grad and filters: d output_grad = Conv2d(g, filters); d filters =
  // Conv2dGradWeights(g, output_grad, filter rows/cols).
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;

 private:
  Conv2dSpec spec_;
};

// Conv2dGradWeights(input, output_grad, filter_hw): the gradient of Conv2d with respect to its
// filters, of filter_hw = (rows, cols) (an int vector).
class Conv2dGradWeights : public Op {
 public:
  explicit Conv2dGradWeights(Conv2dSpec spec) : spec_(spec) {}
  std::string type_name() const override { return "Conv2dGradWeights"; }
  Props fields() const override { return spec_.fields(); }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  // Linear in input and output_grad: d input = Conv2dGradInputs(output_grad, g, input
  // rows/cols); d output_grad = Conv2d(input, g).
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;

 private:
  Conv2dSpec spec_;
};

// The builders cast both arrays to their common float dtype first.
Var conv2d(const Var& input, const Var& filters, const Conv2dSpec& spec);
Var conv2d_grad_wrt_inputs(const Var& output_grad, const Var& filters, const Var& input_hw,
                           const Conv2dSpec& spec);
Var conv2d_grad_wrt_weights(const Var& input, const Var& output_grad, const Var& filter_hw,
                            const Conv2dSpec& spec);

}  // namespace theon
