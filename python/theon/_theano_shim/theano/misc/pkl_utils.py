"""theano.misc.pkl_utils: saving functions and variables, which Theon does not have yet
(graphs as bytes exist: theon.graph_bytes / theon.graph_from_bytes)."""

from theano import _missing

dump = _missing.function("theano.misc.pkl_utils.dump", "pickling of functions and variables")
load = _missing.function("theano.misc.pkl_utils.load", "pickling of functions and variables")
__getattr__ = _missing.module_getattr("theano.misc.pkl_utils",
                                      "pickling of functions and variables")
