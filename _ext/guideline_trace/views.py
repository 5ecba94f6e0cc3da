"""Reviewer views: coverage matrices, gap lists, the requirement table, the SoA and trace chains.

Each directive leaves a :class:`trace_view` placeholder while the page is read.
The trace model and the :class:`~trace_model.report.TraceReport` are computed once per
build, after every page is read (``env-check-consistency``), and each placeholder
is replaced by docutils nodes at ``doctree-resolved``; links come from the
builder, so they work in every builder. Pages holding a view depend on every
need, so they are returned from ``env-get-updated`` and written on every build:
an incremental or parallel build shows the same figures as a clean one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.environment.collectors import EnvironmentCollector
from sphinx.ext.graphviz import graphviz
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri
from sphinx_needs.data import SphinxNeedsData
from trace_model.catalogs import load_soa
from trace_model.model import Location, Problem, TraceItem, nearest
from trace_model.report import (
    EXPORT_DIR,
    LEVEL_LABELS,
    REQUIREMENTS_CSV,
    SOA_LABELS,
    WORKBOOK,
    Matrix,
    MatrixRow,
    StandardSpec,
    TraceReport,
    coverage_csv,
    entry_name,
    soa_csv,
    soa_status,
)

from guideline_trace import checks
from guideline_trace.state import state

logger = logging.getLogger(__name__)

__version__ = "1.0.0"

COLUMN_KINDS = ("themes", "viewpoints", "chapters", "none")


class trace_view(nodes.General, nodes.Element):
    """Placeholder for a view computed from the whole trace at write time."""


def _percent(value: float) -> str:
    return f"{value:.1f}%"


class _ViewDirective(SphinxDirective):
    view = ""
    has_content = False

    def placeholder(self, **options: Any) -> list[nodes.Node]:
        node = trace_view(view=self.view, **options)
        self.set_source_info(node)
        _view_specs(self.env).setdefault(self.env.docname, []).append(
            {"view": self.view, "line": self.lineno, **options}
        )
        return [node]


def _threshold(argument: str | None) -> float:
    text = directives.unchanged_required(argument).strip().rstrip("%")
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{argument!r} is not a percentage (e.g. 80 or 80%)") from None


def _standard(argument: str | None) -> str:
    return directives.unchanged_required(argument).strip()


class CoverageMatrixDirective(_ViewDirective):
    """``coverage-matrix``: coverage of one standard by the requirements.

    Options: ``standard`` (``nisc`` / ``iso`` / ``iso22``), ``rows`` (``entries`` or a
    group level of the standard), ``columns`` (``themes`` / ``viewpoints`` /
    ``chapters`` / ``none``), ``gaps`` (list only uncovered entries) and
    ``threshold`` (a percentage; below it the build warns).
    """

    view = "matrix"
    option_spec: ClassVar[dict[str, Any]] = {
        "standard": _standard,
        "rows": directives.unchanged,
        "columns": lambda arg: directives.choice(arg, COLUMN_KINDS),
        "gaps": directives.flag,
        "threshold": lambda arg: _threshold(arg),
    }

    def run(self) -> list[nodes.Node]:
        standards = self.config.trace_standards
        standard = self.options.get("standard", "")
        if standard not in standards:
            guess = nearest(standard, standards)
            raise self.error(
                f"coverage-matrix: unknown standard {standard!r}. "
                + (f"Did you mean {guess!r}? " if guess else "")
                + f"Use one of: {', '.join(standards)}."
            )
        rows = self.options.get("rows", "entries")
        groups = standards[standard].get("groups", [])
        if rows != "entries" and rows not in groups:
            raise self.error(
                f"coverage-matrix: rows {rows!r} is not available for {standard!r}. "
                f"Use 'entries' or one of: {', '.join(groups)}."
            )
        threshold = self.options.get("threshold")
        if threshold is not None and not 0 <= float(threshold) <= 100:
            raise self.error(f"coverage-matrix: threshold {threshold} must be between 0 and 100.")
        return self.placeholder(
            standard=standard,
            rows=rows,
            columns=self.options.get("columns", "themes"),
            gaps="gaps" in self.options,
            threshold=threshold,
        )


class TraceRequirementsDirective(_ViewDirective):
    """``trace-requirements``: every requirement with its NISC clauses and ISO controls, and orphans."""

    view = "requirements"
    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        return self.placeholder()


class TraceSoaDirective(_ViewDirective):
    """``trace-soa``: the Statement of Applicability of one standard (``:standard:``, default ``iso``).

    Every entry of the standard is shown as 対応 (with the 例文 items that address it), 適用除外 (with its
    justification from the standard's file in ``trace_soa_files``) or 未対応; an unknown standard, or one
    without a SoA file, is a located error.
    """

    view = "soa"
    option_spec: ClassVar[dict[str, Any]] = {"standard": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        standard = self.options.get("standard", "iso").strip()
        files = self.config.trace_soa_files
        if standard not in files:
            known = ", ".join(sorted(files)) or "none"
            checks.warn(
                f"trace-soa: {standard!r} has no SoA file in trace_soa_files (known: {known}).",
                "soa-file", self.get_location(),
            )
            return []
        self.env.note_dependency(str(Path(self.env.srcdir, files[standard])))
        return self.placeholder(standard=standard)


class TraceChainDirective(_ViewDirective):
    """``trace-chain``: the chain 環境変化 → 観点 → テーマ → 要件 → NISC / ISO of one theme or viewpoint."""

    view = "chain"
    required_arguments = 1
    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        return self.placeholder(of=self.arguments[0].strip())


# -- per-build state ------------------------------------------------------------


def _view_specs(env: BuildEnvironment) -> dict[str, list[dict[str, Any]]]:
    """Page -> the views on it, each as its directive's options (and ``view`` and ``line``)."""
    return state(env).view_specs


class TraceViewCollector(EnvironmentCollector):
    """Knows which pages hold views, and writes them again when what they show changed."""

    def clear_doc(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        state(env).clear_doc(docname)

    def merge_other(
        self, app: Sphinx, env: BuildEnvironment, docnames: AbstractSet[str], other: BuildEnvironment
    ) -> None:
        state(env).merge(state(other), docnames)

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        """The directives record their page while it is read."""

    def get_updated_docs(self, app: Sphinx, env: BuildEnvironment) -> list[str]:
        """View pages whose figures, rows or links differ from the last written ones.

        A view shows data from every page, so its page is written again whenever the
        data it shows changed (a fingerprint of that data, compared with the last
        build's), and only then: an edit of an ISO link leaves the NISC matrix alone.
        """
        if not sources_changed(app):  # nothing read or removed: the views on disk are current
            return []
        previous = state(env).view_fingerprints
        current = {
            docname: view_fingerprint(app, specs)
            for docname, specs in sorted(_view_specs(env).items())
            if docname in env.found_docs
        }
        state(env).view_fingerprints = current
        return sorted(docname for docname, print_ in current.items() if previous.get(docname) != print_)


def view_fingerprint(app: Sphinx, specs: Sequence[dict[str, Any]]) -> str:
    """A digest of everything the views of one page show (rows, figures, link titles and targets)."""
    report = current_report(app)
    model = report.model
    parts: list[Any] = [_link_targets(app)]
    where = {i.id: i.fields.get("docname", "") for i in model.items.values()} if any(
        spec["view"] == "chain" for spec in specs) else {}
    for spec in specs:
        view = spec["view"]
        parts.append(sorted((k, str(v)) for k, v in spec.items() if k not in ("line", "threshold")))
        if view == "matrix":
            parts.append(_canon(report.matrix(spec["standard"], spec["rows"], spec["columns"])))
            # the summary, the 状態 column and the gap list show the SoA's exclusions and reasons
            parts.append(sorted(soa_exclusions(app).get(spec["standard"], {}).items()))
        elif view == "requirements":
            parts += [_canon(report.requirement_rows()), _canon(report.orphans())]
        elif view == "soa":
            parts.append(_canon(report.soa(spec["standard"], soa_exclusions(app).get(spec["standard"], {}))))
        elif view == "chain" and spec["of"] in model.items:
            parts.append(chain_dot(model, model.items[spec["of"]], lambda i: f"{where.get(i, '')}#{i}"))
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


def _link_targets(app: Sphinx) -> str:
    """A digest of every item's title and page: what a link in a view shows and points to."""
    key = id(app)
    if key not in _TARGETS:
        model = current_report(app).model
        rows = sorted((i.id, i.title, i.fields.get("docname", "")) for i in model.items.values())
        _TARGETS[key] = hashlib.sha256(repr(rows).encode("utf-8")).hexdigest()
    return _TARGETS[key]


def _canon(value: Any) -> Any:
    """Plain data for a fingerprint: dataclasses as their fields, but not where an item is defined."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, TraceItem):  # most of the data: flattened in one step
        return (value.id, value.type, value.title, tuple(sorted(value.fields.items())),
                tuple(sorted((name, tuple(targets)) for name, targets in value.links.items())))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return tuple(
            (f.name, _canon(getattr(value, f.name))) for f in dataclasses.fields(value) if f.name != "location"
        )
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _canon(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        if all(type(v) is str for v in value):  # IDs: as they are
            return tuple(value)
        return tuple(_canon(v) for v in value)
    return value


_REPORTS: dict[int, TraceReport] = {}
_TARGETS: dict[int, str] = {}
_CHANGED: dict[int, bool] = {}


def note_removed(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    _CHANGED[id(app)] = bool(removed)
    return []


def note_read(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    _CHANGED[id(app)] = _CHANGED.get(id(app), False) or bool(docnames)


def sources_changed(app: Sphinx) -> bool:
    """Whether this build read or removed any page (so any need may have changed)."""
    return _CHANGED.get(id(app), True)


def current_report(app: Sphinx) -> TraceReport:
    """The report of this build, computed once (on first use after reading)."""
    key = id(app)
    if key not in _REPORTS:
        env = app.env
        model = checks.current_model(app)
        standards = {k: StandardSpec.from_config(k, v) for k, v in app.config.trace_standards.items()}
        titles = {doc: env.titles[doc].astext() for doc in env.titles}
        _REPORTS[key] = TraceReport(model, standards, titles, tuple(app.config.trace_covering_types))
    return _REPORTS[key]


def reset_report(app: Sphinx, env: BuildEnvironment, *args: Any) -> None:
    """Forget the last build's report (a new build may have changed any need or SoA file)."""
    _REPORTS.pop(id(app), None)
    _EXCLUSIONS.pop(id(app), None)
    _TARGETS.pop(id(app), None)


_EXCLUSIONS: dict[int, dict[str, dict[str, str]]] = {}


def soa_exclusions(app: Sphinx) -> dict[str, dict[str, str]]:
    """Standard -> {entry number: justification}, from each SoA data file (problems reported by the check).

    Read once per build (the views and the exports ask for it per table row).
    """
    key = id(app)
    if key not in _EXCLUSIONS:
        _EXCLUSIONS[key] = {
            standard: {row.number: row.justification for row in load_soa(Path(app.srcdir, path)).rows}
            for standard, path in app.config.trace_soa_files.items()
        }
    return _EXCLUSIONS[key]


# -- rendering ------------------------------------------------------------------------


class _Renderer:
    """Turns report data into docutils nodes for one page."""

    def __init__(self, app: Sphinx, docname: str, report: TraceReport) -> None:
        self.app = app
        self.docname = docname
        self.report = report
        self.needs = SphinxNeedsData(app.env).get_needs_view()
        self._page_uris: dict[str, str] = {}
        self.as_html = app.builder.format == "html"
        self._ref_html: dict[tuple[str, str | None], Html] = {}

    def uri(self, need_id: str) -> str | None:
        need = self.needs.get(need_id)
        if need is None or not need["docname"]:
            return None
        target = need["docname"]
        if target not in self._page_uris:  # a page is linked many times from one view
            self._page_uris[target] = self.app.builder.get_relative_uri(self.docname, target)
        return self._page_uris[target] + "#" + need_id

    def ref(self, need_id: str, text: str | None = None) -> nodes.Node:
        uri = self.uri(need_id)
        label = text if text is not None else need_id
        if uri is None:
            return nodes.Text(label)
        return nodes.reference("", label, internal=True, refuri=uri, reftitle=self._title(need_id))

    def _title(self, need_id: str) -> str:
        need = self.needs.get(need_id)
        return str(need["title"]) if need is not None else need_id

    def refs(self, need_ids: Iterable[str]) -> nodes.paragraph:
        para = nodes.paragraph()
        for index, need_id in enumerate(need_ids):
            if index:
                para += nodes.Text("、")
            para += self.ref(need_id)
        return para

    def cell_ref(self, need_id: str, text: str | None = None) -> Any:
        """:meth:`ref` for a table cell: its HTML once per need and text when writing HTML."""
        if not self.as_html:
            return self.ref(need_id, text)
        key = (need_id, text)
        found = self._ref_html.get(key)
        if found is None:  # a need is linked many times from one page's views
            uri = self.uri(need_id)
            label = _escape(text if text is not None else need_id)
            found = Html(label if uri is None else _link_html(uri, self._title(need_id), label, internal=True))
            self._ref_html[key] = found
        return found

    def cell_refs(self, need_ids: Iterable[str]) -> list[Any]:
        """:meth:`refs` for a table cell, as the parts :func:`build_table` and :func:`table_html` take."""
        parts: list[Any] = []
        for need_id in need_ids:
            if parts:
                parts.append("、")
            parts.append(self.cell_ref(need_id))
        return parts

    def export_links(self, *names: tuple[str, str]) -> nodes.paragraph:
        para = nodes.paragraph(classes=["trace-exports"])
        para += nodes.strong(text="ダウンロード: ")
        base = self.app.builder.get_target_uri(self.docname)
        for index, (filename, label) in enumerate(names):
            if index:
                para += nodes.Text("、")
            para += nodes.reference("", label, refuri=relative_uri(base, f"{EXPORT_DIR}/{filename}"))
        return para

    # -- views --------------------------------------------------------------------

    def matrix(self, node: trace_view) -> list[nodes.Node]:
        matrix = self.report.matrix(node["standard"], node["rows"], node["columns"])
        spec = matrix.spec
        out: list[nodes.Node] = [
            self.summary(matrix),
            self.export_links(
                (coverage_csv(spec.key), f"{spec.label} 対応表（CSV, UTF-8 BOM付き）"),
                (WORKBOOK, "全規格の対応表（Excel）"),
            ),
        ]
        if matrix.columns and not node["gaps"]:
            legend = nodes.paragraph(classes=["trace-legend"])
            legend += nodes.strong(text="列: ")
            legend += nodes.Text("、".join(c.label if c.title == c.label else f"{c.label} {c.title}"
                                          for c in matrix.columns))
            out.append(legend)
        if node["gaps"]:
            out.extend(self.gaps(matrix))
        elif node["rows"] == "entries" and matrix.groups:
            for group in matrix.groups:
                members = [r for r in matrix.rows if r.group is not None and r.group.id == group.item.id]
                out.append(self.rubric(group))
                out.append(self.table(matrix, members))
        else:
            out.append(self.table(matrix, list(matrix.rows)))
        return out

    def summary(self, matrix: Matrix) -> nodes.Element:
        level = LEVEL_LABELS.get(matrix.spec.level, matrix.spec.level)
        container = nodes.container(classes=["trace-matrix-summary"])
        text = (f"{matrix.spec.label} の{level} {matrix.total} 件のうち、例文が対応付けられているもの "
                f"{matrix.covered} 件（{_percent(matrix.percent)}）。")
        exclusions = soa_exclusions(self.app).get(matrix.spec.key)
        if exclusions is not None:
            excluded = sum(1 for row in matrix.coverage.rows
                           if soa_status(row.entry, row.covered, exclusions) == "excluded")
            text += (f"適用除外として理由を示したもの {excluded} 件（適用宣言書）。"
                     f"対応又は理由付きの適用除外 {matrix.covered + excluded} / {matrix.total} 件。")
        container += nodes.paragraph(text=text)
        if matrix.rows_level == "entries" and matrix.groups:
            top = LEVEL_LABELS.get(matrix.spec.groups[0], matrix.spec.groups[0])
            body: list[list[Any]] = [
                [self.cell_ref(g.item.id, g.item.title), str(g.covered), str(g.total), _percent(g.percent)]
                for g in matrix.groups
            ]
            body.append([nodes.strong(text="全体"), str(matrix.covered), str(matrix.total), _percent(matrix.percent)])
            container += self.build_table([top, "対応", "総数", "対応率"], body, classes=["trace-summary"])
        return container

    def rubric(self, group: MatrixRow) -> nodes.rubric:
        return nodes.rubric(
            text=f"{group.item.title}（{group.covered} / {group.total}、{_percent(group.percent)}）"
        )

    def build_table(
        self, headers: Sequence[str], rows: Sequence[Sequence[Any]], *, classes: Sequence[str] = (),
    ) -> nodes.Element:
        """A view table: HTML written here for the HTML builders, docutils nodes for the others.

        The HTML is what Sphinx's HTML writer makes of :func:`build_table`'s nodes
        (tests/test_matrix.py compares the two), in a ``no-search`` raw node: a view
        holds thousands of links, and translating and search-indexing them is most of
        the cost of rewriting a view page (bench/PROFILE.md). Every entry of a view is
        indexed on the page that defines it.
        """
        if not self.as_html:
            return build_table(headers, rows, classes=classes)
        return nodes.raw("", table_html(headers, rows, classes=classes), format="html", classes=["no-search"])

    def status(self, matrix: Matrix, row: MatrixRow) -> str:
        """対応, 適用除外 (excluded with a reason in the standard's SoA) or 未対応."""
        exclusions = soa_exclusions(self.app).get(matrix.spec.key, {})
        return SOA_LABELS[soa_status(row.item, bool(row.covered), exclusions)]

    def table(self, matrix: Matrix, rows: Sequence[MatrixRow]) -> nodes.Element:
        headers = ["番号", "名称", *(c.label for c in matrix.columns), "対応例文数", "対応率"]
        body = []
        for row in rows:
            number = row.item.fields.get("clause", "")
            cells: list[Any] = [self.cell_ref(row.item.id, number or row.item.id), entry_name(row.item)]
            cells.extend(self.cell_refs(row.cells.get(c.key, ())) for c in matrix.columns)
            cells.append(str(len(row.covered_by)))
            cells.append(
                f"{row.covered}/{row.total}（{_percent(row.percent)}）" if matrix.rows_level != "entries"
                else self.status(matrix, row)
            )
            body.append(cells)
        last = "対応率" if matrix.rows_level != "entries" else "状態"
        headers[-1] = last
        return self.build_table(headers, body, classes=["trace-matrix"])

    def gaps(self, matrix: Matrix) -> list[nodes.Node]:
        if matrix.rows_level == "entries":
            uncovered = [r for r in matrix.rows if not r.covered]
        else:
            uncovered = [r for r in matrix.groups if r.covered < r.total]
        para = nodes.paragraph(
            text=f"例文が対応付けられていないもの: {matrix.total - matrix.covered} 件（全 {matrix.total} 件中）"
        )
        if not uncovered:
            return [para, nodes.paragraph(text="例文が対応付けられていない項目はありません。")]
        exclusions = soa_exclusions(self.app).get(matrix.spec.key)
        body = []
        for row in uncovered:
            number = row.item.fields.get("clause", "")
            group = row.group.title if row.group is not None else ""
            cells: list[Any] = [self.cell_ref(row.item.id, number or row.item.id), row.item.title, group]
            if exclusions is not None:
                cells.append(exclusions.get(number, "（理由がありません）"))
            body.append(cells)
        headers = ["番号", "名称", "分類", *(["適用除外の理由（適用宣言書）"] if exclusions is not None else [])]
        return [para, self.build_table(headers, body, classes=["trace-gaps"])]

    def requirements(self, node: trace_view) -> list[nodes.Node]:
        headers = ["ID", "例文・要件", "出所", "論点資料", "テーマ・観点 ／ 実現する論点", "NISC統一基準（理由）",
                   "ISO/IEC 27001:2013（理由）"]
        body = []
        for row in self.report.requirement_rows():
            item = row.item
            iso: list[Any] = []
            if row.revises:
                iso = ["改定の対象: ", *self.cell_refs(row.revises)]
            else:
                iso = self.reasoned_refs(row.iso)
            body.append([
                self.cell_ref(item.id), item.title, item.fields.get("source", ""), item.fields.get("paper_ref", ""),
                self.cell_refs(row.upstream), self.reasoned_refs(row.nisc), iso,
            ])
        out: list[nodes.Node] = [
            self.export_links((REQUIREMENTS_CSV, "要件と対応規格（CSV, UTF-8 BOM付き）"),
                              (WORKBOOK, "全規格の対応表（Excel）")),
            self.build_table(headers, body, classes=["trace-requirements"]),
            nodes.rubric(text="上流（テーマ・観点）のない要件"),
        ]
        orphans = self.report.orphans()
        if orphans:
            out.append(self.refs(o.id for o in orphans))
        else:
            out.append(nodes.paragraph(text="ありません。すべての要件・改定指示が議論テーマ又は改定の観点にリンクしています。"))
        return out

    def reasoned_refs(self, links: Sequence[tuple[str, str]]) -> list[Any]:
        """Cell parts: each linked entry with its reason in brackets, separated by ／."""
        parts: list[Any] = []
        for target, reason in links:
            if parts:
                parts.append(" ／ ")
            parts.append(self.cell_ref(target))
            if reason:
                parts.append(f"（{reason}）")
        return parts

    def soa(self, node: trace_view) -> list[nodes.Node]:
        standard = node["standard"]
        rows = self.report.soa(standard, soa_exclusions(self.app).get(standard, {}))
        counts = {status: sum(1 for r in rows if r.status == status) for status in SOA_LABELS}
        summary = nodes.paragraph(
            text="、".join(f"{SOA_LABELS[s]} {n} 件" for s, n in counts.items()) + f"（計 {len(rows)} 件）"
        )
        body = []
        for row in rows:
            detail: Any = self.cell_refs(row.covered_by) if row.status == "covered" else row.justification
            body.append([self.cell_ref(row.entry.id, row.entry.fields.get("clause", "")), entry_name(row.entry),
                         SOA_LABELS[row.status], detail])
        return [
            summary,
            self.export_links((soa_csv(standard), "適用宣言書（CSV, UTF-8 BOM付き）"),
                              (WORKBOOK, "全規格の対応表（Excel）")),
            self.build_table(["番号", LEVEL_LABELS.get(self.report.standards[standard].level, "項目"), "状態",
                              "対応する例文 ／ 適用除外の理由"], body, classes=["trace-soa"]),
        ]

    def chain(self, node: trace_view) -> list[nodes.Node]:
        model = self.report.model
        root = model.items.get(node["of"])
        if root is None or root.type not in ("theme", "viewpoint"):
            guess = nearest(node["of"], [i.id for t in ("theme", "viewpoint") for i in model.of_type(t)])
            checks.warn(
                f"trace-chain names {node['of']!r}, which is not a theme or viewpoint."
                + (f" Did you mean {guess!r}?" if guess else ""),
                "chain-target", node,
            )
            return []
        dot, alt = chain_dot(model, root, self.uri)
        # a container, not a figure: a figure made after reading has no number to take
        box = nodes.container(classes=["trace-chain"], ids=[f"chain-{root.id}"])
        graph = graphviz()
        graph["code"] = dot
        graph["options"] = {"docname": self.docname}
        graph["alt"] = alt
        graph["classes"] = ["trace-chain-graph"]
        box += graph
        box += nodes.paragraph(text=f"図: {root.title} の追跡の連鎖（{alt}）", classes=["trace-chain-text"])
        return [box]


def chain_dot(model: Any, root: TraceItem, uri: Any) -> tuple[str, str]:
    """Graphviz source and a text alternative for the chain of a theme or viewpoint."""
    theme_ids = [root.id] if root.type == "theme" else []
    viewpoints = list(root.links.get("viewpoint", ())) if root.type == "theme" else [root.id]
    changes: dict[str, None] = {}
    for vp in viewpoints:
        changes.update(dict.fromkeys(model.items[vp].links.get("change", ())) if vp in model.items else {})
    if root.type == "theme":
        changes.update(dict.fromkeys(root.links.get("change", ())))
    reqs = [
        i for t in ("req", "rev") for i in model.of_type(t)
        if any(x in i.links.get("theme", ()) for x in theme_ids)
        or (root.type == "viewpoint" and root.id in i.links.get("viewpoint", ()))
    ]
    # the 例文 items that put the revision points into effect, and the standards they rest on
    examples: dict[str, TraceItem] = {}
    for r in reqs:
        for example_id in model.back_links(r.id, "realises"):
            examples.setdefault(example_id, model.items[example_id])
    standards: dict[str, None] = {}
    for e in examples.values():
        standards.update(dict.fromkeys(e.links.get("nisc", ())))
        standards.update(dict.fromkeys(e.links.get("iso", ())))

    def node_line(item_id: str, fill: str) -> str:
        item = model.items.get(item_id)
        label = f"{item_id}\\n{_wrap(item.title if item else '')}"
        href = uri(item_id) or ""
        return (f'  "{item_id}" [label="{_esc(label)}", fillcolor="{fill}", URL="{href}", '
                f'target="_top", tooltip="{_esc(item.title if item else item_id)}"];')

    lines = [
        "digraph chain {",
        '  graph [rankdir=LR, bgcolor="transparent", nodesep=0.15, ranksep=0.6];',
        '  node [shape=box, style="rounded,filled", color="#444444", fontcolor="#1a1a1a", fontsize=10];',
        '  edge [color="#555555"];',
    ]
    lines += [node_line(c, "#dae8fc") for c in changes]
    lines += [node_line(v, "#d5e8d4") for v in viewpoints]
    lines += [node_line(t, "#f2d7b6") for t in theme_ids]
    lines += [node_line(r.id, "#bfd8d2" if r.type == "req" else "#e8e2c8") for r in reqs]
    lines += [node_line(e, "#b3e5fc") for e in examples]
    lines += [node_line(s, "#fedcd2" if s.startswith("NISC") else "#dcd2fe") for s in standards]
    for vp in viewpoints:
        for c in (model.items[vp].links.get("change", ()) if vp in model.items else ()):
            lines.append(f'  "{c}" -> "{vp}";')
        for t in theme_ids:
            lines.append(f'  "{vp}" -> "{t}";')
    for r in reqs:
        sources = theme_ids or viewpoints
        for s in sources:
            lines.append(f'  "{s}" -> "{r.id}";')
    for e in examples.values():
        for target in e.links.get("realises", ()):
            if any(r.id == target for r in reqs):
                lines.append(f'  "{target}" -> "{e.id}";')
        for target in (*e.links.get("nisc", ()), *e.links.get("iso", ())):
            lines.append(f'  "{e.id}" -> "{target}";')
    lines.append("}")
    alt = (
        f"{root.title} の追跡の連鎖。IT環境の変化 {', '.join(changes) or 'なし'} → 改定の観点 {', '.join(viewpoints)}"
        + (f" → 議論テーマ {root.id}" if theme_ids else "")
        + f" → 改定の論点 {', '.join(r.id for r in reqs) or 'なし'}"
        + f" → 例文 {', '.join(examples) or 'なし'} → NISC統一基準・ISO管理策 "
        + f"{', '.join(standards) or 'なし'}。"
    )
    return "\n".join(lines), alt


def _wrap(text: str, width: int = 16) -> str:
    return "\\n".join(text[i:i + width] for i in range(0, len(text), width))


def _esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\\\\n", "\\n")


def build_table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], *, classes: Sequence[str] = (),
) -> nodes.table:
    """A docutils table; a cell is a string, a paragraph, or inline nodes."""
    table = nodes.table(classes=list(classes))
    group = nodes.tgroup(cols=len(headers))
    table += group
    for _ in headers:
        group += nodes.colspec(colwidth=1)
    head = nodes.thead()
    header_row = nodes.row()
    for header in headers:
        entry = nodes.entry()
        entry += nodes.paragraph(text=header)
        header_row += entry
    head += header_row
    group += head
    body = nodes.tbody()
    for row in rows:
        body_row = nodes.row()
        for cell in row:
            entry = nodes.entry()
            if isinstance(cell, nodes.paragraph):
                entry += cell
            elif isinstance(cell, list):
                para = nodes.paragraph()
                para += [nodes.Text(part) if isinstance(part, str) else part for part in cell]
                entry += para
            elif isinstance(cell, nodes.Node):
                para = nodes.paragraph()
                para += cell
                entry += para
            else:
                entry += nodes.paragraph(text=str(cell))
            body_row += entry
        body += body_row
    group += body
    return table


