"""function(), In, Out and shared(): the Python glue over the C++ compiler."""

import atexit

import numpy as np

from theon import _core
from theon._location import user_location
from theon.tensor._build import as_tensor_variable

__all__ = ["function", "shared", "In", "Out", "Mode", "NanGuardMode", "FAST_RUN",
           "FAST_COMPILE", "builders"]


class In:
    """An input of a compiled function, with a keyword name and an optional default value.

    Parameters
    ----------
    variable : Variable
        The graph's input.
    name : str
        The keyword that passes it (default: the variable's name).
    value : array_like
        The default value, used when the call does not pass it.
    mutable, borrow : bool
        Accepted for Theano's signature; Theon never writes into arguments.

    Examples
    --------
    >>> x, y = T.dscalars('x', 'y')
    >>> f = theon.function([x, theon.In(y, value=10.0, name='offset')], x + y)
    >>> f(1.0), f(1.0, offset=2.0)
    (array(11.), array(3.))
    """

    def __init__(self, variable, name=None, value=None, mutable=False, borrow=False):
        if not isinstance(variable, _core.Variable):
            raise TypeError(f"In: expected a Variable, got {type(variable).__name__}")
        self.variable = variable
        self.name = name
        self.value = value
        self.mutable = mutable
        self.borrow = borrow


class Out:
    """An output of a compiled function.

    Parameters
    ----------
    variable : Variable
        What the function returns.
    borrow : bool
        Let the returned array alias internal or shared storage (no copy); a later call may
        then overwrite it.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> f = theon.function([x], theon.Out(x * 2, borrow=True))
    >>> f([1., 2.])
    array([2., 4.])
    """

    def __init__(self, variable, borrow=False):
        self.variable = variable
        self.borrow = borrow


# Theano's linkers: Theon has one (its VM, with generated kernels where it fuses), which
# stands for each of them.
_THEANO_LINKERS = {"vm", "cvm", "c", "py", "c|py", "c|py_nogc", "vm_nogc", "cvm_nogc"}
# Theano's optimizer names: the Theon mode that runs the same rewrites.
_THEANO_OPTIMIZERS = {"fast_run": "FAST_RUN", "fast_compile": "FAST_COMPILE", "None": "NONE",
                      "o4": "FAST_RUN", "merge": "FAST_COMPILE", "default": ""}


class Mode:
    """Which rewrites ``function()`` runs.

    Parameters
    ----------
    optimizer : str
        ``'FAST_RUN'`` (all), ``'FAST_COMPILE'`` (merge and constant folding), ``'NONE'``;
        None: ``config.mode``.
    including, excluding : sequence of str
        Names or tags of rewrites added to, or removed from, that set.
    linker : str
        Theano's linker names ('vm', 'cvm', 'c', 'py', 'c|py', ...) are accepted and all mean
        Theon's one linker. Theano's optimizer spellings ('fast_run', 'fast_compile', 'None',
        'default') are accepted too.

    Examples
    --------
    >>> mode = theon.Mode('FAST_RUN').excluding('fusion')
    >>> mode
    Mode('FAST_RUN', including=(), excluding=('fusion',))
    >>> x = T.dvector('x')
    >>> theon.function([x], x + 0, mode=mode)([1.0])
    array([1.])
    """

    def __init__(self, optimizer=None, including=(), excluding=(), *, linker=None):
        if linker is not None and linker not in _THEANO_LINKERS:
            raise ValueError(f"Mode: unknown linker {linker!r}; expected one of "
                             f"{sorted(_THEANO_LINKERS)} (Theon has one linker, its VM)")
        self.linker = linker
        optimizer = _THEANO_OPTIMIZERS.get(optimizer, optimizer)
        self.optimizer = optimizer or ""
        self._including = tuple(including)
        self._excluding = tuple(excluding)

    def including(self, *names):
        """A copy of this mode that also runs the rewrites ``names``.

        Parameters
        ----------
        *names : str
            Names or tags of rewrites.

        Returns
        -------
        Mode
            The changed copy; this mode is unchanged.

        Examples
        --------
        >>> theon.Mode('FAST_COMPILE').including('canonicalize')
        Mode('FAST_COMPILE', including=('canonicalize',), excluding=())
        """
        return Mode(self.optimizer, self._including + names, self._excluding)

    def excluding(self, *names):
        """A copy of this mode that does not run the rewrites ``names``.

        Parameters
        ----------
        *names : str
            Names or tags of rewrites.

        Returns
        -------
        Mode
            The changed copy; this mode is unchanged.

        Examples
        --------
        >>> theon.Mode('FAST_RUN').excluding('fusion', 'inplace')
        Mode('FAST_RUN', including=(), excluding=('fusion', 'inplace'))
        """
        return Mode(self.optimizer, self._including, self._excluding + names)

    def __repr__(self):
        return (f"Mode({self.optimizer or 'config.mode'!r}, including={self._including}, "
                f"excluding={self._excluding})")


