#include "theon/ops/gradient_support.hpp"

#include <algorithm>
#include <cstring>
#include <optional>

#include "theon/core/error.hpp"
#include "theon/core/iterate.hpp"
#include "theon/graph/clone.hpp"
#include "theon/graph/fgraph.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/shape.hpp"

namespace theon {
namespace {

// Sums g into an array of `target` shape: over the leading dimensions g has beyond target's,
// and over the dimensions where target has size 1 and g does not.
void sum_into(const Op& op, const NDArray& g, const Shape& target, NDArray& out) {
  const int off = g.ndim() - static_cast<int>(target.size());
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] != g.shape(off + static_cast<int>(i)) && target[i] != 1) {
      throw ValueError(op_error(op, "cannot sum a gradient of shape " + shape_str(g.shape()) +
                                        " to shape " + shape_str(target)));
    }
  }
  NDArray& o = reuse_or_empty(out, g.dtype(), target);
  std::memset(o.raw(), 0, o.nbytes());
  // The output seen through broadcasting strides (0 on summed axes) accumulates g.
  Strides st(g.ndim(), 0);
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] == g.shape(off + static_cast<int>(i))) st[off + i] = o.strides()[i];
  }
  NDArray acc = o.view(o.raw(), g.shape(), st);
  LoopPlan plan = plan_loop(g.shape(), {&acc, &g});
  visit_dtype(g.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    for_each_run(plan, {acc.raw(), g.raw()}, [&](char** p, const int64_t* s, int64_t n) {
      for (int64_t k = 0; k < n; ++k) {
        T& dst = *reinterpret_cast<T*>(p[0] + k * s[0]);
        dst = static_cast<T>(dst + *reinterpret_cast<const T*>(p[1] + k * s[1]));
      }
    });
  });
}

// SumToShape(g, like): g summed to like's shape (like's value is not read).
class SumToShape : public Op {
 public:
  std::string type_name() const override { return "SumToShape"; }
  std::vector<TensorType> output_types(const std::vector<Var>& in) const override {
    if (in.size() != 2) throw TypeError(op_error(*this, "expected 2 inputs (g, like)"));
    if (in[0]->type.ndim() < in[1]->type.ndim()) {
      throw ValueError(op_error(*this, "gradient of " + std::to_string(in[0]->type.ndim()) +
                                           " dimensions cannot be summed to " +
                                           std::to_string(in[1]->type.ndim()) + " dimensions"));
    }
    return {TensorType(in[0]->type.dtype, in[1]->type.shape)};
  }
  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out) const override {
    sum_into(*this, in[0], in[1].shape(), out[0]);
  }
  std::vector<Var> L_op(const std::vector<Var>& in, const std::vector<Var>&,
                        const std::vector<Var>& gout) const override {
    // Summing is linear: the gradient is gout broadcast back to g's shape.
    return {add(gout[0], zeros_like(in[0])), nullptr};
  }
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& shapes) const override {
    return std::vector<std::vector<Var>>{shapes[1]};  // like's shape
  }
};

// SumToDims{static shape}(g, d0, d1, ...): the same with the target shape given as int64
// scalars, so that the graph no longer needs the model tensor (the shape rewrites turn
// SumToShape into it). The static shape keeps the output's type that of the SumToShape.
class SumToDims : public Op {
 public:
  explicit SumToDims(StaticShape shape) : shape_(std::move(shape)) {}
  std::string type_name() const override { return "SumToDims"; }
  Props fields() const override { return {{"shape", PropValue::ints(shape_)}}; }
  std::string props() const override { return static_shape_str(shape_); }
  std::vector<TensorType> output_types(const std::vector<Var>& in) const override {
    if (in.size() != shape_.size() + 1 || in[0]->type.ndim() < static_cast<int>(shape_.size())) {
      throw TypeError(op_error(*this, "expected a gradient of at least " +
                                          std::to_string(shape_.size()) + " dimensions and " +
                                          std::to_string(shape_.size()) + " int64 sizes"));
    }
    for (size_t i = 1; i < in.size(); ++i) {
      if (in[i]->type.ndim() != 0 || !is_integer(in[i]->type.dtype)) {
        throw TypeError(op_error(*this, "sizes must be integer scalars, got " + in[i]->type.str()));
      }
    }
    return {TensorType(in[0]->type.dtype, shape_)};
  }
  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out) const override {
    Shape target;
    for (size_t i = 1; i < in.size(); ++i)
      target.push_back(static_cast<int64_t>(in[i].flat_as_double(0)));
    sum_into(*this, in[0], target, out[0]);
  }
  std::vector<Var> L_op(const std::vector<Var>& in, const std::vector<Var>&,
                        const std::vector<Var>& gout) const override {
    std::vector<Var> grads(in.size(), nullptr);
    grads[0] = add(gout[0], zeros_like(in[0]));
    return grads;
  }
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& in, const std::vector<std::vector<Var>>&) const override {
    return std::vector<std::vector<Var>>{std::vector<Var>(in.begin() + 1, in.end())};
  }

 private:
  StaticShape shape_;
};

