"""theon.printing.Print (prints while the function runs) and pydotprint (Graphviz)."""

import re
import shutil
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.printing import Print, pydotprint


def test_print_returns_the_value_and_prints_it(capfd):
    x = T.vector("x")
    y = Print("x is")(x) * 2
    f = theon.function([x], y)
    a = np.array([1.5, -2.0, 3.0])
    np.testing.assert_allclose(f(a), a * 2)
    out = capfd.readouterr().out
    assert "x is" in out
    assert "1.5" in out and "-2" in out and "3" in out
    f(np.array([7.25]))
    assert "7.25" in capfd.readouterr().out


def test_print_writes_to_sys_stdout_as_numpy_prints_floats():
    # Notebooks and redirect_stdout replace sys.stdout, not file descriptor 1.
    import contextlib
    import io

    x = T.dvector("x")
    f = theon.function([x], Print("x is")(x) * 2)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        f(np.array([1.0, 2.5, np.nan, -np.inf]))
    assert buf.getvalue() == "x is value = [1. 2.5 nan -inf]\n"


def test_print_attributes(capfd):
    x = T.matrix("x", dtype="float32")
    f = theon.function([x], Print("shape of x", attrs=("shape", "dtype", "max"))(x).sum())
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_allclose(f(a), a.sum())
    out = capfd.readouterr().out
    assert "shape of x" in out
    assert "(2, 3)" in out and "float32" in out and "max = 5" in out
    assert "0 1 2" not in out  # the value itself is not printed
    f(np.zeros((4, 0), dtype=np.float32))
    assert "(4, 0)" in capfd.readouterr().out


def test_print_rejects_unknown_attributes():
    with pytest.raises(ValueError, match="unknown attribute 'colour'"):
        Print("m", attrs=("colour",))(T.vector())


def test_print_gradient_passes_through(capfd):
    x = T.vector("x")
    g = theon.grad((Print("p")(x) ** 2).sum(), x)
    f = theon.function([x], g)
    a = np.array([1.0, -3.0])
    np.testing.assert_allclose(f(a), 2 * a)
    assert "p" in capfd.readouterr().out


def test_print_non_contiguous_and_ints(capfd):
    x = T.matrix("x", dtype="int32")
    f = theon.function([x], Print("v")(x) + 1)
    a = np.arange(12, dtype=np.int32).reshape(3, 4)[:, ::2]
    np.testing.assert_array_equal(f(a), a + 1)
    out = capfd.readouterr().out
    assert re.search(r"\[\[0 2\]\s+\[4 6\]\s+\[8 10\]\]", out), out


def _logreg_grad():
    from theon.tensor.nnet import sigmoid

    X, y = T.matrix("X"), T.vector("y")
    w = theon.shared(np.zeros(4), name="w")
    b = theon.shared(0.0, name="b")
    p = sigmoid(X.dot(w) + b)
    cost = -(y * T.log(p) + (1 - y) * T.log(1 - p)).mean()
    gw, gb = theon.grad(cost, [w, b])
    gw.name, gb.name = "gw", "gb"
    return X, y, gw, gb


def _check_dot(text):
    assert text.startswith("digraph")
    assert text.rstrip().endswith("}")
    assert text.count("{") == text.count("}")
    nodes = set(re.findall(r"^\s+(\w+) \[label=", text, re.M))
    edges = re.findall(r"^\s+(\w+) -> (\w+)", text, re.M)
    assert edges
    for a, b in edges:
        assert a in nodes and b in nodes, (a, b)
    return nodes, edges


def test_pydotprint_dot_text_for_logistic_regression_gradient(tmp_path):
    X, y, gw, gb = _logreg_grad()
    text = pydotprint([gw, gb], format="dot")
    nodes, edges = _check_dot(text)
    assert "limegreen" in text  # free inputs X, y
    assert "cyan" in text  # shared w, b
    assert "#dddddd" in text  # constants
    assert text.count("dodgerblue") == 2  # the two outputs
    assert '"X\\n' in text and '"w\\n' in text and "gw\\n" in text
    # Written to a file too.
    out = tmp_path / "g.dot"
    assert pydotprint(gw, outfile=str(out), format="dot") == out.read_text()
    # A compiled function: its optimized graph.
    f = theon.function([X, y], [gw, gb])
    _check_dot(pydotprint(f, format="dot"))


def test_pydotprint_rejects_other_objects():
    with pytest.raises(TypeError, match="pydotprint"):
        pydotprint(3, format="dot")


def test_pydotprint_without_graphviz_draws_svg_itself(tmp_path):
    X, y, gw, gb = _logreg_grad()
    svg = tmp_path / "g.svg"
    assert pydotprint([gw, gb], outfile=str(svg), dot_program="no-such-dot-program") == str(svg)
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    texts = [t.text for t in root.iter() if t.tag.endswith("text")]
    for label in ("X", "w", "gw", "gb"):
        assert label in texts
    assert sum(t.tag.endswith("line") for t in root.iter()) >= 6  # the edges
    # Outputs are drawn below the inputs (layers from top to bottom).
    ys = {}
    for t in root.iter():
        if t.tag.endswith("text") and t.text in ("X", "gw"):
            ys[t.text] = float(t.get("y"))
    assert ys["X"] < ys["gw"]
    # Another format without Graphviz: an SVG beside the asked name, with a warning.
    with pytest.warns(UserWarning, match="apt-get install graphviz"):
        written = pydotprint(gw, outfile=str(tmp_path / "h.png"), dot_program="no-such-dot")
    assert written == str(tmp_path / "h.svg")
    assert ET.parse(written).getroot().tag.endswith("svg")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
def test_pydotprint_svg_and_png(tmp_path):
    X, y, gw, gb = _logreg_grad()
    svg = tmp_path / "g.svg"
    assert pydotprint([gw, gb], outfile=str(svg), format="svg") == str(svg)
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    assert "gw" in svg.read_text()
    png = tmp_path / "g.png"
    pydotprint(gw, outfile=str(png), format="png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # The format follows the file's extension, as Theano.
    png2 = tmp_path / "g2.png"
    assert pydotprint(gw, outfile=str(png2)) == str(png2)
    assert png2.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
