"""Theano's ``theano.tensor.shared_randomstreams.RandomStreams``: the method names and
arguments of Theano (``uniform(size, low, high, ndim, dtype)``, ...), on Theon's counter-based
streams (see ``theon.tensor.random``)."""

from theon.tensor.random import _Streams, _float_dtype

__all__ = ["RandomStreams"]


class RandomStreams(_Streams):
    """Theano's RandomStreams: symbolic random draws, with Theano's method signatures.

    Each draw has its own state (a shared variable, ``sample.rng``) advanced by
    ``default_update`` after every call of a function that uses it. ``seed(s)`` restarts them
    all; ``state_updates`` / ``updates()`` list (state, new state) pairs.

    Parameters
    ----------
    seed : int or None
        A non-negative int; None: a fresh one.

    Examples
    --------
    >>> from theon.tensor.shared_randomstreams import RandomStreams
    >>> srng = RandomStreams(seed=234)
    >>> f = theon.function([], srng.uniform((2, 2)))
    >>> f().shape
    (2, 2)
    >>> bool((f() != f()).all())
    True
    """

    def __init__(self, seed=None):
        super().__init__(seed)

    def uniform(self, size=None, low=0.0, high=1.0, ndim=None, dtype=None):
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

        Returns
        -------
        Variable
            A symbolic sample; new numbers at every call of a function using it.

        Examples
        --------
        >>> from theon.tensor.shared_randomstreams import RandomStreams
        >>> srng = RandomStreams(seed=7)
        >>> a = theon.function([], srng.uniform((2, 3), 2.0, 3.0))()
        >>> a.shape, bool(((2 <= a) & (a < 3)).all())
        ((2, 3), True)
        """
        return self._draw("uniform", [low, high], size, _float_dtype(dtype), ndim)

    def normal(self, size=None, avg=0.0, std=1.0, ndim=None, dtype=None):
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

        Returns
        -------
        Variable
            A symbolic sample; new numbers at every call of a function using it.

        Examples
        --------
        >>> from theon.tensor.shared_randomstreams import RandomStreams
        >>> srng = RandomStreams(seed=7)
        >>> a = theon.function([], srng.normal((1000,), 5.0, 0.1))()
        >>> bool(abs(a.mean() - 5) < 0.05)
        True
        """
        return self._draw("normal", [avg, std], size, _float_dtype(dtype), ndim)

    def binomial(self, size=None, n=1, p=0.5, ndim=None, dtype="int64", prob=None):
        """The number of successes among ``n`` trials of probability ``p``.

        Parameters
        ----------
        size : int or tuple
            The sample's shape (None: the parameters' broadcast shape).
        n : int or Variable
            The number of trials.
        p : float or Variable
            The probability of success.
        ndim : int
            Checked against the sample's number of dimensions.
        dtype : str
            The sample's dtype.
        prob : float or Variable
            Theano's old name of p.

        Returns
        -------
        Variable
            A symbolic sample; new numbers at every call of a function using it.

        Examples
        --------
        >>> from theon.tensor.shared_randomstreams import RandomStreams
        >>> srng = RandomStreams(seed=7)
        >>> a = theon.function([], srng.binomial((4,), 10, 0.5))()
        >>> bool(((0 <= a) & (a <= 10)).all())
        True
        """
        if prob is not None:
            p = prob
        return self._draw("binomial", [n, p], size, dtype, ndim)

    def random_integers(self, size=None, low=0, high=1, ndim=None, dtype="int64"):
        """Integers in ``[low, high]``, both included.

        Parameters
        ----------
        size : int or tuple
            The sample's shape (None: the parameters' broadcast shape).
        low, high : int or Variable
            The bounds.
        ndim : int
            Checked against the sample's number of dimensions.
        dtype : str
            The sample's dtype.

        Returns
        -------
        Variable
            A symbolic sample; new numbers at every call of a function using it.

        Examples
        --------
        >>> from theon.tensor.shared_randomstreams import RandomStreams
        >>> srng = RandomStreams(seed=7)
        >>> a = theon.function([], srng.random_integers((100,), 1, 3))()
        >>> sorted(set(a.tolist()))
        [1, 2, 3]
        """
        from theon.tensor._build import as_tensor_variable

        return self._draw("integers", [low, as_tensor_variable(high) + 1], size, dtype, ndim)

    def poisson(self, size=None, lam=1.0, ndim=None, dtype="int64"):
        """Poisson-distributed counts of mean ``lam``.

        Parameters
        ----------
        size : int or tuple
            The sample's shape (None: the parameters' broadcast shape).
        lam : float or Variable
            The mean.
        ndim : int
            Checked against the sample's number of dimensions.
        dtype : str
            The sample's dtype.

        Returns
        -------
        Variable
            A symbolic sample; new numbers at every call of a function using it.

        Examples
        --------
        >>> from theon.tensor.shared_randomstreams import RandomStreams
        >>> srng = RandomStreams(seed=7)
        >>> a = theon.function([], srng.poisson((4,), 3.0))()
        >>> a.dtype, bool((a >= 0).all())
        (dtype('int64'), True)
        """
        return self._draw("poisson", [lam], size, dtype, ndim)

    def choice(self, size=None, a=2, replace=True, p=None, ndim=None, dtype="int64"):
        """Elements of ``a`` (or of ``range(a)`` for an int) drawn at random.

        Parameters
        ----------
        size : int or tuple
            The sample's shape (None: the parameters' broadcast shape).
        a : int, array_like or Variable
            The population.
        replace : bool
            Draw with replacement.
        p : array_like or Variable
            The probabilities (default: uniform).
        ndim : int
            Checked against the sample's number of dimensions.
        dtype : str
            The sample's dtype.

        Returns
        -------
        Variable
            A symbolic sample; new numbers at every call of a function using it.

        Examples
        --------
        >>> from theon.tensor.shared_randomstreams import RandomStreams
        >>> srng = RandomStreams(seed=7)
        >>> a = theon.function([], srng.choice((5,), 5, replace=False))()
        >>> sorted(a.tolist())
        [0, 1, 2, 3, 4]
        """
        out = self._choice(size, a, replace, p, ndim)
        return out if out.dtype == dtype else out.astype(dtype)

    def permutation(self, size=None, n=1, ndim=None, dtype="int64"):
        """Permutations of ``range(n)``, of shape ``size + (n,)``.

        Parameters
        ----------
        size : int or tuple
            The sample's shape (None: the parameters' broadcast shape).
        n : int or Variable
            The length of each permutation.
        ndim : int
            Checked against the number of dimensions of ``size``.
        dtype : str
            The sample's dtype.

        Returns
        -------
        Variable
            A symbolic sample; new numbers at every call of a function using it.

        Examples
        --------
        >>> from theon.tensor.shared_randomstreams import RandomStreams
        >>> srng = RandomStreams(seed=7)
        >>> a = theon.function([], srng.permutation((2,), 3))()
        >>> np.sort(a, axis=1)
        array([[0, 1, 2],
               [0, 1, 2]])
        """
        out = self._permutation(size, n, None if ndim is None else ndim + 1)
        return out if out.dtype == dtype else out.astype(dtype)

    def multinomial(self, size=None, n=1, pvals=(0.5, 0.5), ndim=None, dtype="int64"):
        """Counts of ``n`` draws among the categories of probabilities ``pvals``.

        Parameters
        ----------
        size : int or tuple
            The sample's shape (None: the parameters' broadcast shape).
        n : int or Variable
            The number of draws.
        pvals : array_like or Variable
            The probabilities, on the last axis.
        ndim : int
            Checked against the number of dimensions of ``size``.
        dtype : str
            The sample's dtype.

        Returns
        -------
        Variable
            A symbolic sample, with the categories on the last axis.

        Examples
        --------
        >>> from theon.tensor.shared_randomstreams import RandomStreams
        >>> srng = RandomStreams(seed=7)
        >>> a = theon.function([], srng.multinomial(n=10, pvals=[0.2, 0.8]))()
        >>> a.shape, int(a.sum())
        ((2,), 10)
        """
        return self._multinomial(size, n, pvals, dtype, None if ndim is None else ndim + 1)

    def gen(self, op, *args, **kwargs):
        """Theano's ``gen(op, ...)``: a draw by method or distribution name.

        Parameters
        ----------
        op : str or callable
            One of this stream's methods or its name ('uniform', 'normal', ...).
        *args, **kwargs
            Passed to it.

        Returns
        -------
        Variable
            A symbolic sample; new numbers at every call of a function using it.

        Examples
        --------
        >>> from theon.tensor.shared_randomstreams import RandomStreams
        >>> srng = RandomStreams(seed=7)
        >>> a = theon.function([], srng.gen('uniform', (3,)))()
        >>> a.shape
        (3,)
        """
        method = getattr(self, op) if isinstance(op, str) else op
        return method(*args, **kwargs)
