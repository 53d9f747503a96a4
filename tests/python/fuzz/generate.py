"""Random specs (see graph.py): a few inputs of mixed dtypes, layouts, empty and size-1
dimensions and NaN/inf/-0.0 values, then nodes drawn from ops.OPS whose arguments are earlier
variables (the same one twice, often, so that x - x and x / x occur). Each node is kept only
if NumPy computes it and Theon builds it with NumPy's dtype and rank."""

import warnings

import numpy as np

from .graph import (apply_node, build_theon, evaluate_numpy, input_array, input_variable,
                    prune)
from .ops import (DISCONTINUOUS, FLOATS, INTS, OPS, SIGN_SENSITIVE, rounds_differently,
                  zero_sign_unspecified)

SPECIALS = (np.nan, np.inf, -np.inf, 0.0, -0.0, 1e300, 1e-300)
MAX_ELEMENTS = 512


def _values(rng, dtype, shape, smooth):
    n = int(np.prod(shape, dtype=np.int64))
    if dtype == "bool":
        return [bool(b) for b in rng.integers(0, 2, n)]
    if dtype in INTS:
        lo, hi = (0, 12) if dtype == "uint8" else (-6, 7)
        v = rng.integers(lo, hi, n)
        if rng.integers(4) == 0 and n:  # the ends of the range, where arithmetic wraps
            info = np.iinfo(dtype)
            v[rng.integers(n)] = info.max if rng.integers(2) else info.min
        return [int(x) for x in v]
    scale = 1.5 if smooth else 3.0
    v = np.round(rng.uniform(-scale, scale, n), 3)
    if not smooth and rng.integers(2):
        mask = rng.random(n) < 0.25
        v[mask] = rng.choice(SPECIALS, int(mask.sum()))
    return [float(x) for x in v]


def _input(rng, base, smooth, dtype=None, shape=None):
    if dtype is None:
        pool = ("float64",) if smooth else FLOATS * 3 + INTS + ("bool",)
        dtype = pool[rng.integers(len(pool))]
    if shape is None:
        keep = int(rng.integers(0, len(base) + 1)) if rng.integers(3) == 0 else len(base)
        shape = [1 if rng.integers(4) == 0 else d for d in base[len(base) - keep:]]
    layouts = ("c", "f", "rev", "step")
    return {"dtype": dtype, "shape": [int(d) for d in shape],
            "layout": layouts[rng.integers(len(layouts))], "static": bool(rng.integers(4) == 0),
            "values": _values(rng, dtype, shape, smooth)}


class _State:
    """The spec being grown with, per variable, its NumPy value, its Theon variable, whether
    NumPy and Theon compute it alike to the last bit (see ops.DISCONTINUOUS) and whether the
    signs of its zeros are specified (see ops.SIGN_SENSITIVE)."""

    def __init__(self, spec):
        self.spec = spec
        self.vals = evaluate_numpy(spec)
        self.vars = build_theon(spec)[1]
        self.exact = [True] * len(self.vals)
        self.signed = [True] * len(self.vals)

    def add_input(self, inp):
        """Inserts an input after the others, renumbering the nodes; returns its id."""
        k = len(self.spec["inputs"])
        for node in self.spec["nodes"]:
            node["args"] = [a + 1 if a >= k else a for a in node["args"]]
        self.spec["inputs"].append(inp)
        self.vals.insert(k, input_array(inp))
        self.vars.insert(k, input_variable(inp, k))
        self.exact.insert(k, True)
        self.signed.insert(k, True)
        return k


def _kind(a):
    return {"f": "f", "i": "i", "u": "i", "b": "b"}[a.dtype.kind]