def table_html(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, classes: Sequence[str] = ()) -> str:
    """The HTML that Sphinx's HTML5 writer makes of ``build_table(headers, rows, classes=classes)``."""
    out = [f'<table class="{_attr(" ".join([*classes, "docutils", "align-default"]))}">\n<thead>\n<tr class="row-odd">']
    out.append("\n".join(f'<th class="head"><p>{_escape(h)}</p></th>' for h in headers))
    out.append("\n</tr>\n</thead>\n<tbody>\n")
    for index, row in enumerate(rows):
        out.append(f'<tr class="row-{"even" if index % 2 == 0 else "odd"}">')
        out.append("\n".join(f"<td>{_cell_html(cell)}</td>" for cell in row))
        out.append("\n</tr>\n")
    out.append("</tbody>\n</table>\n")
    return "".join(out)


class Html(str):
    """A piece of HTML, already escaped (a table cell part that :func:`table_html` writes as is)."""


def _cell_html(cell: Any) -> str:
    if isinstance(cell, list):
        return "<p>" + "".join(_part_html(part) for part in cell) + "</p>"
    if isinstance(cell, Html):
        return f"<p>{cell}</p>"
    if isinstance(cell, nodes.paragraph):
        return _node_html(cell)
    if isinstance(cell, nodes.Node):
        return f"<p>{_node_html(cell)}</p>"
    return f"<p>{_escape(str(cell))}</p>"


