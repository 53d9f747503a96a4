"""The fuzzing loop: seeded batches of random specs checked against NumPy, every fifth spec a
smooth one whose gradient is checked; failures minimized and saved as regression cases."""

import time

import numpy as np

import theon

from .check import check_gradient, check_specs, settings
from .generate import random_spec
from .graph import describe
from .minimize import minimize, save_regression


def _signature(problems):
    """What kind of failure: crash or mismatch, the mode and the kind of difference."""
    return {(k, text.split(":")[0].split(" output")[0], text.split(": ")[-1].split(",")[0]
             .split(" first")[0]) for k, text in problems}


def _fails_like(kind, problems):
    """A predicate true for specs that fail the way `problems` says (so that minimizing does
    not wander off to another defect)."""
    want = _signature(problems)

    def fails(spec):
        got = check_gradient(spec) if kind == "grad" else check_specs([spec])[0]
        return bool(_signature([p for p in got if p[0] != "stabilized"]) & want)
    return fails


def fuzz(n, seed, batch=20, cxx="", fast_math=False, save=None, log=print, max_saved=20):
    """Checks n seeded specs; returns counts (graphs, gradients, mismatches, crashes, saved,
    and stabilized: graphs where only the stabilizing rewrites made FAST_RUN differ, by
    design). `save`: a directory to write minimized failures to (None: keep nothing)."""
    rng = np.random.default_rng(seed)
    counts = {"graphs": 0, "gradients": 0, "mismatches": 0, "crashes": 0, "stabilized": 0,
              "saved": []}
    stats = {}
    start = time.time()
    with settings(cxx, fast_math):
        while counts["graphs"] + counts["gradients"] < n:
            todo = min(batch, n - counts["graphs"] - counts["gradients"])
            n_grad = todo // 5
            specs = [s for s in (random_spec(rng, stats=stats) for _ in range(todo - n_grad)) if s]
            grads = [s for s in (random_spec(rng, smooth=True) for _ in range(n_grad)) if s]
            found = []
            for s, p in zip(specs, check_specs(specs)):
                if p and all(kind == "stabilized" for kind, _ in p):
                    counts["stabilized"] += 1
                elif p:
                    found.append((s, "forward", [x for x in p if x[0] != "stabilized"]))
            # Gradients run on the precompiled kernels: one generated module per gradient
            # would cost a compile each; the forward batches cover the generated kernels.
            with theon.config.change_flags(cxx=""):
                found += [(s, "grad", p) for s, p in ((g, check_gradient(g)) for g in grads) if p]
            counts["graphs"] += todo - n_grad
            counts["gradients"] += n_grad
            for spec, kind, problems in found:
                crash = any(k == "crash" for k, _ in problems)
                counts["crashes" if crash else "mismatches"] += 1
                log(f"{kind} {'crash' if crash else 'mismatch'}: {problems[0][1]}")
                if save and len(counts["saved"]) < max_saved:
                    small = minimize(spec, _fails_like(kind, problems))
                    path = save_regression(small, kind, problems, save)
                    counts["saved"].append(path)
                    log(f"  minimized to {path}:\n    " + describe(small).replace("\n", "\n    "))
            done = counts["graphs"] + counts["gradients"]
            if done % (batch * 25) < batch:
                log(f"{done}/{n} checked, {counts['mismatches']} mismatches, "
                    f"{counts['crashes']} crashes, {time.time() - start:.0f} s")
    counts["seconds"] = time.time() - start
    counts["not_built"] = stats.get("not_built", {})
    counts["type_differs"] = sorted(stats.get("type_differs", ()))
    return counts
