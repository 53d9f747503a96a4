// Strided N-ary loops over a common (broadcast) shape, with dimensions merged where the memory
// layout allows, so that kernels see long inner runs.
#pragma once

#include <cstdint>
#include <vector>

#include "theon/core/ndarray.hpp"

namespace theon {

// Operand strides (bytes) aligned to `shape`; broadcast dimensions get stride 0. Returns the
// merged shape and strides (operand-major: strides[op][dim]). The last dimension is innermost.
struct LoopPlan {
  Shape shape;
  std::vector<Strides> strides;
};
LoopPlan plan_loop(const Shape& shape, const std::vector<const NDArray*>& operands);

// Calls inner(ptrs, inner_strides, n) once per run of the innermost dimension, where ptrs[k] is
// the address of operand k's first element of that run.
template <class Inner>
void for_each_run(const LoopPlan& plan, std::vector<char*> ptrs, Inner&& inner) {
  const int nd = static_cast<int>(plan.shape.size());
  const size_t nops = ptrs.size();
  if (nd == 0) {
    std::vector<int64_t> zero(nops, 0);
    inner(ptrs.data(), zero.data(), int64_t{1});
    return;
  }
  for (int64_t d : plan.shape)
    if (d == 0) return;
  std::vector<int64_t> inner_strides(nops);
  for (size_t k = 0; k < nops; ++k) inner_strides[k] = plan.strides[k][nd - 1];
  const int64_t n = plan.shape[nd - 1];
  std::vector<int64_t> counter(nd, 0);
  while (true) {
    inner(ptrs.data(), inner_strides.data(), n);
    int d = nd - 2;
    for (; d >= 0; --d) {
      for (size_t k = 0; k < nops; ++k) ptrs[k] += plan.strides[k][d];
      if (++counter[d] < plan.shape[d]) break;
      for (size_t k = 0; k < nops; ++k) ptrs[k] -= plan.strides[k][d] * plan.shape[d];
      counter[d] = 0;
    }
    if (d < 0) return;
  }
}

// Converts n elements from a strided source of dtype `from` into a strided destination of
// dtype `to` (NumPy's unsafe casting: C++ conversion, bool is x != 0).
void convert_strided(DType from, const char* src, int64_t src_stride, DType to, char* dst,
                     int64_t dst_stride, int64_t n);

}  // namespace theon
