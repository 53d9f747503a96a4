// C++ API of the BLAS update ops (in src/ops/blas/): Gemm, Gemv and Ger, the forms Theano's
// BLAS rewrites produce. Each computes "scaled product + accumulator" in one BLAS call, which
// saves the elementwise pass that a Dot followed by an add costs, and has an inplace variant
// that accumulates into the accumulator's buffer (destroy_map {0, 0}). Only the BLAS rewrites
// (src/rewrite/blas.cpp) build them in normal use; float32 and float64 only.
//
// alpha and beta are 0-d inputs, not properties: a learning rate held in a shared variable
// (W - lr * dot(x, g)) then still becomes one gemm, and two ops that differ only in their
// constants stay equal, so merge and the kernel cache see one op.
//
// The accumulator broadcasts against the product with NumPy's rules (a bias row (1, n) against
// an (m, n) product): the non-inplace variant fills its output with the broadcast accumulator
// and lets BLAS add the product into it. When beta is 0 the accumulator is not read (the BLAS
// convention), so a NaN in it does not propagate.
#pragma once

#include <string>
#include <vector>

#include "theon/graph/op.hpp"
#include "theon/graph/variable.hpp"

namespace theon {

// out = alpha * op(X) @ op(Y) + beta * Z, inputs (Z, alpha, X, Y, beta); op(M) is M, or M.T
// when trans_x / trans_y is set (passed to BLAS as a flag, never copied). X, Y, Z are matrices.
class Gemm : public Op {
 public:
  Gemm(bool trans_x, bool trans_y, bool inplace)
      : trans_x_(trans_x), trans_y_(trans_y), inplace_(inplace) {}
  bool trans_x() const { return trans_x_; }
  bool trans_y() const { return trans_y_; }
  bool inplace() const { return inplace_; }
  std::string type_name() const override { return "Gemm"; }
  Props fields() const override;
  std::string props() const override;
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
  std::vector<std::pair<int, int>> destroy_map() const override;
  std::string pprint(const std::vector<std::string>& args) const override;

 private:
  bool trans_x_, trans_y_, inplace_;
};

// out = alpha * op(A) @ x + beta * y, inputs (y, alpha, A, x, beta); A a matrix, x and y
// vectors; op(A) is A.T when trans_a is set.
class Gemv : public Op {
 public:
  Gemv(bool trans_a, bool inplace) : trans_a_(trans_a), inplace_(inplace) {}
  bool trans_a() const { return trans_a_; }
  bool inplace() const { return inplace_; }
  std::string type_name() const override { return "Gemv"; }
  Props fields() const override;
  std::string props() const override;
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
  std::vector<std::pair<int, int>> destroy_map() const override;
  std::string pprint(const std::vector<std::string>& args) const override;

 private:
  bool trans_a_, inplace_;
};

// out = A + alpha * outer(x, y), inputs (A, alpha, x, y); A a matrix, x and y vectors.
class Ger : public Op {
 public:
  explicit Ger(bool inplace) : inplace_(inplace) {}
  bool inplace() const { return inplace_; }
  std::string type_name() const override { return "Ger"; }
  Props fields() const override { return {{"inplace", PropValue::boolean(inplace_)}}; }
  std::string props() const override;
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
  std::vector<std::pair<int, int>> destroy_map() const override;
  std::string pprint(const std::vector<std::string>& args) const override;

 private:
  bool inplace_;
};

Var gemm(const Var& z, const Var& alpha, const Var& x, const Var& y, const Var& beta,
         bool trans_x = false, bool trans_y = false, bool inplace = false);
Var gemv(const Var& y, const Var& alpha, const Var& a, const Var& x, const Var& beta,
         bool trans_a = false, bool inplace = false);
Var ger(const Var& a, const Var& alpha, const Var& x, const Var& y, bool inplace = false);

}  // namespace theon
