"""theano.ifelse: lazy conditionals, which Theon does not have yet."""

from theano import _missing

ifelse = _missing.function("theano.ifelse.ifelse", "ifelse (lazy conditionals)")
IfElse = _missing.function("theano.ifelse.IfElse", "ifelse (lazy conditionals)")
__getattr__ = _missing.module_getattr("theano.ifelse", "ifelse (lazy conditionals)")
