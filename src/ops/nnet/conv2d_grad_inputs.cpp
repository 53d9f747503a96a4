// Conv2dGradInputs(output_grad, filters, input_hw): the gradient of Conv2d with respect to its
// input (Theano's conv2d_grad_wrt_inputs, the transposed convolution): per image and group, a
// gemm of the transposed filters by the output gradient gives the im2col matrix's gradient, a
// band of output rows at a time, which col2im scatters back onto the image.
#include <vector>

#include "../shape_util.hpp"
#include "conv_detail.hpp"
#include "theon/core/checked_size.hpp"
#include "theon/core/error.hpp"
#include "theon/core/thread_pool.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/shape.hpp"
#include "theon/runtime/blas.hpp"
#include "winograd.hpp"

namespace theon {
namespace {

using namespace conv_detail;

template <class T>
void conv_grad_inputs(const Conv2dSpec& spec, const ConvDims& d, const NDArray& gy,
                      const NDArray& w, NDArray& dx) {
  if (winograd_applies(spec, d)) {
    winograd_grad_inputs(d, gy.data<T>(), w.data<T>(), dx.data<T>());
    return;
  }
  const int64_t rows = d.col_rows(), cols = d.col_cols();
  const T* gp = gy.data<T>();
  const T* wp = w.data<T>();
  T* xp = dx.data<T>();
  parallel_for(d.b, images_per_thread(d), [&](int64_t begin, int64_t end) {
    std::vector<T> col(static_cast<size_t>(band_col_size(d, sizeof(T))));
    for (int64_t b = begin; b < end; ++b) {
      for (int64_t g = 0; g < d.groups; ++g) {
        const T* grad = gp + (b * d.k + g * d.kg()) * cols;
        for_each_band(d, sizeof(T), [&](RowBand band) {
          blas::gemm(gy.dtype(), true, false, rows, band.cols(d), d.kg(), wp + g * d.kg() * rows,
                     rows, grad + band.begin * d.ow, cols, col.data(), band.cols(d));
          col2im(col.data(), d, spec, band, xp + (b * d.c + g * d.cg()) * d.h * d.w);
        });
      }
    }
  });
}

// The static input shape: batch from output_grad, channels from the filters, rows/cols given.
StaticShape input_static_shape(const Conv2dSpec& spec, const TensorType& gy, const TensorType& w,
                               const std::array<int64_t, 2>& hw) {
  const int64_t kc = w.shape[1];
  return {gy.shape[0], kc == kUnknownDim ? kUnknownDim : kc * spec.groups, hw[0], hw[1]};
}

}  // namespace

std::vector<TensorType> Conv2dGradInputs::output_types(const std::vector<Var>& inputs) const {
  if (inputs.size() != 3) {
    throw TypeError(op_error(*this, "expected 3 inputs (output_grad, filters, input_hw), got " +
                                        std::to_string(inputs.size())));
  }
  const TensorType& gy = inputs[0]->type;
  const TensorType& w = inputs[1]->type;
  require_image(*this, gy, "the output gradient");
  require_image(*this, w, "the filters");
  require_same_dtype(*this, gy, w);
  const std::array<int64_t, 2> hw = require_hw(*this, inputs[2], "the input rows/columns");
  if (w.shape[1] != kUnknownDim && !checked_mul(w.shape[1], spec_.groups)) {
    throw ValueError(op_error(*this, "the number of input channels overflows"));
  }
  const StaticShape x = input_static_shape(spec_, gy, w, hw);
  const StaticShape y = static_out_shape(*this, spec_, x, w.shape);
  for (int i = 1; i < 4; ++i) {
    if (y[i] != kUnknownDim && gy.shape[i] != kUnknownDim && y[i] != gy.shape[i]) {
      throw ValueError(op_error(*this, "an input of shape " + static_shape_str(x) +
                                           " and filters " + static_shape_str(w.shape) +
                                           " give an output of shape " + static_shape_str(y) +
                                           ", not the output gradient's " + gy.str()));
    }
  }
  return {TensorType(gy.dtype, x)};
}

void Conv2dGradInputs::perform(const std::vector<NDArray>& inputs,
                               std::vector<NDArray>& outputs) const {
  const NDArray gy = contiguous(inputs[0]);
  const NDArray w = oriented_filters(spec_, inputs[1]);
  const std::array<int64_t, 2> hw = read_hw(*this, inputs[2], "the input rows/columns");
  const auto c = checked_mul(w.shape(1), spec_.groups);
  if (!c) throw ValueError(op_error(*this, "the number of input channels overflows"));
  const Shape xs{gy.shape(0), *c, hw[0], hw[1]};
  const ConvDims d = make_dims(*this, spec_, xs, w.shape());
  if (d.k != gy.shape(1) || d.oh != gy.shape(2) || d.ow != gy.shape(3)) {
    throw ValueError(op_error(*this, "an input of shape " + shape_str(xs) + " and filters " +
                                         shape_str(w.shape()) + " give an output of shape (" +
                                         std::to_string(d.b) + ", " + std::to_string(d.k) + ", " +
                                         std::to_string(d.oh) + ", " + std::to_string(d.ow) +
                                         "), not the output gradient's " + shape_str(gy.shape())));
  }
  NDArray& dx = outputs[0];
  dx = NDArray::zeros(gy.dtype(), xs);
  if (dx.size() == 0 || gy.size() == 0) return;
  if (gy.dtype() == DType::Float32) {
    conv_grad_inputs<float>(spec_, d, gy, w, dx);
  } else {
    conv_grad_inputs<double>(spec_, d, gy, w, dx);
  }
}

std::vector<Var> Conv2dGradInputs::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                                        const std::vector<Var>& output_grads) const {
  const Var& g = output_grads[0];
  if (!g) return {nullptr, nullptr, nullptr};
  return {conv2d(g, inputs[1], spec_),
          conv2d_grad_wrt_weights(g, inputs[0], spatial_shape(inputs[1]), spec_), nullptr};
}

std::optional<std::vector<std::vector<Var>>> Conv2dGradInputs::infer_shape(
    const std::vector<Var>& inputs, const std::vector<std::vector<Var>>& shapes) const {
  return std::vector<std::vector<Var>>{{shapes[0][0],
                                        dims_product({shapes[1][1], int64_const(spec_.groups)}),
                                        vector_entry(inputs[2], 0), vector_entry(inputs[2], 1)}};
}

Var conv2d_grad_wrt_inputs(const Var& output_grad, const Var& filters, const Var& input_hw,
                           const Conv2dSpec& spec) {
  const DType dt = promote(output_grad->type.dtype, filters->type.dtype);
  const Var gy =
      is_float(dt) && output_grad->type.dtype != dt ? cast(output_grad, dt) : output_grad;
  const Var w = is_float(dt) && filters->type.dtype != dt ? cast(filters, dt) : filters;
  return make_node1(std::make_shared<Conv2dGradInputs>(spec), {gy, w, input_hw});
}

THEON_OP_FILE(conv2d_grad_inputs) {
  register_op_factory("Conv2dGradInputs", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Conv2dGradInputs>(Conv2dSpec::read(f));
  });
  register_builder("conv2d_grad_wrt_inputs", 3, 3, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{
        conv2d_grad_wrt_inputs(in[0], in[1], in[2], spec_from_params("conv2d_grad_wrt_inputs", p))};
  });
}

}  // namespace theon
