"""theano.tensor.opt: registering rewrites from Python is not possible in Theon (its rewrites
and their order are one C++ list, src/rewrite/pipeline.cpp); select them with
Mode.including/excluding or config.optimizer_including/_excluding."""

from theano import _missing

__getattr__ = _missing.module_getattr("theano.tensor.opt", "rewrites registered from Python")
