"""Op-table rows of the sparse builders (theon.sparse). The generic harness feeds dense arrays,
so each row wraps its op between csr_from_dense/csc_from_dense and dense_from_sparse: values
(with zeros mixed in, so that rows and columns without entries occur), empty and size-1 cases,
non-contiguous inputs, shape inference and numeric gradients run through the sparse op. Value
rows draw inputs with zeros; gradient rows draw nonzero inputs, since the structured gradients
are defined at the stored positions only (test_sparse.py checks those against perturbations of
the stored values, with scipy.sparse inputs of every shape)."""

import numpy as np

from op_table_kinds import Row, sample
from theon.sparse import basic as S
from theon.tensor._build import build

_FORMATS = {"csr": S.csr_from_dense, "csc": S.csc_from_dense}


def _with_zeros(rng, dtype, shape, case):
    """Random values with about half of them zero."""
    a = sample(rng, dtype, shape)
    return np.where(rng.uniform(size=shape) < 0.5, 0, a).astype(dtype)


def _nonzero(rng, dtype, shape, case):
    a = sample(rng, dtype, shape, "pos")
    return (a * np.where(rng.uniform(size=shape) < 0.5, -1, 1)).astype(dtype)


def _dense(x):
    return S.dense_from_sparse(x) if S.is_sparse_variable(x) else x


def _rows(name, ref, cases, build_fn, variant, grad=True, wrt=None):
    """A value row (inputs with zeros) and, when `grad`, a gradient row (nonzero inputs)."""
    n = len(cases[0])
    rows = [Row(name, ref, cases, build=build_fn, domains=(_with_zeros,) * n, variant=variant)]
    if grad:
        rows.append(Row(name, ref, cases, build=build_fn, domains=(_nonzero,) * n, grad=1,
                        wrt=wrt, variant=(variant + "-grad").lstrip("-")))
    return rows


def _where_stored(x, values):
    return np.where(x != 0, values, 0)


_MATRIX_CASES = [((5, 4),), ((1, 4),), ((0, 3),), ((1, 1),)]
_PRODUCT_CASES = [((5, 3), (3, 4)), ((1, 3), (3, 1)), ((0, 3), (3, 2)), ((4, 0), (0, 2))]
_VECTOR_CASES = [((5, 3), (3,)), ((1, 1), (1,)), ((0, 3), (3,)), ((2, 0), (0,))]
_PAIR_CASES = [((5, 4), (5, 4)), ((1, 4), (1, 4)), ((0, 3), (0, 3)), ((1, 1), (1, 1))]

SPARSE = []
for fmt, conv in _FORMATS.items():
    # Every op in csr; in csc the ops whose kernels read the format (to keep the suite short).
    SPARSE += _rows("sparse.dense_from_sparse", lambda x: x, _MATRIX_CASES,
                    lambda x, c=conv: S.dense_from_sparse(c(x)), fmt)
    SPARSE += _rows(f"sparse.{fmt}_from_dense", lambda x: x, _MATRIX_CASES,
                    lambda x, c=conv: _dense(c(x)), "")
    SPARSE += _rows("sparse.transpose", lambda x: x.T, _MATRIX_CASES,
                    lambda x, c=conv: _dense(S.transpose(c(x))), fmt)
    SPARSE += _rows("sparse.convert", lambda x: x, _MATRIX_CASES,
                    lambda x, c=conv, f=fmt: _dense(build("sparse.convert", c(x),
                                                          format="csc" if f == "csr" else "csr")),
                    fmt)
    SPARSE += _rows("sparse.structured_dot", lambda x, y: x @ y, _PRODUCT_CASES,
                    lambda x, y, c=conv: S.structured_dot(c(x), y), fmt)
    SPARSE += _rows("sparse.true_dot", lambda x, y: x @ y, _PRODUCT_CASES,
                    lambda x, y, c=conv: _dense(S.true_dot(c(x), c(y))), fmt)
    SPARSE += _rows("sparse.mul", lambda x, d: x * d,
                    [((5, 4), (1, 4)), ((1, 1), (1, 1)), ((0, 3), (1, 3))],
                    lambda x, d, c=conv: _dense(S.mul(c(x), d)), f"{fmt}-dense-row")
    SPARSE += _rows("sparse.sp_sum", lambda x: x.sum(axis=1), _MATRIX_CASES,
                    lambda x, c=conv: S.sp_sum(c(x), 1, True), f"{fmt}-axis1-sparsegrad")
    for stack, ref, cases in (
            ("sparse.hstack", np.hstack, [((5, 3), (5, 2)), ((1, 1), (1, 1)), ((0, 2), (0, 1))]),
            ("sparse.vstack", np.vstack, [((3, 4), (2, 4)), ((1, 1), (1, 1)), ((2, 0), (1, 0))])):
        # No gradient row: the generic verify_grad evaluates graphs node by node, and the
        # stacking gradient reads the blocks' sizes with Shape_i, whose sparse kernel only
        # compiled functions use; test_sparse.py checks it with verify_grad_sparse.
        SPARSE += _rows(stack, lambda x, y, r=ref: r([x, y]), cases,
                        lambda x, y, c=conv, s=stack: _dense(build(s, c(x), S.csr_from_dense(y),
                                                                   format="csr")), fmt,
                        grad=False)

