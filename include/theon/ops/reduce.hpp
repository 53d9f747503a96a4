// C++ API of the reduce op family (see src/ops/reduce.cpp): reductions over axes (sum, prod,
// max, min, argmax, argmin, any, all), the composites mean, var and std, and the cumulative
// ops cumsum and cumprod.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
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

// Reduces the input over `axes` (normalized, sorted). Output dtype: sum/prod like NumPy 2 (bool
// and signed ints -> int64, unsigned -> uint64, floats keep theirs), max/min keep the dtype,
// argmax/argmin give int64 (the C-order flat index within the reduced axes), any/all give bool.
class Reduce : public Op {
 public:
  Reduce(ReduceKind kind, std::vector<int64_t> axes, bool keepdims);
  ReduceKind kind() const { return kind_; }
  const std::vector<int64_t>& axes() const { return axes_; }
  bool keepdims() const { return keepdims_; }

  std::string type_name() const override;
  std::string props() const override;
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;

 private:
  ReduceKind kind_;
  std::vector<int64_t> axes_;
  bool keepdims_;
};

// One class per kind, since ops are equal when of the same class with the same props().
template <ReduceKind K>
class ReduceOf final : public Reduce {
 public:
  ReduceOf(std::vector<int64_t> axes, bool keepdims) : Reduce(K, std::move(axes), keepdims) {}
};
std::shared_ptr<const Reduce> make_reduce_op(ReduceKind kind, std::vector<int64_t> axes,
                                             bool keepdims);

// The number of elements of the input along `axes`, less `ddof` and clipped at 0, as an int64
// 0-d array (the divisor of mean and var when the static shape does not give it).
class ReduceCount : public Op {
 public:
  ReduceCount(std::vector<int64_t> axes, int64_t ddof);
  std::string type_name() const override { return "ReduceCount"; }
  std::string props() const override;
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;

 private:
  std::vector<int64_t> axes_;
  int64_t ddof_;
};

// Running sum or product along one axis, or over the C-order flattening (axis = nullopt).
class Cumulative : public Op {
 public:
  Cumulative(bool product, std::optional<int64_t> axis);
  std::string type_name() const override { return product_ ? "CumProd" : "CumSum"; }
  std::string props() const override;
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;

 private:
  bool product_;
  std::optional<int64_t> axis_;
};

template <bool kProduct>
class CumulativeOf final : public Cumulative {
 public:
  explicit CumulativeOf(std::optional<int64_t> axis) : Cumulative(kProduct, axis) {}
};

using OptAxes = std::optional<std::vector<int64_t>>;

Var sum(const Var& x, OptAxes axis = std::nullopt, bool keepdims = false);
Var prod(const Var& x, OptAxes axis = std::nullopt, bool keepdims = false);
Var max(const Var& x, OptAxes axis = std::nullopt, bool keepdims = false);
Var min(const Var& x, OptAxes axis = std::nullopt, bool keepdims = false);
Var argmax(const Var& x, OptAxes axis = std::nullopt, bool keepdims = false);
Var argmin(const Var& x, OptAxes axis = std::nullopt, bool keepdims = false);
Var any(const Var& x, OptAxes axis = std::nullopt, bool keepdims = false);
Var all(const Var& x, OptAxes axis = std::nullopt, bool keepdims = false);

// Composites built from sum and elementwise ops. Integers and bool are computed in float64.
Var mean(const Var& x, OptAxes axis = std::nullopt, bool keepdims = false);
Var var(const Var& x, OptAxes axis = std::nullopt, bool keepdims = false, int64_t ddof = 0);
Var std(const Var& x, OptAxes axis = std::nullopt, bool keepdims = false, int64_t ddof = 0);
// The number of elements along `axis` less ddof (clipped at 0), as a 0-d variable of `dtype`:
// a constant when the static shape gives it, else a ReduceCount node.
Var reduce_count(const Var& x, OptAxes axis, int64_t ddof, DType dtype);

Var cumsum(const Var& x, std::optional<int64_t> axis = std::nullopt);
Var cumprod(const Var& x, std::optional<int64_t> axis = std::nullopt);

}  // namespace theon
