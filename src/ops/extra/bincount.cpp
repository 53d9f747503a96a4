// BinCount{minlength}(x[, weights]): the number of occurrences of each value of the
// non-negative integer vector x (np.bincount), or the sum of the weights at each value. The
// length is max(x) + 1, at least minlength: it depends on the values. int64 counts; weighted
// sums are float64 as in NumPy. The gradient with respect to the weights is g[x].
#include <algorithm>

#include "../shape_util.hpp"
#include "theon/core/checked_size.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/subtensor.hpp"

namespace theon {
namespace {

class BinCount final : public Op {
 public:
  explicit BinCount(int64_t minlength) : minlength_(minlength) {}
  std::string type_name() const override { return "BinCount"; }
  Props fields() const override { return {{"minlength", PropValue::integer(minlength_)}}; }

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    if (inputs.empty() || inputs.size() > 2) {
      throw TypeError(op_error(
          *this, "expected 1 or 2 inputs (x[, weights]), got " + std::to_string(inputs.size())));
    }
    const TensorType& x = inputs[0]->type;
    if (x.ndim() != 1 || !is_integer(x.dtype)) {
      throw TypeError(op_error(*this, "x must be a vector of integers, got " + x.str()));
    }
    if (inputs.size() == 2) {
      const TensorType& w = inputs[1]->type;
      if (w.ndim() != 1 || w.dtype == DType::Bool) {
        throw TypeError(op_error(*this, "weights must be a numeric vector, got " + w.str()));
      }
      if (x.shape[0] != kUnknownDim && w.shape[0] != kUnknownDim && x.shape[0] != w.shape[0]) {
        throw ValueError(op_error(
            *this, "x " + x.str() + " and weights " + w.str() + " have different lengths"));
      }
    }
    return {TensorType(inputs.size() == 2 ? DType::Float64 : DType::Int64, {kUnknownDim})};
  }

  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override {
    const NDArray x = inputs[0].astype(DType::Int64);
    const int64_t* xs = x.data<int64_t>();
    int64_t length = minlength_;
    for (int64_t i = 0; i < x.size(); ++i) {
      if (xs[i] < 0) {
        throw ValueError(op_error(*this, "x must be non-negative, got " + std::to_string(xs[i]) +
                                             " at index " + std::to_string(i)));
      }
      if (!checked_add(xs[i], int64_t{1})) {
        throw ValueError(op_error(*this, "the value " + std::to_string(xs[i]) + " is too big"));
      }
      length = std::max(length, xs[i] + 1);
    }
    if (inputs.size() == 1) {
      NDArray& out = reuse_or_empty(outputs[0], DType::Int64, {length});
      int64_t* counts = out.data<int64_t>();
      std::fill(counts, counts + length, 0);
      for (int64_t i = 0; i < x.size(); ++i) ++counts[xs[i]];
      return;
    }
    if (inputs[1].size() != x.size()) {
      throw ValueError(op_error(*this, "x of shape " + shape_str(x.shape()) +
                                           " and weights of shape " + shape_str(inputs[1].shape()) +
                                           " have different lengths"));
    }
    const NDArray w = inputs[1].astype(DType::Float64);
    const double* ws = w.data<double>();
    NDArray& out = reuse_or_empty(outputs[0], DType::Float64, {length});
    double* sums = out.data<double>();
    std::fill(sums, sums + length, 0.0);
    for (int64_t i = 0; i < x.size(); ++i) sums[xs[i]] += ws[i];
  }

  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                        const std::vector<Var>& output_grads) const override {
    if (inputs.size() == 1) return {nullptr};
    const Var& w = inputs[1];
    if (!output_grads[0] || !is_float(w->type.dtype)) return {nullptr, nullptr};
    return {nullptr, cast(take(output_grads[0], inputs[0], 0), w->type.dtype)};
  }

 private:
  int64_t minlength_;
};

int64_t checked_minlength(int64_t minlength) {
  if (minlength < 0) {
    throw ValueError("bincount: minlength must be non-negative, got " + std::to_string(minlength));
  }
  return minlength;
}

}  // namespace

THEON_OP_FILE(bincount) {
  register_op_factory("BinCount", [](const PropReader& f) -> OpPtr {
    return std::make_shared<BinCount>(checked_minlength(f.get_int("minlength")));
  });
  register_builder("bincount", 1, 2, [](const std::vector<Var>& in, const Params& p) {
    const int64_t minlength = checked_minlength(p.get_int("minlength", 0));
    return std::vector<Var>{make_node1(std::make_shared<BinCount>(minlength), in)};
  });
}

}  // namespace theon
