// Pool(x): Theano's 2-d pooling (max, sum, average including or excluding the padding) over
// the last two axes, its gradient and the C++ API pool_2d.
#include <cmath>
#include <limits>

#include "../shape_util.hpp"
#include "pool_detail.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/shape.hpp"

namespace theon {
namespace {

using namespace pool_detail;

// Max pooling of one plane whose windows all lie inside it (windows_inside); kRows and kCols
// are the window's size, or 0 for spec.ws. The running max `v > m ? v : m` compiles to one
// max instruction and keeps the first of equal values (as the general loop does); NaNs are
// only flagged on the way, and a window that had one takes its first NaN after the loop, so
// the loop has no data-dependent branch.
template <class T, int64_t kRows, int64_t kCols>
void max_pool_inside(const PoolSpec& spec, const Planes& p, const T* in, T* out) {
  const int64_t rows = kRows ? kRows : spec.ws[0], cols = kCols ? kCols : spec.ws[1];
  for_each_inside_window(spec, p, [&](int64_t o, int64_t at) {
    const T* window = in + at;
    T m = window[0];
    bool nan = false;
    for (int64_t i = 0; i < rows; ++i) {
      for (int64_t j = 0; j < cols; ++j) {
        const T v = window[i * p.w + j];
        m = v > m ? v : m;
        nan |= v != v;
      }
    }
    if (nan) {
      for (int64_t e = 0; e < rows * cols && m == m; ++e) m = window[e / cols * p.w + e % cols];
    }
    out[o] = m;
  });
}

template <class T>
void pool_planes(const PoolSpec& spec, const Planes& p, const T* x, T* y) {
  if (spec.mode == PoolMode::Max && windows_inside(spec, p)) {
    dispatch_window(spec, [&](auto rows, auto cols) {
      for_each_plane(p, [&](int64_t k) {
        max_pool_inside<T, rows(), cols()>(spec, p, x + k * p.h * p.w, y + k * p.oh * p.ow);
      });
    });
    return;
  }
  for_each_plane(p, [&](int64_t k) {
    const T* in = x + k * p.h * p.w;
    T* out = y + k * p.oh * p.ow;
    for_each_window(
        spec, p, [&](int64_t o, int64_t r0, int64_t r1, int64_t c0, int64_t c1, int64_t divisor) {
          if (spec.mode == PoolMode::Max) {
            // A window of the padding alone (only over an empty input) has the max of nothing.
            T m = r0 < r1 && c0 < c1 ? in[r0 * p.w + c0] : -std::numeric_limits<T>::infinity();
            for (int64_t r = r0; r < r1; ++r) {
              for (int64_t c = c0; c < c1; ++c) {
                const T v = in[r * p.w + c];
                if (v > m || std::isnan(v)) m = v;
                if (std::isnan(m)) break;
              }
            }
            out[o] = m;
            return;
          }
          T s = 0;
          for (int64_t r = r0; r < r1; ++r) {
            for (int64_t c = c0; c < c1; ++c) s += in[r * p.w + c];
          }
          if (divisor == 0) {  // the average of nothing
            out[o] = std::numeric_limits<T>::quiet_NaN();
          } else {
            out[o] = divisor == 1 ? s : s / static_cast<T>(divisor);
          }
        });
  });
}

}  // namespace

std::vector<TensorType> Pool::output_types(const std::vector<Var>& inputs) const {
  if (inputs.size() != 1) {
    throw TypeError(op_error(*this, "expected 1 input, got " + std::to_string(inputs.size())));
  }
  const TensorType& x = inputs[0]->type;
  require_pooled(*this, x, "the input");
  return {TensorType(x.dtype, static_out_shape(spec_, x.shape))};
}

void Pool::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray x = contiguous(inputs[0]);
  const Planes p = planes_of(spec_, x.shape());
  NDArray& y = reuse_or_empty(outputs[0], x.dtype(), out_shape(spec_, x.shape()));
  if (y.size() == 0) return;
  dispatch_float(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    pool_planes<T>(spec_, p, x.data<T>(), y.data<T>());
  });
}

std::vector<Var> Pool::L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                            const std::vector<Var>& output_grads) const {
  const Var& g = output_grads[0];
  if (!g) return {nullptr};
  if (spec_.mode == PoolMode::Max) return {max_pool_grad(inputs[0], outputs[0], g, spec_)};
  return {average_pool_grad(inputs[0], g, spec_)};
}

std::optional<std::vector<std::vector<Var>>> Pool::infer_shape(
    const std::vector<Var>&, const std::vector<std::vector<Var>>& shapes) const {
  return std::vector<std::vector<Var>>{sym_out_shape(spec_, shapes[0])};
}

Var pool_2d(const Var& x, const PoolSpec& spec) {
  return make_node1(std::make_shared<Pool>(spec), {x});
}

THEON_OP_FILE(pool) {
  register_op_factory("Pool", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Pool>(PoolSpec::read(f));
  });
  register_builder("pool_2d", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{pool_2d(in[0], spec_from_params("pool_2d", p))};
  });
}

}  // namespace theon
