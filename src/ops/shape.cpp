#include "theon/ops/shape.hpp"

#include <algorithm>

#include "shape_util.hpp"
#include "theon/core/error.hpp"
#include "theon/core/iterate.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/families.hpp"
#include "theon/ops/join.hpp"
#include "theon/ops/subtensor.hpp"

namespace theon {

// ---- helpers shared by the shape, join and alloc families (declared in shape_util.hpp) ----

int64_t read_int(const NDArray& a, int64_t i) {
  int64_t v = 0;
  const int64_t stride = a.ndim() == 0 ? 0 : a.strides()[0];
  convert_strided(a.dtype(), a.raw() + i * stride, 0, DType::Int64, reinterpret_cast<char*>(&v), 0,
                  1);
  return v;
}

std::vector<int64_t> read_int_vector(const NDArray& a) {
  std::vector<int64_t> out(a.ndim() == 0 ? 1 : a.shape(0));
  for (size_t i = 0; i < out.size(); ++i) out[i] = read_int(a, static_cast<int64_t>(i));
  return out;
}

void require_int_scalar(const Op& op, const Var& v, const std::string& what) {
  if (v->type.ndim() != 0 || !(is_integer(v->type.dtype))) {
    throw TypeError(op_error(op, what + " must be an integer scalar, got " + v->type.str()));
  }
}

std::string ints_str(const std::vector<int64_t>& v) {
  std::string s = "(";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  if (v.size() == 1) s += ",";
  return s + ")";
}

int64_t normalize_axis(int64_t axis, int64_t ndim, const std::string& what) {
  if (axis < -ndim || axis >= ndim) {
    throw ValueError(what + ": axis " + std::to_string(axis) +
                     " is out of bounds for array of dimension " + std::to_string(ndim));
  }
  return axis < 0 ? axis + ndim : axis;
}

// ---- static analysis ----

std::optional<int64_t> static_int_scalar(const Var& v) {
  if (!v || v->type.ndim() != 0 || !(is_integer(v->type.dtype) || is_bool(v->type.dtype))) {
    return std::nullopt;
  }
  if (const NDArray* c = constant_value(v)) return read_int(*c, 0);
  if (v->owner) {
    const Op& op = *v->owner->op();
    const Var& in = v->owner->inputs().at(0);
    if (auto* si = dynamic_cast<const ShapeI*>(&op)) {
      int64_t d = in->type.shape.at(si->i());
      if (d != kUnknownDim) return d;
    } else if (dynamic_cast<const SizeOp*>(&op)) {
      int64_t n = 1;
      for (int64_t d : in->type.shape) {
        if (d == kUnknownDim) return std::nullopt;
        n *= d;
      }
      return n;
    }
  }
  return std::nullopt;
}

std::optional<std::vector<std::optional<int64_t>>> static_int_vector(const Var& v) {
  if (!v || v->type.ndim() != 1) return std::nullopt;
  if (const NDArray* c = constant_value(v)) {
    std::vector<std::optional<int64_t>> out;
    for (int64_t x : read_int_vector(*c)) out.emplace_back(x);
    return out;
  }
  if (v->owner) {
    const Op& op = *v->owner->op();
    const auto& ins = v->owner->inputs();
    if (dynamic_cast<const MakeVector*>(&op) && is_integer(v->type.dtype)) {
      std::vector<std::optional<int64_t>> out;
      for (const Var& e : ins) out.push_back(static_int_scalar(e));
      return out;
    }
    if (dynamic_cast<const ShapeOp*>(&op)) {
      std::vector<std::optional<int64_t>> out;
      for (int64_t d : ins[0]->type.shape) {
        out.push_back(d == kUnknownDim ? std::nullopt : std::optional<int64_t>(d));
      }
      return out;
    }
  }
  if (v->type.shape[0] == kUnknownDim) return std::nullopt;
  return std::vector<std::optional<int64_t>>(v->type.shape[0]);
}

// ---- symbolic shapes (declared in shape_util.hpp) ----

Var int64_const(int64_t v) {
  return scalar_constant(v, DType::Int64);
}

Var as_int64(const Var& s) {
  if (auto v = static_int_scalar(s)) return int64_const(*v);
  return s->type.dtype == DType::Int64 ? s : cast(s, DType::Int64);
}

Var vector_entry(const Var& v, int64_t i) {
  if (const NDArray* c = constant_value(v)) return int64_const(read_int(*c, i));
  if (v->owner) {
    const Op& op = *v->owner->op();
    const auto& ins = v->owner->inputs();
    if (dynamic_cast<const MakeVector*>(&op) && i < static_cast<int64_t>(ins.size())) {
      // The entry as the vector holds it (converted to its dtype), then widened.
      const Var& e = ins[i];
      return as_int64(e->type.dtype == v->type.dtype ? e : cast(e, v->type.dtype));
    }
    if (dynamic_cast<const ShapeOp*>(&op) && i < ins[0]->type.ndim()) {
      const int64_t d = ins[0]->type.shape[i];
      return d != kUnknownDim ? int64_const(d) : shape_i(ins[0], i);
    }
  }
  return as_int64(getitem(v, {idx::at(i)}));
}

Var dims_product(const std::vector<Var>& dims) {
  int64_t known = 1;
  Var acc;
  for (const Var& d : dims) {
    if (auto v = static_int_scalar(d)) {
      known *= *v;
    } else {
      acc = acc ? mul(acc, as_int64(d)) : as_int64(d);
    }
  }
  if (!acc || known == 0) return int64_const(known);
  return known == 1 ? acc : mul(acc, int64_const(known));
}

Var dims_sum(const std::vector<Var>& dims) {
  int64_t known = 0;
  Var acc;
  for (const Var& d : dims) {
    if (auto v = static_int_scalar(d)) {
      known += *v;
    } else {
      acc = acc ? add(acc, as_int64(d)) : as_int64(d);
    }
  }
  if (!acc) return int64_const(known);
  return known == 0 ? acc : add(acc, int64_const(known));
}

std::vector<Var> broadcast_dims(const std::vector<std::vector<Var>>& dims,
                                const std::vector<StaticShape>& static_shapes) {
  // A dimension is the one size among the operands that is not 1. Operands whose static size
  // is 1 cannot decide it; a known size other than 1 decides; among unknown sizes, a run-time
  // 1 defers to the others.
  size_t nd = 0;
  for (const auto& s : dims) nd = std::max(nd, s.size());
  std::vector<Var> out(nd);
  for (size_t d = 0; d < nd; ++d) {
    Var dim;
    for (size_t k = 0; k < dims.size(); ++k) {
      if (d + dims[k].size() < nd) continue;  // operand k has no dimension here
      const size_t dk = d + dims[k].size() - nd;
      const int64_t known = static_shapes[k][dk];
      if (known == 1) continue;
      if (known != kUnknownDim) {
        dim = int64_const(known);
        break;
      }
      const Var& cand = dims[k][dk];
      dim = dim ? elemwise("switch", {elemwise("equal", {dim, int64_const(1)}), cand, dim}) : cand;
    }
    out[d] = dim ? as_int64(dim) : int64_const(1);
  }
  return out;
}

std::vector<Var> broadcast_dims(const std::vector<Var>& inputs,
                                const std::vector<std::vector<Var>>& dims) {
  std::vector<StaticShape> static_shapes;
  for (const auto& in : inputs) static_shapes.push_back(in->type.shape);
  return broadcast_dims(dims, static_shapes);
}

namespace {

void require_inputs(const Op& op, const std::vector<Var>& inputs, size_t n) {
  if (inputs.size() != n) {
    throw TypeError(op_error(
        op, "expected " + std::to_string(n) + " input(s), got " + std::to_string(inputs.size())));
  }
}

NDArray int64_vector(const std::vector<int64_t>& v) {
  return NDArray::from_vector<int64_t>(v, {static_cast<int64_t>(v.size())});
}

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
    } else {
      known *= req[i];
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

// ---- Shape ----

std::vector<TensorType> ShapeOp::output_types(const std::vector<Var>& inputs) const {
  require_inputs(*this, inputs, 1);
  return {TensorType(DType::Int64, {inputs[0]->type.ndim()})};
}

void ShapeOp::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const Shape& s = inputs[0].shape();
  NDArray& out = reuse_or_empty(outputs[0], DType::Int64, {static_cast<int64_t>(s.size())});
  std::copy(s.begin(), s.end(), out.data<int64_t>());
}

std::vector<TensorType> ShapeI::output_types(const std::vector<Var>& inputs) const {
  require_inputs(*this, inputs, 1);
  const int nd = inputs[0]->type.ndim();
  if (i_ < 0 || i_ >= nd) {
    throw IndexError(op_error(*this, "dimension " + std::to_string(i_) +
                                         " out of range for an input of " + std::to_string(nd) +
                                         " dimensions (" + inputs[0]->type.str() + ")"));
  }
  return {TensorType(DType::Int64, {})};
}

void ShapeI::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  NDArray& out = reuse_or_empty(outputs[0], DType::Int64, {});
  *out.data<int64_t>() = inputs[0].shape(static_cast<int>(i_));
}

