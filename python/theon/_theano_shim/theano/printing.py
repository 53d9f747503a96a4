"""theano.printing over theon.printing."""

from theon.printing import Print, debugprint, pprint, pydotprint  # noqa: F401

pp = pprint