class NanGuardMode(Mode):
    """FAST_RUN with a check after every node: a NaN or Inf in a float output is an error.

    The error is a ValueError naming the node that made the value.

    Parameters
    ----------
    nan_is_error, inf_is_error : bool
        Must be True (NaN and Inf are always errors).
    big_is_error : bool
        Also reject values with ``abs(x) > big_value``.
    big_value : float
        The bound of ``big_is_error``.
    including, excluding : sequence of str
        As for Mode.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> f = theon.function([x], T.log(x), mode=theon.NanGuardMode())
    >>> f([1.0])
    array([0.])
    >>> f([-1.0])
    Traceback (most recent call last):
    ValueError: ...
    """

    def __init__(self, nan_is_error=True, inf_is_error=True, big_is_error=False,
                 big_value=1e10, including=(), excluding=()):
        if not (nan_is_error and inf_is_error):
            raise ValueError("NanGuardMode: NaN and Inf are always errors")
        super().__init__("NanGuardMode", including, excluding)
        self.big_value = float(big_value) if big_is_error else 0.0

    def including(self, *names):
        """A copy of this mode that also runs the rewrites ``names``.

        Parameters
        ----------
        *names : str
            Names or tags of rewrites.

        Returns
        -------
        NanGuardMode
            The changed copy, with the same checks.

        Examples
        --------
        >>> theon.NanGuardMode().including('canonicalize')
        Mode('NanGuardMode', including=('canonicalize',), excluding=())
        """
        m = NanGuardMode(including=self._including + names, excluding=self._excluding)
        m.big_value = self.big_value
        return m

    def excluding(self, *names):
        """A copy of this mode that does not run the rewrites ``names``.

        Parameters
        ----------
        *names : str
            Names or tags of rewrites.

        Returns
        -------
        NanGuardMode
            The changed copy, with the same checks.

        Examples
        --------
        >>> theon.NanGuardMode().excluding('fusion')
        Mode('NanGuardMode', including=(), excluding=('fusion',))
        """
        m = NanGuardMode(including=self._including, excluding=self._excluding + names)
        m.big_value = self.big_value
        return m


FAST_RUN = Mode("FAST_RUN")
FAST_COMPILE = Mode("FAST_COMPILE")


def _as_mode(mode):
    if mode is None:
        return Mode()
    if isinstance(mode, str):
        return Mode(mode)
    if isinstance(mode, Mode):
        return mode
    raise TypeError(f"function: mode must be a name or a Mode, got {type(mode).__name__}")


def _pairs(mapping, what):
    if mapping is None:
        return []
    items = mapping.items() if hasattr(mapping, "items") else mapping
    pairs = []
    for item in items:
        try:
            key, value = item
        except (TypeError, ValueError):
            raise TypeError(f"{what}: expected (variable, value) pairs, got {item!r}") from None
        if not isinstance(key, _core.Variable):
            raise TypeError(f"{what}: keys must be Variables, got {type(key).__name__}")
        pairs.append((key, as_tensor_variable(value)))
    return pairs


