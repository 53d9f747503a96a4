// Softmax{axis} and LogSoftmax{axis}: one op with a stable kernel, its gradient and the C++ API
// softmax / log_softmax.
#include <cmath>
#include <limits>
#include <vector>

#include "../vector_exp.hpp"
#include "row_kernels.hpp"
#include "theon/core/error.hpp"
#include "theon/core/iterate.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/nnet.hpp"
#include "theon/ops/reduce.hpp"

namespace theon {
namespace {

// The float dtype softmax computes in (as exp would for this input).
DType softmax_dtype(DType dt) {
  return is_float(dt) ? dt : upgrade_to_float(dt);
}

template <class T>
void softmax_row(bool log, const char* x, int64_t sx, char* y, int64_t sy, int64_t n) {
  auto in = [&](int64_t k) { return *reinterpret_cast<const T*>(x + k * sx); };
  auto out = [&](int64_t k) -> T& { return *reinterpret_cast<T*>(y + k * sy); };
  if (n == 0) return;
  T m = -std::numeric_limits<T>::infinity();
  for (int64_t k = 0; k < n; ++k) {
    const T v = in(k);
    if (v > m || std::isnan(v)) m = v;
    if (std::isnan(m)) break;
  }
  double sum = 0.0;
  if (log) {
    for (int64_t k = 0; k < n; ++k) sum += std::exp(static_cast<double>(in(k)-m));
    const T lse = static_cast<T>(std::log(sum));
    for (int64_t k = 0; k < n; ++k) out(k) = in(k)-m - lse;
  } else {
    for (int64_t k = 0; k < n; ++k) {
      const T e = std::exp(in(k)-m);
      out(k) = e;
      sum += e;
    }
    const T inv = static_cast<T>(1.0 / sum);
    for (int64_t k = 0; k < n; ++k) out(k) *= inv;
  }
}

// A contiguous row: softmax_row's computation on wide vectors (exp from libmvec where linked,
// within 4 ulp of the C library's; the double sum in partial sums). scratch holds n doubles.
template <class T>
THEON_INLINE void softmax_row_contiguous(bool log, const T* x, T* y, int64_t n, double* scratch) {
  if (n == 0) return;
  const T m = row_kernels::row_max(x, n);
  if (log) {
    for (int64_t k = 0; k < n; ++k) scratch[k] = vector_exp(static_cast<double>(x[k] - m));
    const T lse = static_cast<T>(std::log(row_kernels::sum_in_double(scratch, n)));
    for (int64_t k = 0; k < n; ++k) y[k] = x[k] - m - lse;
  } else {
    for (int64_t k = 0; k < n; ++k) y[k] = vector_exp(x[k] - m);
    const T inv = static_cast<T>(1.0 / row_kernels::sum_in_double(y, n));
    for (int64_t k = 0; k < n; ++k) y[k] *= inv;
  }
}

#define THEON_SOFTMAX_ROWS(T)                                                                  \
  THEON_VECTOR_CLONES void softmax_rows(bool log, const T* x, T* y, int64_t rows, int64_t n) { \
    std::vector<double> scratch(static_cast<size_t>(log ? n : 0));                             \
    for (int64_t r = 0; r < rows; ++r) {                                                       \
      softmax_row_contiguous(log, x + r * n, y + r * n, n, scratch.data());                    \
    }                                                                                          \
  }
THEON_SOFTMAX_ROWS(float)
THEON_SOFTMAX_ROWS(double)
#undef THEON_SOFTMAX_ROWS

std::string axis_error(int64_t axis, int ndim) {
  return "axis " + std::to_string(axis) + " is out of bounds for array of dimension " +
         std::to_string(ndim);
}

Var make_softmax(bool log, const Var& x, std::optional<int64_t> axis) {
  if (axis) {
    const int nd = x->type.ndim();
    if (*axis < -nd || *axis >= nd) {
      throw ValueError(std::string(log ? "log_softmax" : "softmax") + ": " + axis_error(*axis, nd));
    }
    if (*axis < 0) *axis += nd;
  }
  return make_node1(std::make_shared<Softmax>(log, axis), {x});
}

}  // namespace

Softmax::Softmax(bool log, std::optional<int64_t> axis) : log_(log), axis_(axis) {}

std::optional<std::vector<std::vector<Var>>> Softmax::infer_shape(
    const std::vector<Var>&, const std::vector<std::vector<Var>>& input_shapes) const {
  return std::vector<std::vector<Var>>{input_shapes[0]};
}

std::vector<TensorType> Softmax::output_types(const std::vector<Var>& inputs) const {
  if (inputs.size() != 1) {
    throw TypeError(op_error(*this, "expected 1 input, got " + std::to_string(inputs.size())));
  }
  const TensorType& t = inputs[0]->type;
  if (axis_ && (*axis_ < 0 || *axis_ >= t.ndim())) {
    throw ValueError(op_error(*this, axis_error(*axis_, t.ndim())));
  }
  return {TensorType(softmax_dtype(t.dtype), t.shape)};
}

void Softmax::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const DType dt = softmax_dtype(inputs[0].dtype());
  NDArray x = inputs[0].dtype() == dt ? inputs[0] : inputs[0].astype(dt);
  NDArray& out = reuse_or_empty(outputs[0], dt, x.shape());
  auto row = [&](const char* px, int64_t sx, char* py, int64_t sy, int64_t n) {
    if (dt == DType::Float32) {
      softmax_row<float>(log_, px, sx, py, sy, n);
    } else {
      softmax_row<double>(log_, px, sx, py, sy, n);
    }
  };
  // Rows along the last axis of a C-contiguous array (or one row of every element): the
  // vectorized kernel.
  auto contiguous_rows = [&](int64_t n) {
    const int64_t rows = n == 0 ? 0 : x.size() / n;
    if (dt == DType::Float32) {
      softmax_rows(log_, x.data<float>(), out.data<float>(), rows, n);
    } else {
      softmax_rows(log_, x.data<double>(), out.data<double>(), rows, n);
    }
  };
  if (!axis_) {  // one row over every element, in C order
    if (!x.is_c_contiguous()) x = x.copy();
    contiguous_rows(x.size());
    return;
  }
  const int ax = static_cast<int>(*axis_);
  if (ax >= x.ndim()) throw ValueError(op_error(*this, axis_error(ax, x.ndim())));
  if (ax == x.ndim() - 1) {  // a copy first where strided: cheaper than a strided walk
    if (!x.is_c_contiguous()) x = x.copy();
    contiguous_rows(x.shape(ax));
    return;
  }
  // Loop over every position of the other axes; each is one row along `ax`.
  Shape rest;
  Strides rest_x, rest_y;
  for (int d = 0; d < x.ndim(); ++d) {
    if (d == ax) continue;
    rest.push_back(x.shape(d));
    rest_x.push_back(x.strides()[d]);
    rest_y.push_back(out.strides()[d]);
  }
  const NDArray xv = x.view(x.raw(), rest, rest_x);
  const NDArray yv = out.view(out.raw(), rest, rest_y);
  const int64_t n = x.shape(ax), sx = x.strides()[ax], sy = out.strides()[ax];
  const LoopPlan plan = plan_loop(rest, {&yv, &xv});
  for_each_run(plan, {yv.raw(), xv.raw()}, [&](char** p, const int64_t* st, int64_t cnt) {
    for (int64_t r = 0; r < cnt; ++r) row(p[1] + r * st[1], sx, p[0] + r * st[0], sy, n);
  });
}

