// Canonicalization: algebraic identities that make graphs smaller and expose the patterns later
// passes look for. Each rewrite preserves values (x - x -> 0 and x * 0 -> 0 assume finite x, as
// Theano does) and types: a replacement that would change the output's shape at run time (a
// branch smaller than the broadcast result) is broadcast to the output's shape with Alloc.

#include <algorithm>
#include <type_traits>

#include "theon/graph/op.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/shape.hpp"
#include "theon/ops/subtensor.hpp"
#include "theon/rewrite/groups.hpp"
#include "theon/rewrite/pattern.hpp"
#include "util.hpp"

namespace theon {
namespace {

using namespace rewrite_util;

// Constants that are worth scanning element by element.
constexpr int64_t kMaxScannedElements = 1 << 16;

// True if `v` is a constant whose every element equals `value` (NaN never does).
bool constant_all(const Var& v, double value) {
  const NDArray* c = v->constant.get();
  if (!c || c->size() == 0 || c->size() > kMaxScannedElements) return false;
  for (int64_t i = 0; i < c->size(); ++i) {
    if (c->flat_as_double(i) != value) return false;
  }
  return true;
}

// A constant condition's truth: every element non-zero (true), every element zero (false).
std::optional<bool> constant_truth(const Var& v) {
  const NDArray* c = v->constant.get();
  if (!c || c->size() == 0 || c->size() > kMaxScannedElements) return std::nullopt;
  bool any_true = false, any_false = false;
  for (int64_t i = 0; i < c->size(); ++i) {
    (c->flat_as_double(i) != 0 ? any_true : any_false) = true;  // NaN is true, as in NumPy
  }
  if (any_true == any_false) return std::nullopt;
  return any_true;
}

// The dimensions of node's output `out` as int64 scalars: constants where the output's static
// shape knows them, else the op's infer_shape from the inputs' shapes.
std::optional<std::vector<Var>> output_dims(Apply* node, int out) {
  const Var o = node->output(out);
  std::vector<Var> dims(o->type.ndim());
  bool all_known = true;
  for (int d = 0; d < o->type.ndim(); ++d) {
    if (o->type.shape[d] != kUnknownDim) {
      dims[d] = scalar_constant(o->type.shape[d], DType::Int64);
    } else {
      all_known = false;
    }
  }
  if (all_known) return dims;
  std::vector<std::vector<Var>> input_shapes;
  for (const auto& in : node->inputs()) {
    std::vector<Var> s;
    for (int d = 0; d < in->type.ndim(); ++d) s.push_back(dim_of(in, d));
    input_shapes.push_back(std::move(s));
  }
  auto shapes = node->op()->infer_shape(node->inputs(), input_shapes);
  if (!shapes) return std::nullopt;
  const auto& inferred = shapes->at(out);
  if (static_cast<int>(inferred.size()) != o->type.ndim()) return std::nullopt;
  for (int d = 0; d < o->type.ndim(); ++d) {
    if (!dims[d]) dims[d] = cast(inferred[d], DType::Int64);
  }
  return dims;
}

// `value` (already of the output's dtype) broadcast to the shape of node's output 0: `value`
// itself when no input can make the output larger than it, else an Alloc.
std::optional<Var> broadcast_to_output(const Var& value, Apply* node) {
  const Var out = node->output(0);
  if (value->type.ndim() == out->type.ndim()) {
    bool same = true;
    for (const auto& in : node->inputs()) same = same && dominated(in, value);
    if (same) return value;
  }
  auto dims = output_dims(node, 0);
  if (!dims) return std::nullopt;
  return alloc(value, *dims);
}

// ---- Elementwise ----

// x * 0 -> zeros of the output's shape and dtype.
Result mul_zero(FunctionGraph&, Apply* node) {
  if (!is_elemwise(node->output(0), "mul")) return std::nullopt;
  const DType dt = node->output(0)->type.dtype;
  for (const Var& in : node->inputs()) {
    if (!constant_all(in, 0.0)) continue;
    const NDArray& c = *in->constant;
    Var zero = c.size() == 1 && in->type.ndim() <= node->output(0)->type.ndim()
                   ? scalar_constant(int64_t{0}, dt)
                   : constant(NDArray::zeros(dt, c.shape()));
    auto r = broadcast_to_output(zero, node);
    if (r) return one(*r);
  }
  return std::nullopt;
}

// (x * y) / x -> y, or y broadcast against x where x may make the result larger than y
// (x of shape (3,) and y of shape (1,) give 3 elements). Assumes x finite and non-zero.
Result mul_div_cancel(FunctionGraph&, Apply* node) {
  const Var out = node->output(0);
  if (!is_elemwise(out, "true_divide")) return std::nullopt;
  const Var& p = node->inputs()[0];
  const Var& x = node->inputs()[1];
  if (!is_elemwise(p, "mul")) return std::nullopt;
  for (int k = 0; k < 2; ++k) {
    if (p->owner->inputs()[k] != x) continue;
    const Var& y = p->owner->inputs()[1 - k];
    Var r = dominated(x, y) && y->type.ndim() == out->type.ndim() ? y : fill(x, y);
    return one(cast(r, out->type.dtype));
  }
  return std::nullopt;
}

// Every value of `from` is exactly representable in `to`.
bool lossless_cast(DType from, DType to) {
  if (from == to || is_bool(from)) return true;
  if (!can_cast_safe(from, to)) return false;
  // NumPy calls int64 -> float64 safe, but it rounds above 2**53.
  if (is_float(to) && is_integer(from)) return itemsize(from) < itemsize(to);
  return true;
}

// cast(cast(x, A), B) -> cast(x, B) when x -> A loses nothing; cast(x, dtype of x) -> x.
Result cast_cast(FunctionGraph&, Apply* node) {
  auto* outer = node_op<Elemwise>(node);
  if (!outer || !outer->cast_target()) return std::nullopt;
  const Var& y = node->inputs()[0];
  const DType target = *outer->cast_target();
  if (y->type.dtype == target) return one(y);
  auto* inner = op_as<Elemwise>(y);
  if (!inner || !inner->cast_target()) return std::nullopt;
  const Var& x = y->owner->inputs()[0];
  if (!lossless_cast(x->type.dtype, y->type.dtype)) return std::nullopt;
  return one(cast(x, target));
}

// switch(c, a, b) with a constant condition that is all true (all false) -> a (b), converted
// to the output's dtype and broadcast to its shape.
Result switch_constant(FunctionGraph&, Apply* node) {
  if (!is_elemwise(node->output(0), "switch")) return std::nullopt;
  auto truth = constant_truth(node->inputs()[0]);
  if (!truth) return std::nullopt;
  Var branch = cast(node->inputs()[*truth ? 1 : 2], node->output(0)->type.dtype);
  auto r = broadcast_to_output(branch, node);
  if (!r) return std::nullopt;
  return one(*r);
}

// ---- Shapes ----

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

// ---- Collecting constants ----

// A 0-d constant, or null.
const NDArray* scalar_const(const Var& v) {
  const NDArray* c = v->constant.get();
  return c && c->ndim() == 0 ? c : nullptr;
}

// a op b computed in dtype dt (wrapping for integers, as the Elemwise kernel does), as a 0-d
// constant of dtype dt. nullopt for dtypes this does not fold (bool, complex).
std::optional<Var> fold_scalars(const NDArray& a, const NDArray& b, DType dt, bool is_mul) {
  if (is_bool(dt) || !(is_integer(dt) || is_float(dt))) return std::nullopt;
  NDArray ca = a.astype(dt), cb = b.astype(dt);
  std::optional<Var> r;
  visit_dtype(dt, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      const auto x = static_cast<uint64_t>(*ca.data<T>()), y = static_cast<uint64_t>(*cb.data<T>());
      r = constant(NDArray::scalar<T>(static_cast<T>(is_mul ? x * y : x + y)));
    } else if constexpr (std::is_floating_point_v<T>) {
      const T x = *ca.data<T>(), y = *cb.data<T>();
      r = constant(NDArray::scalar<T>(static_cast<T>(is_mul ? x * y : x + y)));
    }
  });
  return r;
}

