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
    """Theano's MRG_RandomStreams, on Theon's counter-based streams.

    The numbers differ from Theano's MRG31k3p generator; the distributions do not.

    Parameters
    ----------
    seed : int
        A non-negative int.

    Examples
    --------
    >>> from theon.sandbox.rng_mrg import MRG_RandomStreams
    >>> srng = MRG_RandomStreams(seed=234)
    >>> f = theon.function([], srng.uniform((3,)))
    >>> f().shape
    (3,)
    """

    def __init__(self, seed=12345):
        super().__init__(seed)

    def uniform(self, size, low=0.0, high=1.0, ndim=None, dtype=None, nstreams=None):
        """Uniform numbers in ``[low, high)``.

        Parameters
        ----------
        size : int or tuple
            The sample's shape (None: the parameters' broadcast shape).
        low, high : float or Variable
            The bounds.
        ndim : int
            Checked against the sample's number of dimensions.
        dtype : str
            The sample's dtype (default: config.floatX).
        nstreams, **kwargs
            Accepted for Theano's signature (every element has a stream of its own).

        Returns
        -------
        Variable
            A symbolic sample; new numbers at every call of a function using it.

        Examples
        --------
        >>> from theon.sandbox.rng_mrg import MRG_RandomStreams
        >>> srng = MRG_RandomStreams(seed=7)
        >>> a = theon.function([], srng.uniform((2, 3), 2.0, 3.0))()
        >>> a.shape, bool(((2 <= a) & (a < 3)).all())
        ((2, 3), True)
        """
        return self._draw("uniform", [low, high], size, _float_dtype(dtype), ndim)

    def normal(self, size, avg=0.0, std=1.0, ndim=None, dtype=None, nstreams=None,
               truncate=False, **kwargs):
        """Normal numbers of mean ``avg`` and standard deviation ``std``.

        Parameters
        ----------
        size : int or tuple
            The sample's shape (None: the parameters' broadcast shape).
        avg, std : float or Variable
            The mean and standard deviation.
        ndim : int
            Checked against the sample's number of dimensions.
        dtype : str
            The sample's dtype (default: config.floatX).
        truncate : bool
            Draw from truncated_normal instead.
        nstreams, **kwargs
            Accepted for Theano's signature (every element has a stream of its own).

        Returns
        -------
        Variable
            A symbolic sample; new numbers at every call of a function using it.

        Examples
        --------
        >>> from theon.sandbox.rng_mrg import MRG_RandomStreams
        >>> srng = MRG_RandomStreams(seed=7)
        >>> a = theon.function([], srng.normal((1000,), 5.0, 0.1))()
        >>> bool(abs(a.mean() - 5) < 0.05)
        True
        """
        if truncate:
            return self.truncated_normal(size, avg, std, ndim, dtype)
        return self._draw("normal", [avg, std], size, _float_dtype(dtype), ndim)

    def truncated_normal(self, size, avg=0.0, std=1.0, ndim=None, dtype=None, nstreams=None):
        """A normal truncated at two standard deviations around ``avg``.

        Its own standard deviation is ``std``, as in Theano.

        Parameters
        ----------
        size : int or tuple
            The sample's shape (None: the parameters' broadcast shape).
        avg, std : float or Variable
            The mean and the standard deviation of the truncated distribution (as Theano's).
        ndim : int
            Checked against the sample's number of dimensions.
        dtype : str
            The sample's dtype (default: config.floatX).
        nstreams
            Accepted for Theano's signature.

        Returns
        -------
        Variable
            A symbolic sample; new numbers at every call of a function using it.

        Examples
        --------
        >>> from theon.sandbox.rng_mrg import MRG_RandomStreams
        >>> srng = MRG_RandomStreams(seed=7)
        >>> a = theon.function([], srng.truncated_normal((100,), 0.0, 1.0))()
        >>> bool((abs(a) <= 2 / 0.8796256610342398).all())
        True
        """
        scale = as_tensor_variable(std) / _TRUNCATED_STD
        return self._draw("truncated_normal", [avg, scale, -2.0, 2.0], size,
                          _float_dtype(dtype), ndim)

    def binomial(self, size=None, p=0.5, n=1, ndim=None, dtype="int64", nstreams=None,
                 **kwargs):
        """The number of successes among ``n`` trials of probability ``p``.

        Parameters
        ----------
        size : int or tuple
            The sample's shape (None: the parameters' broadcast shape).
        p : float or Variable
            The probability of success.
        n : int or Variable
            The number of trials.
        ndim : int
            Checked against the sample's number of dimensions.
        dtype : str
            The sample's dtype.
        nstreams, **kwargs
            Accepted for Theano's signature (every element has a stream of its own).

        Returns
        -------
        Variable
            A symbolic sample; new numbers at every call of a function using it.

        Examples
        --------
        >>> from theon.sandbox.rng_mrg import MRG_RandomStreams
        >>> srng = MRG_RandomStreams(seed=7)
        >>> a = theon.function([], srng.binomial((4,), p=1.0))()
        >>> a
        array([1, 1, 1, 1])
        """
        return self._draw("binomial", [n, p], size, dtype, ndim)

    def multinomial(self, size=None, n=1, pvals=None, ndim=None, dtype="int64", nstreams=None,
                    **kwargs):
        """One multinomial draw per row of the matrix ``pvals``.

        Parameters
        ----------
        size
            Accepted for Theano's signature (the result has the shape of pvals).
        n : int or Variable
            The number of draws per row.
        pvals : matrix
            The probabilities of each row.
        ndim : int
            Checked against the sample's number of dimensions.
        dtype : str
            The sample's dtype.
        nstreams, **kwargs
            Accepted for Theano's signature (every element has a stream of its own).

        Returns
        -------
        Variable
            Counts, of the shape of ``pvals``.

        Examples
        --------
        >>> from theon.sandbox.rng_mrg import MRG_RandomStreams
        >>> srng = MRG_RandomStreams(seed=7)
        >>> a = theon.function([], srng.multinomial(pvals=[[0.0, 1.0], [1.0, 0.0]]))()
        >>> a
        array([[0, 1],
               [1, 0]])
        """
        if pvals is None:
            raise TypeError("MRG_RandomStreams.multinomial: pvals must be given")
        pvals = as_tensor_variable(pvals)
        if pvals.ndim != 2:
            raise NotImplementedError(f"MRG_RandomStreams.multinomial: pvals must be a matrix, "
                                      f"got {pvals.ndim} dimensions")
        return self._multinomial(None, n, pvals, dtype, ndim)

    def choice(self, size=1, a=None, replace=True, p=None, ndim=None, dtype="int64",
               nstreams=None, **kwargs):
        """For each row of the matrix ``p``, ``size`` distinct indices drawn with its weights.

        Parameters
        ----------
        size : int
            The number of indices per row.
        a : None
            Only None (the columns of p), as in Theano.
        replace : False
            replace=True is not supported, as in Theano.
        p : matrix
            The probabilities of each row.
        ndim : int
            Checked against the sample's number of dimensions.
        dtype : str
            The sample's dtype.
        nstreams, **kwargs
            Accepted for Theano's signature (every element has a stream of its own).

        Returns
        -------
        Variable
            Indices in draw order, one row per row of ``p`` (Gumbel top-k, equivalent to successive
            sampling).

        Examples
        --------
        >>> from theon.sandbox.rng_mrg import MRG_RandomStreams
        >>> srng = MRG_RandomStreams(seed=7)
        >>> a = theon.function([], srng.choice(size=2, p=[[0.5, 0.5, 0.0]], replace=False))()
        >>> sorted(a[0].tolist())
        [0, 1]
        """
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
        """The old name of ``choice(size=n, p=pvals, replace=False)``.

        Parameters
        ----------
        size
            Accepted for Theano's signature.
        n : int
            The number of indices per row.
        pvals : matrix
            The probabilities of each row.
        ndim : int
            Checked against the sample's number of dimensions.
        dtype : str
            The sample's dtype.
        nstreams, **kwargs
            Accepted for Theano's signature (every element has a stream of its own).

        Returns
        -------
        Variable
            Indices in draw order, one row per row of ``pvals``.

        Examples
        --------
        >>> from theon.sandbox.rng_mrg import MRG_RandomStreams
        >>> srng = MRG_RandomStreams(seed=7)
        >>> a = theon.function([], srng.multinomial_wo_replacement(n=1, pvals=[[0.0, 1.0]]))()
        >>> a
        array([[1]])
        """
        return self.choice(size=n, p=pvals, replace=False, ndim=ndim, dtype=dtype)
