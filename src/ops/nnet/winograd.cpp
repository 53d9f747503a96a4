// F(2x2, 3x3) (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016):
// with the input tile d (4x4), the filter g (3x3) and the output tile y (2x2),
//   y = A^T [(G g G^T) * (B^T d B)] A,
// B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1],
// A^T = [1 1 1 0; 0 1 -1 -1]. Summed over the channels, the 16 elementwise products become 16
// gemms. Transposing the formula gives the filter gradient: dg = G^T [sum over tiles of
// (A dy A^T) * (B^T d B)] G, again 16 gemms, reducing over the tiles.
//
// The work is split into blocks of tile rows sized so that a block's transformed input and
// products stay in cache; the units of parallel work are (image, block) pairs.
#include "winograd.hpp"

#include <algorithm>
#include <mutex>
#include <type_traits>
#include <vector>

#include "../vector_clones.hpp"
#include "theon/core/checked_size.hpp"
#include "theon/core/thread_pool.hpp"
#include "theon/runtime/blas.hpp"

namespace theon::conv_detail {
namespace {

constexpr int64_t kPoints = 16;                  // transformed values per 4x4 tile
constexpr int64_t kBlockBytes = 256 * 1024;      // a block's transformed tiles, per side
constexpr int64_t kMinChannels = 4;              // thinner gemms run faster on im2col matrices
constexpr int64_t kUnitWork = int64_t{1} << 22;  // multiply-adds worth waking a thread for

template <class T>
constexpr DType dtype_of() {
  return std::is_same_v<T, float> ? DType::Float32 : DType::Float64;
}

// One 3x3 correlation at stride 1: input planes (c, h, w), output planes (k, oh, ow), pads
// ph, pw; the output's 2x2 tiles cover it in tile_rows x tile_cols, the last ones clipped.
struct Geometry {
  int64_t b, c, h, w, k, oh, ow, ph, pw;
  int64_t elem;  // bytes per value

