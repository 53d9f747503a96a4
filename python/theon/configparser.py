"""theon.config: flags backed by the C++ configuration (THEON_FLAGS, ~/.theonrc, or code)."""

import contextlib

from theon import _core


class _Config:
    """The settings, as attributes: ``theon.config.floatX = 'float32'``.

    Also set through ``THEON_FLAGS`` (comma-separated ``name=value``) and an rc file
    (``THEONRC``, default ``~/.theonrc``). ``print(theon.config)`` lists them.

    Examples
    --------
    >>> old = theon.config.floatX
    >>> theon.config.floatX = 'float32'
    >>> T.matrix().dtype
    'float32'
    >>> theon.config.floatX = old
    """

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
        """Every setting and its value.

        Returns
        -------
        dict
            ``{name: value}``, values as text.

        Examples
        --------
        >>> theon.config.flags()['floatX'] == theon.config.floatX
        True
        """
        return {n: _core.config_get(n) for n in _core.config_names()}

    @contextlib.contextmanager
    def change_flags(self, **flags):
        """Sets flags for the duration of a ``with`` block.

        Parameters
        ----------
        **flags
            ``name=value`` for each setting to change; the old values are restored when the
            block ends, also on an exception.

        Yields
        ------
        config
            This object.

        Examples
        --------
        >>> before = theon.config.floatX
        >>> with theon.config.change_flags(floatX='float32'):
        ...     theon.config.floatX
        'float32'
        >>> theon.config.floatX == before
        True
        """
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
