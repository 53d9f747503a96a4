"""theon.sandbox: Theano's sandbox modules that users import (rng_mrg)."""
