"""np.einsum lowered when the graph is built to Theon's products, reductions and shape ops:
repeated indices of one operand become a diagonal, indices only one operand has are summed
first, then operands are contracted two at a time (tensordot, or matmul when they share batch
indices; a broadcast product where nothing is summed), in a greedy order that contracts first
the pair whose result is smallest. The gradient is that of the parts."""

import string

import numpy as np

from theon.tensor._blas import matmul, tensordot
from theon.tensor._build import as_tensor_variable, build
from theon.tensor._numpy_funcs import diagonal, fail
from theon.tensor._reduce import sum as _sum
from theon.tensor._shape import dimshuffle, reshape

__all__ = ["einsum"]

# The size assumed for a dimension whose static size is unknown, when ordering contractions.
_UNKNOWN_SIZE = 1024


class _Term:
    """An operand during the lowering: its variable and one index letter per dimension."""

    def __init__(self, var, letters):
        self.var, self.letters = var, letters

    def size_of(self, letter):
        s = self.var.static_shape[self.letters.index(letter)]
        return _UNKNOWN_SIZE if s is None else s


def _parse(subscripts, operands):
    """The input letter strings and the output letters, with '...' expanded into letters of
    their own (upper case, right-aligned across the operands as NumPy broadcasts them)."""
    spec = subscripts.replace(" ", "")
    if "->" in spec:
        lhs, out = spec.split("->")
    else:
        lhs, out = spec, None
    inputs = lhs.split(",")
    if len(inputs) != len(operands):
        raise fail(ValueError, "einsum", f"{len(inputs)} operand subscripts for "
                   f"{len(operands)} operands")
    free = [c for c in string.ascii_uppercase + string.ascii_lowercase if c not in spec]
    ell_nd = 0
    for term, op in zip(inputs, operands):
        if "..." in term:
            ell_nd = max(ell_nd, op.ndim - len(term.replace("...", "")))
    ellipsis = "".join(free[:ell_nd])
    expanded = []
    for term, op in zip(inputs, operands):
        if "..." in term:
            k = op.ndim - len(term.replace("...", ""))
            if k < 0:
                raise fail(ValueError, "einsum", f"operand {op.type} has fewer dimensions "
                           f"than its subscripts {term!r}")
            term = term.replace("...", ellipsis[ell_nd - k:])
        if not all(c.isalpha() for c in term):
            raise fail(ValueError, "einsum", f"invalid subscripts {term!r}")
        if len(term) != op.ndim:
            raise fail(ValueError, "einsum", f"subscripts {term!r} for an operand of "
                       f"{op.ndim} dimensions ({op.type})")
        expanded.append(term)
    if out is None:
        counts = {}
        for term in expanded:
            for c in term:
                counts[c] = counts.get(c, 0) + 1
        out = ellipsis + "".join(sorted(c for c, n in counts.items()
                                        if n == 1 and c not in ellipsis))
    else:
        out = out.replace("...", ellipsis)
        seen = set("".join(expanded))
        for c in out:
            if c not in seen:
                raise fail(ValueError, "einsum", f"output subscript {c!r} is in no operand")
        if len(set(out)) != len(out):
            raise fail(ValueError, "einsum", f"output subscripts {out!r} repeat an index")
    return expanded, out


def _take_diagonals(term):
    """Repeated letters of one operand (np.einsum('ii->i')) become its diagonal."""
    while True:
        repeated = [c for c in term.letters if term.letters.count(c) > 1]
        if not repeated:
            return term
        c = repeated[0]
        a1 = term.letters.index(c)
        a2 = term.letters.index(c, a1 + 1)
        var = diagonal(term.var, 0, a1, a2)
        letters = [x for k, x in enumerate(term.letters) if k not in (a1, a2)] + [c]
        term = _Term(var, "".join(letters))


def _sum_letters(term, letters):
    axes = [k for k, c in enumerate(term.letters) if c in letters]
    if not axes:
        return term
    return _Term(_sum(term.var, axis=axes), "".join(c for c in term.letters if c not in letters))


def _transpose(term, letters):
    if term.letters == letters:
        return term.var
    return dimshuffle(term.var, *[term.letters.index(c) for c in letters])


def _pair_result(a, b, keep):
    """The letters of the contraction of a and b that are needed afterwards."""
    return [c for c in dict.fromkeys(a.letters + b.letters) if c in keep]


