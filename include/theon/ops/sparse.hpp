// Sparse matrices (Theano's theano.sparse): compressed sparse row (CSR) and column (CSC)
// matrices of float32/float64 with int32 indices, as a ValueKind of Type and an Object value.
// Sparse ops derive SparseOp and run on values (their kernels take Value, not NDArray).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "theon/core/value.hpp"
#include "theon/graph/op.hpp"
#include "theon/graph/type.hpp"
#include "theon/graph/variable.hpp"

namespace theon {

enum class SparseFormat { Csr, Csc };
const char* format_name(SparseFormat f);  // "csr", "csc"
SparseFormat parse_sparse_format(const std::string& name, const std::string& what);
inline SparseFormat other_format(SparseFormat f) {
  return f == SparseFormat::Csr ? SparseFormat::Csc : SparseFormat::Csr;
}

class SparseKind final : public ValueKind {
 public:
  explicit SparseKind(SparseFormat f) : format_(f) {}
  SparseFormat format() const { return format_; }
  std::string name() const override { return format_name(format_); }
  bool equals(const ValueKind& other) const override;
  std::string value_mismatch(const Type& type, const Value& value) const override;

 private:
  SparseFormat format_;
};

// A compressed sparse matrix as SciPy stores it. CSR: row r's entries are data/indices at
// [indptr[r], indptr[r+1]), indices holding their columns; CSC: the same with rows and
// columns swapped. data is 1-d float32/float64, indices and indptr 1-d int32, all
// C-contiguous. Immutable once built: ops make new matrices (sharing arrays where they can).
struct SparseMatrix final : Object {
  SparseFormat format = SparseFormat::Csr;
  int64_t rows = 0, cols = 0;
  NDArray data, indices, indptr;

  std::string kind() const override;
  size_t nbytes() const override;
  int64_t nnz() const { return data.size(); }
  DType dtype() const { return data.dtype(); }
  // Rows for CSR, columns for CSC (the compressed dimension), and the other one.
  int64_t major() const { return format == SparseFormat::Csr ? rows : cols; }
  int64_t minor() const { return format == SparseFormat::Csr ? cols : rows; }
  const int32_t* ptr() const { return indptr.data<int32_t>(); }
  const int32_t* idx() const { return indices.data<int32_t>(); }
  // Checks dtypes, lengths, indptr (starts at 0, non-decreasing, ends at nnz), index bounds
  // and, when `canonical`, canonical form (indices strictly increasing within each row or
  // column, which the merging kernels rely on); throws ValueError beginning with `what`.
  void validate(const std::string& what, bool canonical = true) const;
  // Same format, shape and stored positions (indptr and indices equal).
  bool same_pattern(const SparseMatrix& o) const;
  // "csr matrix of float64, shape (3, 4), 5 stored entries"
  std::string describe() const;
};
using SparsePtr = std::shared_ptr<const SparseMatrix>;

// A matrix of `format` with these arrays (checked when `validate` names a context).
SparsePtr make_sparse(SparseFormat format, int64_t rows, int64_t cols, NDArray data,
                      NDArray indices, NDArray indptr);
// The same positions as `pattern` with other values (same length as pattern's data).
SparsePtr with_data(const SparseMatrix& pattern, NDArray data);
// The dense matrix of `m`.
NDArray sparse_to_dense(const SparseMatrix& m);
// `a` (a 2-d array) with its nonzero entries stored in `format`.
SparsePtr sparse_from_dense_array(const NDArray& a, SparseFormat format);
// `m` stored in the other format (a real conversion, sorted indices).
SparsePtr convert_format(const SparseMatrix& m, SparseFormat format);

Type sparse_type(SparseFormat format, DType dtype, StaticShape shape = {kUnknownDim, kUnknownDim});
// The format of a sparse type; nullopt for dense tensors and other kinds.
std::optional<SparseFormat> sparse_format(const Type& t);
inline bool is_sparse(const Type& t) {
  return sparse_format(t).has_value();
}
inline bool is_sparse(const Var& v) {
  return is_sparse(v->type);
}
// The matrix a value holds; throws TypeError beginning with `what` when it is not one.
const SparseMatrix& sparse_value(const Value& v, const std::string& what);
// The dense array a value holds; throws TypeError beginning with `what` otherwise.
const NDArray& dense_value(const Value& v, const std::string& what);

// Base of the ops with sparse inputs or outputs: they run on values through the kernel that
// register_sparse_kernel installs; perform (host arrays only) refuses with a clear error.
class SparseOp : public Op {
 public:
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const final;
  void perform_values(const std::vector<Value>& inputs,
                      std::vector<Value>& outputs) const override = 0;
};
// Installs the CPU kernel that runs SparseOp::perform_values for ops of `type_name`.
void register_sparse_kernel(const std::string& type_name);

// Checks that `v` is a sparse matrix variable (TypeError naming `op` otherwise).
void expect_sparse(const Op& op, const Var& v, const std::string& which);
// Checks that `v` is a dense tensor of `ndim` dimensions (ndim < 0: any).
void expect_dense(const Op& op, const Var& v, const std::string& which, int ndim);
DType expect_float_dtype(const Op& op, DType dt);

// The C++ API (Theano's names in theano.sparse).
Var sparse_input(SparseFormat format, DType dtype, std::string name = "");
Var dense_from_sparse(const Var& x);
Var sparse_from_dense(const Var& x, SparseFormat format);
Var sparse_transpose(const Var& x);
// `g` (dense, broadcastable to pattern's shape) at pattern's stored positions: sparse like
// pattern (whose values are not used).
Var sample_dense(const Var& pattern, const Var& g);
// sparse x dense or dense x sparse -> dense. structured_dot's gradient with respect to the
// sparse operand keeps its stored positions; dot's is the full (dense-valued) gradient.
Var structured_dot(const Var& a, const Var& b);
Var sparse_dot(const Var& a, const Var& b);
// (x @ y.T) at p's stored positions, times p's values: sparse like p.
Var sampling_dot(const Var& x, const Var& y, const Var& p);
// sparse x sparse -> sparse, in a's format.
Var true_dot(const Var& a, const Var& b);
// x in `format` (x itself when it has that format already).
Var sparse_convert(const Var& x, SparseFormat format);
// The sum of x's entries over `axis` (none: all), dense. sparse_grad: the gradient only at x's
// stored positions.
Var sp_sum(const Var& x, std::optional<int64_t> axis, bool sparse_grad);
// sparse * (scalar or dense): sparse with x's positions; sparse * sparse: the common positions.
Var sparse_mul(const Var& a, const Var& b);
// sparse + sparse -> sparse; sparse + dense -> dense.
Var sparse_add(const Var& a, const Var& b);
// A structured elementwise function (one of structured_unary_names()) of the stored values.
Var structured_unary(const std::string& fn, const Var& x);
std::vector<std::string> structured_unary_names();
Var sparse_stack(const std::vector<Var>& blocks, bool horizontal, SparseFormat format);

}  // namespace theon
