"""theano.compile.function: function()."""

from theon.compile import function  # noqa: F401
