// Internal to the reduce family: the fold functors of the reduction kinds (what a ReductionRule's
// reference kernel computes per element) and the loop a reference kernel runs.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

#include "../element_util.hpp"
#include "theon/core/iterate.hpp"
#include "theon/core/ndarray.hpp"
#include "theon/ops/reduce.hpp"

namespace theon {

// A fold functor F<T> for input type T has Acc (the running result's type), convert(x) (an
// input element as Acc) and combine(acc, x). The start value comes from the kind's rule.

// sum/prod accumulate like NumPy 2: floats in double, unsigned in uint64, the rest in int64.
template <class T>
using SumAcc = std::conditional_t<
    std::is_floating_point_v<T>, double,
    std::conditional_t<std::is_unsigned_v<T> && !std::is_same_v<T, bool>, uint64_t, int64_t>>;

// Integer sums and products wrap around like NumPy's (in unsigned arithmetic, which is defined).
template <class T>
struct SumFold {
  using Acc = SumAcc<T>;
  static Acc convert(T x) { return static_cast<Acc>(x); }
  static Acc combine(Acc a, Acc x) {
    if constexpr (std::is_integral_v<Acc>) {
      return static_cast<Acc>(static_cast<uint64_t>(a) + static_cast<uint64_t>(x));
    } else {
      return a + x;
    }
  }
};

template <class T>
struct ProdFold {
  using Acc = SumAcc<T>;
  static Acc convert(T x) { return static_cast<Acc>(x); }
  static Acc combine(Acc a, Acc x) {
    if constexpr (std::is_integral_v<Acc>) {
      return static_cast<Acc>(static_cast<uint64_t>(a) * static_cast<uint64_t>(x));
    } else {
      return a * x;
    }
  }
};

// max/min propagate NaN like np.maximum / np.minimum.
template <class T, bool kMax>
struct ExtremeFold {
  using Acc = T;
  static Acc convert(T x) { return x; }
  static Acc combine(Acc a, Acc x) {
    if (is_nan(a)) return a;
    if (is_nan(x)) return x;
    if constexpr (kMax) {
      return x > a ? x : a;
    } else {
      return x < a ? x : a;
    }
  }
};
template <class T>
using MaxFold = ExtremeFold<T, true>;
template <class T>
using MinFold = ExtremeFold<T, false>;

template <class T, bool kAny>
struct LogicalFold {
  using Acc = bool;
  static Acc convert(T x) { return x != T(0); }
  static Acc combine(Acc a, Acc x) { return kAny ? (a || x) : (a && x); }
};
template <class T>
using AnyFold = LogicalFold<T, true>;
template <class T>
using AllFold = LogicalFold<T, false>;

// A rule's identity as the accumulator type: an infinity becomes an integer (or bool) type's
// limit.
template <class Acc>
Acc start_value(double identity) {
  if constexpr (!std::is_floating_point_v<Acc>) {
    if (std::isinf(identity)) {
      return identity < 0 ? std::numeric_limits<Acc>::lowest() : std::numeric_limits<Acc>::max();
    }
  }
  return static_cast<Acc>(identity);
}

// One dimension of a reduction loop: its size, the input's byte stride, the output's element
// stride (0 along reduced axes) and the stride of the flat index within the reduced axes (0
// along kept axes; used by argmax/argmin).
struct RDim {
  int64_t n, s, a, r;
};

// The loop of a reduction: its dimensions (size-1 ones dropped, in memory order, merged where
// possible) and whether the input is empty (the output then keeps the start value).
struct ReduceLoop {
  std::vector<RDim> dims;
  bool empty = false;
  double identity = 0;  // the kind's start value
};

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

// The registry's side of register_reduction (src/ops/reduce.cpp): gives `rule` the next kind
// and stores it.
const ReductionRule& store_reduction_rule(ReductionRule rule);

}  // namespace theon