def function(inputs, outputs=None, updates=None, givens=None, allow_input_downcast=None,
             on_unused_input=None, name=None, mode=None, profile=None,
             no_default_updates=False) -> _core.Function:
    """Compiles a callable computing ``outputs`` from ``inputs``.

    The graph is cloned, rewritten as ``mode`` says and linked to precompiled and generated
    kernels; the returned function takes NumPy arrays (or anything ``numpy.asarray`` accepts),
    positionally or by the inputs' names, and returns NumPy arrays.

    Parameters
    ----------
    inputs : list of Variable or In
        The arguments, in order. ``In(var, value=..., name=...)`` gives a default value or a
        keyword name.
    outputs : Variable, Out, or list of them
        What the function returns: one array for a single output, a list for a list.
        ``Out(var, borrow=True)`` may return internal storage without a copy.
    updates : list of (shared variable, expression) pairs, or a dict
        New values of shared variables, computed from the values before the call and applied
        after every output is computed; a call that raises applies none.
    givens : list of (variable, replacement) pairs, or a dict
        Substitutions made in the graph before compiling.
    allow_input_downcast : bool
        Accept arguments whose dtype is wider than the input's (float64 for float32), cast.
    on_unused_input : {'raise', 'warn', 'ignore'}
        What to do with an input no output depends on (default ``config.on_unused_input``).
    name : str
        Used in profiles and error messages.
    mode : str or Mode
        ``'FAST_RUN'`` (every rewrite, generated kernels), ``'FAST_COMPILE'``, ``'NONE'``,
        ``'NanGuardMode'``, ``'DebugMode'`` or a ``Mode``.
    profile : bool
        Record per-node times (``f.profile.summary()``); None: ``config.profile``.
    no_default_updates : bool or list of shared variables
        True skips the default updates (``var.default_update``) of every shared variable
        (random streams then give the same numbers at each call); a list skips those of the
        variables listed.

    Returns
    -------
    Function
        The compiled callable (``f(*args, **kwargs)``; ``f.copy()``, ``f.profile``,
        ``f.wait_for_kernels()``).

    Examples
    --------
    >>> x, y = T.dscalars('x', 'y')
    >>> f = theon.function([x, theon.In(y, value=1.0)], x + y)
    >>> f(2.0)
    array(3.)
    """
    if isinstance(inputs, (_core.Variable, In)):
        raise TypeError("function: inputs must be a list of Variables or In")
    ins = [i if isinstance(i, In) else In(i) for i in (inputs or [])]
    single = outputs is not None and not isinstance(outputs, (list, tuple))
    outs = [] if outputs is None else ([outputs] if single else list(outputs))
    out_vars, borrow = [], []
    for o in outs:
        if isinstance(o, Out):
            out_vars.append(as_tensor_variable(o.variable))
            borrow.append(bool(o.borrow))
        else:
            out_vars.append(as_tensor_variable(o))
            borrow.append(False)
    m = _as_mode(mode)
    fn = _core.function(
        [i.variable for i in ins],
        [i.name for i in ins],
        [None if i.value is None else np.asarray(i.value) for i in ins],
        out_vars,
        borrow,
        single,
        _pairs(updates, "updates"),
        _pairs(givens, "givens"),
        bool(allow_input_downcast),
        on_unused_input or "",
        name or "",
        m.optimizer,
        list(m._including),
        list(m._excluding),
        None if profile is None else bool(profile),
        getattr(m, "big_value", 0.0),
        no_default_updates is True,
        [] if no_default_updates in (True, False, None) else list(no_default_updates),
    )
    for w in fn.warnings:
        import warnings

        warnings.warn(w, stacklevel=2)
    if fn.profile is not None:
        _profiled.append(fn)
    # What copy() compiles again.
    fn._arguments = dict(inputs=list(inputs or []), outputs=outputs,
                         updates=_pairs(updates, "updates"), givens=_pairs(givens, "givens"),
                         allow_input_downcast=allow_input_downcast,
                         on_unused_input=on_unused_input, mode=mode, profile=profile,
                         no_default_updates=no_default_updates)
    return fn


def _copy(fn, share_memory=False, swap=None, delete_updates=False, name=None, profile=None):
    """The same function compiled again (Theano's Function.copy).

    Parameters
    ----------
    share_memory : bool
        Accepted: a copy never shares intermediate storage with the original.
    swap : dict
        ``{old: new}`` shared variables of the function replaced by others of the same type.
    delete_updates : bool
        Leave the updates out.
    name : str
        The copy's name (default: the original's).
    profile : bool
        Profile the copy.

    Returns
    -------
    Function

    Examples
    --------
    >>> acc = theon.shared(0.0)
    >>> x = T.dscalar('x')
    >>> f = theon.function([x], acc, updates=[(acc, acc + x)])
    >>> other = theon.shared(100.0)
    >>> g = f.copy(swap={acc: other})
    >>> _ = g(1.0)
    >>> float(acc.get_value()), float(other.get_value())
    (0.0, 101.0)
    """
    if not hasattr(fn, "_arguments"):
        raise NotImplementedError(
            "copy: this function was loaded from a pickle and keeps only its rewritten graph, "
            "not the graph it was compiled from; pickle.loads(pickle.dumps(f)) gives a copy "
            "with copies of its shared variables")
    args = dict(fn._arguments)
    swap = dict(swap or {})
    for old, new in swap.items():
        if not (isinstance(old, _core.Variable) and old.is_shared and
                isinstance(new, _core.Variable) and new.is_shared):
            raise TypeError(f"copy: swap must map shared variables to shared variables, got "
                            f"{old!r}: {new!r}")
        if old.type != new.type:
            raise TypeError(f"copy: cannot swap {old} of type {old.type} for {new} of type "
                            f"{new.type}")
    args["updates"] = [] if delete_updates else [(swap.get(k, k), v)
                                                 for k, v in args["updates"]]
    args["givens"] = args["givens"] + list(swap.items())
    if profile is not None:
        args["profile"] = profile
    # The original passed the unused-input check; without its updates an input may now be
    # unused, which Theano's copy allows.
    args["on_unused_input"] = "ignore"
    return function(name=name or fn.name or None, **args)


