"""Theano 1.0's theano.tensor names against the compatibility package: each is there, or is
listed (theano/tensor/_missing_names.py) with the subsystem whose issue will bring it, and
using a listed one raises NotImplementedError saying so."""

import pytest

import theon.theano_alias

theon.theano_alias.enable()

import theano.tensor as T  # noqa: E402
from theano.tensor._missing_names import MISSING  # noqa: E402

_KINDS = ("scalar", "vector", "row", "col", "matrix", "tensor3", "tensor4", "tensor5", "tensor6",
          "tensor7")
_CONSTRUCTORS = [p + k + s for p in ("", "b", "w", "i", "l", "f", "d", "c", "z")
                 for k in _KINDS for s in ("", "s") if k + s != "matrixs"] + \
    [p + "matrices" for p in ("", "b", "w", "i", "l", "f", "d", "c", "z")]

# The public names of Theano 1.0's theano.tensor (its basic, subtensor, sort, extra_ops,
# elemwise, gradient and var exports that scripts use), by family.
THEANO_TENSOR_NAMES = _CONSTRUCTORS + """
TensorType TensorVariable TensorConstant TensorSharedVariable tensor shared
as_tensor_variable as_tensor constant cast get_scalar_constant_value NotScalarConstantError
get_vector_length extract_constant scalar_from_tensor tensor_from_scalar autocast_float
autocast_float_as
grad Rop Lop jacobian hessian verify_grad consider_constant numeric_grad
abs_ add sub mul true_div int_div floor_div mod pow neg inv sqr sqrt exp exp2 expm1 log log2
log10 log1p sgn ceil floor trunc iround round round_half_to_even round_half_away_from_zero
sin cos tan arcsin arccos arctan arctan2 sinh cosh tanh arcsinh arccosh arctanh deg2rad
rad2deg erf erfc erfinv erfcinv erfcx gamma gammaln psi tri_gamma chi2sf j0 j1 jv i0 i1 iv
real imag angle complex conj complex_from_polar maximum minimum clip switch where eq neq lt
gt le ge and_ or_ xor invert bitwise_and bitwise_or bitwise_xor bitwise_not isnan isinf
isclose allclose second fill identity tensor_copy ceil_intdiv divmod power
sum prod mean var std max min argmax argmin max_and_argmax any all ptp largest smallest
dot tensordot outer batched_dot batched_tensordot
zeros ones zeros_like ones_like alloc eye identity_like tri tril triu arange mgrid ogrid
stack stacklists concatenate join split flatten reshape shape shape_padleft
shape_padright shape_padaxis addbroadcast unbroadcast patternbroadcast transpose
horizontal_stack vertical_stack swapaxes choose diagonal diag tile inverse_permutation
permute_row_elements nonzero flatnonzero nonzero_values default specify_shape
sort argsort topk argtopk topk_and_argtopk
cumsum cumprod squeeze repeat bincount bartlett fill_diagonal fill_diagonal_offset
unravel_index ravel_multi_index
set_subtensor inc_subtensor take advanced_subtensor1 advanced_inc_subtensor1
advanced_set_subtensor1
DimShuffle Elemwise CAReduce Dot Subtensor IncSubtensor AdvancedSubtensor AdvancedSubtensor1
AdvancedIncSubtensor AdvancedIncSubtensor1 Shape Reshape Flatten Join Split Alloc ARange
Rebroadcast SpecifyShape MaxAndArgmax
nnet opt blas nlinalg slinalg extra_ops elemwise basic sharedvar var xlogx
shared_randomstreams raw_random signal load
int_dtypes uint_dtypes float_dtypes complex_dtypes discrete_dtypes continuous_dtypes
all_dtypes
""".split()


def test_every_theano_tensor_name_is_there_or_listed_as_missing():
    absent = [n for n in THEANO_TENSOR_NAMES if n not in MISSING and not hasattr(T, n)]
    assert absent == [], f"neither provided nor listed in MISSING: {absent}"


def test_names_listed_as_missing_are_really_missing_and_say_why():
    provided = [n for n in MISSING if n in vars(T)]
    assert provided == [], f"listed as missing but provided: {provided}"
    assert set(MISSING) <= set(THEANO_TENSOR_NAMES)
    for name, why in MISSING.items():
        with pytest.raises(NotImplementedError, match=f"theano.tensor.{name}: .*{why[:12]}"):
            getattr(T, name)


def test_unknown_names_are_attribute_errors():
    with pytest.raises(AttributeError, match="no_such_name"):
        T.no_such_name
    assert not hasattr(T, "no_such_name")


@pytest.mark.parametrize("module,name,what", [
    ("theano.tensor.nnet.conv", "ConvOp", "old convolution op classes"),
    ("theano.tensor.nlinalg", "Eig", "this part of linear algebra"),
    ("theano.tensor.slinalg", "Eigvalsh", "generalized eigenproblems"),
    ("theano.tensor.extra_ops", "CumOp", "extra_ops op classes"),
    ("theano.tensor.opt", "register_canonicalize", "rewrites registered from Python"),
])
def test_modules_of_missing_subsystems_import_and_name_what_is_missing(module, name, what):
    import importlib

    mod = importlib.import_module(module)
    with pytest.raises(NotImplementedError, match=what):
        obj = getattr(mod, name)
        obj()  # the stand-ins of functions raise when called


def test_theano_module_tree_imports():
    import importlib

    for module in ("theano", "theano.tensor", "theano.tensor.nnet", "theano.tensor.nnet.bn",
                   "theano.tensor.nnet.abstract_conv", "theano.tensor.nnet.conv",
                   "theano.tensor.signal.pool", "theano.tensor.nlinalg",
                   "theano.tensor.slinalg", "theano.tensor.extra_ops",
                   "theano.tensor.shared_randomstreams", "theano.sandbox.rng_mrg",
                   "theano.scan_module", "theano.ifelse", "theano.gradient",
                   "theano.printing", "theano.compile", "theano.compile.ops", "theano.gof",
                   "theano.gof.graph", "theano.graph", "theano.misc.pkl_utils",
                   "theano.sparse", "theano.configparser", "theano.compile.mode",
                   "theano.compile.debugmode", "theano.compile.nanguardmode",
                   "theano.compile.sharedvalue", "theano.compile.function", "theano.compile.io",
                   "theano.compile.function_module",
                   "theano.compile.builders",
                   "theano.tensor.basic", "theano.tensor.var", "theano.tensor.sharedvar",
                   "theano.tensor.xlogx", "theano.tensor.opt"):
        importlib.import_module(module)
    import theano

    assert theano.config.floatX in ("float32", "float64")
    import theon

    assert theano.scan is theon.scan and theano.scan_module.until is theon.scan_module.until
