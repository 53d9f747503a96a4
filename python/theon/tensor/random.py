"""Random streams: symbolic draws whose numbers change at every call of a function.

``RandomStream(seed)`` (PyTensor's style, NumPy Generator method names) makes one generator
state per draw, a shared variable whose ``default_update`` is the state after the draw, so
``theon.function`` advances it after each call (``no_default_updates=True`` freezes it).
Every draw is a Philox-4x32-10 stream keyed by (seed, draw number) and indexed by call count
and element, so the numbers do not depend on the thread count or on the graph's rewrites;
``seed(s)`` resets every state. Theano's ``RandomStreams`` and ``MRG_RandomStreams`` are in
``theon.tensor.shared_randomstreams`` and ``theon.sandbox.rng_mrg``.
"""

import numpy as np

from theon import _core
from theon._location import user_location
from theon.configparser import config
from theon.tensor._build import as_tensor_variable, build

__all__ = ["RandomStream"]

_SEED_MASK = (1 << 64) - 1


def _seed_value(seed):
    if seed is None:
        return int(np.random.SeedSequence().entropy) & _SEED_MASK
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int or None, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    return int(seed) & _SEED_MASK


def _size_variable(size):
    """None, or `size` (an int, a tuple of ints and int variables, or an int vector) as an
    int64 vector."""
    if size is None:
        return None
    if isinstance(size, _core.Variable):
        if size.ndim == 0:
            size = [size]
        else:
            if size.ndim != 1 or size.dtype[0] not in "iu":
                raise TypeError(f"size must be an integer vector, got {size.type}")
            return size if size.dtype == "int64" else build("cast", size, dtype="int64")
    if isinstance(size, (int, np.integer)):
        size = (size,)
    size = tuple(size)
    if any(isinstance(d, _core.Variable) for d in size):
        return build("stack", *[build("cast", as_tensor_variable(d), dtype="int64")
                                for d in size]) if size else None
    return as_tensor_variable(np.asarray(size, dtype="int64").reshape(len(size)))


