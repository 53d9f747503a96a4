// Canonicalization of reductions: nested folds of one kind merged, size-1 axes dropped.
#include "canonicalize.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/shape.hpp"

namespace theon::canon {

using namespace rewrite_util;

namespace {

Var make_reduce(ReduceKind kind, const Var& x, std::vector<int64_t> axes, bool keepdims) {
  return make_node1(make_reduce_op(kind, std::move(axes), keepdims), {x});
}

}  // namespace

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
  // is int64; any/all of a number is its truth). A float sum starts from +0.0 (as NumPy's), so
  // one element x sums to x + 0.0: +0.0 where x is -0.0.
  const Var v = cast(y, out->type.dtype);
  if (r->kind() == ReduceKind::Sum && is_float(out->type.dtype)) {
    return one(add(v, scalar_constant(0.0, out->type.dtype)));
  }
  return one(v);
}

}  // namespace theon::canon