std::vector<TensorType> SizeOp::output_types(const std::vector<Var>& inputs) const {
  require_inputs(*this, inputs, 1);
  return {TensorType(DType::Int64, {})};
}

void SizeOp::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  NDArray& out = reuse_or_empty(outputs[0], DType::Int64, {});
  *out.data<int64_t>() = inputs[0].size();
}

// ---- MakeVector ----

std::vector<TensorType> MakeVector::output_types(const std::vector<Var>& inputs) const {
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i]->type.ndim() != 0) {
      throw TypeError(op_error(*this, "expected scalar (0-d) inputs, got " + inputs[i]->type.str() +
                                          " as input " + std::to_string(i)));
    }
    if (is_integer(dtype_) && is_float(inputs[i]->type.dtype)) {
      throw TypeError(op_error(
          *this, "expected integer inputs for an " + std::string(dtype_name(dtype_)) +
                     " vector, got " + inputs[i]->type.str() + " as input " + std::to_string(i)));
    }
  }
  return {TensorType(dtype_, {static_cast<int64_t>(inputs.size())})};
}

void MakeVector::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  NDArray& out = reuse_or_empty(outputs[0], dtype_, {static_cast<int64_t>(inputs.size())});
  const size_t isz = itemsize(dtype_);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].size() != 1) {
      throw ValueError(
          op_error(*this, "expected scalar inputs, got shape " + shape_str(inputs[i].shape())));
    }
    convert_strided(inputs[i].dtype(), inputs[i].raw(), 0, dtype_, out.raw() + i * isz, 0, 1);
  }
}

