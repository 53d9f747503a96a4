"""The generic checks of the op table (tests/python/op_table.py), for every row:
values against the NumPy/SciPy reference for each dtype (every case, and each again as a
non-contiguous view), with and without rewrites; shape inference (out.shape compiled with the
static shapes unknown) against the real shapes; verify_grad of the differentiable rows (and of
their gradient where the row asks for order 2); generated code of the fusable rows against the
reference kernels, per device; and that every builder of the registry has a row."""

import dataclasses
import os
import zlib

import numpy as np
import pytest

import theon
import theon.tensor as T
from op_table import EXCLUDED, NO_EMPTY_CASE, NOT_BUILDERS, ROWS, SHAPE_FROM_VALUES
from theon import _core
from theon.gradient import verify_grad


def dtype_id(dtype):
    return "-".join(dtype) if isinstance(dtype, tuple) else dtype


def rng_for(*keys):
    return np.random.default_rng(zlib.crc32(repr(keys).encode()))


def symbolic_inputs(row, dtype):
    """One variable per input, every static size unknown."""
    out = []
    for i, (d, entry) in enumerate(zip(row.input_dtypes(dtype), row.cases[0])):
        ndim = len(entry) if isinstance(entry, tuple) else 0
        out.append(T.tensor(d, shape=(None,) * ndim, name=f"x{i}"))
    return out


def outputs_of(row, inputs):
    out = row.make(*inputs)
    return list(out) if isinstance(out, (list, tuple)) else [out]


def noncontiguous(a):
    """The values of `a` in a view with negative, non-unit strides in reversed axis order."""
    buf = np.zeros(tuple(2 * n for n in a.shape[::-1]), a.dtype)
    view = buf[(slice(None, None, -2),) * a.ndim].T
    view[...] = a
    assert view.size <= 1 or not view.flags.c_contiguous
    return view


def shapes_text(arrays):
    return ", ".join(str(a.shape) for a in arrays)


def calls(row, dtype, rng):
    """(label, input arrays) of every case, each followed by its non-contiguous copy where an
    input has more than one element."""
    for case in row.cases:
        arrays = row.draw(rng, dtype, case)
        yield f"inputs {shapes_text(arrays)}", arrays
        if any(a.ndim and a.size > 1 for a in arrays):
            yield f"non-contiguous inputs {shapes_text(arrays)}", [
                noncontiguous(a) if a.ndim else a for a in arrays]


def assert_close(got, want, row, label):
    assert got.dtype == want.dtype, f"{label}: dtype {got.dtype}, expected {want.dtype}"
    assert got.shape == want.shape, f"{label}: shape {got.shape}, expected {want.shape}"
    if want.dtype.kind == "f":
        rtol = row.rtol32 if want.dtype == np.float32 else row.rtol
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol, equal_nan=True, err_msg=label)
    else:
        np.testing.assert_array_equal(got, want, err_msg=label)


def row_dtypes():
    return [pytest.param(row, dtype, id=f"{row.id}-{dtype_id(dtype)}")
            for row in ROWS for dtype in row.dtypes]


# ------------------------------------------------------------------------------ values
@pytest.mark.parametrize("row,dtype", row_dtypes())
def test_values_match_the_reference(row, dtype):
    check_values(row, dtype)


def check_values(row, dtype):
    ins = symbolic_inputs(row, dtype)
    outs = outputs_of(row, ins)
    functions = {mode: theon.function(ins, outs, mode=mode, on_unused_input="ignore")
                 for mode in ("NONE", "FAST_RUN")}
    for label, arrays in calls(row, dtype, rng_for(row.id, dtype)):
        want = row.expected(arrays)
        before = [a.copy() for a in arrays]
        for mode, f in functions.items():
            got = f(*arrays)
            assert len(got) == len(want)
            for k, (g, w) in enumerate(zip(got, want)):
                assert_close(g, w, row, f"{row.id} {dtype_id(dtype)} {mode} output {k}, {label}")
            for a, b in zip(arrays, before):
                np.testing.assert_array_equal(a, b, err_msg=f"{mode} overwrote an input")


