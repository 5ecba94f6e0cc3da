"""Plain-text output of pages whose needs hold tables (``sphinx-build -b text``).

sphinx-needs draws each need as a layout table, so a Markdown table written inside a 例文 or
requirement is a table inside a table. Sphinx's text writer cannot nest tables: it stops the whole
build with ``NotImplementedError: Nested tables are not supported`` and asks for a bug report to
Sphinx. For the text builder only, every table that holds another table is replaced by its cells'
content in reading order (row by row, cell by cell), so the inner table is written as a table and
nothing is dropped. Other builders are not touched.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

__version__ = "1.0.0"

#: Builder formats whose writer cannot nest tables.
FLAT_FORMATS = frozenset({"text"})


def unnest(table: nodes.table) -> nodes.container:
    """The content of ``table`` as one container: its title, then each cell's children, row by row.

    The container keeps the table's classes and IDs (so references to it still resolve).
    """
    flat = nodes.container(classes=table["classes"], ids=table["ids"])
    for title in table.findall(nodes.title):
        if title.parent is table:
            flat += nodes.paragraph("", "", *title.children)
    for row in table.findall(nodes.row):
        if next(a for a in _ancestors(row) if isinstance(a, nodes.table)) is not table:
            continue  # a row of a table nested in a cell: it goes along with that cell's children
        for entry in row.children:
            flat.extend(entry.children)
    return flat


def _ancestors(node: nodes.Node) -> list[nodes.Element]:
    found = []
    parent = node.parent
    while parent is not None:
        found.append(parent)
        parent = parent.parent
    return found


def flatten_outer_tables(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved`` (after sphinx-needs has drawn its layouts): in a flat format, replace every
    table that holds another table by :func:`unnest` of it, outermost first, until none is nested."""
    if app.builder.format not in FLAT_FORMATS:
        return
    while True:
        outer = next((t for t in doctree.findall(nodes.table)
                      if any(inner is not t for inner in t.findall(nodes.table))), None)
        if outer is None:
            return
        outer.replace_self(unnest(outer))


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-resolved", flatten_outer_tables, priority=900)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