enum class Modifier { Zero, Disconnected, Clip, Scale };

class GradModifier : public Op {
 public:
  GradModifier(Modifier kind, double a = 0, double b = 0) : kind_(kind), a_(a), b_(b) {}
  std::string type_name() const override {
    switch (kind_) {
      case Modifier::Zero:
        return "ZeroGrad";
      case Modifier::Disconnected:
        return "DisconnectedGrad";
      case Modifier::Clip:
        return "GradClip";
      case Modifier::Scale:
        break;
    }
    return "GradScale";
  }
  Props fields() const override {
    if (kind_ == Modifier::Clip) {
      return {{"lower", PropValue::real(a_)}, {"upper", PropValue::real(b_)}};
    }
    if (kind_ == Modifier::Scale) return {{"multiplier", PropValue::real(a_)}};
    return {};
  }
  std::string props() const override {
    if (kind_ == Modifier::Clip) return std::to_string(a_) + "," + std::to_string(b_);
    if (kind_ == Modifier::Scale) return std::to_string(a_);
    return "";
  }
  std::vector<TensorType> output_types(const std::vector<Var>& in) const override {
    if (in.size() != 1) throw TypeError(op_error(*this, "expected 1 input"));
    return {in[0]->type};
  }
  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out) const override {
    out[0] = in[0];
  }
  std::vector<std::pair<int, int>> view_map() const override { return {{0, 0}}; }
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& shapes) const override {
    return std::vector<std::vector<Var>>{shapes[0]};
  }
  std::vector<Var> L_op(const std::vector<Var>& in, const std::vector<Var>&,
                        const std::vector<Var>& gout) const override {
    switch (kind_) {
      case Modifier::Zero:
        return {zeros_like(in[0])};
      case Modifier::Disconnected:
        return {nullptr};
      case Modifier::Clip:
        return {clip(gout[0], scalar_constant(a_, gout[0]->type.dtype),
                     scalar_constant(b_, gout[0]->type.dtype))};
      case Modifier::Scale:
        break;
    }
    return {mul(gout[0], scalar_constant(a_, gout[0]->type.dtype))};
  }

 private:
  Modifier kind_;
  double a_, b_;
};

