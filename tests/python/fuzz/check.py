"""Running specs and judging the results: each spec's outputs under FAST_RUN (fusion and, with a
compiler, generated kernels) and FAST_COMPILE against the NumPy reference, and gradients of
smooth specs against central differences."""

import contextlib

import numpy as np

import theon

from .graph import build_theon, evaluate_numpy, input_array
from .ops import zero_sign_unspecified

# Relative tolerance per dtype: a few ulp of each op along a short chain (libmvec and NumPy's
# own SIMD functions differ by a few ulp).
RTOL = {"float64": 1e-9, "float32": 2e-4}


def spec_rtol(spec, values):
    """The tolerance of the least precise float the spec computes in (a float64 result of a
    float32 sin carries float32's error)."""
    kinds = {str(v.dtype) for v in values if v.dtype.kind == "f"}
    return RTOL["float32"] if "float32" in kinds else RTOL["float64"]


def compare(got, want, strict=True, rtol=None, zero_signs=True):
    """None if got matches want, else what differs: dtype, shape, NaN positions, infinities and
    their signs, zero signs (with `zero_signs`) and finite values (exact for integers and
    bools). Not `strict`: only the values finite in both."""
    got = np.asarray(got)
    if got.dtype != want.dtype:
        return f"dtype {got.dtype}, expected {want.dtype}"
    if got.shape != want.shape:
        return f"shape {got.shape}, expected {want.shape}"
    if want.dtype.kind != "f":
        bad = got != want
        return f"{int(bad.sum())} values differ, first at {np.argwhere(bad)[0].tolist()}: " \
               f"{got[bad][0]} vs {want[bad][0]}" if bad.any() else None
    nan_g, nan_w = np.isnan(got), np.isnan(want)
    inf_g, inf_w = np.isinf(got), np.isinf(want)
    if strict and (nan_g != nan_w).any():
        i = np.argwhere(nan_g != nan_w)[0].tolist()
        return f"NaN positions differ, first at {i}: {got[tuple(i)]} vs {want[tuple(i)]}"
    if strict and ((inf_g != inf_w).any() or (got[inf_w] != want[inf_w]).any()):
        i = np.argwhere((inf_g != inf_w) | (inf_w & (got != want)))[0].tolist()
        return f"infinities differ, first at {i}: {got[tuple(i)]} vs {want[tuple(i)]}"
    fin = ~(nan_w | inf_w | nan_g | inf_g)
    g, w = got[fin].astype(np.float64), want[fin].astype(np.float64)
    rtol = rtol or RTOL[str(want.dtype)]
    # Cancellation in a chain loses digits relative to the largest value it saw, not to the
    # result: the absolute tolerance follows the array's scale.
    atol = rtol * max(1.0, float(np.abs(w).max(initial=0)))
    bad = np.abs(g - w) > atol + rtol * np.abs(w)
    if bad.any():
        return f"{int(bad.sum())} values differ, first {g[bad][0]!r} vs {w[bad][0]!r}"
    zero = (w == 0) & (g == 0)
    if strict and zero_signs and (np.signbit(g[zero]) != np.signbit(w[zero])).any():
        return "zero signs differ"
    return None


@contextlib.contextmanager
def settings(cxx, fast_math=False):
    """Fusion on (the tests' default turns it off), generated kernels with `cxx` ('' for the
    precompiled ones), waiting for them so that they are what runs."""
    cfg = theon.config
    saved = {k: getattr(cfg, k) for k in ("cxx", "optimizer_excluding", "compile_wait",
                                            "fast_math")}
    cfg.cxx, cfg.optimizer_excluding, cfg.compile_wait = cxx, "", True
    cfg.fast_math = fast_math
    try:
        yield
    finally:
        for k, v in saved.items():
            setattr(cfg, k, v)


MODES = ("FAST_RUN", "FAST_COMPILE")


def _run(specs, mode):
    """Outputs of each spec computed by one function over all of them (one module to compile
    for the batch), or per spec where that raises: a list per spec, or the exception."""
    built = [build_theon(s) for s in specs]
    ins = [v for b in built for v in b[0]]
    outs = [b[1][o] for b, s in zip(built, specs) for o in s["outputs"]]
    args = [input_array(i) for s in specs for i in s["inputs"]]
    try:
        f = theon.function(ins, outs, mode=mode, on_unused_input="ignore")
        flat = f(*args)
    except Exception:
        if len(specs) == 1:
            raise
        return [_run_one(s, mode) for s in specs]
    res, k = [], 0
    for s in specs:
        res.append(flat[k:k + len(s["outputs"])])
        k += len(s["outputs"])
    return res


def _run_one(spec, mode):
    try:
        return _run([spec], mode)[0]
    except Exception as e:  # a crash, reported with the spec
        return e


def _numpy_checks(spec):
    """How NumPy is the reference: `strict` unless BLAS computes (it may skip products with
    zero, so that 0 * NaN gives 0), `zero_signs` unless an op leaves them unspecified
    (ops.zero_sign_unspecified)."""
    return {"strict": not any(n["op"] == "dot" for n in spec["nodes"]),
            "zero_signs": not any(zero_sign_unspecified(n) for n in spec["nodes"])}


_KINDS = ("values differ", "NaN positions", "infinities", "zero signs")