// (x + c1) + c2 -> x + (c1 + c2) and (x * c1) * c2 -> x * (c1 * c2), in either operand order,
// for 0-d constants c1, c2, when x, the inner and the outer result all have one dtype (so both
// constants were converted to it; integers wrap the same way either way; floats may round
// differently, as in Theano's canonicalizer).
Result collect_constants(FunctionGraph&, Apply* node) {
  const Var out = node->output(0);
  const bool is_mul = is_elemwise(out, "mul");
  if (!is_mul && !is_elemwise(out, "add")) return std::nullopt;
  const char* name = is_mul ? "mul" : "add";
  for (int k = 0; k < 2; ++k) {
    const NDArray* c2 = scalar_const(node->inputs()[k]);
    const Var& inner = node->inputs()[1 - k];
    if (!c2 || !is_elemwise(inner, name)) continue;
    for (int j = 0; j < 2; ++j) {
      const NDArray* c1 = scalar_const(inner->owner->inputs()[j]);
      const Var& x = inner->owner->inputs()[1 - j];
      if (!c1 || x->type.dtype != out->type.dtype || inner->type.dtype != out->type.dtype) continue;
      auto c = fold_scalars(*c1, *c2, out->type.dtype, is_mul);
      if (!c) return std::nullopt;
      Var r = is_mul ? mul(x, *c) : add(x, *c);
      if (r->type == out->type) return one(r);
    }
  }
  return std::nullopt;
}

