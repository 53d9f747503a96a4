"""theano.tensor.nnet.conv: the old conv2d interface (a true convolution, 'valid' or 'full',
with image_shape and filter_shape hints), over theon's conv2d."""

from theano import _missing
from theon.tensor.nnet.abstract_conv import conv2d as _conv2d


def conv2d(input, filters, image_shape=None, filter_shape=None, border_mode="valid",
           subsample=(1, 1), **kwargs):
    """The old theano.tensor.nnet.conv.conv2d: the 4-d convolution of ``input`` with
    ``filters`` (border_mode 'valid' or 'full')."""
    if border_mode not in ("valid", "full"):
        raise ValueError(f"theano.tensor.nnet.conv.conv2d: border_mode must be 'valid' or "
                         f"'full', got {border_mode!r}")
    if kwargs:
        raise TypeError(f"theano.tensor.nnet.conv.conv2d: unsupported arguments {sorted(kwargs)}")
    return _conv2d(input, filters, input_shape=image_shape, filter_shape=filter_shape,
                   border_mode=border_mode, subsample=subsample)


__getattr__ = _missing.module_getattr("theano.tensor.nnet.conv",
                                      "the old convolution op classes (ConvOp)")
