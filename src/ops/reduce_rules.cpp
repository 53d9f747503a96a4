// The reduction rules: one row per ReduceKind, with the reference kernels and gradients the
// rows point to. Reduce (src/ops/reduce.cpp), the fusion rewrite, Fused and the code
// generator read the rows; none of them switches on the kind.
#include <algorithm>
#include <array>
#include <limits>
#include <memory>

#include "reduce_folds.hpp"
#include "theon/core/iterate.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/reduce.hpp"

namespace theon {
namespace {

// ---------------------------------------------------------------------------------------------
// Reference kernels

// Calls run(p, ai, ri, inner) once per innermost run.
template <class Run>
void for_each_rrun(const char* base, const std::vector<RDim>& dims, Run&& run) {
  if (dims.empty()) {
    run(base, int64_t{0}, int64_t{0}, RDim{1, 0, 0, 0});
    return;
  }
  const int k = static_cast<int>(dims.size()) - 1;
  const RDim inner = dims[k];
  std::vector<int64_t> cnt(k, 0);
  const char* p = base;
  int64_t ai = 0, ri = 0;
  while (true) {
    run(p, ai, ri, inner);
    int d = k - 1;
    for (; d >= 0; --d) {
      p += dims[d].s;
      ai += dims[d].a;
      ri += dims[d].r;
      if (++cnt[d] < dims[d].n) break;
      p -= dims[d].s * dims[d].n;
      ai -= dims[d].a * dims[d].n;
      ri -= dims[d].r * dims[d].n;
      cnt[d] = 0;
    }
    if (d < 0) return;
  }
}

template <class F, class T>
void fold_runs(const char* base, const std::vector<RDim>& dims, typename F::Acc start,
               typename F::Acc* acc) {
  using Acc = typename F::Acc;
  for_each_rrun(base, dims, [&](const char* p, int64_t ai, int64_t, const RDim& in) {
    const int64_t n = in.n, s = in.s;
    if (in.a == 0) {
      // Several partial results break the dependency chain (and pair up float sums a little).
      Acc v0 = start, v1 = start, v2 = start, v3 = start;
      int64_t i = 0;
      for (; i + 4 <= n; i += 4) {
        v0 = F::combine(v0, F::convert(load<T>(p + i * s)));
        v1 = F::combine(v1, F::convert(load<T>(p + (i + 1) * s)));
        v2 = F::combine(v2, F::convert(load<T>(p + (i + 2) * s)));
        v3 = F::combine(v3, F::convert(load<T>(p + (i + 3) * s)));
      }
      for (; i < n; ++i) v0 = F::combine(v0, F::convert(load<T>(p + i * s)));
      acc[ai] = F::combine(acc[ai], F::combine(F::combine(v0, v1), F::combine(v2, v3)));
    } else {
      Acc* dst = acc + ai;
      for (int64_t i = 0; i < n; ++i) {
        dst[i * in.a] = F::combine(dst[i * in.a], F::convert(load<T>(p + i * s)));
      }
    }
  });
}

// The kernel of a fold kind: folds into an accumulator of F's type (the output itself when
// the types agree), then converts to the output's dtype.
template <template <class> class F>
void fold_kernel(const ReduceLoop& loop, const NDArray& x, NDArray& out) {
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    using Acc = typename F<T>::Acc;
    const int64_t m = out.size();
    const Acc start = start_value<Acc>(loop.identity);
    constexpr DType acc_dt = dtype_of<Acc>();
    if (acc_dt == out.dtype()) {
      Acc* acc = out.data<Acc>();
      std::fill(acc, acc + m, start);
      if (!loop.empty) fold_runs<F<T>, T>(x.raw(), loop.dims, start, acc);
      return;
    }
    std::unique_ptr<Storage<Acc>[]> buf(new Storage<Acc>[m > 0 ? m : 1]);
    Acc* acc = reinterpret_cast<Acc*>(buf.get());
    std::fill(acc, acc + m, start);
    if (!loop.empty) fold_runs<F<T>, T>(x.raw(), loop.dims, start, acc);
    convert_strided(acc_dt, reinterpret_cast<const char*>(acc), sizeof(Acc), out.dtype(), out.raw(),
                    static_cast<int64_t>(itemsize(out.dtype())), m);
  });
}

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

// Every element equal to the result (all of them on ties) gets the whole gradient.
Var extreme_grad(const Reduce&, const Var& x, const Var& out, const Var& g) {
  return mul(g, cast(equal(x, out), x->type.dtype));
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
     make_op<K::Argmax>},
    {K::Argmin, "Argmin", "argmin", index_dtype, nullptr, 0.0,
     "attempt to get argmin of an empty sequence", false, nullptr, arg_kernel<false>, nullptr,
     make_op<K::Argmin>},
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

}  // namespace

const ReductionRule& reduction_rule(ReduceKind kind) {
  return kRules[static_cast<size_t>(kind)];
}

std::span<const ReductionRule> reduction_rules() {
  return kRules;
}

}  // namespace theon
