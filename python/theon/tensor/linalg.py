"""theon.tensor.linalg: numpy.linalg's names over Theon's linear algebra (see nlinalg and
slinalg)."""

from theon.tensor.nlinalg import (det, eig, eigh, eigvals, eigvalsh, inv, lstsq, matrix_power,
                                  norm, pinv, qr, slogdet, svd, tensorinv, tensorsolve, trace)
from theon.tensor._build import build


def cholesky(a, upper=False):
    """The lower Cholesky factor L with ``a = L L^T`` (numpy.linalg.cholesky; ``upper`` gives
    U = L^T)."""
    return build("cholesky", a, lower=not upper, on_error="raise")


def solve(a, b):
    """x with ``a x = b`` (numpy.linalg.solve): b is a vector when 1-d, else a stack of
    matrices broadcast against a."""
    return build("solve", a, b, assume_a="gen", lower=False)


__all__ = ["cholesky", "det", "eig", "eigh", "eigvals", "eigvalsh", "inv", "lstsq", "matrix_power", "norm",
           "pinv", "qr", "slogdet", "solve", "svd", "tensorinv", "tensorsolve", "trace"]
