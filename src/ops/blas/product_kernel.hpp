// The one kernel every product of the blas family reduces to (see product_kernel.cpp).
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "blas_operands.hpp"
#include "theon/core/ndarray.hpp"

namespace theon::blas_detail {

// Merges `dims` of `a` (outermost first) into one dimension; false when they do not have a
// single stride.
bool merge_dims(const NDArray& a, const std::vector<int>& dims, int64_t& size, int64_t& stride);

// C (a.rows x b.cols, C order at c) = A B, all of dtype dt.
void product_2d(DType dt, const blas_operands::Mat& a, const blas_operands::Mat& b, char* c,
                std::deque<NDArray>& keep);

// Contracts axes_a of `a` with axes_b of `b` (same dtype dt) into the C-order array at `out`,
// whose dimensions are the other axes of a followed by the other axes of b.
void contract(DType dt, const NDArray& a, const NDArray& b, const std::vector<int>& axes_a,
              const std::vector<int>& axes_b, char* out);

}  // namespace theon::blas_detail
