"""Each need as a findable heading-level object: its statement first, its trace after it (issue #13).

sphinx-needs (9.1) draws a need as a layout table: a head row (type, title, ID), a meta row (8–12
lines of trace: position in the paper, source, the NISC and ISO links and their reasons, the back
links) and a content row (the statement and its 解説). A requirement was therefore a table cell: not
in the page's contents, not reachable by a screen reader's heading navigation, and its sentence sat
below the whole trace.

For the HTML builders, after sphinx-needs has drawn the table, this module rebuilds each need as a
``<div class="need need-box …" id="ID">`` holding, in reading order:

1. the head line as a real heading (``<h2>`` … ``<h6>``: one level below the section it is in, or
   below the need it is nested in; a catalog entry one level more for each level of its catalog above
   it, so A.5 > A.5.1 > A.5.1.1), so it is in heading navigation;
2. the statement: the content up to the paragraph that opens the 解説 (``**【解説】**``, found by
   :func:`guideline_trace.resources.explanation_start`, the need-body check's own rule), or the
   whole content if there is none;
3. the trace (the meta lines), compact (``div.need-trace``);
4. the 解説.

Nothing is dropped: every child of the three rows is moved, none copied or removed; a table whose
rows are not the three this site's layouts draw is left as it is. The page's contents (furo's
"On this page") gets one entry per need, "ID title", under the section the need is in
(:func:`add_toc_entries`); a catalog page lists its top groups. Other builders (text, LaTeX, man …) keep sphinx-needs' table.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from guideline_trace.resources import explanation_start
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.environment.adapters.toctree import TocTree
from sphinx.writers.html5 import HTML5Translator

__version__ = "1.0.0"

#: Need types that are catalog entries (NISC items, ISO controls): headings, but only their top groups
#: are listed in the page's contents, where a catalog page's hundreds of entries would bury them.
CATALOG_TYPES = ("nisc", "iso", "iso22")


class need_heading(nodes.Part, nodes.TextElement):
    """The heading of a need box; ``level`` (int, 2–6) is its HTML heading level."""


def visit_need_heading(self: HTML5Translator, node: need_heading) -> None:
    self.body.append(self.starttag(node, f"h{node['level']}", "", CLASS="need-title"))


def depart_need_heading(self: HTML5Translator, node: need_heading) -> None:
    self.body.append(f"</h{node['level']}>\n")


def _rows(table: nodes.table) -> dict[str, nodes.entry] | None:
    """The head, meta and content cells of a need table sphinx-needs drew with a ``simple`` grid, by
    row class; ``None`` for any other shape."""
    tbodies = [b for g in table.children if isinstance(g, nodes.tgroup) for b in g.children
               if isinstance(b, nodes.tbody)]
    if len(tbodies) != 1:
        return None
    cells: dict[str, nodes.entry] = {}
    for row in tbodies[0].children:
        kinds = [c for c in ("head", "meta", "content") if c in row["classes"]]
        if len(kinds) != 1 or len(row.children) != 1 or kinds[0] in cells:
            return None
        cells[kinds[0]] = row.children[0]
    return cells if set(cells) == {"head", "meta", "content"} else None


def heading_level(node: nodes.Node) -> int:
    """The heading level for a need at ``node``: the enclosing sections (the page title is level 1)
    and enclosing need boxes each add one; at most 6."""
    depth = 0
    parent = node.parent
    while parent is not None:
        if isinstance(parent, nodes.section) or (
                isinstance(parent, (nodes.table, nodes.container)) and "need" in parent["classes"]):
            depth += 1
        parent = parent.parent
    return max(2, min(6, depth + 1))


def catalog_ranks(standards: dict[str, dict[str, Any]]) -> dict[tuple[str, str], int]:
    """(catalog need type, level) -> its depth in the catalog's hierarchy (0 for the top group), from
    ``trace_standards``: its ``groups``, then its ``level``; a level below those (NISC's 遵守事項 under an
    item) comes one deeper. E.g. ISO 2013: clause 0, objective 1, control 2."""
    ranks: dict[tuple[str, str], int] = {}
    for standard in standards.values():
        order = [*standard.get("groups", []), standard.get("level", "")]
        for depth, level in enumerate(order):
            ranks[(str(standard.get("type")), str(level))] = depth
    return ranks


def _tidy_trace(trace: nodes.Element) -> None:
    """sphinx-needs (9.1) writes its link lines as ``<div class="line">`` inside a ``<span>`` (a block in an
    inline, invalid HTML) and leaves an empty line for a need without links: the lines are lifted out of
    the span, and empty lines dropped."""
    for inline in list(trace.findall(nodes.inline)):
        if inline.parent is not None and any(isinstance(c, nodes.line) for c in inline.children) \
                and isinstance(inline.parent, nodes.line):
            line = inline.parent
            line.replace_self([c for c in inline.children if isinstance(c, nodes.line)])
    for line in list(trace.findall(nodes.line)):
        if not line.astext().strip() and line.parent is not None:
            line.parent.remove(line)


def as_box(table: nodes.table, rank: int = 0) -> nodes.container | None:
    """The need box for a need ``table``, or ``None`` if the table is not a need sphinx-needs drew with
    this site's layout (then it is left alone). The box takes over the table's IDs and need classes;
    ``rank``: how many levels below its section's first level the heading sits (a catalog entry's depth
    in its catalog, :func:`catalog_ranks`)."""
    cells = _rows(table)
    if cells is None:
        return None
    head_lines = list(cells["head"].findall(nodes.line))
    if len(head_lines) != 1:
        return None
    classes = [c for c in table["classes"] if c not in ("docutils", "align-default")] + ["need-box"]
    box = nodes.container(classes=classes, ids=table["ids"])
    heading = need_heading("", "", *head_lines[0].children, level=min(6, heading_level(table) + rank))
    box["rank"] = rank
    content = cells["content"].children
    start = explanation_start(content)
    split = len(content) if start is None else start
    statement = nodes.container(classes=["need-statement"])
    statement.extend(content[:split])
    box += heading
    if statement.children:
        box += statement
    trace = nodes.container(classes=["need-trace"])
    trace.extend(cells["meta"].children)
    _tidy_trace(trace)
    if trace.astext().strip():
        box += trace
    if content[split:]:
        explanation = nodes.container(classes=["need-explanation"])
        explanation.extend(content[split:])
        box += explanation
    return box


def rebuild_need_tables(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``, after sphinx-needs has drawn its tables and the other handlers have
    worked on them: in HTML builds, replace every need table by :func:`as_box` of it, outermost first
    (a nested need's level counts its outer box)."""
    if app.builder.format != "html":
        return
    from sphinx_needs.data import SphinxNeedsData

    needs = SphinxNeedsData(app.env).get_needs_view()
    ranks = catalog_ranks(app.config.trace_standards)
    for table in list(doctree.findall(nodes.table)):
        if "need" in table["classes"] and table["ids"]:
            need = needs.get(table["ids"][0])
            rank = ranks.get((str(need["type"]), str(need.get("level") or "")), 0) if need else 0
            box = as_box(table, rank)
            if box is not None:
                table.replace_self(box)


