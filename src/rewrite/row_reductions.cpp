// Row reductions that read each row once: sum(exp(x - m), -1) with m = max(x, -1, keepdims),
// the core of a stable logsumexp (written out, or as the stabilizer and theon.tensor.logsumexp
// build it, with the shift where(isinf(m), 0, m)), becomes MaxExpSum(x). Fusion would make it
// two loops over the whole array, the second reading it from memory again.
#include "canonicalize.hpp"
#include "theon/ops/max_exp_sum.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/rewrite/groups.hpp"
#include "util.hpp"

namespace theon {
namespace {

using canon::make_dimshuffle;
using canon::scalar_const;
using rewrite_util::is_elemwise;

struct Shift {
  Var max;  // max(x, -1, keepdims)
  bool finite = false;
};

bool is_row_max_of(const Var& m, const Var& x) {
  return rewrite_util::is_keepdims_max_of(m, x, {x->type.ndim() - 1});
}

// The max of x's rows that `shift` is, directly or as where(isinf(m), 0, m), possibly under the
// zero_grad of theon.tensor.logsumexp.
std::optional<Shift> shift_of(Var shift, const Var& x) {
  if (shift->owner && shift->owner->op()->type_name() == "ZeroGrad") {
    shift = shift->owner->inputs()[0];
  }
  if (shift->type.dtype != x->type.dtype) return std::nullopt;
  if (is_row_max_of(shift, x)) return Shift{shift, false};
  if (!is_elemwise(shift, "switch")) return std::nullopt;
  const auto& in = shift->owner->inputs();
  const NDArray* zero = scalar_const(in[1]);
  if (!is_elemwise(in[0], "isinf") || in[0]->owner->inputs()[0] != in[2] || !zero ||
      zero->flat_as_double(0) != 0.0 || !is_row_max_of(in[2], x)) {
    return std::nullopt;
  }
  return Shift{in[2], true};
}

bool fuse_max_exp_sum(FunctionGraph& fg) {
  bool changed = false;
  const std::vector<Apply*> order = fg.nodes();  // a copy: replacing recomputes the order
  for (Apply* node : order) {
    if (!fg.contains(node)) continue;  // an earlier replacement removed it
    const Reduce* sum = rewrite_util::node_op<Reduce>(node);
    if (!sum || sum->kind() != ReduceKind::Sum) continue;
    const Var& e = node->inputs()[0];
    const int nd = e->type.ndim();
    const DType dt = e->type.dtype;
    if (nd == 0 || (dt != DType::Float32 && dt != DType::Float64) || !e->type.device.is_cpu() ||
        sum->axes() != std::vector<int64_t>{nd - 1} || node->output(0)->type.dtype != dt ||
        !is_elemwise(e, "exp")) {
      continue;
    }
    const Var& d = e->owner->inputs()[0];
    if (!is_elemwise(d, "sub") || d->type != e->type) continue;
    const Var& x = d->owner->inputs()[0];
    if (x->type != d->type) continue;
    const std::optional<Shift> shift = shift_of(d->owner->inputs()[1], x);
    if (!shift) continue;
    const std::vector<Var> parts = max_exp_sum(x, shift->finite);
    Var total = parts[1];
    if (!sum->keepdims()) {
      std::vector<int64_t> kept(static_cast<size_t>(nd - 1));
      for (int k = 0; k < nd - 1; ++k) kept[static_cast<size_t>(k)] = k;
      total = make_dimshuffle(total, kept);
    }
    fg.replace(shift->max, parts[0], "max_exp_sum");
    fg.replace(node->output(0), total, "max_exp_sum");
    changed = true;
  }
  return changed;
}

}  // namespace

std::vector<GraphRewriter> row_reduction_rewriters() {
  return {{"max_exp_sum", fuse_max_exp_sum, {"fast_run", "fusion"}}};
}

}  // namespace theon
