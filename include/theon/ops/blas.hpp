// C++ API of the blas op family (op files in src/ops/blas/): products of tensors with NumPy
// semantics. Float32/float64 products go to BLAS (gemm/gemv); integer and bool products run a
// plain loop with NumPy's wrap-around arithmetic (bool: logical or of ands).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "theon/graph/op.hpp"
#include "theon/graph/variable.hpp"

namespace theon {

// numpy.dot for inputs of any ndim: a 0-d operand multiplies, otherwise the last axis of `a` is
// contracted with the second-to-last axis of `b` (its only axis when `b` is 1-d).
class Dot : public Op {
 public:
  std::string type_name() const override { return "Dot"; }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
};

// numpy.matmul (the @ operator): stacks of matrices with broadcast batch dimensions; 1-d
// operands are promoted to matrices and the added dimension removed from the result.
class Matmul : public Op {
 public:
  std::string type_name() const override { return "Matmul"; }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
};

// numpy.tensordot with explicit (non-negative) axis lists of equal length.
class Tensordot : public Op {
 public:
  Tensordot(std::vector<int64_t> axes_a, std::vector<int64_t> axes_b);
  const std::vector<int64_t>& axes_a() const { return axes_a_; }
  const std::vector<int64_t>& axes_b() const { return axes_b_; }
  std::string type_name() const override { return "Tensordot"; }
  Props fields() const override {
    return {{"axes_a", PropValue::ints(axes_a_)}, {"axes_b", PropValue::ints(axes_b_)}};
  }
  std::string props() const override;
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;

 private:
  std::vector<int64_t> axes_a_, axes_b_;
};

// numpy.outer: both inputs are flattened; out[i, j] = a.flat[i] * b.flat[j].
class Outer : public Op {
 public:
  std::string type_name() const override { return "Outer"; }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
};

// Theano's batched_dot: out[i] = dot(a[i], b[i]) over the first dimension, which must have
// the same size in both inputs (no broadcasting).
class BatchedDot : public Op {
 public:
  std::string type_name() const override { return "BatchedDot"; }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
};

// numpy.dot; a 0-d operand gives an elementwise multiplication (Elemwise{mul}).
Var dot(const Var& a, const Var& b);
// numpy.matmul; 0-d operands are a ValueError.
Var matmul(const Var& a, const Var& b);
// numpy.tensordot(a, b, axes): the last `axes` axes of a with the first `axes` axes of b.
Var tensordot(const Var& a, const Var& b, int axes = 2);
// numpy.tensordot(a, b, (axes_a, axes_b)); negative axes count from the end.
Var tensordot(const Var& a, const Var& b, std::vector<int64_t> axes_a, std::vector<int64_t> axes_b);
Var outer(const Var& x, const Var& y);
Var batched_dot(const Var& a, const Var& b);

}  // namespace theon
