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
    "on PATH; wrote an SVG drawn by Theon instead to {svg}. For {fmt}, install Graphviz with "
    "the system package manager (e.g. `apt-get install graphviz`, `brew install graphviz`, "
    "`conda install graphviz`; `pip install graphviz` only installs Python bindings, not the "
    "program).")


def pydotprint(obj, outfile=None, format=None, dot_program="dot", **theano_options):
    """Draws the graph of a variable, a list of variables or a compiled function (its
    optimized graph). Free inputs are green ellipses, shared variables cyan, constants grey
    boxes, outputs blue; each node is a box with its op and output type.

    format: 'dot' (the DOT text, returned and written to ``outfile`` if given), 'svg', 'png'
    or any format ``dot -T`` knows; None (the default) takes it from outfile's extension, or
    'png' as Theano. Pictures are drawn by Graphviz when its ``dot`` program is on PATH;
    without it an SVG is drawn by Theon's own layered layout (for another format, to outfile
    with the extension .svg, with a warning). Returns the path written. Theano's other
    options (compact, with_ids, ...) are accepted and do not change the picture."""
    import os
    import shutil
    import subprocess
    import warnings

    if isinstance(obj, _core.Function):
        outs = list(obj.graph_outputs)
        name = obj.name or "function"
    else:
        outs = list(obj) if isinstance(obj, (list, tuple)) else [obj]
        name = "theon"
        if not all(isinstance(o, _core.Variable) for o in outs):
            raise TypeError("pydotprint: expected a Variable, a list of Variables or a compiled "
                            f"function, got {type(obj).__name__}")
    if format is None:
        ext = os.path.splitext(str(outfile))[1].lstrip(".") if outfile is not None else ""
        format = ext.lower() or "png"
    if format == "dot":
        text = _core.dot_graph(outs, name)
        if outfile is not None:
            with open(outfile, "w") as f:
                f.write(text)
        return text
    if outfile is None:
        outfile = f"theon.{format}"
    exe = shutil.which(dot_program)
    if exe is None:
        svg_path = str(outfile) if format == "svg" else os.path.splitext(str(outfile))[0] + ".svg"
        with open(svg_path, "w") as f:
            f.write(_core.svg_graph(outs, name))
        if format != "svg":
            warnings.warn(_GRAPHVIZ_HELP.format(fmt=format, svg=svg_path), stacklevel=2)
        return svg_path
    proc = subprocess.run([exe, f"-T{format}", "-o", str(outfile)],
                          input=_core.dot_graph(outs, name).encode(), capture_output=True)
    if proc.returncode != 0:
        raise RuntimeError(f"pydotprint: `dot -T{format}` failed: "
                           f"{proc.stderr.decode(errors='replace').strip()}")
    return outfile
