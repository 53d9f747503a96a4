"""theano.compile: function, shared variables, modes and profiling."""

from theon import _core
from theon.compile import (FAST_COMPILE, FAST_RUN, In, Mode, NanGuardMode, Out,  # noqa: F401
                           function, shared)
from theon.graph import SharedVariable  # noqa: F401
from theano.compile import builders, debugmode, mode, nanguardmode, ops  # noqa: F401
from theano.compile.builders import OpFromGraph  # noqa: F401
from theano.compile.debugmode import DebugMode  # noqa: F401
from theano.compile.mode import get_default_mode, get_mode  # noqa: F401
from theano.compile.ops import as_op  # noqa: F401

ProfileStats = _core.ProfileStats
Function = _core.Function
Param = In
