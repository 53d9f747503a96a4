"""theon.tensor.nlinalg: NumPy's linear algebra (numpy.linalg) over stacks of matrices, with
Theano's names. The ops are C++ (src/ops/linalg/, LAPACK); ``trace``, ``kron``,
``matrix_power``, ``norm``, ``tensorinv``, ``tensorsolve``, ``lstsq`` and ``matrix_dot`` are
compositions of other ops written here, so their gradients come from their parts.

float32 inputs compute in float32, every other dtype in float64 (NumPy's rule). A singular or
not positive-definite matrix raises ``numpy.linalg.LinAlgError`` naming the op and the line that
built it.
"""

import functools
import numbers

import numpy as np

from theon.tensor._build import as_tensor_variable, build

__all__ = [
    "matrix_inverse", "inv", "pinv", "det", "slogdet", "eig", "eigvals", "eigh", "eigvalsh",
    "svd", "qr", "trace",
    "kron", "matrix_power", "norm", "tensorinv", "tensorsolve", "lstsq", "matrix_dot",
]


def _T():
    import theon.tensor as T

    return T


def matrix_inverse(a):
    """The inverse of each matrix of ``a`` (numpy.linalg.inv).

    Parameters
    ----------
    a : Variable
        Matrices (a stack of them in the leading axes).

    Returns
    -------
    Variable
        Of the shape of ``a``; a singular matrix raises numpy.linalg.LinAlgError.

    Examples
    --------
    >>> a = T.dmatrix('a')
    >>> theon.function([a], T.nlinalg.matrix_inverse(a))([[2., 1.], [0., 4.]])
    array([[ 0.5  , -0.125],
           [ 0.   ,  0.25 ]])
    """
    return build("matrix_inverse", a)


inv = matrix_inverse


def pinv(a, rcond=1e-15, hermitian=False):
    """The Moore-Penrose pseudo-inverse (numpy.linalg.pinv), through the SVD.

    Parameters
    ----------
    a : Variable
        Matrices (a stack of them in the leading axes).
    rcond : float
        Singular values at most ``rcond`` times the largest are dropped.
    hermitian : bool
        Accepted and ignored.

    Returns
    -------
    Variable
        Of shape ``a.shape[:-2] + (n, m)``.

    Examples
    --------
    >>> a = T.dmatrix('a')
    >>> theon.function([a], T.nlinalg.pinv(a))([[1., 0.], [0., 0.]])
    array([[1., 0.],
           [0., 0.]])
    """
    return build("pinv", a, rcond=float(rcond))


def det(a):
    """The determinant of each matrix of ``a`` (numpy.linalg.det); 0 for a singular one.

    Parameters
    ----------
    a : Variable
        Matrices (a stack of them in the leading axes).

    Returns
    -------
    Variable
        Of shape ``a.shape[:-2]``.

    Examples
    --------
    >>> a = T.dmatrix('a')
    >>> theon.function([a], T.nlinalg.det(a))([[1., 2.], [3., 4.]])
    array(-2.)
    """
    return build("det", a)


def slogdet(a):
    """The sign and log absolute determinant of each matrix of ``a`` (numpy.linalg.slogdet).

    Parameters
    ----------
    a : Variable
        Matrices (a stack of them in the leading axes).

    Returns
    -------
    tuple of Variable
        ``(sign, logabsdet)``, each of shape ``a.shape[:-2]``.

    Examples
    --------
    >>> a = T.dmatrix('a')
    >>> theon.function([a], list(T.nlinalg.slogdet(a)))([[0., 2.], [1., 0.]])
    [array(-1.), array(0.69314718)]
    """
    return tuple(build("slogdet", a))


