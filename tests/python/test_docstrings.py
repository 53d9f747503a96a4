"""Every public Python name has a numpy-style docstring (a summary line, Parameters when it
takes any, Returns when it returns something, Examples with a doctest), and every example runs.

The public API is found, not listed: every module of the theon package whose dotted name has
no component starting with '_', its names in ``__all__`` (or, without one, its names not
starting with '_' that the theon package defines), and the public methods and properties of
the classes among them (including the classes of public instances such as ``theon.config``).
A name re-exported in several modules is checked once, under the first module that has it.

The examples are run by ``doctest`` here because the Sphinx site renders only part of the API.
"""

import ast
import doctest
import importlib
import inspect
import pkgutil
import re
import textwrap

import numpy as np
import pytest

import theon
import theon.tensor as T

_SECTION = re.compile(r"^([A-Z][A-Za-z ]*)\n-{3,}[ \t]*$", re.M)
# Sphinx's doctest defaults, so an example passes here exactly when it passes on the site.
_FLAGS = doctest.ELLIPSIS | doctest.IGNORE_EXCEPTION_DETAIL | doctest.DONT_ACCEPT_TRUE_FOR_1


def _public_modules():
    """(public dotted name, module) for theon and its public submodules, imported; a module
    reached under a public name (theon.compile.builders) counts under that name."""
    names = ["theon"]
    for info in pkgutil.walk_packages(theon.__path__, "theon."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    found, todo = {}, [(n, importlib.import_module(n)) for n in sorted(names)]
    while todo:
        name, module = todo.pop(0)
        if id(module) in found:
            continue
        found[id(module)] = (name, module)
        for attr in getattr(module, "__all__", None) or vars(module):
            value = getattr(module, attr, None)
            if inspect.ismodule(value) and _in_theon(value.__name__) and not attr.startswith("_"):
                todo.append((f"{name}.{attr}", value))
    return sorted(found.values(), key=lambda pair: pair[0])


def _in_theon(dotted):
    return dotted == "theon" or dotted.startswith("theon.")


def _is_theons(obj):
    return _in_theon(getattr(obj, "__module__", None) or "")


def _public_names(module):
    """(name, object) for the public names of ``module`` that theon defines, modules left out
    (they are walked on their own)."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    out = []
    for name in names:
        obj = getattr(module, name)
        if inspect.ismodule(obj):
            continue
        if not (inspect.isclass(obj) or callable(obj)):
            obj = type(obj)  # a public instance (theon.config, FAST_RUN): its class
        if _is_theons(obj):
            out.append((name, obj))
    return out


def _members(cls):
    """(name, member) for the public methods and properties of ``cls``, its own and those it
    inherits from theon's classes."""
    out, seen = [], set()
    defined = [(name, member) for base in cls.__mro__ if _is_theons(base)
               for name, member in vars(base).items()]
    for name, member in defined:
        if name.startswith("_") or name in seen:
            continue
        seen.add(name)
        if isinstance(member, staticmethod):
            out.append((name, member.__func__))
        elif isinstance(member, classmethod) or inspect.isfunction(member):
            out.append((name, _Method(member)))
        elif isinstance(member, property) or callable(member):
            out.append((name, member))
    return out


class _Method:
    """A function defined in a class: its first parameter (self) is not documented."""

    def __init__(self, member):
        self.function = member.__func__ if isinstance(member, classmethod) else member


def _api():
    """{qualified name: object}, each object once, in the order the modules are walked."""
    seen, api = set(), {}

    def add(qualname, obj):
        key = id(obj.function if isinstance(obj, _Method) else obj)
        if key in seen:
            return
        seen.add(key)
        api[qualname] = obj
        if inspect.isclass(obj):
            for name, member in _members(obj):
                add(f"{qualname}.{name}", member)

    for module_name, module in _public_modules():
        for name, obj in _public_names(module):
            add(f"{module_name}.{name}", obj)
    return api


API = _api()


def _doc(obj):
    if isinstance(obj, _Method):
        obj = obj.function
    doc = obj.__doc__ if isinstance(obj, property) else inspect.getdoc(obj)
    doc = inspect.cleandoc(doc or "")
    if type(obj).__name__ in ("nb_func", "nb_method") and doc:
        doc = doc.split("\n", 1)[1].strip() if "\n" in doc else ""  # nanobind's signature line
    return doc


def _signature(obj):
    """obj's signature without self, or None where it cannot be known."""
    method = isinstance(obj, _Method)
    if method:
        obj = obj.function
    if type(obj).__name__ in ("nb_type", "nb_func", "nb_method"):  # compiled by nanobind
        return _nanobind_signature(obj)
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return _nanobind_signature(obj)
    params = list(sig.parameters.values())
    if method and params and params[0].kind in (params[0].POSITIONAL_ONLY,
                                                 params[0].POSITIONAL_OR_KEYWORD):
        params = params[1:]
    return sig.replace(parameters=params)


def _nanobind_signature(obj):
    """The parameters of a compiled function or class, from nanobind's signature line; None
    where there is none."""
    if inspect.isclass(obj):
        obj = vars(obj).get("__init__")
        if type(obj).__name__ != "nb_method":
            return inspect.Signature()  # no constructor: made by the library, not by the user
    first = (getattr(obj, "__doc__", None) or "").split("\n", 1)[0]
    if type(obj).__name__ not in ("nb_func", "nb_method") or "(" not in first:
        return None
    inside = first[first.index("(") + 1:first.rindex(")")]
    names = [p.split(":")[0].split("=")[0].strip() for p in inside.split(",") if p.strip()]
    names = [n for n in names if n not in ("self", "/", "*")]
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    return inspect.Signature([inspect.Parameter(n.lstrip("*"), kind) for n in names])


def _returns_value(obj):
    """Whether calling obj gives a value worth a Returns section (a class or a property does
    not need one)."""
    if isinstance(obj, _Method):
        obj = obj.function
    if inspect.isclass(obj) or isinstance(obj, property):
        return False
    if type(obj).__name__ in ("nb_func", "nb_method"):
        first = (obj.__doc__ or "").split("\n", 1)[0]
        return not first.endswith("-> None")
    if getattr(obj, "__name__", "") == "<lambda>":
        return True  # a lambda is an expression
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(obj)))
    except (OSError, TypeError, SyntaxError):
        return True
    fn = tree.body[0]
    todo = list(ast.iter_child_nodes(fn))
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue  # what a nested function returns is not what obj returns
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return True
        if isinstance(node, ast.Return) and node.value is not None and not (
                isinstance(node.value, ast.Constant) and node.value.value is None):
            return True
        todo.extend(ast.iter_child_nodes(node))
    return False


