"""theano.scan_module: symbolic loops (theon.scan_module)."""

from theon.scan_module import foldl, foldr, map, reduce, scan, until  # noqa: F401
