"""theano.compile.builders: OpFromGraph (Theon's theon.compile.builders)."""

from theon.compile.builders import OpFromGraph  # noqa: F401

__all__ = ["OpFromGraph"]
