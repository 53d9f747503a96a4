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
    "solve_symmetric", "cho_solve", "cho_factor", "expm", "kron", "eigvalsh", "solve_banded",
    "solveh_banded",
]

_ASSUME_A = {"gen": "gen", "general": "gen", "sym": "sym", "symmetric": "sym", "pos": "pos",
             "positive definite": "pos"}
_TRANS = {0: 0, 1: 1, 2: 1, "N": 0, "T": 1, "C": 1}


def cholesky(a, lower=True, on_error="raise"):
    """The Cholesky factor of ``a``: L with ``a = L @ L.T``, or U with ``a = U.T @ U``.

    Parameters
    ----------
    a : Variable
        Symmetric positive definite matrices (a stack of them in the leading axes).
    lower : bool
        Compute L, reading the lower triangle; else U from the upper one. Theano's (and this)
        default is True; scipy.linalg.cholesky's is False.
    on_error : {'raise', 'nan'}
        For a matrix that is not positive definite: raise numpy.linalg.LinAlgError, or give a NaN
        factor.

    Returns
    -------
    Variable
        Of the shape of ``a``.

    Examples
    --------
    >>> a = T.dmatrix('a')
    >>> theon.function([a], T.slinalg.cholesky(a))([[4., 2.], [2., 2.]])
    array([[2., 0.],
           [1., 1.]])
    """
    return build("cholesky", a, lower=bool(lower), on_error=on_error)


def solve(a, b, assume_a="gen", lower=False, check_finite=True, transposed=False):
    """The solution ``x`` of ``a @ x = b`` (scipy.linalg.solve).

    Parameters
    ----------
    a : Variable
        Matrices (a stack of them in the leading axes).
    b : Variable
        A vector (1-d) or a stack of matrices.
    assume_a : {'gen', 'sym', 'pos'}
        General (LU), symmetric or positive definite.
    lower : bool
        For sym and pos, read the lower (else upper) triangle.
    check_finite : bool
        Accepted for SciPy's signature.
    transposed : bool
        Solve ``a.T @ x = b``.

    Returns
    -------
    Variable
        Of the shape of ``b`` (broadcast).

    Examples
    --------
    >>> a, b = T.dmatrix('a'), T.dvector('b')
    >>> f = theon.function([a, b], T.slinalg.solve(a, b, assume_a='pos'))
    >>> f([[2., 0.], [0., 4.]], [2., 2.])
    array([1. , 0.5])
    """
    if assume_a not in _ASSUME_A:
        raise ValueError(f"solve: assume_a must be 'gen', 'sym' or 'pos', got {assume_a!r}")
    if transposed:
        a = as_tensor_variable(a)
        a = a.swapaxes(-1, -2)
        lower = not lower
    return build("solve", a, b, assume_a=_ASSUME_A[assume_a], lower=bool(lower))


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                     check_finite=True):
    """The solution ``x`` of ``op(a) @ x = b`` for a triangular ``a``.

    As scipy.linalg.solve_triangular.

    Parameters
    ----------
    a : Variable
        Matrices (a stack of them in the leading axes).
    b : Variable
        A vector (1-d) or a stack of matrices.
    trans : {0, 1, 2, 'N', 'T', 'C'}
        ``op(a)``: a for 0/'N', a.T for 1/'T' and 2/'C'.
    lower : bool
        Read the lower (else upper) triangle.
    unit_diagonal : bool
        Take the diagonal as ones.
    overwrite_b, check_finite : bool
        Accepted for SciPy's signature.

    Returns
    -------
    Variable
        Of the shape of ``b`` (broadcast).

    Examples
    --------
    >>> a, b = T.dmatrix('a'), T.dvector('b')
    >>> f = theon.function([a, b], T.slinalg.solve_triangular(a, b, lower=True))
    >>> f([[1., 0.], [1., 2.]], [1., 5.])
    array([1., 2.])
    """
    if trans not in _TRANS:
        raise ValueError(f"solve_triangular: trans must be 0, 1, 2, 'N', 'T' or 'C', got {trans!r}")
    return build("solve_triangular", a, b, lower=bool(lower), trans=_TRANS[trans],
                 unit_diagonal=bool(unit_diagonal))


