// Internal to scan_grad.cpp: the gradient of a non-sequence read through a matrix product with
// a sequence row (an RNN's recurrent weights: dU = sum over steps of h_{t-1}^T dz_t) is summed
// after the reverse loop by one product over every step and batch row (a gemm as deep as the
// steps times the batch), instead of by a thin gemm per step added into a running sum.
#pragma once

#include <vector>

#include "theon/graph/variable.hpp"

namespace theon::scan_detail {

// One term of a non-sequence's per-step gradient: dot(S^T, other) (seq_on_left) or
// dot(other, S^T), where S is the reverse loop's sequence row `seq`.
struct RowProduct {
  int seq;
  Var other;
  bool seq_on_left;
};

struct SplitGradient {
  std::vector<RowProduct> products;
  Var rest;  // the sum of the other terms; null when there are none
};

// g's terms (through additions that neither broadcast nor convert) split into products of a
// row of `seq_rows` (transposed) with another 2-d value, and the rest.
SplitGradient split_row_products(const Var& g, const std::vector<Var>& seq_rows);

// The sum over every step of one product's terms, the gradient of `weight`: S_all and
// other_all hold the rows of all steps (steps first, in the same order). other_all may be a
// loop's stacked output, of shape (0, 0, 0) when no step ran.
Var summed_row_product(const RowProduct& p, const Var& seq_all, const Var& other_all,
                       const Var& weight);

}  // namespace theon::scan_detail
