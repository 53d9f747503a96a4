// Internal helpers of the conv ops (src/ops/nnet/conv2d*.cpp): type checks, the geometry of one
// call, im2col/col2im and the symbolic output sizes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "theon/core/ndarray.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/conv.hpp"

namespace theon::conv_detail {

// The spec of a builder's params: border_mode ('valid', 'full', 'half' or 'pad' with pad =
// (rows, cols)), subsample, filter_dilation, num_groups, filter_flip; `who` names the builder
// in errors.
Conv2dSpec spec_from_params(const std::string& who, const Params& p);
// Throws TypeError naming `op` unless t is a 4-d float32/float64 array type; `what` names it.
void require_image(const Op& op, const TensorType& t, const std::string& what);
// Throws TypeError naming `op` unless a and b have the same dtype.
void require_same_dtype(const Op& op, const TensorType& a, const TensorType& b);
// Throws TypeError naming `op` unless t is an integer vector of length 2 (a rows/cols pair);
// returns its static entries (kUnknownDim where unknown).
std::array<int64_t, 2> require_hw(const Op& op, const Var& v, const std::string& what);
// The (rows, cols) entries of an int vector at run time, checked non-negative.
std::array<int64_t, 2> read_hw(const Op& op, const NDArray& a, const std::string& what);

// Sizes of one convolution: input (b, c, h, w), filters (k, c / groups, fh, fw), output
// (b, k, oh, ow), one-side pads ph, pw.
struct ConvDims {
  int64_t b, c, h, w, k, fh, fw, oh, ow, ph, pw, groups;
  int64_t cg() const { return c / groups; }
  int64_t kg() const { return k / groups; }
  // Rows of the im2col matrix (cg * fh * fw) and its columns (oh * ow), overflow-checked.
  int64_t col_rows() const;
  int64_t col_cols() const;
};

// Checks that the channels agree (input c == groups * filter channels, k divisible by groups)
// and computes the output size; ValueError naming `op` with both shapes otherwise. `c` is the
// input's channels, `kc` the filters' (c / groups).
ConvDims make_dims(const Op& op, const Conv2dSpec& spec, const Shape& input, const Shape& filters);
// The static output shape, kUnknownDim where an input dimension is unknown; the same checks
// as make_dims where the dimensions are known.
StaticShape static_out_shape(const Op& op, const Conv2dSpec& spec, const StaticShape& input,
                             const StaticShape& filters);
// The symbolic output size along axis (int64 scalar) from the input and filter sizes.
Var sym_out_size(const Conv2dSpec& spec, int axis, const Var& in, const Var& filter);
// MakeVector of x's last two dimensions.
Var spatial_shape(const Var& x);

// The fewest images a thread takes in a kernel split over the batch: enough that each
// thread's share outweighs waking it (a batch of large images then runs on one thread, each
// im2col splitting across threads instead and each gemm using BLAS's own).
int64_t images_per_thread(const ConvDims& d);

// A C-contiguous array of `dtype` holding a's values (a itself where it already is one).
NDArray contiguous(const NDArray& a);
// The filters reversed along their last two axes (C-contiguous), or the filters as they are
// (contiguous) when the spec does not flip.
NDArray oriented_filters(const Conv2dSpec& spec, const NDArray& filters);

// A band of output rows [begin, end): the ops build the im2col matrix one band at a time, so
// that it stays in cache between its writing and the gemm reading it (a whole image's matrix
// is fh * fw times the image, 115 MB for VGG's conv1_2).
struct RowBand {
  int64_t begin, end;
  // Columns of the band's im2col matrix: its output rows times the output's columns.
  int64_t cols(const ConvDims& d) const { return (end - begin) * d.ow; }
};
// Output rows per band for elements of `elem_size` bytes: as many as keep the band's im2col
// matrix within a cache-sized budget, at least one.
int64_t band_rows(const ConvDims& d, size_t elem_size);
// Elements of one band's im2col matrix, overflow-checked.
int64_t band_col_size(const ConvDims& d, size_t elem_size);
// Runs body(band) for consecutive bands covering the output rows.
template <class Body>
void for_each_band(const ConvDims& d, size_t elem_size, Body&& body) {
  const int64_t step = band_rows(d, elem_size);
  for (int64_t begin = 0; begin < d.oh; begin += step) {
    body(RowBand{begin, std::min(d.oh, begin + step)});
  }
}

// col (cg * fh * fw, band.cols) = the patches of x (cg, h, w) under the band's output rows,
// zeros where they overlap the pad.
template <class T>
void im2col(const T* x, const ConvDims& d, const Conv2dSpec& spec, RowBand band, T* col);
// x (cg, h, w) += the band's patches of col scattered back (the transpose of im2col).
template <class T>
void col2im(const T* col, const ConvDims& d, const Conv2dSpec& spec, RowBand band, T* x);

}  // namespace theon::conv_detail
