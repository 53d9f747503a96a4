// Canonicalization of indexing: x[i1][i2] composed into one Subtensor, and Subtensor and
// DimShuffle lifted above the elementwise op they read so that it computes only what is used.
#include <algorithm>

#include "canonicalize.hpp"
#include "theon/ops/shape.hpp"
#include "theon/ops/subtensor.hpp"

namespace theon::canon {

using namespace rewrite_util;

namespace {

using Bound = std::optional<int64_t>;

// One basic entry with constant parts (Int: start holds the index).
struct Basic {
  bool is_int = false;
  Bound start, stop, step;
  bool full() const { return !is_int && (!start || *start == 0) && !stop && (!step || *step == 1); }
};

// The entries of a Subtensor over every dimension of its input, or nullopt unless all are
// ints and slices with constant parts.
std::optional<std::vector<Basic>> basic_entries(const Subtensor& st, int ndim) {
  std::vector<Basic> r;
  auto part = [](const IndexPart& p, Bound& b) {
    if (p.mode == IndexPart::Mode::Input) return false;
    if (p.mode == IndexPart::Mode::Const) b = p.value;
    return true;
  };
  for (const IndexEntry& e : st.spec().entries) {
    Basic b;
    if (e.kind == IndexEntry::Kind::Int) {
      b.is_int = true;
      if (!part(e.part[0], b.start)) return std::nullopt;
    } else if (e.kind == IndexEntry::Kind::Slice) {
      if (!part(e.part[0], b.start) || !part(e.part[1], b.stop) || !part(e.part[2], b.step)) {
        return std::nullopt;
      }
      if (b.step && *b.step == 0) return std::nullopt;
    } else {
      return std::nullopt;
    }
    r.push_back(b);
  }
  if (static_cast<int>(r.size()) > ndim) return std::nullopt;
  r.resize(ndim);
  return r;
}

// Python's slice.indices(n) and the slice's length.
struct Range {
  int64_t start, step, len;
};
Range slice_range(const Basic& b, int64_t n) {
  const int64_t step = b.step.value_or(1);
  const int64_t lower = step > 0 ? 0 : -1, upper = step > 0 ? n : n - 1;
  auto clamp = [&](Bound v, int64_t dflt) {
    if (!v) return dflt;
    int64_t i = *v;
    if (i < 0) return std::max(i + n, lower);
    return std::min(i, upper);
  };
  const int64_t s = clamp(b.start, step > 0 ? lower : upper);
  const int64_t e = clamp(b.stop, step > 0 ? upper : lower);
  int64_t len = 0;
  if (step > 0 && e > s) len = (e - s - 1) / step + 1;
  if (step < 0 && s > e) len = (s - e - 1) / (-step) + 1;
  return {s, step, len};
}

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

Index to_index(const Basic& b) {
  auto v = [](Bound x) { return x ? IndexValue(*x) : IndexValue(std::nullopt); };
  if (b.is_int) return idx::at(*b.start);
  return idx::slice(v(b.start), v(b.stop), v(b.step));
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
  auto ie = basic_entries(*inner, x->type.ndim());
  auto oe = basic_entries(*outer, y->type.ndim());
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

}  // namespace

// f(a, b)[idx] -> f(a[idx], b[idx]) for basic constant indices, when f's result has no other
// client and no input broadcasts along an indexed dimension (each is 0-d, or has the output's
// ndim and the same known size there), so only the needed elements are computed.
Result subtensor_lift_elemwise(FunctionGraph& fg, Apply* node) {
  auto* st = node_op<Subtensor>(node);
  const Var& e = node->inputs()[0];
  auto* ew = op_as<Elemwise>(e);
  if (!st || !ew || e->owner->outputs().size() != 1 || !sole_client(fg, e)) return std::nullopt;
  auto entries = basic_entries(*st, e->type.ndim());
  if (!entries) return std::nullopt;
  const auto& ins = e->owner->inputs();
  std::vector<Var> lifted;
  for (const Var& in : ins) {
    if (in->type.ndim() == 0) {
      lifted.push_back(in);
      continue;
    }
    if (in->type.ndim() != e->type.ndim()) return std::nullopt;
    if (ins.size() > 1) {
      for (int d = 0; d < e->type.ndim(); ++d) {
        if ((*entries)[d].full()) continue;
        if (in->type.shape[d] == kUnknownDim || in->type.shape[d] != e->type.shape[d]) {
          return std::nullopt;
        }
      }
    }
    lifted.push_back(subtensor(in, st->spec(), {}));
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
