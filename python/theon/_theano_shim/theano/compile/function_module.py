"""theano.compile.function_module: the compiled function's class (``Function``, for isinstance
checks), ``FunctionMaker`` (what ``f.maker`` is) and ``orig_function`` (function())."""

from theon import _core
from theon.compile import _FunctionMaker as FunctionMaker  # noqa: F401
from theon.compile import function as orig_function  # noqa: F401

Function = _core.Function
