// Split{n, axis}: n views of consecutive pieces of x along an axis, and its C++ API split.
#include "../shape_util.hpp"
#include "theon/core/checked_size.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/join.hpp"
#include "theon/ops/shape.hpp"

namespace theon {

std::vector<std::pair<int, int>> Split::view_map() const {
  std::vector<std::pair<int, int>> m;
  for (int i = 0; i < n_; ++i) m.emplace_back(i, 0);
  return m;
}

std::vector<TensorType> Split::output_types(const std::vector<Var>& inputs) const {
  if (inputs.size() != 2) {
    throw TypeError(
        op_error(*this, "expected 2 inputs (x, sizes), got " + std::to_string(inputs.size())));
  }
  const TensorType& t = inputs[0]->type;
  const Var& sizes = inputs[1];
  if (t.ndim() == 0) throw ValueError(op_error(*this, "cannot split a 0-d array"));
  if (axis_ < 0 || axis_ >= t.ndim()) {
    throw ValueError(op_error(*this, "axis " + std::to_string(axis_) +
                                         " is out of bounds for array of dimension " +
                                         std::to_string(t.ndim())));
  }
  if (sizes->type.ndim() != 1 || !is_integer(sizes->type.dtype)) {
    throw TypeError(
        op_error(*this, "the split sizes must be an integer vector, got " + sizes->type.str()));
  }
  if (n_ < 1) throw ValueError(op_error(*this, "n_splits must be >= 1"));
  if (sizes->type.shape[0] != kUnknownDim && sizes->type.shape[0] != n_) {
    throw ValueError(op_error(*this, "got " + std::to_string(sizes->type.shape[0]) +
                                         " split sizes for " + std::to_string(n_) + " splits"));
  }
  std::vector<TensorType> out(n_, TensorType(t.dtype, t.shape));
  auto vals = static_int_vector(sizes);
  int64_t total = 0;
  bool all_known = vals.has_value();
  for (int64_t i = 0; i < n_; ++i) {
    std::optional<int64_t> v = vals ? (*vals)[i] : std::nullopt;
    out[i].shape[axis_] = v ? *v : kUnknownDim;
    if (v && *v < 0) {
      throw ValueError(
          op_error(*this, "split sizes must be non-negative, got " + std::to_string(*v)));
    }
    if (v) {
      auto sum = checked_add(total, *v);
      if (!sum) throw ValueError(op_error(*this, "the split sizes overflow int64"));
      total = *sum;
    } else {
      all_known = false;
    }
  }
  if (all_known && t.shape[axis_] != kUnknownDim && total != t.shape[axis_]) {
    throw ValueError(op_error(*this, "the split sizes sum to " + std::to_string(total) +
                                         " but the input " + t.str() + " has " +
                                         std::to_string(t.shape[axis_]) + " along axis " +
                                         std::to_string(axis_)));
  }
  return out;
}

void Split::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray& x = inputs[0];
  std::vector<int64_t> sizes = read_int_vector(inputs[1]);
  const int ax = static_cast<int>(axis_);
  int64_t total = 0;
  bool ok = static_cast<int64_t>(sizes.size()) == n_;
  for (int64_t s : sizes) {
    ok = ok && s >= 0;
    auto sum = checked_add(total, s);
    ok = ok && sum;
    total = sum.value_or(total);
  }
  if (!ok || total != x.shape(ax)) {
    throw ValueError(op_error(*this, "split sizes " + ints_str(sizes) + " (" + std::to_string(n_) +
                                         " expected, summing to " + std::to_string(x.shape(ax)) +
                                         ") do not split shape " + shape_str(x.shape()) +
                                         " along axis " + std::to_string(axis_)));
  }
  int64_t offset = 0;
  for (int64_t i = 0; i < n_; ++i) {
    Shape s = x.shape();
    s[ax] = sizes[i];
    // An empty piece at the end would point one past the data; keep it at the base.
    char* p = sizes[i] == 0 ? x.raw() : x.raw() + offset * x.strides()[ax];
    outputs[i] = x.view(p, std::move(s), x.strides());
    offset += sizes[i];
  }
}

// Piece i: x's shape with the i-th split size along the axis.
SymShapes Split::infer_shape(const std::vector<Var>& inputs,
                             const std::vector<std::vector<Var>>& input_shapes) const {
  auto vals = static_int_vector(inputs[1]);
  std::vector<SymShape> out;
  for (int64_t i = 0; i < n_; ++i) {
    SymShape s = input_shapes[0];
    const bool known = vals && i < static_cast<int64_t>(vals->size()) && (*vals)[i];
    s[axis_] = known ? int64_const(*(*vals)[i]) : vector_entry(inputs[1], i);
    out.push_back(std::move(s));
  }
  return out;
}

// The pieces' gradients joined back (zeros stand for a piece the cost does not use).
std::vector<Var> Split::L_op(const std::vector<Var>&, const std::vector<Var>& outputs,
                             const std::vector<Var>& output_grads) const {
  if (!is_float(outputs[0]->type.dtype)) return {nullptr, nullptr};
  std::vector<Var> gs;
  for (size_t i = 0; i < outputs.size(); ++i) {
    gs.push_back(output_grads[i] ? output_grads[i] : zeros_like(outputs[i]));
  }
  return {gs.size() == 1 ? gs[0] : join(axis_, gs), nullptr};
}

std::vector<Var> split(const Var& x, const Var& split_sizes, int64_t n_splits, int64_t axis) {
  const int64_t nd = x->type.ndim();
  if (nd == 0) throw ValueError("split: cannot split a 0-d array (" + x->type.str() + ")");
  return make_node(std::make_shared<Split>(n_splits, normalize_axis(axis, nd, "split")),
                   {x, split_sizes});
}

std::vector<Var> split(const Var& x, const std::vector<int64_t>& split_sizes, int64_t axis) {
  NDArray s =
      NDArray::from_vector<int64_t>(split_sizes, {static_cast<int64_t>(split_sizes.size())});
  return split(x, constant(s), static_cast<int64_t>(split_sizes.size()), axis);
}

THEON_OP_FILE(split) {
  register_op_factory("Split", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Split>(f.get_int("n"), f.get_int("axis"));
  });
  register_builder("split", 2, 2, [](const std::vector<Var>& in, const Params& p) {
    int64_t n = p.has("n_splits")         ? p.get_int("n_splits")
                : in[1]->type.ndim() == 1 ? in[1]->type.shape[0]
                                          : kUnknownDim;
    if (n == kUnknownDim) throw ValueError("split: n_splits is required");
    return split(in[0], in[1], n, p.get_int("axis", 0));
  });
}

}  // namespace theon
