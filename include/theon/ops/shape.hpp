// C++ API of the shape op family (see src/ops/shape/): Shape, Shape_i, MakeVector, Reshape,
// Flatten, DimShuffle (transpose, swapaxes, squeeze, expand_dims), Squeeze, Size, SpecifyShape.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "theon/graph/op.hpp"
#include "theon/graph/variable.hpp"

namespace theon {

// x.shape as an int64 vector of length x.ndim.
class ShapeOp : public Op {
 public:
  std::string type_name() const override { return "Shape"; }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
};

// x.shape[i] as an int64 scalar.
class ShapeI : public Op {
 public:
  explicit ShapeI(int64_t i) : i_(i) {}
  int64_t i() const { return i_; }
  std::string type_name() const override { return "Shape_i"; }
  Props fields() const override { return {{"i", PropValue::integer(i_)}}; }
  std::string props() const override { return std::to_string(i_); }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;

 private:
  int64_t i_;
};

// x.size as an int64 scalar.
class SizeOp : public Op {
 public:
  std::string type_name() const override { return "Size"; }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
};

// The product of 0-d integer dimensions as an int64 scalar, checked as an array's shape is:
// ValueError when a dimension is negative or the product times `itemsize` overflows int64.
// Rewrites that drop an array but keep its element count (sum of an alloc) use it, so that
// a shape too big for any array stays an error instead of a wrapped count.
class CheckedProduct : public Op {
 public:
  explicit CheckedProduct(int64_t itemsize) : itemsize_(itemsize) {}
  int64_t itemsize() const { return itemsize_; }
  std::string type_name() const override { return "CheckedProduct"; }
  Props fields() const override { return {{"itemsize", PropValue::integer(itemsize_)}}; }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;

 private:
  int64_t itemsize_;
};

// Stacks 0-d inputs into a vector of `dtype` (values converted as NumPy's unsafe casting).
class MakeVector : public Op {
 public:
  explicit MakeVector(DType dtype) : dtype_(dtype) {}
  DType dtype() const { return dtype_; }
  std::string type_name() const override { return "MakeVector"; }
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

// Reshape{ndim}(x, shape): `shape` is an integer vector of length ndim; one entry may be -1.
// A view of x when x is C-contiguous, else a copy.
class Reshape : public Op {
 public:
  explicit Reshape(int64_t ndim) : ndim_(ndim) {}
  int64_t ndim() const { return ndim_; }
  std::string type_name() const override { return "Reshape"; }
  Props fields() const override { return {{"ndim", PropValue::integer(ndim_)}}; }
  std::string props() const override { return std::to_string(ndim_); }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::vector<std::pair<int, int>> view_map() const override { return {{0, 0}}; }

 private:
  int64_t ndim_;
};

// Theano's flatten: keeps the first ndim-1 dimensions and folds the rest into the last one.
class Flatten : public Op {
 public:
  explicit Flatten(int64_t ndim) : ndim_(ndim) {}
  std::string type_name() const override { return "Flatten"; }
  Props fields() const override { return {{"ndim", PropValue::integer(ndim_)}}; }
  std::string props() const override { return std::to_string(ndim_); }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::vector<std::pair<int, int>> view_map() const override { return {{0, 0}}; }

 private:
  int64_t ndim_;
};

// Theano's DimShuffle: output dimension j is input dimension pattern[j], or a new
// broadcastable dimension where pattern[j] == kNewAxis ('x'). Input dimensions left out must
// have static size 1. Always a view.
inline constexpr int64_t kNewAxis = -1;
class DimShuffle : public Op {
 public:
  explicit DimShuffle(std::vector<int64_t> pattern) : pattern_(std::move(pattern)) {}
  const std::vector<int64_t>& pattern() const { return pattern_; }
  std::string type_name() const override { return "DimShuffle"; }
  Props fields() const override { return {{"pattern", PropValue::ints(pattern_)}}; }
  std::string props() const override;
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::vector<std::pair<int, int>> view_map() const override { return {{0, 0}}; }

