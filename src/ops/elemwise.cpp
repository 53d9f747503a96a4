#include "theon/ops/elemwise.hpp"

#include <algorithm>

#include "theon/core/error.hpp"
#include "theon/core/iterate.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/gradient_support.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/shape.hpp"

namespace theon {
namespace {

constexpr int64_t kBlock = 512;

OpPtr elemwise_from_fields(const PropReader& f) {
  const std::string& name = f.get_string("scalar");
  const ScalarOp* scalar = lookup_scalar_op(name);
  if (!scalar) throw ValueError(f.context("scalar") + ": unknown scalar op '" + name + "'");
  const std::optional<DType> cast_target = f.get_optional_dtype("cast_target");
  if (cast_target.has_value() != (scalar->rule == DTypeRule::Cast)) {
    throw ValueError(f.context("cast_target") + ": given for exactly the cast scalar op");
  }
  const std::optional<int64_t> inplace = f.get_optional_int("inplace_input");
  if (inplace && (*inplace < 0 || *inplace >= scalar->arity)) {
    throw ValueError(f.context("inplace_input") + ": " + std::to_string(*inplace) +
                     " is not an input of " + name);
  }
  return std::make_shared<Elemwise>(*scalar, cast_target, static_cast<int>(inplace.value_or(-1)));
}

// Conversion buffers for one block per operand, kept per thread so a call allocates nothing.
char* block_scratch(size_t operands) {
  thread_local std::vector<char> scratch;
  const size_t bytes = operands * kBlock * 8;
  if (scratch.size() < bytes) scratch.resize(bytes);
  return scratch.data();
}

}  // namespace

Elemwise::Elemwise(const ScalarOp& scalar, std::optional<DType> cast_target, int inplace_input)
    : scalar_(&scalar), cast_target_(cast_target), inplace_input_(inplace_input) {}

Props Elemwise::fields() const {
  return {{"scalar", PropValue::string(scalar_->name)},
          {"cast_target", PropValue::optional_dtype(cast_target_)},
          {"inplace_input",
           PropValue::optional_int(inplace_input_ >= 0 ? std::optional<int64_t>(inplace_input_)
                                                       : std::nullopt)}};
}

std::string Elemwise::props() const {
  const std::string inplace =
      inplace_input_ >= 0 ? ",inplace" + std::to_string(inplace_input_) : "";
  if (cast_target_) return "Cast{" + std::string(dtype_name(*cast_target_)) + "}" + inplace;
  return scalar_->name + inplace;
}

std::vector<std::pair<int, int>> Elemwise::destroy_map() const {
  if (inplace_input_ < 0) return {};
  return {{0, inplace_input_}};
}

std::vector<TensorType> Elemwise::output_types(const std::vector<Var>& inputs) const {
  if (static_cast<int>(inputs.size()) != scalar_->arity) {
    throw TypeError(op_error(*this, "expected " + std::to_string(scalar_->arity) + " inputs, got " +
                                        std::to_string(inputs.size())));
  }
  std::vector<DType> dtypes;
  std::vector<StaticShape> shapes;
  for (const auto& v : inputs) {
    dtypes.push_back(v->type.dtype);
    shapes.push_back(v->type.shape);
  }
  ScalarResolution r;
  try {
    r = resolve_scalar(*scalar_, dtypes, cast_target_.value_or(DType::Float64));
  } catch (const Error& e) {
    rethrow_with_message(e, "Elemwise{" + std::string(e.what()) + "}");
  }
  return {TensorType(r.output, broadcast_static(shapes, name()))};
}

void Elemwise::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const size_t nin = inputs.size();
  DType dtypes[3];
  bool same_shapes = true;
  for (size_t k = 0; k < nin; ++k) {
    dtypes[k] = inputs[k].dtype();
    same_shapes = same_shapes && inputs[k].shape() == inputs[0].shape();
  }
  const ScalarResolution r = resolve_scalar(*scalar_, std::vector<DType>(dtypes, dtypes + nin),
                                            cast_target_.value_or(DType::Float64));
  Shape shape;
  if (same_shapes) {
    shape = inputs[0].shape();
  } else {
    std::vector<Shape> shapes;
    for (const auto& a : inputs) shapes.push_back(a.shape());
    shape = broadcast_shapes(shapes, name());
  }
  // Inplace: write into input k's buffer when it has exactly the output's layout needs (shape,
  // dtype, writeable, no dimension of stride 0 that would make elements share memory).
  bool inplace = inplace_input_ >= 0 && inplace_input_ < static_cast<int>(nin);
  if (inplace) {
    const NDArray& d = inputs[inplace_input_];
    inplace = d.dtype() == r.output && d.shape() == shape && d.writeable();
    for (int i = 0; inplace && i < d.ndim(); ++i) inplace = d.shape(i) <= 1 || d.strides()[i] != 0;
  }
  if (inplace) outputs[0] = inputs[inplace_input_];
  NDArray& out = inplace ? outputs[0] : reuse_or_empty(outputs[0], r.output, shape);
  const ScalarKernel kernel = scalar_->kernels[static_cast<int>(r.compute)];

