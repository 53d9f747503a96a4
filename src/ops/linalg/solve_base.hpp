// The shared half of the ops that solve linear systems a x = b (Solve, SolveTriangular,
// CholeskySolve): input checks, output types and shapes, and the kernel loop over a stack of
// systems whose batch dimensions broadcast. b is a vector when 1-d (NumPy 2's rule), else a
// stack of matrices (..., n, k).
#pragma once

#include <string>
#include <vector>

#include "theon/graph/op.hpp"

namespace theon::linalg {

class SolveBase : public Op {
 public:
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;

 protected:
  // Overwrites b (n x k, column-major, leading dimension max(n, 1)) with the solution of
  // a x = b given a^T (n x n, the same layout: a's rows as columns, so that C-ordered input is
  // copied, not transposed), which may be overwritten. Returns LAPACK's info.
  virtual int solve(float* a, int64_t n, float* b, int64_t k) const = 0;
  virtual int solve(double* a, int64_t n, double* b, int64_t k) const = 0;
  // What a positive info means ("the matrix is singular").
  virtual std::string failure(int info) const = 0;
};

// The outer products u v^T of a solve's gradient: vectors when `vectors` (b was 1-d), else
// stacks of matrices u (..., n, k), v (..., m, k).
Var outer_of(const Var& u, const Var& v, bool vectors);

}  // namespace theon::linalg
