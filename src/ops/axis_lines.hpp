// Internal helpers for ops that work line by line along one axis (Cumulative, Sort): each 1-d
// line of the input along the axis becomes the same line of a C-contiguous output. axis=None
// works on the flattened array (in the C order of the input's logical view) and gives a 1-d
// output.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "theon/core/error.hpp"
#include "theon/core/ndarray.hpp"
#include "theon/graph/op.hpp"
#include "theon/graph/type.hpp"

namespace theon {

[[noreturn]] inline void throw_line_axis_error(const Op& op, int64_t axis, int ndim) {
  throw ValueError(op_error(op, "axis " + std::to_string(axis) +
                                    " is out of bounds for array of dimension " +
                                    std::to_string(ndim)));
}

// The static output shape of a line op on an input of type `t`: t's shape, or the flattened
// length (unknown if any dimension is) for axis=None. Throws ValueError naming `op` for an axis
// outside [0, t.ndim()).
inline StaticShape line_op_shape(const Op& op, const TensorType& t, std::optional<int64_t> axis) {
  if (!axis) {
    int64_t n = 1;
    for (int64_t d : t.shape) n = (d == kUnknownDim || n == kUnknownDim) ? kUnknownDim : n * d;
    return {n};
  }
  if (*axis < 0 || *axis >= t.ndim()) throw_line_axis_error(op, *axis, t.ndim());
  return t.shape;
}

// The lines of one input.
struct AxisLines {
  NDArray src;      // the input; for axis=None a 1-d view of it (or of a C-contiguous copy)
  int axis = 0;     // the axis of `src` the lines run along
  Shape out_shape;  // the input's shape, or {size} for axis=None
};

// Throws ValueError naming `op` when `axis` is beyond the input's dimensions.
inline AxisLines axis_lines(const Op& op, const NDArray& x, std::optional<int64_t> axis) {
  if (axis && *axis >= x.ndim()) throw_line_axis_error(op, *axis, x.ndim());
  AxisLines l{x, 0, {}};
  if (!axis) {
    if (!l.src.is_c_contiguous()) l.src = x.copy();
    l.out_shape = {x.size()};
    l.src = l.src.view(l.src.raw(), l.out_shape, {static_cast<int64_t>(itemsize(x.dtype()))});
  } else {
    l.out_shape = x.shape();
    l.axis = static_cast<int>(*axis);
  }
  return l;
}

// Calls line(src, src_stride, dst, dst_stride, n) for every line, in C order of the other axes:
// src and dst address the line's first element in lines.src and in `out` (C-contiguous with
// lines.out_shape), strides are in bytes, n is the line length. Nothing when `out` is empty.
template <class Line>
void for_each_line(const AxisLines& lines, NDArray& out, Line&& line) {
  if (out.size() == 0) return;
  const NDArray& src = lines.src;
  const int axis = lines.axis;
  const int64_t len = src.shape(axis);
  const int64_t ss = src.strides()[axis];
  const Strides ostr = c_strides(lines.out_shape, itemsize(out.dtype()));
  const int64_t os = ostr[axis];
  std::vector<int> others;
  for (int i = 0; i < src.ndim(); ++i)
    if (i != axis) others.push_back(i);
  std::vector<int64_t> cnt(others.size(), 0);
  const char* p = src.raw();
  char* o = out.raw();
  while (true) {
    line(p, ss, o, os, len);
    int k = static_cast<int>(others.size()) - 1;
    for (; k >= 0; --k) {
      const int d = others[k];
      p += src.strides()[d];
      o += ostr[d];
      if (++cnt[k] < src.shape(d)) break;
      p -= src.strides()[d] * src.shape(d);
      o -= ostr[d] * src.shape(d);
      cnt[k] = 0;
    }
    if (k < 0) break;
  }
}

}  // namespace theon
