// The integer and symbolic-shape helpers declared in shape_util.hpp and theon/ops/shape.hpp:
// reading integer arrays, values of shape expressions known at build time, and the dimension
// arithmetic of Op::infer_shape that the shape, join and alloc families share.
#include <algorithm>

#include "../shape_util.hpp"
#include "theon/core/checked_size.hpp"
#include "theon/core/error.hpp"
#include "theon/core/iterate.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/shape.hpp"
#include "theon/ops/subtensor.hpp"

namespace theon {

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
        n *= d;  // static sizes of a type are checked to multiply without overflow
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

// ---- symbolic shapes ----

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
    auto v = static_int_scalar(d);
    // A product that overflows stays symbolic: the op whose shape it is reports the overflow.
    auto k = v ? checked_mul(known, *v) : std::nullopt;
    if (k) {
      known = *k;
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

}  // namespace theon
