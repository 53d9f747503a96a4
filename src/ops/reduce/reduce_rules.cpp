// The reduction rules: one row per ReduceKind, with the reference kernels and gradients the
// rows point to. Reduce (src/ops/reduce.cpp), the fusion rewrite, Fused and the code
// generator read the rows; none of them switches on the kind.
#include <algorithm>
#include <array>
#include <deque>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>

#include "reduce_folds.hpp"
#include "theon/core/error.hpp"
#include "theon/core/iterate.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/reduce.hpp"

namespace theon {
namespace {

// ---------------------------------------------------------------------------------------------
// Reference kernels

// argmax (kMax) / argmin: NaN wins, and among equal values the smallest flat index.
template <class T, bool kMax>
void arg_runs(const char* base, const std::vector<RDim>& dims, Storage<T>* best, int64_t* idx) {
  // Whether x at flat index r replaces the current best b at index id (id < 0: none yet).
  auto takes = [](T x, int64_t r, T b, int64_t id) {
    if (id < 0) return true;
    if (is_nan(b)) return is_nan(x) && r < id;
    if (is_nan(x)) return true;
    if (x == b) return r < id;
    return kMax ? (x > b) : (x < b);
  };
  for_each_rrun(base, dims, [&](const char* p, int64_t ai, int64_t ri, const RDim& in) {
    if (in.a == 0) {
      // The run's own first extreme (or first NaN): its flat indices increase along the run.
      T lb = load<T>(p);
      int64_t li = 0;
      if (!is_nan(lb)) {
        for (int64_t i = 1; i < in.n; ++i) {
          const T x = load<T>(p + i * in.s);
          if (kMax ? (x > lb) : (x < lb)) {
            lb = x;
            li = i;
          } else if (is_nan(x)) {
            lb = x;
            li = i;
            break;
          }
        }
      }
      const int64_t r = ri + li * in.r;
      if (takes(lb, r, static_cast<T>(best[ai]), idx[ai])) {
        best[ai] = static_cast<Storage<T>>(lb);
        idx[ai] = r;
      }
      return;
    }
    for (int64_t i = 0; i < in.n; ++i) {
      const T x = load<T>(p + i * in.s);
      const int64_t r = ri + i * in.r;
      const int64_t j = ai + i * in.a;
      if (takes(x, r, static_cast<T>(best[j]), idx[j])) {
        best[j] = static_cast<Storage<T>>(x);
        idx[j] = r;
      }
    }
  });
}

template <bool kMax>
void arg_kernel(const ReduceLoop& loop, const NDArray& x, NDArray& out) {
  const int64_t m = out.size();
  int64_t* idx = out.data<int64_t>();
  std::fill(idx, idx + m, int64_t{-1});
  if (loop.empty) return;
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    std::unique_ptr<Storage<T>[]> best(new Storage<T>[m > 0 ? m : 1]);
    arg_runs<T, kMax>(x.raw(), loop.dims, best.get(), idx);
  });
}

// ---------------------------------------------------------------------------------------------
// Output dtypes

// sum and prod: bool and signed ints give int64, unsigned uint64, floats keep theirs.
DType sum_dtype(DType dt) {
  switch (dtype_kind(dt)) {
    case DKind::Bool:
    case DKind::Signed:
      return DType::Int64;
    case DKind::Unsigned:
      return DType::UInt64;
    case DKind::Float:
      break;
  }
  return dt;
}
DType same_dtype(DType dt) {
  return dt;
}
DType index_dtype(DType) {
  return DType::Int64;
}
DType truth_dtype(DType) {
  return DType::Bool;
}

// ---------------------------------------------------------------------------------------------
// Gradients (formulas in reduce.hpp)

Var sum_grad(const Reduce&, const Var& x, const Var&, const Var& g) {
  return fill(x, g);  // g broadcast over the reduced axes (fill keeps g's dtype)
}

// Product of the other elements of each group, without dividing by zero: xs is x with its
// zeros replaced by 1, pnz the product of the group's non-zero elements; pnz / xs is the
// product of the others wherever no OTHER element is zero, and 0 is the answer where one is.
Var prod_grad(const Reduce& op, const Var& x, const Var&, const Var& g) {
  const DType dt = x->type.dtype;
  const Var is_zero = equal(x, 0.0);
  const Var xs = add(x, cast(is_zero, dt));
  const Var pnz = prod(xs, op.axes(), true);
  const Var zeros_in_group = sum(is_zero, op.axes(), true);
  const Var no_other_zero = equal(sub(zeros_in_group, is_zero), 0.0);
  return mul(mul(g, true_divide(pnz, xs)), cast(no_other_zero, dt));
}

