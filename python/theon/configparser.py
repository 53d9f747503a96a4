"""theon.config: flags backed by the C++ configuration (THEON_FLAGS, ~/.theonrc, or code)."""

import contextlib

from theon import _core


class _Config:
    """Attribute access to the flags: ``theon.config.floatX = 'float32'``."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            value = _core.config_get(name)
        except ValueError as e:
            raise AttributeError(str(e)) from None
        if value.isdigit():
            return int(value)
        return {"True": True, "False": False}.get(value, value)

    def __setattr__(self, name, value):
        _core.config_set(name, str(value))

    def __dir__(self):
        return _core.config_names()

    def flags(self):
        return {n: _core.config_get(n) for n in _core.config_names()}

    @contextlib.contextmanager
    def change_flags(self, **flags):
        """Sets flags for the duration of a ``with`` block."""
        old = {n: _core.config_get(n) for n in flags}
        try:
            for n, v in flags.items():
                _core.config_set(n, str(v))
            yield self
        finally:
            for n, v in old.items():
                _core.config_set(n, v)

    def __repr__(self):
        return "\n".join(f"{n} = {v}" for n, v in self.flags().items())


config = _Config()
