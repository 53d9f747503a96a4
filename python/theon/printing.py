"""Text forms of graphs and compiled functions: pprint (infix), debugprint (tree), pydotprint
(Graphviz); the Print op."""

import sys

from theon import _core


def pprint(variable, max_depth=-1):
    """An infix rendering of the expression, e.g. ``(exp(x) * 2)``.

    Shared subexpressions are printed at each use.

    Parameters
    ----------
    variable : Variable
        The expression.
    max_depth : int
        Deeper subexpressions are printed as "..."; -1 prints all.

    Returns
    -------
    str
        The text.

    Examples
    --------
    >>> x, y = T.dvectors('x', 'y')
    >>> theon.printing.pprint((x * y).sum())
    'Sum{axis=(0,)}((x * y))'
    """
    return _core.pprint(variable, max_depth)


def debugprint(obj, file=None, print_type=True, depth=-1, print_rewrites=False):
    """Prints a graph as a tree, one node a line, with ids and types.

    Parameters
    ----------
    obj : Variable, list of Variable, or Function
        What to print; for a compiled function, its optimized graph.
    file : file, 'str' or None
        Where to write (default ``sys.stdout``); ``'str'`` returns the text instead.
    print_type : bool
        Show each variable's type.
    depth : int
        Print this many levels (-1: all); variables only.
    print_rewrites : bool
        Mark each node built by a rewrite with the rewrite's name; functions only.

    Returns
    -------
    str or file
        The text when ``file='str'``, else ``file``.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> print(theon.printing.debugprint(T.exp(x) + 1, file='str'))
    Elemwise{add} [id A] <float64, vector>
     |Elemwise{exp} [id B] <float64, vector>
     | |x [id C] <float64, vector>
     |1 [id D] <float64, scalar> (constant)
    <BLANKLINE>
    """
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
    """An op that prints a value each time a compiled function computes it.

    ``Print(message, attrs)(x)`` returns ``x`` and prints ``message`` and the listed attributes
    of its value. Gradients pass through unchanged.

    Parameters
    ----------
    message : str
        Printed first.
    attrs : str or sequence of str
        Among 'value', 'shape', 'dtype', 'ndim', 'size', 'min', 'max', 'sum'.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> f = theon.function([x], theon.printing.Print('x is', attrs=('shape', 'sum'))(x) * 2)
    >>> f([1., 2.])
    x is shape = (2,) sum = 3
    array([2., 4.])
    """

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
    """Draws a graph: a picture file, or its Graphviz DOT text.

    Free inputs are green ellipses, shared variables cyan, constants grey boxes, outputs
    blue; each node is a box with its op and output type. Pictures are drawn by Graphviz when
    its ``dot`` program is on PATH; without it an SVG is drawn by Theon's own layered layout
    (for another format, to outfile with the extension .svg, with a warning).

    Parameters
    ----------
    obj : Variable, list of Variable, or Function
        What to draw; for a compiled function, its optimized graph.
    outfile : str or path
        The file to write (default ``theon.<format>``).
    format : str
        'dot' (the DOT text), 'svg', 'png' or any format ``dot -T`` knows; None (the
        default) takes it from outfile's extension, or 'png' as Theano.
    dot_program : str
        The Graphviz program.
    **theano_options
        Theano's other options (compact, with_ids, ...), accepted; they do not change the
        picture.

    Returns
    -------
    str or path
        The path written; for format 'dot', the DOT text.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> text = theon.printing.pydotprint(T.exp(x), format='dot')
    >>> text.startswith('digraph')
    True
    """
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