def eig(a):
    """Eigenvalues and right eigenvectors of general square matrices (numpy.linalg.eig).

    Theon has no complex dtypes: a matrix with a complex eigenvalue raises
    ``numpy.linalg.LinAlgError`` when the function runs (Theano kept the real parts silently),
    as does one holding an inf or NaN. For symmetric matrices use :func:`eigh`.

    Parameters
    ----------
    a : TensorVariable
        A square matrix or a stack of them (``(..., n, n)``), with a real spectrum.

    Returns
    -------
    w : TensorVariable
        The eigenvalues ``(..., n)``, in LAPACK's order (not sorted).
    v : TensorVariable
        The eigenvectors ``(..., n, n)``: column ``v[..., :, i]`` has unit length and belongs to
        ``w[..., i]``. Differentiable for distinct eigenvalues.

    Examples
    --------
    >>> a = T.dmatrix('a')
    >>> w, v = T.nlinalg.eig(a)
    >>> f = theon.function([a], [w, v])
    >>> wv, vv = f([[2.0, 1.0], [0.0, 3.0]])
    >>> wv
    array([2., 3.])
    >>> np.allclose(np.array([[2.0, 1.0], [0.0, 3.0]]) @ vv, vv * wv)
    True
    """
    return tuple(build("eig", a))


def eigvals(a):
    """The eigenvalues of general square matrices (numpy.linalg.eigvals), as :func:`eig`.

    Parameters
    ----------
    a : TensorVariable
        A square matrix or a stack of them, with a real spectrum.

    Returns
    -------
    TensorVariable
        The eigenvalues ``(..., n)`` in LAPACK's order.

    Examples
    --------
    >>> a = T.dmatrix('a')
    >>> theon.function([a], T.nlinalg.eigvals(a))([[1.0, 2.0], [0.0, -1.0]])
    array([ 1., -1.])
    """
    return build("eigvals", a)


def eigh(a, UPLO="L"):
    """The eigenvalues and eigenvectors of the symmetric matrices of ``a`` (numpy.linalg.eigh).

    Parameters
    ----------
    a : Variable
        Matrices (a stack of them in the leading axes).
    UPLO : {'L', 'U'}
        The triangle read.

    Returns
    -------
    tuple of Variable
        ``(w, v)``: the ascending eigenvalues and the eigenvectors (columns of ``v``).

    Examples
    --------
    >>> a = T.dmatrix('a')
    >>> w, v = T.nlinalg.eigh(a)
    >>> theon.function([a], w)([[2., 1.], [1., 2.]])
    array([1., 3.])
    """
    return tuple(build("eigh", a, lower=_lower(UPLO, "eigh")))


def eigvalsh(a, UPLO="L"):
    """The ascending eigenvalues of the symmetric matrices of ``a`` (numpy.linalg.eigvalsh).

    Parameters
    ----------
    a : Variable
        Matrices (a stack of them in the leading axes).
    UPLO : {'L', 'U'}
        The triangle read.

    Returns
    -------
    Variable
        Of shape ``a.shape[:-1]``.

    Examples
    --------
    >>> a = T.dmatrix('a')
    >>> theon.function([a], T.nlinalg.eigvalsh(a))([[2., 1.], [1., 2.]])
    array([1., 3.])
    """
    return build("eigvalsh", a, lower=_lower(UPLO, "eigvalsh"))


def _lower(uplo, name):
    if uplo not in ("L", "U"):
        raise ValueError(f"{name}: UPLO must be 'L' or 'U', got {uplo!r}")
    return uplo == "L"


def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """The singular value decomposition ``a = u @ diag(s) @ vh`` (numpy.linalg.svd).

    Parameters
    ----------
    a : Variable
        Matrices (a stack of them in the leading axes).
    full_matrices : bool
        Square ``u`` and ``vh``; else reduced.
    compute_uv : bool
        Also compute ``u`` and ``vh``.
    hermitian : bool
        Accepted for NumPy's signature.

    Returns
    -------
    tuple of Variable or Variable
        ``(u, s, vh)``, or ``s`` alone without compute_uv (descending).

    Examples
    --------
    >>> a = T.dmatrix('a')
    >>> theon.function([a], T.nlinalg.svd(a, compute_uv=False))([[3., 0.], [0., 4.]])
    array([4., 3.])
    """
    out = build("svd", a, full_matrices=bool(full_matrices), compute_uv=bool(compute_uv))
    return tuple(out) if compute_uv else out