// Runs an inner graph once per index and stacks the results. The inner graph is evaluated with
// the reference kernels, which is what jacobian and hessian need.
class MapRange : public Op {
 public:
  MapRange(Var index, std::vector<Var> params, std::vector<Var> body)
      : index_(std::move(index)), params_(std::move(params)), body_(std::move(body)) {}
  std::string type_name() const override { return "MapRange"; }
  // The inner graph is part of the op's identity: its variables compare by the objects they are.
  Props fields() const override {
    std::vector<PropValue> params, body;
    for (const Var& p : params_) params.push_back(PropValue::var(p));
    for (const Var& b : body_) body.push_back(PropValue::var(b));
    return {{"index", PropValue::var(index_)},
            {"params", PropValue::list(std::move(params))},
            {"body", PropValue::list(std::move(body))}};
  }
  std::string props() const override {
    // The inner graph is part of the op's identity; it is compared by the object it is.
    return "body@" + std::to_string(reinterpret_cast<uintptr_t>(body_.front().get()));
  }
  std::vector<TensorType> output_types(const std::vector<Var>& in) const override {
    if (in.size() != params_.size() + 1 || in[0]->type.ndim() != 0 ||
        !is_integer(in[0]->type.dtype)) {
      throw TypeError(op_error(*this, "expected an int scalar count and the body's inputs"));
    }
    std::vector<TensorType> out;
    const NDArray* n = constant_value(in[0]);
    for (const auto& b : body_) {
      StaticShape s{n ? static_cast<int64_t>(n->flat_as_double(0)) : kUnknownDim};
      s.insert(s.end(), b->type.shape.begin(), b->type.shape.end());
      out.emplace_back(b->type.dtype, s);
    }
    return out;
  }
  // (n, *body shape): the body's shape graph, moved into the enclosing graph by substituting
  // the node's inputs for the body's parameters and 0 for the index. The body's shape must not
  // depend on the index (perform raises otherwise, and evaluates index 0 when n == 0). Where a
  // body dimension cannot be inferred from shapes, asking for it evaluates the body once
  // (index 0) instead of n times. A negative n is not checked here (perform raises).
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& in, const std::vector<std::vector<Var>>&) const override {
    std::vector<Var> inner;
    for (const auto& b : body_) {
      for (int d = 0; d < b->type.ndim(); ++d) {
        const int64_t known = b->type.shape[d];
        inner.push_back(known != kUnknownDim ? scalar_constant(known, DType::Int64)
                                             : shape_i(b, d));
      }
    }
    std::vector<std::pair<Var, Var>> replace;
    replace.emplace_back(index_, scalar_constant(int64_t{0}, index_->type.dtype));
    for (size_t k = 0; k < params_.size(); ++k) replace.emplace_back(params_[k], in[k + 1]);
    std::vector<Var> dims;
    try {
      dims = clone_replace(inner, replace);
    } catch (const Error&) {
      return std::nullopt;  // inputs whose types no longer fit the body: read the shape off
    }
    const Var n = in[0]->type.dtype == DType::Int64 ? in[0] : cast(in[0], DType::Int64);
    std::vector<std::vector<Var>> out;
    size_t next = 0;
    for (const auto& b : body_) {
      std::vector<Var> s{n};
      for (int d = 0; d < b->type.ndim(); ++d) s.push_back(dims[next++]);
      out.push_back(std::move(s));
    }
    return out;
  }
  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out) const override {
    const int64_t n = static_cast<int64_t>(in[0].flat_as_double(0));
    if (n < 0) throw ValueError(op_error(*this, "negative count " + std::to_string(n)));
    std::vector<std::pair<Var, NDArray>> values;
    values.emplace_back(index_, NDArray::scalar<int64_t>(0));
    for (size_t k = 0; k < params_.size(); ++k) values.emplace_back(params_[k], in[k + 1]);
    for (int64_t i = 0; i < n; ++i) {
      *values[0].second.data<int64_t>() = i;
      std::vector<NDArray> r = evaluate(body_, values);
      for (size_t j = 0; j < body_.size(); ++j) {
        if (i == 0) {
          Shape s{n};
          s.insert(s.end(), r[j].shape().begin(), r[j].shape().end());
          out[j] = NDArray::empty(body_[j]->type.dtype, s);
        }
        const size_t row = r[j].nbytes();
        NDArray dst = out[j].view(out[j].raw() + i * static_cast<int64_t>(row), r[j].shape(),
                                  c_strides(r[j].shape(), itemsize(r[j].dtype())));
        if (r[j].shape() != Shape(out[j].shape().begin() + 1, out[j].shape().end())) {
          throw ValueError(op_error(
              *this, "iteration " + std::to_string(i) + " gave shape " + shape_str(r[j].shape())));
        }
        dst.copy_from(r[j].astype(body_[j]->type.dtype));
      }
    }
    if (n == 0) {
      // No iteration fixes the body's shape; evaluate it once for index 0 to learn it.
      std::vector<NDArray> r = evaluate(body_, values);
      for (size_t j = 0; j < body_.size(); ++j) {
        Shape s{0};
        s.insert(s.end(), r[j].shape().begin(), r[j].shape().end());
        out[j] = NDArray::empty(body_[j]->type.dtype, s);
      }
    }
  }

 private:
  Var index_;
  std::vector<Var> params_;
  std::vector<Var> body_;
};

}  // namespace

Var sum_to_dims(const Var& g, const std::vector<Var>& dims, const StaticShape& static_shape) {
  std::vector<Var> in{g};
  in.insert(in.end(), dims.begin(), dims.end());
  return make_node1(std::make_shared<SumToDims>(static_shape), in);
}

Var sum_to_shape(const Var& g, const Var& like) {
  const StaticShape& gs = g->type.shape;
  const StaticShape& ls = like->type.shape;
  // A dimension of `like` was not stretched if its static size is known and not 1 (the result
  // then has that size too), or if both sizes are statically 1.
  bool same = gs.size() == ls.size();
  for (size_t i = 0; same && i < gs.size(); ++i) {
    same = (ls[i] != kUnknownDim && ls[i] != 1) || (ls[i] == 1 && gs[i] == 1);
  }
  if (same) return g;
  return make_node1(std::make_shared<SumToShape>(), {g, like});
}