 private:
  std::vector<int64_t> pattern_;
};

// Removes the given axes (sorted, non-negative), checking at run time that they have size 1.
class Squeeze : public Op {
 public:
  explicit Squeeze(std::vector<int64_t> axes) : axes_(std::move(axes)) {}
  std::string type_name() const override { return "Squeeze"; }
  Props fields() const override { return {{"axis", PropValue::ints(axes_)}}; }
  std::string props() const override;
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::vector<std::pair<int, int>> view_map() const override { return {{0, 0}}; }

 private:
  std::vector<int64_t> axes_;
};

// SpecifyShape(x, shape): x unchanged (a view), with a static shape taken from the constant
// entries of `shape` (an integer vector of length x.ndim; -1 = unspecified), checked at run time.
class SpecifyShape : public Op {
 public:
  std::string type_name() const override { return "SpecifyShape"; }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::vector<std::pair<int, int>> view_map() const override { return {{0, 0}}; }
};

// ---- Static analysis of integer shape expressions ----
// The value of a 0-d integer variable when known at build time (a constant, Shape_i of a
// static dimension, Size of a fully static shape).
std::optional<int64_t> static_int_scalar(const Var& v);
// The entries of a 1-d integer variable of static length, each known or not (a constant,
// MakeVector, Shape); nullopt when the length itself is unknown.
std::optional<std::vector<std::optional<int64_t>>> static_int_vector(const Var& v);

// ---- C++ API ----
// ---- Dimension arithmetic for Op::infer_shape (int64 scalar dimensions) ----
Var int64_const(int64_t v);
// An integer scalar as int64 (a constant when its value is known at build time).
Var as_int64(const Var& s);
// The product of the dimensions, with those known at build time folded into one constant.
Var dims_product(const std::vector<Var>& dims);
// NumPy broadcasting of several shapes (right-aligned): dims[k] are operand k's run-time
// dimensions and static_shapes[k] its static shape, which picks the deciding dimension where
// it can. Assumes the shapes do broadcast (the op checks that when it runs).
std::vector<Var> broadcast_dims(const std::vector<std::vector<Var>>& dims,
                                const std::vector<StaticShape>& static_shapes);
// The same with the static shapes taken from the operands.
std::vector<Var> broadcast_dims(const std::vector<Var>& inputs,
                                const std::vector<std::vector<Var>>& dims);

Var shape(const Var& x);
Var shape_i(const Var& x, int64_t i);  // negative i counts from the end
Var size(const Var& x);
// The product of 0-d integer `dims` (see CheckedProduct), for arrays of `itemsize`-byte items.
Var checked_product(const std::vector<Var>& dims, int64_t itemsize);
Var make_vector(const std::vector<Var>& elements, std::optional<DType> dtype = std::nullopt);
// `shape` is an integer vector; `ndim` is needed only when its static length is unknown.
Var reshape(const Var& x, const Var& shape, std::optional<int64_t> ndim = std::nullopt);
Var reshape(const Var& x, const std::vector<int64_t>& shape);
// Each entry a 0-d integer variable (stacked with make_vector).
Var reshape(const Var& x, const std::vector<Var>& shape);
Var flatten(const Var& x, int64_t ndim = 1);
Var dimshuffle(const Var& x, const std::vector<int64_t>& pattern);
Var transpose(const Var& x, std::optional<std::vector<int64_t>> axes = std::nullopt);
Var swapaxes(const Var& x, int64_t axis1, int64_t axis2);
// axis = nullopt drops every dimension of static size 1 (Theano's rule); explicit axes may also
// name dimensions of unknown size, which are checked to be 1 at run time.
Var squeeze(const Var& x, std::optional<std::vector<int64_t>> axis = std::nullopt);
Var expand_dims(const Var& x, const std::vector<int64_t>& axis);
Var specify_shape(const Var& x, const Var& shape);
Var specify_shape(const Var& x, const std::vector<int64_t>& shape);

// Normalizes a possibly negative axis for `ndim` dimensions; throws IndexError naming `what`.
int64_t normalize_axis(int64_t axis, int64_t ndim, const std::string& what);

}  // namespace theon