// The elements equal to the result share the gradient equally (as JAX and torch.amax do), so
// that max(x + zeros) passes on exactly g: g * (x == out) / (number of ties). Where the result is
// NaN no element equals it, and every element gets 0.
Var extreme_grad(const Reduce& op, const Var& x, const Var& out, const Var& g) {
  const Var hit = cast(equal(x, out), x->type.dtype);
  const Var ties = maximum(sum(hit, op.axes(), true), 1.0);
  return mul(hit, true_divide(g, ties));
}

// ---------------------------------------------------------------------------------------------
// The rows

template <ReduceKind K>
std::shared_ptr<const Reduce> make_op(std::vector<int64_t> axes, bool keepdims) {
  return std::make_shared<ReduceOf<K>>(std::move(axes), keepdims);
}

constexpr double kInf = std::numeric_limits<double>::infinity();

using K = ReduceKind;
constexpr std::array<ReductionRule, 8> kRules{{
    {K::Sum, "Sum", "sum", sum_dtype, "add", 0.0, nullptr, true, nullptr, fold_kernel<SumFold>,
     sum_grad, make_op<K::Sum>},
    {K::Prod, "Prod", "prod", sum_dtype, "mul", 1.0, nullptr, true, nullptr, fold_kernel<ProdFold>,
     prod_grad, make_op<K::Prod>},
    {K::Max, "Max", "max", same_dtype, "maximum", -kInf,
     "zero-size array to reduction operation maximum which has no identity", true, "<",
     fold_kernel<MaxFold>, extreme_grad, make_op<K::Max>},
    {K::Min, "Min", "min", same_dtype, "minimum", kInf,
     "zero-size array to reduction operation minimum which has no identity", true, ">",
     fold_kernel<MinFold>, extreme_grad, make_op<K::Min>},
    {K::Argmax, "Argmax", "argmax", index_dtype, nullptr, 0.0,
     "attempt to get argmax of an empty sequence", false, nullptr, arg_kernel<true>, nullptr,
     make_op<K::Argmax>, true},
    {K::Argmin, "Argmin", "argmin", index_dtype, nullptr, 0.0,
     "attempt to get argmin of an empty sequence", false, nullptr, arg_kernel<false>, nullptr,
     make_op<K::Argmin>, true},
    {K::Any, "Any", "any", truth_dtype, "logical_or", 0.0, nullptr, false, nullptr,
     fold_kernel<AnyFold>, nullptr, make_op<K::Any>},
    {K::All, "All", "all", truth_dtype, "logical_and", 1.0, nullptr, false, nullptr,
     fold_kernel<AllFold>, nullptr, make_op<K::All>},
}};
static_assert(
    [] {
      for (size_t i = 0; i < kRules.size(); ++i) {
        if (kRules[i].kind != static_cast<ReduceKind>(i)) return false;
      }
      return true;
    }(),
    "kRules rows must be in ReduceKind order");

// Kinds added by op files of their own, after the built-in ones. A deque keeps references to
// its rows valid as it grows.
std::deque<ReductionRule>& added_rules() {
  static std::deque<ReductionRule> rules;
  return rules;
}

}  // namespace

const ReductionRule& reduction_rule(ReduceKind kind) {
  const size_t i = static_cast<size_t>(kind);
  return i < kRules.size() ? kRules[i] : added_rules().at(i - kRules.size());
}

std::span<const ReductionRule> builtin_reduction_rules() {
  return kRules;
}

std::vector<std::reference_wrapper<const ReductionRule>> reduction_rules() {
  ensure_ops_registered();
  std::vector<std::reference_wrapper<const ReductionRule>> rows(kRules.begin(), kRules.end());
  rows.insert(rows.end(), added_rules().begin(), added_rules().end());
  return rows;
}

const ReductionRule& store_reduction_rule(ReductionRule rule) {
  const size_t kind = kRules.size() + added_rules().size();
  if (kind > std::numeric_limits<std::underlying_type_t<ReduceKind>>::max()) {
    throw ValueError(std::string("register_reduction: no kind left for '") + rule.name + "'");
  }
  for (const ReductionRule& row : reduction_rules()) {
    if (std::string(row.name) == rule.name || std::string(row.type_name) == rule.type_name) {
      throw ValueError(std::string("register_reduction: a reduction named '") + rule.name +
                       "' or of type '" + rule.type_name + "' exists");
    }
  }
  rule.kind = static_cast<ReduceKind>(kind);
  return added_rules().emplace_back(rule);
}

}  // namespace theon
