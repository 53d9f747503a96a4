"""Placeholders for the parts of Theano that Theon does not have yet: importing the module
works, and using a name in it raises NotImplementedError saying what is missing."""


def module_getattr(module, what):
    """A module ``__getattr__`` for ``module`` (a dotted name), a Theano module mapping onto
    Theon subsystem ``what``, which does not exist yet."""

    def __getattr__(name):
        if name.startswith("_"):
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        raise NotImplementedError(
            f"{module}.{name}: Theon does not implement {what} yet, so the Theano "
            f"compatibility package cannot provide it")

    return __getattr__


def function(qualname, what):
    """A stand-in for Theano's function ``qualname`` that raises when called."""

    def missing(*args, **kwargs):
        raise NotImplementedError(
            f"{qualname}: Theon does not implement {what} yet, so the Theano compatibility "
            f"package cannot provide it")

    missing.__name__ = qualname.rsplit(".", 1)[-1]
    missing.__qualname__ = qualname
    missing.__doc__ = f"Not available: Theon does not implement {what} yet."
    return missing
