// Gemm, Gemv and Ger: "alpha * product + beta * accumulator" in one BLAS call.
//
// Every op runs the same way: the output is the accumulator's buffer (inplace variant, when at
// run time it has the output's dtype and shape, is C-contiguous and writeable) or a fresh array
// filled with the accumulator broadcast to the output's shape; BLAS then adds the scaled
// product into it. Operands reach BLAS as strided views: a transposed matrix (a trans_* flag,
// or a transposed layout such as a DimShuffle view) becomes a BLAS trans flag with a leading
// dimension, a vector with a positive stride an increment; only other layouts (non-unit inner
// stride in both directions, negative or unaligned strides) are copied first. When the product
// itself must broadcast (a one-row product against a many-row accumulator), it is computed into
// a temporary and combined with a plain loop.
#include "theon/ops/gemm.hpp"

#include <algorithm>
#include <cstring>
#include <deque>
#include <optional>

#include "blas_operands.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/blas.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/families.hpp"
#include "theon/ops/gradient_support.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/shape.hpp"
#include "theon/runtime/blas.hpp"

namespace theon {
namespace {

using namespace blas_operands;

// ---------------------------------------------------------------------------------------------
// Type checks

std::string flags_props(const std::vector<std::pair<bool, const char*>>& flags) {
  std::string out;
  for (const auto& [on, name] : flags) {
    if (!on) continue;
    if (!out.empty()) out += ",";
    out += name;
  }
  return out;
}

void check_arity(const Op& op, const std::vector<Var>& inputs, size_t n) {
  if (inputs.size() != n) {
    throw TypeError(op_error(
        op, "expected " + std::to_string(n) + " inputs, got " + std::to_string(inputs.size())));
  }
}

void check_ndim(const Op& op, const Var& v, int nd, const char* what) {
  static const char* const kinds[] = {"a 0-d scalar", "a vector", "a matrix"};
  if (v->type.ndim() != nd) {
    throw TypeError(op_error(
        op, std::string("expected ") + what + " to be " + kinds[nd] + ", got " + v->type.str()));
  }
}

// Every operand must have the first one's dtype, float32 or float64 (the dtypes BLAS has; the
// rewrites only build these ops for them).
void check_dtypes(const Op& op, const std::vector<std::pair<const Var*, const char*>>& operands) {
  const DType dt = (*operands[0].first)->type.dtype;
  if (dt != DType::Float32 && dt != DType::Float64) {
    throw TypeError(op_error(op, std::string("expected float32 or float64 operands, got ") +
                                     operands[0].second + " of type " +
                                     (*operands[0].first)->type.str()));
  }
  for (const auto& [v, what] : operands) {
    if ((*v)->type.dtype != dt) {
      throw TypeError(op_error(op, std::string("expected every operand to be ") +
                                       std::string(dtype_name(dt)) + ", got " + what + " of type " +
                                       (*v)->type.str()));
    }
  }
}

void check_inner(const Op& op, int64_t k1, int64_t k2, const std::string& s1,
                 const std::string& s2) {
  if (k1 != kUnknownDim && k2 != kUnknownDim && k1 != k2) {
    throw ValueError(op_error(op, "shapes " + s1 + " and " + s2 +
                                      " not aligned: " + std::to_string(k1) +
                                      " (dim 1) != " + std::to_string(k2) + " (dim 0)"));
  }
}

StaticShape transposed_if(StaticShape s, bool t) {
  if (t) std::swap(s[0], s[1]);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Operand layouts

Mat mat_of(const NDArray& a, bool trans) {
  Mat m{&a, a.raw(), a.shape(0), a.shape(1), a.strides()[0], a.strides()[1]};
  if (trans) {
    std::swap(m.rows, m.cols);
    std::swap(m.rs, m.cs);
  }
  return m;
}

struct VecView {
  const char* p;
  int64_t inc;  // in elements
};

VecView vec_or_copy(const NDArray& v, std::deque<NDArray>& keep) {
  const int64_t isz = static_cast<int64_t>(itemsize(v.dtype()));
  if (const int64_t inc = blas_inc(v.strides()[0], v.shape(0), isz)) return {v.raw(), inc};
  keep.push_back(v.copy());
  return {keep.back().raw(), 1};
}

// ---------------------------------------------------------------------------------------------
// The shared update

template <class T>
void scale_in_place(NDArray& out, double beta) {
  T* p = out.data<T>();
  const int64_t n = out.size();
  if (beta == 0) {
    std::fill(p, p + n, T(0));
  } else if (beta != 1) {
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(p[i] * beta);
  }
}

// out = alpha * p + beta * z with both broadcast to out's shape (ndim <= 2), out C-contiguous.
template <class T>
void combine(NDArray& out, const NDArray& p, double alpha, const NDArray& z, double beta) {
  const NDArray pv = p.broadcast_to(out.shape());
  const NDArray zv = z.broadcast_to(out.shape());
  const int nd = out.ndim();
  const int64_t rows = nd == 2 ? out.shape(0) : 1;
  const int64_t cols = nd >= 1 ? out.shape(nd - 1) : 1;
  auto stride = [&](const NDArray& a, int d) { return d < nd ? a.strides()[d] : 0; };
  const int64_t prs = nd == 2 ? stride(pv, 0) : 0, pcs = nd >= 1 ? stride(pv, nd - 1) : 0;
  const int64_t zrs = nd == 2 ? stride(zv, 0) : 0, zcs = nd >= 1 ? stride(zv, nd - 1) : 0;
  T* o = out.data<T>();
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) {
      T v;
      std::memcpy(&v, pv.raw() + i * prs + j * pcs, sizeof(T));
      double r = alpha * v;
      if (beta != 0) {
        T w;
        std::memcpy(&w, zv.raw() + i * zrs + j * zcs, sizeof(T));
        r += beta * w;
      }
      o[i * cols + j] = static_cast<T>(r);
    }
  }
}

template <class F>
void visit_float(DType dt, F&& f) {
  if (dt == DType::Float32) {
    f(float{});
  } else {
    f(double{});
  }
}

// out = alpha * P + beta * z, where P has shape `ps` and product(c, ld, alpha, beta) makes BLAS
// compute c = alpha * P + beta * c into C-order storage at c with leading dimension ld.
// empty_sum: P is a sum over an empty axis (zero everywhere) and BLAS is not called.
template <class F>
void update(const Op& op, bool inplace, DType dt, const NDArray& z, double alpha, double beta,
            const Shape& ps, bool empty_sum, F&& product, std::vector<NDArray>& outputs) {
  const Shape os = broadcast_shapes({ps, z.shape()}, op.name());
  const int64_t ld = std::max<int64_t>(1, ps.empty() ? 1 : ps.back());
  if (ps == os) {
    const bool use_z =
        inplace && z.dtype() == dt && z.shape() == os && z.writeable() && z.is_c_contiguous();
    if (use_z) outputs[0] = z;
    NDArray& out = use_z ? outputs[0] : reuse_or_empty(outputs[0], dt, os);
    if (out.size() == 0) return;
    if (!use_z && beta != 0) out.copy_from(z.broadcast_to(os));
    if (empty_sum) {
      visit_float(dt, [&](auto t) { scale_in_place<decltype(t)>(out, beta); });
    } else {
      product(out.raw(), ld, alpha, beta);
    }
    return;
  }
  NDArray p = NDArray::zeros(dt, ps);
  if (!empty_sum && p.size() > 0) product(p.raw(), ld, 1.0, 0.0);
  NDArray& out = reuse_or_empty(outputs[0], dt, os);
  if (out.size() == 0) return;
  visit_float(dt, [&](auto t) { combine<decltype(t)>(out, p, alpha, z, beta); });
}

void check_runtime(const Op& op, const std::vector<NDArray>& inputs,
                   const std::vector<int>& ndims) {
  const DType dt = inputs[0].dtype();
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].ndim() != ndims[i] || inputs[i].dtype() != dt ||
        (dt != DType::Float32 && dt != DType::Float64)) {
      throw TypeError(op_error(
          op, "input " + std::to_string(i) + " is " + std::string(dtype_name(inputs[i].dtype())) +
                  " of shape " + shape_str(inputs[i].shape()) + ", expected " +
                  std::to_string(ndims[i]) + "-d float32/float64 like input 0"));
    }
  }
}

