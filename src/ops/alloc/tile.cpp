// Tile{reps}(x): NumPy's tile with static repetitions, and its C++ API tile. The gradient sums
// the output gradient over the repetitions.
#include <algorithm>

#include "../shape_util.hpp"
#include "theon/core/checked_size.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/shape.hpp"

namespace theon {
namespace {

// s * r, or a ValueError naming the op, the tiled shape and the repetitions on overflow.
int64_t tiled_dim(const Op& op, const std::string& shape, const std::vector<int64_t>& reps,
                  int64_t s, int64_t r) {
  if (auto n = checked_mul(s, r)) return *n;
  throw ValueError(op_error(op, "array is too big: tiling shape " + shape + " by reps " +
                                    ints_str(reps) + " overflows int64"));
}

}  // namespace

std::vector<TensorType> Tile::output_types(const std::vector<Var>& inputs) const {
  if (inputs.size() != 1) throw TypeError(op_error(*this, "expected 1 input"));
  const TensorType& t = inputs[0]->type;
  for (int64_t r : reps_) {
    if (r < 0)
      throw ValueError(op_error(*this, "repetitions must be non-negative, got " + ints_str(reps_)));
  }
  const int n = std::max(t.ndim(), static_cast<int>(reps_.size()));
  StaticShape out(n);
  for (int i = 0; i < n; ++i) {
    const int xi = i - (n - t.ndim()), ri = i - (n - static_cast<int>(reps_.size()));
    const int64_t s = xi >= 0 ? t.shape[xi] : 1;
    const int64_t r = ri >= 0 ? reps_[ri] : 1;
    out[i] = r == 0             ? 0
             : s == kUnknownDim ? kUnknownDim
                                : tiled_dim(*this, static_shape_str(t.shape), reps_, s, r);
  }
  return {TensorType(t.dtype, out)};
}

void Tile::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray& x = inputs[0];
  const int n = std::max(x.ndim(), static_cast<int>(reps_.size()));
  Shape xs(n), rs(n);
  Strides xst(n);
  for (int i = 0; i < n; ++i) {
    const int xi = i - (n - x.ndim()), ri = i - (n - static_cast<int>(reps_.size()));
    xs[i] = xi >= 0 ? x.shape(xi) : 1;
    xst[i] = xi >= 0 ? x.strides()[xi] : 0;
    rs[i] = ri >= 0 ? reps_[ri] : 1;
  }
  Shape shape(n);
  for (int i = 0; i < n; ++i)
    shape[i] = tiled_dim(*this, shape_str(x.shape()), reps_, xs[i], rs[i]);
  NDArray& out = reuse_or_empty(outputs[0], x.dtype(), shape);
  // out viewed as (r0, s0, r1, s1, ...), filled from x viewed with 0 strides on the r axes.
  Shape split_shape;
  Strides dst_st, src_st;
  for (int i = 0; i < n; ++i) {
    split_shape.push_back(rs[i]);
    split_shape.push_back(xs[i]);
    dst_st.push_back(out.strides()[i] * xs[i]);
    dst_st.push_back(out.strides()[i]);
    src_st.push_back(0);
    src_st.push_back(xst[i]);
  }
  NDArray dst = out.view(out.raw(), split_shape, dst_st);
  dst.copy_from(x.view(x.raw(), split_shape, src_st));
}

SymShapes Tile::infer_shape(const std::vector<Var>& inputs,
                            const std::vector<std::vector<Var>>& input_shapes) const {
  const int xnd = inputs[0]->type.ndim();
  const int n = std::max(xnd, static_cast<int>(reps_.size()));
  SymShape out(n);
  for (int i = 0; i < n; ++i) {
    const int xi = i - (n - xnd), ri = i - (n - static_cast<int>(reps_.size()));
    const int64_t r = ri >= 0 ? reps_[ri] : 1;
    out[i] = xi >= 0 ? dims_product({input_shapes[0][xi], int64_const(r)}) : int64_const(r);
  }
  return std::vector<SymShape>{out};
}

// g seen as (r0, s0, r1, s1, ...) (only the r axes with r != 1, and no s axes for dimensions
// that tile prepended), summed over the r axes.
std::vector<Var> Tile::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                            const std::vector<Var>& output_grads) const {
  const Var& x = inputs[0];
  const Var& g = output_grads[0];
  if (!g || !is_float(x->type.dtype)) return {nullptr};
  const int xnd = x->type.ndim();
  const int n = std::max(xnd, static_cast<int>(reps_.size()));
  std::vector<Var> split_shape;
  std::vector<int64_t> sum_axes;
  for (int i = 0; i < n; ++i) {
    const int xi = i - (n - xnd), ri = i - (n - static_cast<int>(reps_.size()));
    const int64_t r = ri >= 0 ? reps_[ri] : 1;
    if (r != 1) {
      sum_axes.push_back(static_cast<int64_t>(split_shape.size()));
      split_shape.push_back(scalar_constant(r, DType::Int64));
    }
    if (xi >= 0) split_shape.push_back(shape_i(x, xi));
  }
  if (sum_axes.empty() && n == xnd) return {g};
  Var h = reshape(g, split_shape);
  return {sum_axes.empty() ? h : sum(h, sum_axes)};
}

Var tile(const Var& x, const std::vector<int64_t>& reps) {
  return make_node1(std::make_shared<Tile>(reps), {x});
}

THEON_OP_FILE(tile) {
  register_op_factory("Tile", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Tile>(f.get_ints("reps"));
  });
  register_builder("tile", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{tile(in[0], p.get_ints("reps"))};
  });
}

}  // namespace theon
