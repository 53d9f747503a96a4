"""Op-table rows of the linear-algebra ops (src/ops/linalg/): values against numpy.linalg and
scipy.linalg on well-conditioned random inputs (positive-definite matrices for the Cholesky
family, diagonally dominant ones for the solves and inverses, symmetric matrices with spread
eigenvalues for eigh), stacks of matrices, empty and size-1 cases. Factorizations determined
only up to signs (eigenvectors, singular vectors, q of QR) are compared after fixing the signs
the same way on both sides."""

import numpy as np
import scipy.linalg as sl

import theon.tensor as T
from op_table_kinds import FLOATS, Row
from theon.tensor._build import build


def _dominant(rng, dtype, shape, case):
    """Random matrices plus n on the diagonal: well conditioned."""
    a = rng.uniform(-1, 1, size=shape)
    if shape[-1] and shape[-2] == shape[-1]:
        a = a + (shape[-1] + 1) * np.eye(shape[-1])  # + 1: nonsingular as integers too
    return a


def _spd(rng, dtype, shape, case):
    """Symmetric positive-definite matrices x x^T / n + I."""
    x = rng.uniform(-1, 1, size=shape)
    n = max(shape[-1], 1)
    return x @ np.swapaxes(x, -1, -2) / n + np.eye(shape[-1])


def _spread_symmetric(rng, dtype, shape, case):
    """Symmetric matrices with eigenvalues 1, 2, ..., n (distinct and well separated)."""
    n = shape[-1]
    q, _ = np.linalg.qr(rng.normal(size=shape))
    return q @ (np.arange(1, n + 1) * np.swapaxes(q, -1, -2))


def _real_spectrum(rng, dtype, shape, case):
    """General matrices s diag(1, ..., n) s^-1: not symmetric, eigenvalues real and distinct."""
    s = _dominant(rng, dtype, shape, case)
    return (s * np.arange(1, shape[-1] + 1)) @ np.linalg.inv(s)


def _band(lower, upper):
    """Band storage (lower + upper + 1, n) of a diagonally dominant band matrix."""
    def domain(rng, dtype, shape, case):
        ab = rng.uniform(-1, 1, size=shape)
        ab[upper] += lower + upper + 2
        return ab
    return domain


def _solve_banded_ref(lower, upper):
    def ref(ab, b):
        if ab.shape[1] == 0:
            return np.zeros(b.shape, np.result_type(ab, b, np.float32))
        return sl.solve_banded((lower, upper), ab, b)
    return ref


def _lower_tri(rng, dtype, shape, case):
    return np.tril(_dominant(rng, dtype, shape, case))


def _cholesky_factor(rng, dtype, shape, case):
    return np.linalg.cholesky(_spd(rng, dtype, shape, case))


def _upper(a):
    return np.swapaxes(a, -1, -2)


# Sign fixing: each column of v (and the matching row of vh) scaled by the sign of a weighted
# sum of its entries (weights 1 + i/m, so that no random column sums to zero); q's columns and
# r's rows by the sign of r's diagonal.
def _np_col_signs(v):
    w = 1 + np.arange(v.shape[-2]) / max(v.shape[-2], 1)
    s = np.sum(v * w[:, None], axis=-2, keepdims=True)
    return np.where(s < 0, -1.0, 1.0).astype(v.dtype)


def _th_col_signs(v):
    m = v.shape[-2]
    w = 1 + T.cast(T.arange(m), v.dtype) / T.cast(T.maximum(m, 1), v.dtype)
    s = T.sum(v * w.dimshuffle(0, "x"), axis=-2, keepdims=True)
    return T.where(T.lt(s, 0), -T.ones_like(s), T.ones_like(s))


def _np_eigh(a):
    w, v = np.linalg.eigh(a)
    return w, v * _np_col_signs(v)


def _th_eigh(a):
    w, v = T.nlinalg.eigh(a)
    return w, v * _th_col_signs(v)


def _np_eig(a):
    w, v = np.linalg.eig(a)
    return w, v * _np_col_signs(v)


def _th_eig(a):
    w, v = T.nlinalg.eig(a)
    return w, v * _th_col_signs(v)