// ---- N-ary sums and products ----
//
// Elemwise add and mul are binary; these rewrites see a whole chain of add/sub/neg (or of
// mul/true_divide/reciprocal/neg) as one n-ary sum (product), flattening through inner nodes
// of the output's dtype that feed only the chain. Leaves equal as variables combine: x + y - x
// -> y, x * y / x -> y (float only; like x / x -> 1 it assumes the cancelled x is finite and
// non-zero, as Theano's canonicalizer did), x + x + x -> x * 3. 0-d constants fold into one.
// The result is rebuilt as a balanced tree (depth log n). A cancelled leaf that could have
// enlarged the output keeps its shape through fill(leaf, result), so the type never changes.
// The rewrite applies only when the rebuilt chain has fewer nodes or less depth, which also
// makes it idempotent. Leaves of another dtype are converted with a cast, as the kernel would.

struct Term {
  Var leaf;
  int64_t count;  // net number of times added (sum) or multiplied (product; < 0: divided)
};

struct Chain {
  DType dt;
  bool is_mul;
  std::vector<Term> terms;
  std::vector<std::pair<NDArray, bool>> constants;  // value, negated (sum) / divided (product)
  bool negated = false;                             // product: an odd number of neg
  int nodes = 0;
};

void add_leaf(Chain& c, const Var& v, bool inverse) {
  if (const NDArray* k = scalar_const(v)) {
    c.constants.push_back({*k, inverse});
    return;
  }
  for (Term& t : c.terms) {
    if (t.leaf == v) {
      t.count += inverse ? -1 : 1;
      return;
    }
  }
  c.terms.push_back({v, inverse ? -1 : 1});
}