// ---- Reshape ----

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
  std::optional<int64_t> in_size = 1;
  for (int64_t d : x->type.shape) {
    if (d == kUnknownDim) {
      in_size.reset();
      break;
    }
    *in_size *= d;
  }
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
  if (all_known && in_size) {
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

// ---- Flatten ----

std::vector<TensorType> Flatten::output_types(const std::vector<Var>& inputs) const {
  require_inputs(*this, inputs, 1);
  const TensorType& t = inputs[0]->type;
  if (ndim_ < 1 || (ndim_ > 1 && ndim_ > t.ndim())) {
    throw ValueError(op_error(*this, "ndim must be between 1 and the input's ndim, got ndim=" +
                                         std::to_string(ndim_) + " for " + t.str()));
  }
  StaticShape out(t.shape.begin(), t.shape.begin() + (ndim_ - 1));
  int64_t last = 1;
  for (int i = static_cast<int>(ndim_ - 1); i < t.ndim(); ++i) {
    if (t.shape[i] == kUnknownDim) {
      last = kUnknownDim;
      break;
    }
    last *= t.shape[i];
  }
  out.push_back(last);
  return {TensorType(t.dtype, out)};
}

void Flatten::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray& x = inputs[0];
  Shape shape(x.shape().begin(), x.shape().begin() + (ndim_ - 1));
  int64_t last = 1;
  for (int i = static_cast<int>(ndim_ - 1); i < x.ndim(); ++i) last *= x.shape(i);
  shape.push_back(last);
  outputs[0] = x.is_c_contiguous() ? x.reshaped_view(std::move(shape))
                                   : x.copy().reshaped_view(std::move(shape));
}

// ---- DimShuffle ----

std::string DimShuffle::props() const {
  std::string s;
  for (size_t i = 0; i < pattern_.size(); ++i) {
    s += (i ? "," : "");
    s += pattern_[i] == kNewAxis ? "x" : std::to_string(pattern_[i]);
  }
  return s;
}

