// Conv2dGradWeights(input, output_grad, filter_hw): the gradient of Conv2d with respect to its
// filters (Theano's conv2d_grad_wrt_weights): per group, the output gradient times the
// transposed im2col matrix, accumulated over the images and bands of output rows by gemm; flipped
// back when the convolution flips its filters.
#include <mutex>
#include <vector>

#include "../shape_util.hpp"
#include "conv_detail.hpp"
#include "theon/core/checked_size.hpp"
#include "theon/core/error.hpp"
#include "theon/core/thread_pool.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/shape.hpp"
#include "theon/runtime/blas.hpp"
#include "winograd.hpp"

namespace theon {
namespace {

using namespace conv_detail;

// dw (k, cg, fh, fw) in correlation orientation. Threads take disjoint images, each summing
// into a buffer of its own, added into dw under a lock at the end.
template <class T>
void conv_grad_weights(const Conv2dSpec& spec, const ConvDims& d, const NDArray& x,
                       const NDArray& gy, NDArray& dw) {
  if (winograd_applies(spec, d)) {
    winograd_grad_weights(d, x.data<T>(), gy.data<T>(), dw.data<T>());
    return;
  }
  const int64_t rows = d.col_rows(), cols = d.col_cols();
  const T* xp = x.data<T>();
  const T* gp = gy.data<T>();
  T* wp = dw.data<T>();
  std::mutex sum_lock;
  parallel_for(d.b, images_per_thread(d), [&](int64_t begin, int64_t end) {
    std::vector<T> col(static_cast<size_t>(band_col_size(d, sizeof(T))));
    std::vector<T> part(static_cast<size_t>(dw.size()), T(0));
    for (int64_t b = begin; b < end; ++b) {
      for (int64_t g = 0; g < d.groups; ++g) {
        const T* grad = gp + (b * d.k + g * d.kg()) * cols;
        for_each_band(d, sizeof(T), [&](RowBand band) {
          im2col(xp + (b * d.c + g * d.cg()) * d.h * d.w, d, spec, band, col.data());
          blas::gemm(x.dtype(), false, true, d.kg(), rows, band.cols(d), grad + band.begin * d.ow,
                     cols, col.data(), band.cols(d), part.data() + g * d.kg() * rows, rows, 1.0,
                     1.0);
        });
      }
    }
    const std::lock_guard<std::mutex> hold(sum_lock);
    for (size_t i = 0; i < part.size(); ++i) wp[i] += part[i];
  });
}

}  // namespace

std::vector<TensorType> Conv2dGradWeights::output_types(const std::vector<Var>& inputs) const {
  if (inputs.size() != 3) {
    throw TypeError(op_error(*this, "expected 3 inputs (input, output_grad, filter_hw), got " +
                                        std::to_string(inputs.size())));
  }
  const TensorType& x = inputs[0]->type;
  const TensorType& gy = inputs[1]->type;
  require_image(*this, x, "the input");
  require_image(*this, gy, "the output gradient");
  require_same_dtype(*this, x, gy);
  const std::array<int64_t, 2> hw = require_hw(*this, inputs[2], "the filter rows/columns");
  int64_t kc = kUnknownDim;
  if (x.shape[1] != kUnknownDim) {
    if (x.shape[1] % spec_.groups != 0) {
      throw ValueError(op_error(*this, "the input's channels " + std::to_string(x.shape[1]) +
                                           " are not divisible by num_groups " +
                                           std::to_string(spec_.groups)));
    }
    kc = x.shape[1] / spec_.groups;
  }
  const StaticShape w{gy.shape[1], kc, hw[0], hw[1]};
  const StaticShape y = static_out_shape(*this, spec_, x.shape, w);
  for (int i = 0; i < 4; ++i) {
    if (i != 1 && y[i] != kUnknownDim && gy.shape[i] != kUnknownDim && y[i] != gy.shape[i]) {
      throw ValueError(op_error(*this, "an input " + x.str() + " and filters of shape " +
                                           static_shape_str(w) + " give an output of shape " +
                                           static_shape_str(y) + ", not the output gradient's " +
                                           gy.str()));
    }
  }
  return {TensorType(x.dtype, w)};
}

void Conv2dGradWeights::perform(const std::vector<NDArray>& inputs,
                                std::vector<NDArray>& outputs) const {
  const NDArray x = contiguous(inputs[0]);
  const NDArray gy = contiguous(inputs[1]);
  const std::array<int64_t, 2> hw = read_hw(*this, inputs[2], "the filter rows/columns");
  if (x.shape(1) % spec_.groups != 0) {
    throw ValueError(op_error(*this, "the input's channels " + std::to_string(x.shape(1)) +
                                         " are not divisible by num_groups " +
                                         std::to_string(spec_.groups)));
  }
  const Shape ws{gy.shape(1), x.shape(1) / spec_.groups, hw[0], hw[1]};
  const ConvDims d = make_dims(*this, spec_, x.shape(), ws);
  if (d.b != gy.shape(0) || d.oh != gy.shape(2) || d.ow != gy.shape(3)) {
    throw ValueError(op_error(*this, "an input of shape " + shape_str(x.shape()) +
                                         " and filters of shape " + shape_str(ws) +
                                         " give an output of " + std::to_string(d.oh) + "x" +
                                         std::to_string(d.ow) + " per image, not the output " +
                                         "gradient's " + shape_str(gy.shape())));
  }
  NDArray dw = NDArray::zeros(x.dtype(), ws);
  if (dw.size() > 0 && d.col_cols() > 0) {
    if (x.dtype() == DType::Float32) {
      conv_grad_weights<float>(spec_, d, x, gy, dw);
    } else {
      conv_grad_weights<double>(spec_, d, x, gy, dw);
    }
  }
  // The convolution flipped the filters: the gradient of the unflipped ones flips back.
  outputs[0] = spec_.filter_flip ? oriented_filters(spec_, dw) : dw;
}

std::vector<Var> Conv2dGradWeights::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                                         const std::vector<Var>& output_grads) const {
  const Var& g = output_grads[0];
  if (!g) return {nullptr, nullptr, nullptr};
  return {conv2d_grad_wrt_inputs(inputs[1], g, spatial_shape(inputs[0]), spec_),
          conv2d(inputs[0], g, spec_), nullptr};
}