// Depth (in chain nodes) of v's part of the chain.
int flatten(FunctionGraph& fg, const Var& v, bool inverse, Chain& c, bool root) {
  const bool inner = root || (v->type.dtype == c.dt && fg.clients(v.get()).size() == 1);
  const bool divides = is_float(c.dt);
  if (inner && v->owner) {
    const auto& in = v->owner->inputs();
    const bool two = c.is_mul ? is_elemwise(v, "mul") || (divides && is_elemwise(v, "true_divide"))
                              : is_elemwise(v, "add") || is_elemwise(v, "sub");
    if (two) {
      ++c.nodes;
      const bool second_inverse = is_elemwise(v, "sub") || is_elemwise(v, "true_divide");
      const int a = flatten(fg, in[0], inverse, c, false);
      const int b = flatten(fg, in[1], second_inverse ? !inverse : inverse, c, false);
      return 1 + std::max(a, b);
    }
    if (is_elemwise(v, "neg")) {
      ++c.nodes;
      if (c.is_mul) c.negated = !c.negated;
      return 1 + flatten(fg, in[0], c.is_mul ? inverse : !inverse, c, false);
    }
    if (c.is_mul && divides && is_elemwise(v, "reciprocal")) {
      ++c.nodes;
      return 1 + flatten(fg, in[0], !inverse, c, false);
    }
  }
  add_leaf(c, v, inverse);
  return 0;
}

// Folds the chain's constants in dtype dt (integers wrap as the kernels do) into one 0-d
// constant for the positive (numerator) side and one for the negative (denominator) side.
std::pair<std::optional<NDArray>, std::optional<NDArray>> fold_chain_constants(const Chain& c) {
  std::optional<NDArray> pos, neg_side;
  for (const auto& [k, inverse] : c.constants) {
    const bool side_is_neg = inverse && c.is_mul;
    std::optional<NDArray>& acc = side_is_neg ? neg_side : pos;
    NDArray v = k.astype(c.dt);
    visit_dtype(c.dt, [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr ((std::is_integral_v<T> && !std::is_same_v<T, bool>) ||
                    std::is_floating_point_v<T>) {
        using W = std::conditional_t<std::is_integral_v<T>, uint64_t, T>;
        const W x = static_cast<W>(*v.data<T>());
        const W a = acc ? static_cast<W>(*acc->data<T>()) : W(c.is_mul ? 1 : 0);
        W r;
        if (c.is_mul) {
          r = a * x;
        } else {
          r = inverse ? a - x : a + x;
        }
        acc = NDArray::scalar<T>(static_cast<T>(r));
      }
    });
  }
  return {pos, neg_side};
}

// Pairwise reduction: depth ceil(log2 n).
Var balanced(std::vector<Var> xs, bool is_mul, int& nodes, int& depth) {
  int d = 0;
  while (xs.size() > 1) {
    std::vector<Var> next;
    for (size_t i = 0; i + 1 < xs.size(); i += 2) {
      next.push_back(is_mul ? mul(xs[i], xs[i + 1]) : add(xs[i], xs[i + 1]));
      ++nodes;
    }
    if (xs.size() % 2) next.push_back(xs.back());
    xs = std::move(next);
    ++d;
  }
  depth = d;
  return xs[0];
}

