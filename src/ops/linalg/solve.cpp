// Solve: x with a x = b (numpy.linalg.solve, scipy.linalg.solve): assume_a "gen" factors a by
// LU with partial pivoting, "sym" by Bunch-Kaufman and "pos" by Cholesky; sym and pos read only
// the `lower` (else upper) triangle of a, so their gradient lies in that triangle.
// From C++: solve(a, b, assume_a, lower).
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

class Solve final : public linalg::SolveBase {
 public:
  Solve(std::string assume_a, bool lower) : assume_a_(std::move(assume_a)), lower_(lower) {}
  std::string type_name() const override { return "Solve"; }
  Props fields() const override {
    return {{"assume_a", PropValue::string(assume_a_)}, {"lower", PropValue::boolean(lower_)}};
  }

  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override {
    const Var& a = inputs[0];
    const Var& b = inputs[1];
    const bool vectors = b->type.ndim() == 1;
    const bool general = assume_a_ == "gen";
    // The system with a^T; a symmetric matrix (the one its read triangle defines) is its own.
    const Var b_bar = general ? theon::solve(linalg::mT(a), output_grads[0], "gen", lower_)
                              : theon::solve(a, output_grads[0], assume_a_, lower_);
    Var a_bar = -linalg::outer_of(b_bar, outputs[0], vectors);
    if (!general) a_bar = linalg::fold_to_triangle(a_bar, lower_);
    return {sum_to_shape(a_bar, a), sum_to_shape(b_bar, b)};
  }

 protected:
  int solve(float* a, int64_t n, float* b, int64_t k) const override { return run(a, n, b, k); }
  int solve(double* a, int64_t n, double* b, int64_t k) const override { return run(a, n, b, k); }
  std::string failure(int) const override {
    return assume_a_ == "pos" ? "the matrix is not positive definite" : "the matrix is singular";
  }

 private:
  template <class T>
  int run(T* a, int64_t n, T* b, int64_t k) const {
    const int64_t ld = std::max<int64_t>(n, 1);
    const char uplo = lower_ ? 'U' : 'L';  // `a` holds the transpose: the other triangle
    if (assume_a_ == "pos") {
      const int info = lapack::potrf<T>(uplo, n, a, ld);
      return info != 0 ? info : lapack::potrs<T>(uplo, n, k, a, ld, b, ld);
    }
    if (assume_a_ == "sym") return lapack::sysv<T>(uplo, n, k, a, ld, b, ld);
    std::vector<int> ipiv(static_cast<size_t>(ld));
    const int info = lapack::getrf<T>(n, n, a, ld, ipiv.data());
    return info != 0 ? info : lapack::getrs<T>('T', n, k, a, ld, ipiv.data(), b, ld);
  }

  std::string assume_a_;
  bool lower_;
};

std::string checked_assume_a(const std::string& assume_a) {
  if (assume_a == "gen" || assume_a == "sym" || assume_a == "pos") return assume_a;
  if (assume_a == "general") return "gen";
  if (assume_a == "symmetric") return "sym";
  if (assume_a == "positive definite") return "pos";
  throw ValueError("Solve: assume_a must be 'gen', 'sym' or 'pos', got '" + assume_a + "'");
}

}  // namespace

Var solve(const Var& a, const Var& b, const std::string& assume_a, bool lower) {
  return make_node1(std::make_shared<Solve>(checked_assume_a(assume_a), lower), {a, b});
}

THEON_OP_FILE(solve) {
  register_op_factory("Solve", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Solve>(checked_assume_a(f.get_string("assume_a")), f.get_bool("lower"));
  });
  register_builder("solve", 2, 2, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{
        solve(in[0], in[1], p.get_string("assume_a", "gen"), p.get_bool("lower", false))};
  });
}

}  // namespace theon
