// Unique{return_index, return_inverse, return_counts, axis}(x): the sorted distinct values of x
// (np.unique), or with an axis the distinct subarrays along it in lexicographic order; with
// optionally the index of each one's first occurrence, the inverse (x's values from the
// distinct ones: x's shape without an axis, one entry per subarray with one) and the counts.
// NaNs are equal to each other and sort last (NumPy 2's equal_nan=True). The number of
// distinct values depends on the values. Integer outputs and the values are not
// differentiable here (Theano's Unique has no gradient either).
#include <algorithm>
#include <cstring>
#include <numeric>

#include "../element_util.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"

namespace theon {
namespace {

struct UniqueOptions {
  bool index = false, inverse = false, counts = false;
  std::optional<int64_t> axis;  // normalized
};

// Total order with NaN last and all NaNs equal.
template <class T>
int compare_values(T p, T q) {
  const bool pn = is_nan(p), qn = is_nan(q);
  if (pn || qn) return pn == qn ? 0 : (pn ? 1 : -1);
  return p < q ? -1 : (q < p ? 1 : 0);
}

template <class T>
int compare_rows(const T* p, const T* q, int64_t len) {
  for (int64_t i = 0; i < len; ++i) {
    const int c = compare_values(p[i], q[i]);
    if (c) return c;
  }
  return 0;
}

class Unique final : public Op {
 public:
  explicit Unique(UniqueOptions o) : o_(o) {}
  std::string type_name() const override { return "Unique"; }
  Props fields() const override {
    return {{"return_index", PropValue::boolean(o_.index)},
            {"return_inverse", PropValue::boolean(o_.inverse)},
            {"return_counts", PropValue::boolean(o_.counts)},
            {"axis", PropValue::optional_int(o_.axis)}};
  }

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    if (inputs.size() != 1) {
      throw TypeError(op_error(*this, "expected 1 input, got " + std::to_string(inputs.size())));
    }
    const TensorType& t = inputs[0]->type;
    StaticShape values{kUnknownDim};
    StaticShape inverse = t.shape;
    if (o_.axis) {
      if (*o_.axis >= t.ndim()) {
        throw ValueError(op_error(*this, "axis " + std::to_string(*o_.axis) +
                                             " is out of bounds for the input " + t.str()));
      }
      values = t.shape;
      values[*o_.axis] = kUnknownDim;
      inverse = {t.shape[*o_.axis]};
    }
    std::vector<TensorType> out{TensorType(t.dtype, values)};
    if (o_.index) out.emplace_back(DType::Int64, StaticShape{kUnknownDim});
    if (o_.inverse) out.emplace_back(DType::Int64, inverse);
    if (o_.counts) out.emplace_back(DType::Int64, StaticShape{kUnknownDim});
    return out;
  }

  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override {
    const NDArray& x = inputs[0];
    const int axis = o_.axis ? static_cast<int>(*o_.axis) : 0;
    // The subarrays as the rows of a C-contiguous (rows, len) copy.
    NDArray rows_view = x;
    if (o_.axis) {
      Shape shape = x.shape();
      Strides strides = x.strides();
      std::rotate(shape.begin(), shape.begin() + axis, shape.begin() + axis + 1);
      std::rotate(strides.begin(), strides.begin() + axis, strides.begin() + axis + 1);
      rows_view = x.view(x.raw(), shape, strides);
    }
    const NDArray rows = rows_view.copy();
    const int64_t n = o_.axis ? x.shape(axis) : x.size();
    const int64_t len = o_.axis ? (n ? x.size() / n : 0) : 1;
    std::vector<int64_t> order(n);
    std::iota(order.begin(), order.end(), int64_t{0});
    std::vector<int64_t> first, counts, inverse(n);
    visit_dtype(x.dtype(), [&](auto tag) {
      using T = Storage<typename decltype(tag)::type>;
      const T* data = reinterpret_cast<const T*>(rows.raw());
      auto cmp = [&](int64_t i, int64_t j) {
        return compare_rows(data + i * len, data + j * len, len);
      };
      std::stable_sort(order.begin(), order.end(),
                       [&](int64_t i, int64_t j) { return cmp(i, j) < 0; });
      for (int64_t r = 0; r < n; ++r) {
        if (r == 0 || cmp(order[r - 1], order[r]) != 0) {
          first.push_back(order[r]);
          counts.push_back(0);
        }
        ++counts.back();
        inverse[order[r]] = static_cast<int64_t>(first.size()) - 1;
      }
    });
    const int64_t k = static_cast<int64_t>(first.size());
    write_values(x, rows, first, len, axis, outputs[0]);
    size_t slot = 1;
    if (o_.index) write_ints(first, {k}, outputs[slot++]);
    if (o_.inverse) write_ints(inverse, o_.axis ? Shape{n} : x.shape(), outputs[slot++]);
    if (o_.counts) write_ints(counts, {k}, outputs[slot++]);
  }