Result nary_chain(FunctionGraph& fg, Apply* node, bool is_mul) {
  const Var out = node->output(0);
  const DType dt = out->type.dtype;
  if (is_bool(dt) || !(is_integer(dt) || is_float(dt))) return std::nullopt;
  const bool top = is_elemwise(out, "neg") ||
                   (is_mul ? is_elemwise(out, "mul") || is_elemwise(out, "true_divide") ||
                                 is_elemwise(out, "reciprocal")
                           : is_elemwise(out, "add") || is_elemwise(out, "sub"));
  if (!top) return std::nullopt;
  // An inner node of a longer chain: the chain's root rewrites the whole of it.
  const auto& clients = fg.clients(out.get());
  if (clients.size() == 1 && clients[0].first) {
    const Var outer = clients[0].first->output(0);
    const bool chained = is_mul ? is_elemwise(outer, "mul") || is_elemwise(outer, "neg") ||
                                      (is_float(dt) && (is_elemwise(outer, "true_divide") ||
                                                        is_elemwise(outer, "reciprocal")))
                                : is_elemwise(outer, "add") || is_elemwise(outer, "sub") ||
                                      is_elemwise(outer, "neg");
    if (chained && outer->type.dtype == dt) return std::nullopt;
  }
  Chain c{dt, is_mul, {}, {}};
  const int old_depth = flatten(fg, out, false, c, true);
  int nodes = 0;
  auto as_dt = [&](const Var& v) {
    if (v->type.dtype == dt) return v;
    ++nodes;
    return cast(v, dt);
  };
  auto [kpos, kneg] = fold_chain_constants(c);
  std::vector<Var> pos, neg_side, cancelled;
  for (const Term& t : c.terms) {
    if (t.count == 0) {
      cancelled.push_back(t.leaf);
      continue;
    }
    auto& side = t.count > 0 ? pos : neg_side;
    const int64_t n = t.count > 0 ? t.count : -t.count;
    const Var leaf = as_dt(t.leaf);
    if (!is_mul && n >= 3) {
      side.push_back(mul(leaf, scalar_constant(n, dt)));
      ++nodes;
    } else {
      for (int64_t i = 0; i < n; ++i) side.push_back(leaf);
    }
  }
  const bool zero_pos = kpos && !is_mul && kpos->flat_as_double(0) == 0.0;
  if (kpos && !zero_pos && !(is_mul && kpos->flat_as_double(0) == 1.0)) {
    pos.push_back(constant(*kpos));
  }
  if (kneg && kneg->flat_as_double(0) != 1.0) neg_side.push_back(constant(*kneg));
  int dp = 0, dn = 0;
  Var r;
  if (pos.empty() && neg_side.empty()) {
    r = scalar_constant(int64_t{is_mul ? 1 : 0}, dt);
  } else if (neg_side.empty()) {
    r = balanced(pos, is_mul, nodes, dp);
  } else {
    const Var n = balanced(neg_side, is_mul, nodes, dn);
    ++nodes;
    if (pos.empty()) {
      r = is_mul ? elemwise("reciprocal", {n}) : neg(n);
    } else {
      const Var p = balanced(pos, is_mul, nodes, dp);
      r = is_mul ? true_divide(p, n) : sub(p, n);
    }
    dp = 1 + std::max(dp, dn);
  }
  if (c.negated) {
    r = neg(r);
    ++nodes;
    ++dp;
  }
  for (const Var& l : cancelled) {
    if (r->type.ndim() == out->type.ndim() && dominated(l, r)) continue;
    r = fill(l, r);
    ++nodes;
  }
  if (nodes > c.nodes || (nodes == c.nodes && dp >= old_depth)) return std::nullopt;
  if (r->type.dtype != dt) r = cast(r, dt);
  if (r->type.ndim() != out->type.ndim()) return std::nullopt;
  return one(r);
}

Result nary_add(FunctionGraph& fg, Apply* node) {
  return nary_chain(fg, node, false);
}
Result nary_mul(FunctionGraph& fg, Apply* node) {
  return nary_chain(fg, node, true);
}

// ---- Subtensor ----

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

// True if e (an Elemwise output) feeds only `node`, so lifting an op above it computes less.
bool sole_client(FunctionGraph& fg, const Var& e) {
  return fg.clients(e.get()).size() == 1;
}

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

// ---- Reductions ----

Var make_reduce(ReduceKind kind, const Var& x, std::vector<int64_t> axes, bool keepdims) {
  return make_node1(make_reduce_op(kind, std::move(axes), keepdims), {x});
}

// The op type names of the reductions whose rule satisfies `pred`.
template <class Pred>
std::vector<std::string> reduce_type_names(Pred pred) {
  std::vector<std::string> names;
  for (const ReductionRule& rule : reduction_rules()) {
    if (pred(rule)) names.push_back(rule.type_name);
  }
  return names;
}