Var zero_grad(const Var& x) {
  return make_node1(std::make_shared<GradModifier>(Modifier::Zero), {x});
}
Var disconnected_grad(const Var& x) {
  return make_node1(std::make_shared<GradModifier>(Modifier::Disconnected), {x});
}
Var grad_clip(const Var& x, double lo, double hi) {
  if (lo > hi)
    throw ValueError("grad_clip: lower bound " + std::to_string(lo) + " is above upper bound " +
                     std::to_string(hi));
  return make_node1(std::make_shared<GradModifier>(Modifier::Clip, lo, hi), {x});
}
Var grad_scale(const Var& x, double scale) {
  return make_node1(std::make_shared<GradModifier>(Modifier::Scale, scale), {x});
}

std::vector<Var> map_range(const Var& n, const Var& index, const std::vector<Var>& body) {
  if (body.empty()) throw ValueError("map_range: the body has no outputs");
  std::vector<Var> params;
  for (const auto& leaf : graph_leaves(body)) {
    if (leaf->is_input() && leaf != index) params.push_back(leaf);
  }
  std::vector<Var> inputs{n};
  inputs.insert(inputs.end(), params.begin(), params.end());
  return make_node(std::make_shared<MapRange>(index, params, body), inputs);
}

namespace {

std::vector<Var> vars_of(const PropReader& f, std::string_view name) {
  std::vector<Var> out;
  for (const PropValue& v : f.get_list(name)) out.push_back(v.as_var(f.context(name)));
  return out;
}

// The parameters must be the body's free inputs, as map_range finds them, so that evaluating the
// body binds every input it reads.
OpPtr map_range_from_fields(const PropReader& f) {
  const Var& index = f.at("index").as_var(f.context("index"));
  if (!index->is_input() || index->type.ndim() != 0 || index->type.dtype != DType::Int64) {
    throw ValueError(f.context("index") + ": expected an int64 scalar input, got " +
                     index->type.str());
  }
  std::vector<Var> params = vars_of(f, "params"), body = vars_of(f, "body");
  if (body.empty()) throw ValueError(f.context("body") + ": the body has no outputs");
  std::vector<Var> free;
  for (const auto& leaf : graph_leaves(body)) {
    if (leaf->is_input() && leaf != index) free.push_back(leaf);
  }
  if (free != params) {
    throw ValueError(f.context("params") + ": not the free inputs of the body");
  }
  return std::make_shared<MapRange>(index, std::move(params), std::move(body));
}

void register_gradient_support_factories() {
  register_op_factory("SumToShape",
                      [](const PropReader&) -> OpPtr { return std::make_shared<SumToShape>(); });
  register_op_factory("SumToDims", [](const PropReader& f) -> OpPtr {
    const std::vector<int64_t>& shape = f.get_ints("shape");
    for (int64_t d : shape) {
      if (d < kUnknownDim) throw ValueError(f.context("shape") + ": negative size");
    }
    return std::make_shared<SumToDims>(shape);
  });
  register_op_factory("ZeroGrad", [](const PropReader&) -> OpPtr {
    return std::make_shared<GradModifier>(Modifier::Zero);
  });
  register_op_factory("DisconnectedGrad", [](const PropReader&) -> OpPtr {
    return std::make_shared<GradModifier>(Modifier::Disconnected);
  });
  register_op_factory("GradClip", [](const PropReader& f) -> OpPtr {
    return std::make_shared<GradModifier>(Modifier::Clip, f.get_float("lower"),
                                          f.get_float("upper"));
  });
  register_op_factory("GradScale", [](const PropReader& f) -> OpPtr {
    return std::make_shared<GradModifier>(Modifier::Scale, f.get_float("multiplier"));
  });
  register_op_factory("MapRange", map_range_from_fields);
}

}  // namespace

void register_gradient_support_ops() {
  register_gradient_support_factories();
  register_builder("sum_to_shape", 2, 2, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{sum_to_shape(in[0], in[1])};
  });
  register_builder("zero_grad", 1, 1, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{zero_grad(in[0])};
  });
  register_builder("disconnected_grad", 1, 1, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{disconnected_grad(in[0])};
  });
  register_builder("grad_clip", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{grad_clip(in[0], p.get_double("lower"), p.get_double("upper"))};
  });
  register_builder("grad_scale", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{grad_scale(in[0], p.get_double("multiplier"))};
  });
}

}  // namespace theon
