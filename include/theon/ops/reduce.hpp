// C++ API of the reduce op family (see src/ops/reduce.cpp): reductions over axes (sum, prod,
// max, min, argmax, argmin, any, all), the composites mean, var and std, and the cumulative
// ops cumsum and cumprod.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "theon/graph/op.hpp"
#include "theon/graph/variable.hpp"

namespace theon {

// Normalizes NumPy-style axes for an array of `ndim` dimensions: nullopt means every axis;
// negative axes count from the end. Returns them sorted. Throws ValueError whose message starts
// with `op` for an out-of-range or repeated axis.
std::vector<int64_t> normalize_axes(const std::string& op,
                                    const std::optional<std::vector<int64_t>>& axis, int ndim);
// One axis (negative counts from the end); throws ValueError naming `op` when out of range.
int64_t normalize_axis(const std::string& op, int64_t axis, int ndim);

enum class ReduceKind : uint8_t { Sum, Prod, Max, Min, Argmax, Argmin, Any, All };

class Reduce;
struct ReduceLoop;  // the loop of a reference kernel (src/ops/reduce/reduce_folds.hpp)

// Everything that differs between reduction kinds, as one row per kind: the op (its class,
// output dtype, reference kernel and gradient), the rewrites, fusion and code generation read
// it. A new kind is one row (src/ops/reduce/reduce_rules.cpp) plus its fold functor.
struct ReductionRule {
  ReduceKind kind;
  const char* type_name;  // the op's class name ("Sum"), which rewrites track
  const char* name;       // the builder's and C++ function's name ("sum")
  DType (*output_dtype)(DType input);
  // The binary scalar op that folds a value into the running result ("add"); null for kinds
  // that are not folds (argmax: its result is a position). Folds can be regrouped: reducing
  // some axes, then others, equals reducing them all at once.
  const char* combine;
  // The running result's start value: combine's identity (for integer folds, an infinity
  // stands for the type's limit).
  double identity;
  // NumPy's message for a reduction over no element, which raises; null where such a
  // reduction gives the identity.
  const char* empty_error;
  // A Fused op may reduce its (float) result with this kind: combine has a C expression.
  bool fusable;
  // For max and min in generated code: `acc <lane_compare> x` when x replaces acc. Vector lanes
  // fold with this plain compare and track NaNs apart; null for the other kinds.
  const char* lane_compare;
  // The reference kernel: reduces x over `loop` into `out`, allocated with output_dtype.
  void (*kernel)(const ReduceLoop& loop, const NDArray& x, NDArray& out);
  // The gradient of float x given the output and its gradient g, both with the reduced axes
  // put back (size 1); null where the output carries no gradient.
  Var (*grad)(const Reduce& op, const Var& x, const Var& out, const Var& g);
  // The op, of a class of its own: ops are equal when of the same class with the same props.
  // Null for kinds added by register_reduction: make_reduce_op then builds a Reduce, which
  // type_name tells apart.
  std::shared_ptr<const Reduce> (*make_op)(std::vector<int64_t> axes, bool keepdims);
  // The result is a position within the reduced axes (argmax): 0 over axes of size 1.
  bool position = false;
};

const ReductionRule& reduction_rule(ReduceKind kind);
// The built-in kinds' rows, in ReduceKind order.
std::span<const ReductionRule> builtin_reduction_rules();
// Every row, in ReduceKind order: the built-in kinds, then those op files added.
std::vector<std::reference_wrapper<const ReductionRule>> reduction_rules();
// Adds a reduction kind defined in an op file of its own: the row (its `kind` is assigned),
// the builder `rule.name` with params axis and keepdims, the op factory, and
// theon.tensor.<name> in Python with `doc`. Returns the new kind.
ReduceKind register_reduction(ReductionRule rule, std::string doc);

// Reduces the input over `axes` (normalized, sorted). Output dtype: sum/prod like NumPy 2 (bool
// and signed ints -> int64, unsigned -> uint64, floats keep theirs), max/min keep the dtype,
// argmax/argmin give int64 (the C-order flat index within the reduced axes), any/all give bool.
//
// Gradients (L_op; none for integer or bool inputs):
// - sum: the output gradient with the reduced axes put back (size 1) and broadcast to x's shape.
// - prod: d prod / d x_i is the product of the OTHER elements of x_i's group, computed without
//   dividing by x_i: (product of the group's non-zero elements) / (x_i, or 1 where x_i == 0),
//   kept only where no other element of the group is zero. So it is exact with any number of
//   zeros: no zero -> prod / x_i; one zero -> the zero element gets the product of the others
//   and every other element 0; two or more zeros -> 0 everywhere in the group.
// - max/min: the gradient goes to the elements equal to the result. TIES: the output gradient
//   is split equally among the elements equal to the maximum (minimum), as JAX and
//   torch.amax do (Theano gave each the whole of it), so that max(x + zeros((4, 3)), axis=0)
//   passes x exactly the gradient of one copy. A NaN result routes no gradient (NaN != NaN).
// - argmax, argmin, any, all: none (integer/bool outputs); L_op returns null for the input.
class Reduce : public Op {
 public:
  Reduce(ReduceKind kind, std::vector<int64_t> axes, bool keepdims);
  ReduceKind kind() const { return kind_; }
  const std::vector<int64_t>& axes() const { return axes_; }
  bool keepdims() const { return keepdims_; }