def solve_banded(l_and_u, ab, b, overwrite_ab=False, overwrite_b=False, check_finite=True):
    """The solution ``x`` of ``a @ x = b`` for a band matrix ``a`` (scipy.linalg.solve_banded).

    Banded LU (LAPACK's gbtrf/gbtrs): the work grows with ``n`` times the bandwidth, not
    ``n**2``. ``overwrite_*`` and ``check_finite`` are accepted for SciPy's signature.

    Parameters
    ----------
    l_and_u : (int, int)
        The numbers of nonzero sub- and superdiagonals of ``a``.
    ab : Variable
        ``a`` in band storage, ``(l + u + 1, n)``: ``ab[u + i - j, j] == a[i, j]``.
    b : Variable
        A vector ``(n,)`` or a matrix ``(n, k)``.

    Returns
    -------
    Variable
        ``x``, of the shape of ``b``; differentiable with respect to ``ab`` and ``b``.

    Examples
    --------
    >>> ab, b = T.dmatrix('ab'), T.dvector('b')
    >>> f = theon.function([ab, b], T.slinalg.solve_banded((1, 1), ab, b))
    >>> f([[0., 1., 1.], [2., 2., 2.], [1., 1., 0.]], [3., 4., 3.])  # tridiagonal [1 2 1]
    array([1., 1., 1.])
    """
    lower, upper = (int(v) for v in l_and_u)
    return build("solve_banded", ab, b, lower=lower, upper=upper)


def solveh_banded(ab, b, overwrite_ab=False, overwrite_b=False, lower=False, check_finite=True):
    """The solution ``x`` of ``a @ x = b`` for a symmetric band matrix (scipy.linalg.solveh_banded).

    ``ab`` holds one triangle of the band; the full band is assembled from it and solved by
    banded LU, so, unlike SciPy's Cholesky-based routine, a symmetric matrix that is not positive
    definite is solved rather than refused. The number of rows of ``ab`` must be known when the
    graph is built (a constant, or ``T.tensor(dtype, shape=(rows, None))``).

    Parameters
    ----------
    ab : Variable
        ``(u + 1, n)``: the upper band (``ab[u + i - j, j] == a[i, j]`` for ``i <= j``), or with
        ``lower`` the lower one (``ab[i - j, j] == a[i, j]`` for ``i >= j``).
    b : Variable
        A vector ``(n,)`` or a matrix ``(n, k)``.
    lower : bool
        Whether ``ab`` holds the lower band.

    Returns
    -------
    Variable
        ``x``, of the shape of ``b``.

    Examples
    --------
    >>> ab = np.array([[0., -1., -1.], [2., 2., 2.]])  # upper band of tridiag(-1, 2, -1)
    >>> b = T.dvector('b')
    >>> theon.function([b], T.slinalg.solveh_banded(ab, b))([1., 0., 1.])
    array([1., 1., 1.])
    """
    import theon.tensor as T

    ab = as_tensor_variable(ab)
    rows = ab.type.shape[0] if ab.ndim == 2 else None
    if rows is None:
        raise ValueError("solveh_banded: the number of rows of ab (the bandwidth + 1) must be "
                         f"known when the graph is built, got {ab.type}")
    u = rows - 1
    zeros = T.zeros_like(ab[0])

    def shifted(row, d):
        # row[j + d] at j (zero past the end) for d > 0; row[j + d] (zero before) for d < 0.
        if d > 0:
            return T.concatenate([row[d:], zeros[:d]])
        return T.concatenate([zeros[:-d], row[:d]]) if d < 0 else row

    if lower:  # ab[d, j] = a[j + d, j]: diagonal d below, and its mirror d above
        band = [shifted(ab[d], -d) for d in range(u, 0, -1)] + [ab[d] for d in range(u + 1)]
    else:  # ab[u - d, j] = a[j - d, j]: diagonal d above, and its mirror d below
        band = [ab[r] for r in range(u + 1)] + [shifted(ab[u - d], d) for d in range(1, u + 1)]
    return build("solve_banded", T.stack(band), b, lower=u, upper=u)


def solve_lower_triangular(a, b):
    """Theano's name of ``solve_triangular(a, b, lower=True)``.

    Parameters
    ----------
    a : Variable
        Matrices (a stack of them in the leading axes).
    b : Variable
        A vector (1-d) or a stack of matrices.

    Returns
    -------
    Variable
        Of the shape of ``b`` (broadcast).

    Examples
    --------
    >>> a, b = T.dmatrix('a'), T.dvector('b')
    >>> f = theon.function([a, b], T.slinalg.solve_lower_triangular(a, b))
    >>> f([[1., 0.], [1., 2.]], [1., 5.])
    array([1., 2.])
    """
    return solve_triangular(a, b, lower=True)


