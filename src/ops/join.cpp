#include "theon/ops/join.hpp"

#include "shape_util.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/families.hpp"
#include "theon/ops/shape.hpp"

namespace theon {

// ---- Join ----

std::vector<TensorType> Join::output_types(const std::vector<Var>& inputs) const {
  if (inputs.empty()) throw ValueError(op_error(*this, "need at least one array to join"));
  const int nd = inputs[0]->type.ndim();
  std::string shapes;
  for (const Var& v : inputs)
    shapes += (shapes.empty() ? "" : ", ") + static_shape_str(v->type.shape);
  if (nd == 0) {
    throw ValueError(
        op_error(*this, "zero-dimensional arrays cannot be joined, got shapes " + shapes));
  }
  if (axis_ < 0 || axis_ >= nd) {
    throw ValueError(op_error(*this, "axis " + std::to_string(axis_) +
                                         " is out of bounds for arrays of dimension " +
                                         std::to_string(nd)));
  }
  DType dt = inputs[0]->type.dtype;
  StaticShape out = inputs[0]->type.shape;
  for (size_t k = 1; k < inputs.size(); ++k) {
    const TensorType& t = inputs[k]->type;
    dt = promote(dt, t.dtype);
    if (t.ndim() != nd) {
      throw ValueError(op_error(*this,
                                "all inputs must have the same number of dimensions, "
                                "got shapes " +
                                    shapes));
    }
    for (int d = 0; d < nd; ++d) {
      if (d == axis_) {
        out[d] = (out[d] == kUnknownDim || t.shape[d] == kUnknownDim) ? kUnknownDim
                                                                      : out[d] + t.shape[d];
      } else if (out[d] == kUnknownDim) {
        out[d] = t.shape[d];
      } else if (t.shape[d] != kUnknownDim && t.shape[d] != out[d]) {
        throw ValueError(op_error(
            *this, "the input shapes must match except along axis " + std::to_string(axis_) +
                       " (dimension " + std::to_string(d) + " differs), got shapes " + shapes));
      }
    }
  }
  return {TensorType(dt, out)};
}

void Join::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const int nd = inputs[0].ndim();
  Shape shape = inputs[0].shape();
  DType dt = inputs[0].dtype();
  for (size_t k = 1; k < inputs.size(); ++k) {
    const NDArray& a = inputs[k];
    dt = promote(dt, a.dtype());
    bool ok = a.ndim() == nd;
    for (int d = 0; ok && d < nd; ++d) ok = d == axis_ || a.shape(d) == shape[d];
    if (!ok) {
      std::string shapes;
      for (const NDArray& b : inputs) shapes += (shapes.empty() ? "" : ", ") + shape_str(b.shape());
      throw ValueError(op_error(*this, "the input shapes must match except along axis " +
                                           std::to_string(axis_) + ", got shapes " + shapes));
    }
    shape[axis_] += a.shape(static_cast<int>(axis_));
  }
  NDArray& out = reuse_or_empty(outputs[0], dt, shape);
  int64_t offset = 0;
  for (const NDArray& a : inputs) {
    NDArray piece = out.view(out.raw() + offset * out.strides()[axis_], a.shape(), out.strides());
    piece.copy_from(a);
    offset += a.shape(static_cast<int>(axis_));
  }
}

// ---- Split ----

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
      total += *v;
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
    total += s;
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

// ---- symbolic shapes (infer_shape) ----

// The sum of the inputs' lengths along the axis; elsewhere a static size if any input has one,
// else the first input's (all are equal at run time).
SymShapes Join::infer_shape(const std::vector<Var>& inputs,
                            const std::vector<std::vector<Var>>& input_shapes) const {
  const size_t nd = input_shapes[0].size();
  SymShape out(nd);
  for (size_t d = 0; d < nd; ++d) {
    if (static_cast<int64_t>(d) == axis_) {
      std::vector<Var> lengths;
      for (const auto& s : input_shapes) lengths.push_back(s[d]);
      out[d] = dims_sum(lengths);
      continue;
    }
    out[d] = input_shapes[0][d];
    for (const Var& in : inputs) {
      if (in->type.shape[d] != kUnknownDim) {
        out[d] = int64_const(in->type.shape[d]);
        break;
      }
    }
  }
  return std::vector<SymShape>{out};
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

// ---- gradients ----

// g cut back into the inputs' pieces, with their run-time lengths along the axis.
std::vector<Var> Join::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                            const std::vector<Var>& output_grads) const {
  std::vector<Var> grads(inputs.size());
  const Var& g = output_grads[0];
  if (!g) return grads;
  if (inputs.size() == 1) {
    grads[0] = is_float(inputs[0]->type.dtype) ? g : nullptr;
    return grads;
  }
  std::vector<Var> sizes;
  for (const Var& in : inputs) sizes.push_back(shape_i(in, axis_));
  std::vector<Var> pieces =
      split(g, make_vector(sizes, DType::Int64), static_cast<int64_t>(inputs.size()), axis_);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (is_float(inputs[i]->type.dtype)) grads[i] = pieces[i];
  }
  return grads;
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

// ---- C++ API ----

Var join(int64_t axis, const std::vector<Var>& tensors) {
  if (tensors.empty()) throw ValueError("join: need at least one array to join");
  const int64_t nd = tensors[0]->type.ndim();
  if (nd == 0) {
    throw ValueError("join: zero-dimensional arrays cannot be joined, got " +
                     tensors[0]->type.str());
  }
  return make_node1(std::make_shared<Join>(normalize_axis(axis, nd, "join")), tensors);
}

Var concatenate(const std::vector<Var>& tensors, std::optional<int64_t> axis) {
  if (!axis) {
    std::vector<Var> flat;
    for (const Var& t : tensors) flat.push_back(flatten(t, 1));
    return join(0, flat);
  }
  if (tensors.empty()) throw ValueError("concatenate: need at least one array to concatenate");
  return join(*axis, tensors);
}

Var stack(const std::vector<Var>& tensors, int64_t axis) {
  if (tensors.empty()) throw ValueError("stack: need at least one array to stack");
  const int64_t nd = tensors[0]->type.ndim();
  for (const Var& t : tensors) {
    if (t->type.ndim() != nd) {
      throw ValueError("stack: all input arrays must have the same shape, got " +
                       tensors[0]->type.str() + " and " + t->type.str());
    }
  }
  const int64_t a = normalize_axis(axis, nd + 1, "stack");
  std::vector<Var> expanded;
  for (const Var& t : tensors) expanded.push_back(expand_dims(t, {a}));
  return join(a, expanded);
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

// ---- registration ----

void register_join_ops() {
  register_op_factory("Join", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Join>(f.get_int("axis"));
  });
  register_op_factory("Split", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Split>(f.get_int("n"), f.get_int("axis"));
  });
  register_builder("join", 1, -1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{join(p.get_int("axis", 0), in)};
  });
  register_builder("concatenate", 1, -1, [](const std::vector<Var>& in, const Params& p) {
    // NumPy's default axis is 0; an explicit None flattens.
    std::optional<int64_t> axis = 0;
    if (p.values().count("axis"))
      axis = p.get_optional_ints("axis").has_value() ? std::optional<int64_t>(p.get_int("axis"))
                                                     : std::nullopt;
    return std::vector<Var>{concatenate(in, axis)};
  });
  register_builder("stack", 1, -1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{stack(in, p.get_int("axis", 0))};
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
