"""Names of Theano 1.0's theano.tensor that Theon does not provide yet, each with the subsystem
whose issue will bring it. Using one raises NotImplementedError saying so."""

_COMPLEX = "complex dtypes"
_SPECIAL = "more special functions (scalar ops)"
_EXTRA = "more extra_ops (data-dependent shapes, histograms, index conversions)"
_OPCLASSES = "op classes as Python objects (node.op is the op's name in Theon; see op_type)"
_LINALG = "linear algebra (nlinalg/slinalg)"

MISSING = {
    **{p + k: _COMPLEX for p in "cz" for k in (
        "scalar", "vector", "row", "col", "matrix", "tensor3", "tensor4", "tensor5", "tensor6",
        "tensor7", "scalars", "vectors", "rows", "cols", "matrices", "tensor3s", "tensor4s",
        "tensor5s", "tensor6s", "tensor7s")},
    **dict.fromkeys(("real", "imag", "angle", "complex", "conj", "complex_from_polar"),
                    _COMPLEX),
    **dict.fromkeys(("erfcinv", "erfcx", "tri_gamma", "chi2sf", "j0", "j1", "jv", "i0", "i1",
                     "iv", "round_half_away_from_zero"), _SPECIAL),
    **dict.fromkeys(("inverse_permutation", "permute_row_elements", "mgrid",
                     "ogrid", "default", "tensor_copy"), _EXTRA),
    **dict.fromkeys(("topk", "argtopk", "topk_and_argtopk"), "top-k selection (sort ops)"),
    "batched_tensordot": _LINALG,
    **dict.fromkeys(("DimShuffle", "Elemwise", "CAReduce", "Dot", "Subtensor", "IncSubtensor",
                     "AdvancedSubtensor", "AdvancedSubtensor1", "AdvancedIncSubtensor",
                     "AdvancedIncSubtensor1", "Shape", "Reshape", "Flatten", "Join", "Split",
                     "Alloc", "ARange", "Rebroadcast", "SpecifyShape", "MaxAndArgmax"),
                    _OPCLASSES),
    **dict.fromkeys(("autocast_float", "autocast_float_as"),
                    "Theano's float autocasting (Theon promotes as NumPy 2 does)"),
    "numeric_grad": "numeric_grad as a class (verify_grad is there)",
    "raw_random": "random streams",
    "load": "tensor I/O ops",
    "blas": "BLAS ops as Python classes (Theon's BLAS rewrites are in C++)",
    "elemwise": _OPCLASSES,
}
