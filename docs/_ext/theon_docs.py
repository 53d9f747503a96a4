"""Directives that list what the library itself knows, so the reference cannot go stale:
``theon-builders`` (every public function of theon.tensor with its summary) and
``theon-config`` (every setting with its documentation and default)."""

import inspect
import re

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective


def _summary(obj):
    """The first paragraph of obj's docstring as reStructuredText: `code` spans become literals
    and the markup characters of plain text are escaped."""
    doc = inspect.getdoc(obj) or ""
    first = doc.strip().split("\n\n")[0].replace("\n", " ")
    parts = re.split(r"`+([^`]*)`+", first)
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(f"``{part}``" if part else "")
        else:
            out.append(re.sub(r"([\\*|_`])", r"\\\1", part))
    return "".join(out)


def _table(directive, header, rows):
    lines = [".. list-table::", "   :header-rows: 1", "   :widths: 25 75", ""]
    lines += [f"   * - {header[0]}", f"     - {header[1]}"]
    for name, text in rows:
        lines += [f"   * - ``{name}``", f"     - {text or '(no description)'}"]
    container = nodes.container()
    directive.state.nested_parse(StringList(lines, source="theon-docs"), 0, container)
    return container.children


class BuildersDirective(SphinxDirective):
    def run(self):
        import theon.tensor as tensor

        rows = []
        for name in sorted(dir(tensor)):
            obj = getattr(tensor, name)
            if name.startswith("_") or inspect.ismodule(obj) or not callable(obj):
                continue
            rows.append((name, _summary(obj)))
        return _table(self, ("name", "what it computes"), rows)


class ConfigDirective(SphinxDirective):
    def run(self):
        from theon import _core

        rows = []
        for name in _core.config_names():
            default = _core.config_get(name)
            rows.append((name, f"{_core.config_doc(name)} (default: ``{default!r}``)"))
        return _table(self, ("setting", "meaning"), rows)


def setup(app):
    app.add_directive("theon-builders", BuildersDirective)
    app.add_directive("theon-config", ConfigDirective)
    return {"parallel_read_safe": True}