def _np_svd(a):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    sg = _np_col_signs(u)
    return u * sg, s, vh * _upper(sg)


def _th_svd(a):
    u, s, vh = T.nlinalg.svd(a, full_matrices=False)
    sg = _th_col_signs(u)
    return u * sg, s, vh * sg.swapaxes(-1, -2)


def _np_qr(a):
    q, r = np.linalg.qr(a)
    d = np.where(np.diagonal(r, axis1=-2, axis2=-1) < 0, -1.0, 1.0).astype(r.dtype)
    return q * d[..., None, :], r * d[..., :, None]


def _th_qr(a):
    q, r = T.nlinalg.qr(a)
    n = r.shape[-1]
    k = r.shape[-2]
    rows = T.arange(k).dimshuffle(0, "x")
    cols = T.arange(n).dimshuffle("x", 0)
    diag = T.sum(T.where(T.eq(rows, cols), r, T.zeros_like(r)), axis=-1)
    d = T.where(T.lt(diag, 0), -T.ones_like(diag), T.ones_like(diag))
    return q * d.dimshuffle(*range(d.ndim - 1), "x", d.ndim - 1), r * d.dimshuffle(
        *range(d.ndim), "x")


def _solve_ref(a, b):
    if b.ndim == 1:
        return np.linalg.solve(a, b[..., None])[..., 0] if a.ndim > 2 else np.linalg.solve(a, b)
    return np.linalg.solve(a, b)


def _tri_ref(lower, trans, unit):
    def ref(a, b):
        m = np.tril(a) if lower else np.triu(a)
        if unit:
            m = m - np.diagonal(m, axis1=-2, axis2=-1)[..., None] * np.eye(a.shape[-1]) + np.eye(
                a.shape[-1])
        if trans:
            m = _upper(m)
        return _solve_ref(m.astype(np.result_type(a, b)), b)
    return ref


def _sym_from(a, lower):
    t = np.tril(a) if lower else np.triu(a)
    return t + _upper(t) - np.diagonal(a, axis1=-2, axis2=-1)[..., None] * np.eye(a.shape[-1])


def _sym_solve_ref(lower):
    return lambda a, b: _solve_ref(_sym_from(a, lower), b)


def _cho_solve_ref(lower):
    def ref(c, b):
        m = np.tril(c) if lower else np.triu(c)
        a = m @ _upper(m) if lower else _upper(m) @ m
        return _solve_ref(a, b)
    return ref


# Tolerances of solves and inverses, and of decompositions (the reference's LAPACK may differ
# from Theon's in rounding); "float": integers compute in float64, float32 stays float32.
_TOL = {"rtol": 1e-10, "rtol32": 1e-4, "rule": "float"}
_TOL_DECOMP = {"rtol": 1e-9, "rtol32": 1e-3, "rule": "float"}

_SQUARE = [((3, 3),), ((0, 0),), ((1, 1),)]
_STACKS = [((2, 4, 4),), ((2, 0, 0),), ((1, 1, 1),)]
_SYSTEMS = [((4, 4), (4, 2)), ((0, 0), (0, 2)), ((1, 1), (1, 1))]
_STACKED_SYSTEMS = [((2, 3, 3), (2, 3, 1)), ((2, 3, 3), (1, 3, 2)), ((0, 3, 3), (0, 3, 1)),
                    ((1, 1, 1), (1, 1, 1))]
_VECTOR_SYSTEMS = [((4, 4), (4,)), ((0, 0), (0,)), ((1, 1), (1,))]
_RECT = [((4, 3),), ((3, 5),), ((0, 3),), ((1, 1),)]


def _np_pinv(a):
    return np.linalg.pinv(a)


