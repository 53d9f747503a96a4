// BLAS rewrites: sums that contain a matrix product become one BLAS update.
//
//   alpha * dot(X, Y) + beta * Z   -> Gemm(Z, alpha, X, Y, beta)     (X, Y matrices)
//   alpha * dot(A, x) + beta * y   -> Gemv(y, alpha, A, x, beta)     (dot(x, A): Gemv{trans_a})
//   A + alpha * outer(x, y)        -> Ger(A, alpha, x, y)            (also dot(column, row))
//   Gemm / Gemv reading DimShuffle{1,0}(M)  -> M with the trans flag flipped
//
// plus the inplace variants, for the inplace pass, where the accumulator is dead afterwards.
//
// A sum is read as signed terms (add / sub / neg), each term as a product of one-element
// factors and a core (mul). The product term's whole chain must be read by the sum alone:
// otherwise the product is computed for another reader anyway, and the update would compute it
// a second time. The accumulator may broadcast (a bias vector b in dot(X, W) + b): Gemm fills
// its output with the broadcast b and BLAS accumulates into it with beta = 1, which replaces
// the separate elementwise pass over the product (benchmarks/dot_vs_blas.py measures it).
// A lone dot(A, x) or outer(x, y) is left alone: Dot and Outer already make one gemv / gemm
// call, and a Gemv with beta = 0 would only add an allocation node.
#include "theon/ops/blas.hpp"

#include <optional>
#include <vector>

#include "theon/graph/fgraph.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/gemm.hpp"
#include "theon/ops/shape.hpp"
#include "theon/rewrite/groups.hpp"
#include "util.hpp"

