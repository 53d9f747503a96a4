"""Text forms of graphs and compiled functions: pprint (infix) and debugprint (tree)."""

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
