"""theano.misc.pkl_utils: ``dump(obj, file)`` writes a zip file holding the pickle of ``obj``
(entry ``pkl``) with its NumPy arrays (shared variables' values among them) stored beside it
as ``.npy`` entries, as Theano's does; ``load(file)`` reads it back. Like ``pickle.load``,
``load`` runs whatever the pickle names: load only files you trust (``theon.load`` checks and
restricts what it rebuilds)."""

import io
import pickle
import zipfile

import numpy as np

DEFAULT_PROTOCOL = pickle.HIGHEST_PROTOCOL


def dump(obj, file_handler, protocol=DEFAULT_PROTOCOL):
    """Writes ``obj`` to ``file_handler`` (a path or a binary file) as a zip file."""
    with zipfile.ZipFile(file_handler, "w", zipfile.ZIP_DEFLATED) as zf:
        names = {}
        kept = []  # the arrays named, alive until the dump ends so that their ids stay theirs

        def persistent_id(o):
            if type(o) is not np.ndarray or o.dtype.hasobject:
                return None
            name = names.get(id(o))
            if name is None:
                name = f"array_{len(names)}.npy"
                names[id(o)] = name
                kept.append(o)
                with zf.open(name, "w") as f:
                    np.save(f, o, allow_pickle=False)
            return name

        buf = io.BytesIO()
        pickler = pickle.Pickler(buf, protocol=protocol)
        pickler.persistent_id = persistent_id
        pickler.dump(obj)
        zf.writestr("pkl", buf.getvalue())


def load(f):
    """The object ``dump`` wrote to ``f`` (a path or a binary file)."""
    with zipfile.ZipFile(f, "r") as zf:
        arrays = {}

        def persistent_load(name):
            if not isinstance(name, str) or name not in zf.namelist():
                raise pickle.UnpicklingError(f"pkl_utils.load: no array entry {name!r} in the "
                                             f"zip file")
            if name not in arrays:
                with zf.open(name) as entry:
                    arrays[name] = np.load(io.BytesIO(entry.read()), allow_pickle=False)
            return arrays[name]

        with zf.open("pkl") as entry:
            unpickler = pickle.Unpickler(io.BytesIO(entry.read()))
        unpickler.persistent_load = persistent_load
        return unpickler.load()
