"""theano.tensor.slinalg, mapped onto theon.tensor.slinalg (SciPy's linear algebra). Theano's
op classes Cholesky and Solve are kept as callables with their constructor arguments."""

from theano import _missing
from theon.tensor.slinalg import (cho_solve, cholesky, eigvalsh, expm, kron, solve,  # noqa: F401
                                  solve_lower_triangular, solve_symmetric, solve_triangular,
                                  solve_upper_triangular)


class Cholesky:
    """Theano's Cholesky op: ``Cholesky(lower=True, on_error='raise')(a)``."""

    def __init__(self, lower=True, on_error="raise"):
        self.lower, self.on_error = lower, on_error

    def __call__(self, a):
        return cholesky(a, lower=self.lower, on_error=self.on_error)


class Solve:
    """Theano's Solve op: ``Solve(A_structure='general', lower=False)(a, b)``; A_structure
    'general', 'symmetric', 'lower_triangular' or 'upper_triangular'."""

    _STRUCTURES = ("general", "symmetric", "lower_triangular", "upper_triangular")

    def __init__(self, A_structure="general", lower=False, overwrite_A=False, overwrite_b=False):
        if A_structure not in self._STRUCTURES:
            raise ValueError(f"Solve: invalid A_structure {A_structure!r}; expected one of "
                             f"{self._STRUCTURES}")
        self.A_structure, self.lower = A_structure, lower

    def __call__(self, a, b):
        if self.A_structure.endswith("_triangular"):
            return solve_triangular(a, b, lower=self.A_structure == "lower_triangular")
        return solve(a, b, assume_a="gen" if self.A_structure == "general" else "sym",
                     lower=self.lower)


__getattr__ = _missing.module_getattr(
    "theano.tensor.slinalg", "this part of SciPy's linear algebra (generalized eigenproblems)")