LINALG = [
    Row("cholesky", np.linalg.cholesky, _SQUARE, params={"lower": True}, domains=(_spd,),
        dtypes=FLOATS + ("int64",), grad=2, **_TOL),
    Row("cholesky", np.linalg.cholesky, _STACKS, domains=(_spd,), grad=1, **_TOL,
        variant="stacked"),
    Row("cholesky", lambda a: _upper(np.linalg.cholesky(a)), _SQUARE, params={"lower": False},
        domains=(_spd,), grad=1, **_TOL, variant="upper"),
    Row("solve", _solve_ref, _SYSTEMS, domains=(_dominant, "any"),
        dtypes=FLOATS + (("float32", "float64"), "int64"), grad=2, **_TOL),
    Row("solve", _solve_ref, _STACKED_SYSTEMS, domains=(_dominant, "any"), grad=1, **_TOL,
        variant="stacked"),
    Row("solve", _solve_ref, _VECTOR_SYSTEMS, domains=(_dominant, "any"), grad=1, **_TOL,
        variant="vector"),
    Row("solve", _sym_solve_ref(True), _SYSTEMS, params={"assume_a": "sym", "lower": True},
        domains=(_dominant, "any"), grad=1, **_TOL, variant="sym"),
    Row("solve", _sym_solve_ref(False), _SYSTEMS, params={"assume_a": "pos", "lower": False},
        domains=(_spd, "any"), grad=1, **_TOL, variant="pos"),
    Row("solve_triangular", _tri_ref(True, False, False), _SYSTEMS, params={"lower": True},
        domains=(_dominant, "any"), grad=2, **_TOL),
    Row("solve_triangular", _tri_ref(False, True, False), _VECTOR_SYSTEMS,
        params={"lower": False, "trans": 1}, domains=(_dominant, "any"), grad=1, **_TOL,
        variant="upper-trans"),
    Row("solve_triangular", _tri_ref(True, False, True), _SYSTEMS,
        params={"lower": True, "unit_diagonal": True}, domains=(_lower_tri, "any"), grad=1,
        **_TOL, variant="unit"),
    Row("cho_solve", _cho_solve_ref(True), _SYSTEMS, params={"lower": True},
        domains=(_cholesky_factor, "any"), grad=1, **_TOL),
    Row("cho_solve", _cho_solve_ref(True), _STACKED_SYSTEMS, params={"lower": True},
        domains=(_cholesky_factor, "any"), grad=1, **_TOL, variant="stacked"),
    Row("solve_triangular", _tri_ref(True, False, False), _STACKED_SYSTEMS,
        params={"lower": True}, domains=(_dominant, "any"), grad=1, **_TOL,
        variant="stacked"),
    Row("cho_solve", _cho_solve_ref(False), _VECTOR_SYSTEMS,
        params={"lower": False}, domains=(lambda *a: _upper(_cholesky_factor(*a)), "any"),
        grad=1, **_TOL, variant="upper"),
    Row("solve_banded", _solve_banded_ref(1, 2), [((4, 5), (5,)), ((4, 0), (0,)), ((4, 1), (1,))],
        params={"lower": 1, "upper": 2}, domains=(_band(1, 2), "any"), grad=1, **_TOL),
    Row("solve_banded", _solve_banded_ref(2, 0), [((3, 5), (5, 2)), ((3, 0), (0, 2)),
                                                 ((3, 1), (1, 1))],
        params={"lower": 2, "upper": 0}, domains=(_band(2, 0), "any"), grad=1, **_TOL,
        variant="matrix"),
    Row("det", np.linalg.det, _SQUARE, domains=(_dominant,), dtypes=FLOATS + ("int64",), grad=2,
        **_TOL),
    Row("det", np.linalg.det, _STACKS, domains=(_dominant,), grad=1, **_TOL,
        variant="stacked"),
    Row("slogdet", lambda a: tuple(np.linalg.slogdet(a)), _STACKS, domains=(_dominant,),
        grad=1, **_TOL, variant="stacked"),
    Row("matrix_inverse", np.linalg.inv, _STACKS, domains=(_dominant,), grad=1, **_TOL,
        variant="stacked"),
    Row("eigh", _np_eigh, _STACKS, build=_th_eigh, domains=(_spread_symmetric,), grad=1,
        **_TOL_DECOMP, variant="stacked"),
    Row("svd", _np_svd, [((2, 3, 5),), ((2, 0, 3),), ((1, 1, 1),)], build=_th_svd,
        domains=(_dominant,), grad=1, **_TOL_DECOMP, variant="stacked"),
    Row("expm", sl.expm, _STACKS, grad=1, **_TOL, variant="stacked"),
    Row("slogdet", lambda a: tuple(np.linalg.slogdet(a)), _SQUARE, domains=(_dominant,),
        grad=1, **_TOL),
    Row("matrix_inverse", np.linalg.inv, _SQUARE, domains=(_dominant,),
        dtypes=FLOATS + ("int64",), grad=2, **_TOL),
    Row("eigh", _np_eigh, _SQUARE, build=_th_eigh, domains=(_spread_symmetric,), grad=1,
        **_TOL_DECOMP),
    Row("eig", _np_eig, _SQUARE, build=_th_eig, domains=(_real_spectrum,), grad=1,
        **_TOL_DECOMP),
    Row("eig", _np_eig, _STACKS, build=_th_eig, domains=(_real_spectrum,), grad=1,
        **_TOL_DECOMP, variant="stacked"),
    Row("eigvals", np.linalg.eigvals, _SQUARE, domains=(_real_spectrum,), grad=1,
        **_TOL_DECOMP),
    Row("eigvalsh", np.linalg.eigvalsh, _SQUARE, domains=(_spread_symmetric,), grad=1,
        **_TOL_DECOMP),
    Row("svd", _np_svd, _RECT + [((3, 3),)], build=_th_svd,
        domains=(_dominant,), grad=1, **_TOL_DECOMP),
    Row("svd", lambda a: np.linalg.svd(a, compute_uv=False), _RECT,
        params={"compute_uv": False}, domains=(_dominant,), grad=1, **_TOL_DECOMP,
        variant="s"),
    Row("svd", lambda a: tuple(np.abs(x) for x in np.linalg.svd(a, full_matrices=True)), _RECT,
        build=lambda a: [abs(x) for x in build("svd", a, full_matrices=True)],
        domains=(_dominant,), **_TOL_DECOMP, variant="full"),
    Row("qr", _np_qr, [((4, 3),), ((3, 5),), ((1, 1),), ((3, 0),)], build=_th_qr,
        domains=(_dominant,),
        grad=1, **_TOL_DECOMP),
    Row("qr", lambda a: np.abs(np.linalg.qr(a, mode="r")), _RECT, params={"mode": "r"},
        build=lambda a: abs(build("qr", a, mode="r")), domains=(_dominant,), **_TOL_DECOMP,
        variant="r"),
    Row("qr", lambda a: tuple(np.abs(x) for x in np.linalg.qr(a, mode="complete")), _RECT,
        build=lambda a: [abs(x) for x in build("qr", a, mode="complete")],
        domains=(_dominant,), **_TOL_DECOMP, variant="complete"),
    Row("pinv", _np_pinv, [((4, 3),), ((3, 5),), ((1, 1),), ((3, 3),), ((0, 3),)],
        domains=(_dominant,), grad=1, **_TOL_DECOMP),
    Row("expm", sl.expm, _SQUARE, dtypes=FLOATS,
        grad=1, **_TOL),
]