def _contract(a, b, keep):
    """a and b contracted over their shared letters not in ``keep``."""
    shared = [c for c in a.letters if c in b.letters]
    summed = [c for c in shared if c not in keep]
    batch = [c for c in shared if c in keep]
    a_only = [c for c in a.letters if c not in b.letters]
    b_only = [c for c in b.letters if c not in a.letters]
    if not summed:
        # A broadcast product: both operands laid out over the union of their letters.
        union = batch + a_only + b_only
        va = dimshuffle(a.var, *[a.letters.index(c) if c in a.letters else "x" for c in union])
        vb = dimshuffle(b.var, *[b.letters.index(c) if c in b.letters else "x" for c in union])
        return _Term(va * vb, "".join(union))
    if not batch:
        out = tensordot(a.var, b.var, axes=[[a.letters.index(c) for c in summed],
                                            [b.letters.index(c) for c in summed]])
        return _Term(out, "".join(a_only + b_only))
    # Shared kept letters: a batched matrix product over (batch, a_only, summed) x
    # (batch, summed, b_only), the groups flattened.
    va = _transpose(a, "".join(batch + a_only + summed))
    vb = _transpose(b, "".join(batch + summed + b_only))
    if len(a_only) == len(summed) == len(b_only) == 1:
        return _Term(matmul(va, vb), "".join(batch + a_only + b_only))
    dims_a = [va.shape[k] for k in range(va.ndim)]
    dims_b = [vb.shape[k] for k in range(vb.ndim)]
    nb, na, ns = len(batch), len(a_only), len(summed)
    flat_a = reshape(va, dims_a[:nb] + [_prod(dims_a[nb:nb + na]), _prod(dims_a[nb + na:])])
    flat_b = reshape(vb, dims_b[:nb] + [_prod(dims_b[nb:nb + ns]), _prod(dims_b[nb + ns:])])
    out = matmul(flat_a, flat_b)
    out = reshape(out, [out.shape[k] for k in range(nb)] + dims_a[nb:nb + na] +
                  dims_b[nb + ns:])
    return _Term(out, "".join(batch + a_only + b_only))


def _prod(dims):
    out = 1
    for d in dims:
        out = out * d
    return out


def _cost(a, b, keep):
    sizes = {}
    for t in (a, b):
        for c in t.letters:
            sizes[c] = max(sizes.get(c, 1), t.size_of(c))
    return int(np.prod([sizes[c] for c in _pair_result(a, b, keep)], dtype=np.float64))


def einsum(subscripts, *operands):
    """Einstein summation (np.einsum).

    Parameters
    ----------
    subscripts : str
        Explicit ('ij,jk->ik') or implicit output, '...' broadcasting, repeated indices
        (diagonals).
    *operands : Variable or array_like
        Any number of them.

    Returns
    -------
    Variable

    Examples
    --------
    >>> a, b = T.dmatrices('a', 'b')
    >>> theon.function([a, b], T.einsum('ij,jk->ik', a, b))([[1., 2.]], [[3.], [4.]])
    array([[11.]])
    """
    if not isinstance(subscripts, str):
        raise fail(TypeError, "einsum", "only the subscripts-string form is supported")
    ops = [as_tensor_variable(o) for o in operands]
    if not ops:
        raise fail(ValueError, "einsum", "at least one operand is needed")
    letters, out = _parse(subscripts, ops)
    terms = [_take_diagonals(_Term(v, s)) for v, s in zip(ops, letters)]

    def needed(exclude):
        """The letters still needed outside the terms at positions ``exclude``."""
        keep = set(out)
        for k, t in enumerate(terms):
            if k not in exclude:
                keep |= set(t.letters)
        return keep

    terms = [_sum_letters(t, set(t.letters) - needed({k})) for k, t in enumerate(terms)]
    while len(terms) > 1:
        best = None
        for i in range(len(terms)):
            for j in range(i + 1, len(terms)):
                cost = _cost(terms[i], terms[j], needed({i, j}))
                if best is None or cost < best[0]:
                    best = (cost, i, j)
        _, i, j = best
        merged = _contract(terms[i], terms[j], needed({i, j}))
        terms = [t for k, t in enumerate(terms) if k not in (i, j)] + [merged]
    result = _sum_letters(terms[0], set(terms[0].letters) - set(out))
    dtype = np.result_type(*[np.dtype(o.dtype) for o in ops]).name
    var = _transpose(result, out)
    return var if var.dtype == dtype else build("cast", var, dtype=dtype)
