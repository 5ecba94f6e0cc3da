"""Reviewer views: coverage matrices, gap lists, the requirement table, the SoA and trace chains.

Each view is one :class:`View` in :data:`VIEWS`: its directive (options and checks), the options its
data depends on, and its data — the plain blocks of :mod:`trace_model.views`, computed from the
:class:`~trace_model.report.TraceReport` without Sphinx. A directive leaves a :class:`trace_view`
placeholder while the page is read; at ``doctree-resolved`` the placeholder is replaced by the
blocks rendered as nodes, links coming from the builder, so they work in every builder.

What a page shows and when it is written again come from the same blocks: a view page is returned
from ``env-get-updated`` when the digest of its blocks (and of the titles and pages of the items they
link to) differs from the last build's, so an incremental or parallel build shows the same figures
as a clean one, and an edit of an ISO link leaves the NISC matrix's page alone.

Tables are :class:`trace_table` nodes: in the HTML builders their HTML is written here at once (the
fast path: a view holds thousands of links, and translating and search-indexing them as nodes was
most of the cost of a view page, ``bench/PROFILE.md``); the other builders get docutils tables.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.utils import column_width
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.environment.collectors import EnvironmentCollector
from sphinx.ext.graphviz import graphviz
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri
from sphinx.writers.html5 import HTML5Translator
from sphinx_needs.config import NeedsSphinxConfig
from sphinx_needs.data import SphinxNeedsData
from trace_model.catalogs import SCHEMAS, load_soa, number_to_id
from trace_model.model import Location, Problem, TraceItem, nearest
from trace_model.report import EXPORT_DIR, LEVEL_LABELS, StandardSpec, TraceReport, entry_name
from trace_model.sources import option_lines
from trace_model.views import (
    MARK_WORDS,
    Block,
    Cell,
    Chain,
    ChainGraph,
    Container,
    Downloads,
    Mark,
    Notice,
    Paragraph,
    Part,
    Ref,
    Rubric,
    Strong,
    Table,
    chain_dot,
    chain_view,
    linked_ids,
    matrix_view,
    percent,
    requirements_view,
    soa_view,
)

from guideline_trace import checks
from guideline_trace.state import build_cache, start_build, state

logger = logging.getLogger(__name__)

__version__ = "1.0.0"

COLUMN_KINDS = ("themes", "viewpoints", "chapters", "none")


class trace_view(nodes.General, nodes.Element):
    """Placeholder for a view computed from the whole trace at write time (attributes: ``view`` and its options)."""


class trace_table(nodes.General, nodes.Element):
    """A view table whose HTML is already written (attribute ``html``); only the HTML builders get one."""


class _ViewDirective(SphinxDirective):
    view = ""
    has_content = False

    def reject_option(self, option: str, message: str) -> list[nodes.Node]:
        """Report a value the view cannot take (``trace.view-option``, at the option's line); show nothing."""
        source, line = self.get_source_info()
        lines = dict(option_lines(self.block_text, line))
        checks.record_problems(self.env, [Problem(Location(source, lines.get(option, line)), "view-option", message)])
        return []

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
            return self.reject_option("standard", f"coverage-matrix: unknown standard {standard!r}. "
                               + (f"Did you mean {guess!r}? " if guess else "")
                               + f"Use one of: {', '.join(standards)}.")
        rows = self.options.get("rows", "entries")
        groups = standards[standard].get("groups", [])
        if rows != "entries" and rows not in groups:
            guess = nearest(rows, ["entries", *groups])
            return self.reject_option("rows", f"coverage-matrix: rows {rows!r} is not available for {standard!r}. "
                               + (f"Did you mean {guess!r}? " if guess else "")
                               + f"Use 'entries' or one of: {', '.join(groups)}.")
        threshold = self.options.get("threshold")
        if threshold is not None and not 0 <= float(threshold) <= 100:
            return self.reject_option("threshold", f"coverage-matrix: threshold {threshold:g} must be between 0 and 100.")
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
    """``trace-chain``: the trace chain (``trace_chain``) of one item, for this guideline a theme or viewpoint."""

    view = "chain"
    required_arguments = 1
    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        return self.placeholder(of=self.arguments[0].strip())


# -- the views -------------------------------------------------------------------------


@dataclass(frozen=True)
class ViewInputs:
    """What every view's data is computed from: the report, each standard's SoA exclusions, each
    need type's colour (``needs_types``) and the trace chain (``trace_chain``)."""

    report: TraceReport
    exclusions: Mapping[str, Mapping[str, str]]
    colours: Mapping[str, str]
    chain: Chain
    #: the application, for views whose data needs more of the build (the edition views)
    app: Any = None


@dataclass(frozen=True)
class View:
    """One reviewer view.

    ``name``: the placeholder's ``view``; ``directive``: its directive's name and class; ``keys``: the
    options its data depends on; ``data``: its blocks from the inputs and those options.
    """

    name: str
    directive_name: str
    directive: type[SphinxDirective]
    keys: tuple[str, ...]
    data: Callable[[ViewInputs, Mapping[str, Any]], tuple[Block, ...]]


VIEWS: dict[str, View] = {view.name: view for view in (
    View("matrix", "coverage-matrix", CoverageMatrixDirective, ("standard", "rows", "columns", "gaps"),
         lambda i, o: matrix_view(i.report, o["standard"], o["rows"], o["columns"], bool(o["gaps"]),
                                  i.exclusions.get(o["standard"]))),
    View("requirements", "trace-requirements", TraceRequirementsDirective, (),
         lambda i, o: requirements_view(i.report)),
    View("soa", "trace-soa", TraceSoaDirective, ("standard",),
         lambda i, o: soa_view(i.report, o["standard"], i.exclusions.get(o["standard"], {}))),
    View("chain", "trace-chain", TraceChainDirective, ("of",),
         lambda i, o: chain_view(i.report.model, o["of"], i.chain, i.colours)),
)}


def _view_specs(env: BuildEnvironment) -> dict[str, list[dict[str, Any]]]:
    """Page -> the views on it, each as its directive's options (and ``view`` and ``line``)."""
    return state(env).view_specs


def view_blocks(app: Sphinx, options: Mapping[str, Any]) -> tuple[Block, ...]:
    """The blocks of the view described by ``options`` (a placeholder's attributes or a recorded spec).

    Computed once per build for each distinct view (the fingerprint and the page share them).
    """
    view = VIEWS[options["view"]]
    key = (view.name, *(str(options.get(k)) for k in view.keys))
    cache = build_cache(app).blocks
    if key not in cache:
        colours = {str(t["directive"]): str(t["color"]) for t in NeedsSphinxConfig(app.config).types if t.get("color")}
        inputs = ViewInputs(current_report(app), soa_exclusions(app), colours, Chain.from_config(app.config.trace_chain),
                            app)
        cache[key] = view.data(inputs, options)
    return cache[key]


class TraceViewCollector(EnvironmentCollector):
    """Writes view pages again when what they show changed.

    The views' records (``view_specs``, ``view_fingerprints``) live in the one
    :class:`~guideline_trace.state.TraceState`, which
    :class:`guideline_trace.checks.TraceCollector` clears and merges for every page; this
    collector does neither again.
    """

    def clear_doc(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        """Done by ``TraceCollector`` for the whole state."""

    def merge_other(
        self, app: Sphinx, env: BuildEnvironment, docnames: AbstractSet[str], other: BuildEnvironment
    ) -> None:
        """Done by ``TraceCollector`` for the whole state."""

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        """The directives record their page while it is read."""

    def get_updated_docs(self, app: Sphinx, env: BuildEnvironment) -> list[str]:
        """View pages whose blocks, or the titles and pages their links show, differ from the last build's.

        A view shows data from every page, so its page is written again whenever that data
        changed, and only then: an edit of an ISO link leaves the NISC matrix alone.
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


def view_fingerprint(app: Sphinx, specs: Sequence[Mapping[str, Any]]) -> str:
    """A digest of what the views of one page show: their blocks, and the title and page of each linked item."""
    model = current_report(app).model
    parts: list[Any] = []
    linked: set[str] = set()
    for spec in specs:
        blocks = view_blocks(app, spec)
        parts.append(blocks)
        linked |= linked_ids(blocks)
    targets = []
    for item_id in sorted(linked):
        item = model.items.get(item_id)
        targets.append((item_id, item.title, item.fields.get("docname", "")) if item is not None else (item_id,))
    parts.append(targets)
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


def note_removed(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """``env-get-outdated``: a build starts (the last build's cache is dropped); note whether pages were removed."""
    start_build(app, bool(removed))
    return []


def sources_changed(app: Sphinx) -> bool:
    """Whether this build read or removed any page (so any need may have changed)."""
    changed = build_cache(app).sources_changed
    return True if changed is None else changed


def current_report(app: Sphinx) -> TraceReport:
    """The report of this build, computed once (on first use after reading)."""
    cache = build_cache(app)
    if cache.report is None:
        env = app.env
        model = checks.current_model(app)
        standards = {k: StandardSpec.from_config(k, v) for k, v in app.config.trace_standards.items()}
        titles = {doc: env.titles[doc].astext() for doc in env.titles}
        cache.report = TraceReport(model, standards, titles, tuple(app.config.trace_covering_types))
    return cache.report


def soa_exclusions(app: Sphinx) -> dict[str, dict[str, str]]:
    """Standard -> {entry number: justification}, from each SoA data file (problems reported by the check).

    Read once per build (the views and the exports ask for it per table row).
    """
    cache = build_cache(app)
    if cache.exclusions is None:
        cache.exclusions = {
            standard: {row.number: row.justification for row in load_soa(Path(app.srcdir, path)).rows}
            for standard, path in app.config.trace_soa_files.items()
        }
    return cache.exclusions


# -- rendering ------------------------------------------------------------------------


class _Renderer:
    """Turns view blocks into nodes for one page (HTML written at once for the HTML builders' tables)."""

    def __init__(self, app: Sphinx, docname: str) -> None:
        self.app = app
        self.docname = docname
        self.needs = SphinxNeedsData(app.env).get_needs_view()
        self._page_uris: dict[str, str] = {}
        self.as_html = app.builder.format == "html"
        self._ref_html: dict[Ref, str] = {}

    def uri(self, need_id: str) -> str | None:
        need = self.needs.get(need_id)
        if need is None or not need["docname"]:
            return None
        target = need["docname"]
        if target not in self._page_uris:  # a page is linked many times from one view
            self._page_uris[target] = self.app.builder.get_relative_uri(self.docname, target)
        return self._page_uris[target] + "#" + need_id

    def title(self, need_id: str) -> str:
        need = self.needs.get(need_id)
        return str(need["title"]) if need is not None else need_id

    def render(self, blocks: Sequence[Block], placeholder: trace_view) -> list[nodes.Node]:
        out: list[nodes.Node] = []
        for block in blocks:
            if isinstance(block, Paragraph):
                para = nodes.paragraph(classes=list(block.classes))
                para += [self.part(p) for p in block.parts]
                out.append(para)
            elif isinstance(block, Table):
                out.append(self.table(block))
            elif isinstance(block, Rubric):
                out.append(nodes.rubric(text=block.text))
            elif isinstance(block, Container):
                box = nodes.container(classes=list(block.classes))
                box += self.render(block.children, placeholder)
                out.append(box)
            elif isinstance(block, Downloads):
                out.append(self.downloads(block))
            elif isinstance(block, ChainGraph):
                out.append(self.chain(block))
            elif isinstance(block, Notice):
                checks.warn(block.message, block.subtype, placeholder)
            else:
                raise TypeError(f"a view block of an unknown kind: {type(block).__name__}")
        return out

    def part(self, part: Part) -> nodes.Node:
        if isinstance(part, Ref):
            uri = self.uri(part.id)
            label = part.text if part.text is not None else part.id
            if uri is None:
                return nodes.Text(label)
            return nodes.reference("", label, internal=True, refuri=uri, reftitle=self.title(part.id))
        if isinstance(part, Strong):
            return nodes.strong(text=part.text)
        if isinstance(part, Mark):
            before, after = MARK_WORDS[part.kind]
            return nodes.inline("", "", nodes.Text(before + part.text + after), classes=[f"diff-{part.kind}"])
        return nodes.Text(part)

    def part_html(self, part: Part) -> str:
        if isinstance(part, Ref):
            found = self._ref_html.get(part)
            if found is None:  # an item is linked many times from one page's views
                uri = self.uri(part.id)
                label = _escape(part.text if part.text is not None else part.id)
                found = label if uri is None else _link_html(uri, self.title(part.id), label, internal=True)
                self._ref_html[part] = found
            return found
        if isinstance(part, Strong):
            return f"<strong>{_escape(part.text)}</strong>"
        if isinstance(part, Mark):
            return mark_html(part)
        return _escape(part)

    def table(self, table: Table) -> nodes.Element:
        if not self.as_html:
            return build_table(table, self.part)
        return trace_table("", html=table_html(table, self.part_html), caption=table.caption,
                           classes=["no-search", "trace-scroll"])

    def downloads(self, block: Downloads) -> nodes.paragraph:
        para = nodes.paragraph(classes=["trace-exports"])
        para += nodes.strong(text="ダウンロード: ")
        base = self.app.builder.get_target_uri(self.docname)
        for index, (filename, label) in enumerate(block.files):
            if index:
                para += nodes.Text("、")
            para += nodes.reference("", label, refuri=relative_uri(base, f"{EXPORT_DIR}/{filename}"))
        return para

    def chain(self, block: ChainGraph) -> nodes.container:
        uris = {item_id: uri for item_id, _, _ in block.nodes if (uri := self.uri(item_id)) is not None}
        # a container, not a figure: a figure made after reading has no number to take
        box = nodes.container(classes=["trace-chain"], ids=[f"chain-{block.root}"])
        graph = graphviz()
        graph["code"] = chain_dot(block, uris)
        graph["options"] = {"docname": self.docname}
        graph["alt"] = block.alt
        graph["classes"] = ["trace-chain-graph"]
        box += graph  # its items, as links, are in the table that follows it (chain_table)
        return box


def mark_html(mark: Mark) -> str:
    """A changed passage: ``<ins>`` in the 改正後 column, ``<del>`` in the 改正前 column (both underlined by
    ``trace.css``, as the ministry marks them), with words for screen readers that underlining does not give
    (:data:`~trace_model.views.MARK_WORDS`), hidden on screen and in print."""
    before, after = MARK_WORDS[mark.kind]
    tag = "ins" if mark.kind == "new" else "del"
    return (f'<{tag} class="diff-{mark.kind}"><span class="diff-words">{_escape(before)}</span>{_escape(mark.text)}'
            f'<span class="diff-words">{_escape(after)}</span></{tag}>')


#: Bounds of a column's width in :func:`build_table`, in terminal columns (a CJK character takes two).
MIN_COLUMN, MAX_COLUMN = 4, 30


def build_table(table: Table, part: Callable[[Part], nodes.Node]) -> nodes.table:
    """``table`` as docutils nodes (the builders other than HTML); ``part`` makes a node of a cell part.

    Each column's width is its longest header or cell text within
    :data:`MIN_COLUMN`–:data:`MAX_COLUMN`, measured as Sphinx's text writer measures it (docutils'
    ``column_width``: a wide character takes two columns): the text writer takes widths as characters and
    LaTeX as proportions, so equal widths of 1 made every text column one character wide.
    """
    out = nodes.table(classes=list(table.classes))
    if table.caption:
        out += nodes.title(table.caption, table.caption)
    group = nodes.tgroup(cols=len(table.headers))
    out += group
    cells = [[nodes.paragraph("", "", *(part(p) for p in (c if isinstance(c, tuple) else (c,)))) for c in row]
             for row in table.rows]
    for column, header in enumerate(table.headers):
        widest = max([column_width(header)] + [column_width(row[column].astext()) for row in cells if column < len(row)])
        colspec = nodes.colspec(colwidth=min(MAX_COLUMN, max(MIN_COLUMN, widest)))
        if column == 0:
            colspec["stub"] = 1  # the first column names the row: row header cells
        group += colspec
    head = nodes.thead()
    header_row = nodes.row()
    for header in table.headers:
        entry = nodes.entry()
        entry += nodes.paragraph(text=header)
        header_row += entry
    head += header_row
    group += head
    body = nodes.tbody()
    for row_cells in cells:
        body_row = nodes.row()
        for para in row_cells:
            entry = nodes.entry()
            entry += para
            body_row += entry
        body += body_row
    group += body
    return out


def table_html(table: Table, part_html: Callable[[Part], str]) -> str:
    """The HTML that Sphinx's HTML5 writer makes of :func:`build_table`'s nodes (``tests/test_matrix.py``).

    ``part_html`` writes one cell part (a link to an item is the same HTML as the writer's).
    """
    classes = _attr(" ".join([*table.classes, "docutils", "align-default"]))
    out = [f'<table class="{classes}">\n']
    if table.caption:
        out.append(f'<caption><span class="caption-text">{_escape(table.caption)}</span></caption>\n')
    out.append('<thead>\n<tr class="row-odd">')
    out.append("\n".join(f'<th class="head{" stub" if n == 0 else ""}"><p>{_escape(h)}</p></th>'
                          for n, h in enumerate(table.headers)))
    out.append("\n</tr>\n</thead>\n<tbody>\n")
    for index, row in enumerate(table.rows):
        out.append(f'<tr class="row-{"even" if index % 2 == 0 else "odd"}">')
        out.append("\n".join(f'<th class="stub">{_cell_html(cell, part_html)}</th>' if n == 0
                              else f"<td>{_cell_html(cell, part_html)}</td>" for n, cell in enumerate(row)))
        out.append("\n</tr>\n")
    out.append("</tbody>\n</table>\n")
    return "".join(out)


def _cell_html(cell: Cell, part_html: Callable[[Part], str]) -> str:
    return "<p>" + "".join(part_html(p) for p in (cell if isinstance(cell, tuple) else (cell,))) + "</p>"


def visit_trace_table_html(translator: HTML5Translator, node: trace_table) -> None:
    """Write the table's HTML in a ``no-search`` block (left out of the search index; its items are indexed
    on the pages that define them) that scrolls by itself (``trace-scroll``): a wide matrix scrolls inside its
    box, with its header row and first column kept in view (``_static/trace.css``), not the whole page. The box
    is a named region that takes keyboard focus, so it can be scrolled without a mouse (WCAG 2.1.1)."""
    label = {"aria-label": node["caption"]} if node.get("caption") else {}
    translator.body.append(translator.starttag(node, "div", suffix="", role="region", tabindex="0", **label)
                           + node["html"] + "</div>")
    raise nodes.SkipNode


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
    """``doctree-resolved``: replace each view placeholder of the page by its blocks as nodes."""
    views = list(doctree.findall(trace_view))
    if not views:
        return
    renderer = _Renderer(app, docname)
    for node in views:
        node.replace_self(renderer.render(view_blocks(app, node.attributes), node))


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
                    f"{matrix.spec.label} coverage is {percent(matrix.percent)} ({matrix.covered}/{matrix.total}), "
                    f"below the threshold of {float(threshold):g}%. Link more requirements to its entries, "
                    "or lower ':threshold:'.",
                    "coverage-threshold", (docname, spec["line"]),
                )


def check_soa(app: Sphinx, env: BuildEnvironment) -> None:
    """Check each standard's SoA file against the coverage.

    Reports malformed rows, exclusions of unknown entries and of covered ones (not for a standard
    whose catalog failed to load) and, when
    ``trace_soa_complete`` is set, every entry that is neither addressed by a 例文 item nor
    excluded with a justification (``trace.soa-unjustified``, at the file's ``exclusions:`` line).
    """
    report = current_report(app)
    problems: list[Problem] = []
    # a standard whose catalog could not be loaded has no entries to check the SoA against:
    # the one catalog problem says what to fix
    read = [p for found in checks.read_problems(env).values() for p in found]
    failed = checks.failed_catalog_types(app, read)
    # an entry whose catalog row was refused: that row's problem already says what to fix
    refused = {item_id for p in read for item_id in p.explains}
    for standard, relpath in sorted(app.config.trace_soa_files.items()):
        path = Path(app.srcdir, relpath)
        data = load_soa(path)
        problems.extend(data.problems)
        spec = report.standards[standard]
        if spec.need_type in failed:
            continue
        coverage = {row.entry.fields.get("clause"): row for row in report.coverage(standard).rows}
        entries = {e.fields.get("clause"): e for e in report.model.of_type(spec.need_type)}
        level = LEVEL_LABELS.get(spec.level, spec.level)
        prefix = next((s.id_prefix for s in SCHEMAS.values() if s.need_type == spec.need_type), "")
        meant: set[str] = set()  # entries a misspelt exclusion was probably meant for
        for row in data.rows:
            if number_to_id(prefix, row.number) in refused:
                continue
            target = coverage.get(row.number)
            other = entries.get(row.number)
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
                # the entry's ID written instead of its number (ISO-A-7-1-1 for A.7.1.1)
                by_id = {r.entry.id: n for n, r in coverage.items() if n}
                as_id = unicodedata.normalize("NFKC", row.number).upper()
                guess = by_id.get(as_id) or nearest(row.number, [n for n in coverage if n])
                meant.add(guess or "")
                problems.append(Problem(Location(str(path), row.line), "soa-unknown-control",
                                        f"the SoA excludes {row.number!r}, which is not an entry of {spec.label}.",
                                        (f"The SoA names an entry by its number, not its ID: write {guess!r}."
                                         if as_id in by_id else f"Did you mean {guess!r}?") if guess else ""))
            elif target.covered:
                problems.append(Problem(Location(str(path), row.line), "soa-excluded-but-covered",
                                        f"the SoA excludes {row.number!r}, but it is covered by "
                                        f"{', '.join(target.covered_by)}.",
                                        "Remove the exclusion, or the links to it."))
        if app.config.trace_soa_complete and data.loaded:
            # an exclusion with a misspelt number is reported with its did-you-mean; the entry it meant
            # is not reported again as unjustified
            excluded = {row.number for row in data.rows} | meant
            # an entry a misspelt link was meant for (its did-you-mean) is not reported again as unjustified
            linked_by_slip = {meant_id for link in spec.links for meant_id in report.model.meant_by_dangling(link)}
            for number, coverage_row in coverage.items():
                if coverage_row.covered or number in excluded:
                    continue
                if linked_by_slip & set(report.model.subtree(coverage_row.entry.id)):
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
    app.add_node(trace_table, html=(visit_trace_table_html, None))
    for view in VIEWS.values():
        app.add_directive(view.directive_name, view.directive)
    app.add_env_collector(TraceViewCollector)
    app.connect("env-get-outdated", note_removed)
    app.connect("env-check-consistency", check_soa)
    app.connect("env-check-consistency", check_thresholds)
    app.connect("doctree-resolved", resolve_views)
    return {
        "version": __version__,
        "env_version": 9,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