def qr(a, mode="reduced"):
    """The QR decomposition ``a = q @ r`` (numpy.linalg.qr).

    Parameters
    ----------
    a : Variable
        Matrices (a stack of them in the leading axes).
    mode : {'reduced', 'complete', 'r'}
        As numpy.linalg.qr.

    Returns
    -------
    tuple of Variable or Variable
        ``(q, r)``, or ``r`` for mode 'r'.

    Examples
    --------
    >>> a = T.dmatrix('a')
    >>> q, r = T.nlinalg.qr(a)
    >>> np.round(theon.function([a], T.dot(q, r))([[1., 2.], [3., 4.]]), 12)
    array([[1., 2.],
           [3., 4.]])
    """
    if mode in ("full", "economic", "raw"):
        raise NotImplementedError(f"qr: mode {mode!r} is not supported; use 'reduced', "
                                  "'complete' or 'r'")
    out = build("qr", a, mode=mode)
    return out if mode == "r" else tuple(out)


def _diagonal_mask(x, offset, axis1, axis2):
    """x with axis1 and axis2 moved last, and the mask of its ``offset`` diagonal."""
    T = _T()
    nd = x.ndim
    axis1, axis2 = _axis(axis1, nd, "trace"), _axis(axis2, nd, "trace")
    if axis1 == axis2:
        raise ValueError("trace: axis1 and axis2 cannot be the same")
    rest = [d for d in range(nd) if d not in (axis1, axis2)]
    moved = T.transpose(x, rest + [axis1, axis2])
    rows = T.arange(moved.shape[-2]).dimshuffle(0, "x")
    cols = T.arange(moved.shape[-1]).dimshuffle("x", 0)
    return moved, T.eq(rows + offset, cols)


def _axis(axis, ndim, name):
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name}: axis {axis} is out of bounds for an array of dimension {ndim}")
    return axis % ndim


def trace(a, offset=0, axis1=0, axis2=1):
    """The sum of a diagonal (numpy.trace; for a matrix, Theano's trace).

    Parameters
    ----------
    a : Variable
        At least 2 dimensions.
    offset : int
        The diagonal: 0 the main one, > 0 above it.
    axis1, axis2 : int
        The axes of the diagonal.

    Returns
    -------
    Variable
        ``a`` without those two axes.

    Examples
    --------
    >>> a = T.dmatrix('a')
    >>> theon.function([a], T.nlinalg.trace(a))([[1., 2.], [3., 4.]])
    array(5.)
    """
    T = _T()
    a = as_tensor_variable(a)
    if a.ndim < 2:
        raise ValueError(f"trace: expected at least 2 dimensions, got {a.type}")
    moved, mask = _diagonal_mask(a, int(offset), axis1, axis2)
    return T.sum(T.where(mask, moved, T.zeros_like(moved)), axis=(-2, -1))


def kron(a, b):
    """The Kronecker product (numpy.kron): blocks ``a[i, j] * b``.

    Parameters
    ----------
    a, b : Variable
        The factors.

    Returns
    -------
    Variable
        Of shape ``a.shape * b.shape`` (after padding the shorter shape with ones).

    Examples
    --------
    >>> a, b = T.dmatrices('a', 'b')
    >>> theon.function([a, b], T.nlinalg.kron(a, b))([[1., 2.]], [[1.], [10.]])
    array([[ 1.,  2.],
           [10., 20.]])
    """
    T = _T()
    a, b = as_tensor_variable(a), as_tensor_variable(b)
    nd = max(a.ndim, b.ndim)
    if nd == 0:
        return a * b
    a = T.shape_padleft(a, nd - a.ndim) if a.ndim < nd else a
    b = T.shape_padleft(b, nd - b.ndim) if b.ndim < nd else b
    pa, pb = [], []
    for d in range(nd):
        pa += [d, "x"]
        pb += ["x", d]
    prod = a.dimshuffle(*pa) * b.dimshuffle(*pb)
    return T.reshape(prod, [a.shape[d] * b.shape[d] for d in range(nd)], ndim=nd)


