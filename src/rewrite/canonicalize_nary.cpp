// Canonicalization of n-ary sums and products.
//
// Elemwise add and mul are binary; these rewrites see a whole chain of add/sub/neg (or of
// mul/true_divide/reciprocal/neg) as one n-ary sum (product), flattening through inner nodes
// of the output's dtype that feed only the chain. Leaves equal as variables combine: x + y - x
// -> y, x * y / x -> y (float only; like x / x -> 1 it assumes the cancelled x is finite and
// non-zero, which is why float chains are fast_math), x + x + x -> x * 3. 0-d constants fold
// into one.
// The result is rebuilt as a balanced tree (depth log n). A cancelled leaf that could have
// enlarged the output keeps its shape through fill(leaf, result), so the type never changes.
// The rewrite applies only when the rebuilt chain has fewer nodes or less depth, which also
// makes it idempotent. Leaves of another dtype are converted with a cast, as the kernel would.
#include <algorithm>
#include <type_traits>

#include "canonicalize.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/constant.hpp"

namespace theon::canon {

using namespace rewrite_util;

namespace {

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

}  // namespace

Result nary_add(FunctionGraph& fg, Apply* node) {
  return nary_chain(fg, node, false);
}
Result nary_mul(FunctionGraph& fg, Apply* node) {
  return nary_chain(fg, node, true);
}

}  // namespace theon::canon
