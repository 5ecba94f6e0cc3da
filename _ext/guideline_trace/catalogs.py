"""The ``trace-catalog`` directive: a standard's catalog file rendered as traced needs.

``traceability/catalogs/*.yaml`` are the single source of the NISC and ISO/IEC
catalogs. The directive loads one of them (named by its need type in
``trace_catalogs``), registers the file as a dependency of the page so that
editing it rebuilds the page, creates one need per row (with a stable ID and
anchor), and records every malformed row at its line in the data file for the
trace check to report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx_needs.api import InvalidNeedException, add_need
from sphinx_needs.config import NeedsSphinxConfig
from sphinx_needs.data import SphinxNeedsData
from sphinx_needs.utils import add_doc
from trace_model.catalogs import Catalog, CatalogEntry, CatalogSchema, load_catalog, number_to_id
from trace_model.model import Location, Problem, nearest

from guideline_trace.checks import Definition, record_definition, record_problems
from guideline_trace.state import state

__version__ = "1.0.0"


def catalog_path(app: Sphinx, need_type: str) -> Path:
    """The data file of a catalog, from ``trace_catalogs`` in ``conf.py``."""
    return Path(app.srcdir, app.config.trace_catalogs[need_type])


class TraceCatalogDirective(SphinxDirective):
    """Render every row of a catalog file as a need.

    Usage (MyST)::

        ```{trace-catalog} iso
        ```
    """

    required_arguments = 1
    optional_arguments = 0
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        need_type = self.arguments[0]
        known = self.config.trace_catalogs
        source, line = self.get_source_info()
        if need_type not in known:
            guess = nearest(need_type, known)
            record_problems(self.env, [Problem(
                Location(source, line), "catalog-directive",
                f"the trace-catalog directive names {need_type!r}, which is not in trace_catalogs.",
                f"Did you mean {guess!r}?" if guess else f"Use one of: {', '.join(known)}.",
            )])
            return []
        path = catalog_path(self.env.app, need_type)
        self.env.note_dependency(str(path))
        catalog = load_catalog(path, expected_type=need_type)
        record_problems(self.env, catalog.problems)
        if catalog.schema is None:
            return []
        add_doc(self.env, self.env.docname)
        # the edition the catalog names, for the current sources' edition (guideline_trace.editions)
        state(self.env).catalog_editions.setdefault(self.env.docname, {})[need_type] = str(
            catalog.header.get("edition", ""))
        result: list[nodes.Node] = [self._header(catalog)]
        existing = SphinxNeedsData(self.env).get_needs_mutable()
        shown_elsewhere = any(entry.id in existing for entry in catalog.entries)
        for entry in catalog.entries:
            record_definition(self.env, Definition(entry.id, need_type, entry.location))
            if shown_elsewhere:
                # the catalog is on another page too: one included-twice message says so, not one per row
                continue
            try:
                result.extend(self._entry_need(need_type, catalog.schema, entry, line))
            except InvalidNeedException as err:
                record_problems(self.env, [Problem(
                    entry.location, "catalog-row", f"the row cannot become a need: {err.message}."
                )])
        return result

    def _header(self, catalog: Catalog) -> nodes.Element:
        """The catalog's title, edition and sources, so a reader can check the data."""
        header = catalog.header
        container = nodes.container(classes=["trace-catalog-header"])
        self.set_source_info(container)
        facts = nodes.field_list()
        for label, key in (("名称", "title"), ("版", "edition"), ("発行", "publisher")):
            if header.get(key):
                facts += _field(label, nodes.paragraph(text=str(header[key])))
        facts += _field("収録数", nodes.paragraph(text=f"{len(catalog.entries)} 件"))
        container += facts
        sources = nodes.enumerated_list()
        for src in header.get("sources") or []:
            item = nodes.list_item()
            para = nodes.paragraph()
            para += nodes.strong(text=f"{src.get('id')}: ")
            # Readers get the citation (publisher, title, date) only; ``url`` and ``note``
            # are the editors' research record and stay in the data file.
            para += nodes.Text(str(src.get("title", "")))
            item += para
            sources += item
        if len(sources):
            container += nodes.rubric(text="出典（各行の source 欄はこの番号を指す）")
            container += sources
        return container

    def _entry_need(
        self, need_type: str, schema: CatalogSchema, entry: CatalogEntry, line: int | None
    ) -> list[nodes.Node]:
        values = entry.values
        extra: dict[str, Any] = {
            name: _text(values.get(name))
            for name in schema.fields
            if values.get(name) not in (None, "")
        }
        extra["refs"] = ", ".join(str(s) for s in values.get("source", []))
        for column, (link_field, prefix) in schema.links.items():
            extra[link_field] = [number_to_id(prefix, n) for n in values.get(column, [])]
        title_text = values.get("title") or values.get("title_ja") or values.get("title_en")
        defined: dict[str, Any] = (
            {"defined_at": f"{self.config.trace_catalogs[need_type]}:{entry.location.line}"}
            if entry.location is not None and "defined_at" in NeedsSphinxConfig(self.config).fields else {}
        )
        return add_need(
            self.env.app,
            self.state,
            self.env.docname,
            line,
            need_type,
            f"{entry.number} {title_text}",
            id=entry.id,
            **defined,
            content=_quoted(values.get("text"), entry, self.config.trace_catalog_quote_source)
            + _quoted(values.get("paper_text"), entry, self.config.trace_catalog_paper_quote_source),
            clause=entry.number,
            level=entry.level,
            parent=entry.parent or "",
            **extra,
        )


def _field(label: str, body: nodes.Element) -> nodes.field:
    field = nodes.field()
    field += nodes.field_name(text=label)
    field_body = nodes.field_body()
    field_body += body
    field += field_body
    return field


def _quoted(text: Any, entry: CatalogEntry, source_note: str) -> str:
    """The wording a catalog row quotes, as a MyST block quote naming its source."""
    if not text:
        return ""
    lines = [f"> {line}" for line in str(text).splitlines() if line.strip()]
    sources = ", ".join(str(s) for s in entry.values.get("source", []))
    cite = source_note.format(number=entry.number, sources=sources)
    return "\n>\n".join(lines) + f"\n\n{cite}\n"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("guideline_trace.checks")
    app.add_directive("trace-catalog", TraceCatalogDirective)
    return {
        "version": __version__,
        "env_version": 4,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
