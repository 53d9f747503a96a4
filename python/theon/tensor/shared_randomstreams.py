"""Theano's ``theano.tensor.shared_randomstreams.RandomStreams``: the method names and
arguments of Theano (``uniform(size, low, high, ndim, dtype)``, ...), on Theon's counter-based
streams (see ``theon.tensor.random``)."""

from theon.tensor.random import _Streams, _float_dtype

__all__ = ["RandomStreams"]


class RandomStreams(_Streams):
    """``RandomStreams(seed)``: each method returns a symbolic sample; each draw has its own
    state (a shared variable, ``sample.rng``) advanced by ``default_update`` after every call
    of a function that uses it. ``seed(s)`` restarts them all; ``state_updates`` / ``updates()``
    list (state, new state) pairs."""

    def __init__(self, seed=None):
        super().__init__(seed)

    def uniform(self, size=None, low=0.0, high=1.0, ndim=None, dtype=None):
        return self._draw("uniform", [low, high], size, _float_dtype(dtype), ndim)

    def normal(self, size=None, avg=0.0, std=1.0, ndim=None, dtype=None):
        return self._draw("normal", [avg, std], size, _float_dtype(dtype), ndim)

    def binomial(self, size=None, n=1, p=0.5, ndim=None, dtype="int64", prob=None):
        if prob is not None:
            p = prob
        return self._draw("binomial", [n, p], size, dtype, ndim)

    def random_integers(self, size=None, low=0, high=1, ndim=None, dtype="int64"):
        """Integers in [low, high], both included."""
        from theon.tensor._build import as_tensor_variable

        return self._draw("integers", [low, as_tensor_variable(high) + 1], size, dtype, ndim)

    def poisson(self, size=None, lam=1.0, ndim=None, dtype="int64"):
        return self._draw("poisson", [lam], size, dtype, ndim)

    def choice(self, size=None, a=2, replace=True, p=None, ndim=None, dtype="int64"):
        out = self._choice(size, a, replace, p, ndim)
        return out if out.dtype == dtype else out.astype(dtype)

    def permutation(self, size=None, n=1, ndim=None, dtype="int64"):
        """Permutations of range(n), of shape size + (n,)."""
        out = self._permutation(size, n, None if ndim is None else ndim + 1)
        return out if out.dtype == dtype else out.astype(dtype)

    def multinomial(self, size=None, n=1, pvals=(0.5, 0.5), ndim=None, dtype="int64"):
        return self._multinomial(size, n, pvals, dtype, None if ndim is None else ndim + 1)

    def gen(self, op, *args, **kwargs):
        """Theano's gen(op, ...): ``op`` is one of this stream's methods or a distribution
        name ('uniform', 'normal', ...), called with the remaining arguments."""
        method = getattr(self, op) if isinstance(op, str) else op
        return method(*args, **kwargs)