def _part_html(part: Any) -> str:
    if isinstance(part, Html):
        return part
    if isinstance(part, str):
        return _escape(part)
    return _node_html(part)


def _node_html(node: nodes.Node) -> str:
    """HTML of the few node kinds a view cell holds; any other kind is a programming error."""
    if isinstance(node, nodes.Text):
        return _escape(str(node))
    inner = "".join(_node_html(child) for child in node.children)
    if isinstance(node, nodes.reference):
        return _link_html(node["refuri"], node.get("reftitle"), inner, internal=bool(node.get("internal")))
    if isinstance(node, nodes.strong):
        return f"<strong>{inner}</strong>"
    if isinstance(node, nodes.paragraph):
        return f'<p class="{_attr(" ".join(node["classes"]))}">{inner}</p>' if node["classes"] else f"<p>{inner}</p>"
    if isinstance(node, nodes.inline) and not node["classes"]:
        return f"<span>{inner}</span>"
    raise TypeError(f"table_html: a view cell holds a {type(node).__name__} node, which it cannot write")


#: docutils' HTML writer's character references (``HTMLTranslator.special_characters``)
_SPECIAL = {ord("&"): "&amp;", ord("<"): "&lt;", ord('"'): "&quot;", ord(">"): "&gt;", ord("@"): "&#64;"}
_ATTR_SPACE = re.compile("[\n\r\t\v\f]")


