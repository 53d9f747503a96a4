// Canonicalization of shape ops: DimShuffle and Reshape chains merged, reshapes, allocs and
// fills that change nothing removed, shape vectors indexed by constants read directly.
#include "canonicalize.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/shape.hpp"
#include "theon/ops/subtensor.hpp"

namespace theon::canon {

using namespace rewrite_util;

Var make_dimshuffle(const Var& x, std::vector<int64_t> pattern) {
  return make_node1(std::make_shared<DimShuffle>(std::move(pattern)), {x});
}

bool is_identity(const std::vector<int64_t>& pattern, int ndim) {
  if (static_cast<int>(pattern.size()) != ndim) return false;
  for (int i = 0; i < ndim; ++i) {
    if (pattern[i] != i) return false;
  }
  return true;
}

// DimShuffle(DimShuffle(x)) -> one DimShuffle; an identity DimShuffle -> x (so x.T.T -> x).
Result dimshuffle_merge(FunctionGraph&, Apply* node) {
  auto* ds = node_op<DimShuffle>(node);
  if (!ds) return std::nullopt;
  const Var& y = node->inputs()[0];
  if (is_identity(ds->pattern(), y->type.ndim())) return one(y);
  auto* inner = op_as<DimShuffle>(y);
  if (!inner) return std::nullopt;
  const Var& x = y->owner->inputs()[0];
  std::vector<int64_t> pattern;
  for (int64_t p : ds->pattern()) pattern.push_back(p == kNewAxis ? kNewAxis : inner->pattern()[p]);
  if (is_identity(pattern, x->type.ndim())) return one(x);
  return one(make_dimshuffle(x, std::move(pattern)));
}

// reshape(reshape(x, s1), s2) -> reshape(x, s2).
Result reshape_reshape(FunctionGraph&, Apply* node) {
  auto* outer = node_op<Reshape>(node);
  if (!outer || !op_as<Reshape>(node->inputs()[0])) return std::nullopt;
  const Var& x = node->inputs()[0]->owner->inputs()[0];
  return one(make_node1(std::make_shared<Reshape>(outer->ndim()), {x, node->inputs()[1]}));
}

// True if the scalar `v` is known to equal dimension d of x: a constant equal to x's static

namespace {

// size, or x.shape[d] (possibly converted to another integer dtype).
bool is_dim_of(const Var& v, const Var& x, int d) {
  if (auto s = static_int_scalar(v))
    return x->type.shape[d] != kUnknownDim && *s == x->type.shape[d];
  Var u = v;
  if (auto* c = op_as<Elemwise>(u); c && c->cast_target() && is_integer(*c->cast_target())) {
    u = u->owner->inputs()[0];
  }
  if (auto* si = op_as<ShapeI>(u)) return u->owner->inputs()[0] == x && si->i() == d;
  // x.shape[d] as the user writes it: Subtensor{d}(Shape(x)).
  auto* st = op_as<Subtensor>(u);
  if (!st || !op_as<ShapeOp>(u->owner->inputs()[0])) return false;
  const auto& entries = st->spec().entries;
  return u->owner->inputs()[0]->owner->inputs()[0] == x && entries.size() == 1 &&
         entries[0].kind == IndexEntry::Kind::Int &&
         entries[0].part[0].mode == IndexPart::Mode::Const &&
         (entries[0].part[0].value == d || entries[0].part[0].value == d - x->type.ndim());
}

// For a shape vector `s` of x.ndim entries, whether entry d is known to equal x.shape[d]
// (nullopt: the entry is -1). Empty when s's entries cannot be read.
std::optional<std::vector<std::optional<bool>>> shape_entries_match(const Var& s, const Var& x) {
  const int n = x->type.ndim();
  if (s->type.ndim() != 1) return std::nullopt;
  std::vector<std::optional<bool>> match(n);
  if (op_as<ShapeOp>(s)) {
    if (s->owner->inputs()[0] != x) return std::nullopt;
    for (int d = 0; d < n; ++d) match[d] = true;
    return match;
  }
  if (op_as<MakeVector>(s)) {
    const auto& es = s->owner->inputs();
    if (static_cast<int>(es.size()) != n) return std::nullopt;
    for (int d = 0; d < n; ++d) {
      auto k = static_int_scalar(es[d]);
      if (k && *k == -1) continue;
      match[d] = is_dim_of(es[d], x, d);
    }
    return match;
  }
  auto vals = static_int_vector(s);
  if (!vals || static_cast<int>(vals->size()) != n) return std::nullopt;
  for (int d = 0; d < n; ++d) {
    const auto& k = (*vals)[d];
    if (k && *k == -1) continue;
    match[d] = k && x->type.shape[d] != kUnknownDim && *k == x->type.shape[d];
  }
  return match;
}

}  // namespace

// reshape(x, s) -> x when s is x's own shape (static sizes, x.shape[d] entries, one -1 allowed).
Result useless_reshape(FunctionGraph&, Apply* node) {
  auto* r = node_op<Reshape>(node);
  const Var& x = node->inputs()[0];
  if (!r || r->ndim() != x->type.ndim()) return std::nullopt;
  auto match = shape_entries_match(node->inputs()[1], x);
  if (!match) return std::nullopt;
  int unknown = 0;
  for (const auto& m : *match) {
    if (!m) {
      ++unknown;
    } else if (!*m) {
      return std::nullopt;
    }
  }
  if (unknown > 1) return std::nullopt;
  return one(x);
}

// alloc(v, dims) -> v when dims are v's own shape.
Result useless_alloc(FunctionGraph&, Apply* node) {
  if (!node_op<Alloc>(node)) return std::nullopt;
  const Var& v = node->inputs()[0];
  const Var out = node->output(0);
  if (v->type.ndim() != out->type.ndim() || v->type.dtype != out->type.dtype) return std::nullopt;
  if (v->type.shape == out->type.shape) {
    bool all_known = true;
    for (int64_t d : v->type.shape) all_known = all_known && d != kUnknownDim;
    if (all_known) return one(v);
  }
  auto dims = alloc_dims(node);
  if (!dims || static_cast<int>(dims->size()) != v->type.ndim()) return std::nullopt;
  for (int d = 0; d < v->type.ndim(); ++d) {
    if (!is_dim_of((*dims)[d], v, d)) return std::nullopt;
  }
  return one(v);
}

// fill(model, value) -> value when broadcasting against model cannot change value's shape.
Result useless_fill(FunctionGraph&, Apply* node) {
  if (!node_op<Fill>(node)) return std::nullopt;
  const Var& model = node->inputs()[0];
  const Var& value = node->inputs()[1];
  if (value->type.ndim() != node->output(0)->type.ndim() || !dominated(model, value)) {
    return std::nullopt;
  }
  return one(value);
}

// make_vector(a, b, ...)[i] with a constant i -> that element (shape graphs produce these).
Result subtensor_make_vector(FunctionGraph&, Apply* node) {
  auto* st = node_op<Subtensor>(node);
  const Var& v = node->inputs()[0];
  if (!st || !op_as<MakeVector>(v)) return std::nullopt;
  const auto& entries = st->spec().entries;
  if (entries.size() != 1 || entries[0].kind != IndexEntry::Kind::Int) return std::nullopt;
  const IndexPart& part = entries[0].part[0];
  std::optional<int64_t> i;
  if (part.mode == IndexPart::Mode::Const) {
    i = part.value;
  } else if (part.mode == IndexPart::Mode::Input) {
    i = static_int_scalar(node->inputs().at(1 + part.value));
  }
  const auto& elements = v->owner->inputs();
  const int64_t n = static_cast<int64_t>(elements.size());
  if (!i || *i < -n || *i >= n) return std::nullopt;
  return one(cast(elements[*i < 0 ? *i + n : *i], node->output(0)->type.dtype));
}

// x.shape[i] with a constant i -> Shape_i{i}(x).
Result subtensor_shape(FunctionGraph&, Apply* node) {
  auto* st = node_op<Subtensor>(node);
  const Var& v = node->inputs()[0];
  if (!st || !op_as<ShapeOp>(v)) return std::nullopt;
  const auto& entries = st->spec().entries;
  if (entries.size() != 1 || entries[0].kind != IndexEntry::Kind::Int ||
      entries[0].part[0].mode != IndexPart::Mode::Const) {
    return std::nullopt;
  }
  const Var& x = v->owner->inputs()[0];
  const int64_t n = x->type.ndim(), i = entries[0].part[0].value;
  if (i < -n || i >= n) return std::nullopt;
  return one(shape_i(x, i < 0 ? i + n : i));
}

}  // namespace theon::canon