// sum(sum(x, a), b) -> sum(x, a + b) (any keepdims; a DimShuffle puts back kept axes where the
// two keepdims differ). Also every other fold (prod, max, min, any, all), each with itself.
Result reduce_reduce(FunctionGraph&, Apply* node) {
  auto* outer = node_op<Reduce>(node);
  if (!outer || !reduction_rule(outer->kind()).combine) return std::nullopt;
  const Var& y = node->inputs()[0];
  auto* inner = op_as<Reduce>(y);
  if (!inner || inner->kind() != outer->kind()) return std::nullopt;
  const Var& x = y->owner->inputs()[0];
  const int n = x->type.ndim();
  // Each dimension of y: the dimension of x it is, or -1 for a kept reduced axis.
  std::vector<int64_t> ydims;
  std::vector<bool> reduced(n, false);
  for (int64_t a : inner->axes()) reduced[a] = true;
  for (int d = 0; d < n; ++d) {
    if (!reduced[d]) {
      ydims.push_back(d);
    } else if (inner->keepdims()) {
      ydims.push_back(-1);
    }
  }
  std::vector<bool> outer_reduced(ydims.size(), false);
  for (int64_t a : outer->axes()) outer_reduced[a] = true;
  std::vector<int64_t> out_dims;  // per output dimension: x's dimension, or -1 (kept, size 1)
  for (size_t j = 0; j < ydims.size(); ++j) {
    if (!outer_reduced[j]) {
      out_dims.push_back(ydims[j]);
    } else {
      if (ydims[j] >= 0) reduced[ydims[j]] = true;
      if (outer->keepdims()) out_dims.push_back(-1);
    }
  }
  std::vector<int64_t> axes;
  for (int d = 0; d < n; ++d) {
    if (reduced[d]) axes.push_back(d);
  }
  // keepdims=True form: every dimension of x in order, reduced ones kept.
  bool keep_form = static_cast<int>(out_dims.size()) == n;
  for (int d = 0; keep_form && d < n; ++d) keep_form = out_dims[d] == (reduced[d] ? -1 : d);
  if (keep_form) return one(make_reduce(outer->kind(), x, axes, true));
  Var r = make_reduce(outer->kind(), x, axes, false);
  // Dimensions of r are x's unreduced ones, in order: put back the kept ones.
  std::vector<int64_t> pattern;
  int64_t next = 0;
  for (int64_t d : out_dims) pattern.push_back(d < 0 ? kNewAxis : next++);
  if (is_identity(pattern, r->type.ndim())) return one(r);
  return one(make_dimshuffle(r, pattern));
}

// A reduction over axes of static size 1 (or over no axis) does not reduce anything: drop
// those axes with a DimShuffle (or keep them, with keepdims) and reduce the rest.
Result reduce_size_one_axes(FunctionGraph&, Apply* node) {
  auto* r = node_op<Reduce>(node);
  if (!r) return std::nullopt;
  const Var& x = node->inputs()[0];
  const Var out = node->output(0);
  std::vector<int64_t> rest;
  std::vector<bool> trivial(x->type.ndim(), false);
  for (int64_t a : r->axes()) {
    if (x->type.shape[a] == 1) {
      trivial[a] = true;
    } else {
      rest.push_back(a);
    }
  }
  if (rest.size() == r->axes().size() && !r->axes().empty()) return std::nullopt;
  const ReductionRule& rule = reduction_rule(r->kind());
  if (!rule.combine && !rule.position) return std::nullopt;  // what one element gives is unknown
  if (rule.position) {
    // The result is a position (argmax, argmin): 0 within size-1 axes.
    if (!rest.empty()) return std::nullopt;
    std::vector<Var> dims;
    for (int d = 0; d < x->type.ndim(); ++d) {
      if (!trivial[d]) {
        dims.push_back(dim_of(x, d));
      } else if (r->keepdims()) {
        dims.push_back(scalar_constant(int64_t{1}, DType::Int64));
      }
    }
    return one(alloc(scalar_constant(int64_t{0}, DType::Int64), dims));
  }
  Var y = x;
  if (!r->keepdims()) {
    std::vector<int64_t> pattern, mapped(x->type.ndim(), -1);
    for (int d = 0; d < x->type.ndim(); ++d) {
      if (!trivial[d]) {
        mapped[d] = static_cast<int64_t>(pattern.size());
        pattern.push_back(d);
      }
    }
    if (!is_identity(pattern, x->type.ndim())) y = make_dimshuffle(x, pattern);
    for (int64_t& a : rest) a = mapped[a];
  }
  if (!rest.empty()) return one(make_reduce(r->kind(), y, rest, r->keepdims()));
  // Nothing left to reduce: the value itself, converted as the reduction would (sum of int8
  // is int64; any/all of a number is its truth).
  return one(cast(y, out->type.dtype));
}

}  // namespace

