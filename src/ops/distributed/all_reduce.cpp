// AllReduce: the element-wise sum, mean, max or min of x over the ranks, on every rank. With
// the cost the sum of the ranks' costs, the gradient of a sum (mean) is the sum (mean) of the
// ranks' output gradients; of a max or min it goes, summed, to the elements that gave the
// result, as Max's gradient does.
// From C++: all_reduce(x, ReduceOp::Mean).
#include "collective_util.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/distributed.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/math.hpp"

namespace theon {
namespace {

class AllReduce final : public CollectiveOp {
 public:
  explicit AllReduce(ReduceOp op) : CollectiveOp(CollectiveKind::AllReduce, op, 0, 0) {}
  std::string type_name() const override { return "AllReduce"; }
  Props fields() const override { return {{"op", PropValue::string(reduce_op_name(reduce_op()))}}; }

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    const TensorType& t = check_one_input(inputs);
    check_mean_input(*this, t);
    return {t};
  }

  Shape output_shape(const Shape& input) const override { return input; }

  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override {
    const Var& x = inputs[0];
    if (!is_float(x->type.dtype)) return {nullptr};
    const Var& g = output_grads[0];
    switch (reduce_op()) {
      case ReduceOp::Sum:
      case ReduceOp::Mean:
        return {all_reduce(g, reduce_op())};
      case ReduceOp::Max:
      case ReduceOp::Min:
        break;
    }
    return {all_reduce(g, ReduceOp::Sum) * cast(equal(x, outputs[0]), x->type.dtype)};
  }

  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& input_shapes) const override {
    return std::vector<std::vector<Var>>{input_shapes[0]};
  }
};

}  // namespace

Var all_reduce(const Var& x, ReduceOp op) {
  return make_node1(std::make_shared<AllReduce>(op), {x});
}

THEON_OP_FILE(all_reduce) {
  register_op_factory("AllReduce", [](const PropReader& f) -> OpPtr {
    return std::make_shared<AllReduce>(parse_reduce_op(f.get_string("op"), f.context("op")));
  });
  register_builder("all_reduce", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{all_reduce(in[0], reduce_op_param(p, "all_reduce"))};
  });
  export_to_python({"distributed",
                    "all_reduce",
                    "all_reduce",
                    "x combined element-wise over the ranks of the distributed world; every rank "
                    "gets the result.\n"
                    "\n"
                    "Every rank must run the same graph, with x of the same dtype and shape (a "
                    "mismatch is an error naming each rank's call).\n"
                    "\n"
                    "Parameters\n"
                    "----------\n"
                    "x : Variable or array_like\n"
                    "    This rank's part.\n"
                    "op : {'sum', 'mean', 'max', 'min'}\n"
                    "    How the parts combine; 'mean' needs a float x.\n"
                    "\n"
                    "Returns\n"
                    "-------\n"
                    "Variable\n"
                    "    Of x's dtype and shape.\n"
                    "\n"
                    "Examples\n"
                    "--------\n"
                    ">>> x = T.dvector('x')\n"
                    ">>> f = theon.function([x], theon.distributed.all_reduce(x, op='mean'))\n"
                    ">>> f([1., 2.])  # in a world of one process\n"
                    "array([1., 2.])",
                    false,
                    1,
                    {"op"}});
}

}  // namespace theon
