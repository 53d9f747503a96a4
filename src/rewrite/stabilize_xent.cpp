// Numerical stability, the fused softmax cross-entropy (see stabilize.cpp for the rest).
//
// The categorical cross-entropy -log(softmax(x + b)[arange(n), y]) (and its log_softmax and
// categorical_crossentropy spellings) becomes the fused CrossentropySoftmaxArgmax1HotWithBias,
// and the gradient grad() builds through the indexing (an AdvancedIncSubtensor of a one-hot into
// zeros, then the softmax or log_softmax gradient) becomes CrossentropySoftmax1HotWithBiasDx.
// One deliberate difference: the rows may be arange(y.shape[0]) (the usual spelling), and where
// y has fewer labels than x has rows the unfused graph reads the first rows while the fused op
// raises ValueError; with as many labels as rows both compute the same values.
#include <algorithm>

#include "stabilize.hpp"
#include "theon/graph/op.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/nnet.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/shape.hpp"
#include "theon/ops/subtensor.hpp"

namespace theon::stabilize_impl {

using namespace rewrite_util;

namespace {

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

}  // namespace

// log_softmax(x + b)[arange(n), y] -> -nll of the fused op (log(softmax(..))[..] became this
// form through log_softmax_from_log_indexed; the user's negation and this one cancel by neg_neg).
Result xent_from_log_softmax_indexed(FunctionGraph&, Apply* node) {
  auto p = picked_row(node->output(0), true);
  if (!p) return std::nullopt;
  return one(neg(fused_xent(p->z, p->y)[0]));
}

namespace {

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

}  // namespace

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

}  // namespace theon::stabilize_impl
