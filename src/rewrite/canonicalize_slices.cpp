// Canonicalization through slice writes, so that stencil code (fluxes written into slices of a
// zeros array, then read back through shifted slices) becomes arithmetic on views of its inputs
// that fusion computes in one pass, as in
//   f = set_subtensor(zeros_like(u)[:, :-1], u[:, 1:] - u[:, :-1]);  f[:, 1:-1] - f[:, :-2]
// Each rewrite holds for every run-time size, checked by slice_sizes' exhaustive test of the
// sizes below the constants' bound.
#include "canonicalize.hpp"
#include "slice_sizes.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/subtensor.hpp"

namespace theon::canon {

using namespace rewrite_util;

namespace {

// The start (or stop) of a unit-step slice as an offset from the beginning (from_end false) or
// from the end (from_end true) of the sliced dimension.
struct Edge {
  int64_t offset;
  bool from_end;
};
Edge start_edge(const Basic& b) {
  const int64_t s = b.start.value_or(0);
  return {s, s < 0};
}
Edge stop_edge(const Basic& b) {
  if (!b.stop) return {0, true};
  return {*b.stop, *b.stop < 0};
}

// The slice of v = x[outer] that takes x[inner] (both unit-step slices of one dimension), when
// inner lies inside outer for every size of that dimension (or the size `known`).
std::optional<Basic> relative_slice(const Basic& outer, const Basic& inner, int64_t known) {
  if (!outer.unit_step() || !inner.unit_step()) return std::nullopt;
  const Edge s1 = start_edge(outer), e1 = stop_edge(outer);
  const Edge s2 = start_edge(inner), e2 = stop_edge(inner);
  Basic r;
  if (!s2.from_end && !s1.from_end) {
    r.start = s2.offset - s1.offset;
  } else if (s2.from_end && e1.from_end) {
    r.start = s2.offset - e1.offset;
    if (*r.start >= 0) return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (e2.from_end && e1.from_end) {
    const int64_t stop = e2.offset - e1.offset;
    if (stop > 0) return std::nullopt;
    if (stop < 0) r.stop = stop;
  } else if (!e2.from_end && !s1.from_end) {
    r.stop = e2.offset - s1.offset;
  } else {
    return std::nullopt;
  }
  auto holds = [&](int64_t n) {
    const Range o = slice_range(outer, n), i = slice_range(inner, n);
    const Range p = slice_range(r, o.len);
    return i.len == p.len && (i.len == 0 || o.start + p.start == i.start);
  };
  if (known != kUnknownDim) return holds(known) ? std::optional<Basic>(r) : std::nullopt;
  // Past twice the constants' magnitudes every clamp is settled and the lengths are linear in
  // the size; larger constants are left alone rather than checked for longer.
  constexpr int64_t kLargestChecked = 1024;
  int64_t bound = 4;
  for (const Basic& b : {outer, inner, r}) {
    for (const Bound& x : {b.start, b.stop}) {
      if (!x) continue;
      const int64_t magnitude = *x < 0 ? -*x : *x;
      if (magnitude > kLargestChecked) return std::nullopt;
      bound += 2 * magnitude;
    }
  }
  for (int64_t n = 0; n <= bound; ++n) {
    if (!holds(n)) return std::nullopt;
  }
  return r;
}

// The constant fill of a Fill or Alloc: its 0-d value, or null.
Var fill_value(const Var& x) {
  if (op_as<Alloc>(x) && x->owner->inputs()[0]->type.ndim() == 0) return x->owner->inputs()[0];
  if (op_as<Fill>(x) && x->owner->inputs()[1]->type.ndim() == 0 &&
      x->owner->inputs()[0]->type.ndim() == x->type.ndim()) {
    return x->owner->inputs()[1];
  }
  return nullptr;
}

// The fill x with value replaced (same shape inputs).
Var refill(const Var& x, const Var& value) {
  std::vector<Var> in = x->owner->inputs();
  in[op_as<Alloc>(x) ? 0 : 1] = value;
  return make_node1(x->owner->op(), in);
}

// f's value over the whole array when the written region is a box of unit-step slices: the
// inside value written into the box of an array left unset, then f of the operands outside
// (`outside`: the written array's operand replaced by its fill value) written into the slabs
// below and above the box along each dimension, [:start] and [stop:], which cover the rest
// for every size (they overlap at edges and corners, where they write the same values). Only
// the box's border is computed twice at most, where f(a, c) over the whole array would be one
// more pass over memory. Null where the box is not of unit-step slices.
Var frame(Apply* node, const Var& inside_value, const std::vector<Var>& outside,
          const std::vector<Basic>& box, const std::vector<Var>& dims) {
  for (const Basic& b : box) {
    if (!b.unit_step()) return nullptr;
  }
  const Var& out = node->output(0);
  std::vector<Index> box_key;
  for (const Basic& b : box) box_key.push_back(to_index(b));
  Var framed = set_subtensor(getitem(alloc_empty(dims, out->type.dtype), box_key), inside_value);
  for (size_t d = 0; d < box.size(); ++d) {
    const Basic& b = box[d];
    std::vector<Basic> slabs;
    if (b.start && *b.start != 0) slabs.push_back(Basic{false, {}, b.start, {}});
    if (b.stop) slabs.push_back(Basic{false, b.stop, {}, {}});
    for (const Basic& slab : slabs) {
      std::vector<Index> key(box.size(), to_index(Basic{}));
      key[d] = to_index(slab);
      std::vector<Var> operands = outside;
      for (Var& v : operands) {
        if (v->type.ndim() > 0) v = getitem(v, key);
      }
      framed = set_subtensor(getitem(framed, key), make_node1(node->op(), operands));
    }
  }
  return framed;
}

bool same_size_everywhere(const Var& a, const Var& b) {
  if (a->type.ndim() != b->type.ndim()) return false;
  for (int d = 0; d < a->type.ndim(); ++d) {
    if (!same_size(dim_size(a, d), dim_size(b, d))) return false;
  }
  return true;
}

}  // namespace

// set_subtensor(b[outer], v)[inner] -> v[inner - outer's start] for unit-step constant slices
// where inner lies inside outer, whatever the sizes. Unless v is shown to fill outer without
// broadcasting, it is broadcast to outer's shape first, as a view (which raises where the slice
// write would have).
Result subtensor_of_set_subtensor(FunctionGraph&, Apply* node) {
  const auto* st = node_op<Subtensor>(node);
  const Var& x = node->inputs()[0];
  const auto* inc = op_as<IncSubtensor>(x);
  if (st == nullptr || inc == nullptr || !inc->set_instead_of_inc() || !x->type.device.is_cpu()) {
    return std::nullopt;
  }
  const Var& base = x->owner->inputs()[0];
  Var v = x->owner->inputs()[1];
  const int ndim = base->type.ndim();
  auto outer = basic_entries(inc->spec(), ndim);
  auto inner = basic_entries(st->spec(), ndim);
  if (!outer || !inner || v->type.ndim() > ndim) return std::nullopt;
  std::vector<Index> key;
  bool fits = v->type.ndim() == ndim;
  for (int d = 0; d < ndim; ++d) {
    const Basic& o = (*outer)[d];
    if (o.is_int) return std::nullopt;
    fits = fits && same_size(dim_size(v, d), sliced(dim_size(base, d), o));
    auto r = relative_slice(o, (*inner)[d], base->type.shape[d]);
    if (!r) return std::nullopt;
    key.push_back(to_index(*r));
  }
  if (!fits && !host_target()) return std::nullopt;
  if (!fits) v = broadcast_view(v, inferred_dims(subtensor(base, inc->spec(), {})));
  Var result = getitem(v, key);
  if (!(result->type == node->output(0)->type)) return std::nullopt;
  return one(result);
}

// f(a, set_subtensor(fill(c)[idx], v)) -> set_subtensor(f(a, c)[idx], f(a[idx], v)) for an
// elementwise f whose other operands are 0-d or have the written array's size (no
// broadcasting): the fill outside the slice and f's value inside are each computed once, and
// the slice write happens in place on f(a, c), a fresh array, instead of on a copy of the fill.
// Where idx is a box of unit-step slices, f(a, c) is computed only around the box (see frame);
// where the other operands are all 0-d, f(c) becomes the fill's value.
Result elemwise_of_set_fill(FunctionGraph& fg, Apply* node) {
  const auto* ew = node_op<Elemwise>(node);
  if (ew == nullptr || ew->inplace_input() >= 0 || node->outputs().size() != 1) return std::nullopt;
  const auto& in = node->inputs();
  const Var& out = node->output(0);
  for (size_t p = 0; p < in.size(); ++p) {
    const Var& x = in[p];
    const auto* inc = op_as<IncSubtensor>(x);
    if (inc == nullptr || !inc->set_instead_of_inc() || fg.clients(x.get()).size() != 1 ||
        !x->type.device.is_cpu()) {
      continue;
    }
    const Var& base = x->owner->inputs()[0];
    const Var c = fill_value(base);
    auto entries = basic_entries(inc->spec(), base->type.ndim());
    if (!c || !entries || !same_size_everywhere(x, out)) continue;
    bool others_full = false, others_fit = true;
    for (size_t k = 0; k < in.size(); ++k) {
      if (k == p || in[k]->type.ndim() == 0) continue;
      others_full = true;
      others_fit = others_fit && same_size_everywhere(in[k], out);
    }
    if (!others_fit) continue;
    std::vector<Var> outside = in, inside = in;
    outside[p] = cast(c, x->type.dtype);
    inside[p] = cast(x->owner->inputs()[1], x->type.dtype);
    for (size_t k = 0; k < in.size(); ++k) {
      if (k != p && in[k]->type.ndim() > 0) inside[k] = subtensor(in[k], inc->spec(), {});
    }
    const Var inside_value = make_node1(node->op(), inside);
    if (others_full && host_target()) {
      if (Var framed = frame(node, inside_value, outside, *entries, inferred_dims(x));
          framed && framed->type == out->type) {
        return one(framed);
      }
    }
    const Var outside_value = make_node1(node->op(), outside);
    const Var filled = others_full ? outside_value : refill(base, outside_value);
    const Var result = set_subtensor(subtensor(filled, inc->spec(), {}), inside_value);
    if (!(result->type == out->type)) continue;
    return one(result);
  }
  return std::nullopt;
}

}  // namespace theon::canon
