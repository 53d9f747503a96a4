// Numerical stability: rewrites that keep results finite and accurate where the naive formula
// overflows or cancels (log(1 + 1e-20) is 1e-20, not 0; log(sigmoid(-1000)) is -1000).
//
// The categorical cross-entropy -log(softmax(x + b)[arange(n), y]) (and its log_softmax and
// categorical_crossentropy spellings) becomes the fused CrossentropySoftmaxArgmax1HotWithBias,
// and the gradient grad() builds through the indexing (an AdvancedIncSubtensor of a one-hot into
// zeros, then the softmax or log_softmax gradient) becomes CrossentropySoftmax1HotWithBiasDx.
// One deliberate difference: the rows may be arange(y.shape[0]) (the usual spelling), and where
// y has fewer labels than x has rows the unfused graph reads the first rows while the fused op
// raises ValueError; with as many labels as rows both compute the same values.
#include <algorithm>
#include <unordered_map>

#include "theon/graph/op.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/gradient_support.hpp"
#include "theon/ops/math.hpp"
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

const Var& arg(const Var& v, int i) {
  return v->owner->inputs()[i];
}

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
  const Var zero = scalar_constant(int64_t{0}, dt);
  const Var safe = elemwise("switch", {isinf(m), zero, m});
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

bool is_sum_to_shape(const Var& v) {
  return v->owner && v->owner->op()->type_name() == "SumToShape";
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
    return static_equal || rep(a) == rep(b);
  }

 private:
  const Variable* rep(const Var& v, int depth = 0) {
    auto it = memo_.find(v.get());
    if (it != memo_.end()) return it->second;
    const Variable* r = v.get();
    if (v->owner && depth < 64) {
      const auto& in = v->owner->inputs();
      const Op& op = *v->owner->op();
      if (is_sum_to_shape(v)) {
        r = rep(in[1], depth + 1);
      } else if (dynamic_cast<const Softmax*>(&op)) {
        r = rep(in[0], depth + 1);
      } else if (dynamic_cast<const Elemwise*>(&op) || op.type_name() == "Fill") {
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
    memo_[v.get()] = r;
    return r;
  }
  std::unordered_map<const Variable*, const Variable*> memo_;
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

void collect_factors(const Var& v, std::vector<Var>& out, int depth = 0) {
  if (depth < 8 && is_elemwise(v, "mul")) {
    collect_factors(arg(v, 0), out, depth + 1);
    collect_factors(arg(v, 1), out, depth + 1);
    return;
  }
  out.push_back(v);
}

// (a / d + b) * (d * e) -> (a + b * d) * e: a product with a factor d that some term of the
// other operand divides by cancels the division (through sums, negations, products and the
// SumToShape nodes of gradients). This is what makes gradients through log(sigmoid(z))
// finite: (g / s) * (s * (1 - s)) is 0 * inf at s = 0, while g * (1 - s) is not. Like
// x / x -> 1, it assumes the cancelled d is finite and non-zero. Float outputs only.
Result distribute_mul_cancel_div(FunctionGraph&, Apply* node) {
  const Var out = node->output(0);
  if (!is_elemwise(out, "mul") || !is_float(out->type.dtype)) return std::nullopt;
  ShapeProver shapes;
  for (int side = 0; side < 2; ++side) {
    std::vector<Var> factors;
    collect_factors(node->inputs()[1 - side], factors);
    for (size_t f = 0; f < factors.size(); ++f) {
      auto w = divide_out(node->inputs()[side], factors[f], shapes);
      if (!w) continue;
      // w has the other operand's shape, which includes d's (it divided by d): the product
      // of w and the remaining factors has the shape of the original product.
      Var result = *w;
      for (size_t g = 0; g < factors.size(); ++g) {
        if (g != f) result = mul(result, factors[g]);
      }
      return one(cast(result, out->type.dtype));
    }
  }
  return std::nullopt;
}

// ---- Fused softmax cross-entropy ----

// The logits z of a row softmax split into x + b with b a vector broadcast over the rows (the
// fused op's bias), or x = z with no bias.
struct Logits {
  Var x, b;
};
Logits split_bias(const Var& z) {
  if (is_elemwise(z, "add")) {
    for (int k = 0; k < 2; ++k) {
      const Var& x = arg(z, k);
      Var b = arg(z, 1 - k);
      auto* ds = op_as<DimShuffle>(b);
      if (ds && ds->pattern() == std::vector<int64_t>{kNewAxis, 0}) b = arg(b, 0);
      if (b->type.ndim() != 1) continue;
      if (x->type.ndim() == 2 && x->type.dtype == z->type.dtype && b->type.dtype == z->type.dtype) {
        return {x, b};
      }
    }
  }
  return {z, nullptr};
}

// True if the integer scalar v is dimension d of one of `of`: Shape_i, x.shape[d] (after the
// canonicalizer made it Shape_i), possibly cast, or a constant equal to a known static size.
bool is_dim(const Var& v, int d, const std::vector<Var>& of) {
  Var u = v;
  if (auto* c = op_as<Elemwise>(u); c && c->cast_target() && is_integer(*c->cast_target())) {
    u = arg(u, 0);
  }
  if (auto k = static_int_scalar(u)) {
    for (const Var& o : of) {
      if (o && o->type.shape[d] != kUnknownDim && o->type.shape[d] == *k) return true;
    }
    return false;
  }
  auto* si = op_as<ShapeI>(u);
  if (!si || si->i() != d) return false;
  // A (log_)softmax has its input's shape.
  Var t = arg(u, 0);
  while (op_as<Softmax>(t)) t = arg(t, 0);
  return std::find(of.begin(), of.end(), t) != of.end();
}

// arange(0, n, 1) with n dimension 0 of one of `of`.
bool is_row_arange(const Var& r, const std::vector<Var>& of) {
  if (!op_as<ARange>(r) || r->type.ndim() != 1) return false;
  const auto& in = r->owner->inputs();
  auto start = static_int_scalar(in[0]);
  auto step = in.size() > 2 ? static_int_scalar(in[2]) : std::optional<int64_t>(1);
  return start && *start == 0 && step && *step == 1 && is_dim(in[1], 0, of);
}

// The pieces of lsm[arange(n), y] with lsm a row log_softmax (or of sm[arange(n), y] with sm a
// row softmax, for `log` false) of a float matrix z: the indexed matrix, z and y.
struct PickedRow {
  Var z, y;
};
std::optional<PickedRow> picked_row(const Var& v, bool log) {
  auto* adv = op_as<AdvancedSubtensor>(v);
  if (!adv) return std::nullopt;
  const auto& e = adv->spec().entries;
  if (e.size() != 2 || e[0].kind != IndexEntry::Kind::Array ||
      e[1].kind != IndexEntry::Kind::Array) {
    return std::nullopt;
  }
  const Var& s = arg(v, 0);
  auto* sm = op_as<Softmax>(s);
  if (!sm || sm->log() != log || sm->axis() != std::optional<int64_t>(1)) return std::nullopt;
  const Var& z = arg(s, 0);
  if (z->type.ndim() != 2 || !is_float(z->type.dtype)) return std::nullopt;
  const Var& rows = arg(v, 1 + e[0].slot);
  const Var& y = arg(v, 1 + e[1].slot);
  if (y->type.ndim() != 1 || !is_integer(y->type.dtype) || is_bool(y->type.dtype)) {
    return std::nullopt;
  }
  // arange(y.shape[0]) is the usual spelling; with fewer labels than rows the unfused form
  // would give the first rows' values where the fused op raises (see the file comment).
  const Logits l = split_bias(z);
  if (!is_row_arange(rows, {z, s, l.x, y})) return std::nullopt;
  return PickedRow{z, y};
}

std::vector<Var> fused_xent(const Var& z, const Var& y) {
  const Logits l = split_bias(z);
  return crossentropy_softmax_argmax_1hot_with_bias(l.x, l.b, y);
}

// log_softmax(x + b)[arange(n), y] -> -nll of the fused op (log(softmax(..))[..] became this
// form through log_softmax_from_log_indexed; the user's negation and this one cancel by neg_neg).
Result xent_from_log_softmax_indexed(FunctionGraph&, Apply* node) {
  auto p = picked_row(node->output(0), true);
  if (!p) return std::nullopt;
  return one(neg(fused_xent(p->z, p->y)[0]));
}

// True if z is an array of zeros with the shape of `like`: fill(like, 0).
bool zeros_shaped_like(const Var& z, const Var& like) {
  if (!z->owner || z->owner->op()->type_name() != "Fill" || arg(z, 0) != like) return false;
  const NDArray* c = arg(z, 1)->constant.get();
  return c && c->size() == 1 && c->flat_as_double(0) == 0.0;
}

// G = inc_subtensor(zeros_like(s)[arange(n), y], v): what grad builds through s[arange(n), y]
// (each row gets v[i] at column y[i]). Returns v, arange and y.
struct OneHotInc {
  Var v, rows, y;
};
std::optional<OneHotInc> one_hot_inc(const Var& g, const Var& s, const std::vector<Var>& of) {
  auto* inc = op_as<AdvancedIncSubtensor>(g);
  if (!inc || inc->set_instead_of_inc() || !zeros_shaped_like(arg(g, 0), s)) return std::nullopt;
  const auto& e = inc->spec().entries;
  if (e.size() != 2 || e[0].kind != IndexEntry::Kind::Array ||
      e[1].kind != IndexEntry::Kind::Array) {
    return std::nullopt;
  }
  const Var& rows = arg(g, 2 + e[0].slot);
  const Var& y = arg(g, 2 + e[1].slot);
  const Var& v = arg(g, 1);
  if (y->type.ndim() != 1 || !is_integer(y->type.dtype) || is_bool(y->type.dtype) ||
      v->type.ndim() > 1) {
    return std::nullopt;
  }
  std::vector<Var> dims_of = of;
  dims_of.push_back(y);
  if (!is_row_arange(rows, dims_of)) return std::nullopt;
  return OneHotInc{v, rows, y};
}

// The one-hot gradient under the wrappers grad and the rewrites may leave around it when it
// already has the shape they produce: fill(model, G) (G broadcast to model's shape) and a sum
// back to a shape (SumToShape, SumToDims).
Var strip_same_shape_wrappers(Var g) {
  while (g->owner) {
    const std::string t = g->owner->op()->type_name();
    if ((t == "SumToShape" || t == "SumToDims") && arg(g, 0)->type.ndim() == g->type.ndim()) {
      g = arg(g, 0);
    } else if (t == "Fill" && arg(g, 1)->type.ndim() == g->type.ndim()) {
      g = arg(g, 1);
    } else {
      break;
    }
  }
  return g;
}

Var as_vector(const Var& v, DType dt) {
  Var r = cast(v, dt);
  return r->type.ndim() == 1 ? r : dimshuffle(r, {kNewAxis});
}

// v * s[rows, y]: when v is a / s[rows, y] (as the gradient of log(s[rows, y]) is, possibly
// negated or summed to that shape), just a, so that no division by a softmax remains.
Var times_picked(const Var& v, const Var& s, const OneHotInc& h) {
  auto is_picked = [&](const Var& p) {
    auto* adv = op_as<AdvancedSubtensor>(p);
    if (!adv || arg(p, 0) != s || p->owner->inputs().size() != 3) return false;
    const auto& e = adv->spec().entries;
    return e.size() == 2 && arg(p, 1 + e[0].slot) == h.rows && arg(p, 1 + e[1].slot) == h.y;
  };
  Var u = v;
  if (is_sum_to_shape(u) && arg(u, 0)->type.ndim() <= 1 && is_picked(arg(u, 1))) u = arg(u, 0);
  if (is_elemwise(u, "true_divide") && is_picked(arg(u, 1)) && arg(u, 0)->type.ndim() <= 1) {
    return arg(u, 0);
  }
  if (is_elemwise(u, "neg")) {
    const Var& w = arg(u, 0);
    if (is_elemwise(w, "true_divide") && is_picked(arg(w, 1)) && arg(w, 0)->type.ndim() <= 1) {
      return neg(arg(w, 0));
    }
  }
  return mul(v, getitem(s, {idx::array(h.rows), idx::array(h.y)}));
}

// The softmax gradient of the one-hot G: (G - sum(G * sm, 1, keepdims)) * sm with
// sm = softmax(x + b) -> CrossentropySoftmax1HotWithBiasDx(-(v * sm[arange(n), y]), sm', y),
// sm' the fused op's softmax output (so that the forward softmax is computed once).
Result xent_dx_from_softmax_grad(FunctionGraph&, Apply* node) {
  const Var out = node->output(0);
  if (!is_elemwise(out, "mul")) return std::nullopt;
  for (int k = 0; k < 2; ++k) {
    const Var& sm = node->inputs()[k];
    const Var& d = node->inputs()[1 - k];
    auto* op = op_as<Softmax>(sm);
    if (!op || op->log() || op->axis() != std::optional<int64_t>(1) || !is_elemwise(d, "sub")) {
      continue;
    }
    const Var& z = arg(sm, 0);
    if (z->type.ndim() != 2 || z->type.dtype != out->type.dtype) continue;
    const Var& g = arg(d, 0);
    const Var& s = arg(d, 1);
    auto* red = op_as<Reduce>(s);
    if (!red || red->kind() != ReduceKind::Sum || !red->keepdims() ||
        red->axes() != std::vector<int64_t>{1} || !is_elemwise(arg(s, 0), "mul")) {
      continue;
    }
    const Var& gs = arg(s, 0);
    if (!((arg(gs, 0) == g && arg(gs, 1) == sm) || (arg(gs, 0) == sm && arg(gs, 1) == g))) {
      continue;
    }
    const Logits l = split_bias(z);
    auto h = one_hot_inc(g, sm, {z, sm, l.x});
    if (!h) continue;
    const DType dt = out->type.dtype;
    const Var coef = as_vector(neg(times_picked(h->v, sm, *h)), dt);
    return one(crossentropy_softmax_1hot_with_bias_dx(coef, fused_xent(z, h->y)[1], h->y));
  }
  return std::nullopt;
}

// The log_softmax gradient of the one-hot G: G - exp(lsm) * sum(G, 1, keepdims) with
// lsm = log_softmax(x + b) -> CrossentropySoftmax1HotWithBiasDx(-v, sm', y).
Result xent_dx_from_log_softmax_grad(FunctionGraph&, Apply* node) {
  const Var out = node->output(0);
  if (!is_elemwise(out, "sub")) return std::nullopt;
  const Var& g = node->inputs()[0];
  const Var& p = node->inputs()[1];
  if (!is_elemwise(p, "mul")) return std::nullopt;
  const Var inner = strip_same_shape_wrappers(g);
  for (int k = 0; k < 2; ++k) {
    const Var& e = arg(p, k);
    const Var& s = arg(p, 1 - k);
    // exp(lsm), or softmax(z) where exp(log_softmax(z)) was already simplified: lsm is then
    // the log_softmax whose zeros the one-hot gradient was built into.
    Var lsm;
    if (is_elemwise(e, "exp")) {
      lsm = arg(e, 0);
    } else if (auto* sm = op_as<Softmax>(e);
               sm && !sm->log() && op_as<AdvancedIncSubtensor>(inner)) {
      const Var& zeros = arg(inner, 0);
      if (zeros->owner && zeros->owner->op()->type_name() == "Fill" && arg(zeros, 0)->owner &&
          op_as<Softmax>(arg(zeros, 0)) && arg(arg(zeros, 0), 0) == arg(e, 0)) {
        lsm = arg(zeros, 0);
      }
    }
    if (!lsm) continue;
    auto* op = op_as<Softmax>(lsm);
    auto* red = op_as<Reduce>(s);
    if (!op || !op->log() || op->axis() != std::optional<int64_t>(1) || !red ||
        red->kind() != ReduceKind::Sum || !red->keepdims() ||
        red->axes() != std::vector<int64_t>{1} ||
        (arg(s, 0) != g && strip_same_shape_wrappers(arg(s, 0)) != inner)) {
      continue;
    }
    const Var& z = arg(lsm, 0);
    if (z->type.ndim() != 2 || z->type.dtype != out->type.dtype) continue;
    const Logits l = split_bias(z);
    auto h = one_hot_inc(inner, lsm, {z, lsm, l.x});
    if (!h) continue;
    const Var coef = as_vector(neg(h->v), out->type.dtype);
    return one(crossentropy_softmax_1hot_with_bias_dx(coef, fused_xent(z, h->y)[1], h->y));
  }
  return std::nullopt;
}

}  // namespace

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
  node("distribute_mul_cancel_div", distribute_mul_cancel_div);
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
  return {{"useless_sum_to_shape", {"SumToShape"}, useless_sum_to_shape, {"fast_run", "shape"}}};
}

}  // namespace theon
