// NumPy indexing: the index description, type inference, the C++ API and the builders.
// The runtime kernels are in subtensor_perform.cpp.
#include "theon/ops/subtensor.hpp"

#include <algorithm>
#include <memory>

#include "subtensor_detail.hpp"
#include "theon/core/error.hpp"
#include "theon/core/iterate.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/families.hpp"
#include "theon/ops/gradient_support.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/shape.hpp"

namespace theon {

using subtensor_detail::SliceRange;

// ---------------------------------------------------------------------------------------------
// IndexSpec

bool IndexSpec::advanced() const {
  for (const auto& e : entries) {
    if (e.kind == IndexEntry::Kind::Array || e.kind == IndexEntry::Kind::Mask) return true;
  }
  return false;
}

namespace {

std::string part_str(const IndexPart& p) {
  switch (p.mode) {
    case IndexPart::Mode::None:
      return "";
    case IndexPart::Mode::Const:
      return std::to_string(p.value);
    case IndexPart::Mode::Input:
      return "$";
  }
  return "";
}

// Renders the key; `sym` gives the text of the index input in a slot.
template <class Sym>
std::string render(const IndexSpec& spec, Sym&& sym) {
  auto part = [&](const IndexPart& p) {
    return p.mode == IndexPart::Mode::Input ? sym(static_cast<int>(p.value)) : part_str(p);
  };
  std::string s;
  for (size_t i = 0; i < spec.entries.size(); ++i) {
    const IndexEntry& e = spec.entries[i];
    if (i) s += ", ";
    switch (e.kind) {
      case IndexEntry::Kind::Int:
        s += part(e.part[0]);
        break;
      case IndexEntry::Kind::Slice:
        s += part(e.part[0]) + ":" + part(e.part[1]);
        if (e.part[2].mode != IndexPart::Mode::None) s += ":" + part(e.part[2]);
        break;
      case IndexEntry::Kind::NewAxis:
        s += "None";
        break;
      case IndexEntry::Kind::Array:
        s += sym(e.slot);
        break;
      case IndexEntry::Kind::Mask:
        s += sym(e.slot);
        break;
    }
  }
  return s;
}

}  // namespace

std::string IndexSpec::str() const {
  // Arrays and masks print by kind: the slot is implied by the order of the entries.
  std::vector<bool> mask_slot(num_inputs, false);
  for (const auto& e : entries)
    if (e.kind == IndexEntry::Kind::Mask) mask_slot[e.slot] = true;
  std::vector<bool> array_slot(num_inputs, false);
  for (const auto& e : entries)
    if (e.kind == IndexEntry::Kind::Array) array_slot[e.slot] = true;
  return render(*this, [&](int slot) -> std::string {
    if (mask_slot[slot]) return "[bool]";
    if (array_slot[slot]) return "[int]";
    return "$";
  });
}

namespace subtensor_detail {

SliceRange normalize_slice(std::optional<int64_t> start, std::optional<int64_t> stop,
                           std::optional<int64_t> step, int64_t n) {
  // Python's slice.indices(n); the caller has rejected a zero step.
  const int64_t st = step.value_or(1);
  const int64_t lower = st > 0 ? 0 : -1;
  const int64_t upper = st > 0 ? n : n - 1;
  auto clamp = [&](std::optional<int64_t> v, int64_t dflt) {
    if (!v) return dflt;
    int64_t x = *v;
    if (x < 0) {
      x += n;
      return x < lower ? lower : x;
    }
    return x > upper ? upper : x;
  };
  const int64_t b = clamp(start, st > 0 ? lower : upper);
  const int64_t e = clamp(stop, st > 0 ? upper : lower);
  int64_t len = 0;
  if (st > 0) {
    len = e > b ? (e - b + st - 1) / st : 0;
  } else {
    len = b > e ? (b - e - st - 1) / (-st) : 0;
  }
  return {len == 0 ? 0 : b, len, st};
}

AdvLayout adv_layout(const IndexSpec& spec) {
  AdvLayout L;
  L.advanced = spec.advanced();
  if (!L.advanced) return L;
  int first = -1, last = -1, count = 0;
  for (int i = 0; i < static_cast<int>(spec.entries.size()); ++i) {
    const auto k = spec.entries[i].kind;
    if (k == IndexEntry::Kind::Int || k == IndexEntry::Kind::Array || k == IndexEntry::Kind::Mask) {
      if (first < 0) first = i;
      last = i;
      ++count;
    }
  }
  const bool adjacent = last - first + 1 == count;
  // NumPy: adjacent advanced indices replace their dimensions in place; otherwise the
  // broadcast dimensions come first.
  int pos = 0;
  if (adjacent) {
    for (int i = 0; i < first; ++i) {
      const auto k = spec.entries[i].kind;
      if (k == IndexEntry::Kind::Slice || k == IndexEntry::Kind::NewAxis) ++pos;
    }
  }
  L.adv_pos = pos;
  return L;
}

std::string out_of_bounds(int64_t index, int axis, int64_t size) {
  return "index " + std::to_string(index) + " is out of bounds for axis " + std::to_string(axis) +
         " with size " + std::to_string(size);
}

std::string mask_mismatch(int axis, int64_t size, int64_t mask_size) {
  return "boolean index did not match indexed array along axis " + std::to_string(axis) +
         "; size of axis is " + std::to_string(size) +
         " but size of corresponding boolean axis is " + std::to_string(mask_size);
}

}  // namespace subtensor_detail

namespace {

using namespace subtensor_detail;

// The value of a constant scalar part, if it is known at build time.
std::optional<int64_t> static_part(const IndexPart& p, const std::vector<Var>& index_inputs,
                                   bool* is_none) {
  *is_none = p.mode == IndexPart::Mode::None;
  if (p.mode == IndexPart::Mode::Const) return p.value;
  if (p.mode == IndexPart::Mode::Input) {
    const NDArray* c = constant_value(index_inputs[p.value]);
    if (c && c->ndim() == 0) return read_int(*c);
  }
  return std::nullopt;
}

void check_index_inputs(const Op& op, const IndexSpec& spec, const std::vector<Var>& idx) {
  std::vector<int> role(spec.num_inputs, 0);  // 1 scalar, 2 int array, 3 mask
  for (const auto& e : spec.entries) {
    if (e.kind == IndexEntry::Kind::Array) role[e.slot] = 2;
    if (e.kind == IndexEntry::Kind::Mask) role[e.slot] = 3;
    for (const auto& p : e.part)
      if (p.mode == IndexPart::Mode::Input) role[p.value] = 1;
  }
  for (int s = 0; s < spec.num_inputs; ++s) {
    const TensorType& t = idx[s]->type;
    const std::string got =
        "got " + std::string(dtype_name(t.dtype)) + " with " + std::to_string(t.ndim()) + " dims";
    if (role[s] == 1 && (t.ndim() != 0 || !is_integer(t.dtype))) {
      throw IndexError(op_error(op, std::string(kBadIndex) + ": index input " + std::to_string(s) +
                                        " must be an integer scalar, " + got));
    }
    if (role[s] == 2 && !is_integer(t.dtype)) {
      throw IndexError(op_error(op, std::string(kBadIndex) + ": index input " + std::to_string(s) +
                                        " must be an integer array, " + got));
    }
    if (role[s] == 3 && !is_bool(t.dtype)) {
      throw IndexError(
          op_error(op, "index input " + std::to_string(s) + " must be a boolean mask, " + got));
    }
  }
}

void check_step(const Op& op, std::optional<int64_t> step) {
  if (step && *step == 0) throw ValueError(op_error(op, "slice step cannot be zero"));
}

// The static shape of x[idx] (checks what can be checked at build time).
StaticShape indexed_static_shape(const Op& op, const IndexSpec& spec, const TensorType& xt,
                                 const std::vector<Var>& idx) {
  check_index_inputs(op, spec, idx);
  const AdvLayout L = adv_layout(spec);
  StaticShape rest;
  std::vector<StaticShape> adv_shapes;
  int d = 0;
  int consumed = 0;
  for (const auto& e : spec.entries) {
    if (e.kind == IndexEntry::Kind::Mask) {
      consumed += idx[e.slot]->type.ndim();
    } else if (e.kind != IndexEntry::Kind::NewAxis) {
      ++consumed;
    }
  }
  if (consumed > xt.ndim()) {
    throw IndexError(op_error(op, "too many indices for array: array is " +
                                      std::to_string(xt.ndim()) + "-dimensional, but " +
                                      std::to_string(consumed) + " were indexed"));
  }
  for (const auto& e : spec.entries) {
    switch (e.kind) {
      case IndexEntry::Kind::Int: {
        bool none = false;
        auto v = static_part(e.part[0], idx, &none);
        const int64_t n = xt.shape[d];
        if (v && n != kUnknownDim && (*v < -n || *v >= n)) {
          throw IndexError(op_error(op, out_of_bounds(*v, d, n)));
        }
        if (L.advanced) adv_shapes.push_back({});
        ++d;
        break;
      }
      case IndexEntry::Kind::Slice: {
        bool n0 = false, n1 = false, n2 = false;
        auto a = static_part(e.part[0], idx, &n0);
        auto b = static_part(e.part[1], idx, &n1);
        auto c = static_part(e.part[2], idx, &n2);
        check_step(op, c);
        const int64_t n = xt.shape[d];
        const bool known = n != kUnknownDim && (a || n0) && (b || n1) && (c || n2);
        if (known) {
          rest.push_back(normalize_slice(a, b, c, n).len);
        } else if (n == 0) {
          rest.push_back(0);
        } else {
          rest.push_back(kUnknownDim);
        }
        ++d;
        break;
      }
      case IndexEntry::Kind::NewAxis:
        rest.push_back(1);
        break;
      case IndexEntry::Kind::Array: {
        const Var& a = idx[e.slot];
        const int64_t n = xt.shape[d];
        if (const NDArray* c = constant_value(a); c && n != kUnknownDim) {
          NDArray v = c->astype(DType::Int64);
          for (int64_t i = 0; i < v.size(); ++i) {
            const int64_t k = v.data<int64_t>()[i];
            if (k < -n || k >= n) throw IndexError(op_error(op, out_of_bounds(k, d, n)));
          }
        }
        adv_shapes.push_back(a->type.shape);
        ++d;
        break;
      }
      case IndexEntry::Kind::Mask: {
        const Var& m = idx[e.slot];
        for (int j = 0; j < m->type.ndim(); ++j) {
          const int64_t n = xt.shape[d + j];
          const int64_t k = m->type.shape[j];
          if (n != kUnknownDim && k != kUnknownDim && n != k) {
            throw IndexError(op_error(op, mask_mismatch(d + j, n, k)));
          }
        }
        int64_t nnz = kUnknownDim;
        if (const NDArray* c = constant_value(m)) {
          NDArray v = c->copy();
          nnz = 0;
          for (int64_t i = 0; i < v.size(); ++i) nnz += v.data<bool>()[i] ? 1 : 0;
        }
        adv_shapes.push_back({nnz});
        d += m->type.ndim();
        break;
      }
    }
  }
  for (; d < xt.ndim(); ++d) rest.push_back(xt.shape[d]);
  if (!L.advanced) return rest;
  StaticShape bshape;
  try {
    bshape = broadcast_static(adv_shapes, "indexing arrays");
  } catch (const Error&) {
    std::string shapes;
    for (const auto& s : adv_shapes) shapes += " " + static_shape_str(s);
    throw IndexError(op_error(
        op,
        "shape mismatch: indexing arrays could not be broadcast together with shapes" + shapes));
  }
  StaticShape out(rest.begin(), rest.begin() + L.adv_pos);
  out.insert(out.end(), bshape.begin(), bshape.end());
  out.insert(out.end(), rest.begin() + L.adv_pos, rest.end());
  return out;
}

void check_num_inputs(const Op& op, const std::vector<Var>& inputs, size_t want, const char* what) {
  if (inputs.size() != want) {
    throw TypeError(op_error(op, "expected " + std::to_string(want) + " inputs (" + what +
                                     "), got " + std::to_string(inputs.size())));
  }
}

// NumPy's 'same_kind' casting: kinds ordered bool < unsigned < signed < float.
bool same_kind_castable(DType from, DType to) {
  auto order = [](DType dt) {
    switch (dtype_kind(dt)) {
      case DKind::Bool:
        return 0;
      case DKind::Unsigned:
        return 1;
      case DKind::Signed:
        return 2;
      case DKind::Float:
        return 3;
    }
    return 3;
  };
  return can_cast_safe(from, to) || order(from) <= order(to);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Ops: type inference and printing

std::vector<TensorType> Subtensor::output_types(const std::vector<Var>& inputs) const {
  check_num_inputs(*this, inputs, 1 + spec_.num_inputs, "x and the index inputs");
  if (spec_.advanced()) throw TypeError(op_error(*this, "expected a basic index"));
  std::vector<Var> idx(inputs.begin() + 1, inputs.end());
  return {
      TensorType(inputs[0]->type.dtype, indexed_static_shape(*this, spec_, inputs[0]->type, idx))};
}

std::vector<TensorType> AdvancedSubtensor::output_types(const std::vector<Var>& inputs) const {
  check_num_inputs(*this, inputs, 1 + spec_.num_inputs, "x and the index inputs");
  std::vector<Var> idx(inputs.begin() + 1, inputs.end());
  return {
      TensorType(inputs[0]->type.dtype, indexed_static_shape(*this, spec_, inputs[0]->type, idx))};
}

std::vector<TensorType> IncSubtensorBase::output_types(const std::vector<Var>& inputs) const {
  check_num_inputs(*this, inputs, 2 + spec_.num_inputs, "x, y and the index inputs");
  const TensorType& xt = inputs[0]->type;
  const TensorType& yt = inputs[1]->type;
  std::vector<Var> idx(inputs.begin() + 2, inputs.end());
  const StaticShape target = indexed_static_shape(*this, spec_, xt, idx);
  const int extra = yt.ndim() - static_cast<int>(target.size());
  for (int i = 0; i < extra; ++i) {
    if (yt.shape[i] != 1 && yt.shape[i] != kUnknownDim) {
      throw ValueError(op_error(*this, "shape mismatch: value array of shape " +
                                           static_shape_str(yt.shape) +
                                           " could not be broadcast to indexing result of shape " +
                                           static_shape_str(target)));
    }
  }
  for (int i = std::max(extra, 0); i < yt.ndim(); ++i) {
    const int64_t ys = yt.shape[i];
    const int64_t ts = target[i - extra];
    if (ys != kUnknownDim && ys != 1 && ts != kUnknownDim && ys != ts) {
      throw ValueError(op_error(*this, "shape mismatch: value array of shape " +
                                           static_shape_str(yt.shape) +
                                           " could not be broadcast to indexing result of shape " +
                                           static_shape_str(target)));
    }
  }
  if (!set_ && !same_kind_castable(yt.dtype, xt.dtype)) {
    throw TypeError(op_error(*this, "cannot increment a " + std::string(dtype_name(xt.dtype)) +
                                        " tensor by a " + std::string(dtype_name(yt.dtype)) +
                                        " value (casting rule 'same_kind')"));
  }
  return {xt};
}

// ---------------------------------------------------------------------------------------------
// Ops: symbolic shapes

namespace {

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

std::optional<std::vector<std::vector<Var>>> indexing_shape(
    const IndexSpec& spec, const std::vector<Var>& inputs,
    const std::vector<std::vector<Var>>& input_shapes) {
  const std::vector<Var> idx(inputs.begin() + 1, inputs.end());
  const std::vector<std::vector<Var>> idx_dims(input_shapes.begin() + 1, input_shapes.end());
  auto dims = indexed_dims(spec, input_shapes[0], idx, idx_dims);
  if (!dims) return std::nullopt;
  return std::vector<std::vector<Var>>{std::move(*dims)};
}

}  // namespace

std::optional<std::vector<std::vector<Var>>> Subtensor::infer_shape(
    const std::vector<Var>& inputs, const std::vector<std::vector<Var>>& input_shapes) const {
  return indexing_shape(spec_, inputs, input_shapes);
}

std::optional<std::vector<std::vector<Var>>> AdvancedSubtensor::infer_shape(
    const std::vector<Var>& inputs, const std::vector<std::vector<Var>>& input_shapes) const {
  return indexing_shape(spec_, inputs, input_shapes);
}

std::optional<std::vector<std::vector<Var>>> IncSubtensorBase::infer_shape(
    const std::vector<Var>&, const std::vector<std::vector<Var>>& input_shapes) const {
  return std::vector<std::vector<Var>>{input_shapes[0]};  // x's shape
}

std::string Subtensor::pprint(const std::vector<std::string>& args) const {
  return args[0] + "[" + render(spec_, [&](int s) { return args[1 + s]; }) + "]";
}

std::string AdvancedSubtensor::pprint(const std::vector<std::string>& args) const {
  return args[0] + "[" + render(spec_, [&](int s) { return args[1 + s]; }) + "]";
}

// ---------------------------------------------------------------------------------------------
// C++ API

IndexSpec make_index_spec(int ndim, const IndexKey& key, std::vector<Var>* inputs) {
  const std::string who = "getitem";
  int ellipses = 0;
  int consumed = 0;
  for (const auto& k : key) {
    switch (k.kind) {
      case Index::Kind::Ellipsis:
        ++ellipses;
        break;
      case Index::Kind::NewAxis:
        break;
      case Index::Kind::Array:
        if (!k.array) throw IndexError(who + ": null index array");
        consumed += is_bool(k.array->type.dtype) ? k.array->type.ndim() : 1;
        break;
      default:
        ++consumed;
    }
  }
  if (ellipses > 1) throw IndexError(who + ": an index can only have a single ellipsis ('...')");
  if (consumed > ndim) {
    throw IndexError(who + ": too many indices for array: array is " + std::to_string(ndim) +
                     "-dimensional, but " + std::to_string(consumed) + " were indexed");
  }
  std::vector<Var> unused;
  if (!inputs) inputs = &unused;
  IndexSpec spec;
  auto add_input = [&](const Var& v) {
    inputs->push_back(v);
    return spec.num_inputs++;
  };
  auto scalar_part = [&](const IndexValue& v) {
    IndexPart p;
    if (v.value) {
      p.mode = IndexPart::Mode::Const;
      p.value = *v.value;
    } else if (v.var) {
      if (v.var->type.ndim() != 0 || !is_integer(v.var->type.dtype)) {
        throw IndexError(who + ": " + kBadIndex + " (got a " +
                         std::string(dtype_name(v.var->type.dtype)) + " variable with " +
                         std::to_string(v.var->type.ndim()) + " dims)");
      }
      p.mode = IndexPart::Mode::Input;
      p.value = add_input(v.var);
    }
    return p;
  };
  for (const auto& k : key) {
    IndexEntry e;
    switch (k.kind) {
      case Index::Kind::Ellipsis:
        for (int i = 0; i < ndim - consumed; ++i) spec.entries.push_back(IndexEntry{});
        continue;
      case Index::Kind::NewAxis:
        e.kind = IndexEntry::Kind::NewAxis;
        break;
      case Index::Kind::Int:
        if (k.a.none()) throw IndexError(who + ": integer index is None");
        e.kind = IndexEntry::Kind::Int;
        e.part[0] = scalar_part(k.a);
        break;
      case Index::Kind::Slice: {
        e.kind = IndexEntry::Kind::Slice;
        e.part[0] = scalar_part(k.a);
        e.part[1] = scalar_part(k.b);
        e.part[2] = scalar_part(k.c);
        if (e.part[2].mode == IndexPart::Mode::Const && e.part[2].value == 0) {
          throw ValueError(who + ": slice step cannot be zero");
        }
        // Canonical form: a step of 1 and a start of 0 (with a positive step) are defaults.
        if (e.part[2].mode == IndexPart::Mode::Const && e.part[2].value == 1) e.part[2] = {};
        const bool positive = e.part[2].mode == IndexPart::Mode::None ||
                              (e.part[2].mode == IndexPart::Mode::Const && e.part[2].value > 0);
        if (positive && e.part[0].mode == IndexPart::Mode::Const && e.part[0].value == 0) {
          e.part[0] = {};
        }
        break;
      }
      case Index::Kind::Array: {
        const DType dt = k.array->type.dtype;
        if (!is_integer(dt) && !is_bool(dt)) {
          throw IndexError(who + ": " + kBadIndex + " (got a " + std::string(dtype_name(dt)) +
                           " array)");
        }
        e.kind = is_bool(dt) ? IndexEntry::Kind::Mask : IndexEntry::Kind::Array;
        e.slot = add_input(k.array);
        break;
      }
    }
    spec.entries.push_back(e);
  }
  // Trailing full slices change nothing.
  while (!spec.entries.empty() && spec.entries.back() == IndexEntry{}) spec.entries.pop_back();
  return spec;
}

Var subtensor(const Var& x, const IndexSpec& spec, std::vector<Var> index_inputs) {
  std::vector<Var> inputs{x};
  inputs.insert(inputs.end(), index_inputs.begin(), index_inputs.end());
  if (spec.advanced()) return make_node1(std::make_shared<AdvancedSubtensor>(spec), inputs);
  return make_node1(std::make_shared<Subtensor>(spec), inputs);
}

Var getitem(const Var& x, const IndexKey& key) {
  std::vector<Var> inputs;
  IndexSpec spec = make_index_spec(x->type.ndim(), key, &inputs);
  return subtensor(x, spec, std::move(inputs));
}

namespace {

// The (advanced) set/inc node of x[idx] with y for a given spec and its index inputs.
Var inc_node(const IndexSpec& spec, bool set, const Var& x, const Var& y,
             const std::vector<Var>& index_inputs) {
  std::vector<Var> inputs{x, y};
  inputs.insert(inputs.end(), index_inputs.begin(), index_inputs.end());
  if (spec.advanced()) return make_node1(std::make_shared<AdvancedIncSubtensor>(spec, set), inputs);
  return make_node1(std::make_shared<IncSubtensor>(spec, set), inputs);
}

Var set_or_inc(const Var& indexed, const Var& y, bool set, const char* fname) {
  const Apply* node = indexed ? indexed->owner : nullptr;
  const IndexingOp* op = node ? dynamic_cast<const IndexingOp*>(node->op().get()) : nullptr;
  if (!op || dynamic_cast<const IncSubtensorBase*>(op)) {
    throw TypeError(
        std::string(fname) +
        ": expected the result of an indexing operation (x[...]) as first argument, got " +
        (indexed ? var_label(*indexed) : std::string("null")));
  }
  return inc_node(op->spec(), set, node->inputs()[0], y,
                  std::vector<Var>(node->inputs().begin() + 1, node->inputs().end()));
}

}  // namespace

Var set_subtensor(const Var& indexed, const Var& y) {
  return set_or_inc(indexed, y, true, "set_subtensor");
}

Var inc_subtensor(const Var& indexed, const Var& y) {
  return set_or_inc(indexed, y, false, "inc_subtensor");
}

Var take(const Var& x, const Var& indices, int64_t axis) {
  const int nd = x->type.ndim();
  if (axis < -nd || axis >= nd) {
    throw ValueError("take: axis " + std::to_string(axis) +
                     " is out of bounds for array of dimension " + std::to_string(nd));
  }
  if (axis < 0) axis += nd;
  if (is_bool(indices->type.dtype) || !is_integer(indices->type.dtype)) {
    throw TypeError("take: indices must be integers, got " +
                    std::string(dtype_name(indices->type.dtype)));
  }
  std::vector<Index> key(axis, idx::all());
  key.push_back(indices->type.ndim() == 0 ? idx::at(indices) : idx::array(indices));
  return getitem(x, key);
}

// ---------------------------------------------------------------------------------------------
// Gradients

namespace {

// Whether the indexing may reach one location of x more than once (only integer arrays can).
// Provably not when there is a single integer array, constant, whose values are distinct and
// all of one sign (so no negative index can alias a non-negative one).
bool may_repeat(const IndexSpec& spec, const std::vector<Var>& index_inputs) {
  const IndexEntry* array = nullptr;
  for (const auto& e : spec.entries) {
    if (e.kind != IndexEntry::Kind::Array) continue;
    if (array) return true;
    array = &e;
  }
  if (!array) return false;
  const NDArray* c = constant_value(index_inputs[array->slot]);
  if (!c) return true;
  NDArray v = c->astype(DType::Int64);  // a contiguous copy
  std::vector<int64_t> vals(v.data<int64_t>(), v.data<int64_t>() + v.size());
  std::sort(vals.begin(), vals.end());
  if (std::adjacent_find(vals.begin(), vals.end()) != vals.end()) return true;
  return !vals.empty() && vals.front() < 0 && vals.back() >= 0;
}

// g[idx] restricted to the writes of set_subtensor(x[idx], .) that land: where the index
// reaches a location several times, the last write wins (the kernel writes in index order),
// and the others get no gradient. Found by writing the position numbers of the indexed
// result into an integer array shaped like x and reading them back.
Var landed_writes(const IndexSpec& spec, const Var& x, const Var& g_indexed,
                  const std::vector<Var>& index_inputs) {
  Var ids = reshape(arange(size(g_indexed)), shape(g_indexed));
  Var written = inc_node(spec, true, zeros_like(x, DType::Int64), ids, index_inputs);
  Var landed = equal(subtensor(written, spec, index_inputs), ids);
  return mul(g_indexed, landed);
}

// The gradient with respect to x of x[idx]: g added into zeros at the indexed locations.
std::vector<Var> indexing_grad(const IndexSpec& spec, const std::vector<Var>& inputs,
                               const Var& g) {
  std::vector<Var> grads(inputs.size());
  const Var& x = inputs[0];
  if (!g || !is_float(x->type.dtype)) return grads;
  grads[0] =
      inc_node(spec, false, zeros_like(x), g, std::vector<Var>(inputs.begin() + 1, inputs.end()));
  return grads;
}

}  // namespace

std::vector<Var> Subtensor::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                                 const std::vector<Var>& output_grads) const {
  return indexing_grad(spec_, inputs, output_grads[0]);
}

std::vector<Var> AdvancedSubtensor::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                                         const std::vector<Var>& output_grads) const {
  return indexing_grad(spec_, inputs, output_grads[0]);
}

std::vector<Var> IncSubtensorBase::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                                        const std::vector<Var>& output_grads) const {
  std::vector<Var> grads(inputs.size());
  const Var& g = output_grads[0];
  if (!g) return grads;
  const Var& x = inputs[0];
  const Var& y = inputs[1];
  const std::vector<Var> idx(inputs.begin() + 2, inputs.end());
  if (is_float(x->type.dtype)) {
    // set: the indexed locations of x are overwritten, so they get no gradient.
    grads[0] = set_ ? inc_node(spec_, true, g, scalar_constant(0.0, g->type.dtype), idx) : g;
  }
  if (is_float(y->type.dtype)) {
    Var gy = subtensor(g, spec_, idx);
    if (set_ && may_repeat(spec_, idx)) gy = landed_writes(spec_, x, gy, idx);
    // y was broadcast to the indexed shape; leading size-1 dimensions beyond it were dropped.
    const int extra = y->type.ndim() - gy->type.ndim();
    if (extra > 0) {
      std::vector<Index> key(extra, idx::newaxis());
      key.push_back(idx::ellipsis());
      gy = getitem(gy, key);
    }
    grads[1] = sum_to_shape(gy, y);
  }
  return grads;
}

// ---------------------------------------------------------------------------------------------
// Builders (x[key] is built by getitem, from the key the Python bindings parse)

void register_subtensor_ops() {
  subtensor_detail::register_subtensor_factories();
  register_builder("set_subtensor", 2, 2, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{set_subtensor(in[0], in[1])};
  });
  register_builder("inc_subtensor", 2, 2, [](const std::vector<Var>& in, const Params& p) {
    if (p.get_bool("set_instead_of_inc", false))
      return std::vector<Var>{set_subtensor(in[0], in[1])};
    return std::vector<Var>{inc_subtensor(in[0], in[1])};
  });
  register_builder("take", 2, 2, [](const std::vector<Var>& in, const Params& p) {
    Var x = in[0];
    int64_t axis = 0;
    if (p.has("axis")) {
      axis = p.get_int("axis");
    } else if (x->type.ndim() != 1) {
      // np.take without an axis indexes the flattened array.
      x = build("flatten", {x}, Params{})[0];
    }
    return std::vector<Var>{take(x, in[1], axis)};
  });
}

}  // namespace theon
