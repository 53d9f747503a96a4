// AllGather: the ranks' x concatenated along axis 0 in rank order, on every rank. Rank r's x
// is block r of every rank's output, so its gradient is block r of the sum of the output
// gradients: reduce_scatter of the gradient.
// From C++: all_gather(x).
#include "collective_util.hpp"
#include "theon/core/checked_size.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/distributed.hpp"
#include "theon/ops/elemwise.hpp"

namespace theon {
namespace {

class AllGather final : public CollectiveOp {
 public:
  explicit AllGather(int world_size)
      : CollectiveOp(CollectiveKind::AllGather, ReduceOp::Sum, 0, world_size) {}
  std::string type_name() const override { return "AllGather"; }
  Props fields() const override { return {{"world_size", PropValue::integer(world_size())}}; }

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    TensorType t = check_one_input(inputs);
    check_has_axis0(*this, t, "gathered");
    if (t.shape[0] != kUnknownDim) {
      t.shape[0] = checked_size({t.shape[0], world_size()}, op_error(*this, "output size"));
    }
    return {t};
  }

  Shape output_shape(const Shape& input) const override {
    Shape s = input;
    s[0] = checked_size({s[0], world_size()}, op_error(*this, "output size"));
    return s;
  }

  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                        const std::vector<Var>& output_grads) const override {
    if (!is_float(inputs[0]->type.dtype)) return {nullptr};
    return {reduce_scatter(output_grads[0], ReduceOp::Sum)};
  }

  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& input_shapes) const override {
    std::vector<Var> s = input_shapes[0];
    s[0] = s[0] * scalar_constant(int64_t{world_size()}, DType::Int64);
    return std::vector<std::vector<Var>>{s};
  }
};

}  // namespace

Var all_gather(const Var& x) {
  return make_node1(std::make_shared<AllGather>(world().size()), {x});
}

THEON_OP_FILE(all_gather) {
  register_op_factory("AllGather", [](const PropReader& f) -> OpPtr {
    return std::make_shared<AllGather>(world_size_field(f));
  });
  register_builder("all_gather", 1, 1, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{all_gather(in[0])};
  });
  export_to_python({"distributed",
                    "all_gather",
                    "all_gather",
                    "The ranks' x concatenated along axis 0 in rank order, on every rank.\n"
                    "\n"
                    "Every rank must pass x of the same dtype and shape. The graph is built for "
                    "the world of this process: build it after distributed.init().\n"
                    "\n"
                    "Parameters\n"
                    "----------\n"
                    "x : Variable or array_like\n"
                    "    This rank's part, at least 1-d.\n"
                    "\n"
                    "Returns\n"
                    "-------\n"
                    "Variable\n"
                    "    Axis 0 world-size times longer than x's.\n"
                    "\n"
                    "Examples\n"
                    "--------\n"
                    ">>> x = T.dmatrix('x')\n"
                    ">>> f = theon.function([x], theon.distributed.all_gather(x))\n"
                    ">>> f([[1., 2.]])  # in a world of one process\n"
                    "array([[1., 2.]])",
                    false,
                    1,
                    {}});
}

}  // namespace theon