def shortfalls(obj):
    """What obj's docstring lacks, as a list of phrases (empty when it meets the standard)."""
    doc = _doc(obj)
    if not doc:
        return ["no docstring"]
    missing = []
    lines = doc.splitlines()
    if not lines[0].strip() or (len(lines) > 1 and lines[1].strip()):
        missing.append("a one-line summary followed by a blank line")
    if isinstance(obj, property):
        return missing
    sections = {m.group(1) for m in _SECTION.finditer(doc)}
    sig = _signature(obj)
    if (sig is None or sig.parameters) and "Parameters" not in sections:
        missing.append("a Parameters section")
    if _returns_value(obj) and not sections & {"Returns", "Yields"}:
        missing.append("a Returns section")
    examples = doc.split("Examples\n--------", 1)
    if len(examples) < 2 or ">>>" not in examples[1]:
        missing.append("an Examples section with a doctest")
    return missing


def test_the_api_walk_finds_the_names_users_call():
    # The walk itself must see the API; otherwise the tests below would pass on nothing.
    for name in ("theon.function", "theon.shared", "theon.tensor.matrix", "theon.tensor.exp",
                 "theon.gradient.grad", "theon.scan_module.scan", "theon.ifelse.ifelse",
                 "theon.printing.pprint", "theon.sparse.csr_matrix", "theon.Mode.including",
                 "theon.tensor.nnet.sigmoid", "theon.tensor.nlinalg.matrix_inverse",
                 "theon.tensor.slinalg.cholesky"):
        obj = _resolve(name)
        assert name in API or any(found is obj for found in API.values()), name


def _resolve(dotted):
    module, _, rest = dotted.partition(".")
    obj = importlib.import_module(module)
    for part in rest.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            obj = importlib.import_module(f"{obj.__name__}.{part}")
    return obj


def test_the_standard_is_checked():
    def documented(x, axis=None):
        """Sum of x.

        Parameters
        ----------
        x : Variable

        Returns
        -------
        Variable

        Examples
        --------
        >>> 1
        1
        """
        return x

    def bare(x):
        """Sum of x."""
        return x

    def no_result(x):
        """Stores x.

        Parameters
        ----------
        x : Variable

        Examples
        --------
        >>> 1
        1
        """
        print(x)

    assert shortfalls(documented) == []
    assert shortfalls(bare) == ["a Parameters section", "a Returns section",
                                "an Examples section with a doctest"]
    assert shortfalls(no_result) == []
    assert shortfalls(lambda: None) == ["no docstring"]


def test_every_public_name_is_documented():
    failing = {name: shortfalls(obj) for name, obj in API.items()}
    failing = {name: lacks for name, lacks in failing.items() if lacks}
    assert not failing, "docstrings that fall short:\n" + "\n".join(
        f"  {name}: lacks {', '.join(lacks)}" for name, lacks in sorted(failing.items()))


def _globs():
    return {"np": np, "theon": theon, "T": T}


@pytest.mark.parametrize("name", sorted(n for n, o in API.items() if ">>>" in _doc(o)))
def test_examples_run(name):
    obj = API[name]
    test = doctest.DocTestParser().get_doctest(_doc(obj), _globs(), name, None, 0)
    runner = doctest.DocTestRunner(optionflags=_FLAGS)
    printed = []
    old = np.get_printoptions()
    np.set_printoptions(legacy=False)
    try:
        runner.run(test, out=printed.append)
    finally:
        np.set_printoptions(**old)
    assert runner.failures == 0, "".join(printed)
