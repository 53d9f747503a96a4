"""Shrinking a failing spec while it still fails: one output, nodes bypassed (their uses read
one of their arguments instead), plain layouts, dimensions halved; then saving it as a
regression case that tests/python/test_fuzz.py replays."""

import copy
import hashlib
import json
import os

import numpy as np

from .graph import build_theon, evaluate_numpy, input_array, prune

REGRESSIONS = os.path.join(os.path.dirname(__file__), "regressions")


def _valid(spec):
    try:
        vals = evaluate_numpy(spec)
        vars_ = build_theon(spec)[1]
    except Exception:
        return False
    return all(str(v.dtype) == str(a.dtype) and v.ndim == a.ndim for v, a in zip(vars_, vals))


def _bypass(spec, k, a):
    """Uses of variable k read variable a instead."""
    s = copy.deepcopy(spec)
    for node in s["nodes"]:
        node["args"] = [a if x == k else x for x in node["args"]]
    s["outputs"] = sorted({a if o == k else o for o in s["outputs"]})
    return prune(s)


def _halve(spec, i, axis):
    """Input i cut to the first half of `axis`, with every input that has the same size at the
    same (right-aligned) dimension, so that broadcasting still agrees."""
    s = copy.deepcopy(spec)
    inp = s["inputs"][i]
    n, back = inp["shape"][axis], len(inp["shape"]) - axis
    for other in s["inputs"]:
        shape = other["shape"]
        if len(shape) >= back and shape[-back] == n:
            a = input_array(other)[(slice(None),) * (len(shape) - back) + (slice(0, n // 2),)]
            other["shape"] = list(a.shape)
            other["values"] = [float(x) if a.dtype.kind == "f" else int(x) for x in a.ravel()]
    return s


def _candidates(spec):
    n_in = len(spec["inputs"])
    if len(spec["outputs"]) > 1:
        for o in spec["outputs"]:
            yield prune(dict(copy.deepcopy(spec), outputs=[o]))
    for k in range(len(spec["nodes"]) - 1, -1, -1):
        for a in spec["nodes"][k]["args"]:
            yield _bypass(spec, n_in + k, a)
    for i, inp in enumerate(spec["inputs"]):
        if inp.get("layout", "c") != "c" or inp.get("static"):
            s = copy.deepcopy(spec)
            s["inputs"][i].update(layout="c", static=False)
            yield s
        for axis, n in enumerate(inp["shape"]):
            if n > 1:
                yield _halve(spec, i, axis)


def minimize(spec, fails, max_tries=300):
    """The smallest spec found that still `fails` (a predicate on specs)."""
    spec = prune(copy.deepcopy(spec))
    tries = 0
    improved = True
    while improved and tries < max_tries:
        improved = False
        for cand in _candidates(spec):
            tries += 1
            if tries > max_tries:
                break
            if _valid(cand) and fails(cand):
                spec, improved = cand, True
                break
    return spec


def _json_default(x):
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(type(x))


def save_regression(spec, kind, problems, directory=REGRESSIONS):
    """Writes the case as <directory>/<kind>-<hash>.json; returns the path."""
    def dump(x):
        return json.dumps(x, default=_json_default)

    def rows(items):
        return "[\n  " + ",\n  ".join(dump(x) for x in items) + "]"

    text = (f'{{"kind": {dump(kind)}, "found": {dump([p[1] for p in problems])},\n'
            f' "spec": {{"inputs": {rows(spec["inputs"])},\n'
            f' "nodes": {rows(spec["nodes"])},\n "outputs": {dump(spec["outputs"])}}}}}')
    digest = hashlib.sha1(json.dumps(spec, default=_json_default).encode()).hexdigest()
    name = f"{kind}-{digest[:10]}"
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, name + ".json")
    with open(path, "w") as f:
        f.write(text + "\n")
    return path


def load_regressions(directory=REGRESSIONS):
    cases = []
    if os.path.isdir(directory):
        for name in sorted(os.listdir(directory)):
            if name.endswith(".json"):
                with open(os.path.join(directory, name)) as f:
                    cases.append((name, json.load(f)))
    return cases
