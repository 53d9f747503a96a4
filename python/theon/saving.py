"""Pickling of types, variables and compiled functions, and ``theon.save`` / ``theon.load``.

A variable pickles as the bytes of its graph (graph_io's format) with its inputs and shared
variables pickled as objects of their own, so that a variable used by several graphs and
functions of one pickle is one object again after loading. A shared variable pickles as its
name, static shape, value (a NumPy array) and default update. A compiled function pickles as
its rewritten graph and settings (``_core.save_function``) and loads without rewriting or
running the compiler: its generated kernels come from the kernel cache, or are compiled in the
background when the cache lacks them.

``save(obj, path)`` writes a pickle inside a checked container (magic, format version, length
and SHA-256 of the pickle); ``load(path)`` checks them before unpickling, so a truncated or
changed file is refused with a ValueError, and by default unpickles only the constructors of
Theon's and NumPy's own objects. The checksum detects damage, not malice: a file written by
someone else is as trusted as its author (``trusted=True`` allows every class, as
``pickle.load`` does, which runs whatever code the file names).
"""

import hashlib
import io
import os
import pickle
import struct

import numpy as np

from theon import _core

_MAGIC = b"THEONPK\n"
_VERSION = 1
_HEADER = struct.Struct("<8sIQ32s")  # magic, format version, pickle length, SHA-256


def _leaf_variable(data):
    """An input or constant variable from the bytes of its one-variable graph."""
    return _core.deserialize(data)[0]


def _graph_variable(data, leaves):
    """A variable computed by a graph, whose inputs and shared variables are ``leaves``."""
    return _core.deserialize_with_leaves(data, list(leaves))[0]


def _shared_variable(value, name, shape, where):
    return _core.shared(value, name, True, None if shape is None else list(shape), where)


def _leaf_type(data):
    """A type, from the bytes of a one-input graph of that type."""
    return _core.deserialize(data)[0].type


def _reduce_type(t):
    return _leaf_type, (_core.serialize([t()]),)


def _load_function(data, leaves, single):
    fn, key = _core.load_function(data, list(leaves), single)
    # The cache key its kernels had when saved; fn.kernels["key"] equals it when the kernels
    # are the same (loaded from the kernel cache rather than generated differently).
    fn.saved_kernel_key = key
    if fn.profile is not None:
        from theon.compile import _profiled

        _profiled.append(fn)
    return fn


def _reduce_variable(v):
    if v.is_shared:
        update = _core.default_update(v)
        state = None if update is None else {"default_update": update}
        value = _core.get_value(v, False)
        dense = v.type == _core.TensorType(v.dtype, v.static_shape, device=v.type.device)
        if dense or not isinstance(value, np.ndarray):
            return _shared_variable, (value, v.name, v.static_shape, v.where), state
        # A value of another kind held in an array (a generator state): its type travels in
        # the graph bytes, with the value.
        return _leaf_variable, (_core.serialize([v]),), state
    if v.owner is None:
        return _leaf_variable, (_core.serialize([v]),)
    data, leaves = _core.serialize_with_leaves([v])
    return _graph_variable, (data, leaves)


def _set_variable_state(v, state):
    if state and state.get("default_update") is not None:
        _core.set_default_update(v, state["default_update"])


def _reduce_function(fn):
    data, leaves, single = _core.save_function(fn)
    return _load_function, (data, leaves, single)


_core.TensorType.__reduce__ = _reduce_type
_core.Variable.__reduce__ = _reduce_variable
_core.Variable.__setstate__ = _set_variable_state
_core.Function.__reduce__ = _reduce_function