void check_aligned(const Op& op, int64_t k1, int64_t k2, const NDArray& a, const NDArray& b) {
  if (k1 != k2) {
    throw ValueError(op_error(op, "shapes " + shape_str(a.shape()) + " and " +
                                      shape_str(b.shape()) + " not aligned: " + std::to_string(k1) +
                                      " != " + std::to_string(k2)));
  }
}

using Shapes = std::optional<std::vector<std::vector<Var>>>;
using Dims = std::vector<Var>;

Var maybe_transpose(const Var& x, bool t) {
  return t ? transpose(x) : x;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Gemm

Props Gemm::fields() const {
  return {{"trans_x", PropValue::boolean(trans_x_)},
          {"trans_y", PropValue::boolean(trans_y_)},
          {"inplace", PropValue::boolean(inplace_)}};
}

std::string Gemm::props() const {
  return flags_props({{trans_x_, "trans_x"}, {trans_y_, "trans_y"}, {inplace_, "inplace"}});
}

std::vector<std::pair<int, int>> Gemm::destroy_map() const {
  if (!inplace_) return {};
  return {{0, 0}};
}

std::string Gemm::pprint(const std::vector<std::string>& a) const {
  return "(" + a[1] + " * dot(" + a[2] + (trans_x_ ? ".T" : "") + ", " + a[3] +
         (trans_y_ ? ".T" : "") + ") + " + a[4] + " * " + a[0] + ")";
}

std::vector<TensorType> Gemm::output_types(const std::vector<Var>& in) const {
  check_arity(*this, in, 5);
  check_ndim(*this, in[0], 2, "Z");
  check_ndim(*this, in[1], 0, "alpha");
  check_ndim(*this, in[2], 2, "X");
  check_ndim(*this, in[3], 2, "Y");
  check_ndim(*this, in[4], 0, "beta");
  check_dtypes(*this,
               {{&in[2], "X"}, {&in[3], "Y"}, {&in[0], "Z"}, {&in[1], "alpha"}, {&in[4], "beta"}});
  const StaticShape x = transposed_if(in[2]->type.shape, trans_x_);
  const StaticShape y = transposed_if(in[3]->type.shape, trans_y_);
  check_inner(*this, x[1], y[0], static_shape_str(x), static_shape_str(y));
  return {
      TensorType(in[2]->type.dtype, broadcast_static({{x[0], y[1]}, in[0]->type.shape}, name()))};
}

void Gemm::perform(const std::vector<NDArray>& in, std::vector<NDArray>& outputs) const {
  check_runtime(*this, in, {2, 0, 2, 2, 0});
  const DType dt = in[0].dtype();
  Mat a = mat_of(in[2], trans_x_), b = mat_of(in[3], trans_y_);
  check_aligned(*this, a.cols, b.rows, in[2], in[3]);
  const int64_t m = a.rows, k = a.cols, n = b.cols;
  std::deque<NDArray> keep;
  update(
      *this, inplace_, dt, in[0], in[1].flat_as_double(0), in[4].flat_as_double(0), {m, n}, k == 0,
      [&](char* c, int64_t ldc, double alpha, double beta) {
        const Layout la = layout_or_copy(a, dt, keep);
        const Layout lb = layout_or_copy(b, dt, keep);
        blas::gemm(dt, la.trans, lb.trans, m, n, k, a.p, la.ld, b.p, lb.ld, c, ldc, alpha, beta);
      },
      outputs);
}

// out = alpha P + beta Z with P = op(X) op(Y): the product's gradient gP (g summed to P's
// shape) gives op(X)'s as alpha gP op(Y)^T and op(Y)'s as alpha op(X)^T gP.
std::vector<Var> Gemm::L_op(const std::vector<Var>& in, const std::vector<Var>&,
                            const std::vector<Var>& output_grads) const {
  const Var& g = output_grads[0];
  if (!g) return std::vector<Var>(5);
  const Var &z = in[0], &alpha = in[1], &beta = in[4];
  const Var xo = maybe_transpose(in[2], trans_x_), yo = maybe_transpose(in[3], trans_y_);
  const Var p = dot(xo, yo);
  const Var gp = sum_to_shape(g, p);
  const Var gx = maybe_transpose(mul(alpha, dot(gp, transpose(yo))), trans_x_);
  const Var gy = maybe_transpose(mul(alpha, dot(transpose(xo), gp)), trans_y_);
  return {mul(beta, sum_to_shape(g, z)), sum(mul(gp, p)), gx, gy, sum(mul(g, z))};
}

Shapes Gemm::infer_shape(const std::vector<Var>& in,
                         const std::vector<std::vector<Var>>& shapes) const {
  const Var m = shapes[2][trans_x_ ? 1 : 0];
  const Var n = shapes[3][trans_y_ ? 0 : 1];
  const StaticShape x = transposed_if(in[2]->type.shape, trans_x_);
  const StaticShape y = transposed_if(in[3]->type.shape, trans_y_);
  return std::vector<Dims>{
      broadcast_dims({Dims{m, n}, shapes[0]}, {StaticShape{x[0], y[1]}, in[0]->type.shape})};
}

// ---------------------------------------------------------------------------------------------
// Gemv

Props Gemv::fields() const {
  return {{"trans_a", PropValue::boolean(trans_a_)}, {"inplace", PropValue::boolean(inplace_)}};
}

std::string Gemv::props() const {
  return flags_props({{trans_a_, "trans_a"}, {inplace_, "inplace"}});
}

std::vector<std::pair<int, int>> Gemv::destroy_map() const {
  if (!inplace_) return {};
  return {{0, 0}};
}

std::string Gemv::pprint(const std::vector<std::string>& a) const {
  return "(" + a[1] + " * dot(" + a[2] + (trans_a_ ? ".T" : "") + ", " + a[3] + ") + " + a[4] +
         " * " + a[0] + ")";
}

std::vector<TensorType> Gemv::output_types(const std::vector<Var>& in) const {
  check_arity(*this, in, 5);
  check_ndim(*this, in[0], 1, "y");
  check_ndim(*this, in[1], 0, "alpha");
  check_ndim(*this, in[2], 2, "A");
  check_ndim(*this, in[3], 1, "x");
  check_ndim(*this, in[4], 0, "beta");
  check_dtypes(*this,
               {{&in[2], "A"}, {&in[3], "x"}, {&in[0], "y"}, {&in[1], "alpha"}, {&in[4], "beta"}});
  const StaticShape a = transposed_if(in[2]->type.shape, trans_a_);
  check_inner(*this, a[1], in[3]->type.shape[0], static_shape_str(a),
              static_shape_str(in[3]->type.shape));
  return {TensorType(in[2]->type.dtype, broadcast_static({{a[0]}, in[0]->type.shape}, name()))};
}

void Gemv::perform(const std::vector<NDArray>& in, std::vector<NDArray>& outputs) const {
  check_runtime(*this, in, {1, 0, 2, 1, 0});
  const DType dt = in[0].dtype();
  Mat a = mat_of(in[2], trans_a_);
  check_aligned(*this, a.cols, in[3].shape(0), in[2], in[3]);
  const int64_t m = a.rows, k = a.cols;
  std::deque<NDArray> keep;
  update(
      *this, inplace_, dt, in[0], in[1].flat_as_double(0), in[4].flat_as_double(0), {m}, k == 0,
      [&](char* c, int64_t, double alpha, double beta) {
        const Layout la = layout_or_copy(a, dt, keep);
        const VecView x = vec_or_copy(in[3], keep);
        blas::gemv(dt, la.trans, la.trans ? k : m, la.trans ? m : k, a.p, la.ld, x.p, x.inc, c, 1,
                   alpha, beta);
      },
      outputs);
}

std::vector<Var> Gemv::L_op(const std::vector<Var>& in, const std::vector<Var>&,
                            const std::vector<Var>& output_grads) const {
  const Var& g = output_grads[0];
  if (!g) return std::vector<Var>(5);
  const Var &y = in[0], &alpha = in[1], &x = in[3], &beta = in[4];
  const Var ao = maybe_transpose(in[2], trans_a_);
  const Var p = dot(ao, x);
  const Var gp = sum_to_shape(g, p);
  const Var ga = maybe_transpose(mul(alpha, outer(gp, x)), trans_a_);
  return {mul(beta, sum_to_shape(g, y)), sum(mul(gp, p)), ga, mul(alpha, dot(gp, ao)),
          sum(mul(g, y))};
}

Shapes Gemv::infer_shape(const std::vector<Var>& in,
                         const std::vector<std::vector<Var>>& shapes) const {
  const StaticShape a = transposed_if(in[2]->type.shape, trans_a_);
  return std::vector<Dims>{broadcast_dims({Dims{shapes[2][trans_a_ ? 1 : 0]}, shapes[0]},
                                          {StaticShape{a[0]}, in[0]->type.shape})};
}

// ---------------------------------------------------------------------------------------------
// Ger

std::string Ger::props() const {
  return flags_props({{inplace_, "inplace"}});
}

std::vector<std::pair<int, int>> Ger::destroy_map() const {
  if (!inplace_) return {};
  return {{0, 0}};
}

std::string Ger::pprint(const std::vector<std::string>& a) const {
  return "(" + a[0] + " + " + a[1] + " * outer(" + a[2] + ", " + a[3] + "))";
}

std::vector<TensorType> Ger::output_types(const std::vector<Var>& in) const {
  check_arity(*this, in, 4);
  check_ndim(*this, in[0], 2, "A");
  check_ndim(*this, in[1], 0, "alpha");
  check_ndim(*this, in[2], 1, "x");
  check_ndim(*this, in[3], 1, "y");
  check_dtypes(*this, {{&in[2], "x"}, {&in[3], "y"}, {&in[0], "A"}, {&in[1], "alpha"}});
  return {TensorType(
      in[2]->type.dtype,
      broadcast_static({{in[2]->type.shape[0], in[3]->type.shape[0]}, in[0]->type.shape}, name()))};
}

void Ger::perform(const std::vector<NDArray>& in, std::vector<NDArray>& outputs) const {
  check_runtime(*this, in, {2, 0, 1, 1});
  const DType dt = in[0].dtype();
  const int64_t m = in[2].shape(0), n = in[3].shape(0);
  std::deque<NDArray> keep;
  // A enters with coefficient 1: the accumulator always holds A and BLAS adds alpha x y^T.
  update(
      *this, inplace_, dt, in[0], in[1].flat_as_double(0), 1.0, {m, n}, false,
      [&](char* c, int64_t lda, double alpha, double beta) {
        if (beta == 0) std::memset(c, 0, static_cast<size_t>(m * n) * itemsize(dt));
        const VecView x = vec_or_copy(in[2], keep);
        const VecView y = vec_or_copy(in[3], keep);
        blas::ger(dt, m, n, alpha, x.p, x.inc, y.p, y.inc, c, lda);
      },
      outputs);
}

std::vector<Var> Ger::L_op(const std::vector<Var>& in, const std::vector<Var>&,
                           const std::vector<Var>& output_grads) const {
  const Var& g = output_grads[0];
  if (!g) return std::vector<Var>(4);
  const Var &a = in[0], &alpha = in[1], &x = in[2], &y = in[3];
  const Var p = outer(x, y);
  const Var gp = sum_to_shape(g, p);
  return {sum_to_shape(g, a), sum(mul(gp, p)), mul(alpha, dot(gp, y)), mul(alpha, dot(x, gp))};
}

Shapes Ger::infer_shape(const std::vector<Var>& in,
                        const std::vector<std::vector<Var>>& shapes) const {
  return std::vector<Dims>{
      broadcast_dims({Dims{shapes[2][0], shapes[3][0]}, shapes[0]},
                     {StaticShape{in[2]->type.shape[0], in[3]->type.shape[0]}, in[0]->type.shape})};
}

// ---------------------------------------------------------------------------------------------
// C++ API

Var gemm(const Var& z, const Var& alpha, const Var& x, const Var& y, const Var& beta, bool trans_x,
         bool trans_y, bool inplace) {
  return make_node1(std::make_shared<Gemm>(trans_x, trans_y, inplace), {z, alpha, x, y, beta});
}

Var gemv(const Var& y, const Var& alpha, const Var& a, const Var& x, const Var& beta, bool trans_a,
         bool inplace) {
  return make_node1(std::make_shared<Gemv>(trans_a, inplace), {y, alpha, a, x, beta});
}

Var ger(const Var& a, const Var& alpha, const Var& x, const Var& y, bool inplace) {
  return make_node1(std::make_shared<Ger>(inplace), {a, alpha, x, y});
}

// Only the non-inplace variants are reachable by name: an inplace op built by hand would
// destroy its accumulator without the checks the inplace rewrite makes.
void register_gemm_ops() {
  register_op_factory("Gemm", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Gemm>(f.get_bool("trans_x"), f.get_bool("trans_y"),
                                  f.get_bool("inplace"));
  });
  register_op_factory("Gemv", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Gemv>(f.get_bool("trans_a"), f.get_bool("inplace"));
  });
  register_op_factory("Ger", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Ger>(f.get_bool("inplace"));
  });
  register_builder("gemm", 5, 5, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{gemm(in[0], in[1], in[2], in[3], in[4], p.get_bool("trans_x", false),
                                 p.get_bool("trans_y", false))};
  });
  register_builder("gemv", 5, 5, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{gemv(in[0], in[1], in[2], in[3], in[4], p.get_bool("trans_a", false))};
  });
  register_builder("ger", 4, 4, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{ger(in[0], in[1], in[2], in[3])};
  });
}

}  // namespace theon