# Rows of compositions written in Python (theon/tensor/nlinalg.py): row name -> how built.
COMPOSITIONS = {
    "trace": "nlinalg.trace: a masked sum",
    "kron": "nlinalg.kron: a broadcast product reshaped",
    "matrix_power": "nlinalg.matrix_power: repeated matmul",
    "norm": "nlinalg.norm: reductions (and the SVD for ord 2, -2, 'nuc')",
    "tensorinv": "nlinalg.tensorinv: reshape, matrix_inverse, reshape",
    "tensorsolve": "nlinalg.tensorsolve: reshape, solve, reshape",
}

LINALG_COMPOSED = [
    Row("trace", np.trace, [((3, 4),), ((0, 2),), ((1, 1),)],
        build=lambda a: T.nlinalg.trace(a), dtypes=FLOATS + ("int64",), grad=1),
    Row("trace", lambda a: np.trace(a, offset=1, axis1=1, axis2=2), [((2, 3, 4),), ((1, 0, 2),),
                                                                     ((1, 1, 1),)],
        build=lambda a: T.nlinalg.trace(a, 1, 1, 2), grad=1, variant="offset"),
    Row("kron", np.kron, [((2, 3), (3, 2)), ((0, 2), (2, 2)), ((1, 1), (1, 1))],
        build=lambda a, b: T.nlinalg.kron(a, b), dtypes=FLOATS + ("int64",), grad=1),
    Row("kron", np.kron, [((3,), (2, 2)), ((0,), (2, 2)), ((1,), (1, 1))],
        build=lambda a, b: T.nlinalg.kron(a, b), grad=1, variant="mixed"),
    Row("matrix_power", lambda a: np.linalg.matrix_power(a, 3), _SQUARE,
        build=lambda a: T.nlinalg.matrix_power(a, 3), domains=(_dominant,), grad=1, **_TOL),
    Row("matrix_power", lambda a: np.linalg.matrix_power(a, -2), _SQUARE,
        build=lambda a: T.nlinalg.matrix_power(a, -2), domains=(_dominant,), grad=1, **_TOL,
        variant="negative"),
    Row("matrix_power", lambda a: np.linalg.matrix_power(a, 0), _SQUARE,
        build=lambda a: T.nlinalg.matrix_power(a, 0), variant="zero"),
    Row("tensorinv", lambda a: np.linalg.tensorinv(a, ind=2), [((2, 3, 6),), ((1, 1, 1),)],
        build=lambda a: T.nlinalg.tensorinv(a, ind=2),
        domains=(lambda r, d, s, c: _dominant(r, d, (s[0] * s[1], s[2]), c).reshape(s),),
        grad=1, **_TOL),
    Row("tensorsolve", np.linalg.tensorsolve, [((2, 3, 6), (2, 3)), ((1, 1, 1), (1, 1)),
                                               ((0, 1, 0), (0, 1))],
        build=lambda a, b: T.nlinalg.tensorsolve(a, b),
        domains=(lambda r, d, s, c: _dominant(r, d, (s[0] * s[1], s[2]), c).reshape(s), "any"),
        grad=1, **_TOL),
]

