"""theano.config over theon.config: Theano's flag names, read from THEANO_FLAGS too. Flags
Theon has work (device: 'cpu', 'cuda0', 'opencl0:0', ...); flags that only steered Theano's own
machinery (linkers, C module options) are accepted with a warning and have no effect."""

import os
import warnings

from theon import config as _theon

# Theano's name -> Theon's flag of the same meaning.
_SAME = {
    "floatX": "floatX", "mode": "mode", "compute_test_value": "compute_test_value",
    "exception_verbosity": "exception_verbosity", "profile": "profile",
    "on_unused_input": "on_unused_input", "optimizer_including": "optimizer_including",
    "optimizer_excluding": "optimizer_excluding", "compiledir": "compiledir",
    "base_compiledir": "compiledir", "cxx": "cxx", "warn_float64": "warn_float64",
    "device": "device",
}
_OPTIMIZERS = {"fast_run": "FAST_RUN", "fast_compile": "FAST_COMPILE", "merge": "FAST_COMPILE",
               "None": "NONE", "o4": "FAST_RUN", "o3": "FAST_RUN", "o2": "FAST_COMPILE",
               "o1": "FAST_COMPILE", "unsafe": "FAST_RUN", "stabilize": "FAST_RUN"}


class TheanoConfig:
    """``theano.config``: ``theano.config.floatX = 'float32'``; ``change_flags(...)``."""

    def __init__(self):
        object.__setattr__(self, "_extra", {"optimizer": "fast_run",
                                            "gcc__cxxflags": "", "blas__ldflags": "",
                                            "cast_policy": "custom", "on_opt_error": "warn"})
        object.__setattr__(self, "_default_cxxflags", _theon.cxxflags)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        name = name.replace(".", "__")
        if name in _SAME:
            return getattr(_theon, _SAME[name])
        if name in self._extra:
            return self._extra[name]
        raise AttributeError(f"theano.config has no flag {name!r} in Theon's compatibility "
                             f"package (Theon's own flags: {', '.join(dir(_theon))})")

    def __setattr__(self, name, value):
        name = name.replace(".", "__")
        if name in _SAME:
            setattr(_theon, _SAME[name], value)
        elif name == "optimizer":
            if str(value) not in _OPTIMIZERS:
                raise ValueError(f"theano.config.optimizer: expected one of "
                                 f"{sorted(_OPTIMIZERS)}, got {value!r}")
            self._extra["optimizer"] = str(value)
            _theon.mode = _OPTIMIZERS[str(value)]
        elif name == "gcc__cxxflags":
            # Theano adds these to the flags it chooses; so does Theon.
            self._extra[name] = str(value)
            _theon.cxxflags = f"{self._default_cxxflags} {value}".strip()
        elif name == "cast_policy":
            if str(value) != "numpy+floatX":
                warnings.warn(f"theano.config.cast_policy={value!r}: Theon promotes dtypes as "
                              f"NumPy 2 does (Python scalars take the tensor's dtype), which is "
                              f"closest to 'numpy+floatX'", stacklevel=2)
            self._extra[name] = str(value)
        elif name in ("on_opt_error", "blas__ldflags"):
            warnings.warn(_IGNORED[name].format(value=value), stacklevel=2)
            self._extra[name] = str(value)
        else:
            warnings.warn(f"theano.config.{name}={value!r} only mattered to Theano's own "
                          f"machinery and has no effect in Theon", stacklevel=2)
            self._extra[name] = value

    def change_flags(self, **flags):
        """Sets flags for the duration of a ``with`` block."""
        import contextlib

        @contextlib.contextmanager
        def scope():
            old = {n: getattr(self, n) for n in flags}
            try:
                for n, v in flags.items():
                    setattr(self, n, v)
                yield self
            finally:
                for n, v in old.items():
                    setattr(self, n, v)

        return scope()


_IGNORED = {
    "on_opt_error": "theano.config.on_opt_error={value!r}: a rewrite that fails in Theon is "
                    "a bug and always raises",
    "blas__ldflags": "theano.config.blas__ldflags={value!r}: Theon calls the OpenBLAS it was "
                     "built with; the flag has no effect",
}


def _apply_theano_flags(config, text):
    """Applies THEANO_FLAGS text ("floatX=float32,device=cpu")."""
    for item in filter(None, (s.strip() for s in text.split(","))):
        if "=" not in item:
            raise ValueError(f"THEANO_FLAGS: expected name=value, got {item!r}")
        name, value = (s.strip() for s in item.split("=", 1))
        setattr(config, name, value)


config = TheanoConfig()
_apply_theano_flags(config, os.environ.get("THEANO_FLAGS", ""))