def solve_upper_triangular(a, b):
    """Theano's name of ``solve_triangular(a, b, lower=False)``.

    Parameters
    ----------
    a : Variable
        Matrices (a stack of them in the leading axes).
    b : Variable
        A vector (1-d) or a stack of matrices.

    Returns
    -------
    Variable
        Of the shape of ``b`` (broadcast).

    Examples
    --------
    >>> a, b = T.dmatrix('a'), T.dvector('b')
    >>> f = theon.function([a, b], T.slinalg.solve_upper_triangular(a, b))
    >>> f([[2., 1.], [0., 1.]], [5., 1.])
    array([2., 1.])
    """
    return solve_triangular(a, b, lower=False)


def solve_symmetric(a, b):
    """Theano's name of ``solve(a, b, assume_a='sym')``.

    Parameters
    ----------
    a : Variable
        Matrices (a stack of them in the leading axes).
    b : Variable
        A vector (1-d) or a stack of matrices.

    Returns
    -------
    Variable
        Of the shape of ``b`` (broadcast).

    Examples
    --------
    >>> a, b = T.dmatrix('a'), T.dvector('b')
    >>> theon.function([a, b], T.slinalg.solve_symmetric(a, b))([[2., 1.], [1., 2.]], [3., 3.])
    array([1., 1.])
    """
    return solve(a, b, assume_a="sym")


def cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    """The Cholesky factorization for cho_solve (scipy.linalg.cho_factor).

    Parameters
    ----------
    a : Variable
        Matrices (a stack of them in the leading axes).
    lower : bool
        Compute L, else U.
    overwrite_a, check_finite : bool
        Accepted for SciPy's signature.

    Returns
    -------
    tuple
        ``(c, lower)``: c is the Cholesky factor with the other triangle zero (SciPy leaves it
        arbitrary).

    Examples
    --------
    >>> a, b = T.dmatrix('a'), T.dvector('b')
    >>> x = T.slinalg.cho_solve(T.slinalg.cho_factor(a), b)
    >>> theon.function([a, b], x)([[4., 2.], [2., 2.]], [2., 2.])
    array([0., 1.])
    """
    return cholesky(a, lower=lower), lower


def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    """The solution ``x`` of ``a @ x = b`` given the Cholesky factor of ``a``.

    As scipy.linalg.cho_solve.

    Parameters
    ----------
    c_and_lower : tuple
        ``(c, lower)`` as cho_factor returns; only c's lower (else upper) triangle is read.
    b : Variable
        A vector (1-d) or a stack of matrices.
    overwrite_b, check_finite : bool
        Accepted for SciPy's signature.

    Returns
    -------
    Variable
        Of the shape of ``b`` (broadcast).

    Examples
    --------
    >>> c, b = T.dmatrix('c'), T.dvector('b')
    >>> theon.function([c, b], T.slinalg.cho_solve((c, True), b))([[2., 0.], [1., 1.]], [2., 2.])
    array([0., 1.])
    """
    c, lower = c_and_lower
    return build("cho_solve", c, b, lower=bool(lower))


def expm(A):
    """The matrix exponential (scipy.linalg.expm; scaling and squaring with a Pade approximant).

    Parameters
    ----------
    A : Variable
        Square matrices (a stack of them in the leading axes).

    Returns
    -------
    Variable
        Of the shape of ``A``.

    Examples
    --------
    >>> a = T.dmatrix('a')
    >>> theon.function([a], T.slinalg.expm(a))([[0., 0.], [0., np.log(2.)]])
    array([[1., 0.],
           [0., 2.]])
    """
    return build("expm", A)


def eigvalsh(a, b=None, lower=True):
    """The ascending eigenvalues of the symmetric ``a`` (Theano's slinalg.eigvalsh).

    Parameters
    ----------
    a : Variable
        Matrices (a stack of them in the leading axes).
    b : None
        The generalized problem is not supported.
    lower : bool
        Read the lower (else upper) triangle.

    Returns
    -------
    Variable
        Of shape ``a.shape[:-1]``.

    Examples
    --------
    >>> a = T.dmatrix('a')
    >>> theon.function([a], T.slinalg.eigvalsh(a))([[2., 1.], [1., 2.]])
    array([1., 3.])
    """
    if b is not None:
        raise NotImplementedError("eigvalsh: the generalized eigenproblem (b) is not supported")
    return _eigvalsh(a, "L" if lower else "U")
