// MaxPoolGradGrad(x, maxout, ggx): the gradient of MaxPoolGrad with respect to its output
// gradient (Theano's DownsampleFactorMaxGradGrad), and its C++ API max_pool_grad_grad.
#include "../shape_util.hpp"
#include "pool_detail.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/shape.hpp"

namespace theon {
namespace {

using namespace pool_detail;

template <class T>
void grad_grad_planes(const PoolSpec& spec, const Planes& p, const T* x, const T* m, const T* ggx,
                      T* ggz) {
  for_each_plane(p, [&](int64_t k) {
    const T* in = x + k * p.h * p.w;
    const T* gg = ggx + k * p.h * p.w;
    const int64_t base = k * p.oh * p.ow;
    for_each_window(spec, p,
                    [&](int64_t o, int64_t r0, int64_t r1, int64_t c0, int64_t c1, int64_t) {
                      const T mx = m[base + o];
                      T s = 0;
                      for (int64_t r = r0; r < r1; ++r) {
                        for (int64_t c = c0; c < c1; ++c) {
                          if (in[r * p.w + c] == mx) s += gg[r * p.w + c];
                        }
                      }
                      ggz[base + o] = s;
                    });
  });
}

}  // namespace

std::vector<TensorType> MaxPoolGradGrad::output_types(const std::vector<Var>& inputs) const {
  if (inputs.size() != 3) {
    throw TypeError(op_error(
        *this, "expected 3 inputs (x, maxout, ggx), got " + std::to_string(inputs.size())));
  }
  const TensorType& x = inputs[0]->type;
  require_pooled(*this, x, "the input");
  const TensorType out(x.dtype, static_out_shape(spec_, x.shape));
  require_like(*this, inputs[1]->type, out, "maxout");
  require_like(*this, inputs[2]->type, x, "ggx");
  return {out};
}

void MaxPoolGradGrad::perform(const std::vector<NDArray>& inputs,
                              std::vector<NDArray>& outputs) const {
  const NDArray x = contiguous(inputs[0]), m = contiguous(inputs[1]), gg = contiguous(inputs[2]);
  const Shape ys = out_shape(spec_, x.shape());
  require_shape(*this, m, ys, "maxout");
  require_shape(*this, gg, x.shape(), "ggx");
  const Planes p = planes_of(spec_, x.shape());
  NDArray& out = reuse_or_empty(outputs[0], x.dtype(), ys);
  if (out.size() == 0) return;
  dispatch_float(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    grad_grad_planes<T>(spec_, p, x.data<T>(), m.data<T>(), gg.data<T>(), out.data<T>());
  });
}

// Linear in ggx with MaxPoolGrad as its transpose; piecewise constant in x and maxout.
std::vector<Var> MaxPoolGradGrad::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                                       const std::vector<Var>& output_grads) const {
  const Var& g = output_grads[0];
  if (!g) return {nullptr, nullptr, nullptr};
  return {zeros_like(inputs[0]), zeros_like(inputs[1]),
          max_pool_grad(inputs[0], inputs[1], g, spec_)};
}

std::optional<std::vector<std::vector<Var>>> MaxPoolGradGrad::infer_shape(
    const std::vector<Var>&, const std::vector<std::vector<Var>>& shapes) const {
  return std::vector<std::vector<Var>>{sym_out_shape(spec_, shapes[0])};
}

Var max_pool_grad_grad(const Var& x, const Var& maxout, const Var& ggx, const PoolSpec& spec) {
  return make_node1(std::make_shared<MaxPoolGradGrad>(spec), {x, maxout, ggx});
}

THEON_OP_FILE(max_pool_grad_grad) {
  register_op_factory("MaxPoolGradGrad", [](const PropReader& f) -> OpPtr {
    return std::make_shared<MaxPoolGradGrad>(PoolSpec::read(f));
  });
  register_builder("max_pool_grad_grad", 3, 3, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{
        max_pool_grad_grad(in[0], in[1], in[2], spec_from_params("max_pool_grad_grad", p))};
  });
}

}  // namespace theon