  // Fast path: every operand contiguous, of the output's shape and already in the compute
  // dtype: one kernel call over the whole array.
  bool direct = same_shapes;
  for (size_t k = 0; k < nin && direct; ++k) {
    direct = inputs[k].dtype() == r.compute && inputs[k].is_c_contiguous();
  }
  if (direct) {
    const char* in_ptrs[3];
    for (size_t k = 0; k < nin; ++k) in_ptrs[k] = inputs[k].raw();
    kernel(in_ptrs, out.raw(), out.size());
    return;
  }

  const int64_t csize = static_cast<int64_t>(itemsize(r.compute));
  const int64_t osize = static_cast<int64_t>(itemsize(r.output));
  std::vector<const NDArray*> operands{&out};
  std::vector<char*> ptrs{out.raw()};
  for (const auto& a : inputs) {
    operands.push_back(&a);
    ptrs.push_back(a.raw());
  }
  const LoopPlan plan = plan_loop(shape, operands);
  char* scratch = block_scratch(nin + 1);
  const char* in_ptrs[3];
  for_each_run(plan, ptrs, [&](char** p, const int64_t* st, int64_t n) {
    for (int64_t start = 0; start < n; start += kBlock) {
      const int64_t m = std::min(kBlock, n - start);
      for (size_t k = 0; k < nin; ++k) {
        const char* src = p[k + 1] + start * st[k + 1];
        if (inputs[k].dtype() == r.compute && st[k + 1] == csize) {
          in_ptrs[k] = src;
        } else {
          char* buf = scratch + (k + 1) * kBlock * 8;
          convert_strided(inputs[k].dtype(), src, st[k + 1], r.compute, buf, csize, m);
          in_ptrs[k] = buf;
        }
      }
      char* dst = p[0] + start * st[0];
      if (st[0] == osize) {
        kernel(in_ptrs, dst, m);
      } else {
        kernel(in_ptrs, scratch, m);
        convert_strided(r.output, scratch, osize, r.output, dst, st[0], m);
      }
    }
  });
}

std::string Elemwise::pprint(const std::vector<std::string>& args) const {
  if (cast_target_) return "cast(" + args[0] + ", " + std::string(dtype_name(*cast_target_)) + ")";
  if (scalar_->infix.empty()) {
    std::string s = scalar_->name + "(";
    for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + args[i];
    return s + ")";
  }
  if (args.size() == 1) return scalar_->infix + args[0];
  std::string s = "(" + args[0];
  for (size_t i = 1; i < args.size(); ++i) s += " " + scalar_->infix + " " + args[i];
  return s + ")";
}

std::vector<Var> Elemwise::L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                                const std::vector<Var>& output_grads) const {
  std::vector<Var> grads;
  if (cast_target_) {
    grads.push_back(is_float(inputs[0]->type.dtype) ? output_grads[0] : nullptr);
  } else {
    ScalarGrad rule = find_scalar_grad(scalar_->name);
    if (!rule) {
      throw NotImplementedError(op_error(
          *this, "the gradient of the scalar op '" + scalar_->name + "' is not implemented"));
    }
    grads = rule(inputs, outputs[0], output_grads[0]);
  }
  for (size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i] || !is_float(inputs[i]->type.dtype)) {
      grads[i] = nullptr;
      continue;
    }
    grads[i] = sum_to_shape(grads[i], inputs[i]);
    if (grads[i]->type.dtype != inputs[i]->type.dtype) {
      grads[i] = cast(grads[i], inputs[i]->type.dtype);
    }
  }
  return grads;
}