def _pick_args(rng, op, st, smooth):
    """Argument ids for op: recent variables of the kinds it takes; the same variable twice
    half the time; for dot, a fresh input of the matching shape when none fits."""
    vals, ids = st.vals, []
    for j, kinds in enumerate(op.kinds):
        if j > 0 and rng.integers(2) == 0 and _kind(vals[ids[0]]) in kinds:
            ids.append(ids[0])
            continue
        cands = [i for i, v in enumerate(vals) if _kind(v) in kinds]
        if op.name == "dot" and j == 1:
            a = vals[ids[0]]
            cands = [i for i in cands if vals[i].ndim in (1, 2) and a.ndim and
                     vals[i].shape[0] == a.shape[-1] and vals[i].dtype == a.dtype]
            if not cands or rng.integers(2) == 0:
                if not a.ndim or a.dtype.kind != "f":
                    return None
                shape = [a.shape[-1]] + ([int(rng.integers(1, 4))] if rng.integers(2) else [])
                cands = [st.add_input(_input(rng, [], smooth, str(a.dtype), shape))]
        if not cands:
            return None
        # Later variables more often, so that graphs grow deep rather than wide.
        w = np.arange(1, len(cands) + 1, dtype=float) ** 2
        ids.append(cands[rng.choice(len(cands), p=w / w.sum())])
    return ids


def _try_node(rng, op, st, smooth, stats):
    ids = _pick_args(rng, op, st, smooth)
    if ids is None:
        return False
    exact = all(st.exact[i] for i in ids)
    signed = all(st.signed[i] for i in ids)
    if op.name in DISCONTINUOUS and not exact or op.name in SIGN_SENSITIVE and not signed:
        return False
    args = [st.vals[i] for i in ids]
    p = op.draw(rng, args)
    if p is None:
        return False
    node = {"op": op.name, "args": ids, "p": p}
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            value = np.asarray(apply_node("numpy", node, args))
    except Exception:
        return False
    if value.size > MAX_ELEMENTS:
        return False
    try:
        var = apply_node("theon", node, [st.vars[i] for i in ids])
    except Exception as e:  # a graph NumPy computes and Theon does not build
        stats.setdefault("not_built", {}).setdefault(op.name, str(e).split("\n")[0])
        return False
    if str(var.dtype) != str(value.dtype) or var.ndim != value.ndim:
        key = f"{op.name}: theon {var.dtype}/{var.ndim}d, numpy {value.dtype}/{value.ndim}d"
        stats.setdefault("type_differs", set()).add(key)
        return False
    st.spec["nodes"].append(node)
    st.vals.append(value)
    st.vars.append(var)
    st.exact.append(exact and not rounds_differently(node))
    st.signed.append(signed and not zero_sign_unspecified(node))
    return True


def random_spec(rng, smooth=False, n_nodes=None, stats=None):
    """A random spec; `smooth` draws float64 graphs of differentiable ops for gradient checks."""
    stats = {} if stats is None else stats
    rank = int(rng.integers(0, 4))
    sizes = (1, 2, 3, 4, 5) if smooth else (0, 1, 2, 3, 4, 5)
    base = [int(sizes[rng.integers(len(sizes))]) for _ in range(rank)]
    spec = {"inputs": [_input(rng, base, smooth) for _ in range(int(rng.integers(1, 4)))],
            "nodes": [], "outputs": []}
    st = _State(spec)
    ops = [op for op in OPS if op.smooth or not smooth]
    weights = np.array([op.weight for op in ops])
    for _ in range(n_nodes or int(rng.integers(2, 14))):
        for _attempt in range(30):
            op = ops[rng.choice(len(ops), p=weights / weights.sum())]
            if _try_node(rng, op, st, smooth, stats):
                break
    n_in = len(spec["inputs"])
    if not spec["nodes"]:
        return None
    last = n_in + len(spec["nodes"]) - 1
    others = [int(i) for i in rng.choice(np.arange(n_in, last + 1), size=min(2, last + 1 - n_in),
                                         replace=False)]
    spec["outputs"] = sorted({last, *others}) if not smooth else [last]
    return prune(spec)