# What load() unpickles without trusted=True: Theon's reconstructors above and NumPy's arrays,
# dtypes and scalars.
_SAFE_GLOBALS = {
    (__name__, "_leaf_variable"), (__name__, "_graph_variable"), (__name__, "_shared_variable"),
    (__name__, "_load_function"), (__name__, "_leaf_type"),
    ("numpy", "ndarray"), ("numpy", "dtype"),
    ("numpy._core.multiarray", "_reconstruct"), ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "scalar"), ("numpy.core.multiarray", "scalar"),
    ("numpy._core.numeric", "_frombuffer"), ("numpy.core.numeric", "_frombuffer"),
    ("builtins", "complex"), ("builtins", "set"), ("builtins", "frozenset"),
    ("builtins", "slice"), ("collections", "OrderedDict"),
}


class _TheonUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) not in _SAFE_GLOBALS:
            raise pickle.UnpicklingError(
                f"theon.load: the file asks for {module}.{name}, which is not one of Theon's or "
                f"NumPy's own types; pass trusted=True only for a file you trust (unpickling "
                f"it may run any code)")
        return super().find_class(module, name)


def save(obj, path, protocol=pickle.HIGHEST_PROTOCOL):
    """Write ``obj`` to the file ``path`` for :func:`theon.load`.

    The file holds a header (format version, length, SHA-256 checksum) and the pickle of
    ``obj``. A compiled function is saved with its rewritten graph and its kernels' cache key, so
    loading it runs neither the rewrites nor the C++ compiler.

    Parameters
    ----------
    obj : object
        A compiled function, variables, shared variables, arrays, or lists, tuples and dicts of
        them.
    path : str or os.PathLike
        The file (written whole, then moved into place).
    protocol : int
        The pickle protocol.

    Examples
    --------
    >>> import os, tempfile
    >>> x = T.dvector('x')
    >>> f = theon.function([x], x * 2)
    >>> path = os.path.join(tempfile.mkdtemp(), 'f.theon')
    >>> theon.save(f, path)
    >>> theon.load(path)([1.0, 2.0])
    array([2., 4.])
    """
    payload = pickle.dumps(obj, protocol=protocol)
    header = _HEADER.pack(_MAGIC, _VERSION, len(payload), hashlib.sha256(payload).digest())
    tmp = f"{os.fspath(path)}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(header)
        f.write(payload)
    os.replace(tmp, path)


def load(path, trusted=False):
    """The object :func:`theon.save` wrote to ``path``.

    Raises ValueError for a file that is not one, is truncated, was changed or is of another
    format version. Unpickling can run code: unless ``trusted``, only Theon's and NumPy's own
    objects are rebuilt (pickle.UnpicklingError names any other).

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`theon.save`.
    trusted : bool
        Rebuild any object the pickle names (only for files from a trusted source).

    Returns
    -------
    object
        What was saved.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), 'w.theon')
    >>> theon.save({'w': theon.shared(np.ones(2), name='w')}, path)
    >>> theon.load(path)['w'].get_value()
    array([1., 1.])
    """
    with open(path, "rb") as f:
        data = f.read()
    where = f"theon.load({os.fspath(path)!r})"
    if not data.startswith(_MAGIC) and not (len(data) < len(_MAGIC) and
                                            _MAGIC.startswith(data) and data):
        raise ValueError(f"{where}: not a file written by theon.save (bad magic)")
    if len(data) < _HEADER.size:
        raise ValueError(f"{where}: truncated: {len(data)} bytes, less than the header")
    _, version, length, digest = _HEADER.unpack_from(data)
    if version != _VERSION:
        raise ValueError(f"{where}: written in format version {version}; this Theon reads "
                         f"version {_VERSION}")
    payload = data[_HEADER.size:]
    if len(payload) != length:
        raise ValueError(f"{where}: {'truncated' if len(payload) < length else 'trailing bytes'}:"
                         f" the header says {length} bytes follow, the file has {len(payload)}")
    if hashlib.sha256(payload).digest() != digest:
        raise ValueError(f"{where}: corrupt: the checksum does not match (the file was changed "
                         f"after theon.save wrote it)")
    if trusted:
        return pickle.loads(payload)
    return _TheonUnpickler(io.BytesIO(payload)).load()
