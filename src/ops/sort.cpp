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

#include "axis_lines.hpp"
#include "element_util.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/shape.hpp"
#include "theon/ops/subtensor.hpp"

namespace theon {
namespace {

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

std::optional<std::vector<std::vector<Var>>> Sort::infer_shape(
    const std::vector<Var>&, const std::vector<std::vector<Var>>& input_shapes) const {
  if (axis_) return std::vector<std::vector<Var>>{input_shapes[0]};
  return std::vector<std::vector<Var>>{{dims_product(input_shapes[0])}};
}

std::vector<TensorType> Sort::output_types(const std::vector<Var>& inputs) const {
  if (inputs.size() != 1) {
    throw TypeError(op_error(*this, "expected 1 input, got " + std::to_string(inputs.size())));
  }
  const TensorType& t = inputs[0]->type;
  const DType dt = indices_ ? DType::Int64 : t.dtype;
  return {TensorType(dt, line_op_shape(*this, t, axis_))};
}

void Sort::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray& x = inputs[0];
  const DType dt = indices_ ? DType::Int64 : x.dtype();
  const AxisLines lines = axis_lines(*this, x, axis_);
  NDArray& out = reuse_or_empty(outputs[0], dt, lines.out_shape);
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    LineScratch<Storage<T>> scratch;
    for_each_line(lines, out, [&](const char* p, int64_t ss, char* o, int64_t os, int64_t len) {
      sort_line<T>(p, ss, o, os, len, indices_, scratch);
    });
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

THEON_OP_FILE(sort) {
  register_op_factory("Sort", [](const PropReader& f) -> OpPtr {
    return std::make_shared<SortOf<false>>(f.get_optional_int("axis"));
  });
  register_op_factory("ArgSort", [](const PropReader& f) -> OpPtr {
    return std::make_shared<SortOf<true>>(f.get_optional_int("axis"));
  });
  register_builder("sort", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{sort(in[0], sort_axis(p), p.get_string("kind", "quicksort"))};
  });
  register_builder("argsort", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{argsort(in[0], sort_axis(p), p.get_string("kind", "quicksort"))};
  });
}

}  // namespace theon
