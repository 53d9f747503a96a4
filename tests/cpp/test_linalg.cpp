// The linear-algebra ops from C++: values on small matrices worked by hand, errors of the
// LinAlgError kind naming the op, and the gradient of the Cholesky factor checked numerically.
#include <gtest/gtest.h>

#include <cmath>

#include "test_util.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

using namespace test_util;

TEST(Linalg, CholeskyAndSolvesOfATwoByTwoMatrix) {
  Var a = matrix("a", "float64");
  const NDArray av = NDArray::from_vector<double>({4, 2, 2, 5}, {2, 2});
  // 4 = l00^2, 2 = l10 l00, 5 = l10^2 + l11^2: L = [[2, 0], [1, 2]].
  EXPECT_EQ(values(run1(a, cholesky(a), av)), (std::vector<double>{2, 0, 1, 2}));
  EXPECT_EQ(values(run1(a, cholesky(a, false), av)), (std::vector<double>{2, 1, 0, 2}));
  // a x = [8, 9]: x = [1.375, 1.25].
  Var b = vector("b", "float64");
  const NDArray bv = NDArray::from_vector<double>({8, 9}, {2});
  for (const char* assume : {"gen", "sym", "pos"}) {
    std::vector<double> x = values(run({a, b}, solve(a, b, assume, true), {av, bv}));
    EXPECT_NEAR(x[0], 1.375, 1e-14) << assume;
    EXPECT_NEAR(x[1], 1.25, 1e-14) << assume;
  }
  std::vector<double> y = values(run({a, b}, cho_solve(cholesky(a), b), {av, bv}));
  EXPECT_NEAR(y[0], 1.375, 1e-14);
  EXPECT_NEAR(y[1], 1.25, 1e-14);
  // Lower-triangular [[4, 0], [2, 5]] x = [8, 9]: x = [2, 1].
  std::vector<double> z = values(run({a, b}, solve_triangular(a, b, true), {av, bv}));
  EXPECT_EQ(z, (std::vector<double>{2, 1}));
}

TEST(Linalg, DeterminantsAndInverse) {
  Var a = matrix("a", "float64");
  const NDArray av = NDArray::from_vector<double>({0, 2, 3, 4}, {2, 2});  // det -6, pivoting
  EXPECT_NEAR(values(run1(a, det(a), av))[0], -6.0, 1e-14);
  const std::vector<Var> sl = slogdet(a);
  EXPECT_EQ(values(run1(a, sl[0], av))[0], -1.0);
  EXPECT_NEAR(values(run1(a, sl[1], av))[0], std::log(6.0), 1e-14);
  const std::vector<double> inv = values(run1(a, matrix_inverse(a), av));
  const std::vector<double> want{-4.0 / 6, 2.0 / 6, 3.0 / 6, 0};
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(inv[i], want[i], 1e-15);
}

TEST(Linalg, FailuresAreLinAlgErrorsNamingTheOp) {
  Var a = matrix("a", "float64");
  const NDArray singular = NDArray::from_vector<double>({1, 2, 2, 4}, {2, 2});
  expect_error<LinAlgError>([&] { run1(a, matrix_inverse(a), singular); },
                            {"MatrixInverse", "singular"});
  expect_error<LinAlgError>([&] { run1(a, cholesky(a), singular); },
                            {"Cholesky", "not positive definite"});
  EXPECT_TRUE(std::isnan(values(run1(a, cholesky(a, true, "nan"), singular))[0]));
  expect_error<ValueError>([&] { det(matrix_inverse(vector("v", "float64"))); },
                           {"MatrixInverse", "at least 2 dimensions"});
}

TEST(Linalg, CholeskyGradientMatchesFiniteDifferences) {
  const NDArray av = NDArray::from_vector<double>({4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 2}, {3, 3});
  verify_grad([](const std::vector<Var>& x) { return cholesky(x[0]); }, {av});
  verify_grad([](const std::vector<Var>& x) { return eigh(x[0])[1]; }, {av});
  verify_grad([](const std::vector<Var>& x) { return expm(x[0] * 0.3); }, {av});
}

}  // namespace
}  // namespace theon
