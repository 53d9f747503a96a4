// Helpers shared by the product op files of the blas family (src/ops/blas/), private to them:
// the numpy.dot contraction axes, the shape and message helpers of the type checks, and the
// pieces the gradients share.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "theon/core/error.hpp"
#include "theon/core/ndarray.hpp"
#include "theon/graph/op.hpp"
#include "theon/ops/shape.hpp"

namespace theon::blas_detail {

using Shapes = std::optional<std::vector<std::vector<Var>>>;
using Dims = std::vector<Var>;

inline NDArray in_dtype(const NDArray& x, DType dt) {
  return x.dtype() == dt ? x : x.astype(dt);
}

// The contraction axes numpy.dot uses for inputs of these ndims (none when one is 0-d).
inline std::pair<std::vector<int>, std::vector<int>> dot_axes(int nda, int ndb) {
  if (nda == 0 || ndb == 0) return {{}, {}};
  return {{nda - 1}, {std::max(ndb - 2, 0)}};
}

// Free dims of a then free dims of b (static or runtime shapes alike).
template <class S>
S contracted_shape(const S& a, const S& b, const std::vector<int>& axes_a,
                   const std::vector<int>& axes_b) {
  S out;
  for (int d = 0; d < static_cast<int>(a.size()); ++d) {
    if (std::find(axes_a.begin(), axes_a.end(), d) == axes_a.end()) out.push_back(a[d]);
  }
  for (int d = 0; d < static_cast<int>(b.size()); ++d) {
    if (std::find(axes_b.begin(), axes_b.end(), d) == axes_b.end()) out.push_back(b[d]);
  }
  return out;
}

inline void check_two(const Op& op, const std::vector<Var>& inputs) {
  if (inputs.size() != 2) {
    throw TypeError(op_error(op, "expected 2 inputs, got " + std::to_string(inputs.size())));
  }
}

// A static size pair that differs for sure.
inline bool known_mismatch(int64_t x, int64_t y) {
  return x != kUnknownDim && y != kUnknownDim && x != y;
}

inline std::string not_aligned(const std::string& sa, const std::string& sb, int64_t ka, int da,
                               int64_t kb, int db) {
  auto size = [](int64_t v) { return v == kUnknownDim ? std::string("None") : std::to_string(v); };
  return "shapes " + sa + " and " + sb + " not aligned: " + size(ka) + " (dim " +
         std::to_string(da) + ") != " + size(kb) + " (dim " + std::to_string(db) + ")";
}

inline std::string axes_str(const std::vector<int64_t>& axes) {
  std::string s = "(";
  for (size_t i = 0; i < axes.size(); ++i) s += (i ? ", " : "") + std::to_string(axes[i]);
  return s + (axes.size() == 1 ? ",)" : ")");
}

inline std::vector<int> to_int(const std::vector<int64_t>& v) {
  return {v.begin(), v.end()};
}

// Every product is bilinear, so each input's gradient is a product of the output gradient with
// the other input: dot/matmul/batched_dot gradients are products with a transposed operand,
// tensordot gradients are tensordots over the remaining axes followed by a transpose. Integer
// and bool inputs get null; a non-float output (integer or bool inputs only) has no gradient.

inline bool differentiable(const Var& x) {
  return is_float(x->type.dtype);
}

// `x` transposed so that output dimension d is input dimension perm[d] (x itself when perm
// is the identity). The gradients below call it with where[d] = the dimension of the product
// that holds the input's axis d.
inline Var permute(const Var& x, const std::vector<int64_t>& perm) {
  for (size_t d = 0; d < perm.size(); ++d) {
    if (perm[d] != static_cast<int64_t>(d)) return transpose(x, perm);
  }
  return x;
}

inline std::vector<int64_t> iota(int64_t from, int64_t to) {
  std::vector<int64_t> v;
  for (int64_t i = from; i < to; ++i) v.push_back(i);
  return v;
}

// The gradients of tensordot(a, b, (axa, axb)) given g (defined in tensordot.cpp).
std::vector<Var> tensordot_grads(const Var& a, const Var& b, const std::vector<int64_t>& axa,
                                 const std::vector<int64_t>& axb, const Var& g);

}  // namespace theon::blas_detail
