"""theon.tensor.slinalg: SciPy's linear algebra (scipy.linalg) with Theano's names: Cholesky
factors, linear solves (general, symmetric, positive definite, triangular, from a Cholesky
factor), the matrix exponential and the Kronecker product. The ops are C++ (src/ops/linalg/,
LAPACK) and work over stacks of matrices (leading axes are a batch).
"""

from theon.tensor._build import as_tensor_variable, build
from theon.tensor.nlinalg import eigvalsh as _eigvalsh
from theon.tensor.nlinalg import kron

__all__ = [
    "cholesky", "solve", "solve_triangular", "solve_lower_triangular", "solve_upper_triangular",
    "solve_symmetric", "cho_solve", "cho_factor", "expm", "kron", "eigvalsh",
]

_ASSUME_A = {"gen": "gen", "general": "gen", "sym": "sym", "symmetric": "sym", "pos": "pos",
             "positive definite": "pos"}
_TRANS = {0: 0, 1: 1, 2: 1, "N": 0, "T": 1, "C": 1}


def cholesky(a, lower=True, on_error="raise"):
    """The Cholesky factor of ``a`` (only its ``lower``, else upper, triangle is read): L with
    ``a = L L^T``, or U with ``a = U^T U`` when ``lower=False``. Note: Theano's (and this)
    default is ``lower=True``; scipy.linalg.cholesky's is False. ``on_error='nan'`` gives a
    NaN factor instead of raising LinAlgError for a matrix that is not positive definite."""
    return build("cholesky", a, lower=bool(lower), on_error=on_error)


def solve(a, b, assume_a="gen", lower=False, check_finite=True, transposed=False):
    """x with ``a x = b`` (scipy.linalg.solve): ``assume_a`` 'gen' (LU), 'sym' (symmetric) or
    'pos' (positive definite); sym and pos read only the ``lower`` (else upper) triangle.
    ``b`` is a vector (1-d) or a stack of matrices. ``transposed`` solves ``a^T x = b``."""
    if assume_a not in _ASSUME_A:
        raise ValueError(f"solve: assume_a must be 'gen', 'sym' or 'pos', got {assume_a!r}")
    if transposed:
        a = as_tensor_variable(a)
        a = a.swapaxes(-1, -2)
        lower = not lower
    return build("solve", a, b, assume_a=_ASSUME_A[assume_a], lower=bool(lower))


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                     check_finite=True):
    """x with ``op(a) x = b`` for triangular ``a`` (scipy.linalg.solve_triangular): ``trans``
    0/'N' (a), 1/'T' or 2/'C' (a^T); only the ``lower`` (else upper) triangle is read and
    ``unit_diagonal`` takes its diagonal as ones."""
    if trans not in _TRANS:
        raise ValueError(f"solve_triangular: trans must be 0, 1, 2, 'N', 'T' or 'C', got {trans!r}")
    return build("solve_triangular", a, b, lower=bool(lower), trans=_TRANS[trans],
                 unit_diagonal=bool(unit_diagonal))


def solve_lower_triangular(a, b):
    """Theano's name: solve_triangular(a, b, lower=True)."""
    return solve_triangular(a, b, lower=True)


def solve_upper_triangular(a, b):
    """Theano's name: solve_triangular(a, b, lower=False)."""
    return solve_triangular(a, b, lower=False)


def solve_symmetric(a, b):
    """Theano's name: solve(a, b, assume_a='sym')."""
    return solve(a, b, assume_a="sym")


def cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    """``(c, lower)`` for cho_solve (scipy.linalg.cho_factor): c is the Cholesky factor with the
    other triangle zero (SciPy leaves it arbitrary)."""
    return cholesky(a, lower=lower), lower


def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    """x with ``a x = b`` given ``(c, lower)``, c the Cholesky factor of a
    (scipy.linalg.cho_solve); only c's ``lower`` (else upper) triangle is read."""
    c, lower = c_and_lower
    return build("cho_solve", c, b, lower=bool(lower))


def expm(A):
    """The matrix exponential (scipy.linalg.expm; scaling and squaring with a Pade
    approximant)."""
    return build("expm", A)


def eigvalsh(a, b=None, lower=True):
    """The ascending eigenvalues of the symmetric ``a`` (Theano's slinalg.eigvalsh; the
    generalized problem with ``b`` is not supported)."""
    if b is not None:
        raise NotImplementedError("eigvalsh: the generalized eigenproblem (b) is not supported")
    return _eigvalsh(a, "L" if lower else "U")
