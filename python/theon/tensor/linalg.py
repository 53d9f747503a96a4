"""theon.tensor.linalg: numpy.linalg's names over Theon's linear algebra (see nlinalg and
slinalg)."""

from theon.tensor.nlinalg import (det, eig, eigh, eigvals, eigvalsh, inv, lstsq, matrix_power,
                                  norm, pinv, qr, slogdet, svd, tensorinv, tensorsolve, trace)
from theon.tensor._build import build


def cholesky(a, upper=False):
    """The Cholesky factor ``L`` with ``a = L @ L.T`` (numpy.linalg.cholesky).

    Parameters
    ----------
    a : Variable
        Symmetric positive definite matrices (a stack of them in the leading axes).
    upper : bool
        Return ``U = L.T`` instead.

    Returns
    -------
    Variable
        Of the shape of ``a``; an error when a matrix is not positive definite.

    Examples
    --------
    >>> a = T.dmatrix('a')
    >>> theon.function([a], T.linalg.cholesky(a))([[4., 2.], [2., 2.]])
    array([[2., 0.],
           [1., 1.]])
    """
    return build("cholesky", a, lower=not upper, on_error="raise")


def solve(a, b):
    """The solution ``x`` of ``a @ x = b`` (numpy.linalg.solve).

    Parameters
    ----------
    a : Variable
        Square matrices (a stack of them in the leading axes).
    b : Variable
        A vector when 1-d, else a stack of matrices broadcast against a.

    Returns
    -------
    Variable
        Of the shape of ``b`` (broadcast).

    Examples
    --------
    >>> a, b = T.dmatrix('a'), T.dvector('b')
    >>> theon.function([a, b], T.linalg.solve(a, b))([[2., 0.], [0., 4.]], [2., 2.])
    array([1. , 0.5])
    """
    return build("solve", a, b, assume_a="gen", lower=False)


__all__ = ["cholesky", "det", "eig", "eigh", "eigvals", "eigvalsh", "inv", "lstsq", "matrix_power", "norm",
           "pinv", "qr", "slogdet", "solve", "svd", "tensorinv", "tensorsolve", "trace"]
