#include "scan_grad_products.hpp"

#include <algorithm>

#include "theon/ops/blas.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/shape.hpp"

namespace theon::scan_detail {
namespace {

// The index in seq_rows of the 2-d row that v transposes, or -1.
int transposed_row(const Var& v, const std::vector<Var>& seq_rows) {
  if (!v->owner) return -1;
  const auto* ds = dynamic_cast<const DimShuffle*>(v->owner->op().get());
  if (!ds || ds->pattern() != std::vector<int64_t>{1, 0}) return -1;
  const Var& s = v->owner->inputs()[0];
  const auto it = std::find_if(seq_rows.begin(), seq_rows.end(),
                               [&](const Var& r) { return r.get() == s.get(); });
  return it == seq_rows.end() ? -1 : static_cast<int>(it - seq_rows.begin());
}

// An addition of two terms of g's type (no broadcast, no conversion).
bool is_plain_add(const Var& g) {
  if (!g->owner) return false;
  const auto* e = dynamic_cast<const Elemwise*>(g->owner->op().get());
  if (!e || e->scalar().name != "add" || e->cast_target() || g->owner->inputs().size() != 2) {
    return false;
  }
  for (const Var& in : g->owner->inputs()) {
    if (in->type.dtype != g->type.dtype || in->type.shape != g->type.shape) return false;
  }
  return true;
}

void collect(const Var& g, const std::vector<Var>& seq_rows, SplitGradient& out) {
  if (is_plain_add(g)) {
    for (const Var& term : g->owner->inputs()) collect(term, seq_rows, out);
    return;
  }
  if (g->owner && dynamic_cast<const Dot*>(g->owner->op().get()) && g->type.ndim() == 2) {
    const Var& a = g->owner->inputs()[0];
    const Var& b = g->owner->inputs()[1];
    if (a->type.ndim() == 2 && b->type.ndim() == 2) {
      if (const int s = transposed_row(a, seq_rows); s >= 0) {
        out.products.push_back({s, b, true});
        return;
      }
      if (const int s = transposed_row(b, seq_rows); s >= 0) {
        out.products.push_back({s, a, false});
        return;
      }
    }
  }
  out.rest = out.rest ? add(out.rest, g) : g;
}

}  // namespace

SplitGradient split_row_products(const Var& g, const std::vector<Var>& seq_rows) {
  SplitGradient out;
  collect(g, seq_rows, out);
  return out;
}

Var summed_row_product(const RowProduct& p, const Var& seq_all, const Var& other_all,
                       const Var& weight) {
  // sum_t S_t^T O_t contracts steps and S's rows with O's; sum_t O_t S_t^T steps and columns.
  // O's rows have the shape the product needs (a no-op but when no step ran).
  const Var steps = shape_i(seq_all, 0);
  if (p.seq_on_left) {
    const Var other = reshape(other_all, {steps, shape_i(seq_all, 1), shape_i(weight, 1)});
    return tensordot(seq_all, other, {0, 1}, {0, 1});
  }
  const Var other = reshape(other_all, {steps, shape_i(weight, 0), shape_i(seq_all, 2)});
  return tensordot(other, seq_all, {0, 2}, {0, 2});
}

}  // namespace theon::scan_detail