std::vector<TensorType> DimShuffle::output_types(const std::vector<Var>& inputs) const {
  require_inputs(*this, inputs, 1);
  const TensorType& t = inputs[0]->type;
  std::vector<bool> used(t.ndim(), false);
  StaticShape out;
  for (int64_t p : pattern_) {
    if (p == kNewAxis) {
      out.push_back(1);
      continue;
    }
    if (p < 0 || p >= t.ndim()) {
      throw ValueError(op_error(
          *this, "pattern entry " + std::to_string(p) + " is not a dimension of the input " +
                     t.str() + " (expected 0.." + std::to_string(t.ndim() - 1) + " or 'x')"));
    }
    if (used[p]) {
      throw ValueError(
          op_error(*this, "dimension " + std::to_string(p) + " appears twice in the pattern"));
    }
    used[p] = true;
    out.push_back(t.shape[p]);
  }
  for (int d = 0; d < t.ndim(); ++d) {
    if (!used[d] && t.shape[d] != 1) {
      throw ValueError(op_error(*this, "cannot drop dimension " + std::to_string(d) +
                                           " of the input " + t.str() +
                                           ": only dimensions of static size 1 can be dropped"));
    }
  }
  return {TensorType(t.dtype, out)};
}

void DimShuffle::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray& x = inputs[0];
  std::vector<bool> used(x.ndim(), false);
  Shape shape;
  Strides strides;
  for (int64_t p : pattern_) {
    if (p == kNewAxis) {
      shape.push_back(1);
      strides.push_back(0);
    } else {
      used[p] = true;
      shape.push_back(x.shape(static_cast<int>(p)));
      strides.push_back(x.strides()[p]);
    }
  }
  for (int d = 0; d < x.ndim(); ++d) {
    if (!used[d] && x.shape(d) != 1) {
      throw ValueError(op_error(*this, "cannot drop dimension " + std::to_string(d) + " of size " +
                                           std::to_string(x.shape(d)) + " (input shape " +
                                           shape_str(x.shape()) + ")"));
    }
  }
  outputs[0] = x.view(x.raw(), std::move(shape), std::move(strides));
}

// ---- Squeeze ----

std::string Squeeze::props() const {
  std::string s = "axis=(";
  for (size_t i = 0; i < axes_.size(); ++i) s += (i ? "," : "") + std::to_string(axes_[i]);
  return s + ")";
}

std::vector<TensorType> Squeeze::output_types(const std::vector<Var>& inputs) const {
  require_inputs(*this, inputs, 1);
  const TensorType& t = inputs[0]->type;
  StaticShape out;
  for (int d = 0; d < t.ndim(); ++d) {
    const bool drop = std::find(axes_.begin(), axes_.end(), d) != axes_.end();
    if (!drop) {
      out.push_back(t.shape[d]);
    } else if (t.shape[d] != 1 && t.shape[d] != kUnknownDim) {
      throw ValueError(op_error(*this,
                                "cannot select an axis to squeeze out which has size not "
                                "equal to one (axis " +
                                    std::to_string(d) + " of " + t.str() + ")"));
    }
  }
  for (int64_t a : axes_) {
    if (a < 0 || a >= t.ndim()) {
      throw ValueError(op_error(*this, "axis " + std::to_string(a) +
                                           " is out of bounds for array of dimension " +
                                           std::to_string(t.ndim())));
    }
  }
  return {TensorType(t.dtype, out)};
}

void Squeeze::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray& x = inputs[0];
  Shape shape;
  Strides strides;
  for (int d = 0; d < x.ndim(); ++d) {
    if (std::find(axes_.begin(), axes_.end(), d) != axes_.end()) {
      if (x.shape(d) != 1) {
        throw ValueError(op_error(*this,
                                  "cannot select an axis to squeeze out which has size "
                                  "not equal to one (axis " +
                                      std::to_string(d) + " of shape " + shape_str(x.shape()) +
                                      ")"));
      }
      continue;
    }
    shape.push_back(x.shape(d));
    strides.push_back(x.strides()[d]);
  }
  outputs[0] = x.view(x.raw(), std::move(shape), std::move(strides));
}

// ---- SpecifyShape ----

