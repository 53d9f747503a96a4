// AllocEmpty{dtype}(s0, s1, ...): a fresh array of the given shape whose elements are not set
// (Theano's AllocEmpty, NumPy's empty), for rewrites that write every element afterwards: the
// interior of a stencil and the slabs around it (src/rewrite/canonicalize_slices.cpp), which
// a zero fill would make one more pass over memory. Not differentiable (its values are not
// defined).
#include "../shape_util.hpp"
#include "alloc_util.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/shape.hpp"

namespace theon {
namespace {

class AllocEmpty final : public Op {
 public:
  explicit AllocEmpty(DType dtype) : dtype_(dtype) {}
  std::string type_name() const override { return "AllocEmpty"; }
  Props fields() const override { return {{"dtype", PropValue::dtype(dtype_)}}; }
  std::string props() const override { return std::string(dtype_name(dtype_)); }

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    StaticShape out;
    for (const Var& d : inputs) {
      if (!is_integer(d->type.dtype) || d->type.ndim() != 0) {
        throw TypeError(
            op_error(*this, "shape entries must be integer scalars, got " + d->type.str()));
      }
      const auto v = static_int_scalar(d);
      if (v && *v < 0) {
        throw ValueError(
            op_error(*this, "negative dimensions are not allowed: " + std::to_string(*v)));
      }
      out.push_back(v ? *v : kUnknownDim);
    }
    return {TensorType(dtype_, out)};
  }

  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs, const std::vector<std::vector<Var>>&) const override {
    std::vector<Var> dims;
    for (const Var& d : inputs) dims.push_back(as_int64(d));
    return std::vector<std::vector<Var>>{dims};
  }

  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override {
    reuse_or_empty(outputs[0], dtype_, alloc_runtime_shape(*this, inputs, 0));
  }

  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                        const std::vector<Var>&) const override {
    return std::vector<Var>(inputs.size());
  }

 private:
  DType dtype_;
};

}  // namespace

Var alloc_empty(const std::vector<Var>& shape, DType dtype) {
  return make_node1(std::make_shared<AllocEmpty>(dtype), shape);
}

THEON_OP_FILE(alloc_empty) {
  register_op_factory("AllocEmpty", [](const PropReader& f) -> OpPtr {
    return std::make_shared<AllocEmpty>(f.get_dtype("dtype"));
  });
  // empty(*shape, dtype=None)
  register_builder("empty", 0, -1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{alloc_empty(in, opt_dtype(p).value_or(float_x()))};
  });
}

}  // namespace theon