class _Streams:
    """What the stream classes share: states, draws, seeding."""

    def __init__(self, seed=None):
        self._seed = _seed_value(seed)
        self.state_updates = []  # (state, new state) per draw, as Theano's streams list them

    # ---- states ----
    def _new_state(self):
        stream = len(self.state_updates)
        if stream >= 1 << 32:
            raise ValueError("a random stream holds at most 2**32 draws")
        return _core.generator_state(self._seed, stream, f"random_state_{stream}",
                                     user_location())

    def _register(self, state, new_state, sample):
        _core.set_default_update(state, new_state)
        self.state_updates.append((state, new_state))
        sample.rng = state
        sample.update = (state, new_state)
        return sample

    def seed(self, seed=None):
        """Restarts every state of this stream from ``seed``.

        As if the stream had been created with it; later draws use it too.

        Parameters
        ----------
        seed : int or None
            A non-negative int; None: a fresh one.

        Examples
        --------
        >>> srng = T.random.RandomStream(seed=1)
        >>> draw = theon.function([], srng.uniform(size=2))
        >>> first = draw()
        >>> srng.seed(1)
        >>> bool((draw() == first).all())
        True
        """
        self._seed = _seed_value(seed)
        for stream, (state, _) in enumerate(self.state_updates):
            _core.set_value(state, np.array([self._seed & 0xFFFFFFFF, self._seed >> 32, stream, 0],
                                            dtype=np.uint32), False)

    def updates(self):
        """The (state, new state) pairs of every draw, for ``function(updates=...)``.

        Returns
        -------
        list of (Variable, Variable)
            One pair per draw, in the order drawn.

        Examples
        --------
        >>> srng = T.random.RandomStream(seed=1)
        >>> u = srng.uniform(size=2)
        >>> len(srng.updates())
        1
        """
        return list(self.state_updates)

    # ---- draws ----
    @staticmethod
    def _check_ndim(out, ndim):
        if ndim is not None and out.ndim != ndim:
            raise ValueError(f"the sample has {out.ndim} dimensions, but ndim={ndim} was asked")
        return out

    def _draw(self, distribution, params, size, dtype, ndim=None):
        size_var = _size_variable(size)
        params = [as_tensor_variable(p) for p in params]
        state = self._new_state()
        inputs = [state] + ([size_var] if size_var is not None else []) + params
        kw = {"distribution": distribution, "has_size": size_var is not None}
        if dtype is not None:
            kw["dtype"] = str(np.dtype(dtype)) if dtype != "floatX" else config.floatX
        new_state, sample = build("random_variable", *inputs, **kw)
        return self._check_ndim(self._register(state, new_state, sample), ndim)

    def _vector(self, builder, inputs, ndim=None, **kw):
        state = self._new_state()
        new_state, sample = build(builder, state, *inputs, **kw)
        return self._check_ndim(self._register(state, new_state, sample), ndim)

    def _multinomial(self, size, n, pvals, dtype, ndim=None):
        size_var = _size_variable(size)
        pvals = as_tensor_variable(pvals)
        if pvals.dtype[0] != "f":
            pvals = build("cast", pvals, dtype=config.floatX)
        inputs = ([size_var] if size_var is not None else []) + [as_tensor_variable(n), pvals]
        return self._vector("random_multinomial", inputs, ndim, dtype=str(np.dtype(dtype)))

    def _choice(self, size, a, replace, p, ndim=None):
        size_var = _size_variable(() if size is None else size)
        a = as_tensor_variable(a)
        inputs = [size_var, a] + ([] if p is None else [as_tensor_variable(p)])
        return self._vector("random_choice", inputs, ndim, replace=bool(replace))

    def _permutation(self, size, n, ndim=None):
        size_var = _size_variable(() if size is None else size)
        return self._vector("random_permutation", [size_var, as_tensor_variable(n)], ndim)

    def shuffle_row_elements(self, input):
        """``input`` with the elements of each row (last axis) permuted independently.

        Parameters
        ----------
        input : array_like or Variable
            What to shuffle.

        Returns
        -------
        Variable
            A symbolic sample of the shape of ``input``.

        Examples
        --------
        >>> srng = T.random.RandomStream(seed=1)
        >>> a = theon.function([], srng.shuffle_row_elements(np.arange(6).reshape(2, 3)))()
        >>> np.sort(a, axis=1)
        array([[0, 1, 2],
               [3, 4, 5]])
        """
        return self._vector("random_shuffle_rows", [as_tensor_variable(input)])


def _float_dtype(dtype):
    return config.floatX if dtype is None else dtype