std::optional<std::vector<std::vector<Var>>> Conv2dGradWeights::infer_shape(
    const std::vector<Var>& inputs, const std::vector<std::vector<Var>>& shapes) const {
  return std::vector<std::vector<Var>>{{shapes[1][1],
                                        floor_divide(shapes[0][1], int64_const(spec_.groups)),
                                        vector_entry(inputs[2], 0), vector_entry(inputs[2], 1)}};
}

Var conv2d_grad_wrt_weights(const Var& input, const Var& output_grad, const Var& filter_hw,
                            const Conv2dSpec& spec) {
  const DType dt = promote(input->type.dtype, output_grad->type.dtype);
  const Var x = is_float(dt) && input->type.dtype != dt ? cast(input, dt) : input;
  const Var gy =
      is_float(dt) && output_grad->type.dtype != dt ? cast(output_grad, dt) : output_grad;
  return make_node1(std::make_shared<Conv2dGradWeights>(spec), {x, gy, filter_hw});
}

THEON_OP_FILE(conv2d_grad_weights) {
  register_op_factory("Conv2dGradWeights", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Conv2dGradWeights>(Conv2dSpec::read(f));
  });
  register_builder("conv2d_grad_wrt_weights", 3, 3,
                   [](const std::vector<Var>& in, const Params& p) {
                     return std::vector<Var>{conv2d_grad_wrt_weights(
                         in[0], in[1], in[2], spec_from_params("conv2d_grad_wrt_weights", p))};
                   });
}

}  // namespace theon
