"""The row type of the op table (tests/python/op_table.py) and the samplers and constructors its
rows are built from.

A row names a builder of the registry and says how to check it: a NumPy/SciPy reference, the
cases (the input shapes of each call), how input values are drawn, the dtypes to try and what
the generic tests of tests/python/test_op_table.py apply to it (gradient order, generated code).
"""

import warnings
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from theon.tensor._build import build

# Where generated code is checked against the reference kernels. A device backend adds its
# name here and to the rows whose ops it implements.
CPU = ("cpu",)

ALL = ("float64", "float32", "int64", "int32", "int16", "int8", "uint64", "uint32", "uint16",
       "uint8", "bool")
NUMERIC = tuple(d for d in ALL if d != "bool")
INTS = ("int64", "int32", "int8", "uint64", "uint8")
FLOATS = ("float64", "float32")
# Mixed input dtypes of binary ops: promotion across kinds and signedness.
MIXED = (("int8", "float32"), ("uint8", "int64"), ("int16", "uint16"), ("uint64", "int64"),
         ("int32", "float32"))

# Value ranges by domain name; integers take the integers inside the range.
DOMAINS = {
    "any": (-6, 6), "small": (-3, 3), "pos": (0.5, 6), "nonneg": (0, 6), "unit": (-0.9, 0.9),
    "ge1": (1.1, 6), "gamma": (0.5, 6), "prob": (0.05, 1.0), "exponent": (0, 4),
}


def sample(rng, dtype, shape, domain="any"):
    """Random values of `dtype` inside `domain`."""
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return rng.integers(0, 2, size=shape).astype(bool)
    lo, hi = DOMAINS[domain]
    if dt.kind in "iu":
        ilo, ihi = int(np.ceil(lo)), int(np.floor(hi))
        if dt.kind == "u":
            ilo = max(ilo, 0)
        return rng.integers(ilo, max(ilo, ihi) + 1, size=shape).astype(dt)
    return rng.uniform(lo, hi, size=shape).astype(dt)


def float_rule(*dtypes):
    """The dtype Theon's float functions compute in: NumPy's, but float32 where NumPy would
    give float16 (<= 16-bit ints and bool)."""
    r = np.result_type(*[np.dtype(d) for d in dtypes])
    if r.kind == "f":
        return r
    return np.dtype("float32") if r.itemsize <= 2 else np.dtype("float64")


def as_theon_dtype(dtype):
    """float16 is not a Theon dtype: NumPy's float16 results are float32 in Theon."""
    dtype = np.dtype(dtype)
    return np.dtype("float32") if dtype == np.float16 else dtype


@dataclass
class Row:
    """One op (or one form of an op) of the table.

    name     the builder name in the registry
    ref      the reference: arrays -> array, or a list of arrays for several outputs
    cases    the inputs of each call: a list of tuples with one entry per input, a shape (a
             tuple) for random values, or a number for that exact 0-d value (sizes, counts);
             every case of a row has the same number of dimensions per input
    build    symbolic inputs -> output(s); default build(name, *inputs, **params)
    domains  the value domain of each input (a DOMAINS key, or a callable (rng, dtype, shape,
             case) -> array for inputs such as indices whose range depends on other inputs)
    dtypes   the dtypes to try: a dtype for every input, or a tuple with one per input
    rule     the output dtype: "numpy" (the reference's, float16 read as float32), "float"
             (float_rule of the inputs; the reference then computes in that dtype), "same"
             (the first input's) or a dtype name
    grad     0: not differentiable; 1: verify_grad; 2: also verify_grad of the gradient
    wrt      the inputs verify_grad differentiates (default: the float inputs)
    fusable  the op becomes generated code under fusion, checked against its reference
             kernel: True for every dtype of the row, or the dtypes that fuse
    specials for the generated-code check: mix 0, -0, inf, -inf and NaN into float inputs
    ulps     how far (units in the last place) generated code may be from the reference
             kernel; 0: exactly equal
    """

    name: str
    ref: Callable
    cases: list
    build: Optional[Callable] = None
    params: dict = field(default_factory=dict)
    domains: tuple = ("any",)
    dtypes: tuple = FLOATS
    rule: str = "numpy"
    grad: int = 0
    wrt: Optional[tuple] = None
    fusable: object = False
    specials: bool = True
    ulps: int = 0
    devices: tuple = CPU
    rtol: float = 1e-12
    rtol32: float = 2e-5
    variant: str = ""

    @property
    def id(self):
        return self.name + ("-" + self.variant if self.variant else "")

    def __repr__(self):
        return self.id

    def make(self, *inputs):
        if self.build is not None:
            return self.build(*inputs)
        return build(self.name, *inputs, **self.params)

    def fused_dtypes(self):
        if self.fusable is True:
            return self.dtypes
        return tuple(self.fusable or ())

    def input_dtypes(self, dtype):
        n = len(self.cases[0])
        return tuple(dtype) if isinstance(dtype, tuple) else (dtype,) * n

    def draw(self, rng, dtype, case):
        """The input arrays of one case."""
        out = []
        for i, (d, shape) in enumerate(zip(self.input_dtypes(dtype), case)):
            if not isinstance(shape, tuple):
                out.append(np.asarray(shape, dtype=d))
                continue
            domain = self.domains[min(i, len(self.domains) - 1)]
            if callable(domain):
                out.append(np.asarray(domain(rng, d, shape, case), dtype=d))
            else:
                out.append(np.asarray(sample(rng, d, shape, domain)))
        return out

    def expected(self, arrays):
        """The reference outputs (a list), each in the dtype Theon gives."""
        dtypes = [a.dtype for a in arrays]
        if self.rule == "float":
            out_dtype = float_rule(*dtypes)
            arrays = [a.astype(out_dtype) if a.dtype.kind in "biuf" else a for a in arrays]
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = self.ref(*arrays)
        results = list(result) if isinstance(result, (list, tuple)) else [result]
        out = []
        for r in results:
            r = np.asarray(r)
            if self.rule == "float":
                want = float_rule(*dtypes)
            elif self.rule == "same":
                want = dtypes[0]
            elif self.rule == "numpy":
                want = as_theon_dtype(r.dtype)
            else:
                want = np.dtype(self.rule)
            out.append(r.astype(want) if r.dtype != want else r)
        return out