_copy.__name__ = _copy.__qualname__ = "copy"
_core.Function.copy = _copy


def _shared_of(outputs):
    from theon.graph import inputs

    seen, shared = set(), []
    for v in inputs(outputs):
        if v.is_shared and v.auto_name not in seen:
            seen.add(v.auto_name)
            shared.append(v)
    return shared


class _FunctionGraphView:
    """Theano's ``f.maker.fgraph``, read-only: the compiled function's rewritten graph. Its
    outputs are the function's outputs followed by its update values; its inputs the
    function's inputs followed by the shared variables it reads."""

    def __init__(self, fn):
        self.outputs = list(fn.graph_outputs)
        self.inputs = list(fn.inputs) + _shared_of(self.outputs)

    def toposort(self):
        """The graph's nodes, each after the nodes computing its inputs."""
        from theon.graph import io_toposort

        return io_toposort(self.inputs, self.outputs)

    @property
    def apply_nodes(self):
        return set(self.toposort())

    def __repr__(self):
        return f"FunctionGraph({self.inputs} -> {self.outputs})"


class _FunctionMaker:
    """Theano's ``f.maker``: what the function was compiled from (its graph as rewritten)."""

    def __init__(self, fn):
        self.fgraph = _FunctionGraphView(fn)
        self.inputs = list(fn.inputs)


_core.Function.maker = property(_FunctionMaker, doc=_FunctionMaker.__doc__)
# Theano's Function.get_shared: the shared variables the function reads or updates.
_core.Function.get_shared = lambda fn: _shared_of(list(fn.graph_outputs))


def _set_default_update(var, update):
    _core.set_default_update(var, None if update is None else as_tensor_variable(update))


def _default_update(var):
    """The value a shared variable takes after each call of a function that reads it.

    Unless it is updated explicitly or the function is compiled with no_default_updates
    (Theano's default_update); None when it has none.
    """
    return _core.default_update(var) if var.is_shared else None


_core.Variable.default_update = property(_default_update, _set_default_update)


# Profiled functions, whose summaries are printed at exit when config.profile is set (as
# Theano's profile=True at the configuration level does).
_profiled = []


@atexit.register
def _print_profiles_at_exit():
    from theon.configparser import config

    if config.profile:
        for fn in _profiled:
            fn.profile.summary()
    # Released here, before the interpreter tears the extension down (nanobind reports the
    # instances still alive then as leaks).
    _profiled.clear()


def shared(value, name=None, borrow=False, strict=False, allow_downcast=None, shape=None,
           broadcastable=None, target=None) -> _core.Variable:
    """A variable whose value persists across calls and that updates may change.

    Parameters
    ----------
    value : array_like or number
        The initial value; its dtype and number of dimensions make the variable's type.
    name : str
        Shown in printed graphs and errors.
    borrow : bool
        Keep ``value`` itself rather than a copy (Theon never writes into it; an update
        replaces it).
    strict, allow_downcast
        Accepted for Theano's signature.
    shape : sequence of int or None
        Static sizes of the type (None where any size is accepted); default all unknown.
    broadcastable : sequence of bool
        Theano's form of ``shape``: True means a static size of 1.
    target : str or None
        The device holding the value ('cpu', 'opencl0:0', ...): functions read it there and
        their updates stay there. Default: ``config.device`` for float arrays, else the host.

    Returns
    -------
    Variable
        A shared variable: ``get_value(borrow=False)``, ``set_value(value, borrow=False)``.

    Examples
    --------
    >>> w = theon.shared(np.zeros(3), name='w')
    >>> w.set_value(np.ones(3))
    >>> w.get_value()
    array([1., 1., 1.])
    """
    if isinstance(value, _core.Variable):
        raise TypeError("shared: expected a value (array, list or number), got a Variable")
    if shape is None and broadcastable is not None:
        shape = [1 if b else None for b in broadcastable]
    if target is None:
        from theon.configparser import config

        target = "cpu"
        if config.device != "cpu" and np.asarray(value).dtype.kind == "f":
            target = config.device
    # The C++ side converts the value and says what it expected when it is not an array.
    return _core.shared(value, name, bool(borrow), None if shape is None else list(shape),
                        user_location(), str(target))


# theon.compile.builders (Theano's theano.compile.builders): compile is a module, so the
# submodule is registered by name.
import sys as _sys  # noqa: E402

from theon import _compile_builders as builders  # noqa: E402

_sys.modules[__name__ + ".builders"] = builders