# Rows without an empty case, with the reason (NumPy raises on these empty inputs too).
LINALG_NO_EMPTY_CASE = {
    "tensorinv": "numpy.linalg.tensorinv cannot reshape an empty array (-1 with a zero size)",
}


def _norm_row(ref, build_, cases, ord_, variant, grad, domain):
    """A norm row; orders that take a max or min over an axis have no empty case."""
    by_extremum = ord_ in (np.inf, -np.inf) or (variant.startswith("matrix") and ord_ in (
        1, -1, 2, -2))
    if by_extremum:
        cases = [c for c in cases if 0 not in c[0]]
        LINALG_NO_EMPTY_CASE["norm-" + variant] = (
            "a max/min over an empty axis, which Theon's max raises for")
    return Row("norm", ref, cases, build=build_, dtypes=FLOATS + ("int64",), grad=grad,
               domains=(domain,), **_TOL, variant=variant)


for _ord in (None, "fro", "nuc", np.inf, -np.inf, 1, -1, 2, -2):
    LINALG_COMPOSED.append(_norm_row(
        lambda a, o=_ord: np.linalg.norm(a, o), lambda a, o=_ord: T.nlinalg.norm(a, o),
        [((3, 4),), ((0, 4),), ((1, 1),), ((2, 2),)], _ord, f"matrix-{_ord}",
        1 if _ord in (None, "fro", "nuc", 2, -2) else 0, _dominant))
for _ord in (None, np.inf, -np.inf, 0, 1, 3, 0.5):
    LINALG_COMPOSED.append(_norm_row(
        lambda a, o=_ord: np.linalg.norm(a, o, axis=-1, keepdims=True),
        lambda a, o=_ord: T.nlinalg.norm(a, o, axis=-1, keepdims=True),
        [((3, 4),), ((3, 0),), ((1, 1),)], _ord, f"vector-{_ord}",
        1 if _ord in (None, 1, 3) else 0, "pos"))
