// Linear-algebra rewrites (stabilize pass): products with an inverse become solves, the
// determinant of a Cholesky factor (or of a product L L^T of one) becomes the product of its
// diagonal, log(det(a)) goes through slogdet, and positive-definite solves with the same matrix
// share one Cholesky factorization. The first three change a value only by rounding (each
// result is the more accurate form); the last reuses the very factor Solve would compute, so it
// changes nothing.
#include "theon/ops/linalg.hpp"

#include <cmath>
#include <limits>

#include "../ops/linalg/linalg_util.hpp"
#include "theon/graph/op.hpp"
#include "theon/ops/blas.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/rewrite/groups.hpp"
#include "util.hpp"

namespace theon {
namespace {

using namespace rewrite_util;

// The field `name` of the op computing v (or of `node`), or null.
const PropValue* field(const Op& op, const std::string& name) {
  static thread_local Props fields;
  fields = op.fields();
  for (const PropField& f : fields) {
    if (f.name == name) return &f.value;
  }
  return nullptr;
}

bool computed_by(const Var& v, const std::string& type_name) {
  return v && v->owner && v->owner->op()->type_name() == type_name;
}

bool flag(const Op& op, const std::string& name) {
  const PropValue* f = field(op, name);
  return f && f->as_bool(name);
}

std::string text(const Op& op, const std::string& name) {
  const PropValue* f = field(op, name);
  return f ? f->as_string(name) : "";
}

// dot(inv(a), b) or matmul(inv(a), b) -> solve(a, b).
Result inverse_product_to_solve(FunctionGraph&, Apply* node) {
  const Var& left = node->inputs()[0];
  const Var& b = node->inputs()[1];
  if (!computed_by(left, "MatrixInverse") || b->type.ndim() == 0) return std::nullopt;
  const Var& a = left->owner->inputs()[0];
  const bool is_dot = node->op()->type_name() == "Dot";
  // Dot contracts b's second-to-last axis like solve only for a matrix a and a 1-d/2-d b.
  if (is_dot && (a->type.ndim() != 2 || b->type.ndim() > 2)) return std::nullopt;
  Var x = solve(a, b, "gen", false);
  if (x->type.dtype != node->output(0)->type.dtype) x = cast(x, node->output(0)->type.dtype);
  return one(x);
}

// prod of the diagonal of each matrix of the factor l.
Var diagonal_product(const Var& l) {
  return prod(linalg::diagonal(l), std::vector<int64_t>{l->type.ndim() - 2});
}

// The Cholesky factor (from a Cholesky node raising on failure) that v is, or null.
Var cholesky_factor(const Var& v) {
  if (!computed_by(v, "Cholesky") || text(*v->owner->op(), "on_error") != "raise") return nullptr;
  return v;
}

// True if `t` is the transpose (last two axes swapped) of `l`.
bool is_transpose_of(const Var& t, const Var& l) {
  const int nd = l->type.ndim();
  if (!t->owner || t->owner->inputs()[0] != l || t->type.ndim() != nd) return false;
  const std::string name = t->owner->op()->name();
  if (nd == 2) return name == "DimShuffle{1,0}" || name == "Transpose{axes=(1, 0)}";
  return linalg::mT(l)->owner->op()->equals(*t->owner->op());
}

// det(cholesky(a)) -> prod(diag(L)); det(L @ L^T) (or L^T @ L) -> prod(diag(L))^2.
Result det_of_cholesky(FunctionGraph&, Apply* node) {
  const Var& m = node->inputs()[0];
  if (Var l = cholesky_factor(m)) return one(diagonal_product(l));
  if (!computed_by(m, "Dot") && !computed_by(m, "Matmul")) return std::nullopt;
  const Var& p = m->owner->inputs()[0];
  const Var& q = m->owner->inputs()[1];
  for (const auto& [f, t] : {std::pair{p, q}, std::pair{q, p}}) {
    if (cholesky_factor(f) && is_transpose_of(t, f) && f->type.ndim() == 2) {
      const Var d = diagonal_product(f);
      return one(d * d);
    }
  }
  return std::nullopt;
}

// log(det(a)) -> where(sign > 0, log|det|, log(sign)): log(0) = -inf and log(-1) = NaN as the
// naive form gives.
Result log_det_to_slogdet(FunctionGraph&, Apply* node) {
  if (!is_elemwise(node->output(0), "log")) return std::nullopt;
  const Var& d = node->inputs()[0];
  if (!computed_by(d, "Det")) return std::nullopt;
  const std::vector<Var> sl = slogdet(d->owner->inputs()[0]);
  return one(where(greater(sl[0], 0.0), sl[1], log(sl[0])));
}

// solve(a, b, pos) where a already has a Cholesky factor in the graph (the same triangle) or
// where a second positive-definite solve with a exists -> cho_solve(cholesky(a), b).
Result solve_reusing_cholesky(FunctionGraph& fg, Apply* node) {
  const Op& op = *node->op();
  if (text(op, "assume_a") != "pos") return std::nullopt;
  const bool lower = flag(op, "lower");
  const Var& a = node->inputs()[0];
  bool another_solve = false;
  for (const auto& [client, index] : fg.clients(a.get())) {
    if (!client || client == node || index != 0) continue;
    const Op& c = *client->op();
    if (c.type_name() == "Cholesky" && flag(c, "lower") == lower &&
        text(c, "on_error") == "raise") {
      return one(cho_solve(client->output(0), node->inputs()[1], lower));
    }
    if (c.equals(op)) another_solve = true;
  }
  if (!another_solve) return std::nullopt;
  return one(cho_solve(cholesky(a, lower), node->inputs()[1], lower));
}

}  // namespace

std::vector<NodeRewriter> linalg_rules() {
  const std::set<std::string> tags{"fast_run", "stabilize"};
  return {
      {"inverse_product_to_solve", {"Dot", "Matmul"}, inverse_product_to_solve, tags},
      {"det_of_cholesky", {"Det"}, det_of_cholesky, tags},
      {"log_det_to_slogdet", {"Elemwise"}, log_det_to_slogdet, tags},
      {"solve_reusing_cholesky", {"Solve"}, solve_reusing_cholesky, tags},
  };
}

}  // namespace theon
