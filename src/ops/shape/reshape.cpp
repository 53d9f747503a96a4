// Reshape{ndim}(x, shape): x with a new shape of ndim entries, one of which may be -1.
#include "../shape_util.hpp"
#include "shape_detail.hpp"
#include "theon/core/checked_size.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/shape.hpp"

namespace theon {

using shape_detail::checked_ndim;
using shape_detail::int64_vector;
using shape_detail::require_inputs;

namespace {

// Resolves a requested shape (one -1 allowed) against the element count; throws ValueError.
Shape resolve_shape(const Op& op, const Shape& in_shape, std::vector<int64_t> req) {
  const int64_t size = shape_size(in_shape);
  int unknown = -1;
  int64_t known = 1;
  auto fail = [&](const std::string& why) {
    throw ValueError(op_error(op, "cannot reshape array of shape " + shape_str(in_shape) +
                                      " (size " + std::to_string(size) + ") into shape " +
                                      ints_str(req) + why));
  };
  for (size_t i = 0; i < req.size(); ++i) {
    if (req[i] == -1) {
      if (unknown >= 0) fail(": can only specify one unknown dimension");
      unknown = static_cast<int>(i);
    } else if (req[i] < 0) {
      fail(": negative dimension");
    } else if (auto k = checked_mul(known, req[i])) {
      known = *k;
    } else {
      fail(": the requested size overflows int64");
    }
  }
  if (unknown >= 0) {
    if (known == 0 || size % known != 0) fail("");
    req[unknown] = size / known;
  } else if (known != size) {
    fail("");
  }
  return req;
}

}  // namespace

std::vector<TensorType> Reshape::output_types(const std::vector<Var>& inputs) const {
  require_inputs(*this, inputs, 2);
  const Var& x = inputs[0];
  const Var& s = inputs[1];
  if (s->type.ndim() != 1 || !is_integer(s->type.dtype)) {
    throw TypeError(op_error(*this, "the shape must be an integer vector, got " + s->type.str()));
  }
  if (s->type.shape[0] != kUnknownDim && s->type.shape[0] != ndim_) {
    throw ValueError(op_error(*this, "the shape has " + std::to_string(s->type.shape[0]) +
                                         " entries for a " + std::to_string(ndim_) + "-d result"));
  }
  StaticShape out(ndim_, kUnknownDim);
  auto vals = static_int_vector(s);
  if (!vals) return {TensorType(x->type.dtype, out)};
  bool in_known = true;
  for (int64_t d : x->type.shape) in_known = in_known && d != kUnknownDim;
  bool all_known = true;
  int minus_ones = 0;
  std::vector<int64_t> req(ndim_);
  for (int64_t i = 0; i < ndim_; ++i) {
    const auto& v = (*vals)[i];
    if (!v) {
      all_known = false;
      req[i] = -1;
      continue;
    }
    req[i] = *v;
    if (*v >= 0) out[i] = *v;
    if (*v == -1) ++minus_ones;
    if (*v < -1) {
      throw ValueError(op_error(
          *this, "negative dimension " + std::to_string(*v) + " in the shape of the result"));
    }
  }
  if (minus_ones > 1) {
    throw ValueError(
        op_error(*this, "can only specify one unknown dimension, got shape " + ints_str(req)));
  }
  if (all_known && in_known) {
    Shape xs(x->type.shape.begin(), x->type.shape.end());
    Shape resolved = resolve_shape(*this, xs, req);
    out.assign(resolved.begin(), resolved.end());
  }
  return {TensorType(x->type.dtype, out)};
}

void Reshape::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray& x = inputs[0];
  const NDArray& s = inputs[1];
  if (s.ndim() != 1 || s.shape(0) != ndim_) {
    throw ValueError(op_error(*this, "expected a shape of " + std::to_string(ndim_) +
                                         " entries, got one of shape " + shape_str(s.shape())));
  }
  Shape shape = resolve_shape(*this, x.shape(), read_int_vector(s));
  if (x.is_c_contiguous()) {
    outputs[0] = x.reshaped_view(std::move(shape));
  } else {
    outputs[0] = x.copy().reshaped_view(std::move(shape));
  }
}

