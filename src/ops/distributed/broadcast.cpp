// Broadcast and Reduce, each the other's adjoint. Broadcast: the root's x on every rank; the
// root's x reaches every output, so its gradient is the sum of the output gradients on the
// root and zero elsewhere (Reduce). Reduce: the combination of x on the root and zeros on the
// other ranks; every rank's x reaches the root's output only, so its gradient is the root's
// output gradient (Broadcast), divided by the world size for a mean, and for a max or min only
// where x gave the result.
// From C++: broadcast(x, 0), reduce_to_root(x, ReduceOp::Sum, 0).
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

int root_from(int64_t root, const std::string& who) {
  if (root < 0 || root > INT32_MAX) {
    throw ValueError(who + ": root must be a rank (an int >= 0), got " + std::to_string(root));
  }
  return static_cast<int>(root);
}

class RootedCollective : public CollectiveOp {
 public:
  using CollectiveOp::CollectiveOp;
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    return {check_one_input(inputs)};
  }
  Shape output_shape(const Shape& input) const override { return input; }
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& input_shapes) const override {
    return std::vector<std::vector<Var>>{input_shapes[0]};
  }
};

class Broadcast final : public RootedCollective {
 public:
  explicit Broadcast(int root)
      : RootedCollective(CollectiveKind::Broadcast, ReduceOp::Sum, root, 0) {}
  std::string type_name() const override { return "Broadcast"; }
  Props fields() const override { return {{"root", PropValue::integer(root())}}; }
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                        const std::vector<Var>& output_grads) const override {
    if (!is_float(inputs[0]->type.dtype)) return {nullptr};
    return {reduce_to_root(output_grads[0], ReduceOp::Sum, root())};
  }
};

class Reduce final : public RootedCollective {
 public:
  Reduce(ReduceOp op, int root) : RootedCollective(CollectiveKind::Reduce, op, root, 0) {}
  std::string type_name() const override { return "Reduce"; }
  Props fields() const override {
    return {{"op", PropValue::string(reduce_op_name(reduce_op()))},
            {"root", PropValue::integer(root())}};
  }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    const TensorType& t = check_one_input(inputs);
    check_mean_input(*this, t);
    return {t};
  }
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override {
    const Var& x = inputs[0];
    if (!is_float(x->type.dtype)) return {nullptr};
    const Var g = broadcast(output_grads[0], root());
    switch (reduce_op()) {
      case ReduceOp::Sum:
        return {g};
      case ReduceOp::Mean:
        return {true_divide(g, cast(size_of_world(), x->type.dtype))};
      case ReduceOp::Max:
      case ReduceOp::Min:
        break;
    }
    return {g * cast(equal(x, broadcast(outputs[0], root())), x->type.dtype)};
  }

 private:
  // The world size as a graph value: the sum of a 1 from every rank (the graph does not depend
  // on the world it was built in).
  Var size_of_world() const {
    return all_reduce(scalar_constant(int64_t{1}, DType::Int64), ReduceOp::Sum);
  }
};

}  // namespace

Var broadcast(const Var& x, int root) {
  return make_node1(std::make_shared<Broadcast>(root), {x});
}

Var reduce_to_root(const Var& x, ReduceOp op, int root) {
  return make_node1(std::make_shared<Reduce>(op, root), {x});
}

THEON_OP_FILE(broadcast) {
  register_op_factory("Broadcast", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Broadcast>(root_from(f.get_int("root"), f.context("root")));
  });
  register_op_factory("Reduce", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Reduce>(parse_reduce_op(f.get_string("op"), f.context("op")),
                                    root_from(f.get_int("root"), f.context("root")));
  });
  register_builder("broadcast", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{broadcast(in[0], root_from(p.get_int("root", 0), "broadcast"))};
  });
  register_builder("reduce_to_root", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{reduce_to_root(in[0], reduce_op_param(p, "reduce_to_root"),
                                           root_from(p.get_int("root", 0), "reduce_to_root"))};
  });
  export_to_python({"distributed",
                    "broadcast",
                    "broadcast",
                    "The root's x on every rank.\n"
                    "\n"
                    "Every rank must pass x of the same dtype and shape (only the root's values "
                    "are read).\n"
                    "\n"
                    "Parameters\n"
                    "----------\n"
                    "x : Variable or array_like\n"
                    "    This rank's part.\n"
                    "root : int\n"
                    "    The rank whose x every rank gets.\n"
                    "\n"
                    "Returns\n"
                    "-------\n"
                    "Variable\n"
                    "    Of x's dtype and shape.\n"
                    "\n"
                    "Examples\n"
                    "--------\n"
                    ">>> x = T.dvector('x')\n"
                    ">>> f = theon.function([x], theon.distributed.broadcast(x, root=0))\n"
                    ">>> f([1., 2.])\n"
                    "array([1., 2.])",
                    false,
                    1,
                    {"root"}});
  export_to_python({"distributed",
                    "reduce_to_root",
                    "reduce_to_root",
                    "x combined element-wise over the ranks on the root; zeros on the other "
                    "ranks (the adjoint of broadcast).\n"
                    "\n"
                    "Every rank must pass x of the same dtype and shape.\n"
                    "\n"
                    "Parameters\n"
                    "----------\n"
                    "x : Variable or array_like\n"
                    "    This rank's part.\n"
                    "op : {'sum', 'mean', 'max', 'min'}\n"
                    "    How the parts combine; 'mean' needs a float x.\n"
                    "root : int\n"
                    "    The rank that gets the result.\n"
                    "\n"
                    "Returns\n"
                    "-------\n"
                    "Variable\n"
                    "    Of x's dtype and shape.\n"
                    "\n"
                    "Examples\n"
                    "--------\n"
                    ">>> x = T.dvector('x')\n"
                    ">>> f = theon.function([x], theon.distributed.reduce_to_root(x, 'max'))\n"
                    ">>> f([1., 2.])  # in a world of one process\n"
                    "array([1., 2.])",
                    false,
                    1,
                    {"op", "root"}});
}

}  // namespace theon