namespace theon {
namespace {

using namespace rewrite_util;

bool blas_dtype(DType dt) {
  return dt == DType::Float32 || dt == DType::Float64;
}

// Every static dimension is 1: the variable multiplies like a scalar.
bool scalar_like(const Var& v) {
  for (int64_t d : v->type.shape) {
    if (d != 1) return false;
  }
  return true;
}

// v read by exactly one node and not a graph output.
bool single_reader(const FunctionGraph& fg, const Var& v) {
  const auto& c = fg.clients(v.get());
  return c.size() == 1 && c[0].first != nullptr;
}

// sign * product(factors) * core.
struct Term {
  Var var;  // the term as it appears in the sum
  bool negative = false;
  std::vector<Var> factors;
  Var core;
  bool private_chain = true;  // every variable from var down to core has a single reader
  bool negative_in_sum = false;  // subtracted in the sum (`negative` also counts negs in var)
};

Term split_term(const FunctionGraph& fg, const Var& v, bool negative) {
  Term t{v, negative, {}, v, true, negative};
  for (;;) {
    const Var& c = t.core;
    if (is_elemwise(c, "neg")) {
      t.negative = !t.negative;
    } else if (is_elemwise(c, "mul")) {
      const auto& in = c->owner->inputs();
      int core_at = -1;
      for (size_t k = 0; k < in.size(); ++k) {
        if (scalar_like(in[k])) continue;
        if (core_at >= 0) return t;  // two non-scalar operands: c is the core
        core_at = static_cast<int>(k);
      }
      if (core_at < 0 || in[core_at]->type.ndim() != c->type.ndim()) return t;
      for (size_t k = 0; k < in.size(); ++k) {
        if (static_cast<int>(k) != core_at) t.factors.push_back(in[k]);
      }
      t.private_chain = t.private_chain && single_reader(fg, in[core_at]);
      t.core = in[core_at];
      continue;
    } else {
      return t;
    }
    t.private_chain = t.private_chain && single_reader(fg, c->owner->inputs()[0]);
    t.core = c->owner->inputs()[0];
  }
}

// The term's coefficient as a 0-d dtype scalar: +-1 times its factors, each reshaped to 0-d and
// cast to dt (the elementwise mul computed in dt already, so the cast changes no value).
Var coefficient(const Term& t, DType dt) {
  Var c;
  for (const Var& f : t.factors) {
    Var s = f->type.ndim() == 0 ? f : dimshuffle(f, {});
    if (s->type.dtype != dt) s = cast(s, dt);
    c = c ? mul(c, s) : s;
  }
  if (!c) return scalar_constant(t.negative ? -1.0 : 1.0, dt);
  return t.negative ? neg(c) : c;
}

bool is_sum(const Var& v) {
  return is_elemwise(v, "add") || is_elemwise(v, "sub");
}

// The signed terms of a sum (empty when v is not one), nested sums of the same dtype that only
// this sum reads flattened into it, so that every product in a + b + c is seen at once.
void collect_terms(const FunctionGraph& fg, const Var& v, bool negative,
                   std::vector<std::pair<Var, bool>>& terms) {
  const auto& in = v->owner->inputs();
  for (size_t k = 0; k < in.size(); ++k) {
    const bool neg = negative != (is_elemwise(v, "sub") && k == 1);
    if (is_sum(in[k]) && in[k]->type.dtype == v->type.dtype && single_reader(fg, in[k])) {
      collect_terms(fg, in[k], neg, terms);
    } else {
      terms.push_back({in[k], neg});
    }
  }
}

// v with leading broadcastable dimensions added up to nd dimensions.
Var pad_to(const Var& v, int nd) {
  if (v->type.ndim() == nd) return v;
  std::vector<int64_t> pattern(nd - v->type.ndim(), kNewAxis);
  for (int d = 0; d < v->type.ndim(); ++d) pattern.push_back(d);
  return dimshuffle(v, pattern);
}

enum class Kind { Gemm, Gemv, GemvT, Ger };

// The BLAS update a product core can become, with its operands (for Ger: x and y as vectors).
std::optional<std::pair<Kind, std::pair<Var, Var>>> product_of(const Var& core, DType dt) {
  const Apply* n = core->owner;
  if (!n || core->type.dtype != dt) return std::nullopt;
  const bool is_dot = op_as<Dot>(core) != nullptr;
  if (!is_dot && !op_as<Outer>(core)) return std::nullopt;
  const Var& a = n->inputs()[0];
  const Var& b = n->inputs()[1];
  if (a->type.dtype != dt || b->type.dtype != dt) return std::nullopt;
  const int na = a->type.ndim(), nb = b->type.ndim();
  if (!is_dot) {
    if (na != 1 || nb != 1) return std::nullopt;
    return std::make_pair(Kind::Ger, std::make_pair(a, b));
  }
  if (na == 2 && nb == 2) {
    // dot(column, row) is an outer product: rank-1 update instead of a k = 1 gemm.
    if (a->type.shape[1] == 1 && b->type.shape[0] == 1) {
      return std::make_pair(Kind::Ger, std::make_pair(dimshuffle(a, {0}), dimshuffle(b, {1})));
    }
    return std::make_pair(Kind::Gemm, std::make_pair(a, b));
  }
  if (na == 2 && nb == 1) return std::make_pair(Kind::Gemv, std::make_pair(a, b));
  if (na == 1 && nb == 2) return std::make_pair(Kind::GemvT, std::make_pair(b, a));
  return std::nullopt;
}

// How well a term serves as the accumulator: 2 when it has the sum's full static shape (the
// inplace variant can then write into it), 1 when it broadcasts, 0 when it cannot serve.
int accumulator_score(const Term& t, const Var& out, Kind kind) {
  const Var& z = t.core;
  const int nd = out->type.ndim();
  if (z->type.dtype != out->type.dtype || z->type.ndim() > nd) return 0;
  if (kind == Kind::Ger && (t.negative || !t.factors.empty())) return 0;  // A has coefficient 1
  if (z->type.ndim() < nd) return 1;
  for (int d = 0; d < nd; ++d) {
    if (z->type.shape[d] == 1 && out->type.shape[d] != 1) return 1;
  }
  return 2;
}

// One update step on a sum's terms: the first product term that can become a BLAS update,
// folded into the best accumulator. The update takes the product's place at the front and the
// other terms keep their order and signs, as they would in the sum rebuilt around it.
// False when no term can.
bool fold_one_product(const FunctionGraph& fg, const Var& out, std::vector<Term>& terms) {
  const DType dt = out->type.dtype;
  for (size_t i = 0; i < terms.size(); ++i) {
    const Term& p = terms[i];
    if (!p.private_chain || !single_reader(fg, p.var)) continue;
    auto prod = product_of(p.core, dt);
    if (!prod || p.core->type.ndim() != out->type.ndim()) continue;
    const Kind kind = prod->first;
    size_t best = terms.size();
    int best_score = 0;
    for (size_t j = 0; j < terms.size(); ++j) {
      if (j == i) continue;
      // Prefer a term that is not a product itself (which may get its own update).
      int s = accumulator_score(terms[j], out, kind);
      if (s > 0 && !product_of(terms[j].core, dt)) s += 2;
      if (s > best_score) {
        best = j;
        best_score = s;
      }
    }
    if (best == terms.size()) continue;
    const Term& z = terms[best];
    const Var zc = pad_to(z.core, out->type.ndim());
    const Var alpha = coefficient(p, dt);
    const auto& [a, b] = prod->second;
    Var update;
    switch (kind) {
      case Kind::Gemm:
        update = gemm(zc, alpha, a, b, coefficient(z, dt));
        break;
      case Kind::Gemv:
      case Kind::GemvT:
        update = gemv(zc, alpha, a, b, coefficient(z, dt), kind == Kind::GemvT);
        break;
      case Kind::Ger:
        update = ger(zc, alpha, a, b);
        break;
    }
    std::vector<Term> rest{split_term(fg, update, false)};
    for (size_t j = 0; j < terms.size(); ++j) {
      if (j != i && j != best) rest.push_back(std::move(terms[j]));
    }
    terms = std::move(rest);
    return true;
  }
  return false;
}

Result sum_to_blas(FunctionGraph& fg, Apply* node) {
  const Var out = node->output(0);
  const DType dt = out->type.dtype;
  if (!blas_dtype(dt) || out->type.ndim() < 1 || out->type.ndim() > 2) return std::nullopt;
  if (!is_sum(out)) return std::nullopt;
  // A sum read only by an enclosing sum is rewritten as part of that one.
  const auto& readers = fg.clients(out.get());
  if (readers.size() == 1 && readers[0].first && is_sum(readers[0].first->output(0)) &&
      readers[0].first->output(0)->type.dtype == dt) {
    return std::nullopt;
  }
  std::vector<std::pair<Var, bool>> signed_terms;
  collect_terms(fg, out, false, signed_terms);
  std::vector<Term> terms;
  for (const auto& [v, neg] : signed_terms) terms.push_back(split_term(fg, v, neg));
  // Every product the sum holds becomes an update, each accumulating into the one before, at
  // once: what rewriting the rebuilt sum again and again would give, one pass over the graph
  // per product, with the whole sum rebuilt each time (quadratic in the number of terms).
  bool folded = false;
  while (fold_one_product(fg, out, terms)) folded = true;
  if (!folded) return std::nullopt;
  // The other terms are added back in their order, with their signs.
  Var result = terms[0].var;
  for (size_t j = 1; j < terms.size(); ++j) {
    result = terms[j].negative_in_sum ? sub(result, terms[j].var) : add(result, terms[j].var);
  }
  if (result->type.dtype != dt) return std::nullopt;
  return one(result);
}

// DimShuffle{1,0}(M) -> M, or null.
Var untransposed(const Var& v) {
  const auto* ds = op_as<DimShuffle>(v);
  if (!ds || ds->pattern() != std::vector<int64_t>{1, 0}) return nullptr;
  return v->owner->inputs()[0];
}

Result transpose_to_flags(FunctionGraph&, Apply* node) {
  const auto& in = node->inputs();
  if (const auto* op = node_op<Gemm>(node)) {
    const Var x = untransposed(in[2]), y = untransposed(in[3]);
    if (!x && !y) return std::nullopt;
    return one(gemm(in[0], in[1], x ? x : in[2], y ? y : in[3], in[4],
                    op->trans_x() != (x != nullptr), op->trans_y() != (y != nullptr),
                    op->inplace()));
  }
  if (const auto* op = node_op<Gemv>(node)) {
    const Var a = untransposed(in[2]);
    if (!a) return std::nullopt;
    return one(gemv(in[0], in[1], a, in[3], in[4], !op->trans_a(), op->inplace()));
  }
  return std::nullopt;
}

// The accumulator (input 0) can be overwritten: nothing else reads it or a view chain into it,
// and its static shape does not say it broadcasts (the op would then fall back to a copy).
bool accumulator_dead(const FunctionGraph& fg, Apply* node) {
  const Var& z = node->inputs()[0];
  const TensorType& t = node->output_ref(0).type;
  if (z->type.dtype != t.dtype || z->type.ndim() != t.ndim()) return false;
  for (int d = 0; d < t.ndim(); ++d) {
    if (z->type.shape[d] == 1 && t.shape[d] != 1) return false;
  }
  return can_destroy(fg, node, 0);
}

Result blas_inplace(FunctionGraph& fg, Apply* node) {
  const auto& in = node->inputs();
  if (const auto* op = node_op<Gemm>(node)) {
    if (op->inplace() || !accumulator_dead(fg, node)) return std::nullopt;
    return one(gemm(in[0], in[1], in[2], in[3], in[4], op->trans_x(), op->trans_y(), true));
  }
  if (const auto* op = node_op<Gemv>(node)) {
    if (op->inplace() || !accumulator_dead(fg, node)) return std::nullopt;
    return one(gemv(in[0], in[1], in[2], in[3], in[4], op->trans_a(), true));
  }
  if (const auto* op = node_op<Ger>(node)) {
    if (op->inplace() || !accumulator_dead(fg, node)) return std::nullopt;
    return one(ger(in[0], in[1], in[2], in[3], true));
  }
  return std::nullopt;
}

}  // namespace

std::vector<NodeRewriter> blas_rules() {
  return {
      {"blas_update", {"Elemwise"}, sum_to_blas, {"fast_run"}},
      {"blas_transpose_flags", {"Gemm", "Gemv"}, transpose_to_flags, {"fast_run"}},
  };
}

std::vector<NodeRewriter> blas_inplace_rules() {
  return {{"blas_inplace", {"Gemm", "Gemv", "Ger"}, blas_inplace, {"fast_run", "inplace"}}};
}

}  // namespace theon
