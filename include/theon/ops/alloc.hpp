// C++ API of the alloc op family (op files in src/ops/alloc/): Alloc (alloc, zeros, ones, full),
// Fill (fill, zeros_like, ones_like, full_like), Eye, ARange, Tile, Repeat.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "theon/graph/op.hpp"
#include "theon/graph/variable.hpp"

namespace theon {

// Alloc(value, s0, s1, ...): a fresh array of the given shape filled with `value` broadcast to
// it. Each shape input is an integer scalar (one dimension) or an integer vector of static
// length (that many dimensions).
class Alloc : public Op {
 public:
  std::string type_name() const override { return "Alloc"; }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
};

// Fill(model, value): `value` broadcast against `model`'s shape, with value's dtype (Theano's
// fill / second).
class Fill : public Op {
 public:
  std::string type_name() const override { return "Fill"; }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
};

// Eye{dtype}(n, m, k): ones on the k-th diagonal of an n x m matrix.
class Eye : public Op {
 public:
  explicit Eye(DType dtype) : dtype_(dtype) {}
  std::string type_name() const override { return "Eye"; }
  Props fields() const override { return {{"dtype", PropValue::dtype(dtype_)}}; }
  std::string props() const override { return std::string(dtype_name(dtype_)); }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;

 private:
  DType dtype_;
};

// ARange{dtype}(start, stop, step): NumPy's arange with an explicit output dtype.
class ARange : public Op {
 public:
  explicit ARange(DType dtype) : dtype_(dtype) {}
  std::string type_name() const override { return "ARange"; }
  Props fields() const override { return {{"dtype", PropValue::dtype(dtype_)}}; }
  std::string props() const override { return std::string(dtype_name(dtype_)); }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;

 private:
  DType dtype_;
};

// Tile{reps}(x): NumPy's tile with static repetitions.
class Tile : public Op {
 public:
  explicit Tile(std::vector<int64_t> reps) : reps_(std::move(reps)) {}
  std::string type_name() const override { return "Tile"; }
  Props fields() const override { return {{"reps", PropValue::ints(reps_)}}; }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;

 private:
  std::vector<int64_t> reps_;
};

// Repeat{axis}(x, repeats): NumPy's repeat along a (non-negative) axis; repeats is an integer
// scalar or vector (of length x.shape[axis], or 1).
class Repeat : public Op {
 public:
  explicit Repeat(int64_t axis) : axis_(axis) {}
  std::string type_name() const override { return "Repeat"; }
  Props fields() const override { return {{"axis", PropValue::integer(axis_)}}; }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;

 private:
  int64_t axis_;
};

// RepeatSum{axis}(g, repeats, n): the adjoint of Repeat: consecutive runs of g along axis, of the
// lengths in `repeats` (an integer scalar or vector of length n or 1), summed into n entries.
// Repeat's gradient when the repetition counts differ per element; its own gradient is Repeat.
class RepeatSum : public Op {
 public:
  explicit RepeatSum(int64_t axis) : axis_(axis) {}
  std::string type_name() const override { return "RepeatSum"; }
  Props fields() const override { return {{"axis", PropValue::integer(axis_)}}; }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;

 private:
  int64_t axis_;
};

// ---- C++ API ----
// Shapes: each entry an integer scalar variable or an integer vector of static length.
Var alloc(const Var& value, const std::vector<Var>& shape);
// An array of that shape whose elements are not set (for code that writes them all).
Var alloc_empty(const std::vector<Var>& shape, DType dtype);
// The same value as alloc, as a read-only view of `value` (no copy).
Var broadcast_view(const Var& value, const std::vector<Var>& shape);
// dtype nullopt: config.floatX.
Var zeros(const std::vector<Var>& shape, std::optional<DType> dtype = std::nullopt);
Var zeros(const std::vector<int64_t>& shape, std::optional<DType> dtype = std::nullopt);
Var ones(const std::vector<Var>& shape, std::optional<DType> dtype = std::nullopt);
Var ones(const std::vector<int64_t>& shape, std::optional<DType> dtype = std::nullopt);
// dtype nullopt: the value's dtype.
Var full(const std::vector<Var>& shape, const Var& value,
         std::optional<DType> dtype = std::nullopt);
Var fill(const Var& model, const Var& value);
// dtype nullopt: x's dtype.
Var zeros_like(const Var& x, std::optional<DType> dtype = std::nullopt);
Var ones_like(const Var& x, std::optional<DType> dtype = std::nullopt);
Var full_like(const Var& x, const Var& value, std::optional<DType> dtype = std::nullopt);
// n, m (nullptr: n), k (nullptr: 0) integer scalars; dtype nullopt: config.floatX.
Var eye(const Var& n, const Var& m = nullptr, const Var& k = nullptr,
        std::optional<DType> dtype = std::nullopt);
Var eye(int64_t n, std::optional<int64_t> m = std::nullopt, int64_t k = 0,
        std::optional<DType> dtype = std::nullopt);
// arange(stop) when stop is null; step null means 1. dtype nullopt: NumPy's rule (int64 for
// integer arguments, float64 when any is a float).
Var arange(const Var& start, const Var& stop = nullptr, const Var& step = nullptr,
           std::optional<DType> dtype = std::nullopt);
Var arange(int64_t start, int64_t stop, int64_t step = 1);
Var tile(const Var& x, const std::vector<int64_t>& reps);
// axis nullopt: x is flattened first.
Var repeat(const Var& x, const Var& repeats, std::optional<int64_t> axis = std::nullopt);
Var repeat(const Var& x, int64_t repeats, std::optional<int64_t> axis = std::nullopt);
// RepeatSum: `g` summed over runs of `repeats` along axis into `n` (an integer scalar) entries.
Var repeat_sum(const Var& g, const Var& repeats, const Var& n, int64_t axis);

}  // namespace theon