std::optional<std::vector<std::vector<Var>>> Elemwise::infer_shape(
    const std::vector<Var>& inputs, const std::vector<std::vector<Var>>& input_shapes) const {
  return std::vector<std::vector<Var>>{broadcast_dims(inputs, input_shapes)};
}

Var elemwise(const std::string& name, std::vector<Var> inputs) {
  return make_node1(std::make_shared<Elemwise>(find_scalar_op(name)), std::move(inputs));
}

Var cast(const Var& x, DType dtype) {
  if (x->type.dtype == dtype) return x;
  return make_node1(std::make_shared<Elemwise>(find_scalar_op("cast"), dtype), {x});
}

Var add(const Var& a, const Var& b) {
  return elemwise("add", {a, b});
}
Var sub(const Var& a, const Var& b) {
  return elemwise("sub", {a, b});
}
Var mul(const Var& a, const Var& b) {
  return elemwise("mul", {a, b});
}
Var true_divide(const Var& a, const Var& b) {
  return elemwise("true_divide", {a, b});
}
Var neg(const Var& x) {
  return elemwise("neg", {x});
}
Var exp(const Var& x) {
  return elemwise("exp", {x});
}
Var log(const Var& x) {
  return elemwise("log", {x});
}

Var operator+(const Var& a, const Var& b) {
  return add(a, b);
}
Var operator-(const Var& a, const Var& b) {
  return sub(a, b);
}
Var operator*(const Var& a, const Var& b) {
  return mul(a, b);
}
Var operator/(const Var& a, const Var& b) {
  return true_divide(a, b);
}
Var operator-(const Var& x) {
  return neg(x);
}
Var operator+(const Var& a, double b) {
  return add(a, weak_scalar(b, a));
}
Var operator+(double a, const Var& b) {
  return add(weak_scalar(a, b), b);
}
Var operator-(const Var& a, double b) {
  return sub(a, weak_scalar(b, a));
}
Var operator-(double a, const Var& b) {
  return sub(weak_scalar(a, b), b);
}
Var operator*(const Var& a, double b) {
  return mul(a, weak_scalar(b, a));
}
Var operator*(double a, const Var& b) {
  return mul(weak_scalar(a, b), b);
}
Var operator/(const Var& a, double b) {
  return true_divide(a, weak_scalar(b, a));
}
Var operator/(double a, const Var& b) {
  return true_divide(weak_scalar(a, b), b);
}

namespace {

void register_elemwise_builder(const std::string& name, int arity) {
  register_builder(name, arity, arity, [name](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{elemwise(name, in)};
  });
}

}  // namespace

void register_elementwise_op(ScalarOp op, ScalarGrad grad, std::string doc) {
  const std::string name = op.name;
  const int arity = op.arity;
  register_scalar_op(std::move(op));
  if (grad) register_scalar_grad(name, grad);
  register_elemwise_builder(name, arity);
  export_to_python({"tensor", name, name, std::move(doc), true, arity, {}});
}

void register_elemwise_ops() {
  register_scalar_arith();
  register_scalar_elementary();
  register_scalar_special();
  register_scalar_rounding();
  register_scalar_compare();
  for (const std::string& name : scalar_op_names()) {
    if (name != "cast") register_elemwise_builder(name, find_scalar_op(name).arity);
  }
  // Builders that do more than apply the scalar op: NumPy's bool handling of pow, sqr,
  // floor_divide and mod (computed in int8), and the condition of switch/where (made bool).
  register_builder("pow", 2, 2, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{pow(in[0], in[1])};
  });
  register_builder("floor_divide", 2, 2, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{floor_divide(in[0], in[1])};
  });
  register_builder("mod", 2, 2, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{mod(in[0], in[1])};
  });
  register_builder("sqr", 1, 1, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{sqr(in[0])};
  });
  for (const char* name : {"switch", "where"}) {
    register_builder(name, 3, 3, [](const std::vector<Var>& in, const Params&) {
      return std::vector<Var>{switch_(in[0], in[1], in[2])};
    });
  }
  register_builder("cast", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{cast(in[0], parse_dtype(p.get_string("dtype", "")))};
  });
  register_op_factory("Elemwise", elemwise_from_fields);
}

}  // namespace theon