  int64_t tile_rows() const { return (oh + 1) / 2; }
  int64_t tile_cols() const { return (ow + 1) / 2; }
  // A tile row reads padded input rows of this many columns (tiles overlap by two).
  int64_t padded_cols() const { return 2 * tile_cols() + 2; }
  int64_t rows_per_block() const {
    const int64_t per_row = kPoints * std::max(c, k) * tile_cols() * elem;
    return std::clamp<int64_t>(kBlockBytes / std::max<int64_t>(1, per_row), 1, tile_rows());
  }
  int64_t blocks() const { return (tile_rows() + rows_per_block() - 1) / rows_per_block(); }
  int64_t units() const { return checked_size({b, blocks()}, "conv2d"); }
  int64_t units_per_chunk() const {
    const int64_t work = checked_size({kPoints, c, k, rows_per_block(), tile_cols()}, "conv2d");
    return std::max<int64_t>(1, kUnitWork / std::max<int64_t>(1, work));
  }
};

// A block of tile rows [first, last) of one image.
struct Block {
  int64_t image, first, last;
  int64_t tiles(const Geometry& g) const { return (last - first) * g.tile_cols(); }
};

Block block_of(const Geometry& g, int64_t unit) {
  const int64_t per = g.rows_per_block();
  const int64_t first = (unit % g.blocks()) * per;
  return Block{unit / g.blocks(), first, std::min(g.tile_rows(), first + per)};
}

// The plane's row `row`, or `zeros` (a row of the plane's width) where it lies in the pad.
template <class T>
const T* row_or_zeros(const T* plane, int64_t rows, int64_t cols, int64_t row, const T* zeros) {
  return row >= 0 && row < rows ? plane + row * cols : zeros;
}

// The columns [lo, hi) of a row of `width` read the plane's columns from 0 when the row starts
// `lead` columns before them; the rest are pad.
struct Span {
  int64_t lo, hi;
  Span(int64_t lead, int64_t cols, int64_t width)
      : lo(std::clamp<int64_t>(lead, 0, width)), hi(std::clamp<int64_t>(lead + cols, lo, width)) {}
};

template <class T>
THEON_INLINE void zero_outside(const Span& span, int64_t width, T* row) {
  for (int64_t x = 0; x < span.lo; ++x) row[x] = T(0);
  for (int64_t x = span.hi; x < width; ++x) row[x] = T(0);
}

// u[p][o][i] = (G f G^T)[p] for the filter of output channel o and input channel i, where
// tap(o, i, r, s) reads it.
template <class T, class Tap>
void transform_filters(int64_t outs, int64_t ins, Tap tap, T* u) {
  const int64_t stride = outs * ins;
  for (int64_t o = 0; o < outs; ++o) {
    for (int64_t i = 0; i < ins; ++i) {
      T t[4][3];
      for (int s = 0; s < 3; ++s) {
        const T g0 = tap(o, i, 0, s), g1 = tap(o, i, 1, s), g2 = tap(o, i, 2, s);
        t[0][s] = g0;
        t[1][s] = T(0.5) * (g0 + g1 + g2);
        t[2][s] = T(0.5) * (g0 - g1 + g2);
        t[3][s] = g2;
      }
      T* out = u + o * ins + i;
      for (int a = 0; a < 4; ++a) {
        out[(4 * a + 0) * stride] = t[a][0];
        out[(4 * a + 1) * stride] = T(0.5) * (t[a][0] + t[a][1] + t[a][2]);
        out[(4 * a + 2) * stride] = T(0.5) * (t[a][0] - t[a][1] + t[a][2]);
        out[(4 * a + 3) * stride] = t[a][2];
      }
    }
  }
}

// The horizontal half of a 4x4 transform: for each row a of e (4 rows of `width`, the vertical
// half's result for one tile row), point (a, b) of tile j goes to out[(4a + b) * stride + j],
// the 4 points of a row computed together by combine(row, j, p0, p1, p2, p3).
template <class T, class Combine>
THEON_INLINE void horizontal_points(const T* e, int64_t width, int64_t tw, int64_t stride, T* out,
                                    Combine combine) {
  for (int a = 0; a < 4; ++a) {
    const T* ea = e + a * width;
    T* o0 = out + (4 * a) * stride;
    T* o1 = o0 + stride;
    T* o2 = o1 + stride;
    T* o3 = o2 + stride;
    THEON_NO_ALIAS
    for (int64_t j = 0; j < tw; ++j) combine(ea, j, o0[j], o1[j], o2[j], o3[j]);
  }
}

// v[p][ch][t] = (B^T d B)[p] for the input tiles of the block (t counts its tiles row-major).
// e: scratch of 4 padded rows; zeros: a zero row of the image's width.
template <class T>
THEON_INLINE void transform_input(const Geometry& g, const T* image, const Block& blk, T* e,
                                  const T* zeros, T* v) {
  const int64_t tw = g.tile_cols(), width = g.padded_cols(), nt = blk.tiles(g);
  const int64_t stride = g.c * nt;
  const Span span(g.pw, g.w, width);
  // The rows' spans in the image, which the vertical transform writes.
  T* f0 = e + span.lo;
  T* f1 = f0 + width;
  T* f2 = f1 + width;
  T* f3 = f2 + width;
  for (int r = 0; r < 4; ++r) zero_outside(span, width, e + r * width);
  for (int64_t ch = 0; ch < g.c; ++ch) {
    const T* plane = image + ch * g.h * g.w;
    for (int64_t ti = blk.first; ti < blk.last; ++ti) {
      const int64_t top = 2 * ti - g.ph;
      const T* d0 = row_or_zeros(plane, g.h, g.w, top, zeros);
      const T* d1 = row_or_zeros(plane, g.h, g.w, top + 1, zeros);
      const T* d2 = row_or_zeros(plane, g.h, g.w, top + 2, zeros);
      const T* d3 = row_or_zeros(plane, g.h, g.w, top + 3, zeros);
      THEON_NO_ALIAS
      for (int64_t x = 0; x < span.hi - span.lo; ++x) {
        f0[x] = d0[x] - d2[x];
        f1[x] = d1[x] + d2[x];
        f2[x] = d2[x] - d1[x];
        f3[x] = d1[x] - d3[x];
      }
      horizontal_points(
          e, width, tw, stride, v + ch * nt + (ti - blk.first) * tw,
          [](const T* ea, int64_t j, T& p0, T& p1, T& p2, T& p3) __attribute__((always_inline)) {
            p0 = ea[2 * j] - ea[2 * j + 2];
            p1 = ea[2 * j + 1] + ea[2 * j + 2];
            p2 = ea[2 * j + 2] - ea[2 * j + 1];
            p3 = ea[2 * j + 1] - ea[2 * j + 3];
          });
    }
  }
}

// The block's output rows of `out` (k, oh, ow) = A^T m A for the products m[p][o][t].
// rows: scratch of 8 tile-row vectors.
template <class T>
THEON_INLINE void transform_output(const Geometry& g, const T* m, const Block& blk, T* rows,
                                   T* out) {
  const int64_t tw = g.tile_cols(), nt = blk.tiles(g), stride = g.k * nt, pairs = g.ow / 2;
  T* q[2][4];
  for (int r = 0; r < 2; ++r) {
    for (int b = 0; b < 4; ++b) q[r][b] = rows + (4 * r + b) * tw;
  }
  for (int64_t o = 0; o < g.k; ++o) {
    for (int64_t ti = blk.first; ti < blk.last; ++ti) {
      const T* mo = m + o * nt + (ti - blk.first) * tw;
      for (int b = 0; b < 4; ++b) {
        const T* m0 = mo + b * stride;
        const T* m1 = m0 + 4 * stride;
        const T* m2 = m1 + 4 * stride;
        const T* m3 = m2 + 4 * stride;
        T* top = q[0][b];
        T* bottom = q[1][b];
        THEON_NO_ALIAS
        for (int64_t j = 0; j < tw; ++j) {
          top[j] = m0[j] + m1[j] + m2[j];
          bottom[j] = m1[j] - m2[j] - m3[j];
        }
      }
      for (int r = 0; r < 2 && 2 * ti + r < g.oh; ++r) {
        T* y = out + (o * g.oh + 2 * ti + r) * g.ow;
        const T* q0 = q[r][0];
        const T* q1 = q[r][1];
        const T* q2 = q[r][2];
        const T* q3 = q[r][3];
        THEON_NO_ALIAS
        for (int64_t j = 0; j < pairs; ++j) {
          y[2 * j] = q0[j] + q1[j] + q2[j];
          y[2 * j + 1] = q1[j] - q2[j] - q3[j];
        }
        if (g.ow % 2 != 0) y[2 * pairs] = q0[pairs] + q1[pairs] + q2[pairs];
      }
    }
  }
}

// z[p][o][t] = (A dy A^T)[p] for the block's 2x2 tiles of the output gradient (zero past its
// edge). e: scratch of 4 rows of 2 * tile_cols; zeros: a zero row of the output's width.
template <class T>
THEON_INLINE void transform_output_grad(const Geometry& g, const T* grad, const Block& blk, T* e,
                                        const T* zeros, T* z) {
  const int64_t tw = g.tile_cols(), width = 2 * tw, nt = blk.tiles(g), stride = g.k * nt;
  const Span span(0, g.ow, width);
  T* e0 = e;
  T* e1 = e + width;
  T* e2 = e + 2 * width;
  T* e3 = e + 3 * width;
  for (int r = 0; r < 4; ++r) zero_outside(span, width, e + r * width);
  for (int64_t o = 0; o < g.k; ++o) {
    const T* plane = grad + o * g.oh * g.ow;
    for (int64_t ti = blk.first; ti < blk.last; ++ti) {
      const T* dy0 = row_or_zeros(plane, g.oh, g.ow, 2 * ti, zeros);
      const T* dy1 = row_or_zeros(plane, g.oh, g.ow, 2 * ti + 1, zeros);
      THEON_NO_ALIAS
      for (int64_t x = 0; x < span.hi; ++x) {
        e0[x] = dy0[x];
        e1[x] = dy0[x] + dy1[x];
        e2[x] = dy0[x] - dy1[x];
        e3[x] = -dy1[x];
      }
      horizontal_points(
          e, width, tw, stride, z + o * nt + (ti - blk.first) * tw,
          [](const T* ea, int64_t j, T& p0, T& p1, T& p2, T& p3) __attribute__((always_inline)) {
            p0 = ea[2 * j];
            p1 = ea[2 * j] + ea[2 * j + 1];
            p2 = ea[2 * j] - ea[2 * j + 1];
            p3 = -ea[2 * j + 1];
          });
    }
  }
}

// dw[o][i] (3x3) = G^T s G for the summed products s[p][o][i].
template <class T>
void filter_grad_from_sums(int64_t outs, int64_t ins, const T* s, T* dw) {
  const int64_t stride = outs * ins;
  for (int64_t oi = 0; oi < stride; ++oi) {
    T p[3][4];
    for (int b = 0; b < 4; ++b) {
      const T s0 = s[b * stride + oi], s1 = s[(4 + b) * stride + oi];
      const T s2 = s[(8 + b) * stride + oi], s3 = s[(12 + b) * stride + oi];
      p[0][b] = s0 + T(0.5) * (s1 + s2);
      p[1][b] = T(0.5) * (s1 - s2);
      p[2][b] = T(0.5) * (s1 + s2) + s3;
    }
    T* out = dw + oi * 9;
    for (int r = 0; r < 3; ++r) {
      out[3 * r + 0] = p[r][0] + T(0.5) * (p[r][1] + p[r][2]);
      out[3 * r + 1] = T(0.5) * (p[r][1] - p[r][2]);
      out[3 * r + 2] = T(0.5) * (p[r][1] + p[r][2]) + p[r][3];
    }
  }
}

#define THEON_WINOGRAD_ENTRIES(T)                                                                 \
  THEON_VECTOR_CLONES void input_tiles(const Geometry& g, const T* image, const Block& blk, T* e, \
                                       const T* zeros, T* v) {                                    \
    transform_input(g, image, blk, e, zeros, v);                                                  \
  }                                                                                               \
  THEON_VECTOR_CLONES void output_grad_tiles(const Geometry& g, const T* grad, const Block& blk,  \
                                             T* e, const T* zeros, T* z) {                        \
    transform_output_grad(g, grad, blk, e, zeros, z);                                             \
  }                                                                                               \
  THEON_VECTOR_CLONES void output_tiles(const Geometry& g, const T* m, const Block& blk, T* q,    \
                                        T* out) {                                                 \
    transform_output(g, m, blk, q, out);                                                          \
  }
THEON_WINOGRAD_ENTRIES(float)
THEON_WINOGRAD_ENTRIES(double)
#undef THEON_WINOGRAD_ENTRIES

// Per-thread buffers of the block loops.
template <class T>
struct Scratch {
  std::vector<T> rows, zeros, v, m;
  // m holds outs x tiles products per point (the output's channels, or the gradient's).
  explicit Scratch(const Geometry& g)
      : rows(size({8, g.padded_cols()})),
        zeros(size({std::max(g.w, g.ow)}), T(0)),
        v(size({kPoints, g.c, g.rows_per_block(), g.tile_cols()})),
        m(size({kPoints, g.k, g.rows_per_block(), g.tile_cols()})) {}
  static size_t size(std::initializer_list<int64_t> dims) {
    return static_cast<size_t>(checked_size(dims, "conv2d"));
  }
};

template <class T>
std::vector<T> scratch(std::initializer_list<int64_t> dims) {
  return std::vector<T>(Scratch<T>::size(dims));
}

// y = x correlated with the filters whose transform is u, over g.
template <class T>
void correlate(const Geometry& g, const T* x, const std::vector<T>& u, T* y) {
  parallel_for(g.units(), g.units_per_chunk(), [&](int64_t begin, int64_t end) {
    Scratch<T> s(g);
    for (int64_t unit = begin; unit < end; ++unit) {
      const Block blk = block_of(g, unit);
      const int64_t nt = blk.tiles(g);
      input_tiles(g, x + blk.image * g.c * g.h * g.w, blk, s.rows.data(), s.zeros.data(),
                  s.v.data());
      for (int64_t p = 0; p < kPoints; ++p) {
        blas::gemm(dtype_of<T>(), false, false, g.k, nt, g.c, u.data() + p * g.k * g.c, g.c,
                   s.v.data() + p * g.c * nt, nt, s.m.data() + p * g.k * nt, nt);
      }
      output_tiles(g, s.m.data(), blk, s.rows.data(), y + blk.image * g.k * g.oh * g.ow);
    }
  });
}

Geometry forward_geometry(const ConvDims& d, int64_t elem) {
  return Geometry{d.b, d.c, d.h, d.w, d.k, d.oh, d.ow, d.ph, d.pw, elem};
}

}  // namespace

bool winograd_applies(const Conv2dSpec& spec, const ConvDims& d) {
  return d.fh == 3 && d.fw == 3 && spec.stride[0] == 1 && spec.stride[1] == 1 &&
         spec.dilation[0] == 1 && spec.dilation[1] == 1 && d.groups == 1 && d.ph <= 2 &&
         d.pw <= 2 && d.c >= kMinChannels && d.k >= kMinChannels;
}

template <class T>
void winograd_forward(const ConvDims& d, const T* x, const T* filters, T* y) {
  const Geometry g = forward_geometry(d, sizeof(T));
  std::vector<T> u = scratch<T>({kPoints, g.k, g.c});
  transform_filters<T>(
      g.k, g.c,
      [&](int64_t o, int64_t i, int r, int s) { return filters[(o * g.c + i) * 9 + 3 * r + s]; },
      u.data());
  correlate(g, x, u, y);
}

// The input gradient correlates gy with the filters flipped and their channels swapped, padded
// by 2 - pad so that the output has the input's size.
template <class T>
void winograd_grad_inputs(const ConvDims& d, const T* gy, const T* filters, T* dx) {
  const Geometry g{d.b, d.k, d.oh, d.ow, d.c, d.h, d.w, 2 - d.ph, 2 - d.pw, sizeof(T)};
  std::vector<T> u = scratch<T>({kPoints, g.k, g.c});
  transform_filters<T>(
      g.k, g.c,
      [&](int64_t o, int64_t i, int r, int s) {
        return filters[(i * g.k + o) * 9 + 3 * (2 - r) + (2 - s)];
      },
      u.data());
  correlate(g, gy, u, dx);
}

template <class T>
void winograd_grad_weights(const ConvDims& d, const T* x, const T* gy, T* dw) {
  const Geometry g = forward_geometry(d, sizeof(T));
  std::vector<T> sums = scratch<T>({kPoints, g.k, g.c});
  std::mutex sum_lock;
  parallel_for(g.units(), g.units_per_chunk(), [&](int64_t begin, int64_t end) {
    Scratch<T> s(g);
    std::vector<T> part(sums.size(), T(0));
    for (int64_t unit = begin; unit < end; ++unit) {
      const Block blk = block_of(g, unit);
      const int64_t nt = blk.tiles(g);
      input_tiles(g, x + blk.image * g.c * g.h * g.w, blk, s.rows.data(), s.zeros.data(),
                  s.v.data());
      output_grad_tiles(g, gy + blk.image * g.k * g.oh * g.ow, blk, s.rows.data(), s.zeros.data(),
                        s.m.data());
      for (int64_t p = 0; p < kPoints; ++p) {
        blas::gemm(dtype_of<T>(), false, true, g.k, g.c, nt, s.m.data() + p * g.k * nt, nt,
                   s.v.data() + p * g.c * nt, nt, part.data() + p * g.k * g.c, g.c, 1.0, 1.0);
      }
    }
    const std::lock_guard<std::mutex> hold(sum_lock);
    for (size_t i = 0; i < part.size(); ++i) sums[i] += part[i];
  });
  filter_grad_from_sums(g.k, g.c, sums.data(), dw);
}

template void winograd_forward<float>(const ConvDims&, const float*, const float*, float*);
template void winograd_forward<double>(const ConvDims&, const double*, const double*, double*);
template void winograd_grad_inputs<float>(const ConvDims&, const float*, const float*, float*);
template void winograd_grad_inputs<double>(const ConvDims&, const double*, const double*, double*);
template void winograd_grad_weights<float>(const ConvDims&, const float*, const float*, float*);
template void winograd_grad_weights<double>(const ConvDims&, const double*, const double*, double*);

}  // namespace theon::conv_detail