// Entry i of the shape vector, except a -1 (at most one): size(x) // the product of the other
// entries. An entry whose value is not known statically may be that -1 at run time (unless
// another one is statically -1): a switch picks the quotient then. floor_divide by 0 gives 0
// (only where the reshape itself would fail).
SymShapes Reshape::infer_shape(const std::vector<Var>& inputs,
                               const std::vector<std::vector<Var>>& input_shapes) const {
  const Var& s = inputs[1];
  auto vals = static_int_vector(s);
  std::vector<std::optional<int64_t>> known(ndim_);
  std::vector<Var> entries(ndim_);
  bool static_minus_one = false;
  for (int64_t i = 0; i < ndim_; ++i) {
    if (vals && i < static_cast<int64_t>(vals->size())) known[i] = (*vals)[i];
    entries[i] = known[i] ? int64_const(*known[i]) : vector_entry(s, i);
    static_minus_one = static_minus_one || known[i] == -1;
  }
  SymShape out(ndim_);
  Var in_size;
  for (int64_t i = 0; i < ndim_; ++i) {
    if ((known[i] && *known[i] >= 0) || (!known[i] && static_minus_one)) {
      out[i] = entries[i];
      continue;
    }
    if (!in_size) in_size = dims_product(input_shapes[0]);
    std::vector<Var> others;
    for (int64_t j = 0; j < ndim_; ++j) {
      if (j != i) others.push_back(entries[j]);
    }
    Var rest = dims_product(others);
    auto a = static_int_scalar(in_size), b = static_int_scalar(rest);
    Var resolved =
        a && b && *b != 0 ? int64_const(*a / *b) : elemwise("floor_divide", {in_size, rest});
    out[i] = known[i] ? resolved
                      : elemwise("switch", {elemwise("equal", {entries[i], int64_const(-1)}),
                                            resolved, entries[i]});
  }
  return std::vector<SymShape>{out};
}

std::vector<Var> Reshape::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                               const std::vector<Var>& output_grads) const {
  const Var& g = output_grads[0];
  if (!g) return {nullptr, nullptr};
  return {reshape(g, shape(inputs[0]), inputs[0]->type.ndim()), nullptr};
}

Var reshape(const Var& x, const Var& shape, std::optional<int64_t> ndim) {
  int64_t n = shape->type.ndim() == 1 ? shape->type.shape[0] : kUnknownDim;
  if (ndim) {
    n = *ndim;
  } else if (n == kUnknownDim) {
    throw ValueError("Reshape: the length of the shape " + shape->type.str() +
                     " is not known statically; pass ndim");
  }
  if (n < 0) throw ValueError("Reshape: ndim must be >= 0, got " + std::to_string(n));
  return make_node1(std::make_shared<Reshape>(n), {x, shape});
}

Var reshape(const Var& x, const std::vector<int64_t>& shape) {
  return reshape(x, constant(int64_vector(shape)));
}

Var reshape(const Var& x, const std::vector<Var>& shape) {
  return reshape(x, make_vector(shape, DType::Int64));
}

THEON_OP_FILE(reshape) {
  register_op_factory("Reshape", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Reshape>(checked_ndim(f, 0));
  });
  // reshape(x, shape_vector, ndim=None) or reshape(x, s0, s1, ...) with 0-d integer entries.
  register_builder("reshape", 1, -1, [](const std::vector<Var>& in, const Params& p) {
    std::optional<int64_t> ndim;
    if (p.has("ndim")) ndim = p.get_int("ndim");
    if (in.size() == 2 && in[1]->type.ndim() == 1)
      return std::vector<Var>{reshape(in[0], in[1], ndim)};
    std::vector<Var> entries(in.begin() + 1, in.end());
    return std::vector<Var>{reshape(in[0], make_vector(entries, DType::Int64), ndim)};
  });
}

}  // namespace theon
