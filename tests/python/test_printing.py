"""pprint and debugprint of variables and compiled functions."""

import numpy as np

import theon
import theon.tensor as T
from theon.printing import debugprint, pprint


def test_pprint_is_infix():
    x = T.vector("x")
    W = theon.shared(np.ones(2), "W")
    assert pprint(T.exp(x) * W + 1) == "((exp(x) * W) + 1)"


def test_debugprint_tree_with_ids_and_types():
    x = T.vector("x")
    y = T.exp(x)
    text = debugprint(y * y, file="str")
    lines = text.splitlines()
    assert lines[0].startswith("Elemwise{mul} [id A] <float64, vector>")
    assert lines[1] == " |Elemwise{exp} [id B] <float64, vector>"
    assert lines[2] == " | |x [id C] <float64, vector>"
    # The shared subexpression is printed once and referenced by id afterwards.
    assert lines[3] == " |Elemwise{exp} [id B] <float64, vector>"
    assert len(lines) == 4


def test_debugprint_of_function_and_to_stdout(capsys):
    x = T.vector("x")
    f = theon.function([x], T.exp(x) + 1)
    debugprint(f)
    out = capsys.readouterr().out
    assert "Elemwise{add" in out and "Elemwise{exp}" in out and "(constant)" in out