def matrix_power(M, n):
    """``M`` to the integer power ``n`` by repeated squaring (numpy.linalg.matrix_power).

    Parameters
    ----------
    M : Variable
        Square matrices (a stack of them in the leading axes).
    n : int
        A negative n inverts first; 0 gives identities.

    Returns
    -------
    Variable
        Of the shape of ``M``.

    Examples
    --------
    >>> m = T.dmatrix('m')
    >>> theon.function([m], T.nlinalg.matrix_power(m, 3))([[1., 1.], [0., 1.]])
    array([[1., 3.],
           [0., 1.]])
    """
    T = _T()
    M = as_tensor_variable(M)
    if not isinstance(n, numbers.Integral):
        raise TypeError(f"matrix_power: the exponent must be an integer, got {n!r}")
    if M.ndim < 2:
        raise ValueError(f"matrix_power: expected at least 2 dimensions, got {M.type}")
    if n == 0:
        eye = T.eye(M.shape[-1], dtype=M.dtype)
        return eye + T.zeros_like(M)
    if n < 0:
        M, n = matrix_inverse(M), -n
    result, square = None, M
    while n:
        if n & 1:
            result = square if result is None else T.matmul(result, square)
        n >>= 1
        if n:
            square = T.matmul(square, square)
    return result


def _as_float(x):
    T = _T()
    x = as_tensor_variable(x)
    return x if x.dtype in ("float32", "float64") else T.cast(x, "float64")


def _vector_norm(x, ord, axis, keepdims):
    T = _T()
    ax = abs(x)
    if ord is None or ord == 2:
        return T.sqrt(T.sum(x * x, axis=axis, keepdims=keepdims))
    if ord == np.inf:
        return T.max(ax, axis=axis, keepdims=keepdims)
    if ord == -np.inf:
        return T.min(ax, axis=axis, keepdims=keepdims)
    if ord == 0:
        return T.sum(T.cast(T.neq(x, 0), x.dtype), axis=axis, keepdims=keepdims)
    if ord == 1:
        return T.sum(ax, axis=axis, keepdims=keepdims)
    if isinstance(ord, str):
        raise ValueError(f"norm: invalid norm order {ord!r} for vectors")
    p = float(ord)
    return T.sum(ax ** p, axis=axis, keepdims=keepdims) ** (1.0 / p)


def _matrix_norm(x, ord, axes, keepdims):
    T = _T()
    nd = x.ndim
    r, c = (_axis(a, nd, "norm") for a in axes)
    if r == c:
        raise ValueError("norm: duplicate axes given")
    if ord in (None, "fro", "f"):
        out = T.sqrt(T.sum(x * x, axis=(r, c)))
    elif ord in (2, -2, "nuc"):
        rest = [d for d in range(nd) if d not in (r, c)]
        s = svd(T.transpose(x, rest + [r, c]), compute_uv=False)
        out = T.sum(s, axis=-1) if ord == "nuc" else (
            T.max(s, axis=-1) if ord == 2 else T.min(s, axis=-1))
    elif ord in (1, -1, np.inf, -np.inf):
        ax = abs(x)
        along, across = (r, c) if ord in (1, -1) else (c, r)
        sums = T.sum(ax, axis=along)
        across -= int(across > along)
        out = T.max(sums, axis=across) if ord > 0 else T.min(sums, axis=across)
    else:
        raise ValueError(f"norm: invalid norm order {ord!r} for matrices")
    if keepdims:
        out = T.expand_dims(out, sorted((r, c)))
    return out


