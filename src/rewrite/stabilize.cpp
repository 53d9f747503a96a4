// Numerical stability: rewrites that keep results finite and accurate where the naive formula
// overflows or cancels (log(1 + 1e-20) is 1e-20, not 0; log(sigmoid(-1000)) is -1000). They
// change a value only where the naive formula rounds, overflows or underflows on the way; a
// NaN or infinite input gives what the naive formula gives.
// The fused softmax cross-entropy rewrites are in stabilize_xent.cpp.
#include "stabilize.hpp"

#include <algorithm>
#include <set>
#include <typeinfo>

#include "theon/graph/op.hpp"
#include "theon/graph/pointer_map.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/gradient_support.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/max_exp_sum.hpp"
#include "theon/ops/nnet.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/shape.hpp"
#include "theon/ops/subtensor.hpp"
#include "theon/rewrite/groups.hpp"
#include "theon/rewrite/pattern.hpp"
#include "util.hpp"

namespace theon {
namespace {

using namespace rewrite_util;
using stabilize_impl::arg;
using stabilize_impl::is_sum_to_shape;

Var make_softmax_op(bool log, const Var& x, std::optional<int64_t> axis) {
  return make_node1(std::make_shared<Softmax>(log, axis), {x});
}

// log(softmax(x)) -> log_softmax(x), same axis.
Result log_softmax_from_log(FunctionGraph&, Apply* node) {
  const Var out = node->output(0);
  if (!is_elemwise(out, "log")) return std::nullopt;
  const Var& s = node->inputs()[0];
  auto* sm = op_as<Softmax>(s);
  if (!sm || sm->log()) return std::nullopt;
  return one(make_softmax_op(true, arg(s, 0), sm->axis()));
}

// log(softmax(x)[idx]) -> log_softmax(x)[idx] for any (advanced) indexing: the categorical
// cross-entropy -log(softmax(x)[arange(n), y]) becomes -log_softmax(x)[arange(n), y].
Result log_softmax_from_log_indexed(FunctionGraph&, Apply* node) {
  const Var out = node->output(0);
  if (!is_elemwise(out, "log")) return std::nullopt;
  const Var& picked = node->inputs()[0];
  if (!op_as<Subtensor>(picked) && !op_as<AdvancedSubtensor>(picked)) return std::nullopt;
  const Var& s = arg(picked, 0);
  auto* sm = op_as<Softmax>(s);
  if (!sm || sm->log()) return std::nullopt;
  std::vector<Var> inputs = picked->owner->inputs();
  inputs[0] = make_softmax_op(true, arg(s, 0), sm->axis());
  return one(make_node1(picked->owner->op(), inputs));
}

// The exp(x) that `v` is, if it is one: x.
Var exp_arg(const Var& v) {
  return is_elemwise(v, "exp") ? arg(v, 0) : nullptr;
}

// exp(x) / sum(exp(x), axis, keepdims=True) -> softmax(x, axis), with one axis or all of them;
// the denominator may also be sum(exp(x), axis) with the axis put back by a DimShuffle.
Result softmax_from_exp(FunctionGraph&, Apply* node) {
  const Var out = node->output(0);
  if (!is_elemwise(out, "true_divide")) return std::nullopt;
  const Var x = exp_arg(node->inputs()[0]);
  if (!x || x->type.ndim() == 0) return std::nullopt;
  Var den = node->inputs()[1];
  const int n = x->type.ndim();
  std::vector<int64_t> put_back;  // the DimShuffle's pattern, if any
  if (auto* ds = op_as<DimShuffle>(den)) {
    put_back = ds->pattern();
    den = arg(den, 0);
  }
  auto* sum = op_as<Reduce>(den);
  if (!sum || sum->kind() != ReduceKind::Sum || exp_arg(arg(den, 0)) != x) return std::nullopt;
  const auto& axes = sum->axes();
  if (axes.empty()) return std::nullopt;
  if (!put_back.empty() || !sum->keepdims()) {
    if (sum->keepdims() || static_cast<int>(put_back.size()) != n) return std::nullopt;
    // The pattern must be x's dimensions in order with 'x' exactly at the reduced axes.
    int64_t next = 0;
    for (int d = 0; d < n; ++d) {
      const bool reduced = std::find(axes.begin(), axes.end(), d) != axes.end();
      if (reduced ? put_back[d] != kNewAxis : put_back[d] != next++) return std::nullopt;
    }
  }
  std::optional<int64_t> axis;
  if (static_cast<int>(axes.size()) != n) {
    if (axes.size() != 1) return std::nullopt;
    axis = axes[0];
  }
  Var sm = make_softmax_op(false, x, axis);
  return one(cast(sm, out->type.dtype));
}

// True if x is (a - where(isinf(m), 0, m)) with m a Max: what logsumexp below builds, so that
// it does not rewrite its own result again. theon.tensor.logsumexp builds it too, with the
// shift under a zero_grad.
bool already_shifted(const Var& x) {
  if (!is_elemwise(x, "sub")) return false;
  Var m = arg(x, 1);
  if (m->owner && m->owner->op()->type_name() == "ZeroGrad") m = arg(m, 0);
  return is_elemwise(m, "switch") && op_as<Reduce>(arg(m, 2)) &&
         op_as<Reduce>(arg(m, 2))->kind() == ReduceKind::Max;
}

// log(sum(exp(x), axes, keepdims)) -> m + log(sum(exp(x - m), axes, keepdims)) with m the
// maximum over the axes (replaced by 0 where it is infinite, so that all -inf gives -inf and a
// +inf gives +inf instead of NaN). Deliberate difference: over an empty axis the naive form
// gives -inf, while this one raises (the maximum of an empty array), as in Theano.
Result logsumexp(FunctionGraph&, Apply* node) {
  const Var out = node->output(0);
  if (!is_elemwise(out, "log")) return std::nullopt;
  const Var& s = node->inputs()[0];
  auto* sum = op_as<Reduce>(s);
  if (!sum || sum->kind() != ReduceKind::Sum || sum->axes().empty()) return std::nullopt;
  const Var& e = arg(s, 0);
  const Var x0 = exp_arg(e);
  if (!x0 || already_shifted(x0)) return std::nullopt;
  const DType dt = e->type.dtype;
  const Var x = cast(x0, dt);
  const Var m = max(x, sum->axes(), true);
  const Var safe = finite_shift(m);
  Var lse = log(theon::sum(exp(sub(x, safe)), sum->axes(), sum->keepdims()));
  Var shift = safe;
  if (!sum->keepdims()) {
    std::vector<int64_t> pattern;
    for (int d = 0; d < x->type.ndim(); ++d) {
      if (std::find(sum->axes().begin(), sum->axes().end(), d) == sum->axes().end()) {
        pattern.push_back(d);
      }
    }
    shift = make_node1(std::make_shared<DimShuffle>(pattern), {safe});
  }
  return one(cast(add(shift, lse), out->type.dtype));
}

// Proves run-time shapes equal: each variable gets a representative whose shape provably
// equals its own (an elementwise result has the shape of an input that every other input
// cannot enlarge; SumToShape has its model's shape; softmax its input's).
class ShapeProver {
 public:
  bool same(const Var& a, const Var& b) {
    if (a == b) return true;
    if (a->type.ndim() != b->type.ndim()) return false;
    bool static_equal = a->type.shape == b->type.shape;
    for (int64_t d : a->type.shape) static_equal = static_equal && d != kUnknownDim;
    if (static_equal) return true;
    // The search goes at most 64 steps down, through a hundred variables or so in a chain of
    // elementwise nodes: room for them at once, not a table grown from 16 slots.
    memo_.reserve(128);
    return rep(a) == rep(b);
  }

