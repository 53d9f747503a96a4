// SolveTriangular: x with op(a) x = b for a triangular a (scipy.linalg.solve_triangular): trans
// 0 solves a x = b, 1 solves a^T x = b; unit_diagonal takes a's diagonal as ones. Only the
// `lower` (else upper) triangle of a is read, and its gradient lies in that triangle.
// From C++: solve_triangular(a, b, lower, trans, unit_diagonal).
#include "linalg_util.hpp"
#include "solve_base.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/gradient_support.hpp"
#include "theon/ops/linalg.hpp"
#include "theon/runtime/lapack.hpp"

namespace theon {
namespace {

class SolveTriangular final : public linalg::SolveBase {
 public:
  SolveTriangular(bool lower, int64_t trans, bool unit_diagonal)
      : lower_(lower), trans_(trans), unit_diagonal_(unit_diagonal) {}
  std::string type_name() const override { return "SolveTriangular"; }
  Props fields() const override {
    return {{"lower", PropValue::boolean(lower_)},
            {"trans", PropValue::integer(trans_)},
            {"unit_diagonal", PropValue::boolean(unit_diagonal_)}};
  }

  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override {
    const Var& a = inputs[0];
    const Var& b = inputs[1];
    const Var& x = outputs[0];
    const bool vectors = b->type.ndim() == 1;
    const Var b_bar = solve_triangular(a, output_grads[0], lower_, 1 - trans_, unit_diagonal_);
    const Var full =
        trans_ == 0 ? -linalg::outer_of(b_bar, x, vectors) : -linalg::outer_of(x, b_bar, vectors);
    const std::string part =
        unit_diagonal_ ? (lower_ ? "lower" : "upper") : (lower_ ? "lower_eq" : "upper_eq");
    return {sum_to_shape(linalg::keep_where(full, part), a), sum_to_shape(b_bar, b)};
  }

 protected:
  int solve(float* a, int64_t n, float* b, int64_t k) const override { return run(a, n, b, k); }
  int solve(double* a, int64_t n, double* b, int64_t k) const override { return run(a, n, b, k); }
  std::string failure(int info) const override {
    return "the matrix is singular: diagonal entry " + std::to_string(info - 1) + " is zero";
  }

 private:
  template <class T>
  int run(T* a, int64_t n, T* b, int64_t k) const {
    // `a` holds the transpose: the other triangle, solved with the other transposition.
    return lapack::trtrs<T>(lower_ ? 'U' : 'L', trans_ == 0 ? 'T' : 'N', unit_diagonal_ ? 'U' : 'N',
                            n, k, a, std::max<int64_t>(n, 1), b, std::max<int64_t>(n, 1));
  }

  bool lower_;
  int64_t trans_;  // 0 or 1 (2, the conjugate transpose, is 1 for real matrices)
  bool unit_diagonal_;
};

int64_t checked_trans(int64_t trans) {
  if (trans < 0 || trans > 2) {
    throw ValueError("SolveTriangular: trans must be 0, 1 or 2 ('N', 'T' or 'C'), got " +
                     std::to_string(trans));
  }
  return trans == 0 ? 0 : 1;
}

}  // namespace

Var solve_triangular(const Var& a, const Var& b, bool lower, int trans, bool unit_diagonal) {
  return make_node1(std::make_shared<SolveTriangular>(lower, checked_trans(trans), unit_diagonal),
                    {a, b});
}

THEON_OP_FILE(solve_triangular) {
  register_op_factory("SolveTriangular", [](const PropReader& f) -> OpPtr {
    return std::make_shared<SolveTriangular>(f.get_bool("lower"), checked_trans(f.get_int("trans")),
                                             f.get_bool("unit_diagonal"));
  });
  register_builder("solve_triangular", 2, 2, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{solve_triangular(in[0], in[1], p.get_bool("lower", false),
                                             static_cast<int>(p.get_int("trans", 0)),
                                             p.get_bool("unit_diagonal", false))};
  });
}

}  // namespace theon
