// Alloc(value, s0, s1, ...): a fresh array of the given shape filled with `value` broadcast to
// it, and its C++ API alloc, zeros, ones and full. The value's gradient is g summed back to it.
#include "theon/ops/alloc.hpp"

#include "../shape_util.hpp"
#include "alloc_util.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/gradient_support.hpp"
#include "theon/ops/shape.hpp"

namespace theon {

Shape alloc_runtime_shape(const Op& op, const std::vector<NDArray>& inputs, size_t first) {
  Shape shape;
  for (size_t k = first; k < inputs.size(); ++k) {
    if (inputs[k].ndim() == 0) {
      shape.push_back(read_int(inputs[k], 0));
    } else {
      for (int64_t d : read_int_vector(inputs[k])) shape.push_back(d);
    }
  }
  for (int64_t d : shape) {
    if (d < 0)
      throw ValueError(op_error(op, "negative dimensions are not allowed: " + ints_str(shape)));
  }
  return shape;
}

namespace {

std::vector<Var> const_shape(const std::vector<int64_t>& shape) {
  std::vector<Var> out;
  for (int64_t d : shape) out.push_back(scalar_constant(d, DType::Int64));
  return out;
}

}  // namespace

std::vector<TensorType> Alloc::output_types(const std::vector<Var>& inputs) const {
  if (inputs.empty()) throw TypeError(op_error(*this, "expected a value and a shape"));
  const TensorType& vt = inputs[0]->type;
  StaticShape out;
  for (size_t k = 1; k < inputs.size(); ++k) {
    const TensorType& t = inputs[k]->type;
    if (!is_integer(t.dtype) || t.ndim() > 1) {
      throw TypeError(
          op_error(*this, "shape entries must be integer scalars or vectors, got " + t.str()));
    }
    if (t.ndim() == 0) {
      auto v = static_int_scalar(inputs[k]);
      out.push_back(v ? *v : kUnknownDim);
    } else {
      auto vals = static_int_vector(inputs[k]);
      if (!vals) {
        throw TypeError(
            op_error(*this, "a shape vector must have a static length, got " + t.str()));
      }
      for (const auto& v : *vals) out.push_back(v ? *v : kUnknownDim);
    }
  }
  for (int64_t d : out) {
    if (d < kUnknownDim) {
      throw ValueError(
          op_error(*this, "negative dimensions are not allowed: " + static_shape_str(out)));
    }
  }
  if (vt.ndim() > static_cast<int>(out.size())) {
    throw ValueError(op_error(*this, "the value " + vt.str() + " has more dimensions than the " +
                                         "shape " + static_shape_str(out)));
  }
  const size_t off = out.size() - vt.ndim();
  for (int i = 0; i < vt.ndim(); ++i) {
    const int64_t vd = vt.shape[i];
    int64_t& od = out[off + i];
    if (vd == kUnknownDim || vd == 1) continue;
    if (od != kUnknownDim && od != vd) {
      throw ValueError(op_error(*this, "cannot broadcast a value of shape " +
                                           static_shape_str(vt.shape) + " to shape " +
                                           static_shape_str(out)));
    }
    od = vd;
  }
  return {TensorType(vt.dtype, out)};
}

void Alloc::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  Shape shape = alloc_runtime_shape(*this, inputs, 1);
  NDArray& out = reuse_or_empty(outputs[0], inputs[0].dtype(), shape);
  fill_broadcast(*this, inputs[0], out);
}

// The shape inputs (the value only broadcasts into them).
SymShapes Alloc::infer_shape(const std::vector<Var>& inputs,
                             const std::vector<std::vector<Var>>&) const {
  SymShape out;
  for (size_t k = 1; k < inputs.size(); ++k) {
    const Var& in = inputs[k];
    if (in->type.ndim() == 0) {
      out.push_back(as_int64(in));
      continue;
    }
    auto vals = static_int_vector(in);
    if (!vals) return std::nullopt;  // output_types rejects this
    for (size_t i = 0; i < vals->size(); ++i) {
      out.push_back((*vals)[i] ? int64_const(*(*vals)[i])
                               : vector_entry(in, static_cast<int64_t>(i)));
    }
  }
  return std::vector<SymShape>{out};
}

// The value was broadcast to the shape: its gradient is g summed back to the value's shape.
std::vector<Var> Alloc::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                             const std::vector<Var>& output_grads) const {
  std::vector<Var> grads(inputs.size());
  const Var& g = output_grads[0];
  if (g && is_float(inputs[0]->type.dtype)) grads[0] = sum_to_shape(g, inputs[0]);
  return grads;
}

Var alloc(const Var& value, const std::vector<Var>& shape) {
  std::vector<Var> in{value};
  in.insert(in.end(), shape.begin(), shape.end());
  return make_node1(std::make_shared<Alloc>(), in);
}

Var zeros(const std::vector<Var>& shape, std::optional<DType> dtype) {
  return alloc(scalar_constant(int64_t{0}, dtype.value_or(float_x())), shape);
}
Var zeros(const std::vector<int64_t>& shape, std::optional<DType> dtype) {
  return zeros(const_shape(shape), dtype);
}
Var ones(const std::vector<Var>& shape, std::optional<DType> dtype) {
  return alloc(scalar_constant(int64_t{1}, dtype.value_or(float_x())), shape);
}
Var ones(const std::vector<int64_t>& shape, std::optional<DType> dtype) {
  return ones(const_shape(shape), dtype);
}
Var full(const std::vector<Var>& shape, const Var& value, std::optional<DType> dtype) {
  return alloc(dtype ? cast(value, *dtype) : value, shape);
}

THEON_OP_FILE(alloc) {
  register_op_factory("Alloc",
                      [](const PropReader&) -> OpPtr { return std::make_shared<Alloc>(); });
  // alloc(value, *shape)
  register_builder("alloc", 1, -1, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{alloc(in[0], std::vector<Var>(in.begin() + 1, in.end()))};
  });
  register_builder("zeros", 0, -1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{zeros(in, opt_dtype(p))};
  });
  register_builder("ones", 0, -1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{ones(in, opt_dtype(p))};
  });
  // full(fill_value, *shape, dtype=None)
  register_builder("full", 1, -1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{full(std::vector<Var>(in.begin() + 1, in.end()), in[0], opt_dtype(p))};
  });
}

}  // namespace theon
