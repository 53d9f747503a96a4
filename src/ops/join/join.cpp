// Join{axis}: concatenation along a static axis, and its C++ API join, concatenate and stack.
#include "theon/ops/join.hpp"

#include "../shape_util.hpp"
#include "theon/core/checked_size.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/shape.hpp"

namespace theon {

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
    auto len = checked_add(shape[axis_], a.shape(static_cast<int>(axis_)));
    if (!len)
      throw ValueError(op_error(*this, "array is too big: the joined length overflows int64"));
    shape[axis_] = *len;
  }
  NDArray& out = reuse_or_empty(outputs[0], dt, shape);
  int64_t offset = 0;
  for (const NDArray& a : inputs) {
    NDArray piece = out.view(out.raw() + offset * out.strides()[axis_], a.shape(), out.strides());
    piece.copy_from(a);
    offset += a.shape(static_cast<int>(axis_));
  }
}

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

THEON_OP_FILE(join) {
  register_op_factory("Join", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Join>(f.get_int("axis"));
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
}

}  // namespace theon
