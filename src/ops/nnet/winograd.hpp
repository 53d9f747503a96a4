// Winograd's minimal filtering F(2x2, 3x3) for the conv ops' 3x3 filters at stride 1: each
// 4x4 tile of the input becomes 16 transformed values, so a 2x2 block of outputs costs 16
// multiplies per channel pair instead of 36, done as 16 gemms over the channels. The forward
// convolution and the input gradient (a correlation of the output gradient with the flipped,
// transposed filters) share one kernel; the filter gradient runs the same algorithm transposed.
#pragma once

#include <cstdint>

#include "conv_detail.hpp"

namespace theon::conv_detail {

// Whether the conv ops take the Winograd kernels for these sizes: 3x3 filters, stride 1, no
// dilation, one group, pads of at most 2 (so that the input gradient's are not negative), and
// at least 4 channels on each side (with fewer, the 16 gemms are too thin: one input channel
// to 16 outputs ran at a third of im2col's speed, 4 to 4 at 1.3 times it).
bool winograd_applies(const Conv2dSpec& spec, const ConvDims& d);

// y (b, k, oh, ow) = the cross-correlation of x (b, c, h, w) with filters (k, c, 3, 3), all
// C-contiguous, at d's pads.
template <class T>
void winograd_forward(const ConvDims& d, const T* x, const T* filters, T* y);

// dx (b, c, h, w) = the gradient of that correlation with respect to x, given gy (b, k, oh, ow).
template <class T>
void winograd_grad_inputs(const ConvDims& d, const T* gy, const T* filters, T* dx);

// dw (k, c, 3, 3) = the gradient of that correlation with respect to the filters (written, not
// accumulated).
template <class T>
void winograd_grad_weights(const ConvDims& d, const T* x, const T* gy, T* dw);

}  // namespace theon::conv_detail