# ------------------------------------------------------------------------------ shapes
def inputs_read_for_values(outputs):
    """The positions of the array inputs (named x<i>) whose values, not only their shapes, the
    graph of `outputs` reads."""
    read, stack, visited = set(), list(outputs), []
    while stack:
        node = stack.pop().owner
        if node is None or any(node is v for v in visited):
            continue
        visited.append(node)
        for v in node.inputs:
            if (v.owner is None and not v.is_constant and v.ndim >= 1
                    and node.op_type not in ("Shape", "Shape_i")):
                read.add(int(v.name[1:]))
        stack += list(node.inputs)
    return tuple(sorted(read))


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_infer_shape_matches_the_real_shape(row):
    dtype = row.dtypes[0]
    ins = symbolic_inputs(row, dtype)
    outs = outputs_of(row, ins)
    shape_f = theon.function(ins, [o.shape for o in outs], on_unused_input="ignore")
    value_f = theon.function(ins, outs, on_unused_input="ignore")
    for case in row.cases:
        arrays = row.draw(rng_for(row.id, "shape"), dtype, case)
        real = [v.shape for v in value_f(*arrays)]
        inferred = [tuple(int(n) for n in s) for s in shape_f(*arrays)]
        assert inferred == real, f"inputs {shapes_text(arrays)}"
    # The shapes come from the inputs' shapes: the op itself is not computed for them.
    assert inputs_read_for_values(shape_f.graph_outputs) == SHAPE_FROM_VALUES.get(row.id, ())


# ------------------------------------------------------------------------------ gradients
def float64_dtype(row):
    """The first dtype of the row whose differentiated inputs are float64."""
    for dtype in row.dtypes:
        dts = row.input_dtypes(dtype)
        if all(dts[i] == "float64" for i in wrt_of(row, dtype)):
            return dtype
    raise AssertionError(f"{row.id}: no float64 dtype to differentiate")


def wrt_of(row, dtype):
    if row.wrt is not None:
        return row.wrt
    return tuple(i for i, d in enumerate(row.input_dtypes(dtype)) if np.dtype(d).kind == "f")


def grad_cases(row):
    """The first two cases where every input has elements."""
    cases = [c for c in row.cases
             if all(not isinstance(e, tuple) or 0 not in e for e in c)]
    return cases[:2]


@pytest.mark.parametrize("row", [r for r in ROWS if r.grad], ids=lambda r: r.id)
def test_gradient_matches_finite_differences(row):
    dtype = float64_dtype(row)
    wrt = wrt_of(row, dtype)
    rng = rng_for(row.id, "grad")
    for case in grad_cases(row):
        arrays = row.draw(rng, dtype, case)

        def with_inputs(*xs):
            ins = [T.constant(a) for a in arrays]
            for i, x in zip(wrt, xs):
                ins[i] = x
            return outputs_of(row, ins)

        pt = [arrays[i] for i in wrt]
        float_outputs = [k for k, o in enumerate(with_inputs(*[T.constant(p) for p in pt]))
                         if o.dtype.startswith("float")]
        assert float_outputs, f"{row.id} has no float output to differentiate"
        for k in float_outputs:
            verify_grad(lambda *xs, k=k: with_inputs(*xs)[k], pt, rng=rng)
            if row.grad >= 2:
                def first_grad(*xs, k=k):
                    return theon.grad(T.sum(with_inputs(*xs)[k]), xs[0])
                verify_grad(first_grad, pt, rng=rng)


# ------------------------------------------------------------------------------ generated code
SPECIALS = [0.0, -0.0, np.inf, -np.inf, np.nan]


def with_specials(a, rng):
    """`a` with 0, -0, inf, -inf and NaN at random places (float inputs of two or more
    elements)."""
    if a.dtype.kind != "f" or a.size < 2:
        return a
    a = a.copy()
    flat = a.reshape(-1)
    where = rng.choice(flat.size, size=min(flat.size // 2, len(SPECIALS)), replace=False)
    flat[where] = SPECIALS[: len(where)]
    return a


def assert_same(got, want, ulps, label):
    """Equal (within `ulps` units in the last place where the row allows it), NaN where the
    other has NaN, the same infinities and the same sign of zeros."""
    assert got.dtype == want.dtype and got.shape == want.shape, label
    if got.dtype.kind != "f" or not ulps:
        np.testing.assert_array_equal(got, want, err_msg=label)
    else:
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want), err_msg=label + " (NaN)")
        finite = np.isfinite(want)
        np.testing.assert_array_equal(got[~finite], want[~finite], err_msg=label + " (inf)")
        g, w = got[finite], want[finite]
        spacing = np.spacing(np.maximum(np.abs(g), np.abs(w)))
        far = np.abs(g.astype(np.float64) - w) > ulps * spacing.astype(np.float64)
        assert not far.any(), f"{label}: {g[far]} against {w[far]} (more than {ulps} ulp)"
    if got.dtype.kind == "f":
        zeros = want == 0
        np.testing.assert_array_equal(np.signbit(got[zeros]), np.signbit(want[zeros]),
                                      err_msg=label + " (sign of zero)")


