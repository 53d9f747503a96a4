// The geometry shared by the conv ops (Conv2dSpec), their type checks, im2col and col2im.
#include "conv_detail.hpp"

#include <algorithm>
#include <functional>
#include <limits>

#include "../shape_util.hpp"
#include "theon/core/checked_size.hpp"
#include "theon/core/error.hpp"
#include "theon/core/thread_pool.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/shape.hpp"

namespace theon {
namespace {

const char* border_name(ConvBorder b) {
  switch (b) {
    case ConvBorder::Full:
      return "full";
    case ConvBorder::Half:
      return "half";
    case ConvBorder::Explicit:
      break;
  }
  return "pad";
}

std::array<int64_t, 2> pair_of(const std::string& who, const std::string& what,
                               const std::vector<int64_t>& v, int64_t min) {
  if (v.size() != 2) {
    throw ValueError(who + ": " + what + " must have 2 entries (rows, columns), got " +
                     ints_str(v));
  }
  for (int64_t x : v) {
    if (x < min) {
      throw ValueError(who + ": " + what + " must be at least " + std::to_string(min) + ", got " +
                       ints_str(v));
    }
  }
  return {v[0], v[1]};
}

}  // namespace

Conv2dSpec Conv2dSpec::make(const std::string& who, const std::string& border_mode,
                            const std::vector<int64_t>& pad, const std::vector<int64_t>& subsample,
                            const std::vector<int64_t>& dilation, int64_t groups,
                            bool filter_flip) {
  Conv2dSpec s;
  if (border_mode == "full") {
    s.border = ConvBorder::Full;
  } else if (border_mode == "half") {
    s.border = ConvBorder::Half;
  } else if (border_mode == "valid") {
    s.pad = {0, 0};
  } else if (border_mode == "pad") {
    s.pad = pair_of(who, "the padding", pad, 0);
  } else {
    throw ValueError(who + ": border_mode must be 'valid', 'full', 'half', an int or a pair of " +
                     "ints, got '" + border_mode + "'");
  }
  s.stride = pair_of(who, "subsample (the stride)", subsample, 1);
  s.dilation = pair_of(who, "filter_dilation", dilation, 1);
  if (groups < 1) {
    throw ValueError(who + ": num_groups must be at least 1, got " + std::to_string(groups));
  }
  s.groups = groups;
  s.filter_flip = filter_flip;
  return s;
}

Conv2dSpec Conv2dSpec::read(const PropReader& f) {
  return make("Conv2d", f.get_string("border_mode"), f.get_ints("pad"), f.get_ints("subsample"),
              f.get_ints("filter_dilation"), f.get_int("num_groups"), f.get_bool("filter_flip"));
}

Props Conv2dSpec::fields() const {
  // Explicit zero padding prints as Theano's 'valid'.
  const bool valid = border == ConvBorder::Explicit && pad[0] == 0 && pad[1] == 0;
  return {{"border_mode", PropValue::string(valid ? "valid" : border_name(border))},
          {"pad", PropValue::ints({pad[0], pad[1]})},
          {"subsample", PropValue::ints({stride[0], stride[1]})},
          {"filter_dilation", PropValue::ints({dilation[0], dilation[1]})},
          {"num_groups", PropValue::integer(groups)},
          {"filter_flip", PropValue::boolean(filter_flip)}};
}

int64_t Conv2dSpec::dilated(int axis, int64_t filter) const {
  if (filter == 0) return 0;
  auto span = checked_mul(filter - 1, dilation[axis]);
  if (span) span = checked_add(*span, 1);
  if (!span) throw ValueError("conv2d: the dilated filter size overflows");
  return *span;
}

int64_t Conv2dSpec::pad_for(int axis, int64_t filter) const {
  switch (border) {
    case ConvBorder::Full:
      return filter == 0 ? 0 : dilated(axis, filter) - 1;
    case ConvBorder::Half:
      return dilated(axis, filter) / 2;
    case ConvBorder::Explicit:
      break;
  }
  return pad[axis];
}

int64_t Conv2dSpec::out_size(const Op& op, int axis, int64_t in, int64_t filter) const {
  const char* dim = axis == 0 ? "rows" : "columns";
  if (filter == 0) {
    throw ValueError(op_error(op, std::string("the filters have 0 ") + dim));
  }
  const int64_t span = dilated(axis, filter);
  if (border == ConvBorder::Half && span % 2 == 0) {
    throw ValueError(op_error(op, std::string("border_mode='half' needs an odd (dilated) filter "
                                              "size, got ") +
                                      std::to_string(span) + " " + dim));
  }
  auto padded = checked_mul(pad_for(axis, filter), 2);
  if (padded) padded = checked_add(in, *padded);
  if (!padded) throw ValueError(op_error(op, "the padded input size overflows"));
  if (*padded < span) {
    throw ValueError(op_error(op, std::string("the (padded) input has ") + std::to_string(*padded) +
                                      " " + dim + ", fewer than the (dilated) filter's " +
                                      std::to_string(span)));
  }
  return (*padded - span) / stride[axis] + 1;
}

namespace conv_detail {

Conv2dSpec spec_from_params(const std::string& who, const Params& p) {
  using Ints = std::vector<int64_t>;
  return Conv2dSpec::make(who, p.get_string("border_mode", "valid"),
                          p.get_optional_ints("pad").value_or(Ints{0, 0}),
                          p.get_optional_ints("subsample").value_or(Ints{1, 1}),
                          p.get_optional_ints("filter_dilation").value_or(Ints{1, 1}),
                          p.get_int("num_groups", 1), p.get_bool("filter_flip", true));
}

void require_image(const Op& op, const TensorType& t, const std::string& what) {
  if (t.ndim() != 4) {
    throw TypeError(op_error(op, "expected " + what + " with 4 dimensions, got " + t.str()));
  }
  if (t.dtype != DType::Float32 && t.dtype != DType::Float64) {
    throw TypeError(op_error(op, "expected " + what + " of float32 or float64, got " + t.str()));
  }
}

void require_same_dtype(const Op& op, const TensorType& a, const TensorType& b) {
  if (a.dtype != b.dtype) {
    throw TypeError(
        op_error(op, "expected arrays of one dtype, got " + a.str() + " and " + b.str()));
  }
}

std::array<int64_t, 2> require_hw(const Op& op, const Var& v, const std::string& what) {
  const TensorType& t = v->type;
  if (!is_integer(t.dtype) || t.ndim() != 1 || (t.shape[0] != 2 && t.shape[0] != kUnknownDim)) {
    throw TypeError(op_error(op, "expected " + what + " as an integer vector of 2 entries " +
                                     "(rows, columns), got " + t.str()));
  }
  std::array<int64_t, 2> out{kUnknownDim, kUnknownDim};
  if (auto vals = static_int_vector(v); vals && vals->size() == 2) {
    for (int i = 0; i < 2; ++i) {
      if ((*vals)[i]) out[i] = *(*vals)[i];
      if (out[i] < kUnknownDim) {
        throw ValueError(
            op_error(op, what + " must be non-negative, got " + std::to_string(out[i])));
      }
    }
  }
  return out;
}

std::array<int64_t, 2> read_hw(const Op& op, const NDArray& a, const std::string& what) {
  const std::vector<int64_t> v = read_int_vector(a);
  if (v.size() != 2 || v[0] < 0 || v[1] < 0) {
    throw ValueError(
        op_error(op, "expected " + what + " as 2 non-negative sizes, got " + ints_str(v)));
  }
  return {v[0], v[1]};
}

int64_t ConvDims::col_rows() const {
  return checked_size({cg(), fh, fw}, "conv2d: the im2col buffer");
}

int64_t ConvDims::col_cols() const {
  return checked_size({oh, ow}, "conv2d: the im2col buffer");
}

ConvDims make_dims(const Op& op, const Conv2dSpec& spec, const Shape& input, const Shape& filters) {
  StaticShape out = static_out_shape(op, spec, input, filters);
  ConvDims d{};
  d.b = input[0];
  d.c = input[1];
  d.h = input[2];
  d.w = input[3];
  d.k = filters[0];
  d.fh = filters[2];
  d.fw = filters[3];
  d.oh = out[2];
  d.ow = out[3];
  d.ph = spec.pad_for(0, d.fh);
  d.pw = spec.pad_for(1, d.fw);
  d.groups = spec.groups;
  return d;
}

StaticShape static_out_shape(const Op& op, const Conv2dSpec& spec, const StaticShape& input,
                             const StaticShape& filters) {
  const int64_t c = input[1], kc = filters[1], k = filters[0];
  auto mismatch = [&](const std::string& why) {
    return ValueError(op_error(op, why + ": input " + static_shape_str(input) + ", filters " +
                                       static_shape_str(filters) + ", num_groups " +
                                       std::to_string(spec.groups)));
  };
  if (c != kUnknownDim && kc != kUnknownDim) {
    auto want = checked_mul(kc, spec.groups);
    if (!want || *want != c) {
      throw mismatch("the input's channels must equal the filters' channels times num_groups");
    }
  }
  if (k != kUnknownDim && k % spec.groups != 0) {
    throw mismatch("the number of filters must be divisible by num_groups");
  }
  StaticShape out{input[0], k, kUnknownDim, kUnknownDim};
  for (int axis = 0; axis < 2; ++axis) {
    const int64_t in = input[2 + axis], f = filters[2 + axis];
    if (in != kUnknownDim && f != kUnknownDim) out[2 + axis] = spec.out_size(op, axis, in, f);
  }
  return out;
}

Var sym_out_size(const Conv2dSpec& spec, int axis, const Var& in, const Var& filter) {
  // (in + 2 pad - span) // stride + 1, span = (filter - 1) * dilation + 1.
  const Var span =
      add(mul(sub(filter, int64_const(1)), int64_const(spec.dilation[axis])), int64_const(1));
  Var pad;
  switch (spec.border) {
    case ConvBorder::Full:
      pad = sub(span, int64_const(1));
      break;
    case ConvBorder::Half:
      pad = floor_divide(span, int64_const(2));
      break;
    case ConvBorder::Explicit:
      pad = int64_const(spec.pad[axis]);
      break;
  }
  const Var padded = add(in, mul(pad, int64_const(2)));
  return add(floor_divide(sub(padded, span), int64_const(spec.stride[axis])), int64_const(1));
}

Var spatial_shape(const Var& x) {
  return make_vector({shape_i(x, 2), shape_i(x, 3)}, DType::Int64);
}

int64_t images_per_thread(const ConvDims& d) {
  constexpr int64_t kSmall = int64_t{1} << 22;  // multiply-adds per image
  const auto per_image = checked_size({d.col_rows(), d.col_cols(), d.k}, "conv2d");
  if (per_image >= kSmall) return std::numeric_limits<int64_t>::max();
  return std::max<int64_t>(1, kSmall / std::max<int64_t>(1, per_image));
}

NDArray contiguous(const NDArray& a) {
  return a.is_c_contiguous() ? a : a.copy();
}

NDArray oriented_filters(const Conv2dSpec& spec, const NDArray& filters) {
  if (!spec.filter_flip) return contiguous(filters);
  const int64_t fh = filters.shape(2), fw = filters.shape(3);
  Strides st = filters.strides();
  char* data = filters.raw();
  if (fh > 0 && fw > 0) data += (fh - 1) * st[2] + (fw - 1) * st[3];
  st[2] = -st[2];
  st[3] = -st[3];
  return filters.view(data, filters.shape(), st).copy();
}

namespace {

// Runs body(c) for every input channel of a group, split across threads when the channels
// carry enough work (each channel touches its own rows of col and its own plane of x).
void for_each_channel(const ConvDims& d, RowBand band, const std::function<void(int64_t)>& body) {
  const int64_t per_channel = std::max<int64_t>(1, d.fh * d.fw * band.cols(d));
  const int64_t min_chunk = std::max<int64_t>(1, (int64_t{1} << 15) / per_channel);
  parallel_for(d.cg(), min_chunk, [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) body(c);
  });
}

// The output columns [begin, end) whose input column ox * stride + x0 lies in [0, w): the
// rest read the zero padding.
struct ColumnSpan {
  int64_t begin, end;
};

ColumnSpan inside_columns(int64_t x0, int64_t stride, int64_t w, int64_t ow) {
  const int64_t begin = std::min(ow, x0 >= 0 ? 0 : (stride - 1 - x0) / stride);
  const int64_t end = w <= x0 ? 0 : (w - x0 + stride - 1) / stride;
  return {begin, std::clamp(end, begin, ow)};
}

}  // namespace

int64_t band_rows(const ConvDims& d, size_t elem_size) {
  // Half of a typical per-core L2 cache: the gemm's packed panels need the rest.
  constexpr int64_t kBudgetBytes = int64_t{1} << 19;
  const int64_t row_bytes =
      std::max<int64_t>(1, d.col_rows() * d.ow * static_cast<int64_t>(elem_size));
  return std::clamp<int64_t>(kBudgetBytes / row_bytes, 1, std::max<int64_t>(1, d.oh));
}

int64_t band_col_size(const ConvDims& d, size_t elem_size) {
  return checked_size({d.col_rows(), band_rows(d, elem_size), d.ow}, "conv2d: the im2col buffer");
}

template <class T>
void im2col(const T* x, const ConvDims& d, const Conv2dSpec& spec, RowBand band, T* col) {
  const int64_t sh = spec.stride[0], sw = spec.stride[1];
  const int64_t dh = spec.dilation[0], dw = spec.dilation[1];
  for_each_channel(d, band, [&](int64_t c) {
    for (int64_t i = 0; i < d.fh; ++i) {
      for (int64_t j = 0; j < d.fw; ++j) {
        T* row = col + ((c * d.fh + i) * d.fw + j) * band.cols(d);
        const int64_t x0 = j * dw - d.pw;
        const ColumnSpan span = inside_columns(x0, sw, d.w, d.ow);
        for (int64_t oy = band.begin; oy < band.end; ++oy) {
          T* out = row + (oy - band.begin) * d.ow;
          const int64_t iy = oy * sh - d.ph + i * dh;
          if (iy < 0 || iy >= d.h) {
            std::fill(out, out + d.ow, T(0));
            continue;
          }
          const T* in = x + (c * d.h + iy) * d.w;
          std::fill(out, out + span.begin, T(0));
          if (sw == 1 && span.begin < span.end) {
            std::copy(in + x0 + span.begin, in + x0 + span.end, out + span.begin);
          } else {
            for (int64_t ox = span.begin; ox < span.end; ++ox) out[ox] = in[x0 + ox * sw];
          }
          std::fill(out + span.end, out + d.ow, T(0));
        }
      }
    }
  });
}

template <class T>
void col2im(const T* col, const ConvDims& d, const Conv2dSpec& spec, RowBand band, T* x) {
  const int64_t sh = spec.stride[0], sw = spec.stride[1];
  const int64_t dh = spec.dilation[0], dw = spec.dilation[1];
  for_each_channel(d, band, [&](int64_t c) {
    for (int64_t i = 0; i < d.fh; ++i) {
      for (int64_t j = 0; j < d.fw; ++j) {
        const T* row = col + ((c * d.fh + i) * d.fw + j) * band.cols(d);
        const int64_t x0 = j * dw - d.pw;
        const ColumnSpan span = inside_columns(x0, sw, d.w, d.ow);
        for (int64_t oy = band.begin; oy < band.end; ++oy) {
          const int64_t iy = oy * sh - d.ph + i * dh;
          if (iy < 0 || iy >= d.h) continue;
          const T* in = row + (oy - band.begin) * d.ow;
          T* out = x + (c * d.h + iy) * d.w;
          for (int64_t ox = span.begin; ox < span.end; ++ox) out[x0 + ox * sw] += in[ox];
        }
      }
    }
  });
}

template void im2col<float>(const float*, const ConvDims&, const Conv2dSpec&, RowBand, float*);
template void im2col<double>(const double*, const ConvDims&, const Conv2dSpec&, RowBand, double*);
template void col2im<float>(const float*, const ConvDims&, const Conv2dSpec&, RowBand, float*);
template void col2im<double>(const double*, const ConvDims&, const Conv2dSpec&, RowBand, double*);

}  // namespace conv_detail
}  // namespace theon
