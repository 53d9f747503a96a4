// Gemm: alpha * dot(op(X), op(Y)) + beta * Z in one BLAS gemm call (see gemm_detail.hpp), and its
// C++ API gemm.

#include "theon/ops/gemm.hpp"

#include <deque>

#include "gemm_detail.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/blas.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/gradient_support.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/shape.hpp"
#include "theon/runtime/blas.hpp"

namespace theon {

using namespace gemm_detail;

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

Var gemm(const Var& z, const Var& alpha, const Var& x, const Var& y, const Var& beta, bool trans_x,
         bool trans_y, bool inplace) {
  return make_node1(std::make_shared<Gemm>(trans_x, trans_y, inplace), {z, alpha, x, y, beta});
}

// Only the non-inplace variants are reachable by name: an inplace op built by hand would
// destroy its accumulator without the checks the inplace rewrite makes.
THEON_OP_FILE(gemm) {
  register_op_factory("Gemm", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Gemm>(f.get_bool("trans_x"), f.get_bool("trans_y"),
                                  f.get_bool("inplace"));
  });
  register_builder("gemm", 5, 5, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{gemm(in[0], in[1], in[2], in[3], in[4], p.get_bool("trans_x", false),
                                 p.get_bool("trans_y", false))};
  });
}

}  // namespace theon
