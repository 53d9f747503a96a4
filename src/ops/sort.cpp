// The sort op family: Sort and ArgSort along one axis or over the flattened array.
//
// argsort is always stable (NumPy's default quicksort is not, so its order among equal values
// may differ from np.argsort(kind='quicksort'); it matches kind='stable'). A 0-d input
// has no axis: axis=-1 raises like NumPy, axis=None gives a 1-element vector.
#include "theon/ops/sort.hpp"

#include <algorithm>
#include <cstring>
#include <type_traits>
#include <utility>

#include "theon/core/error.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/families.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/shape.hpp"
#include "theon/ops/subtensor.hpp"

namespace theon {
namespace {

template <class T>
using Storage = std::conditional_t<std::is_same_v<T, bool>, uint8_t, T>;

template <class T>
inline bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>) {
    return v != v;
  } else {
    return false;
  }
}

// Scratch reused across the lines of one call.
template <class S>
struct LineScratch {
  std::vector<S> vals, nans;
  std::vector<std::pair<S, int64_t>> pairs;
  std::vector<int64_t> nan_idx;
};

// NaNs are set aside (in input order) and go last; the rest sorts with <. argsort sorts
// (value, index) pairs, which makes it stable. For values only equal elements are
// interchangeable, except -0.0 and 0.0, whose relative order is unspecified (as in NumPy's
// default sort).
template <class T>
void sort_line(const char* src, int64_t ss, char* dst, int64_t ds, int64_t n, bool indices,
               LineScratch<Storage<T>>& b) {
  using S = Storage<T>;
  if (!indices) {
    b.vals.clear();
    b.nans.clear();
    for (int64_t i = 0; i < n; ++i) {
      S v;
      std::memcpy(&v, src + i * ss, sizeof(S));
      (is_nan(v) ? b.nans : b.vals).push_back(v);
    }
    std::sort(b.vals.begin(), b.vals.end());
    b.vals.insert(b.vals.end(), b.nans.begin(), b.nans.end());
    for (int64_t i = 0; i < n; ++i) std::memcpy(dst + i * ds, &b.vals[i], sizeof(S));
    return;
  }
  b.pairs.clear();
  b.nan_idx.clear();
  for (int64_t i = 0; i < n; ++i) {
    S v;
    std::memcpy(&v, src + i * ss, sizeof(S));
    if (is_nan(v)) {
      b.nan_idx.push_back(i);
    } else {
      b.pairs.emplace_back(v, i);
    }
  }
  std::sort(b.pairs.begin(), b.pairs.end());
  int64_t k = 0;
  for (const auto& pr : b.pairs) std::memcpy(dst + (k++) * ds, &pr.second, sizeof(int64_t));
  for (int64_t i : b.nan_idx) std::memcpy(dst + (k++) * ds, &i, sizeof(int64_t));
}

std::string check_kind(const std::string& op, const std::string& kind) {
  if (kind != "quicksort" && kind != "mergesort" && kind != "heapsort" && kind != "stable") {
    throw ValueError(op +
                     ": kind must be one of 'quicksort', 'mergesort', 'heapsort', "
                     "'stable', got '" +
                     kind + "'");
  }
  return kind;
}

}  // namespace

Sort::Sort(bool indices, std::optional<int64_t> axis) : indices_(indices), axis_(axis) {}

std::string Sort::props() const {
  return "axis=" + (axis_ ? std::to_string(*axis_) : std::string("None"));
}

std::vector<TensorType> Sort::output_types(const std::vector<Var>& inputs) const {
  if (inputs.size() != 1) {
    throw TypeError(op_error(*this, "expected 1 input, got " + std::to_string(inputs.size())));
  }
  const TensorType& t = inputs[0]->type;
  const DType dt = indices_ ? DType::Int64 : t.dtype;
  if (!axis_) {
    int64_t n = 1;
    for (int64_t d : t.shape) n = (d == kUnknownDim || n == kUnknownDim) ? kUnknownDim : n * d;
    return {TensorType(dt, {n})};
  }
  if (*axis_ < 0 || *axis_ >= t.ndim()) {
    throw ValueError(op_error(*this, "axis " + std::to_string(*axis_) +
                                         " is out of bounds for array of dimension " +
                                         std::to_string(t.ndim())));
  }
  return {TensorType(dt, t.shape)};
}

