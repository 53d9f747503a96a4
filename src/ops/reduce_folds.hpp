// Internal to the reduce family: the fold functors of the reduction kinds (what a ReductionRule's
// reference kernel computes per element) and the loop a reference kernel runs.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "element_util.hpp"

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

}  // namespace theon
