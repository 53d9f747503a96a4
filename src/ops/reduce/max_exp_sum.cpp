// MaxExpSum{finite_shift}: the row maximum and the sum of the rows' exponentials shifted by it,
// along the last axis, in one pass over each row (see include/theon/ops/max_exp_sum.hpp).
// Written out, logsumexp is two loops over the whole array (the max, then the sum of exp),
// each reading it from memory; here the second reads the row from the cache.
#include "theon/ops/max_exp_sum.hpp"

#include <cmath>
#include <memory>
#include <vector>

#include "../nnet/row_kernels.hpp"
#include "../vector_exp.hpp"
#include "theon/core/error.hpp"
#include "theon/grad/grad.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/shape.hpp"

namespace theon {
namespace {

// The exponentials in T, as the written-out loop computes them (exp from libmvec where
// linked), summed in double: scratch holds a row.
template <class T>
THEON_INLINE void max_exp_sum_row(bool finite_shift, const T* x, int64_t n, T* m, T* s,
                                  T* scratch) {
  const T max = row_kernels::row_max(x, n);
  const T shift = finite_shift && std::isinf(max) ? T(0) : max;
  for (int64_t k = 0; k < n; ++k) scratch[k] = vector_exp(static_cast<T>(x[k] - shift));
  *m = max;
  *s = static_cast<T>(row_kernels::sum_in_double(scratch, n));
}

#define THEON_MAX_EXP_SUM_ROWS(T)                                                      \
  THEON_VECTOR_CLONES void max_exp_sum_rows(bool finite_shift, const T* x, T* m, T* s, \
                                            int64_t rows, int64_t n) {                 \
    std::vector<T> scratch(static_cast<size_t>(n));                                    \
    for (int64_t r = 0; r < rows; ++r) {                                               \
      max_exp_sum_row(finite_shift, x + r * n, n, m + r, s + r, scratch.data());       \
    }                                                                                  \
  }
THEON_MAX_EXP_SUM_ROWS(float)
THEON_MAX_EXP_SUM_ROWS(double)
#undef THEON_MAX_EXP_SUM_ROWS

class MaxExpSum : public Op {
 public:
  explicit MaxExpSum(bool finite_shift) : finite_shift_(finite_shift) {}
  std::string type_name() const override { return "MaxExpSum"; }
  Props fields() const override { return {{"finite_shift", PropValue::boolean(finite_shift_)}}; }

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    if (inputs.size() != 1) {
      throw TypeError(op_error(*this, "expected 1 input, got " + std::to_string(inputs.size())));
    }
    const TensorType& t = inputs[0]->type;
    if (t.dtype != DType::Float32 && t.dtype != DType::Float64) {
      throw TypeError(op_error(
          *this, "expected a float32 or float64 input, got " + std::string(dtype_name(t.dtype))));
    }
    if (t.ndim() == 0) throw ValueError(op_error(*this, "expected an array of 1 or more dims"));
    StaticShape shape = t.shape;
    shape.back() = 1;
    const TensorType out(t.dtype, shape, t.device);
    return {out, out};
  }

  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override {
    NDArray x = inputs[0];
    const int64_t n = x.shape(x.ndim() - 1);
    if (n == 0) {
      throw ValueError(op_error(*this,
                                "zero-size array to reduction operation maximum which "
                                "has no identity (input shape " +
                                    shape_str(x.shape()) + ")"));
    }
    if (!x.is_c_contiguous()) x = x.copy();
    Shape shape = x.shape();
    shape.back() = 1;
    NDArray& m = reuse_or_empty(outputs[0], x.dtype(), shape);
    NDArray& s = reuse_or_empty(outputs[1], x.dtype(), shape);
    const int64_t rows = x.size() / n;
    if (x.dtype() == DType::Float32) {
      max_exp_sum_rows(finite_shift_, x.data<float>(), m.data<float>(), s.data<float>(), rows, n);
    } else {
      max_exp_sum_rows(finite_shift_, x.data<double>(), m.data<double>(), s.data<double>(), rows,
                       n);
    }
  }

  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& input_shapes) const override {
    std::vector<Var> shape = input_shapes[0];
    shape.back() = int64_const(1);
    return std::vector<std::vector<Var>>{shape, shape};
  }

  // The gradient of the written-out expressions (through the max and the shift).
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                        const std::vector<Var>& output_grads) const override {
    const Var& x = inputs[0];
    const std::vector<Var> parts = written_out(x, finite_shift_);
    std::vector<Var> f, points;
    for (size_t i = 0; i < parts.size(); ++i) {
      if (!output_grads[i]) continue;
      f.push_back(parts[i]);
      points.push_back(output_grads[i]);
    }
    if (f.empty()) return {nullptr};
    return Lop(f, {x}, points);
  }

  static std::vector<Var> written_out(const Var& x, bool finite_shift) {
    const std::vector<int64_t> last{x->type.ndim() - 1};
    const Var m = max(x, last, true);
    const Var shift = finite_shift ? theon::finite_shift(m) : m;
    return {m, sum(exp(sub(x, shift)), last, true)};
  }

 private:
  bool finite_shift_;
};

}  // namespace

Var finite_shift(const Var& m) {
  return elemwise("switch", {isinf(m), scalar_constant(int64_t{0}, m->type.dtype), m});
}

std::vector<Var> max_exp_sum(const Var& x, bool finite_shift) {
  return make_node(std::make_shared<MaxExpSum>(finite_shift), {x});
}

THEON_OP_FILE(max_exp_sum) {
  register_op_factory("MaxExpSum", [](const PropReader& f) -> OpPtr {
    return std::make_shared<MaxExpSum>(f.get_bool("finite_shift"));
  });
  register_builder("max_exp_sum", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return max_exp_sum(in[0], p.get_bool("finite_shift", false));
  });
}

}  // namespace theon