# How each device compiles generated code; the rows list the devices that implement them.
DEVICE_FLAGS = {"cpu": lambda: {"cxx": os.environ.get("CXX") or "g++"}}
DEVICES = sorted({d for row in ROWS if row.fusable for d in row.devices})


@pytest.mark.parametrize("device", DEVICES)
def test_generated_code_matches_the_reference_kernels(device, tmp_path):
    # Every fusable row and dtype in one function: the whole table is one compiled module.
    ins, outs, labels, ulps, per_row = [], [], [], [], []
    for row in [r for r in ROWS if device in r.devices]:
        for dtype in row.fused_dtypes():
            vs = symbolic_inputs(row, dtype)
            os_ = outputs_of(row, vs)
            ulps += [row.ulps] * len(os_)
            rng = rng_for(row.id, dtype, "codegen")
            arg_sets = [[with_specials(a, rng) if row.specials else a for a in arrays]
                        for _, arrays in calls(row, dtype, rng)]
            ins += vs
            outs += os_
            labels += [f"{row.id} {dtype_id(dtype)}"] * len(os_)
            per_row.append(arg_sets)
    flags = dict(optimizer_excluding="", compile_wait=True, compiledir=str(tmp_path / "cache"),
                 **DEVICE_FLAGS[device]())
    with theon.config.change_flags(**flags):
        generated = theon.function(ins, outs, mode="FAST_RUN")
    assert generated.kernels["state"] == "installed", generated.kernels["error"]
    not_fused = [label for label, out in zip(labels, generated.graph_outputs)
                 if out.owner is None or not out.owner.op_type.startswith("Fused")]
    assert not_fused == [], f"outputs not computed by generated code: {not_fused}"
    reference = theon.function(ins, outs, mode="NONE")
    for k in range(max(len(a) for a in per_row)):
        args = [a for arg_sets in per_row for a in arg_sets[k % len(arg_sets)]]
        with np.errstate(all="ignore"):
            want = reference(*args)
        got = generated(*args)
        for label, tolerance, g, w in zip(labels, ulps, got, want):
            assert_same(g, w, tolerance, f"{label}, call {k}")


# ------------------------------------------------------------------------------ the table
def test_the_checks_can_fail():
    exp = next(row for row in ROWS if row.name == "exp")
    slightly_off = dataclasses.replace(exp, ref=lambda a: np.exp(a) * (1 + 1e-10))
    with pytest.raises(AssertionError):
        check_values(slightly_off, "float64")
    wrong_dtype = dataclasses.replace(exp, rule="float64")
    with pytest.raises(AssertionError, match="dtype"):
        check_values(wrong_dtype, "float32")
    a = np.array([1.0, 0.0, np.nan])
    with pytest.raises(AssertionError, match="sign of zero"):
        assert_same(a, np.array([1.0, -0.0, np.nan]), 0, "zero")
    with pytest.raises(AssertionError):
        assert_same(np.nextafter(a, 2), a, 0, "one ulp")
    assert_same(np.nextafter(a, 2), a, 1, "one ulp allowed")
    with pytest.raises(AssertionError):
        assert_same(np.nextafter(np.nextafter(a, 2), 2), a, 1, "two ulp")


def test_every_builder_has_a_row():
    names = set(_core.builder_names())
    with_rows = {row.name for row in ROWS}
    assert sorted(names - with_rows - set(EXCLUDED)) == []
    assert sorted(with_rows & set(EXCLUDED)) == []
    assert sorted((with_rows | set(EXCLUDED)) - names - set(NOT_BUILDERS)) == []
    assert sorted(names & set(NOT_BUILDERS)) == []


def test_every_row_has_an_empty_and_a_size_one_case():
    def empty(case):
        return any(0 in e if isinstance(e, tuple) else e == 0 for e in case)

    def size_one(case):
        return any((1 in e or e == ()) if isinstance(e, tuple) else e == 1 for e in case)

    for row in ROWS:
        if row.id not in NO_EMPTY_CASE:
            assert any(empty(c) for c in row.cases), f"{row.id}: no empty case"
        assert any(size_one(c) for c in row.cases), f"{row.id}: no size-1 case"