def norm(x, ord=None, axis=None, keepdims=False):
    """A vector or matrix norm (numpy.linalg.norm).

    Parameters
    ----------
    x : Variable
        The input.
    ord : {None, 'fro', 'nuc', inf, -inf, int, float}
        Vector norms (None/2, inf, -inf, 0, 1, any p) over one axis; matrix norms ('fro', 'nuc',
        inf, -inf, 1, -1, 2, -2) over two.
    axis : None, int or pair of int
        With None, the 2-norm of the flattened array, or for a 1-d/2-d x the vector/matrix norm
        ``ord``.
    keepdims : bool
        Keep the reduced axes with size 1.

    Returns
    -------
    Variable
        ``x`` without the reduced axes.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], [T.nlinalg.norm(x), T.nlinalg.norm(x, 1)])([3., -4.])
    [array(5.), array(7.)]
    """
    T = _T()
    x = _as_float(x)
    if axis is None:
        if ord is None:
            out = T.sqrt(T.sum(x * x))
            if keepdims:
                out = T.reshape(out, (1,) * x.ndim, ndim=x.ndim)
            return out
        if x.ndim == 1:
            return _vector_norm(x, ord, 0, keepdims)
        if x.ndim == 2:
            return _matrix_norm(x, ord, (0, 1), keepdims)
        raise ValueError(f"norm: an order needs a 1-d or 2-d input or an axis, got {x.type}")
    if isinstance(axis, numbers.Integral):
        return _vector_norm(x, ord, _axis(axis, x.ndim, "norm"), keepdims)
    axis = tuple(axis)
    if len(axis) == 1:
        return _vector_norm(x, ord, _axis(axis[0], x.ndim, "norm"), keepdims)
    if len(axis) == 2:
        return _matrix_norm(x, ord, axis, keepdims)
    raise ValueError(f"norm: axis must be an int or a pair, got {axis!r}")


def _product(dims):
    return functools.reduce(lambda p, d: p * d, dims)


def tensorinv(a, ind=2):
    """The inverse of ``a`` seen as a matrix (numpy.linalg.tensorinv).

    The rows are its first ``ind`` axes, the columns the others.

    Parameters
    ----------
    a : Variable
        The tensor.
    ind : int
        The number of leading axes forming the rows.

    Returns
    -------
    Variable
        Of shape ``a.shape[ind:] + a.shape[:ind]``.

    Examples
    --------
    >>> a = T.dtensor3('a')
    >>> out = theon.function([a], T.nlinalg.tensorinv(a, ind=1))(np.eye(4).reshape(4, 2, 2))
    >>> out.shape
    (2, 2, 4)
    """
    T = _T()
    a = as_tensor_variable(a)
    if not 0 < ind < a.ndim:
        raise ValueError(f"tensorinv: ind must be in [1, {a.ndim - 1}], got {ind}")
    rows, cols = [a.shape[d] for d in range(ind)], [a.shape[d] for d in range(ind, a.ndim)]
    inv_ = matrix_inverse(T.reshape(a, [_product(rows), _product(cols)], ndim=2))
    return T.reshape(inv_, cols + rows, ndim=a.ndim)