def _ill_conditioned(spec, ref, rtol):
    """The kinds of difference (of _KINDS) that results moved by a few ulp, where NumPy's and
    Theon's functions may round differently (exp, sin, sums, ...), make in an output: a graph
    like exp(log(x)) - x, whose sign is rounding noise, is not compared on those."""
    kinds = set()
    for nudge in (4, -4):
        moved = evaluate_numpy(spec, ref[:len(spec["inputs"])], nudge)
        for o in spec["outputs"]:
            why = compare(moved[o], ref[o], True, rtol) or ""
            kinds.update(k for k in _KINDS if k in why)
    return kinds


def _stabilized(spec, fast, ref):
    """True if FAST_RUN differs from the reference only through the stabilizing rewrites: with
    them excluded it agrees, and they made no NaN where the reference has none (they may
    replace a NaN or infinity that rounding produced by the value's limit, as
    distribute_mul_cancel_div does for (s / s) * s at s = sigmoid(-inf) = 0)."""
    r = _run_one(spec, theon.Mode("FAST_RUN").excluding("stabilize"))
    if isinstance(r, Exception):
        return False
    rtol = spec_rtol(spec, ref)
    for j, o in enumerate(spec["outputs"]):
        if compare(r[j], ref[o], rtol=rtol, **_numpy_checks(spec)):
            return False
        got = np.asarray(fast[j])
        if got.dtype.kind == "f" and (np.isnan(got) & ~np.isnan(ref[o])).any():
            return False
    return True


def check_specs(specs):
    """Problems per spec: (kind, text) pairs, kind 'crash', 'mismatch' or 'stabilized' (a
    difference the stabilizing rewrites made on purpose, see _stabilized). FAST_RUN and
    FAST_COMPILE are each compared with NumPy and with each other (zero signs included)."""
    refs = [evaluate_numpy(s) for s in specs]
    problems = [[] for _ in specs]
    results = {mode: _run(specs, mode) for mode in MODES}
    for k, spec in enumerate(specs):
        checks = _numpy_checks(spec)
        rtol = spec_rtol(spec, refs[k])
        for mode in MODES:
            r = results[mode][k]
            if isinstance(r, Exception):
                problems[k].append(("crash", f"{mode}: {type(r).__name__}: {r}".split("\n")[0]))
                continue
            for j, o in enumerate(spec["outputs"]):
                why = compare(r[j], refs[k][o], rtol=rtol, **checks)
                if why:
                    problems[k].append(("mismatch", f"{mode} output {j} vs NumPy: {why}"))
        fast, plain = (results[m][k] for m in MODES)
        if not isinstance(fast, Exception) and not isinstance(plain, Exception):
            for j in range(len(spec["outputs"])):
                why = compare(fast[j], np.asarray(plain[j]), rtol=rtol)
                if why:
                    problems[k].append(("mismatch", f"output {j} FAST_RUN vs FAST_COMPILE: {why}"))
        if problems[k]:
            noisy = _ill_conditioned(spec, refs[k], rtol)
            problems[k] = [p for p in problems[k] if not any(n in p[1] for n in noisy)]
        only_fast = all(kind == "mismatch" and "FAST_RUN" in text for kind, text in problems[k])
        if problems[k] and only_fast and _stabilized(spec, fast, refs[k]):
            problems[k] = [("stabilized", text) for _, text in problems[k]]
    return problems


def _cost_weights(spec, shape):
    rng = np.random.default_rng(len(spec["nodes"]) * 7919 + len(spec["inputs"]))
    return np.round(rng.uniform(-1, 1, shape), 3)


def check_gradient(spec, eps=1e-6):
    """Problems of a smooth spec's gradient (cost sum(out * w)) under FAST_RUN and FAST_COMPILE
    against central differences of the NumPy reference."""
    ins, vars_ = build_theon(spec)
    out = vars_[spec["outputs"][0]]
    values = [input_array(i) for i in spec["inputs"]]
    ref = evaluate_numpy(spec, values)[spec["outputs"][0]]
    if ref.size == 0 or not np.isfinite(ref).all():
        return []  # the mean of nothing: no derivative to check
    w = _cost_weights(spec, ref.shape)

    def numpy_cost(vals):
        return float((evaluate_numpy(spec, vals)[spec["outputs"][0]] * w).sum())

    fds = []
    for i, v in enumerate(values):
        fd = np.zeros(v.shape)
        for idx in np.ndindex(*v.shape):
            vals = [np.array(x, copy=True) for x in values]
            vals[i][idx] += eps
            up = numpy_cost(vals)
            vals[i][idx] -= 2 * eps
            fd[idx] = (up - numpy_cost(vals)) / (2 * eps)
        fds.append(fd)
    problems = []
    for mode in MODES:
        try:
            grads = theon.function(ins, theon.grad((out * w).sum(), ins), mode=mode)(*values)
        except Exception as e:
            problems.append(("crash", f"grad {mode}: {type(e).__name__}: {e}".split("\n")[0]))
            continue
        for i, (g, fd) in enumerate(zip(grads, fds)):
            scale = 1.0 + float(np.abs(fd).max(initial=0))
            err = float(np.abs(np.asarray(g) - fd).max(initial=0))
            if np.asarray(g).shape != fd.shape or not err <= 1e-5 * scale:
                problems.append(("mismatch", f"grad {mode} of i{i}: max error {err:.3g} "
                                 f"(scale {scale:.3g})"))
    return problems
