"""Writes the type stub of theon._core (run by the build: ``python -m`` is not used because the
package must not be imported first). nanobind's stub generator describes the compiled classes;
the Python package then adds operators, properties and methods to Variable
(theon/tensor/_var.py), which are appended to its class so that editors and type checkers see
``x + y``, ``x.sum()`` and ``x.T`` as Variables.

It also writes the stub of theon.tensor, whose constructors (``matrix``, ``fvectors``, ...) and
op builders are made in loops and from the op registry, where a type checker cannot see them.

Usage: python _stubgen.py <folder holding _core*.so> <_core.pyi to write> <tensor .pyi to write>
"""

import importlib.util
import inspect
import pathlib
import sys
import types

# Return types of the attached members that do not return a Variable.
_RETURNS = {
    "__bool__": "bool",
    "__len__": "int",
    "__iter__": "Iterator[Variable]",
    "__hash__": "int",
    "__str__": "str",
    "__repr__": "str",
    "get_value": "Any",
    "set_value": "None",
    "eval": "Any",
    "tag": "Any",
}
_NOT_MEMBERS = {"__array_ufunc__", "__module__", "__doc__", "__dict__", "__weakref__"}


def _load_core(folder):
    """theon._core loaded from its file without running theon/__init__.py."""
    package = types.ModuleType("theon")
    package.__path__ = [str(folder)]
    sys.modules["theon"] = package
    so = next(folder.glob("_core*.so"))
    spec = importlib.util.spec_from_file_location("theon._core", so)
    core = importlib.util.module_from_spec(spec)
    sys.modules["theon._core"] = core
    spec.loader.exec_module(core)
    return core


def _member_lines(cls, before, described):
    """Stub lines for the members the Python package added to the compiled class ``cls``."""
    lines = []
    for name, member in vars(cls).items():
        if name in _NOT_MEMBERS or name in described or (name in before and name != "__hash__"):
            continue
        returns = _RETURNS.get(name, "Variable" if cls.__name__ == "Variable" else "Any")
        if isinstance(member, property):
            lines += ["    @property", f"    def {name}(self) -> {returns}: ..."]
        elif name.startswith("__") and name.endswith("__"):
            arity = member.__code__.co_argcount if hasattr(member, "__code__") else 1
            other = ", other: Any" if arity >= 2 else ""
            lines.append(f"    def {name}(self{other}) -> {returns}: ...")
        else:
            lines.append(f"    def {name}(self, *args: Any, **kwargs: Any) -> {returns}: ...")
    return lines


def _add_members(text, cls, before):
    """text (nanobind's stub) with the members the package attached to ``cls`` added."""
    head, sep, rest = text.partition(f"class {cls.__name__}:\n")
    if not sep:
        raise SystemExit(f"_stubgen: theon._core has no class {cls.__name__}")
    body_end = rest.find("\nclass ")
    body = rest if body_end < 0 else rest[:body_end]
    described = {line.split("def ", 1)[1].split("(", 1)[0]
                 for line in body.splitlines() if "def " in line}
    extra = "\n".join(_member_lines(cls, before, described))
    return f"{head}{sep}{extra}\n\n{rest}"


def _parameters(fn):
    """fn's parameters with their defaults, each typed Any, or a catch-all when unknown."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return "*args: Any, **kwargs: Any"
    parts, keyword_only = [], False
    for p in signature.parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            parts.append(f"*{p.name}: Any")
            keyword_only = True
        elif p.kind is p.VAR_KEYWORD:
            parts.append(f"**{p.name}: Any")
        else:
            if p.kind is p.KEYWORD_ONLY and not keyword_only:
                parts.append("*")
                keyword_only = True
            default = "" if p.default is p.empty else " = ..."
            parts.append(f"{p.name}: Any{default}")
    return ", ".join(parts)


def _tensor_stub():
    """The stub of theon.tensor: every public name with what a checker needs to know of it."""
    import theon.tensor as tensor

    core = sys.modules["theon._core"]
    # Imported without "as": a stub re-exports only what the module itself has.
    lines = ["from typing import Any", "", "from theon._core import Variable", ""]
    for name in sorted(n for n in dir(tensor) if not n.startswith("_")):
        obj = getattr(tensor, name)
        if inspect.ismodule(obj):
            package, _, module = obj.__name__.rpartition(".")
            lines.append(f"from {package} import {module} as {name}")
        elif inspect.isclass(obj):
            source = "theon._core" if getattr(core, obj.__name__, None) is obj else obj.__module__
            if name == obj.__name__:
                lines.append(f"from {source} import {name} as {name}")
            else:  # another name of a class: an alias, which a stub exports
                lines += [f"from {source} import {obj.__name__} as _{name}", f"{name} = _{name}"]
        elif callable(obj):
            made_by = getattr(obj, "__qualname__", "")
            returns = "Variable" if made_by.startswith("_maker.") else "Any"
            lines.append(f"def {name}({_parameters(obj)}) -> {returns}: ...")
        else:
            lines.append(f"{name}: Any")
    return "\n".join(lines) + "\n"


def main(folder, output, tensor_output):
    folder = pathlib.Path(folder).resolve()
    # The package beside this _core, not one installed elsewhere.
    sys.path.insert(0, str(folder.parent))
    core = _load_core(folder)
    from nanobind.stubgen import StubGen

    generator = StubGen(core, quiet=True)
    generator.put(core)
    text = generator.get()
    classes = (core.Variable, core.Function)
    before = {cls: set(vars(cls)) for cls in classes}
    del sys.modules["theon"]
    import theon  # noqa: F401  (the package attaches operators and methods)

    for cls in classes:
        text = _add_members(text, cls, before[cls])
    text = f"from collections.abc import Iterator\nfrom typing import Any\n\n{text}"
    pathlib.Path(output).write_text(text)
    pathlib.Path(tensor_output).write_text(_tensor_stub())


if __name__ == "__main__":
    main(*sys.argv[1:4])