std::vector<TensorType> SpecifyShape::output_types(const std::vector<Var>& inputs) const {
  require_inputs(*this, inputs, 2);
  const TensorType& t = inputs[0]->type;
  const Var& s = inputs[1];
  if (s->type.ndim() != 1 || !is_integer(s->type.dtype)) {
    throw TypeError(op_error(*this, "the shape must be an integer vector, got " + s->type.str()));
  }
  if (s->type.shape[0] != kUnknownDim && s->type.shape[0] != t.ndim()) {
    throw ValueError(op_error(*this, "the shape has " + std::to_string(s->type.shape[0]) +
                                         " entries for an input of type " + t.str()));
  }
  StaticShape out = t.shape;
  if (auto vals = static_int_vector(s)) {
    for (int d = 0; d < t.ndim(); ++d) {
      const auto& v = (*vals)[d];
      if (!v || *v < 0) continue;
      if (out[d] != kUnknownDim && out[d] != *v) {
        throw ValueError(op_error(*this, "dimension " + std::to_string(d) + " of " + t.str() +
                                             " cannot have size " + std::to_string(*v)));
      }
      out[d] = *v;
    }
  }
  return {TensorType(t.dtype, out)};
}

void SpecifyShape::perform(const std::vector<NDArray>& inputs,
                           std::vector<NDArray>& outputs) const {
  const NDArray& x = inputs[0];
  std::vector<int64_t> req = read_int_vector(inputs[1]);
  bool ok = static_cast<int>(req.size()) == x.ndim();
  for (int d = 0; ok && d < x.ndim(); ++d) ok = req[d] < 0 || req[d] == x.shape(d);
  if (!ok) {
    throw ValueError(op_error(
        *this, "expected shape " + ints_str(req) + " (-1: any), got " + shape_str(x.shape())));
  }
  outputs[0] = x;
}

// ---- symbolic shapes (infer_shape) ----

SymShapes ShapeOp::infer_shape(const std::vector<Var>& inputs,
                               const std::vector<std::vector<Var>>&) const {
  return std::vector<SymShape>{{int64_const(inputs[0]->type.ndim())}};
}

SymShapes ShapeI::infer_shape(const std::vector<Var>&, const std::vector<std::vector<Var>>&) const {
  return std::vector<SymShape>{{}};
}

SymShapes SizeOp::infer_shape(const std::vector<Var>&, const std::vector<std::vector<Var>>&) const {
  return std::vector<SymShape>{{}};
}

SymShapes MakeVector::infer_shape(const std::vector<Var>& inputs,
                                  const std::vector<std::vector<Var>>&) const {
  return std::vector<SymShape>{{int64_const(static_cast<int64_t>(inputs.size()))}};
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

SymShapes Flatten::infer_shape(const std::vector<Var>&,
                               const std::vector<std::vector<Var>>& input_shapes) const {
  const SymShape& in = input_shapes[0];
  const size_t keep = std::min(static_cast<size_t>(ndim_ - 1), in.size());
  SymShape out(in.begin(), in.begin() + keep);
  out.push_back(dims_product(SymShape(in.begin() + keep, in.end())));
  return std::vector<SymShape>{out};
}

SymShapes DimShuffle::infer_shape(const std::vector<Var>&,
                                  const std::vector<std::vector<Var>>& input_shapes) const {
  SymShape out;
  for (int64_t p : pattern_) out.push_back(p == kNewAxis ? int64_const(1) : input_shapes[0][p]);
  return std::vector<SymShape>{out};
}

SymShapes Squeeze::infer_shape(const std::vector<Var>&,
                               const std::vector<std::vector<Var>>& input_shapes) const {
  SymShape out;
  for (size_t d = 0; d < input_shapes[0].size(); ++d) {
    if (std::find(axes_.begin(), axes_.end(), static_cast<int64_t>(d)) == axes_.end()) {
      out.push_back(input_shapes[0][d]);
    }
  }
  return std::vector<SymShape>{out};
}

// The specified sizes where they are constants (the run-time check makes them the truth);
// x's own sizes elsewhere (a symbolic entry may be -1, "any").
SymShapes SpecifyShape::infer_shape(const std::vector<Var>& inputs,
                                    const std::vector<std::vector<Var>>& input_shapes) const {
  SymShape out = input_shapes[0];
  if (auto vals = static_int_vector(inputs[1])) {
    for (size_t d = 0; d < out.size() && d < vals->size(); ++d) {
      const auto& v = (*vals)[d];
      if (v && *v >= 0) out[d] = int64_const(*v);
    }
  }
  return std::vector<SymShape>{out};
}

// ---- gradients ----

// Shapes and sizes are integers: no gradient flows through them.
std::vector<Var> ShapeOp::L_op(const std::vector<Var>&, const std::vector<Var>&,
                               const std::vector<Var>&) const {
  return {nullptr};
}

std::vector<Var> ShapeI::L_op(const std::vector<Var>&, const std::vector<Var>&,
                              const std::vector<Var>&) const {
  return {nullptr};
}

std::vector<Var> SizeOp::L_op(const std::vector<Var>&, const std::vector<Var>&,
                              const std::vector<Var>&) const {
  return {nullptr};
}

// A float vector stacked from scalars: element i of the gradient goes back to input i (cut with
// one Split into pieces of length 1, each reshaped to 0-d).
std::vector<Var> MakeVector::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                                  const std::vector<Var>& output_grads) const {
  std::vector<Var> grads(inputs.size());
  const Var& g = output_grads[0];
  bool any_float = false;
  for (const Var& in : inputs) any_float = any_float || is_float(in->type.dtype);
  if (!g || !is_float(dtype_) || !any_float) return grads;
  std::vector<Var> pieces = split(g, std::vector<int64_t>(inputs.size(), 1), 0);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (is_float(inputs[i]->type.dtype)) grads[i] = reshape(pieces[i], std::vector<int64_t>{});
  }
  return grads;
}