void Sort::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray& x = inputs[0];
  const DType dt = indices_ ? DType::Int64 : x.dtype();
  if (axis_ && *axis_ >= x.ndim()) {
    throw ValueError(op_error(*this, "axis " + std::to_string(*axis_) +
                                         " is out of bounds for array of dimension " +
                                         std::to_string(x.ndim())));
  }
  NDArray src = x;
  int axis;
  Shape out_shape;
  if (!axis_) {
    if (!src.is_c_contiguous()) src = x.copy();
    out_shape = {x.size()};
    src = src.view(src.raw(), out_shape, {static_cast<int64_t>(itemsize(x.dtype()))});
    axis = 0;
  } else {
    out_shape = x.shape();
    axis = static_cast<int>(*axis_);
  }
  NDArray& out = reuse_or_empty(outputs[0], dt, out_shape);
  if (out.size() == 0) return;
  const int nd = src.ndim();
  const int64_t len = src.shape(axis);
  const int64_t ss = src.strides()[axis];
  const Strides ostr = c_strides(out_shape, itemsize(dt));
  const int64_t os = ostr[axis];
  std::vector<int> others;
  for (int i = 0; i < nd; ++i)
    if (i != axis) others.push_back(i);
  std::vector<int64_t> cnt(others.size(), 0);
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    LineScratch<Storage<T>> scratch;
    const char* p = src.raw();
    char* o = out.raw();
    while (true) {
      sort_line<T>(p, ss, o, os, len, indices_, scratch);
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
  });
}

std::vector<Var> Sort::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                            const std::vector<Var>& output_grads) const {
  const Var& x = inputs[0];
  const Var& g = output_grads[0];
  if (indices_ || !is_float(x->type.dtype) || !g) return {nullptr};
  // sorted[i] = x[p[i]] with p = argsort(x), so grad_x[j] = g[inv[j]] with inv = argsort(p),
  // the inverse permutation. argsort and sort agree on where every value goes (equal values are
  // interchangeable, NaNs go last in input order in both).
  if (!axis_) {
    const Var inv = argsort(argsort(x, std::nullopt), 0);
    const Var gflat = take(g, inv, 0);
    return {x->type.ndim() == 1 ? gflat : reshape(gflat, shape(x))};
  }
  const int64_t axis = *axis_;
  const int64_t nd = x->type.ndim();
  const Var inv = argsort(argsort(x, axis), axis);
  // g[i0, ..., inv[i0, ..., i_{nd-1}], ...]: an arange on each other axis, broadcast along it.
  std::vector<Index> key;
  for (int64_t d = 0; d < nd; ++d) {
    if (d == axis) {
      key.push_back(idx::array(inv));
      continue;
    }
    std::vector<int64_t> pattern(nd, kNewAxis);
    pattern[d] = 0;
    key.push_back(idx::array(dimshuffle(arange(shape_i(x, d)), pattern)));
  }
  return {getitem(g, key)};
}

namespace {

Var make_sort(bool indices, const char* name, const Var& x, std::optional<int64_t> axis,
              const std::string& kind) {
  std::optional<int64_t> a;
  try {
    check_kind(name, kind);
    if (axis) a = normalize_axis(name, *axis, x->type.ndim());
  } catch (const Error& e) {
    const std::string& where = current_location();
    if (where.empty()) throw;
    rethrow_with_message(e, std::string(e.what()) + "\n  (node built at " + where + ")");
  }
  if (indices) return make_node1(std::make_shared<SortOf<true>>(a), {x});
  return make_node1(std::make_shared<SortOf<false>>(a), {x});
}

std::optional<int64_t> sort_axis(const Params& p) {
  // An absent axis means the default -1; an explicit None flattens.
  if (!p.values().count("axis")) return -1;
  if (!p.has("axis")) return std::nullopt;
  return p.get_int("axis");
}

}  // namespace

Var sort(const Var& x, std::optional<int64_t> axis, const std::string& kind) {
  return make_sort(false, "sort", x, axis, kind);
}

Var argsort(const Var& x, std::optional<int64_t> axis, const std::string& kind) {
  return make_sort(true, "argsort", x, axis, kind);
}

void register_sort_ops() {
  register_builder("sort", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{sort(in[0], sort_axis(p), p.get_string("kind", "quicksort"))};
  });
  register_builder("argsort", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{argsort(in[0], sort_axis(p), p.get_string("kind", "quicksort"))};
  });
}

}  // namespace theon
