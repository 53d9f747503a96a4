"""theano.scan_module: symbolic loops, which Theon does not have yet."""

from theano import _missing

scan = _missing.function("theano.scan", "scan (symbolic loops)")
until = _missing.function("theano.scan_module.until", "scan (symbolic loops)")
__getattr__ = _missing.module_getattr("theano.scan_module", "scan (symbolic loops)")
