// The symbolic shape of x[idx] (infer_shape of Subtensor and AdvancedSubtensor): slice lengths
// as int64 expressions, advanced indices as their broadcast shape.
#include <algorithm>
#include <optional>
#include <vector>

#include "subtensor_detail.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/shape.hpp"
#include "theon/ops/subtensor.hpp"

namespace theon {
namespace {

using namespace subtensor_detail;

// int64 scalar arithmetic that folds operands known at build time, so that constant parts of a
// key give small shape graphs.
Var i64(int64_t v) {
  return scalar_constant(v, DType::Int64);
}
std::optional<int64_t> known(const Var& v) {
  return static_int_scalar(v);
}
Var s_add(const Var& a, const Var& b) {
  const auto ka = known(a), kb = known(b);
  if (ka && kb) return i64(*ka + *kb);
  if (ka && *ka == 0) return b;
  if (kb && *kb == 0) return a;
  return add(a, b);
}
Var s_sub(const Var& a, const Var& b) {
  const auto ka = known(a), kb = known(b);
  if (ka && kb) return i64(*ka - *kb);
  if (kb && *kb == 0) return a;
  return sub(a, b);
}
Var s_min(const Var& a, const Var& b) {
  const auto ka = known(a), kb = known(b);
  if (ka && kb) return i64(std::min(*ka, *kb));
  return minimum(a, b);
}
Var s_max(const Var& a, const Var& b) {
  const auto ka = known(a), kb = known(b);
  if (ka && kb) return i64(std::max(*ka, *kb));
  return maximum(a, b);
}
// Python's a // b (b != 0 when known; an unknown zero step gives 0 through floor_divide).
Var s_floordiv(const Var& a, const Var& b) {
  const auto ka = known(a), kb = known(b);
  if (ka && kb && *kb != 0) {
    const int64_t q = *ka / *kb;
    return i64((*ka % *kb != 0 && ((*ka < 0) != (*kb < 0))) ? q - 1 : q);
  }
  if (kb && *kb == 1) return a;
  return floor_divide(a, b);
}
// a < b as a bool scalar.
Var s_less(const Var& a, const Var& b) {
  const auto ka = known(a), kb = known(b);
  if (ka && kb) return scalar_constant(int64_t{*ka < *kb ? 1 : 0}, DType::Bool);
  return less(a, b);
}
Var s_switch(const Var& cond, const Var& a, const Var& b) {
  if (const auto kc = known(cond)) return *kc ? a : b;
  if (a == b) return a;
  const auto ka = known(a), kb = known(b);
  if (ka && kb && *ka == *kb) return a;
  return switch_(cond, a, b);
}

// len(range(*slice(start, stop, step).indices(n))) as an int64 expression; a null part is
// None. Mirrors subtensor_detail::normalize_slice: start and stop are shifted by n when
// negative and clamped to [lower, upper], which are [0, n] for a positive step and [-1, n - 1]
// for a negative one; then the length is ceil((e - b) / step), at least 0, computed as
// (e - b + step - 1) // step (step > 0) or (e - b + step + 1) // step (step < 0).
Var slice_length(const Var& start, const Var& stop, const Var& step, const Var& n) {
  const Var st = step ? step : i64(1);
  const Var pos = s_less(i64(0), st);
  const Var lower = s_switch(pos, i64(0), i64(-1));
  const Var upper = s_switch(pos, n, s_sub(n, i64(1)));
  auto clamp = [&](const Var& v, const Var& dflt) -> Var {
    if (!v) return dflt;
    return s_switch(s_less(v, i64(0)), s_max(s_add(v, n), lower), s_min(v, upper));
  };
  const Var b = clamp(start, s_switch(pos, lower, upper));
  const Var e = clamp(stop, s_switch(pos, upper, lower));
  const Var off = s_switch(pos, s_sub(st, i64(1)), s_add(st, i64(1)));
  return s_max(s_floordiv(s_add(s_sub(e, b), off), st), i64(0));
}

// The dimensions of x[idx] given x's dimensions, the index inputs and their dimensions.
std::optional<std::vector<Var>> indexed_dims(const IndexSpec& spec, const std::vector<Var>& x_dims,
                                             const std::vector<Var>& idx,
                                             const std::vector<std::vector<Var>>& idx_dims) {
  const AdvLayout L = adv_layout(spec);
  auto part = [&](const IndexPart& p) -> Var {
    switch (p.mode) {
      case IndexPart::Mode::None:
        return nullptr;
      case IndexPart::Mode::Const:
        return i64(p.value);
      case IndexPart::Mode::Input:
        break;
    }
    const Var& v = idx[p.value];
    if (const auto k = known(v)) return i64(*k);
    return v->type.dtype == DType::Int64 ? v : cast(v, DType::Int64);
  };
  std::vector<Var> rest;
  std::vector<std::vector<Var>> adv_dims;
  std::vector<StaticShape> adv_static;
  size_t d = 0;
  for (const auto& e : spec.entries) {
    switch (e.kind) {
      case IndexEntry::Kind::Int:
        if (L.advanced) {  // an integer among advanced indices acts as a 0-d array
          adv_dims.emplace_back();
          adv_static.emplace_back();
        }
        ++d;
        break;
      case IndexEntry::Kind::Slice:
        rest.push_back(slice_length(part(e.part[0]), part(e.part[1]), part(e.part[2]), x_dims[d]));
        ++d;
        break;
      case IndexEntry::Kind::NewAxis:
        rest.push_back(i64(1));
        break;
      case IndexEntry::Kind::Array:
        adv_dims.push_back(idx_dims[e.slot]);
        adv_static.push_back(idx[e.slot]->type.shape);
        ++d;
        break;
      case IndexEntry::Kind::Mask: {
        // The count of true elements: a constant for a constant mask, else summed at run time
        // (which reads the mask but does not index x).
        const Var& m = idx[e.slot];
        if (const NDArray* c = constant_value(m)) {
          const NDArray v = c->copy();
          int64_t nnz = 0;
          for (int64_t i = 0; i < v.size(); ++i) nnz += v.data<bool>()[i] ? 1 : 0;
          adv_dims.push_back({i64(nnz)});
          adv_static.push_back({nnz});
        } else {
          adv_dims.push_back({sum(m)});  // bool -> int64
          adv_static.push_back({kUnknownDim});
        }
        d += static_cast<size_t>(m->type.ndim());
        break;
      }
    }
  }
  for (; d < x_dims.size(); ++d) rest.push_back(x_dims[d]);
  if (!L.advanced) return rest;
  const std::vector<Var> bshape = broadcast_dims(adv_dims, adv_static);
  std::vector<Var> out(rest.begin(), rest.begin() + L.adv_pos);
  out.insert(out.end(), bshape.begin(), bshape.end());
  out.insert(out.end(), rest.begin() + L.adv_pos, rest.end());
  return out;
}

}  // namespace

namespace subtensor_detail {

std::optional<std::vector<std::vector<Var>>> indexing_shape(
    const IndexSpec& spec, const std::vector<Var>& inputs,
    const std::vector<std::vector<Var>>& input_shapes) {
  const std::vector<Var> idx(inputs.begin() + 1, inputs.end());
  const std::vector<std::vector<Var>> idx_dims(input_shapes.begin() + 1, input_shapes.end());
  auto dims = indexed_dims(spec, input_shapes[0], idx, idx_dims);
  if (!dims) return std::nullopt;
  return std::vector<std::vector<Var>>{std::move(*dims)};
}

}  // namespace subtensor_detail
}  // namespace theon