std::vector<Var> Reshape::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                               const std::vector<Var>& output_grads) const {
  const Var& g = output_grads[0];
  if (!g) return {nullptr, nullptr};
  return {reshape(g, shape(inputs[0]), inputs[0]->type.ndim()), nullptr};
}

std::vector<Var> Flatten::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                               const std::vector<Var>& output_grads) const {
  const Var& g = output_grads[0];
  if (!g) return {nullptr};
  return {reshape(g, shape(inputs[0]), inputs[0]->type.ndim())};
}

// The inverse shuffle: the added ('x') dimensions of g are dropped, the kept ones put back in
// input order, and the input dimensions the pattern dropped (size 1) re-added.
std::vector<Var> DimShuffle::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                                  const std::vector<Var>& output_grads) const {
  const Var& g = output_grads[0];
  if (!g) return {nullptr};
  const int64_t nd_in = inputs[0]->type.ndim();
  std::vector<int64_t> added;                     // output positions of the 'x' entries
  std::vector<int64_t> out_pos(nd_in, kNewAxis);  // output position of each input dimension
  bool added_static = true;                       // every 'x' dimension of g is statically 1
  for (size_t j = 0; j < pattern_.size(); ++j) {
    if (pattern_[j] == kNewAxis) {
      added.push_back(static_cast<int64_t>(j));
      added_static = added_static && g->type.shape[j] == 1;
    } else {
      out_pos[pattern_[j]] = static_cast<int64_t>(j);
    }
  }
  if (added_static) {
    // One DimShuffle does it all: g's 'x' dimensions are left out of the pattern.
    bool identity = static_cast<int64_t>(pattern_.size()) == nd_in;
    for (int64_t d = 0; identity && d < nd_in; ++d) identity = out_pos[d] == d;
    return {identity ? g : dimshuffle(g, out_pos)};
  }
  // g's 'x' dimensions are not statically 1: Squeeze checks them at run time.
  Var h = squeeze(g, added);
  std::vector<int64_t> pattern(nd_in, kNewAxis);
  int64_t k = 0;
  for (size_t j = 0; j < pattern_.size(); ++j) {
    if (pattern_[j] != kNewAxis) pattern[pattern_[j]] = k++;
  }
  bool identity = k == nd_in;
  for (int64_t d = 0; identity && d < nd_in; ++d) identity = pattern[d] == d;
  return {identity ? h : dimshuffle(h, pattern)};
}

std::vector<Var> Squeeze::L_op(const std::vector<Var>&, const std::vector<Var>&,
                               const std::vector<Var>& output_grads) const {
  const Var& g = output_grads[0];
  if (!g) return {nullptr};
  return {axes_.empty() ? g : expand_dims(g, axes_)};
}