std::vector<Var> Softmax::L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                               const std::vector<Var>& output_grads) const {
  const Var& g = output_grads[0];
  if (!is_float(inputs[0]->type.dtype) || !g) return {nullptr};
  const Var& y = outputs[0];
  std::optional<std::vector<int64_t>> axes;
  if (axis_) axes = std::vector<int64_t>{*axis_};
  if (log_) return {sub(g, mul(exp(y), sum(g, axes, true)))};
  return {mul(sub(g, sum(mul(g, y), axes, true)), y)};
}

Var softmax(const Var& x, std::optional<int64_t> axis) {
  return make_softmax(false, x, axis);
}
Var log_softmax(const Var& x, std::optional<int64_t> axis) {
  return make_softmax(true, x, axis);
}

THEON_OP_FILE(softmax) {
  for (bool log : {false, true}) {
    register_op_factory(log ? "LogSoftmax" : "Softmax", [log](const PropReader& f) -> OpPtr {
      return std::make_shared<Softmax>(log, f.get_optional_int("axis"));
    });
  }
  auto axis_of = [](const Params& p) -> std::optional<int64_t> {
    if (p.values().count("axis") && !p.has("axis")) return std::nullopt;  // axis=None
    return p.get_int("axis", -1);
  };
  register_builder("softmax", 1, 1, [axis_of](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{softmax(in[0], axis_of(p))};
  });
  register_builder("log_softmax", 1, 1, [axis_of](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{log_softmax(in[0], axis_of(p))};
  });
}

}  // namespace theon