# ------------------------------------------------------------------------------ cases
# Elementwise cases: equal shapes, size-1 dimensions broadcast against each other, empty, and
# all size 1; the harness adds a non-contiguous view of each.
def elemwise_cases(arity):
    full = ((5, 4),) * arity
    if arity == 1:
        return [full, ((1, 4),), ((0, 3),), ((1, 1),)]
    broadcast = tuple((5, 1) if i % 2 == 0 else (1, 4) for i in range(arity))
    empty = tuple((0, 4) if i == 0 else (1, 4) for i in range(arity))
    return [full, broadcast, empty, ((1, 1),) * arity]


def unary(name, ref, dtypes=ALL, domain="any", rule="numpy", grad=0, fusable=True, **kw):
    return Row(name, ref, elemwise_cases(1), domains=(domain,), dtypes=dtypes, rule=rule,
               grad=grad, fusable=fusable, **kw)


def unary_float(name, ref, domain="any", grad=2, dtypes=FLOATS + ("int8", "int64", "bool"), **kw):
    """A float function: integer and bool inputs compute in float."""
    return unary(name, ref, dtypes=dtypes, domain=domain, rule="float", grad=grad, **kw)


def binary(name, ref, dtypes=ALL, domains=("any",), rule="numpy", grad=0, mixed=MIXED,
           fusable=True, **kw):
    pairs = tuple(dtypes) + tuple(p for p in mixed if all(d in dtypes for d in p))
    return Row(name, ref, elemwise_cases(2), domains=domains, dtypes=pairs, rule=rule, grad=grad,
               fusable=fusable, **kw)


def reduction(name, ref, axis, keepdims=False, dtypes=ALL, domain="any", grad=0, cases=None,
              fusable=False, ddof=None, **kw):
    """A reduction with params axis, keepdims (and ddof where given); the reference is NumPy's
    with the same arguments."""
    params = {"axis": axis, "keepdims": keepdims}
    extra = {} if ddof is None else {"ddof": ddof}
    params.update(extra)
    np_axis = tuple(axis) if isinstance(axis, list) else axis
    variant = "axis%s%s" % ("None" if axis is None else "".join(map(str, np.atleast_1d(axis))),
                            "-keepdims" if keepdims else "")
    return Row(name, lambda a: ref(a, axis=np_axis, keepdims=keepdims, **extra),
               cases or [((3, 4, 2),), ((1, 4, 1),), ((2, 0, 3),), ((1, 1, 1),)],
               params=params, domains=(domain,), dtypes=dtypes, grad=grad, fusable=fusable,
               variant=kw.pop("variant", variant), **kw)


def shape_op(name, ref, cases, params=None, build=None, dtypes=("float64", "int8"), grad=1, **kw):
    """An op that moves, copies or describes elements: values of any dtype, gradients where
    the output is float."""
    return Row(name, ref, cases, params=params or {}, build=build, dtypes=dtypes, grad=grad,
               **kw)


def index_domain(of_input, axis, allow_negative=True):
    """Integer indices in range for dimension `axis` of input `of_input`."""
    def draw(rng, dtype, shape, case):
        n = case[of_input][axis]
        lo = -n if allow_negative and np.dtype(dtype).kind == "i" else 0
        if n == 0:
            return np.zeros(shape, dtype)
        return rng.integers(lo, n, size=shape).astype(dtype)
    return draw
