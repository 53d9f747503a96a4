"""Text forms of graphs and compiled functions: pprint (infix), debugprint (tree), pydotprint
(Graphviz); the Print op."""

import sys

from theon import _core


def pprint(variable, max_depth=-1):
    """An infix rendering of the expression, e.g. ``sum((x * W))``. Shared subexpressions are
    printed at each use; ``max_depth`` cuts deep expressions with "..."."""
    return _core.pprint(variable, max_depth)


def debugprint(obj, file=None, print_type=True, depth=-1, print_rewrites=False):
    """Prints the graph of a variable, a list of variables or a compiled function (its
    optimized graph) as a tree with ids and types. ``file='str'`` returns the text instead.
    print_rewrites (functions only): marks each node built by a rewrite with its name."""
    if isinstance(obj, _core.Function):
        text = obj.debugprint(print_type, print_rewrites)
    else:
        outs = list(obj) if isinstance(obj, (list, tuple)) else [obj]
        text = _core.debugprint(outs, print_type, depth)
    if file == "str":
        return text
    (file or sys.stdout).write(text)
    return file


class Print:
    """``Print(message, attrs=('value',))(x)`` returns ``x`` and, each time a compiled function
    computes it, prints ``message`` and the listed attributes of the value: 'value', 'shape',
    'dtype', 'ndim', 'size', 'min', 'max', 'sum'. Gradients pass through unchanged."""

    def __init__(self, message="", attrs=("value",)):
        if isinstance(attrs, str):
            attrs = (attrs,)
        attrs = tuple(attrs)
        for a in attrs:
            if not isinstance(a, str) or "," in a:
                raise TypeError(f"Print: attributes must be names, got {a!r}")
        self.message = str(message)
        self.attrs = attrs

    def __call__(self, x):
        from theon.tensor._build import build

        return build("print", x, message=self.message, attrs=",".join(self.attrs))

    def __repr__(self):
        return f"Print({self.message!r}, attrs={self.attrs!r})"


_GRAPHVIZ_HELP = (
    "pydotprint needs the Graphviz 'dot' program to write {fmt} files, and it was not found "
    "on PATH. Install Graphviz with the system package manager (e.g. `apt-get install "
    "graphviz`, `brew install graphviz`, `conda install graphviz`; `pip install graphviz` only "
    "installs Python bindings, not the program), or use format='dot' to get the DOT text.")


def pydotprint(obj, outfile=None, format="svg", dot_program="dot"):
    """Draws the graph of a variable, a list of variables or a compiled function (its
    optimized graph) with Graphviz. Free inputs are green ellipses, shared variables cyan,
    constants grey boxes, outputs blue; each node is a box with its op and output type.
    format='dot' returns the DOT text (and writes it to ``outfile`` if given) without
    Graphviz; 'svg', 'png' (or any format ``dot -T`` knows) run ``dot`` and write ``outfile``
    (default "theon.<format>"), returning its path."""
    import shutil
    import subprocess

    if isinstance(obj, _core.Function):
        outs = list(obj.graph_outputs)
        name = obj.name or "function"
    else:
        outs = list(obj) if isinstance(obj, (list, tuple)) else [obj]
        name = "theon"
        if not all(isinstance(o, _core.Variable) for o in outs):
            raise TypeError("pydotprint: expected a Variable, a list of Variables or a compiled "
                            f"function, got {type(obj).__name__}")
    text = _core.dot_graph(outs, name)
    if format == "dot":
        if outfile is not None:
            with open(outfile, "w") as f:
                f.write(text)
        return text
    exe = shutil.which(dot_program)
    if exe is None:
        raise RuntimeError(_GRAPHVIZ_HELP.format(fmt=format))
    if outfile is None:
        outfile = f"theon.{format}"
    proc = subprocess.run([exe, f"-T{format}", "-o", str(outfile)], input=text.encode(),
                          capture_output=True)
    if proc.returncode != 0:
        raise RuntimeError(f"pydotprint: `dot -T{format}` failed: "
                           f"{proc.stderr.decode(errors='replace').strip()}")
    return outfile
