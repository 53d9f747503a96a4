// MaxPoolGrad(x, maxout, gz) and AveragePoolGrad(x, gz): the gradients of Pool, and their C++
// API max_pool_grad and average_pool_grad.
#include <bit>
#include <cstdint>
#include <type_traits>

#include "../shape_util.hpp"
#include "pool_detail.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/shape.hpp"

namespace theon {
namespace {

using namespace pool_detail;

// g where `take`, else +0.0, by masking g's bits: no branch on the data (where a window's max
// lies is random, and a branch mispredicts on a quarter of 2x2 windows' elements).
template <class T>
T g_or_zero(bool take, T g) {
  using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  return std::bit_cast<T>(std::bit_cast<Bits>(g) & (Bits{0} - Bits{take}));
}

// The gradient of one plane whose windows all lie inside it (windows_inside): gz goes to
// every element equal to its window's max (gx is never -0.0, so adding +0.0 elsewhere changes
// nothing); kRows and kCols as in max_pool_inside. When the windows tile the plane (kTile),
// each element is written once instead of accumulated into zeros.
template <class T, int64_t kRows, int64_t kCols, bool kTile>
void max_grad_inside(const PoolSpec& spec, const Planes& p, const T* in, const T* m, const T* gz,
                     T* out) {
  const int64_t rows = kRows ? kRows : spec.ws[0], cols = kCols ? kCols : spec.ws[1];
  for_each_inside_window(spec, p, [&](int64_t o, int64_t at) {
    const T mx = m[o], g = gz[o];
    for (int64_t i = 0; i < rows; ++i) {
      for (int64_t j = 0; j < cols; ++j) {
        const int64_t e = at + i * p.w + j;
        const T share = g_or_zero(in[e] == mx, g);
        if constexpr (kTile) {
          out[e] = share;
        } else {
          out[e] += share;
        }
      }
    }
  });
}

// gx holds zeros, except where `tile` (windows_tile, which the caller decided the buffer by):
// then every element is written.
template <class T>
void max_grad_planes(const PoolSpec& spec, const Planes& p, bool tile, const T* x, const T* m,
                     const T* gz, T* gx) {
  if (windows_inside(spec, p)) {
    dispatch_window(spec, [&](auto rows, auto cols) {
      for_each_plane(p, [&](int64_t k) {
        const int64_t in = k * p.h * p.w, pooled = k * p.oh * p.ow;
        if (tile) {
          max_grad_inside<T, rows(), cols(), true>(spec, p, x + in, m + pooled, gz + pooled,
                                                   gx + in);
        } else {
          max_grad_inside<T, rows(), cols(), false>(spec, p, x + in, m + pooled, gz + pooled,
                                                    gx + in);
        }
      });
    });
    return;
  }
  for_each_plane(p, [&](int64_t k) {
    const T* in = x + k * p.h * p.w;
    T* out = gx + k * p.h * p.w;
    const int64_t base = k * p.oh * p.ow;
    for_each_window(spec, p,
                    [&](int64_t o, int64_t r0, int64_t r1, int64_t c0, int64_t c1, int64_t) {
                      const T mx = m[base + o], g = gz[base + o];
                      for (int64_t r = r0; r < r1; ++r) {
                        for (int64_t c = c0; c < c1; ++c) {
                          if (in[r * p.w + c] == mx) out[r * p.w + c] += g;
                        }
                      }
                    });
  });
}

template <class T>
void average_grad_planes(const PoolSpec& spec, const Planes& p, const T* gz, T* gx) {
  for_each_plane(p, [&](int64_t k) {
    T* out = gx + k * p.h * p.w;
    const int64_t base = k * p.oh * p.ow;
    for_each_window(
        spec, p, [&](int64_t o, int64_t r0, int64_t r1, int64_t c0, int64_t c1, int64_t divisor) {
          if (divisor == 0) return;  // a window without elements
          const T g = divisor == 1 ? gz[base + o] : gz[base + o] / static_cast<T>(divisor);
          for (int64_t r = r0; r < r1; ++r) {
            for (int64_t c = c0; c < c1; ++c) out[r * p.w + c] += g;
          }
        });
  });
}

// Checks x and that `pooled` (maxout or gz) has the pooled type of x.
TensorType check_grad_inputs(const Op& op, const PoolSpec& spec, const TensorType& x,
                             const std::vector<const TensorType*>& pooled,
                             const std::vector<std::string>& names) {
  require_pooled(op, x, "the input");
  const TensorType want(x.dtype, static_out_shape(spec, x.shape));
  for (size_t i = 0; i < pooled.size(); ++i) require_like(op, *pooled[i], want, names[i]);
  return x;
}

}  // namespace

std::vector<TensorType> MaxPoolGrad::output_types(const std::vector<Var>& inputs) const {
  if (inputs.size() != 3) {
    throw TypeError(
        op_error(*this, "expected 3 inputs (x, maxout, gz), got " + std::to_string(inputs.size())));
  }
  return {check_grad_inputs(*this, spec_, inputs[0]->type, {&inputs[1]->type, &inputs[2]->type},
                            {"maxout", "gz"})};
}

void MaxPoolGrad::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray x = contiguous(inputs[0]), m = contiguous(inputs[1]), gz = contiguous(inputs[2]);
  const Shape ys = out_shape(spec_, x.shape());
  require_shape(*this, m, ys, "maxout");
  require_shape(*this, gz, ys, "gz");
  const Planes p = planes_of(spec_, x.shape());
  const bool tile = windows_tile(spec_, p);
  if (tile) {
    reuse_or_empty(outputs[0], x.dtype(), x.shape());
  } else {
    outputs[0] = NDArray::zeros(x.dtype(), x.shape());
  }
  if (gz.size() == 0) return;
  dispatch_float(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    max_grad_planes<T>(spec_, p, tile, x.data<T>(), m.data<T>(), gz.data<T>(),
                       outputs[0].data<T>());
  });
}

