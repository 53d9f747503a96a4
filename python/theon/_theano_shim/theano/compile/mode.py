"""theano.compile.mode: Mode and the predefined modes."""

from theon.compile import FAST_COMPILE, FAST_RUN, Mode  # noqa: F401


def get_mode(mode):
    """The Mode for ``mode`` (a Mode, a name, or None for config.mode)."""
    if mode is None:
        from theon import config

        return Mode(config.mode)
    return mode if isinstance(mode, Mode) else Mode(mode)


def get_default_mode():
    """The Mode config.mode names."""
    return get_mode(None)
