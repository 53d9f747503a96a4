// categorical_crossentropy: Theano's cross-entropy against a distribution or integer labels, a
// composite of existing ops (the stabilize rewrites fuse it over a softmax).
#include "theon/core/error.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/nnet.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/shape.hpp"
#include "theon/ops/subtensor.hpp"

namespace theon {

Var categorical_crossentropy(const Var& coding_dist, const Var& true_dist) {
  const int nd = true_dist->type.ndim();
  if (nd == coding_dist->type.ndim()) {
    return neg(sum(mul(true_dist, log(coding_dist)), std::vector<int64_t>{nd - 1}));
  }
  if (nd == coding_dist->type.ndim() - 1 && is_integer(true_dist->type.dtype) &&
      !is_bool(true_dist->type.dtype) && nd == 1) {
    const Var rows = arange(scalar_constant(int64_t{0}, DType::Int64), shape_i(coding_dist, 0),
                            scalar_constant(int64_t{1}, DType::Int64));
    return neg(log(getitem(coding_dist, {idx::array(rows), idx::array(true_dist)})));
  }
  throw TypeError(
      "categorical_crossentropy: expected true_dist a distribution of coding_dist's "
      "dimensions " +
      coding_dist->type.str() +
      " or integer labels with one "
      "dimension less for a matrix coding_dist, got " +
      true_dist->type.str());
}

THEON_OP_FILE(categorical_crossentropy) {
  register_builder("categorical_crossentropy", 2, 2, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{categorical_crossentropy(in[0], in[1])};
  });
}

}  // namespace theon