std::vector<NodeRewriter> canonicalize_rules() {
  const std::set<std::string> tags{"fast_run", "canonicalize"};
  std::vector<NodeRewriter> rules;
  auto add = [&](const char* name, const char* from, const char* to) {
    rules.push_back(pattern_rewriter(name, from, to));
    rules.back().tags = tags;
  };
  auto node = [&](const char* name, std::vector<std::string> tracks,
                  std::function<Result(FunctionGraph&, Apply*)> f) {
    rules.push_back({name, std::move(tracks), std::move(f), tags});
  };
  add("neg_neg", "neg(neg($x))", "$x");
  add("add_zero", "add($x, 0)", "$x");
  add("sub_zero", "sub($x, 0)", "$x");
  add("mul_one", "mul($x, 1)", "$x");
  add("div_one", "true_divide($x, 1)", "$x");
  add("sub_self", "sub($x, $x)", "zeros_like($x)");
  add("div_self", "true_divide($x, $x)", "ones_like($x)");
  node("mul_div_cancel", {"Elemwise"}, mul_div_cancel);
  node("mul_zero", {"Elemwise"}, mul_zero);
  node("cast_cast", {"Elemwise"}, cast_cast);
  node("switch_constant", {"Elemwise"}, switch_constant);
  node("dimshuffle_merge", {"DimShuffle"}, dimshuffle_merge);
  node("reshape_reshape", {"Reshape"}, reshape_reshape);
  node("useless_reshape", {"Reshape"}, useless_reshape);
  node("useless_alloc", {"Alloc"}, useless_alloc);
  node("useless_fill", {"Fill"}, useless_fill);
  node("subtensor_make_vector", {"Subtensor"}, subtensor_make_vector);
  node("subtensor_shape", {"Subtensor"}, subtensor_shape);
  node("collect_constants", {"Elemwise"}, collect_constants);
  node("nary_add", {"Elemwise"}, nary_add);
  node("nary_mul", {"Elemwise"}, nary_mul);
  node("subtensor_subtensor", {"Subtensor"}, subtensor_subtensor);
  node("subtensor_lift_elemwise", {"Subtensor"}, subtensor_lift_elemwise);
  node("dimshuffle_lift_elemwise", {"DimShuffle"}, dimshuffle_lift_elemwise);
  node("reduce_reduce", reduce_type_names([](const ReductionRule& r) { return r.combine; }),
       reduce_reduce);
  node("reduce_size_one_axes", reduce_type_names([](const ReductionRule&) { return true; }),
       reduce_size_one_axes);
  return rules;
}

std::vector<NodeRewriter> canonicalize_shape_cleanup_rules() {
  const std::set<std::string> tags{"fast_run", "shape"};
  return {
      {"subtensor_make_vector", {"Subtensor"}, subtensor_make_vector, tags},
      {"subtensor_shape", {"Subtensor"}, subtensor_shape, tags},
      {"useless_reshape", {"Reshape"}, useless_reshape, tags},
      {"useless_fill", {"Fill"}, useless_fill, tags},
      {"useless_alloc", {"Alloc"}, useless_alloc, tags},
  };
}

}  // namespace theon
