"""Op table rows of the random ops (theon.tensor.random). Their values are draws, so the
generic value check of test_op_table.py (equality with a NumPy reference) does not apply: the
builders are listed in EXCLUDED of op_table.py with this reason, and test_random_table.py
checks each row here instead: the sample's distribution against SciPy's (Kolmogorov-Smirnov
for continuous rows, chi-square for discrete ones, each at a false-alarm rate of 1e-3 were the
seed drawn at random; the seeds are fixed, so a run is deterministic), its dtype per dtype of
the row, shape inference (size given symbolically, or the parameters' broadcast shape) on
empty, size-1 and broadcast cases, and that parameter errors name the op."""

from dataclasses import dataclass, field
from typing import Callable, Optional

import scipy.stats as st

REASON = ("a random draw: checked by distribution (KS / chi-square against SciPy), dtype and "
          "shape in test_random_table.py")

# Every builder of src/ops/random/, for op_table.EXCLUDED.
RANDOM_BUILDERS = {name: REASON for name in (
    "random_variable", "random_multinomial", "random_choice", "random_permutation",
    "random_shuffle_rows")}


@dataclass
class RandomRow:
    """One distribution of RandomStream.

    method   the RandomStream method
    params   its parameters (positional, before size)
    scipy    the frozen SciPy distribution the sample must follow
    discrete chi-square over the support instead of KS
    dtypes   the dtypes to ask for (None: the method's default)
    bad      parameters the op must refuse, with a piece of the message
    """

    method: str
    params: tuple
    scipy: object
    discrete: bool = False
    dtypes: tuple = ("float64", "float32")
    bad: Optional[tuple] = None
    kwargs: dict = field(default_factory=dict)

    @property
    def id(self):
        return self.method + "-" + "-".join(str(p) for p in self.params)


ROWS = [
    RandomRow("uniform", (-2.0, 3.0), st.uniform(-2, 5), bad=((1.0, 0.0), "low <= high")),
    RandomRow("normal", (1.5, 2.0), st.norm(1.5, 2.0), bad=((0.0, -1.0), "scale must be >= 0")),
    RandomRow("standard_normal", (), st.norm()),
    RandomRow("truncated_normal", (1.0, 2.0, -1.0, 0.5), st.truncnorm(-1.0, 0.5, 1.0, 2.0),
              bad=((0.0, 1.0, 1.0, -1.0), "a < b")),
    RandomRow("truncated_normal", (0.0, 1.0, 3.0, 9.0), st.truncnorm(3.0, 9.0)),  # a far tail
    RandomRow("truncated_normal", (0.0, 1.0, -0.1, 0.2), st.truncnorm(-0.1, 0.2)),  # narrow
    RandomRow("beta", (0.5, 3.0), st.beta(0.5, 3.0), bad=((0.0, 1.0), "a must be > 0")),
    RandomRow("beta", (0.2, 0.3), st.beta(0.2, 0.3)),  # shapes below 1: gammas in logs
    RandomRow("gamma", (0.3, 2.0), st.gamma(0.3, scale=2.0), bad=((-1.0, 1.0), "shape must be")),
    RandomRow("gamma", (7.5,), st.gamma(7.5)),
    RandomRow("exponential", (0.5,), st.expon(scale=0.5), bad=((-1.0,), "scale must be >= 0")),
    RandomRow("binomial", (1, 0.3), st.binom(1, 0.3), discrete=True,
              dtypes=("int64", "float32"), bad=((3, 1.5), "p must be in [0, 1]")),
    RandomRow("binomial", (20, 0.7), st.binom(20, 0.7), discrete=True, dtypes=("int64", "int32")),
    RandomRow("binomial", (5000, 0.01), st.binom(5000, 0.01), discrete=True, dtypes=("int64",),
              bad=((2.5, 0.5), "n must be a non-negative integer")),
    RandomRow("binomial", (100000, 0.45), st.binom(100000, 0.45), discrete=True,
              dtypes=("int64",)),
    RandomRow("poisson", (3.5,), st.poisson(3.5), discrete=True, dtypes=("int64", "int32"),
              bad=((-1.0,), "lam must be in")),
    RandomRow("poisson", (250.0,), st.poisson(250.0), discrete=True, dtypes=("int64",)),
    RandomRow("integers", (-3, 9), st.randint(-3, 9), discrete=True, dtypes=("int64", "int8"),
              bad=((4, 4), "low < high")),
    RandomRow("random_integers", (2, 5), st.randint(2, 6), discrete=True, dtypes=("int64",)),
]
