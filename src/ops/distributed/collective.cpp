// What the collective ops share: the host kernel (the exchange through the process's world)
// and the input checks.
#include "collective_util.hpp"
#include "theon/core/error.hpp"
#include "theon/ops/distributed.hpp"

namespace theon {

bool is_collective(const Op& op) {
  return dynamic_cast<const CollectiveOp*>(&op) != nullptr;
}

const TensorType& CollectiveOp::check_one_input(const std::vector<Var>& inputs) const {
  if (inputs.size() != 1) {
    throw TypeError(op_error(*this, "expected 1 input, got " + std::to_string(inputs.size())));
  }
  const TensorType& t = inputs[0]->type;
  if (!t.is_tensor()) {
    throw TypeError(op_error(*this, "expected a dense tensor, got " + t.str()));
  }
  return t;
}

void check_mean_input(const CollectiveOp& op, const TensorType& input) {
  if (op.reduce_op() == ReduceOp::Mean && !is_float(input.dtype)) {
    throw TypeError(op_error(
        op, "op='mean' needs a float input, got " + input.str() + " (cast it, or use op='sum')"));
  }
}

void check_has_axis0(const CollectiveOp& op, const TensorType& input, const std::string& verb) {
  if (input.ndim() == 0) {
    throw TypeError(op_error(op, "expected an input of at least 1 dimension (" + verb +
                                     " along axis 0), got " + input.str()));
  }
}

ReduceOp reduce_op_param(const Params& params, const std::string& who) {
  return parse_reduce_op(params.get_string("op", "sum"), who);
}

int world_size_field(const PropReader& fields) {
  const int64_t n = fields.get_int("world_size");
  if (n < 1 || n > INT32_MAX) {
    throw ValueError(fields.context("world_size") + ": expected a positive int, got " +
                     std::to_string(n));
  }
  return static_cast<int>(n);
}

void CollectiveOp::perform(const std::vector<NDArray>& inputs,
                           std::vector<NDArray>& outputs) const {
  const NDArray& x = inputs[0];
  auto output = [&]() -> NDArray& {
    const int n = world().size();
    if (world_size_ > 0 && n != world_size_) {
      throw ValueError(
          op_error(*this, "the graph was built for a world of " + std::to_string(world_size_) +
                              " process(es) and runs in a world of " + std::to_string(n) +
                              " (build it after distributed.init())"));
    }
    return reuse_or_empty(outputs[0], x.dtype(), output_shape(x.shape()));
  };
  run_collective(kind_, op_, root_, x, output, name());
}

}  // namespace theon
