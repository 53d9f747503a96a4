// Ger: A + alpha * outer(x, y) in one BLAS ger call (see gemm_detail.hpp), and its C++ API ger.

#include <cstring>
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

Var ger(const Var& a, const Var& alpha, const Var& x, const Var& y, bool inplace) {
  return make_node1(std::make_shared<Ger>(inplace), {a, alpha, x, y});
}

// Only the non-inplace variants are reachable by name: an inplace op built by hand would
// destroy its accumulator without the checks the inplace rewrite makes.
THEON_OP_FILE(ger) {
  register_op_factory("Ger", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Ger>(f.get_bool("inplace"));
  });
  register_builder("ger", 4, 4, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{ger(in[0], in[1], in[2], in[3])};
  });
}

}  // namespace theon