def _toc_item(need_id: str, text: str) -> nodes.list_item:
    reference = nodes.reference("", "", nodes.Text(text), internal=True, refuri=f"#{need_id}",
                                anchorname=f"#{need_id}")
    return nodes.list_item("", addnodes.compact_paragraph("", "", reference))


def need_entries(doctree: nodes.document) -> dict[str, list[tuple[str, str]]]:
    """Section ID ('' for the page's top) -> the (need ID, "ID title") of each requirement-like need
    directly in it, in page order. Of the catalog entries (:data:`CATALOG_TYPES`) only the top groups
    (NISC's 部, ISO's clauses and themes) are listed."""
    found: dict[str, list[tuple[str, str]]] = {}
    for box in doctree.findall(nodes.container):
        catalog = any(f"needs_type_{t}" in box["classes"] for t in CATALOG_TYPES)
        if "need-box" not in box["classes"] or (catalog and box.get("rank", 0) != 0):
            continue
        heading = box.children[0]
        need_id = box["ids"][0]
        title = heading.next_node(lambda n: isinstance(n, nodes.inline) and "needs_title" in n["classes"])
        # a catalog group's title carries its number (A.5 …, 第1部 …): listed by it, as the catalog is read
        text = title.astext() if catalog and title is not None else (
            f"{need_id} {title.astext()}" if title is not None else need_id)
        section = box.parent
        while section is not None and not isinstance(section, nodes.section):
            section = section.parent
        key = section["ids"][0] if section is not None and section.parent is not doctree and section["ids"] else ""
        found.setdefault(key, []).append((need_id, text))
    return found


def add_toc_entries(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                    doctree: nodes.document | None) -> None:
    """``html-page-context``, after furo: the page's contents (``context["toc"]``) lists every need of the
    page as "ID title" under its section, before that section's subsections."""
    if doctree is None or "toc" not in context:
        return
    entries = need_entries(doctree)
    if not entries:
        return
    toc = TocTree(app.env).get_toc_for(pagename, app.builder)
    items = {str(ref["refuri"]).partition("#")[2]: ref.parent.parent
             for ref in toc.findall(nodes.reference) if ref.get("refuri")}
    top = next(iter(toc.findall(nodes.list_item)), None)
    if top is None:
        return
    placed = 0
    for section_id, needs in entries.items():
        item = items.get(section_id, top)
        sublist = next((c for c in item.children if isinstance(c, nodes.bullet_list)), None)
        if sublist is None:
            sublist = nodes.bullet_list()
            item += sublist
        for offset, (need_id, text) in enumerate(needs):
            sublist.insert(offset, _toc_item(need_id, text))
            placed += 1
    builder = app.builder
    assert isinstance(builder, StandaloneHTMLBuilder)  # html-page-context is sent by the HTML builders only
    context["toc"] = builder.render_partial(toc)["fragment"]
    if placed:
        context["furo_hide_toc"] = False


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_node(need_heading, html=(visit_need_heading, depart_need_heading))
    # after sphinx-needs (500), need_labels (600), a11y and text_tables (900); before site_search (950)
    app.connect("doctree-resolved", rebuild_need_tables, priority=920)
    # after furo (500), which decides from the toc whether the page has one; before a11y (900)
    app.connect("html-page-context", add_toc_entries, priority=600)
    # an environment pickled without this module wrote its pages with need tables: write them again
    return {"version": __version__, "env_version": 3, "parallel_read_safe": True, "parallel_write_safe": True}
