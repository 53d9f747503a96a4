// Canonicalization of elementwise ops: identities with constants, casts of casts, switches
// on constant conditions, chained constants folded.
#include <cmath>
#include <type_traits>

#include "canonicalize.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/rewrite/pattern.hpp"

namespace theon::canon {

using namespace rewrite_util;

namespace {

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

}  // namespace

Result additive_zero(Apply* node, bool is_sub, bool any_sign) {
  const Var out = node->output(0);
  if (!is_elemwise(out, is_sub ? "sub" : "add")) return std::nullopt;
  for (int k = is_sub ? 1 : 0; k < 2; ++k) {
    auto z = scalar_constant_value(node->inputs()[k]);
    if (!z || *z != 0.0) continue;
    // Exact: x + -0.0 and x - +0.0 are x for every x, -0.0 included.
    if (!any_sign && is_float(out->type.dtype) && std::signbit(*z) != !is_sub) continue;
    const Var& x = node->inputs()[1 - k];
    return one(x->type.dtype == out->type.dtype ? x : cast(x, out->type.dtype));
  }
  return std::nullopt;
}

// x * 0 -> zeros of the output's shape and dtype (for floats, fast_math: inf * 0 is NaN and
// -1 * 0 is -0.0).
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
// (x of shape (3,) and y of shape (1,) give 3 elements). Assumes x finite and non-zero
// (fast_math).
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

namespace {

// Every value of `from` is exactly representable in `to`.
bool lossless_cast(DType from, DType to) {
  if (from == to || is_bool(from)) return true;
  if (!can_cast_safe(from, to)) return false;
  // NumPy calls int64 -> float64 safe, but it rounds above 2**53.
  if (is_float(to) && is_integer(from)) return itemsize(from) < itemsize(to);
  return true;
}

}  // namespace

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

// ---- Collecting constants ----

// A 0-d constant, or null.
const NDArray* scalar_const(const Var& v) {
  const NDArray* c = v->constant.get();
  return c && c->ndim() == 0 ? c : nullptr;
}

// a op b computed in dtype dt (wrapping for integers, as the Elemwise kernel does), as a 0-d

namespace {

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

}  // namespace

// (x + c1) + c2 -> x + (c1 + c2) and (x * c1) * c2 -> x * (c1 * c2), in either operand order,
// for 0-d constants c1, c2, when x, the inner and the outer result all have one dtype (so both
// constants were converted to it; integers wrap the same way either way; floats may round
// differently, and overflow or underflow where the chain did not, hence fast_math).
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

}  // namespace theon::canon