 private:
  const Variable* rep(const Var& v, int depth = 0) {
    if (const Variable* const* known = memo_.find(v.get())) return *known;
    const Variable* r = v.get();
    if (v->owner && depth < 64) {
      const auto& in = v->owner->inputs();
      const Op& op = *v->owner->op();
      // Most nodes here are elementwise: tested first, the other op types only for the rest.
      // The type comparison answers for Elemwise itself without dynamic_cast's hierarchy walk.
      const bool elementwise =
          typeid(op) == typeid(Elemwise) || dynamic_cast<const Elemwise*>(&op) != nullptr;
      if (!elementwise && is_sum_to_shape(v)) {
        r = rep(in[1], depth + 1);
      } else if (!elementwise && dynamic_cast<const Softmax*>(&op)) {
        r = rep(in[0], depth + 1);
      } else if (elementwise || op.type_name() == "Fill") {
        for (size_t k = 0; k < in.size(); ++k) {
          if (in[k]->type.ndim() != v->type.ndim()) continue;
          const Variable* rk = rep(in[k], depth + 1);
          bool covers = true;
          for (size_t j = 0; covers && j < in.size(); ++j) {
            covers = j == k || dominated(in[j], in[k]) || rep(in[j], depth + 1) == rk;
          }
          if (covers) {
            r = rk;
            break;
          }
        }
      }
    }
    *memo_.try_emplace(v.get()).first = r;
    return r;
  }
  PointerMap<Variable, const Variable*> memo_;
};

// A w with v * d == w and w of v's shape, found by removing a division by d somewhere inside
// v: through add, sub, neg, mul, a division by something else, and SumToShape to a model of
// d's shape (d is constant along the summed dimensions, so the division commutes with the
// sum). Terms of a sum that do not divide by d are multiplied by it.
std::optional<Var> divide_out(const Var& v, const Var& d, ShapeProver& shapes, int depth = 0) {
  if (depth > 16 || !v->owner) return std::nullopt;
  const auto& in = v->owner->inputs();
  if (is_elemwise(v, "true_divide")) {
    if (in[1] == d) {
      // n / d has the shape of n and d broadcast: keep d's part of it where n may lack it.
      if (dominated(d, in[0]) || shapes.same(d, in[0])) return in[0];
      return fill(d, in[0]);
    }
    if (auto r = divide_out(in[0], d, shapes, depth + 1)) return true_divide(*r, in[1]);
    return std::nullopt;
  }
  if (is_elemwise(v, "neg")) {
    if (auto r = divide_out(in[0], d, shapes, depth + 1)) return neg(*r);
    return std::nullopt;
  }
  if (is_elemwise(v, "add") || is_elemwise(v, "sub")) {
    auto ra = divide_out(in[0], d, shapes, depth + 1);
    auto rb = divide_out(in[1], d, shapes, depth + 1);
    if (!ra && !rb) return std::nullopt;
    Var a = ra ? *ra : mul(in[0], d);
    Var b = rb ? *rb : mul(in[1], d);
    return is_elemwise(v, "add") ? add(a, b) : sub(a, b);
  }
  if (is_elemwise(v, "mul")) {
    if (auto r = divide_out(in[0], d, shapes, depth + 1)) return mul(*r, in[1]);
    if (auto r = divide_out(in[1], d, shapes, depth + 1)) return mul(in[0], *r);
    return std::nullopt;
  }
  if (is_sum_to_shape(v) && shapes.same(d, in[1])) {
    if (auto r = divide_out(in[0], d, shapes, depth + 1)) return sum_to_shape(*r, in[1]);
  }
  return std::nullopt;
}

// SumToShape(g, like) -> g when g provably has like's shape already (nothing to sum).
Result useless_sum_to_shape(FunctionGraph&, Apply* node) {
  if (node->op()->type_name() != "SumToShape") return std::nullopt;
  const Var& g = node->inputs()[0];
  ShapeProver shapes;
  if (!shapes.same(g, node->inputs()[1])) return std::nullopt;
  return one(g);
}

// elemwise(..., fill(m, v), ..., y, ...) -> elemwise(..., v, ..., y, ...) when another input y
// provably has m's shape: broadcasting against y then gives v the shape the fill gave it, so
// the full-size fill is never written (Theano's fill sinking; gradients are full of fills of
// a broadcast statistic or of ones).
Result fill_into_elemwise(FunctionGraph&, Apply* node) {
  if (!node_op<Elemwise>(node)) return std::nullopt;
  const auto& in = node->inputs();
  ShapeProver shapes;
  std::vector<Var> args(in.begin(), in.end());
  bool changed = false;
  for (size_t i = 0; i < in.size(); ++i) {
    if (!in[i]->owner || !node_op<Fill>(in[i]->owner)) continue;
    const Var& model = arg(in[i], 0);
    const Var& value = arg(in[i], 1);
    if (value->type.ndim() != 0 && value->type.ndim() != in[i]->type.ndim()) continue;
    for (size_t j = 0; j < in.size(); ++j) {
      if (j != i && shapes.same(in[j], model)) {
        args[i] = value;
        changed = true;
        break;
      }
    }
  }
  if (!changed) return std::nullopt;
  Var out = make_node1(node->op(), args);
  if (out->type.shape != node->output(0)->type.shape) return std::nullopt;
  return one(out);
}

void collect_factors(const Var& v, std::vector<Var>& out, int depth = 0) {
  if (depth < 8 && is_elemwise(v, "mul")) {
    collect_factors(arg(v, 0), out, depth + 1);
    collect_factors(arg(v, 1), out, depth + 1);
    return;
  }
  out.push_back(v);
}

// True if a NaN in t gives NaN in v at the same place: v is computed from t through ops that
// give NaN where an input is NaN (arithmetic, sigmoid, ...; not comparisons, switch, max).
bool nan_reaches(const Var& v, const Var& t, int depth = 0) {
  if (v == t) return true;
  if (!v->owner || depth > 32) return false;
  static const std::set<std::string> propagating{
      "add", "sub", "mul",   "true_divide", "neg",     "reciprocal", "sqr",
      "exp", "log", "log1p", "expm1",       "sigmoid", "softplus",   "tanh"};
  const auto& in = v->owner->inputs();
  const std::string type = v->owner->op()->type_name();
  if (auto* e = op_as<Elemwise>(v);
      e && (e->cast_target() || propagating.count(e->scalar().name))) {
    for (const Var& i : in) {
      if (nan_reaches(i, t, depth + 1)) return true;
    }
    return false;
  }
  // A softmax is NaN along the whole axis where its input has a NaN, as was the graph that
  // divided by it.
  if (op_as<DimShuffle>(v) || is_sum_to_shape(v) || op_as<Softmax>(v)) {
    return nan_reaches(in[0], t, depth + 1);
  }
  if (type == "Fill") return nan_reaches(in[1], t, depth + 1);
  return false;
}

// True if node's output v, a product with the softmax d that stops being NaN where d is once
// d's division cancels, is NaN again where d is further down: v feeds only a sum over d's axis
// (keepdims), which feeds only products with d. (The softmax gradient sums g * d along the
// axis and multiplies the sum by d, so its NaN rows stay NaN rows.)
bool nan_restored_downstream(FunctionGraph& fg, const Var& v, const Var& d) {
  auto* sm = op_as<Softmax>(d);
  if (!sm || !sm->axis()) return false;
  const int64_t n = d->type.ndim(), axis = *sm->axis() < 0 ? *sm->axis() + n : *sm->axis();
  const auto& clients = fg.clients(v.get());
  if (clients.size() != 1 || !clients[0].first) return false;
  Apply* sum = clients[0].first;
  auto* r = node_op<Reduce>(sum);
  if (!r || r->kind() != ReduceKind::Sum || !r->keepdims() || r->axes() != std::vector{axis}) {
    return false;
  }
  const auto& users = fg.clients(sum->output(0).get());
  for (const auto& [user, index] : users) {
    if (!user || !is_elemwise(user->output(0), "mul") || user->inputs().size() != 2 ||
        user->inputs()[1 - index] != d) {
      return false;
    }
  }
  return !users.empty();
}

// (a / d + b) * (d * e) -> (a + b * d) * e: a product with a factor d that some term of the
// other operand divides by cancels the division (through sums, negations, products and the
// SumToShape nodes of gradients). This is what makes gradients through log(sigmoid(z))
// finite: (g / s) * (s * (1 - s)) is 0 * inf at s = 0, while g * (1 - s) is not. By default
// d must be sigmoid(t) or softmax(t), which are 0 only where the exact value underflows, and
// a NaN in t must still reach the result (through 1 - s above, or downstream: see
// nan_restored_downstream); the division then only ever gave NaN or infinity where the exact
// value is finite. With any_divisor (fast_math) d may be anything, as if it were finite and
// non-zero. Float outputs only.
Result distribute_mul_cancel_div(FunctionGraph& fg, Apply* node, bool any_divisor) {
  const Var out = node->output(0);
  if (!is_elemwise(out, "mul") || !is_float(out->type.dtype)) return std::nullopt;
  ShapeProver shapes;
  for (int side = 0; side < 2; ++side) {
    std::vector<Var> factors;
    collect_factors(node->inputs()[1 - side], factors);
    for (size_t f = 0; f < factors.size(); ++f) {
      const Var& d = factors[f];
      auto* sm = op_as<Softmax>(d);
      if (!any_divisor && !is_elemwise(d, "sigmoid") && !(sm && !sm->log())) continue;
      auto w = divide_out(node->inputs()[side], d, shapes);
      if (!w) continue;
      // w has the other operand's shape, which includes d's (it divided by d): the product
      // of w and the remaining factors has the shape of the original product.
      Var result = *w;
      for (size_t g = 0; g < factors.size(); ++g) {
        if (g != f) result = mul(result, factors[g]);
      }
      if (!any_divisor && !nan_reaches(result, arg(d, 0)) && !nan_restored_downstream(fg, out, d)) {
        continue;
      }
      return one(cast(result, out->type.dtype));
    }
  }
  return std::nullopt;
}

}  // namespace

using namespace stabilize_impl;

std::vector<NodeRewriter> stabilize_rules() {
  const std::set<std::string> tags{"fast_run", "stabilize"};
  std::vector<NodeRewriter> rules;
  auto add = [&](const char* name, const char* from, const char* to) {
    rules.push_back(pattern_rewriter(name, from, to));
    rules.back().tags = tags;
  };
  auto node = [&](const char* name, std::function<Result(FunctionGraph&, Apply*)> f) {
    rules.push_back({name, {"Elemwise"}, std::move(f), tags});
  };
  add("log1p_from_log", "log(add(1, $x))", "log1p($x)");
  add("expm1_from_exp", "sub(exp($x), 1)", "expm1($x)");
  add("log_sigmoid", "log(sigmoid($x))", "neg(softplus(neg($x)))");
  add("log_one_minus_sigmoid", "log(sub(1, sigmoid($x)))", "neg(softplus($x))");
  add("one_minus_sigmoid", "sub(1, sigmoid($x))", "sigmoid(neg($x))");
  add("softplus_from_log1p_exp", "log1p(exp($x))", "softplus($x)");
  add("erfc_from_one_minus_erf", "sub(1, erf($x))", "erfc($x)");
  add("erfc_from_one_plus_erf", "add(1, erf($x))", "erfc(neg($x))");
  add("sigmoid_from_exp", "true_divide(exp($x), add(1, exp($x)))", "sigmoid($x)");
  add("sigmoid_from_exp_neg", "true_divide(1, add(1, exp(neg($x))))", "sigmoid($x)");
  node("log_softmax_from_log", log_softmax_from_log);
  node("log_softmax_from_log_indexed", log_softmax_from_log_indexed);
  node("softmax_from_exp", softmax_from_exp);
  node("logsumexp", logsumexp);
  for (bool any_divisor : {false, true}) {
    rules.push_back({"distribute_mul_cancel_div",
                     {"Elemwise"},
                     [any_divisor](FunctionGraph& fg, Apply* n) {
                       return distribute_mul_cancel_div(fg, n, any_divisor);
                     },
                     any_divisor ? std::set<std::string>{"fast_math", "stabilize"} : tags});
  }
  add("neg_neg", "neg(neg($x))", "$x");
  rules.push_back({"xent_from_log_softmax_indexed",
                   {"AdvancedSubtensor"},
                   xent_from_log_softmax_indexed,
                   tags});
  node("xent_dx_from_softmax_grad", xent_dx_from_softmax_grad);
  node("xent_dx_from_log_softmax_grad", xent_dx_from_log_softmax_grad);
  // Gradients are full of these; here because the shape prover is.
  rules.push_back({"useless_sum_to_shape", {"SumToShape"}, useless_sum_to_shape, tags});
  return rules;
}

std::vector<NodeRewriter> stabilize_shape_cleanup_rules() {
  const std::set<std::string> tags{"fast_run", "shape"};
  return {{"useless_sum_to_shape", {"SumToShape"}, useless_sum_to_shape, tags},
          {"fill_into_elemwise", {"Elemwise"}, fill_into_elemwise, tags}};
}

}  // namespace theon