def _link_html(uri: str, title: str | None, inner_html: str, *, internal: bool) -> str:
    kind = "internal" if internal else "external"
    title_attr = f' title="{_attr(title)}"' if title is not None else ""  # as Sphinx: present, even if empty
    return f'<a class="reference {kind}" href="{_attr(uri)}"{title_attr}>{inner_html}</a>'


def _escape(text: str) -> str:
    return text.translate(_SPECIAL)


def _attr(text: str) -> str:
    return _ATTR_SPACE.sub(" ", text).translate(_SPECIAL)


def resolve_views(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    views = list(doctree.findall(trace_view))
    if not views:
        return
    renderer = _Renderer(app, docname, current_report(app))
    for node in views:
        node.replace_self(getattr(renderer, node["view"])(node))


def check_thresholds(app: Sphinx, env: BuildEnvironment) -> None:
    """Warn where a matrix's coverage is below its ``:threshold:`` (on every build that read a page)."""
    report = current_report(app)
    for docname, specs in sorted(_view_specs(env).items()):
        for spec in specs:
            threshold = spec.get("threshold")
            if spec["view"] != "matrix" or threshold is None:
                continue
            matrix = report.matrix(spec["standard"], spec["rows"], spec["columns"])
            if matrix.percent < float(threshold):
                checks.warn(
                    f"{matrix.spec.label} coverage is {_percent(matrix.percent)} ({matrix.covered}/{matrix.total}), "
                    f"below the threshold of {float(threshold):g}%. Link more requirements to its entries, "
                    "or lower ':threshold:'.",
                    "coverage-threshold", (docname, spec["line"]),
                )


def check_soa(app: Sphinx, env: BuildEnvironment) -> None:
    """Check each standard's SoA file against the coverage.

    Reports malformed rows, exclusions of unknown entries and of covered ones and, when
    ``trace_soa_complete`` is set, every entry that is neither addressed by a 例文 item nor
    excluded with a justification (``trace.soa-unjustified``, at the file's ``exclusions:`` line).
    """
    report = current_report(app)
    problems: list[Problem] = []
    for standard, relpath in sorted(app.config.trace_soa_files.items()):
        path = Path(app.srcdir, relpath)
        data = load_soa(path)
        problems.extend(data.problems)
        spec = report.standards[standard]
        coverage = {row.entry.fields.get("clause"): row for row in report.coverage(standard).rows}
        level = LEVEL_LABELS.get(spec.level, spec.level)
        for row in data.rows:
            target = coverage.get(row.number)
            other = next((e for e in report.model.of_type(spec.need_type)
                          if e.fields.get("clause") == row.number), None)
            if target is None and other is not None:
                below = [r.entry.fields.get("clause", "") for r in report.coverage(standard).rows
                         if other.id in {a.id for a in _ancestors(report, r.entry)}]
                problems.append(Problem(
                    Location(str(path), row.line), "soa-unknown-control",
                    f"the SoA excludes {row.number!r}, which is a {LEVEL_LABELS.get(other.fields.get('level', ''), '')}"
                    f" of {spec.label}; the SoA lists its {level} one by one.",
                    f"Exclude each {level} under it instead: {', '.join(below)}." if below
                    else f"Exclude a {level} of {spec.label} instead."))
            elif target is None:
                guess = nearest(row.number, [n for n in coverage if n])
                problems.append(Problem(Location(str(path), row.line), "soa-unknown-control",
                                        f"the SoA excludes {row.number!r}, which is not an entry of {spec.label}.",
                                        f"Did you mean {guess!r}?" if guess else ""))
            elif target.covered:
                problems.append(Problem(Location(str(path), row.line), "soa-excluded-but-covered",
                                        f"the SoA excludes {row.number!r}, but it is covered by "
                                        f"{', '.join(target.covered_by)}.",
                                        "Remove the exclusion, or the links to it."))
        if app.config.trace_soa_complete and data.loaded:
            excluded = {row.number for row in data.rows}
            for number, coverage_row in coverage.items():
                if coverage_row.covered or number in excluded:
                    continue
                problems.append(Problem(
                    Location(str(path), data.exclusions_line or 1), "soa-unjustified",
                    f"{spec.label} {number} ({entry_name(coverage_row.entry)}) is neither addressed by a 例文 item "
                    "nor excluded with a justification.",
                    f"Link it from the 例文 item that addresses it (':{spec.links[0]}: {coverage_row.entry.id}' with a "
                    f"reason), or add '- {{control: \"{number}\", justification: \"…\"}}' here.",
                ))
    checks.report(sorted(problems, key=lambda p: (str(p.location.file) if p.location else "",
                                                        (p.location.line or 0) if p.location else 0)))


def _ancestors(report: TraceReport, entry: TraceItem) -> list[TraceItem]:
    """``entry`` and the entries above it, by the ``parent`` field."""
    found = []
    current: TraceItem | None = entry
    while current is not None and current not in found:
        found.append(current)
        current = report.model.items.get(current.fields.get("parent", ""))
    return found


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("guideline_trace.checks")
    app.add_node(trace_view)
    app.add_directive("coverage-matrix", CoverageMatrixDirective)
    app.add_directive("trace-requirements", TraceRequirementsDirective)
    app.add_directive("trace-soa", TraceSoaDirective)
    app.add_directive("trace-chain", TraceChainDirective)
    app.add_env_collector(TraceViewCollector)
    app.connect("env-get-outdated", note_removed)
    app.connect("env-before-read-docs", note_read)
    app.connect("env-before-read-docs", reset_report)
    app.connect("env-check-consistency", check_soa)
    app.connect("env-check-consistency", check_thresholds)
    app.connect("doctree-resolved", resolve_views)
    return {
        "version": __version__,
        "env_version": 7,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
