// Shared pieces of the linear-algebra ops (src/ops/linalg/): input checks, the dtype they compute
// in, moving stacks of matrices between NDArrays and LAPACK's column-major workspaces, and the
// graph helpers their gradients are built from (transposes, triangles, diagonals).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "theon/core/ndarray.hpp"
#include "theon/graph/op.hpp"

namespace theon::linalg {

// NumPy's rule: float32 stays float32, every other dtype computes in float64.
DType compute_dtype(DType in);
// Throws a TypeError/ValueError naming `op` unless `t` is a stack of matrices (ndim >= 2) whose
// last two static sizes (where known) are equal when `square`.
void check_matrix(const Op& op, const TensorType& t, bool square, const std::string& what = "a");
// The same checks on a value (sizes unknown when the graph was built).
void check_matrix_value(const Op& op, const NDArray& x, bool square, const std::string& what = "a");
// The output type of a one-input op mapping a stack of square matrices to one of the same
// shape (inverse, exponential, Cholesky factor): either known size of the last two fills both.
TensorType square_matrix_type(const Op& op, const std::vector<Var>& inputs);
// Broadcasts the batch dimensions (all but the last `core` of each) of two static shapes.
StaticShape broadcast_batch_static(const Op& op, const StaticShape& a, int core_a,
                                   const StaticShape& b, int core_b);
Shape broadcast_batch(const Op& op, const Shape& a, int core_a, const Shape& b, int core_b);
// Throws LinAlgError "<op>: <what> (matrix <index> of the stack)" for a failed LAPACK call.
[[noreturn]] void fail(const Op& op, const std::string& what, int64_t batch_index,
                       int64_t batch_count);

// A stack of matrices (the last two axes of an array) read one matrix at a time into a
// column-major workspace, converted to T.
class MatrixStack {
 public:
  // `batch` (a broadcast of x's leading dimensions) may have more dimensions than x has.
  MatrixStack(const NDArray& x, const Shape& batch);
  explicit MatrixStack(const NDArray& x);
  int64_t rows() const { return rows_; }
  int64_t cols() const { return cols_; }
  int64_t count() const { return count_; }
  // Copies matrix `b` into dst (column-major, leading dimension ld >= rows).
  template <class T>
  void load(int64_t b, T* dst, int64_t ld) const;
  // Copies matrix `b` transposed into dst (column-major cols x rows, leading dimension
  // ld >= cols): row i of the matrix becomes column i, a straight copy for C-contiguous input.
  // LAPACK then sees the transpose, which the ops fold into their flags (lower <-> upper,
  // 'N' <-> 'T') instead of transposing the data.
  template <class T>
  void load_transposed(int64_t b, T* dst, int64_t ld) const;

 private:
  NDArray x_;
  int64_t rows_ = 0, cols_ = 0, count_ = 1;
  std::vector<int64_t> batch_offsets_;  // byte offset of each matrix
};

// Writes the column-major rows x cols matrix `src` (leading dimension ld) as matrix `b` of the
// C-contiguous stack `out`.
template <class T>
void store(const T* src, int64_t ld, int64_t rows, int64_t cols, NDArray& out, int64_t b);

// The inverse of load_transposed: `src` (column-major, leading dimension ld) holds M^T for the
// rows x cols matrix M, written as matrix `b` of `out` (row i of M is column i of src).
template <class T>
void store_transposed(const T* src, int64_t ld, int64_t rows, int64_t cols, NDArray& out,
                      int64_t b);

// Runs `f.template operator()<T>()` with T = float or double for a float32/float64 dtype.
template <class F>
void dispatch_float(DType dtype, F&& f) {
  if (dtype == DType::Float32) {
    f.template operator()<float>();
  } else {
    f.template operator()<double>();
  }
}

// ----------------------------------------------------------------------------- graph helpers
// x with its last two axes swapped.
Var mT(const Var& x);
// Where the (row, column) index of the last two axes satisfies `relation` ("lower": i > j,
// "upper": i < j, "diag": i == j, "lower_eq": i >= j, "upper_eq": i <= j), x; else zero.
Var keep_where(const Var& x, const std::string& relation);
// The diagonal of the last two axes (a stack of vectors).
Var diagonal(const Var& x);
// A stack of vectors v (..., n) viewed as row vectors (..., 1, n) or columns (..., n, 1).
Var as_rows(const Var& v);
Var as_columns(const Var& v);
// A stack of diagonal matrices with v (..., n) on the diagonal.
Var diag_embed(const Var& v);
// F with F[..., i, j] = 1 / (w_j - w_i) off the diagonal and 0 on it: the eigenvector
// gradients' coupling of eigenvalues w (..., n).
Var inverse_gaps(const Var& w);
// The gradient of a function that reads only the `lower` (else upper) triangle of a symmetric
// input, from the gradient G with respect to the full symmetric matrix.
Var fold_to_triangle(const Var& g, bool lower);
// The dimension sizes of x as int64 scalars.
std::vector<Var> dims_of(const Var& x);

}  // namespace theon::linalg
