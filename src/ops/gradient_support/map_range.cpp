// MapRange: a loop over a range that evaluates an inner graph per index and stacks the
// results (what jacobian and hessian are built from), with its C++ API map_range.
#include <optional>

#include "theon/core/error.hpp"
#include "theon/graph/clone.hpp"
#include "theon/graph/fgraph.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/gradient_support.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/shape.hpp"

namespace theon {
namespace {

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

}  // namespace

THEON_OP_FILE(map_range) {
  register_op_factory("MapRange", map_range_from_fields);
}

}  // namespace theon