std::vector<Var> SpecifyShape::L_op(const std::vector<Var>&, const std::vector<Var>&,
                                    const std::vector<Var>& output_grads) const {
  return {output_grads[0], nullptr};
}

// ---- C++ API ----

Var shape(const Var& x) {
  return make_node1(std::make_shared<ShapeOp>(), {x});
}

Var shape_i(const Var& x, int64_t i) {
  const int64_t nd = x->type.ndim();
  if (i < -nd || i >= nd) {
    throw IndexError("Shape_i: dimension " + std::to_string(i) + " out of range for " +
                     x->type.str());
  }
  return make_node1(std::make_shared<ShapeI>(i < 0 ? i + nd : i), {x});
}

Var size(const Var& x) {
  return make_node1(std::make_shared<SizeOp>(), {x});
}

Var make_vector(const std::vector<Var>& elements, std::optional<DType> dtype) {
  DType dt = DType::Int64;
  if (dtype) {
    dt = *dtype;
  } else if (!elements.empty()) {
    dt = elements[0]->type.dtype;
    for (const Var& e : elements) dt = promote(dt, e->type.dtype);
  }
  return make_node1(std::make_shared<MakeVector>(dt), elements);
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

Var flatten(const Var& x, int64_t ndim) {
  return make_node1(std::make_shared<Flatten>(ndim), {x});
}

Var dimshuffle(const Var& x, const std::vector<int64_t>& pattern) {
  return make_node1(std::make_shared<DimShuffle>(pattern), {x});
}

Var transpose(const Var& x, std::optional<std::vector<int64_t>> axes) {
  const int64_t nd = x->type.ndim();
  std::vector<int64_t> perm;
  if (!axes) {
    for (int64_t i = nd - 1; i >= 0; --i) perm.push_back(i);
  } else {
    if (static_cast<int64_t>(axes->size()) != nd) {
      throw ValueError("transpose: axes " + ints_str(*axes) + " don't match an input of " +
                       std::to_string(nd) + " dimensions (" + x->type.str() + ")");
    }
    std::vector<bool> seen(nd, false);
    for (int64_t a : *axes) {
      int64_t n = normalize_axis(a, nd, "transpose");
      if (seen[n]) throw ValueError("transpose: repeated axis in " + ints_str(*axes));
      seen[n] = true;
      perm.push_back(n);
    }
  }
  return dimshuffle(x, perm);
}

Var swapaxes(const Var& x, int64_t axis1, int64_t axis2) {
  const int64_t nd = x->type.ndim();
  const int64_t a = normalize_axis(axis1, nd, "swapaxes");
  const int64_t b = normalize_axis(axis2, nd, "swapaxes");
  std::vector<int64_t> perm;
  for (int64_t i = 0; i < nd; ++i) perm.push_back(i);
  std::swap(perm[a], perm[b]);
  return dimshuffle(x, perm);
}

Var squeeze(const Var& x, std::optional<std::vector<int64_t>> axis) {
  const int64_t nd = x->type.ndim();
  std::vector<int64_t> drop;
  if (!axis) {
    for (int64_t d = 0; d < nd; ++d) {
      if (x->type.shape[d] == 1) drop.push_back(d);
    }
  } else {
    for (int64_t a : *axis) {
      int64_t n = normalize_axis(a, nd, "squeeze");
      if (std::find(drop.begin(), drop.end(), n) != drop.end()) {
        throw ValueError("squeeze: repeated axis in " + ints_str(*axis));
      }
      drop.push_back(n);
    }
    std::sort(drop.begin(), drop.end());
  }
  bool all_static = true;
  for (int64_t d : drop) all_static = all_static && x->type.shape[d] == 1;
  if (!all_static) return make_node1(std::make_shared<Squeeze>(drop), {x});
  std::vector<int64_t> pattern;
  for (int64_t d = 0; d < nd; ++d) {
    if (std::find(drop.begin(), drop.end(), d) == drop.end()) pattern.push_back(d);
  }
  return dimshuffle(x, pattern);
}

Var expand_dims(const Var& x, const std::vector<int64_t>& axis) {
  const int64_t out_nd = x->type.ndim() + static_cast<int64_t>(axis.size());
  std::vector<bool> is_new(out_nd, false);
  for (int64_t a : axis) {
    int64_t n = normalize_axis(a, out_nd, "expand_dims");
    if (is_new[n]) throw ValueError("expand_dims: repeated axis in " + ints_str(axis));
    is_new[n] = true;
  }
  std::vector<int64_t> pattern;
  int64_t next = 0;
  for (int64_t d = 0; d < out_nd; ++d) pattern.push_back(is_new[d] ? kNewAxis : next++);
  return dimshuffle(x, pattern);
}

Var specify_shape(const Var& x, const Var& shape) {
  return make_node1(std::make_shared<SpecifyShape>(), {x, shape});
}

Var specify_shape(const Var& x, const std::vector<int64_t>& shape) {
  return specify_shape(x, constant(int64_vector(shape)));
}

// ---- registration ----

namespace {

// NumPy's limit on the number of dimensions, which bounds an op's dimension count read back
// from bytes before any shape of that length is allocated.
constexpr int64_t kMaxNdim = 64;

int64_t checked_ndim(const PropReader& f, int64_t min) {
  const int64_t ndim = f.get_int("ndim");
  if (ndim < min || ndim > kMaxNdim) {
    throw ValueError(f.context("ndim") + ": " + std::to_string(ndim) + " is not between " +
                     std::to_string(min) + " and " + std::to_string(kMaxNdim));
  }
  return ndim;
}

void register_shape_factories() {
  register_op_factory("Shape",
                      [](const PropReader&) -> OpPtr { return std::make_shared<ShapeOp>(); });
  register_op_factory("Shape_i", [](const PropReader& f) -> OpPtr {
    return std::make_shared<ShapeI>(f.get_int("i"));
  });
  register_op_factory("Size",
                      [](const PropReader&) -> OpPtr { return std::make_shared<SizeOp>(); });
  register_op_factory("MakeVector", [](const PropReader& f) -> OpPtr {
    return std::make_shared<MakeVector>(f.get_dtype("dtype"));
  });
  register_op_factory("Reshape", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Reshape>(checked_ndim(f, 0));
  });
  register_op_factory("Flatten", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Flatten>(checked_ndim(f, 1));
  });
  register_op_factory("DimShuffle", [](const PropReader& f) -> OpPtr {
    return std::make_shared<DimShuffle>(f.get_ints("pattern"));
  });
  register_op_factory("Squeeze", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Squeeze>(f.get_sorted_axes("axis"));
  });
  register_op_factory("SpecifyShape",
                      [](const PropReader&) -> OpPtr { return std::make_shared<SpecifyShape>(); });
}

}  // namespace