  std::vector<Var> L_op(const std::vector<Var>&, const std::vector<Var>&,
                        const std::vector<Var>&) const override {
    return {nullptr};
  }

 private:
  void write_values(const NDArray& x, const NDArray& rows, const std::vector<int64_t>& first,
                    int64_t len, int axis, NDArray& slot) const {
    const int64_t k = static_cast<int64_t>(first.size());
    const size_t item = itemsize(x.dtype());
    Shape picked_shape = rows.shape();
    if (!picked_shape.empty()) picked_shape[0] = k;
    if (!o_.axis) picked_shape = {k};
    NDArray picked = NDArray::empty(x.dtype(), picked_shape);
    for (int64_t r = 0; r < k; ++r) {
      std::memcpy(picked.raw() + r * len * item, rows.raw() + first[r] * len * item, len * item);
    }
    if (!o_.axis) {
      slot = picked;
      return;
    }
    Shape shape = x.shape();
    shape[axis] = k;
    NDArray& out = reuse_or_empty(slot, x.dtype(), shape);
    Shape moved = shape;
    Strides strides = out.strides();
    std::rotate(moved.begin(), moved.begin() + axis, moved.begin() + axis + 1);
    std::rotate(strides.begin(), strides.begin() + axis, strides.begin() + axis + 1);
    out.view(out.raw(), moved, strides).copy_from(picked);
  }

  static void write_ints(const std::vector<int64_t>& values, const Shape& shape, NDArray& slot) {
    NDArray& out = reuse_or_empty(slot, DType::Int64, shape);
    if (!values.empty()) {
      std::memcpy(out.raw(), values.data(), values.size() * sizeof(int64_t));
    }
  }

  UniqueOptions o_;
};

}  // namespace

THEON_OP_FILE(unique) {
  register_op_factory("Unique", [](const PropReader& f) -> OpPtr {
    UniqueOptions o{f.get_bool("return_index"), f.get_bool("return_inverse"),
                    f.get_bool("return_counts"), f.get_optional_int("axis")};
    if (o.axis && *o.axis < 0) throw ValueError(f.context("axis") + ": must be non-negative");
    return std::make_shared<Unique>(o);
  });
  // unique(x; return_index, return_inverse, return_counts, axis=None); the outputs in that
  // order, the values first.
  register_builder("unique", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    UniqueOptions o{p.get_bool("return_index", false), p.get_bool("return_inverse", false),
                    p.get_bool("return_counts", false), std::nullopt};
    if (p.has("axis")) {
      const int64_t nd = in[0]->type.ndim();
      const int64_t a = p.get_int("axis");
      if (a < -nd || a >= nd) {
        throw ValueError("unique: axis " + std::to_string(a) + " is out of bounds for the input " +
                         in[0]->type.str());
      }
      o.axis = a < 0 ? a + nd : a;
    }
    return make_node(std::make_shared<Unique>(o), in);
  });
}

}  // namespace theon
