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
  bool private_chain = true;     // every variable from var down to core has a single reader
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

// The product term can become a BLAS update: its chain is the sum's alone and its core is a
// product of the sum's rank. Whether an accumulator exists is the caller's question.
std::optional<std::pair<Kind, std::pair<Var, Var>>> foldable_product(const FunctionGraph& fg,
                                                                     const Term& p,
                                                                     const Var& out) {
  if (!p.private_chain || !single_reader(fg, p.var)) return std::nullopt;
  auto prod = product_of(p.core, out->type.dtype);
  if (!prod || p.core->type.ndim() != out->type.ndim()) return std::nullopt;
  return prod;
}

// How well term z serves as the accumulator of a product of `kind`, products scoring lower.
int accumulator_rank(const Term& z, const Var& out, Kind kind) {
  int s = accumulator_score(z, out, kind);
  // Prefer a term that is not a product itself (which may get its own update).
  if (s > 0 && !product_of(z.core, out->type.dtype)) s += 2;
  return s;
}
constexpr int kBestRank = 4;  // full static shape, not a product

struct Fold {
  size_t product;
  size_t accumulator;
  Kind kind;
  std::pair<Var, Var> operands;
};

// The first product term that can become an update, with its best accumulator (the first of
// the highest rank), or none.
std::optional<Fold> choose_fold(const FunctionGraph& fg, const Var& out,
                                const std::vector<const Term*>& terms) {
  for (size_t i = 0; i < terms.size(); ++i) {
    auto prod = foldable_product(fg, *terms[i], out);
    if (!prod) continue;
    size_t best = terms.size();
    int best_rank = 0;
    for (size_t j = 0; j < terms.size(); ++j) {
      if (j == i) continue;
      const int r = accumulator_rank(*terms[j], out, prod->first);
      if (r > best_rank) {
        best = j;
        best_rank = r;
      }
    }
    if (best != terms.size()) return Fold{i, best, prod->first, prod->second};
  }
  return std::nullopt;
}

// p * product + z as one BLAS update into z's core.
Term make_update(const FunctionGraph& fg, const Var& out, const Term& p, const Term& z, Kind kind,
                 const std::pair<Var, Var>& operands) {
  const DType dt = out->type.dtype;
  const Var zc = pad_to(z.core, out->type.ndim());
  const Var alpha = coefficient(p, dt);
  const auto& [a, b] = operands;
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
  return split_term(fg, update, false);
}

// Folds every product of a sum into a BLAS update, each update taking the place of its product
// and accumulator at the front of the terms, the others keeping their order and signs: the
// terms of the sum rebuilt around the update, so the result is what rewriting each rebuilt sum
// again would give, one product at a time. Linear in the number of terms as long as the latest
// update is a best-ranked accumulator (then it is always chosen, being first).
class SumFolder {
 public:
  SumFolder(const FunctionGraph& fg, const Var& out, std::vector<Term> terms)
      : fg_(fg), out_(out), terms_(std::move(terms)), used_(terms_.size(), false) {}

  // False when no product could be folded.
  bool fold_all() {
    if (!fold_generic()) return false;
    for (;;) {
      while (next_ < terms_.size() && (used_[next_] || !foldable_product(fg_, terms_[next_], out_)))
        ++next_;
      if (next_ == terms_.size()) return true;
      const auto prod = foldable_product(fg_, terms_[next_], out_);
      if (accumulator_rank(updates_.back(), out_, prod->first) < kBestRank) {
        fold_generic();  // the latest update (list position 0) always ranks above 0
        continue;
      }
      Term z = std::move(updates_.back());
      updates_.pop_back();
      used_[next_] = true;
      updates_.push_back(make_update(fg_, out_, terms_[next_], z, prod->first, prod->second));
    }
  }

  // The sum's terms now: the updates, latest first, then the unused terms.
  std::vector<const Term*> current() const {
    std::vector<const Term*> list;
    for (auto it = updates_.rbegin(); it != updates_.rend(); ++it) list.push_back(&*it);
    for (size_t i = 0; i < terms_.size(); ++i) {
      if (!used_[i]) list.push_back(&terms_[i]);
    }
    return list;
  }

 private:
  // One fold chosen from the whole list; products before `next_` become candidates again.
  bool fold_generic() {
    const std::vector<const Term*> list = current();
    const std::optional<Fold> f = choose_fold(fg_, out_, list);
    if (!f) return false;
    Term update =
        make_update(fg_, out_, *list[f->product], *list[f->accumulator], f->kind, f->operands);
    consume(list[f->product]);  // a product is never an update: at most one update goes
    consume(list[f->accumulator]);
    updates_.push_back(std::move(update));
    next_ = 0;
    return true;
  }

  void consume(const Term* t) {
    if (t >= terms_.data() && t < terms_.data() + terms_.size()) {
      used_[static_cast<size_t>(t - terms_.data())] = true;
    } else {
      updates_.erase(updates_.begin() + (t - updates_.data()));
    }
  }

  const FunctionGraph& fg_;
  const Var& out_;
  std::vector<Term> terms_;    // the sum's own terms, in order
  std::vector<bool> used_;     // folded into an update
  std::vector<Term> updates_;  // latest last
  size_t next_ = 0;            // terms before it are used or cannot be folded
};

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
  SumFolder folder(fg, out, std::move(terms));
  if (!folder.fold_all()) return std::nullopt;
  const std::vector<const Term*> rest = folder.current();
  Var result = rest[0]->var;
  for (size_t j = 1; j < rest.size(); ++j) {
    result = rest[j]->negative_in_sum ? sub(result, rest[j]->var) : add(result, rest[j]->var);
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
