// C++ API of the linear-algebra ops (src/ops/linalg/): NumPy's numpy.linalg and SciPy's
// scipy.linalg over stacks of matrices (the last two axes; leading axes are a batch), computed
// by LAPACK in float32 (float32 inputs) or float64 (every other dtype). Failures on the values
// (a singular or not positive-definite matrix) raise LinAlgError naming the op.
#pragma once

#include <string>
#include <vector>

#include "theon/graph/variable.hpp"

namespace theon {

// The Cholesky factor L (lower: a = L L^T) or U (a = U^T U); only that triangle of a is read.
// on_error "raise" (LinAlgError) or "nan" (a NaN-filled factor) for a non-positive-definite a.
Var cholesky(const Var& a, bool lower = true, const std::string& on_error = "raise");
// x with op(a) x = b for triangular a: trans 0 (a), 1 (a^T); unit_diagonal: a's diagonal is
// taken as ones. b is a vector (1-d) or a stack of matrices broadcast against a's batch.
Var solve_triangular(const Var& a, const Var& b, bool lower = true, int trans = 0,
                     bool unit_diagonal = false);
// x with a x = b; assume_a "gen" (LU), "sym" (symmetric, Bunch-Kaufman) or "pos" (positive
// definite, Cholesky); sym and pos read only the `lower` (else upper) triangle.
Var solve(const Var& a, const Var& b, const std::string& assume_a = "gen", bool lower = false);
// x with (c c^T) x = b (lower) or (c^T c) x = b, given a Cholesky factor c.
// x with a x = b (a^T x = b when transposed) for the band matrix a with `lower` sub- and `upper`
// superdiagonals in SciPy's band storage ab (ab[upper + i - j, j] = a[i, j]).
Var solve_banded(const Var& ab, const Var& b, int64_t lower, int64_t upper,
                 bool transposed = false);
Var cho_solve(const Var& c, const Var& b, bool lower = true);
Var det(const Var& a);
// {sign, log|det|}.
std::vector<Var> slogdet(const Var& a);
Var matrix_inverse(const Var& a);
// {eigenvalues (ascending), eigenvectors (columns)} of the `lower` (else upper) triangle.
std::vector<Var> eigh(const Var& a, bool lower = true);
Var eigvalsh(const Var& a, bool lower = true);
// {eigenvalues, unit right eigenvectors (columns)} of general matrices with a real spectrum (a
// complex eigenvalue raises LinAlgError when computed); eigvals: the eigenvalues alone.
std::vector<Var> eig(const Var& a);
Var eigvals(const Var& a);
// {u, s, vh} (compute_uv) or {s}.
std::vector<Var> svd(const Var& a, bool full_matrices = true, bool compute_uv = true);
// mode "reduced" or "complete": {q, r}; "r": {r}.
std::vector<Var> qr(const Var& a, const std::string& mode = "reduced");
// The Moore-Penrose pseudo-inverse through the SVD (singular values <= rcond * max cut).
Var pinv(const Var& a, double rcond = 1e-15);
// The matrix exponential (scaling and squaring with a Pade approximant).
Var expm(const Var& a);

}  // namespace theon
