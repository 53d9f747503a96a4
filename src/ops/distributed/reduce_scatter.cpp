// ReduceScatter: rank r's block r of the element-wise combination over the ranks, axis 0 cut
// in world-size equal blocks. Block r of rank s's x reaches only rank r's output, so the
// gradient of a sum (mean) is the all_gather of the output gradients (divided by the world
// size); of a max or min it goes to the elements equal to the gathered result.
// From C++: reduce_scatter(x, ReduceOp::Sum).
#include "collective_util.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/distributed.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/math.hpp"

namespace theon {
namespace {

class ReduceScatter final : public CollectiveOp {
 public:
  ReduceScatter(ReduceOp op, int world_size)
      : CollectiveOp(CollectiveKind::ReduceScatter, op, 0, world_size) {}
  std::string type_name() const override { return "ReduceScatter"; }
  Props fields() const override {
    return {{"op", PropValue::string(reduce_op_name(reduce_op()))},
            {"world_size", PropValue::integer(world_size())}};
  }

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    TensorType t = check_one_input(inputs);
    check_has_axis0(*this, t, "scattered");
    check_mean_input(*this, t);
    if (t.shape[0] != kUnknownDim) {
      check_divisible(t.shape[0]);
      t.shape[0] /= world_size();
    }
    return {t};
  }

  Shape output_shape(const Shape& input) const override {
    check_divisible(input[0]);
    Shape s = input;
    s[0] /= world_size();
    return s;
  }

  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override {
    const Var& x = inputs[0];
    if (!is_float(x->type.dtype)) return {nullptr};
    const Var gathered = all_gather(output_grads[0]);
    switch (reduce_op()) {
      case ReduceOp::Sum:
        return {gathered};
      case ReduceOp::Mean:
        return {true_divide(gathered, scalar_constant(int64_t{world_size()}, x->type.dtype))};
      case ReduceOp::Max:
      case ReduceOp::Min:
        break;
    }
    return {gathered * cast(equal(x, all_gather(outputs[0])), x->type.dtype)};
  }

  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& input_shapes) const override {
    std::vector<Var> s = input_shapes[0];
    s[0] = floor_divide(s[0], scalar_constant(int64_t{world_size()}, DType::Int64));
    return std::vector<std::vector<Var>>{s};
  }

 private:
  void check_divisible(int64_t rows) const {
    if (rows % world_size() != 0) {
      throw ValueError(op_error(*this, "axis 0 of the input (" + std::to_string(rows) +
                                           ") must split into " + std::to_string(world_size()) +
                                           " equal blocks, one per rank"));
    }
  }
};

}  // namespace

Var reduce_scatter(const Var& x, ReduceOp op) {
  return make_node1(std::make_shared<ReduceScatter>(op, world().size()), {x});
}

THEON_OP_FILE(reduce_scatter) {
  register_op_factory("ReduceScatter", [](const PropReader& f) -> OpPtr {
    return std::make_shared<ReduceScatter>(parse_reduce_op(f.get_string("op"), f.context("op")),
                                           world_size_field(f));
  });
  register_builder("reduce_scatter", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{reduce_scatter(in[0], reduce_op_param(p, "reduce_scatter"))};
  });
  export_to_python({"distributed",
                    "reduce_scatter",
                    "reduce_scatter",
                    "Block `rank` of x combined element-wise over the ranks: axis 0 is cut in "
                    "world-size equal blocks and rank r gets block r of the combination.\n"
                    "\n"
                    "Every rank must pass x of the same dtype and shape. The graph is built for "
                    "the world of this process: build it after distributed.init().\n"
                    "\n"
                    "Parameters\n"
                    "----------\n"
                    "x : Variable or array_like\n"
                    "    This rank's part, at least 1-d, axis 0 a multiple of the world size.\n"
                    "op : {'sum', 'mean', 'max', 'min'}\n"
                    "    How the parts combine; 'mean' needs a float x.\n"
                    "\n"
                    "Returns\n"
                    "-------\n"
                    "Variable\n"
                    "    Axis 0 world-size times shorter than x's.\n"
                    "\n"
                    "Examples\n"
                    "--------\n"
                    ">>> x = T.dvector('x')\n"
                    ">>> f = theon.function([x], theon.distributed.reduce_scatter(x))\n"
                    ">>> f([1., 2.])  # in a world of one process\n"
                    "array([1., 2.])",
                    false,
                    1,
                    {"op"}});
}

}  // namespace theon
