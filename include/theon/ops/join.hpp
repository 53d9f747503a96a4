// C++ API of the join op family (op files in src/ops/join/): Join (join, concatenate, stack) and
// Split.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "theon/graph/op.hpp"
#include "theon/graph/variable.hpp"

namespace theon {

// Join{axis}(x0, x1, ...): concatenation along a static axis (non-negative). The inputs have
// the same ndim (>= 1) and equal sizes off the axis; the dtype is their promotion.
class Join : public Op {
 public:
  explicit Join(int64_t axis) : axis_(axis) {}
  int64_t axis() const { return axis_; }
  std::string type_name() const override { return "Join"; }
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

// Split{n, axis}(x, sizes): n outputs, views of consecutive pieces of x along axis, of the
// lengths in the integer vector `sizes` (which must sum to x.shape[axis]).
class Split : public Op {
 public:
  Split(int64_t n_splits, int64_t axis) : n_(n_splits), axis_(axis) {}
  std::string type_name() const override { return "Split"; }
  Props fields() const override {
    return {{"n", PropValue::integer(n_)}, {"axis", PropValue::integer(axis_)}};
  }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::vector<std::pair<int, int>> view_map() const override;

 private:
  int64_t n_;
  int64_t axis_;
};

// Theano's join(axis, *tensors).
Var join(int64_t axis, const std::vector<Var>& tensors);
// NumPy's concatenate; axis = nullopt flattens the inputs first.
Var concatenate(const std::vector<Var>& tensors, std::optional<int64_t> axis = 0);
// NumPy's stack: a new axis (of the result) along which the inputs (of equal shapes) are joined.
Var stack(const std::vector<Var>& tensors, int64_t axis = 0);
// Theano's split(x, splits_size, n_splits, axis).
std::vector<Var> split(const Var& x, const Var& split_sizes, int64_t n_splits, int64_t axis = 0);
std::vector<Var> split(const Var& x, const std::vector<int64_t>& split_sizes, int64_t axis = 0);

}  // namespace theon
