// Conv2d(input, filters): Theano's 2-d convolution (or cross-correlation without filter_flip)
// with padding, strides, dilation and groups, computed per image and group as one BLAS gemm of
// the filters by the im2col matrix of the image, built a band of output rows at a time; its
// gradients and the C++ API conv2d.
#include <vector>

#include "conv_detail.hpp"
#include "theon/core/error.hpp"
#include "theon/core/thread_pool.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/runtime/blas.hpp"
#include "winograd.hpp"

namespace theon {
namespace {

using namespace conv_detail;

template <class T>
void conv_forward(const Conv2dSpec& spec, const ConvDims& d, const NDArray& x, const NDArray& w,
                  NDArray& y) {
  if (winograd_applies(spec, d)) {
    winograd_forward(d, x.data<T>(), w.data<T>(), y.data<T>());
    return;
  }
  const int64_t rows = d.col_rows(), cols = d.col_cols();
  // A 1x1 filter at stride 1 without padding reads the image itself as the im2col matrix.
  const bool direct = d.fh == 1 && d.fw == 1 && d.ph == 0 && d.pw == 0 && d.oh == d.h &&
                      d.ow == d.w && spec.stride[0] == 1 && spec.stride[1] == 1;
  const T* xp = x.data<T>();
  const T* wp = w.data<T>();
  T* yp = y.data<T>();
  parallel_for(d.b, images_per_thread(d), [&](int64_t begin, int64_t end) {
    std::vector<T> col(direct ? 0 : static_cast<size_t>(band_col_size(d, sizeof(T))));
    for (int64_t b = begin; b < end; ++b) {
      for (int64_t g = 0; g < d.groups; ++g) {
        const T* image = xp + (b * d.c + g * d.cg()) * d.h * d.w;
        const T* filters = wp + g * d.kg() * rows;
        T* out = yp + (b * d.k + g * d.kg()) * cols;
        if (direct) {
          blas::gemm(x.dtype(), false, false, d.kg(), cols, rows, filters, rows, image, cols, out,
                     cols);
          continue;
        }
        for_each_band(d, sizeof(T), [&](RowBand band) {
          im2col(image, d, spec, band, col.data());
          blas::gemm(x.dtype(), false, false, d.kg(), band.cols(d), rows, filters, rows, col.data(),
                     band.cols(d), out + band.begin * d.ow, cols);
        });
      }
    }
  });
}

}  // namespace

std::vector<TensorType> Conv2d::output_types(const std::vector<Var>& inputs) const {
  if (inputs.size() != 2) {
    throw TypeError(op_error(
        *this, "expected 2 inputs (input, filters), got " + std::to_string(inputs.size())));
  }
  const TensorType& x = inputs[0]->type;
  const TensorType& w = inputs[1]->type;
  require_image(*this, x, "the input");
  require_image(*this, w, "the filters");
  require_same_dtype(*this, x, w);
  return {TensorType(x.dtype, static_out_shape(*this, spec_, x.shape, w.shape))};
}

void Conv2d::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray x = contiguous(inputs[0]);
  const NDArray w = oriented_filters(spec_, inputs[1]);
  const ConvDims d = make_dims(*this, spec_, x.shape(), w.shape());
  NDArray& y = reuse_or_empty(outputs[0], x.dtype(), {d.b, d.k, d.oh, d.ow});
  if (d.col_rows() == 0) {  // no input channel: every output is an empty sum
    y = NDArray::zeros(x.dtype(), y.shape());
    return;
  }
  if (y.size() == 0) return;
  if (x.dtype() == DType::Float32) {
    conv_forward<float>(spec_, d, x, w, y);
  } else {
    conv_forward<double>(spec_, d, x, w, y);
  }
}

std::vector<Var> Conv2d::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                              const std::vector<Var>& output_grads) const {
  const Var& g = output_grads[0];
  if (!g) return {nullptr, nullptr};
  return {conv2d_grad_wrt_inputs(g, inputs[1], spatial_shape(inputs[0]), spec_),
          conv2d_grad_wrt_weights(inputs[0], g, spatial_shape(inputs[1]), spec_)};
}

std::optional<std::vector<std::vector<Var>>> Conv2d::infer_shape(
    const std::vector<Var>&, const std::vector<std::vector<Var>>& shapes) const {
  const std::vector<Var>& x = shapes[0];
  const std::vector<Var>& w = shapes[1];
  return std::vector<std::vector<Var>>{
      {x[0], w[0], sym_out_size(spec_, 0, x[2], w[2]), sym_out_size(spec_, 1, x[3], w[3])}};
}

Var conv2d(const Var& input, const Var& filters, const Conv2dSpec& spec) {
  const DType dt = promote(input->type.dtype, filters->type.dtype);
  const Var x = is_float(dt) && input->type.dtype != dt ? cast(input, dt) : input;
  const Var w = is_float(dt) && filters->type.dtype != dt ? cast(filters, dt) : filters;
  return make_node1(std::make_shared<Conv2d>(spec), {x, w});
}

THEON_OP_FILE(conv2d) {
  register_op_factory("Conv2d", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Conv2d>(Conv2dSpec::read(f));
  });
  register_builder("conv2d", 2, 2, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{conv2d(in[0], in[1], spec_from_params("conv2d", p))};
  });
}

}  // namespace theon