class RandomStream(_Streams):
    """Random draws with NumPy Generator's method names (PyTensor's RandomStream).

    Each draw has its own state, a shared variable whose ``default_update`` advances it after
    every call of a function using it. ``size`` is None (the parameters' broadcast shape), an
    int, a tuple of ints and int variables, or an int vector variable; ``dtype`` is floatX for
    real distributions and int64 for integer ones, unless given.

    Parameters
    ----------
    seed : int or None
        A non-negative int; None: a fresh one.

    Examples
    --------
    >>> srng = T.random.RandomStream(seed=42)
    >>> x = srng.normal(0, 1, size=(3, 4))
    >>> draw = theon.function([], x)
    >>> draw().shape
    (3, 4)
    >>> bool((draw() != draw()).all())
    True
    """

    def uniform(self, low=0.0, high=1.0, size=None, dtype=None):
        """Uniform numbers in ``[low, high)``.

        Parameters
        ----------
        low, high : float or Variable
            The bounds.
        size : int, tuple or int vector Variable
            The sample's shape; None: the parameters' broadcast shape.
        dtype : str
            The sample's dtype (default: config.floatX).

        Returns
        -------
        Variable
            A symbolic sample; new numbers at every call of a function using it.

        Examples
        --------
        >>> srng = T.random.RandomStream(seed=7)
        >>> draw = theon.function([], srng.uniform(2.0, 3.0, size=(2, 3)))
        >>> a = draw()
        >>> a.shape, bool(((2 <= a) & (a < 3)).all())
        ((2, 3), True)
        """
        return self._draw("uniform", [low, high], size, _float_dtype(dtype))

    def normal(self, loc=0.0, scale=1.0, size=None, dtype=None):
        """Normal numbers of mean ``loc`` and standard deviation ``scale``.

        Parameters
        ----------
        loc, scale : float or Variable
            The mean and standard deviation.
        size : int, tuple or int vector Variable
            The sample's shape; None: the parameters' broadcast shape.
        dtype : str
            The sample's dtype (default: config.floatX).

        Returns
        -------
        Variable
            A symbolic sample; new numbers at every call of a function using it.

        Examples
        --------
        >>> srng = T.random.RandomStream(seed=7)
        >>> draw = theon.function([], srng.normal(5.0, 0.1, size=1000))
        >>> a = draw()
        >>> a.shape, bool(abs(a.mean() - 5) < 0.05)
        ((1000,), True)
        """
        return self._draw("normal", [loc, scale], size, _float_dtype(dtype))

    def standard_normal(self, size=None, dtype=None):
        """Normal numbers of mean 0 and standard deviation 1.

        Parameters
        ----------
        size : int, tuple or int vector Variable
            The sample's shape; None: the parameters' broadcast shape.
        dtype : str
            The sample's dtype (default: config.floatX).

        Returns
        -------
        Variable
            A symbolic sample; new numbers at every call of a function using it.

        Examples
        --------
        >>> srng = T.random.RandomStream(seed=7)
        >>> draw = theon.function([], srng.standard_normal(size=(2, 2)))
        >>> a = draw()
        >>> a.shape, a.dtype
        ((2, 2), dtype('float64'))
        """
        return self._draw("standard_normal", [], size, _float_dtype(dtype))

    def truncated_normal(self, loc=0.0, scale=1.0, a=-2.0, b=2.0, size=None, dtype=None):
        """``loc + scale * z``, z a standard normal restricted to ``[a, b]`` (scipy's truncnorm).

        Parameters
        ----------
        loc, scale : float or Variable
            The shift and scale.
        a, b : float or Variable
            The bounds of z.
        size : int, tuple or int vector Variable
            The sample's shape; None: the parameters' broadcast shape.
        dtype : str
            The sample's dtype (default: config.floatX).

        Returns
        -------
        Variable
            A symbolic sample; new numbers at every call of a function using it.

        Examples
        --------
        >>> srng = T.random.RandomStream(seed=7)
        >>> draw = theon.function([], srng.truncated_normal(0.0, 1.0, -1.0, 1.0, size=100))
        >>> a = draw()
        >>> bool((abs(a) <= 1).all())
        True
        """
        return self._draw("truncated_normal", [loc, scale, a, b], size, _float_dtype(dtype))

    def beta(self, a, b, size=None, dtype=None):
        """Beta-distributed numbers in ``[0, 1]``.

        Parameters
        ----------
        a, b : float or Variable
            The shape parameters, positive.
        size : int, tuple or int vector Variable
            The sample's shape; None: the parameters' broadcast shape.
        dtype : str
            The sample's dtype (default: config.floatX).

        Returns
        -------
        Variable
            A symbolic sample; new numbers at every call of a function using it.

        Examples
        --------
        >>> srng = T.random.RandomStream(seed=7)
        >>> draw = theon.function([], srng.beta(2.0, 5.0, size=3))
        >>> a = draw()
        >>> a.shape, bool(((0 <= a) & (a <= 1)).all())
        ((3,), True)
        """
        return self._draw("beta", [a, b], size, _float_dtype(dtype))

    def gamma(self, shape, scale=1.0, size=None, dtype=None):
        """Gamma-distributed numbers.

        Parameters
        ----------
        shape, scale : float or Variable
            The shape and scale, positive.
        size : int, tuple or int vector Variable
            The sample's shape; None: the parameters' broadcast shape.
        dtype : str
            The sample's dtype (default: config.floatX).

        Returns
        -------
        Variable
            A symbolic sample; new numbers at every call of a function using it.

        Examples
        --------
        >>> srng = T.random.RandomStream(seed=7)
        >>> draw = theon.function([], srng.gamma(2.0, 3.0, size=3))
        >>> a = draw()
        >>> a.shape, bool((a > 0).all())
        ((3,), True)
        """
        return self._draw("gamma", [shape, scale], size, _float_dtype(dtype))

    def exponential(self, scale=1.0, size=None, dtype=None):
        """Exponentially distributed numbers of mean ``scale``.

        Parameters
        ----------
        scale : float or Variable
            The mean, positive.
        size : int, tuple or int vector Variable
            The sample's shape; None: the parameters' broadcast shape.
        dtype : str
            The sample's dtype (default: config.floatX).

        Returns
        -------
        Variable
            A symbolic sample; new numbers at every call of a function using it.

        Examples
        --------
        >>> srng = T.random.RandomStream(seed=7)
        >>> draw = theon.function([], srng.exponential(2.0, size=3))
        >>> a = draw()
        >>> a.shape, bool((a >= 0).all())
        ((3,), True)
        """
        return self._draw("exponential", [scale], size, _float_dtype(dtype))

    def poisson(self, lam=1.0, size=None, dtype="int64"):
        """Poisson-distributed counts of mean ``lam``.

        Parameters
        ----------
        lam : float or Variable
            The mean, non-negative.
        size : int, tuple or int vector Variable
            The sample's shape; None: the parameters' broadcast shape.
        dtype : str
            The sample's dtype.

        Returns
        -------
        Variable
            A symbolic sample; new numbers at every call of a function using it.

        Examples
        --------
        >>> srng = T.random.RandomStream(seed=7)
        >>> draw = theon.function([], srng.poisson(3.0, size=4))
        >>> a = draw()
        >>> a.dtype, bool((a >= 0).all())
        (dtype('int64'), True)
        """
        return self._draw("poisson", [lam], size, dtype)

    def binomial(self, n, p, size=None, dtype="int64"):
        """The number of successes among ``n`` trials of probability ``p``.

        Parameters
        ----------
        n : int or Variable
            The number of trials.
        p : float or Variable
            The probability of success.
        size : int, tuple or int vector Variable
            The sample's shape; None: the parameters' broadcast shape.
        dtype : str
            The sample's dtype.

        Returns
        -------
        Variable
            A symbolic sample; new numbers at every call of a function using it.

        Examples
        --------
        >>> srng = T.random.RandomStream(seed=7)
        >>> draw = theon.function([], srng.binomial(10, 0.5, size=4))
        >>> a = draw()
        >>> a.dtype, bool(((0 <= a) & (a <= 10)).all())
        (dtype('int64'), True)
        """
        return self._draw("binomial", [n, p], size, dtype)

    def bernoulli(self, p, size=None, dtype="int64"):
        """1 with probability ``p``, else 0.

        Parameters
        ----------
        p : float or Variable
            The probability of 1.
        size : int, tuple or int vector Variable
            The sample's shape; None: the parameters' broadcast shape.
        dtype : str
            The sample's dtype.

        Returns
        -------
        Variable
            A symbolic sample; new numbers at every call of a function using it.

        Examples
        --------
        >>> srng = T.random.RandomStream(seed=7)
        >>> draw = theon.function([], srng.bernoulli(1.0, size=3))
        >>> a = draw()
        >>> a
        array([1, 1, 1])
        """
        return self._draw("binomial", [1, p], size, dtype)

    def integers(self, low, high=None, size=None, dtype="int64", endpoint=False):
        """Integers in ``[low, high)`` (``[low, high]`` with endpoint), uniformly.

        Parameters
        ----------
        low, high : int or Variable
            The bounds; high=None draws from ``[0, low)``.
        size : int, tuple or int vector Variable
            The sample's shape; None: the parameters' broadcast shape.
        dtype : str
            The sample's dtype.
        endpoint : bool
            Include ``high``.

        Returns
        -------
        Variable
            A symbolic sample; new numbers at every call of a function using it.

        Examples
        --------
        >>> srng = T.random.RandomStream(seed=7)
        >>> draw = theon.function([], srng.integers(3, size=100))
        >>> a = draw()
        >>> sorted(set(a.tolist()))
        [0, 1, 2]
        """
        if high is None:
            low, high = 0, low
        if endpoint:
            high = as_tensor_variable(high) + 1
        return self._draw("integers", [low, high], size, dtype)

    def random_integers(self, low=0, high=1, size=None, dtype="int64"):
        """Integers in ``[low, high]``, both included (Theano's random_integers).

        Parameters
        ----------
        low, high : int or Variable
            The bounds.
        size : int, tuple or int vector Variable
            The sample's shape; None: the parameters' broadcast shape.
        dtype : str
            The sample's dtype.

        Returns
        -------
        Variable
            A symbolic sample; new numbers at every call of a function using it.

        Examples
        --------
        >>> srng = T.random.RandomStream(seed=7)
        >>> draw = theon.function([], srng.random_integers(1, 3, size=100))
        >>> a = draw()
        >>> sorted(set(a.tolist()))
        [1, 2, 3]
        """
        return self.integers(low, high, size=size, dtype=dtype, endpoint=True)

    def multinomial(self, n, pvals, size=None, dtype="int64"):
        """Counts of ``n`` draws among the categories of probabilities ``pvals``.

        Parameters
        ----------
        n : int or Variable
            The number of draws.
        pvals : array_like or Variable
            The probabilities, on the last axis.
        size : int, tuple or int vector Variable
            The sample's shape; None: the parameters' broadcast shape.
        dtype : str
            The sample's dtype.

        Returns
        -------
        Variable
            A symbolic sample, with the categories on the last axis.

        Examples
        --------
        >>> srng = T.random.RandomStream(seed=7)
        >>> draw = theon.function([], srng.multinomial(10, [0.2, 0.8]))
        >>> a = draw()
        >>> a.shape, int(a.sum())
        ((2,), 10)
        """
        return self._multinomial(size, n, pvals, dtype)

    def choice(self, a, size=None, replace=True, p=None):
        """Elements of ``a`` (or of ``range(a)`` for an int) drawn at random.

        Parameters
        ----------
        a : int, array_like or Variable
            The population.
        size : int, tuple or int vector Variable
            The sample's shape; None: the parameters' broadcast shape.
        replace : bool
            Draw with replacement.
        p : array_like or Variable
            The probabilities (default: uniform).

        Returns
        -------
        Variable
            A symbolic sample; new numbers at every call of a function using it.

        Examples
        --------
        >>> srng = T.random.RandomStream(seed=7)
        >>> draw = theon.function([], srng.choice(5, size=5, replace=False))
        >>> a = draw()
        >>> sorted(a.tolist())
        [0, 1, 2, 3, 4]
        """
        return self._choice(size, a, replace, p)

    def permutation(self, x, size=None):
        """A permutation of ``range(x)``, or of the rows of the array ``x``.

        For an array, a shuffled copy along its first axis.

        Parameters
        ----------
        x : int, array_like or Variable
            What to permute.
        size : int or tuple
            For an int x, the shape of independent permutations (each a last axis).

        Returns
        -------
        Variable
            A symbolic sample; new numbers at every call of a function using it.

        Examples
        --------
        >>> srng = T.random.RandomStream(seed=7)
        >>> draw = theon.function([], srng.permutation(4))
        >>> a = draw()
        >>> sorted(a.tolist())
        [0, 1, 2, 3]
        """
        if isinstance(x, (int, np.integer)) or (isinstance(x, _core.Variable) and x.ndim == 0):
            return self._permutation(size, x)
        x = as_tensor_variable(x)
        return x[self._permutation(None, x.shape[0])]

    def shuffle(self, x):
        """A shuffled copy of ``x`` along its first axis (NumPy's Generator.permutation(x)).

        Parameters
        ----------
        x : array_like or Variable
            What to shuffle.

        Returns
        -------
        Variable
            A symbolic sample; new numbers at every call of a function using it.

        Examples
        --------
        >>> srng = T.random.RandomStream(seed=7)
        >>> draw = theon.function([], srng.shuffle(np.arange(4.0)))
        >>> a = draw()
        >>> sorted(a.tolist())
        [0.0, 1.0, 2.0, 3.0]
        """
        return self.permutation(x)
