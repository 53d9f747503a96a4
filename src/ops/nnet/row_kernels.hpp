// Row scans shared by the softmax and cross-entropy kernels, written so that they vectorize
// once inlined into a THEON_VECTOR_CLONES function: running maxima and partial sums in lanes
// instead of one carried scalar.
#pragma once

#include <cstdint>
#include <limits>

#include "../vector_clones.hpp"

namespace theon::row_kernels {

// The largest of z[0..k), NaN when some element is NaN (-inf for k = 0). A NaN replaces its
// lane and then stays, as no compare against it holds. The lanes' loop is kept a loop (not
// unrolled) so that it becomes one vector operation: unrolled, GCC leaves the selects scalar.
template <class T>
THEON_INLINE T row_max(const T* z, int64_t k) {
  constexpr int kLanes = 16;
  T lane[kLanes];
  for (int l = 0; l < kLanes; ++l) lane[l] = -std::numeric_limits<T>::infinity();
  int64_t j = 0;
  for (; j + kLanes <= k; j += kLanes) {
#pragma GCC unroll 1
    for (int l = 0; l < kLanes; ++l) {
      const T v = z[j + l];
      lane[l] = ((lane[l] < v) | (v != v)) ? v : lane[l];
    }
  }
  T max = lane[0];
  for (int l = 1; l < kLanes; ++l) max = ((max < lane[l]) | (lane[l] != lane[l])) ? lane[l] : max;
  for (; j < k; ++j) max = ((max < z[j]) | (z[j] != z[j])) ? z[j] : max;
  return max;
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
