// CholeskySolve: x with (c c^T) x = b (lower) or (c^T c) x = b (scipy.linalg.cho_solve) given a
// Cholesky factor c; only that triangle of c is read. Its gradient with respect to c goes
// through a = c c^T (or c^T c): a_bar = -b_bar x^T, c_bar = (a_bar + a_bar^T) c, in c's triangle.
// From C++: cho_solve(c, b, lower).
#include "linalg_util.hpp"
#include "solve_base.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/blas.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/gradient_support.hpp"
#include "theon/ops/linalg.hpp"
#include "theon/runtime/lapack.hpp"

namespace theon {
namespace {

class CholeskySolve final : public linalg::SolveBase {
 public:
  explicit CholeskySolve(bool lower) : lower_(lower) {}
  std::string type_name() const override { return "CholeskySolve"; }
  Props fields() const override { return {{"lower", PropValue::boolean(lower_)}}; }

  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override {
    const Var& c = inputs[0];
    const Var& b = inputs[1];
    const bool vectors = b->type.ndim() == 1;
    const Var b_bar = cho_solve(c, output_grads[0], lower_);
    const Var a_bar = -linalg::outer_of(b_bar, outputs[0], vectors);
    const Var sym = a_bar + linalg::mT(a_bar);
    const Var c_bar = lower_ ? matmul(sym, c) : matmul(c, sym);
    return {sum_to_shape(linalg::keep_where(c_bar, lower_ ? "lower_eq" : "upper_eq"), c),
            sum_to_shape(b_bar, b)};
  }

 protected:
  int solve(float* a, int64_t n, float* b, int64_t k) const override { return run(a, n, b, k); }
  int solve(double* a, int64_t n, double* b, int64_t k) const override { return run(a, n, b, k); }
  std::string failure(int) const override { return "the factor is singular"; }

 private:
  template <class T>
  int run(T* a, int64_t n, T* b, int64_t k) const {
    const int64_t ld = std::max<int64_t>(n, 1);
    // `a` holds c^T: the factor of the other triangle of the same matrix.
    return lapack::potrs<T>(lower_ ? 'U' : 'L', n, k, a, ld, b, ld);
  }

  bool lower_;
};

}  // namespace

Var cho_solve(const Var& c, const Var& b, bool lower) {
  return make_node1(std::make_shared<CholeskySolve>(lower), {c, b});
}

THEON_OP_FILE(cho_solve) {
  register_op_factory("CholeskySolve", [](const PropReader& f) -> OpPtr {
    return std::make_shared<CholeskySolve>(f.get_bool("lower"));
  });
  register_builder("cho_solve", 2, 2, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{cho_solve(in[0], in[1], p.get_bool("lower", true))};
  });
}

}  // namespace theon
