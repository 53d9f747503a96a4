"""Theano's ``theano.sandbox.rng_mrg.MRG_RandomStreams``, with its method names and
arguments, on Theon's counter-based streams (Philox-4x32-10, see ``theon.tensor.random``;
Theano's MRG31k3p generator itself is not reproduced: the numbers differ from Theano's, the
distributions do not). ``nstreams`` is accepted and ignored: every element has a stream of
its own."""

import numpy as np

from theon.configparser import config
from theon.tensor._build import as_tensor_variable, build
from theon.tensor.random import _Streams, _float_dtype

__all__ = ["MRG_RandomStreams"]

# The standard deviation of a standard normal truncated to [-2, 2].
_TRUNCATED_STD = 0.87962566103423978


class MRG_RandomStreams(_Streams):
    """``MRG_RandomStreams(seed=12345)``: ``uniform``, ``normal``, ``truncated_normal``,
    ``binomial``, ``multinomial``, ``choice`` (without replacement, one row of draws per row
    of ``pvals``), ``seed``, ``state_updates`` / ``updates()``."""

    def __init__(self, seed=12345):
        super().__init__(seed)

    def uniform(self, size, low=0.0, high=1.0, ndim=None, dtype=None, nstreams=None):
        return self._draw("uniform", [low, high], size, _float_dtype(dtype), ndim)

    def normal(self, size, avg=0.0, std=1.0, ndim=None, dtype=None, nstreams=None,
               truncate=False, **kwargs):
        if truncate:
            return self.truncated_normal(size, avg, std, ndim, dtype)
        return self._draw("normal", [avg, std], size, _float_dtype(dtype), ndim)

    def truncated_normal(self, size, avg=0.0, std=1.0, ndim=None, dtype=None, nstreams=None):
        """A normal truncated at two standard deviations around avg, scaled so that its own
        standard deviation is ``std`` (as Theano's)."""
        scale = as_tensor_variable(std) / _TRUNCATED_STD
        return self._draw("truncated_normal", [avg, scale, -2.0, 2.0], size,
                          _float_dtype(dtype), ndim)

    def binomial(self, size=None, p=0.5, n=1, ndim=None, dtype="int64", nstreams=None,
                 **kwargs):
        return self._draw("binomial", [n, p], size, dtype, ndim)

    def multinomial(self, size=None, n=1, pvals=None, ndim=None, dtype="int64", nstreams=None,
                    **kwargs):
        """One multinomial draw per row of the matrix ``pvals`` (the result has its shape)."""
        if pvals is None:
            raise TypeError("MRG_RandomStreams.multinomial: pvals must be given")
        pvals = as_tensor_variable(pvals)
        if pvals.ndim != 2:
            raise NotImplementedError(f"MRG_RandomStreams.multinomial: pvals must be a matrix, "
                                      f"got {pvals.ndim} dimensions")
        return self._multinomial(None, n, pvals, dtype, ndim)

    def choice(self, size=1, a=None, replace=True, p=None, ndim=None, dtype="int64",
               nstreams=None, **kwargs):
        """For each row of the matrix ``p``, ``size`` distinct indices drawn with those
        probabilities, in draw order (Theano's choice; replace=True is not supported, as in
        Theano). Uses the Gumbel top-k equivalence to successive sampling."""
        if a is not None:
            raise TypeError("MRG_RandomStreams.choice: only a=None is supported (the indices "
                            "of the columns of p), as in Theano")
        if replace:
            raise NotImplementedError("MRG_RandomStreams.choice: replace=True is not "
                                      "supported, as in Theano; use multinomial")
        p = as_tensor_variable(p)
        if p.ndim != 2:
            raise TypeError(f"MRG_RandomStreams.choice: p must be a matrix, got {p.type}")
        if not isinstance(size, (int, np.integer)):
            raise TypeError("MRG_RandomStreams.choice: size must be an int (draws per row)")
        u = self._draw("uniform", [0.0, 1.0], p.shape, "float64")
        keys = build("log", p.astype("float64")) - build("log", -build("log1p", -u))
        order = build("argsort", -keys, axis=-1)
        out = order[:, :size]
        return out if out.dtype == dtype else out.astype(dtype)

    def multinomial_wo_replacement(self, size=None, n=1, pvals=None, ndim=None, dtype="int64",
                                   nstreams=None, **kwargs):
        """The old name of choice(size=n, p=pvals, replace=False)."""
        return self.choice(size=n, p=pvals, replace=False, ndim=ndim, dtype=dtype)
