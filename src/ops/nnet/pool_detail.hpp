// Internal helpers of the pooling ops (src/ops/nnet/pool*.cpp, max_pool_grad_grad.cpp): type
// checks, the windows of one call and the symbolic output sizes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <type_traits>
#include <vector>

#include "theon/core/ndarray.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/pool.hpp"

namespace theon::pool_detail {

// The spec of a builder's params ws, stride (default ws), pad, ignore_border, mode.
PoolSpec spec_from_params(const std::string& who, const Params& p);
// Throws TypeError naming `op` unless t is a float32/float64 array of at least 2 dimensions;
// `what` names it.
void require_pooled(const Op& op, const TensorType& t, const std::string& what);
// Throws TypeError/ValueError naming `op` unless `t` has `like`'s dtype and dimensions and,
// where both are known, its shape; `what` names t.
void require_like(const Op& op, const TensorType& t, const TensorType& like,
                  const std::string& what);
// The static pooled shape of an input type.
StaticShape static_out_shape(const PoolSpec& spec, const StaticShape& in);
// The pooled shape of an input shape; the symbolic one from input_shapes.
Shape out_shape(const PoolSpec& spec, const Shape& in);
std::vector<Var> sym_out_shape(const PoolSpec& spec, const std::vector<Var>& in);
// Throws ValueError naming `op` unless `a` has shape `want`; `what` names a.
void require_shape(const Op& op, const NDArray& a, const Shape& want, const std::string& what);

// `a` itself where it is C-contiguous, else a C-contiguous copy.
NDArray contiguous(const NDArray& a);

// An array seen as planes of h x w (its last two axes), C-contiguous.
struct Planes {
  int64_t count, h, w, oh, ow;
};
Planes planes_of(const PoolSpec& spec, const Shape& in);

// Runs body(k) for every plane k, split across threads when the planes carry enough work
// (each plane reads and writes only its own elements).
void for_each_plane(const Planes& p, const std::function<void(int64_t)>& body);

// Calls fn(out_index, r0, r1, c0, c1, divisor) for every window of one plane: the window
// covers input rows [r0, r1) and columns [c0, c1) (clipped to the input); divisor is what the
// mode divides the window's sum by (1 for max and sum).
template <class F>
void for_each_window(const PoolSpec& s, const Planes& p, F&& fn) {
  for (int64_t r = 0; r < p.oh; ++r) {
    const int64_t pr0 = r * s.stride[0] - s.pad[0];
    const int64_t pr1 = std::min(pr0 + s.ws[0], p.h + s.pad[0]);
    const int64_t r0 = std::max<int64_t>(pr0, 0), r1 = std::min(pr1, p.h);
    for (int64_t c = 0; c < p.ow; ++c) {
      const int64_t pc0 = c * s.stride[1] - s.pad[1];
      const int64_t pc1 = std::min(pc0 + s.ws[1], p.w + s.pad[1]);
      const int64_t c0 = std::max<int64_t>(pc0, 0), c1 = std::min(pc1, p.w);
      int64_t divisor = 1;
      if (s.mode == PoolMode::AverageIncPad) divisor = (pr1 - pr0) * (pc1 - pc0);
      if (s.mode == PoolMode::AverageExcPad) divisor = (r1 - r0) * (c1 - c0);
      fn(r * p.ow + c, r0, r1, c0, c1, divisor);
    }
  }
}

// True when every window lies inside the input (no padding, no partial window at an edge):
// the kernels then run windows of the full size without clipping them.
inline bool windows_inside(const PoolSpec& s, const Planes& p) {
  return s.pad[0] == 0 && s.pad[1] == 0 && p.oh > 0 && p.ow > 0 &&
         (p.oh - 1) * s.stride[0] + s.ws[0] <= p.h && (p.ow - 1) * s.stride[1] + s.ws[1] <= p.w;
}

// True when the windows tile the input: each element lies in exactly one window.
inline bool windows_tile(const PoolSpec& s, const Planes& p) {
  return windows_inside(s, p) && s.stride[0] == s.ws[0] && s.stride[1] == s.ws[1] &&
         p.oh * s.ws[0] == p.h && p.ow * s.ws[1] == p.w;
}

// Calls fn(out_index, at) for every window of one plane where windows_inside holds: `at` is
// the plane index of the window's first element.
template <class F>
void for_each_inside_window(const PoolSpec& s, const Planes& p, F&& fn) {
  for (int64_t r = 0; r < p.oh; ++r) {
    const int64_t row = r * s.stride[0] * p.w;
    for (int64_t c = 0; c < p.ow; ++c) fn(r * p.ow + c, row + c * s.stride[1]);
  }
}

// Calls body(rows, cols) with the window's size as compile-time constants for the common 2x2
// and 3x3 windows (so that their loops unroll), and as 0, meaning "read spec.ws", otherwise.
template <class F>
void dispatch_window(const PoolSpec& s, F&& body) {
  using Two = std::integral_constant<int64_t, 2>;
  using Three = std::integral_constant<int64_t, 3>;
  using Any = std::integral_constant<int64_t, 0>;
  if (s.ws[0] == 2 && s.ws[1] == 2) {
    body(Two{}, Two{});
  } else if (s.ws[0] == 3 && s.ws[1] == 3) {
    body(Three{}, Three{});
  } else {
    body(Any{}, Any{});
  }
}

// Calls body<T>() with T the float type of dtype (float or double).
template <class F>
void dispatch_float(DType dtype, F&& body) {
  if (dtype == DType::Float32) {
    body(float{});
  } else {
    body(double{});
  }
}

}  // namespace theon::pool_detail
