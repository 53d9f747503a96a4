// Gemv: alpha * dot(op(A), x) + beta * y in one BLAS gemv call (see gemm_detail.hpp), and its C++
// API gemv.

#include <deque>

#include "gemm_detail.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/blas.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/gemm.hpp"
#include "theon/ops/gradient_support.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/shape.hpp"
#include "theon/runtime/blas.hpp"

namespace theon {

using namespace gemm_detail;

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

Var gemv(const Var& y, const Var& alpha, const Var& a, const Var& x, const Var& beta, bool trans_a,
         bool inplace) {
  return make_node1(std::make_shared<Gemv>(trans_a, inplace), {y, alpha, a, x, beta});
}

// Only the non-inplace variants are reachable by name: an inplace op built by hand would
// destroy its accumulator without the checks the inplace rewrite makes.
THEON_OP_FILE(gemv) {
  register_op_factory("Gemv", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Gemv>(f.get_bool("trans_a"), f.get_bool("inplace"));
  });
  register_builder("gemv", 5, 5, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{gemv(in[0], in[1], in[2], in[3], in[4], p.get_bool("trans_a", false))};
  });
}

}  // namespace theon
