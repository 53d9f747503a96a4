// Specialization: general ops replaced by cheaper special cases once the graph is canonical and
// stable (x ** 2 -> sqr(x), x * -1 -> -x, sum(c * x) -> c * sum(x), sum(alloc) -> a product,
// float dropout masks drawn as int8).
#include <cmath>

#include "theon/graph/op.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/random.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/shape.hpp"
#include "theon/rewrite/groups.hpp"
#include "theon/rewrite/pattern.hpp"
#include "util.hpp"

namespace theon {
namespace {

using namespace rewrite_util;

// A one-element constant that broadcasting against `x` leaves x's shape unchanged.
std::optional<double> scalar_operand(const Var& c, const Var& x) {
  if (c->type.ndim() > x->type.ndim()) return std::nullopt;
  return scalar_constant_value(c);
}

// x ** c for a constant c: 0.5 -> sqrt (with `to_sqrt`, fast_math: sqrt(-0.0) is -0.0 and
// sqrt(-inf) NaN where pow gives +0.0 and +inf), an integer 1 <= |c| <= 16 -> squarings and
// multiplications (exact for integers, within a few ulp of pow for floats; a negative c takes
// the reciprocal). x is first converted to the output's dtype (pow(int8, 2.0) is a float).
// sqrt and negative powers only for float outputs (an integer to a negative power is an error
// NumPy raises).
constexpr double kMaxSpecializedPower = 16;
Result pow_specialize(Apply* node, bool to_sqrt) {
  const Var out = node->output(0);
  if (!is_elemwise(out, "pow")) return std::nullopt;
  const Var& base = node->inputs()[0];
  auto e = scalar_operand(node->inputs()[1], base);
  if (!e || base->type.ndim() != out->type.ndim()) return std::nullopt;
  const DType dt = out->type.dtype;
  const Var x = cast(base, dt);
  if (*e == 0.5 && is_float(dt) && to_sqrt) return one(sqrt(x));
  const double k = std::fabs(*e);
  if (k != std::floor(k) || k < 1 || k > kMaxSpecializedPower) return std::nullopt;
  if (*e < 0 && !is_float(dt)) return std::nullopt;
  // Squaring and multiplying: x ** 10 = ((x^2)^2 * x)^2, four multiplications.
  Var power;
  for (int bit = 4; bit >= 0; --bit) {
    if (power) power = sqr(power);
    if ((static_cast<int>(k) >> bit) & 1) power = power ? mul(power, x) : x;
  }
  return one(*e < 0 ? reciprocal(power) : power);
}

// x * x -> sqr(x) (not for bool, where x * x is x).
Result mul_self_to_sqr(FunctionGraph&, Apply* node) {
  const Var out = node->output(0);
  if (!is_elemwise(out, "mul") || is_bool(out->type.dtype)) return std::nullopt;
  if (node->inputs()[0] != node->inputs()[1]) return std::nullopt;
  return one(sqr(node->inputs()[0]));
}

// x * -1 -> -x when x already has the output's dtype (else -x would wrap in x's dtype).
Result mul_minus_one(FunctionGraph&, Apply* node) {
  const Var out = node->output(0);
  if (!is_elemwise(out, "mul") || is_bool(out->type.dtype)) return std::nullopt;
  for (int k = 0; k < 2; ++k) {
    const Var& x = node->inputs()[1 - k];
    auto c = scalar_operand(node->inputs()[k], x);
    if (c && *c == -1 && x->type.dtype == out->type.dtype) return one(neg(x));
  }
  return std::nullopt;
}

// sum(c * x) -> c * sum(x) for a one-element constant c, when no dtype changes on the way (a
// float sum of a float product: in integers the product may wrap where the sum does not).
// fast_math: sum(x) may overflow where sum(c * x) does not, and 0 * inf is NaN.
Result sum_scalar_mul(FunctionGraph&, Apply* node) {
  auto* r = dynamic_cast<const Reduce*>(node->op().get());
  if (!r || r->kind() != ReduceKind::Sum) return std::nullopt;
  const Var& m = node->inputs()[0];
  const DType dt = node->output(0)->type.dtype;
  if (!is_elemwise(m, "mul") || !is_float(dt) || m->type.dtype != dt) return std::nullopt;
  for (int k = 0; k < 2; ++k) {
    const Var& x = m->owner->inputs()[1 - k];
    auto c = scalar_operand(m->owner->inputs()[k], x);
    if (!c || x->type.dtype != dt || x->type.ndim() != m->type.ndim()) continue;
    return one(mul(scalar_constant(*c, dt), sum(x, r->axes(), r->keepdims())));
  }
  return std::nullopt;
}

// sum(alloc(v, dims), axes) with v a single element -> v * (product of the reduced dims),
// allocated to the remaining dims. Exact for integers; for floats (fast_math) it rounds once
// where the sum rounds at every addition, and an empty sum of inf or NaN is 0, not inf * 0.
Result sum_alloc(FunctionGraph&, Apply* node) {
  auto* r = dynamic_cast<const Reduce*>(node->op().get());
  if (!r || r->kind() != ReduceKind::Sum) return std::nullopt;
  const Var& a = node->inputs()[0];
  if (!op_as<Alloc>(a)) return std::nullopt;
  Var v = a->owner->inputs()[0];
  for (int64_t d : v->type.shape) {
    if (d != 1) return std::nullopt;
  }
  auto dims = alloc_dims(a->owner);
  if (!dims || static_cast<int>(dims->size()) != a->type.ndim()) return std::nullopt;
  const DType dt = node->output(0)->type.dtype;
  if (v->type.ndim() > 0) v = make_node1(std::make_shared<DimShuffle>(std::vector<int64_t>{}), {v});
  std::vector<bool> reduced(dims->size(), false);
  for (int64_t ax : r->axes()) reduced[ax] = true;
  std::vector<Var> counted, rest;
  for (size_t d = 0; d < dims->size(); ++d) {
    if (reduced[d]) {
      counted.push_back((*dims)[d]);
      if (r->keepdims()) rest.push_back(scalar_constant(int64_t{1}, DType::Int64));
    } else {
      rest.push_back((*dims)[d]);
    }
  }
  Var total = cast(v, dt);
  // Checked: a shape whose size overflows stays the error the alloc would have raised, not a
  // count wrapped modulo 2**64. With every axis reduced the whole shape is checked; otherwise
  // the remaining alloc checks its own part.
  const int64_t item = static_cast<int64_t>(itemsize(a->type.dtype));
  if (!counted.empty()) total = mul(total, cast(checked_product(counted, item), dt));
  return one(rest.empty() ? total : alloc(total, rest));
}

// A binomial draw (a dropout mask) in a float dtype, with a constant n of at most 127 and only
// elementwise readers -> the same draw in int8, converted where it is read. The samples are the
// same integers (the draw does not depend on the dtype), the mask takes a quarter of the
// memory, and the conversion fuses into its readers' loop (dropout: x * mask).
Result binomial_as_int8(FunctionGraph& fg, Apply* node) {
  std::string distribution;
  DType dtype = DType::Float64;
  bool has_size = false;
  for (const PropField& f : node->op()->fields()) {
    if (f.name == "distribution") distribution = f.value.as_string("distribution");
    if (f.name == "dtype") dtype = f.value.as_dtype("dtype");
    if (f.name == "has_size") has_size = f.value.as_bool("has_size");
  }
  if (distribution != "binomial" || !is_float(dtype)) return std::nullopt;
  const size_t first_param = has_size ? 2 : 1;
  const NDArray* n = constant_value(node->inputs()[first_param]);
  if (!n) return std::nullopt;
  for (int64_t i = 0; i < n->size(); ++i) {
    const double trials = n->flat_as_double(i);
    if (!(trials >= 0 && trials <= 127)) return std::nullopt;
  }
  const Var sample = node->output(1);
  for (const auto& [reader, index] : fg.clients(sample.get())) {
    if (!reader || !dynamic_cast<const Elemwise*>(reader->op().get())) return std::nullopt;
  }
  const RandomDraw draw =
      random_draw(distribution, node->inputs()[0], has_size ? node->inputs()[1] : nullptr,
                  {node->inputs()[first_param], node->inputs()[first_param + 1]}, DType::Int8);
  return std::vector<Var>{draw.new_state, cast(draw.sample, dtype)};
}

}  // namespace

std::vector<NodeRewriter> specialize_rules() {
  const std::set<std::string> exact{"fast_run", "specialize"};
  const std::set<std::string> fast{"fast_math", "specialize"};
  auto pow = [](bool to_sqrt) {
    return [to_sqrt](FunctionGraph&, Apply* n) { return pow_specialize(n, to_sqrt); };
  };
  auto integer_sum_alloc = [](FunctionGraph& fg, Apply* n) -> Result {
    return is_float(n->output(0)->type.dtype) ? std::nullopt : sum_alloc(fg, n);
  };
  return {
      {"pow_specialize", {"Elemwise"}, pow(false), exact},
      {"pow_specialize", {"Elemwise"}, pow(true), fast},
      {"mul_self_to_sqr", {"Elemwise"}, mul_self_to_sqr, exact},
      {"mul_minus_one", {"Elemwise"}, mul_minus_one, exact},
      {"sum_scalar_mul", {"Sum"}, sum_scalar_mul, fast},
      {"sum_alloc", {"Sum"}, integer_sum_alloc, exact},
      {"sum_alloc", {"Sum"}, sum_alloc, fast},
      {"binomial_as_int8", {"RandomVariable"}, binomial_as_int8, exact},
  };
}

}  // namespace theon
