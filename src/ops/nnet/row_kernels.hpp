// Row scans shared by the softmax and cross-entropy kernels, written so that they vectorize
// once inlined into a THEON_VECTOR_CLONES function: running maxima and partial sums in lanes
// instead of one carried scalar.
#pragma once

#include <cstdint>
#include <limits>

#include "../vector_clones.hpp"

namespace theon::row_kernels {

template <class T>
struct RowMax {
  T max;     // the largest element that is not NaN (-inf when none)
  bool nan;  // whether some element is NaN
};

template <class T>
THEON_INLINE RowMax<T> row_max(const T* z, int64_t k) {
  constexpr int kLanes = 16;
  T lane[kLanes];
  bool nan[kLanes];
  for (int l = 0; l < kLanes; ++l) {
    lane[l] = -std::numeric_limits<T>::infinity();
    nan[l] = false;
  }
  int64_t j = 0;
  for (; j + kLanes <= k; j += kLanes) {
    for (int l = 0; l < kLanes; ++l) {
      const T v = z[j + l];
      lane[l] = v > lane[l] ? v : lane[l];
      nan[l] = nan[l] || v != v;
    }
  }
  RowMax<T> r{-std::numeric_limits<T>::infinity(), false};
  for (int l = 0; l < kLanes; ++l) {
    r.max = lane[l] > r.max ? lane[l] : r.max;
    r.nan = r.nan || nan[l];
  }
  for (; j < k; ++j) {
    r.max = z[j] > r.max ? z[j] : r.max;
    r.nan = r.nan || z[j] != z[j];
  }
  return r;
}

// The sum of e[0..k) in double, in 8 partial sums.
template <class T>
THEON_INLINE double sum_in_double(const T* e, int64_t k) {
  constexpr int kLanes = 8;
  double part[kLanes] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t j = 0;
  for (; j + kLanes <= k; j += kLanes) {
    for (int l = 0; l < kLanes; ++l) part[l] += static_cast<double>(e[j + l]);
  }
  double sum =
      ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
  for (; j < k; ++j) sum += static_cast<double>(e[j]);
  return sum;
}

}  // namespace theon::row_kernels