def tensorsolve(a, b, axes=None):
    """The ``x`` with ``tensordot(a, x, x.ndim) == b`` (numpy.linalg.tensorsolve).

    Parameters
    ----------
    a : Variable
        The coefficients.
    b : Variable
        The right-hand side, of shape ``a.shape[:b.ndim]``.
    axes : sequence of int
        Axes of ``a`` moved to the end first.

    Returns
    -------
    Variable
        Of shape ``a.shape[b.ndim:]``.

    Examples
    --------
    >>> a, b = T.dtensor3('a'), T.dvector('b')
    >>> f = theon.function([a, b], T.nlinalg.tensorsolve(a, b))
    >>> f(np.eye(4).reshape(4, 2, 2), np.arange(4.))
    array([[0., 1.],
           [2., 3.]])
    """
    T = _T()
    a, b = as_tensor_variable(a), as_tensor_variable(b)
    if axes is not None:
        axes = [_axis(d, a.ndim, "tensorsolve") for d in axes]
        a = T.transpose(a, [d for d in range(a.ndim) if d not in axes] + axes)
    if a.ndim <= b.ndim:
        raise ValueError(f"tensorsolve: a {a.type} needs more dimensions than b {b.type}")
    q = [a.shape[d] for d in range(b.ndim, a.ndim)]
    n = _product(q)
    rows = _product([a.shape[d] for d in range(b.ndim)]) if b.ndim else 1
    x = build("solve", T.reshape(a, [rows, n], ndim=2), T.reshape(b, [rows], ndim=1))
    return T.reshape(x, q, ndim=len(q))


def lstsq(a, b, rcond=None):
    """The least-squares solution of ``a @ x = b`` (numpy.linalg.lstsq), through the SVD.

    Parameters
    ----------
    a : matrix Variable
        The coefficients.
    b : vector or matrix Variable
        The right-hand side.
    rcond : float
        Singular values at most ``rcond * max(s)`` are dropped (default: machine epsilon times
        max(m, n)).

    Returns
    -------
    tuple of Variable
        ``(x, residuals, rank, s)``: residuals is the squared 2-norm of ``b - a x`` per column when
        a has full column rank and more rows than columns, else empty (NumPy's rule, decided at run
        time).

    Examples
    --------
    >>> a, b = T.dmatrix('a'), T.dvector('b')
    >>> x, residuals, rank, s = T.nlinalg.lstsq(a, b)
    >>> theon.function([a, b], [x, rank])([[1., 0.], [0., 1.], [0., 0.]], [1., 2., 3.])
    [array([1., 2.]), array(2)]
    """
    T = _T()
    a, b = _as_float(a), _as_float(b)
    if a.ndim != 2 or b.ndim not in (1, 2):
        raise ValueError(f"lstsq: expected a matrix a and a vector or matrix b, got {a.type} "
                         f"and {b.type}")
    m, n = a.shape[0], a.shape[1]
    if rcond is None:
        eps = float(np.finfo(a.dtype).eps)
        rcond = T.cast(T.maximum(m, n), a.dtype) * eps
    u, s, vh = svd(a, full_matrices=False)
    cutoff = T.max(s, keepdims=True) * rcond
    kept = T.gt(s, cutoff)
    inv_s = T.where(kept, 1.0 / T.where(kept, s, T.ones_like(s)), T.zeros_like(s))
    ub = T.dot(u.T, b)
    scaled = ub * (inv_s if b.ndim == 1 else inv_s.dimshuffle(0, "x"))
    x = T.dot(vh.T, scaled)
    rank = T.sum(T.cast(kept, "int64"))
    resid = b - T.dot(a, x)
    sq = T.sum(resid * resid, axis=0)
    if b.ndim == 1:
        sq = T.reshape(sq, (1,), ndim=1)
    full = T.and_(T.eq(rank, n), T.gt(m, n))
    residuals = sq[:T.switch(full, sq.shape[0], 0)]
    return x, residuals, rank, s


def matrix_dot(*args):
    """The product of the matrices in order (Theano's matrix_dot).

    Parameters
    ----------
    *args : Variable
        Matrices (or vectors at the ends).

    Returns
    -------
    Variable
        ``args[0] @ args[1] @ ...``.

    Examples
    --------
    >>> a, b, c = T.dmatrices('a', 'b', 'c')
    >>> f = theon.function([a, b, c], T.nlinalg.matrix_dot(a, b, c))
    >>> f([[1., 2.]], [[1.], [1.]], [[10.]])
    array([[30.]])
    """
    T = _T()
    out = args[0]
    for a in args[1:]:
        out = T.dot(out, a)
    return out