csr = S.csr_from_dense
SPARSE += _rows("sparse.dot", lambda x, y: x @ y, _PRODUCT_CASES,
                lambda x, y: S.dot(csr(x), y), "")
for op, fn in (("sparse.structured_dot", S.structured_dot), ("sparse.dot", S.dot)):
    SPARSE += _rows(op, lambda x, y: x @ y, _PRODUCT_CASES, lambda x, y, f=fn: f(x, csr(y)),
                    "dense-left")
    SPARSE += _rows(op, lambda x, y: x @ y, _VECTOR_CASES, lambda x, y, f=fn: f(csr(x), y),
                    "vector")
SPARSE += _rows("sparse.sampling_dot", lambda x, y, p: (x @ y.T) * p,
                [((5, 3), (4, 3), (5, 4)), ((1, 1), (1, 1), (1, 1)), ((0, 2), (3, 2), (0, 3)),
                 ((2, 0), (3, 0), (2, 3))],
                lambda x, y, p: _dense(S.sampling_dot(x, y, csr(p))), "")
SPARSE += _rows("sparse.sample_dense", lambda x, g: _where_stored(x, g + 0 * x),
                [((5, 4), (1, 4)), ((1, 1), (1, 1)), ((0, 3), (1, 3)), ((2, 3), (2, 3))],
                lambda x, g: _dense(build("sparse.sample_dense", csr(x), g)), "",
                wrt=(1,))  # the pattern's values are not used
for variant, cases in (("", _PAIR_CASES), ("scalar", [((5, 4), ()), ((1, 1), ()), ((0, 3), ())])):
    SPARSE += _rows("sparse.mul", lambda x, d: x * d, cases,
                    lambda x, d: _dense(S.mul(csr(x), d)), f"dense-{variant}".rstrip("-"))
SPARSE += _rows("sparse.mul", lambda x, y: x * y, _PAIR_CASES,
                lambda x, y: _dense(S.mul(csr(x), csr(y))), "sparse")
SPARSE += _rows("sparse.add", lambda x, y: x + y, _PAIR_CASES,
                lambda x, y: _dense(S.add(csr(x), csr(y))), "sparse")
SPARSE += _rows("sparse.add", lambda x, y: x + y, _PAIR_CASES,
                lambda x, y: S.add(csr(x), y), "dense")
for axis in (None, 0, 1):
    SPARSE += _rows("sparse.sp_sum", lambda x, a=axis: x.sum(axis=a), _MATRIX_CASES,
                    lambda x, a=axis: S.sp_sum(csr(x), a, False), f"axis{axis}")
SPARSE += _rows("sparse.sp_sum", lambda x: x.sum(axis=0), _MATRIX_CASES,
                lambda x: S.sp_sum(csr(x), 0, True), "axis0-sparsegrad")

# Structured functions: their reference at the stored (nonzero) entries, their domain.
_UNARY = {
    "neg": (np.negative, None), "abs": (np.abs, None), "sqrt": (np.sqrt, "pos"),
    "sqr": (np.square, None), "sin": (np.sin, None), "tan": (np.tan, "unit"),
    "arcsin": (np.arcsin, "unit"), "arctan": (np.arctan, None), "sinh": (np.sinh, None),
    "arcsinh": (np.arcsinh, None), "tanh": (np.tanh, None), "arctanh": (np.arctanh, "unit"),
    "expm1": (np.expm1, None), "log1p": (np.log1p, "pos"), "sgn": (np.sign, None),
    "ceil": (np.ceil, None), "floor": (np.floor, None), "trunc": (np.trunc, None),
    "rint": (np.rint, None), "deg2rad": (np.deg2rad, None), "rad2deg": (np.rad2deg, None),
    "exp": (np.exp, None), "log": (np.log, "pos"),
    "sigmoid": (lambda x: 1 / (1 + np.exp(-x)), None),
}
_STEP = {"sgn", "ceil", "floor", "trunc", "rint"}


def _domain_with_zeros(domain):
    def draw(rng, dtype, shape, case):
        a = sample(rng, dtype, shape, domain or "any")
        return np.where(rng.uniform(size=shape) < 0.5, 0, a).astype(dtype)
    return draw


for _fn, (_ref, _domain) in _UNARY.items():
    _build = (lambda x, f=_fn: _dense(build("sparse.structured_unary", S.csr_from_dense(x),
                                             fn=f)))
    _r = (lambda x, f=_ref: _where_stored(x, f(np.where(x != 0, x, 1))))
    SPARSE.append(Row("sparse.structured_unary", _r, _MATRIX_CASES, build=_build,
                      domains=(_domain_with_zeros(_domain),), variant=_fn, rtol32=1e-4))
    if _fn not in _STEP:
        # Nonzero inputs inside the domain, away from 0 where the derivative is singular.
        _grad_domain = ("pos",) if _domain != "unit" else ("unit",)
        SPARSE.append(Row("sparse.structured_unary", _r, _MATRIX_CASES, build=_build,
                          domains=(_grad_domain[0] if _domain else _nonzero,), grad=1,
                          variant=_fn + "-grad", rtol32=1e-4))
