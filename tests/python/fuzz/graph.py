"""A fuzzed graph as plain data (a "spec", JSON-ready): its inputs with their values and memory
layout, its nodes (an op of ops.OPS, argument ids, params) and its outputs. Ids number the
inputs first, then the nodes. The same spec builds the Theon graph and computes the NumPy
reference, so a spec saved from a failure replays exactly."""

import warnings

import numpy as np

import theon.tensor as T

from .ops import BACKENDS, BY_NAME, rounds_differently


def input_array(inp):
    """The input's value as the array handed to the function: C order, Fortran order, a
    reversed view (negative strides) or every other element of a larger array."""
    dtype, shape = np.dtype(inp["dtype"]), tuple(inp["shape"])
    with np.errstate(all="ignore"):  # 1e300 in float32 is inf, NaN as an integer is drawn out
        a = np.array(inp["values"], dtype=np.float64).astype(dtype).reshape(shape)
    layout = inp.get("layout", "c")
    if layout == "f" and a.ndim >= 2:
        return np.asfortranarray(a)
    if layout == "rev" and a.ndim:
        return np.flip(np.ascontiguousarray(np.flip(a, 0)), 0)
    if layout == "step" and a.ndim:
        wide = np.zeros(shape[:-1] + (2 * shape[-1],), dtype)
        wide[..., ::2] = a
        return wide[..., ::2]
    return a


def input_variable(inp, i):
    """A Theon input whose static shape says 1 where the value has size 1 (Theano's
    broadcastable dimensions) and, where `static` is set, every size."""
    static = inp.get("static", False)
    shape = tuple(d if static or d == 1 else None for d in inp["shape"])
    return T.tensor(inp["dtype"], shape=shape, name=f"i{i}")


def apply_node(backend, node, args):
    return BY_NAME[node["op"]].fn(BACKENDS[backend], args, node["p"])


def evaluate_numpy(spec, values=None, nudge=0):
    """Every variable's NumPy value (inputs, then nodes), as a list. With `nudge`, each result
    that another implementation may round differently (ops.rounds_differently) is moved by
    that many ulp, to see how far such differences carry."""
    vals = list(values) if values is not None else [input_array(i) for i in spec["inputs"]]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the mean of nothing is NaN here
        for node in spec["nodes"]:
            v = np.asarray(apply_node("numpy", node, [vals[a] for a in node["args"]]))
            if nudge and v.dtype.kind == "f" and rounds_differently(node):
                v = v * v.dtype.type(1 + nudge * np.finfo(v.dtype).eps)
            vals.append(v)
    return vals


def build_theon(spec):
    """The Theon input variables and every variable (inputs, then nodes), as lists."""
    ins = [input_variable(inp, i) for i, inp in enumerate(spec["inputs"])]
    vars_ = list(ins)
    for node in spec["nodes"]:
        vars_.append(apply_node("theon", node, [vars_[a] for a in node["args"]]))
    return ins, vars_


def prune(spec):
    """The spec without nodes and inputs its outputs do not need, ids renumbered."""
    n_in = len(spec["inputs"])
    needed = set(spec["outputs"])
    for k in range(len(spec["nodes"]) - 1, -1, -1):
        if n_in + k in needed:
            needed.update(spec["nodes"][k]["args"])
    keep = [i for i in range(n_in + len(spec["nodes"])) if i in needed]
    new_id = {old: new for new, old in enumerate(keep)}
    return {
        "inputs": [spec["inputs"][i] for i in keep if i < n_in],
        "nodes": [dict(spec["nodes"][i - n_in], args=[new_id[a] for a in spec["nodes"][i - n_in]
                                                       ["args"]]) for i in keep if i >= n_in],
        "outputs": [new_id[o] for o in spec["outputs"]],
        **{k: v for k, v in spec.items() if k not in ("inputs", "nodes", "outputs")},
    }


def describe(spec):
    """One line per input and node, for reports."""
    lines = [f"i{i}: {inp['dtype']}{tuple(inp['shape'])} {inp.get('layout', 'c')}"
             for i, inp in enumerate(spec["inputs"])]
    n_in = len(spec["inputs"])
    for k, node in enumerate(spec["nodes"]):
        args = ", ".join(f"v{a}" if a >= n_in else f"i{a}" for a in node["args"])
        lines.append(f"v{n_in + k} = {node['op']}({args}) {node['p'] or ''}")
    lines.append("outputs: " + ", ".join(f"v{o}" for o in spec["outputs"]))
    return "\n".join(lines)