std::vector<Var> MaxPoolGrad::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                                   const std::vector<Var>& output_grads) const {
  const Var& g = output_grads[0];
  if (!g) return {nullptr, nullptr, nullptr};
  return {zeros_like(inputs[0]), zeros_like(inputs[1]),
          max_pool_grad_grad(inputs[0], inputs[1], g, spec_)};
}

std::optional<std::vector<std::vector<Var>>> MaxPoolGrad::infer_shape(
    const std::vector<Var>&, const std::vector<std::vector<Var>>& shapes) const {
  return std::vector<std::vector<Var>>{shapes[0]};
}

std::vector<TensorType> AveragePoolGrad::output_types(const std::vector<Var>& inputs) const {
  if (inputs.size() != 2) {
    throw TypeError(
        op_error(*this, "expected 2 inputs (x, gz), got " + std::to_string(inputs.size())));
  }
  if (spec_.mode == PoolMode::Max) {
    throw ValueError(op_error(*this, "mode 'max' takes MaxPoolGrad"));
  }
  return {check_grad_inputs(*this, spec_, inputs[0]->type, {&inputs[1]->type}, {"gz"})};
}

void AveragePoolGrad::perform(const std::vector<NDArray>& inputs,
                              std::vector<NDArray>& outputs) const {
  const NDArray& x = inputs[0];
  const NDArray gz = contiguous(inputs[1]);
  require_shape(*this, gz, out_shape(spec_, x.shape()), "gz");
  const Planes p = planes_of(spec_, x.shape());
  outputs[0] = NDArray::zeros(x.dtype(), x.shape());
  if (gz.size() == 0) return;
  dispatch_float(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    average_grad_planes<T>(spec_, p, gz.data<T>(), outputs[0].data<T>());
  });
}

std::vector<Var> AveragePoolGrad::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                                       const std::vector<Var>& output_grads) const {
  const Var& g = output_grads[0];
  if (!g) return {nullptr, nullptr};
  return {zeros_like(inputs[0]), pool_2d(g, spec_)};
}

std::optional<std::vector<std::vector<Var>>> AveragePoolGrad::infer_shape(
    const std::vector<Var>&, const std::vector<std::vector<Var>>& shapes) const {
  return std::vector<std::vector<Var>>{shapes[0]};
}

Var max_pool_grad(const Var& x, const Var& maxout, const Var& gz, const PoolSpec& spec) {
  return make_node1(std::make_shared<MaxPoolGrad>(spec), {x, maxout, gz});
}

Var average_pool_grad(const Var& x, const Var& gz, const PoolSpec& spec) {
  return make_node1(std::make_shared<AveragePoolGrad>(spec), {x, gz});
}

THEON_OP_FILE(pool_grad) {
  register_op_factory("MaxPoolGrad", [](const PropReader& f) -> OpPtr {
    return std::make_shared<MaxPoolGrad>(PoolSpec::read(f));
  });
  register_op_factory("AveragePoolGrad", [](const PropReader& f) -> OpPtr {
    return std::make_shared<AveragePoolGrad>(PoolSpec::read(f));
  });
  register_builder("max_pool_grad", 3, 3, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{
        max_pool_grad(in[0], in[1], in[2], spec_from_params("max_pool_grad", p))};
  });
  register_builder("average_pool_grad", 2, 2, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{
        average_pool_grad(in[0], in[1], spec_from_params("average_pool_grad", p))};
  });
}

}  // namespace theon