  std::string type_name() const override;
  Props fields() const override;
  std::string props() const override;
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;

 private:
  ReduceKind kind_;
  std::vector<int64_t> axes_;
  bool keepdims_;
};

// One class per kind, since ops are equal when of the same class with the same fields().
template <ReduceKind K>
class ReduceOf final : public Reduce {
 public:
  ReduceOf(std::vector<int64_t> axes, bool keepdims) : Reduce(K, std::move(axes), keepdims) {}
};
std::shared_ptr<const Reduce> make_reduce_op(ReduceKind kind, std::vector<int64_t> axes,
                                             bool keepdims);

// The number of elements of the input along `axes`, less `ddof` and clipped at 0, as an int64
// 0-d array (the divisor of mean and var when the static shape does not give it). It depends
// only on x's shape: its L_op gives no gradient (null).
class ReduceCount : public Op {
 public:
  ReduceCount(std::vector<int64_t> axes, int64_t ddof);
  std::string type_name() const override { return "ReduceCount"; }
  Props fields() const override;
  std::string props() const override;
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;

 private:
  std::vector<int64_t> axes_;
  int64_t ddof_;
};

// Running sum or product along one axis, or over the C-order flattening (axis = nullopt).
//
// Gradients (none for integer or bool inputs; axis = nullopt works on the flattening and
// reshapes the gradient back to x's shape):
// - cumsum: the reverse cumulative sum of the output gradient g along the axis.
// - cumprod: grad_i = sum_{j>=i} g_j * prod_{k<=j, k!=i} x_k, built zero-safe: with z the first
//   zero of a line, positions before z get revcumsum(g * out)_i / x_i (x_i != 0 there),
//   position z gets revcumsum(g * cumprod(x with x_z replaced by 1))_z, and positions after z
//   get 0 (every product for them contains x_z). Exact with any number of zeros; an overflow to
//   inf in those products can give NaN where the exact gradient is finite.
class Cumulative : public Op {
 public:
  Cumulative(bool product, std::optional<int64_t> axis);
  std::string type_name() const override { return product_ ? "CumProd" : "CumSum"; }
  Props fields() const override;
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;

 private:
  const ReductionRule& rule() const;  // sum's or prod's

  bool product_;
  std::optional<int64_t> axis_;
};

template <bool kProduct>
class CumulativeOf final : public Cumulative {
 public:
  explicit CumulativeOf(std::optional<int64_t> axis) : Cumulative(kProduct, axis) {}
};

using OptAxes = std::optional<std::vector<int64_t>>;

// The reduction of `kind` over `axis` (every axis when nullopt); sum ... all below are its kinds.
Var reduce(ReduceKind kind, const Var& x, const OptAxes& axis = std::nullopt,
           bool keepdims = false);

Var sum(const Var& x, OptAxes axis = std::nullopt, bool keepdims = false);
Var prod(const Var& x, OptAxes axis = std::nullopt, bool keepdims = false);
Var max(const Var& x, OptAxes axis = std::nullopt, bool keepdims = false);
Var min(const Var& x, OptAxes axis = std::nullopt, bool keepdims = false);
Var argmax(const Var& x, OptAxes axis = std::nullopt, bool keepdims = false);
Var argmin(const Var& x, OptAxes axis = std::nullopt, bool keepdims = false);
Var any(const Var& x, OptAxes axis = std::nullopt, bool keepdims = false);
Var all(const Var& x, OptAxes axis = std::nullopt, bool keepdims = false);

// Composites built from sum and elementwise ops. Integers and bool are computed in float64.
// Their gradients come from their parts (std needs sqrt's gradient).
Var mean(const Var& x, OptAxes axis = std::nullopt, bool keepdims = false);
Var var(const Var& x, OptAxes axis = std::nullopt, bool keepdims = false, int64_t ddof = 0);
Var std(const Var& x, OptAxes axis = std::nullopt, bool keepdims = false, int64_t ddof = 0);
// The number of elements along `axis` less ddof (clipped at 0), as a 0-d variable of `dtype`:
// a constant when the static shape gives it, else a ReduceCount node.
Var reduce_count(const Var& x, OptAxes axis, int64_t ddof, DType dtype);

Var cumsum(const Var& x, std::optional<int64_t> axis = std::nullopt);
Var cumprod(const Var& x, std::optional<int64_t> axis = std::nullopt);

}  // namespace theon
