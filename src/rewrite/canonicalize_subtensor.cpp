// Canonicalization of indexing: x[i1][i2] composed into one Subtensor, and Subtensor and
// DimShuffle lifted above the elementwise op they read so that it computes only what is used.
#include <algorithm>
#include <set>
#include <string>

#include "canonicalize.hpp"
#include "slice_sizes.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/shape.hpp"
#include "theon/ops/subtensor.hpp"

namespace theon::canon {

using namespace rewrite_util;

namespace {

// outer applied to the result of inner along one dimension of static size n (kUnknownDim if
// not known), as one entry; nullopt where that cannot be shown equal.
std::optional<Basic> compose(const Basic& inner, const Basic& outer, int64_t n) {
  if (inner.full()) return outer;
  if (outer.full()) return inner;
  if (n != kUnknownDim) {
    const Range r1 = slice_range(inner, n);
    if (outer.is_int) {
      int64_t i = *outer.start;
      if (i < 0) i += r1.len;
      if (i < 0 || i >= r1.len) return std::nullopt;  // keep the IndexError
      return Basic{true, r1.start + i * r1.step, {}, {}};
    }
    const Range r2 = slice_range(outer, r1.len);
    if (r2.len == 0) return Basic{false, 0, 0, 1};
    const int64_t start = r1.start + r2.start * r1.step, step = r1.step * r2.step;
    const int64_t stop = start + r2.len * step;
    return Basic{false, start, step < 0 && stop < 0 ? Bound{} : Bound{stop}, step};
  }
  // Unknown size: positive steps and non-negative bounds only. x[a:b:s][c:d:t] takes
  // x[a + k*s] for k = c, c+t, ... while k < d and a + k*s < min(b, n).
  if (outer.is_int) return std::nullopt;
  auto nonneg = [](Bound v) { return !v || *v >= 0; };
  const int64_t s = inner.step.value_or(1), t = outer.step.value_or(1);
  if (s <= 0 || t <= 0 || !nonneg(inner.start) || !nonneg(inner.stop) || !nonneg(outer.start) ||
      !nonneg(outer.stop)) {
    return std::nullopt;
  }
  const int64_t a = inner.start.value_or(0), c = outer.start.value_or(0);
  Bound stop = inner.stop;
  if (outer.stop) {
    const int64_t lim = a + *outer.stop * s;
    stop = stop ? std::min(*stop, lim) : lim;
  }
  return Basic{false, a + c * s, stop, s * t};
}

}  // namespace

// x[i1][i2] -> x[i] with constant ints and slices (any steps where the dimension's size is
// known statically; positive steps and non-negative bounds otherwise).
Result subtensor_subtensor(FunctionGraph&, Apply* node) {
  auto* outer = node_op<Subtensor>(node);
  const Var& y = node->inputs()[0];
  auto* inner = op_as<Subtensor>(y);
  if (!outer || !inner) return std::nullopt;
  const Var& x = y->owner->inputs()[0];
  auto ie = basic_entries(inner->spec(), x->type.ndim());
  auto oe = basic_entries(outer->spec(), y->type.ndim());
  if (!ie || !oe) return std::nullopt;
  std::vector<Index> key;
  size_t j = 0;
  for (int d = 0; d < x->type.ndim(); ++d) {
    const Basic& b = (*ie)[d];
    if (b.is_int) {
      key.push_back(to_index(b));
      continue;
    }
    auto c = compose(b, (*oe)[j++], x->type.shape[d]);
    if (!c) return std::nullopt;
    key.push_back(to_index(*c));
  }
  Var r = getitem(x, key);
  if (!(r->type == node->output(0)->type)) return std::nullopt;
  return one(r);
}

namespace {

// True if e (an Elemwise output) feeds only `node`, so lifting an op above it computes less.
bool sole_client(FunctionGraph& fg, const Var& e) {
  return fg.clients(e.get()).size() == 1;
}

// Arithmetic cheap enough to compute once per reading slice: lifting the slices of a stencil
// (y[1:] - y[:-1]) above y's arithmetic makes one pass over the operands instead of writing y
// and reading it back, at the price of computing the overlap of the slices twice.
bool cheap_to_repeat(const Elemwise& op) {
  static const std::set<std::string> cheap{"add",     "sub",     "mul", "neg", "true_divide",
                                           "maximum", "minimum", "abs", "sqr", "identity"};
  return cheap.contains(op.scalar().name);
}

bool is_broadcast_view(const Var& v) {
  return v->owner && v->owner->op()->type_name() == "BroadcastView";
}

// The number of readers of v, each a constant basic slice of v (directly or of a
// BroadcastView of it); 0 if any other reads it.
int slice_readers(FunctionGraph& fg, const Var& v, int depth = 0) {
  int readers = 0;
  for (const auto& [client, index] : fg.clients(v.get())) {
    if (client == nullptr || index != 0) return 0;
    if (const auto* st = node_op<Subtensor>(client)) {
      if (!basic_entries(st->spec(), v->type.ndim())) return 0;
      ++readers;
      continue;
    }
    if (depth >= 8 || client->op()->type_name() != "BroadcastView") return 0;
    const int through = slice_readers(fg, client->output(0), depth + 1);
    if (through == 0) return 0;
    readers += through;
  }
  return readers;
}

// The cheap elementwise nodes e is computed from, through slices and views too (e's included,
// up to `limit`): what lifting a slice above e computes once more per reader, now or when the
// lifted slices reach them.
int cheap_tree_size(const Var& e, int limit) {
  std::vector<const Apply*> seen;
  std::vector<const Var*> stack{&e};
  while (!stack.empty() && static_cast<int>(seen.size()) < limit) {
    const Var& v = *stack.back();
    stack.pop_back();
    if (op_as<Subtensor>(v) || is_broadcast_view(v)) {
      stack.push_back(&v->owner->inputs()[0]);
      continue;
    }
    const auto* op = op_as<Elemwise>(v);
    if (op == nullptr || !cheap_to_repeat(*op)) continue;
    if (std::find(seen.begin(), seen.end(), v->owner) != seen.end()) continue;
    seen.push_back(v->owner);
    for (const Var& in : v->owner->inputs()) stack.push_back(&in);
  }
  return static_cast<int>(seen.size());
}

// Lifting slices above cheap arithmetic read through several of them repeats that arithmetic
// per reader; a bound on what is repeated keeps a chain of stencils (each level read through
// two slices of the one below) from doubling the graph at every level.
constexpr int kRepeatBudget = 64;

bool worth_repeating(FunctionGraph& fg, const Var& e, const Elemwise& op) {
  if (!cheap_to_repeat(op)) return false;
  const int readers = slice_readers(fg, e);
  return readers > 0 && readers * cheap_tree_size(e, kRepeatBudget + 1) <= kRepeatBudget;
}

}  // namespace

// f(a, b)[idx] -> f(a[idx], b[idx]) for basic constant indices, so only the needed elements are
// computed, when f's result has no other reader (or f is cheap arithmetic read only through
// such slices, and repeating it per reader stays within a budget). An operand that might broadcast
// along an indexed dimension (one whose size is not known statically or shown equal to the result's
// for every size, as u[1:] and u[:-1] are) is first broadcast to the result's shape as a view:
// b[idx] would take the wrong elements of a dimension of size 1 at run time. The same holds for a
// slice of a BroadcastView of f's result, whose operands are broadcast to the view's shape.
Result subtensor_lift_elemwise(FunctionGraph& fg, Apply* node) {
  auto* st = node_op<Subtensor>(node);
  const Var& read = node->inputs()[0];
  if (!st) return std::nullopt;
  std::vector<Var> dims;
  const bool through_view = is_broadcast_view(read);
  const Var& e = through_view ? read->owner->inputs()[0] : read;
  auto* ew = op_as<Elemwise>(e);
  if (!ew || e->owner->outputs().size() != 1 || !e->type.device.is_cpu()) return std::nullopt;
  const bool sole = sole_client(fg, e) && (!through_view || sole_client(fg, read));
  if (!sole && !worth_repeating(fg, e, *ew)) return std::nullopt;
  auto entries = basic_entries(st->spec(), read->type.ndim());
  if (!entries) return std::nullopt;
  if (through_view) {
    const auto& in = read->owner->inputs();
    dims.assign(in.begin() + 1, in.end());
    if (static_cast<int>(dims.size()) != read->type.ndim()) return std::nullopt;
  }
  const auto& ins = e->owner->inputs();
  std::vector<Var> lifted;
  for (const Var& in : ins) {
    if (in->type.ndim() == 0) {
      lifted.push_back(in);
      continue;
    }
    bool fits = !through_view && in->type.ndim() == e->type.ndim();
    for (int d = 0; fits && ins.size() > 1 && d < e->type.ndim(); ++d) {
      fits = (*entries)[d].full() || same_size(dim_size(in, d), dim_size(e, d));
    }
    if (!fits && !host_target()) return std::nullopt;
    if (!fits && dims.empty()) dims = inferred_dims(e);
    lifted.push_back(subtensor(fits ? in : broadcast_view(in, dims), st->spec(), {}));
  }
  Var r = make_node1(e->owner->op(), lifted);
  if (!(r->type == node->output(0)->type)) return std::nullopt;
  return one(r);
}

// transpose(f(a, b)) -> f(transpose(a), transpose(b)) for a DimShuffle that drops no
// dimension (permutes and adds broadcastable ones) over an Elemwise with no other client; 0-d
// inputs stay, the others must have the output's ndim.
Result dimshuffle_lift_elemwise(FunctionGraph& fg, Apply* node) {
  auto* ds = node_op<DimShuffle>(node);
  const Var& e = node->inputs()[0];
  auto* ew = op_as<Elemwise>(e);
  if (!ds || !ew || e->owner->outputs().size() != 1 || !sole_client(fg, e)) return std::nullopt;
  const int n = e->type.ndim();
  std::vector<bool> seen(n, false);
  for (int64_t p : ds->pattern()) {
    if (p != kNewAxis) seen[p] = true;
  }
  for (bool s : seen) {
    if (!s) return std::nullopt;
  }
  std::vector<Var> lifted;
  for (const Var& in : e->owner->inputs()) {
    if (in->type.ndim() == 0) {
      lifted.push_back(in);
    } else if (in->type.ndim() == n) {
      lifted.push_back(make_dimshuffle(in, ds->pattern()));
    } else {
      return std::nullopt;
    }
  }
  Var r = make_node1(e->owner->op(), lifted);
  if (!(r->type == node->output(0)->type)) return std::nullopt;
  return one(r);
}

}  // namespace theon::canon