void register_shape_ops() {
  register_shape_factories();
  register_builder("shape", 1, 1, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{shape(in[0])};
  });
  register_builder("shape_i", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{shape_i(in[0], p.get_int("i"))};
  });
  register_builder("size", 1, 1, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{size(in[0])};
  });
  register_builder("make_vector", 0, -1, [](const std::vector<Var>& in, const Params& p) {
    std::optional<DType> dt;
    if (p.has("dtype")) dt = parse_dtype(p.get_string("dtype", ""));
    return std::vector<Var>{make_vector(in, dt)};
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
  register_builder("flatten", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{flatten(in[0], p.get_int("ndim", 1))};
  });
  register_builder("dimshuffle", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{
        dimshuffle(in[0], p.has("pattern") ? p.get_ints("pattern") : std::vector<int64_t>{})};
  });
  register_builder("transpose", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{transpose(in[0], p.get_optional_ints("axes"))};
  });
  register_builder("swapaxes", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{swapaxes(in[0], p.get_int("axis1"), p.get_int("axis2"))};
  });
  register_builder("squeeze", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{squeeze(in[0], p.get_optional_ints("axis"))};
  });
  register_builder("expand_dims", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{expand_dims(in[0], p.get_ints("axis"))};
  });
  register_builder("specify_shape", 1, -1, [](const std::vector<Var>& in, const Params&) {
    if (in.size() == 2 && in[1]->type.ndim() == 1) {
      return std::vector<Var>{specify_shape(in[0], in[1])};
    }
    std::vector<Var> entries(in.begin() + 1, in.end());
    return std::vector<Var>{specify_shape(in[0], make_vector(entries, DType::Int64))};
  });
}

}  // namespace theon
