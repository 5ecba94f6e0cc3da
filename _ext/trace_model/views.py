"""What each reviewer view shows, as plain frozen data: the blocks of a view, computed without Sphinx.

A view (a coverage matrix, a gap list, the requirement table, a SoA, a trace chain) is a tuple of
blocks — :class:`Paragraph`, :class:`Table`, :class:`Rubric`, :class:`Container`, :class:`Downloads`,
:class:`ChainGraph`, :class:`Notice`. A link to a trace item is a :class:`Ref` (its ID and the text
shown); the Sphinx adapter (:mod:`guideline_trace.views`) turns it into a link to the item's page.

Because the blocks are plain data, one definition decides both what a view page shows and when it
is written again: the adapter's page fingerprint is a digest of these blocks (and of the titles and
pages of the items they link to), so a page cannot show data its fingerprint did not cover.

The figures and rows come from :class:`~trace_model.report.TraceReport`, which the exports share.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Union

from trace_model import oscal
from trace_model.model import TraceItem, TraceModel, natural_key, nearest
from trace_model.report import (
    LEVEL_LABELS,
    LINKS_CSV,
    REQUIREMENTS_CSV,
    SOA_LABELS,
    WORKBOOK,
    Matrix,
    MatrixRow,
    TraceReport,
    coverage_csv,
    entry_name,
    soa_csv,
    soa_status,
)
from trace_model.warnings import check_subtype


@dataclass(frozen=True)
class Ref:
    """A link to the trace item ``id``, shown as ``text`` (the ID when ``None``; ``""`` shows nothing)."""

    id: str
    text: str | None = None


@dataclass(frozen=True)
class Strong:
    """Text in bold."""

    text: str


@dataclass(frozen=True)
class Mark:
    """A changed passage in a 新旧対照表 column: ``kind`` ``"new"`` (改正後) or ``"old"`` (改正前). Shown
    underlined, as the ministry's 新旧対照表 marks both columns, and announced to screen readers by words
    around it (:data:`MARK_WORDS`), since underlining is not read out."""

    text: str
    kind: str


#: What a screen reader hears before and after a :class:`Mark` of each kind.
MARK_WORDS = {"new": ("［改正部分：", "］"), "old": ("［改正前の部分：", "］")}

#: Inline content: text, a link to an item, bold text, a changed passage.
Part = Union[str, Ref, Strong, Mark]  # noqa: UP007 (a runtime alias; the | form needs Python 3.12's type statement)
#: A table cell: one part, or several parts in one paragraph (an empty tuple is an empty cell).
Cell = Union[str, Ref, Strong, Mark, tuple[Part, ...]]  # noqa: UP007


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of parts, with CSS classes."""

    parts: tuple[Part, ...]
    classes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """A table: header texts, rows of cells (each row as long as ``headers``), CSS classes, and its caption
    (what the table is: shown above it, and the name of its scroll box for screen readers). The first
    column names each row (written as row header cells)."""

    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    classes: tuple[str, ...] = ()
    caption: str = ""


@dataclass(frozen=True)
class Rubric:
    """A heading that is not a section (a group of a matrix)."""

    text: str


@dataclass(frozen=True)
class Container:
    """Blocks in one box with CSS classes (a matrix's summary)."""

    classes: tuple[str, ...]
    children: tuple[Block, ...]


@dataclass(frozen=True)
class Downloads:
    """Links to export files: (file name in the site's ``exports/`` folder, label) pairs."""

    files: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ChainGraph:
    """The trace chain of one item (for this guideline: 環境変化 → 観点 → テーマ → 改定の論点 → 例文 → NISC / ISO
    of one theme or viewpoint; the stages are configuration, :class:`Chain`).

    ``nodes``: (item ID, its title or ``None`` when the ID names no item, fill colour); ``edges``:
    (from ID, to ID) pairs; ``alt``: the figure's text alternative, a sentence giving the number of items in
    each stage (the items themselves are in the table :func:`chain_table` puts under the figure).
    """

    root: str
    title: str
    nodes: tuple[tuple[str, str | None, str], ...]
    edges: tuple[tuple[str, str], ...]
    alt: str


@dataclass(frozen=True)
class Notice:
    """A view that cannot be shown: the warning the adapter reports instead (``subtype``: a trace warning)."""

    message: str
    subtype: str

    def __post_init__(self) -> None:
        check_subtype(self.subtype)  # raises ValueError for a subtype not in the registry


Block = Union[Paragraph, Table, Rubric, Container, Downloads, ChainGraph, Notice]  # noqa: UP007


def percent(value: float) -> str:
    """A ratio in percent with one decimal, as the views print it (``51.4%``)."""
    return f"{value:.1f}%"


def refs(ids: Iterable[str], separator: str = "、") -> tuple[Part, ...]:
    """Links to ``ids`` separated by ``separator``."""
    parts: list[Part] = []
    for item_id in ids:
        if parts:
            parts.append(separator)
        parts.append(Ref(item_id))
    return tuple(parts)


def reasoned_refs(links: Sequence[tuple[str, str]]) -> tuple[Part, ...]:
    """Each linked entry with its reason in brackets, separated by ／."""
    parts: list[Part] = []
    for target, reason in links:
        if parts:
            parts.append(" ／ ")
        parts.append(Ref(target))
        if reason:
            parts.append(f"（{reason}）")
    return tuple(parts)


# -- coverage matrix and gap list ---------------------------------------------------------


def matrix_view(
    report: TraceReport, standard: str, rows: str, columns: str, gaps: bool, exclusions: Mapping[str, str] | None,
) -> tuple[Block, ...]:
    """The ``coverage-matrix`` view: summary, downloads, legend and table(s), or the gap list.

    ``rows``: ``entries`` or a group level of the standard; ``columns``: ``themes`` / ``viewpoints`` /
    ``chapters`` / ``none``; ``exclusions``: the standard's SoA exclusions (clause number →
    justification), ``None`` when the standard has no SoA file.
    """
    matrix = report.matrix(standard, rows, columns)
    spec = matrix.spec
    out: list[Block] = [
        # the gap list (a second view on the same page) leaves out the per-group table the matrix shows
        _summary(matrix, exclusions, with_groups=not gaps),
        Downloads(((coverage_csv(spec.key), f"{spec.label} 対応表（CSV, UTF-8 BOM付き）"),
                   (WORKBOOK, "全規格の対応表（Excel）"))),
    ]
    if matrix.columns and not gaps:
        legend = "、".join(c.label if c.title == c.label else f"{c.label} {c.title}" for c in matrix.columns)
        out.append(Paragraph((Strong("列: "), legend), classes=("trace-legend",)))
    if gaps:
        out.extend(_gaps(matrix, exclusions))
    elif rows == "entries" and matrix.groups:
        for group in matrix.groups:
            members = [r for r in matrix.rows if r.group is not None and r.group.id == group.item.id]
            out.append(Rubric(f"{group.item.title}（{group.covered} / {group.total}、{percent(group.percent)}）"))
            out.append(_matrix_table(matrix, members, exclusions or {}, f"{spec.label} 対応表: {group.item.title}"))
    else:
        out.append(_matrix_table(matrix, list(matrix.rows), exclusions or {}, f"{spec.label} 対応表"))
    return tuple(out)


def _summary(matrix: Matrix, exclusions: Mapping[str, str] | None, with_groups: bool = True) -> Container:
    level = LEVEL_LABELS.get(matrix.spec.level, matrix.spec.level)
    text = (f"{matrix.spec.label} の{level} {matrix.total} 件のうち、例文が対応付けられているもの "
            f"{matrix.covered} 件（{percent(matrix.percent)}）。")
    if exclusions is not None:
        excluded = sum(1 for row in matrix.coverage.rows
                       if soa_status(row.entry, row.covered, exclusions) == "excluded")
        text += (f"適用除外として理由を示したもの {excluded} 件（適用宣言書）。"
                 f"対応又は理由付きの適用除外 {matrix.covered + excluded} / {matrix.total} 件。")
    rows = matrix.coverage.rows
    full = matrix.coverage.fully_covered
    text += (f"対応のうち、例文がその{level}の全部を実施するもの（NIST IR 8477 の関係が equal-to 又は superset-of）"
             f"{full} 件、一部を実施するもの {matrix.covered - full} 件。")
    low = [r for r in rows if r.covered and r.entry.fields.get("confidence") == "low"]
    if low:
        text += (f"対応 {matrix.covered} 件のうち {len(low)} 件は、カタログ行の確度が low（原典で要確認）の項目です。"
                 "原典との照合で番号や名称が変われば、その対応も見直しが要ります。")
    low_names = [r for r in rows if r.entry.fields.get("ja_confidence") == "low"]
    if low_names:
        text += f"日本語名称の確度が low（JIS 原文で要確認）のもの {len(low_names)} 件（対応の判断には影響しません）。"
    children: list[Block] = [Paragraph((text,))]
    new = [r for r in rows if r.entry.fields.get("new") == "yes"]
    if new:
        status = {r.entry.id: SOA_LABELS[soa_status(r.entry, r.covered, exclusions or {})] for r in new}
        parts: list[Part] = [f"2022 年版で新設された{level} {len(new)} 件（2013 年版の対応表からはたどれないため、一件ずつ判断）: "]
        for index, row in enumerate(new):
            if index:
                parts.append("、")
            parts.extend((Ref(row.entry.id, row.entry.title), f"（{status[row.entry.id]}）"))
        children.append(Paragraph(tuple(parts)))
    if with_groups and matrix.rows_level == "entries" and matrix.groups:
        top = LEVEL_LABELS.get(matrix.spec.groups[0], matrix.spec.groups[0])
        body: list[tuple[Cell, ...]] = [
            (Ref(g.item.id, g.item.title), str(g.covered), str(g.total), percent(g.percent)) for g in matrix.groups
        ]
        body.append((Strong("全体"), str(matrix.covered), str(matrix.total), percent(matrix.percent)))
        children.append(Table((top, "対応", "総数", "対応率"), tuple(body), classes=("trace-summary",),
                              caption=f"{matrix.spec.label} の{top}ごとの対応"))
    return Container(("trace-matrix-summary",), tuple(children))


def _matrix_table(matrix: Matrix, rows: Sequence[MatrixRow], exclusions: Mapping[str, str], caption: str) -> Table:
    entries = matrix.rows_level == "entries"
    headers = ("番号", "名称", *(c.label for c in matrix.columns), "対応例文数", "状態" if entries else "対応率")
    body: list[tuple[Cell, ...]] = []
    for row in rows:
        number = row.item.fields.get("clause", "")
        body.append((
            Ref(row.item.id, number or row.item.id),
            entry_name(row.item),
            *(refs(row.cells.get(c.key, ())) for c in matrix.columns),
            str(len(row.covered_by)),
            SOA_LABELS[soa_status(row.item, bool(row.covered), exclusions)] if entries
            else f"{row.covered}/{row.total}（{percent(row.percent)}）",
        ))
    return Table(headers, tuple(body), classes=("trace-matrix",), caption=caption)


def _gaps(matrix: Matrix, exclusions: Mapping[str, str] | None) -> list[Block]:
    if matrix.rows_level == "entries":
        uncovered = [r for r in matrix.rows if not r.covered]
    else:
        uncovered = [r for r in matrix.groups if r.covered < r.total]
    head = Paragraph((f"例文が対応付けられていないもの: {matrix.total - matrix.covered} 件（全 {matrix.total} 件中）",))
    if not uncovered:
        return [head, Paragraph(("例文が対応付けられていない項目はありません。",))]
    body = []
    for row in uncovered:
        number = row.item.fields.get("clause", "")
        cells: list[Cell] = [Ref(row.item.id, number or row.item.id), entry_name(row.item),
                             row.group.title if row.group is not None else ""]
        if exclusions is not None:
            cells.append(exclusions.get(number, "（理由がありません）"))
        body.append(tuple(cells))
    headers = ("番号", "名称", "分類", *(["適用除外の理由（適用宣言書）"] if exclusions is not None else []))
    return [head, Table(headers, tuple(body), classes=("trace-gaps",),
                        caption=f"{matrix.spec.label} で例文が対応付けられていないもの")]


# -- the requirement table and the SoA -----------------------------------------------------


def requirements_view(report: TraceReport) -> tuple[Block, ...]:
    """The ``trace-requirements`` view: every requirement with its upstream and standards, then the orphans."""
    headers = ("ID", "例文・要件", "出所", "論点資料", "テーマ・観点 ／ 実現する論点", "NISC統一基準（理由）",
               "ISO/IEC 27001:2013（理由）", "ISO/IEC 27001:2022（理由）")
    body = []
    for row in report.requirement_rows():
        item = row.item
        iso = ("改定の対象: ", *refs(row.revises)) if row.revises else reasoned_refs(row.iso)
        body.append((Ref(item.id), item.title, item.fields.get("source", ""), item.fields.get("paper_ref", ""),
                     refs(row.upstream), reasoned_refs(row.nisc), iso, reasoned_refs(row.iso22)))
    orphans = report.orphans()
    return (
        Downloads(((REQUIREMENTS_CSV, "要件と対応規格（CSV, UTF-8 BOM付き）"),
                   (LINKS_CSV, "例文から規格へのリンク（1 リンク 1 行、理由と関係付き。CSV）"),
                   (WORKBOOK, "全規格の対応表（Excel）"),
                   (oscal.CATALOG_FILE, "例文のカタログ（OSCAL 1.2.1 catalog、JSON）"),
                   *((oscal.mapping_file(key), f"例文から {spec.label} への対応付け（OSCAL 1.2.1 mapping collection、JSON）")
                     for key, spec in report.standards.items()))),
        Table(headers, tuple(body), classes=("trace-requirements",), caption="例文・要件と、その上流と対応規格"),
        Rubric("上流（テーマ・観点）のない要件"),
        Paragraph(refs(o.id for o in orphans)) if orphans
        else Paragraph(("ありません。すべての要件・改定指示が議論テーマ又は改定の観点にリンクしています。",)),
    )


def soa_view(report: TraceReport, standard: str, exclusions: Mapping[str, str]) -> tuple[Block, ...]:
    """The ``trace-soa`` view: every entry of ``standard`` as 対応 / 適用除外 / 未対応, with its 例文 or reason."""
    rows = report.soa(standard, exclusions)
    counts = {status: sum(1 for r in rows if r.status == status) for status in SOA_LABELS}
    summary = "、".join(f"{SOA_LABELS[s]} {n} 件" for s, n in counts.items()) + f"（計 {len(rows)} 件）"
    full = sum(1 for r in rows if r.full)
    summary += f"。対応のうち、例文が全部を実施するもの {full} 件、一部を実施するもの {counts['covered'] - full} 件"
    body = []
    for row in rows:
        detail: Cell = (reasoned_refs([(link.item.id, link.reason if link.entry.id == row.entry.id
                                        else f"{link.entry.fields.get('clause', link.entry.id)}: {link.reason}")
                                       for link in row.links])
                        if row.status == "covered" else row.justification)
        degree = ("全部" if row.full else "一部") if row.status == "covered" else "—"
        body.append((Ref(row.entry.id, row.entry.fields.get("clause", "")), entry_name(row.entry),
                     "適用除外" if row.status == "excluded" else "適用", SOA_LABELS[row.status], degree, detail))
    level = LEVEL_LABELS.get(report.standards[standard].level, "項目")
    return (
        Paragraph((summary + "。",)),
        Downloads(((soa_csv(standard), "適用宣言書（CSV, UTF-8 BOM付き）"),
                   (WORKBOOK, "全規格の対応表（Excel。適用宣言書のシートに各団体が記入する実施状況の列があります）"))),
        Table(("番号", level, "適用", "状態", "対応の程度", "対応する例文と根拠 ／ 適用除外の理由"), tuple(body),
              classes=("trace-soa",), caption=f"{report.standards[standard].label} 適用宣言書"),
    )


# -- the trace chain --------------------------------------------------------------------------

@dataclass(frozen=True)
class ChainStage:
    """One stage of the trace chain (configuration ``trace_chain['stages']``, in chain order).

    ``label``: its name in the figure's text alternative (e.g. 改定の観点); ``types``: the need types of
    its items; ``links``: the link types by which its items name items of earlier stages (a 例文 item
    ``realises`` a revision point); ``linked_by``: the link types by which the previous stage's items
    name this stage's items (a 例文 item's ``nisc`` and ``iso`` links name the standards).
    """

    label: str
    types: tuple[str, ...]
    links: tuple[str, ...] = ()
    linked_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chain:
    """The trace chain of the guideline: its stages, and the need types a ``trace-chain`` may start from.

    Built from the ``trace_chain`` setting by :meth:`from_config` (checked in
    ``guideline_trace.config`` before the build reads anything).
    """

    stages: tuple[ChainStage, ...]
    roots: tuple[str, ...]

    @classmethod
    def from_config(cls, value: Mapping[str, object]) -> Chain:
        """The chain of a ``trace_chain`` setting: ``{"roots": [types], "stages": [{label, types, links,
        linked_by}]}``. An empty setting gives a chain with no stages (every ``trace-chain`` is a notice)."""
        stages = tuple(
            ChainStage(str(s["label"]), tuple(s["types"]), tuple(s.get("links", ())), tuple(s.get("linked_by", ())))
            for s in value.get("stages", ())  # type: ignore[attr-defined]
        )
        return cls(stages, tuple(value.get("roots", ())))  # type: ignore[arg-type]

    def stage_of(self, need_type: str) -> int | None:
        """The index of the stage whose items have ``need_type``, or ``None``."""
        return next((k for k, stage in enumerate(self.stages) if need_type in stage.types), None)


def chain_view(model: TraceModel, of: str, chain: Chain, colours: Mapping[str, str]) -> tuple[Block, ...]:
    """The ``trace-chain`` view of the item ``of`` (one of ``chain.roots``' types), or a :class:`Notice`
    when ``of`` is no such item.

    ``colours``: need type -> the fill colour of its boxes (the need types' colours in ``needs_types``).
    """
    root = model.items.get(of)
    if root is None or root.type not in chain.roots or chain.stage_of(root.type) is None:
        guess = nearest(of, [i.id for t in chain.roots for i in model.of_type(t)])
        return (Notice(f"trace-chain names {of!r}, which is not a {' or '.join(chain.roots) or 'chain root'}."
                       + (f" Did you mean {guess!r}?" if guess else ""), "chain-target"),)
    return (chain_graph(model, root, chain, colours), chain_table(model, root, chain))


def chain_table(model: TraceModel, root: TraceItem, chain: Chain) -> Table:
    """The chain of ``root`` (:func:`chain_members`) as a table, one row per stage: the stage, then each of its
    items as a link reading "ID title". It says what the figure shows, for readers who cannot see the figure
    and for keyboard users (the figure's boxes are links, but the figure is not a tab stop)."""
    members = chain_members(model, root, chain)
    rows: list[tuple[Cell, ...]] = []
    for stage, ids in zip(chain.stages, members, strict=True):
        items: list[Part] = []
        for item_id in ids:
            if items:
                items.append("、")
            items.append(Ref(item_id, f"{item_id} {model.items[item_id].title}"))
        rows.append((stage.label, tuple(items) if items else "なし"))
    return Table(("段階", "項目"), tuple(rows), classes=("trace-chain-table",),
                 caption=f"{root.title}の追跡の連鎖（図の内容）")


def chain_members(model: TraceModel, root: TraceItem, chain: Chain) -> list[list[str]]:
    """The IDs of each stage's items in the chain of ``root``, one list per stage of ``chain``.

    Each list is in the order of the stage's types, then of the IDs (natural order: STD-8-1-2 before
    STD-8-1-11). Towards the first stage, a stage holds what the later items (up to ``root``) name through their
    ``links``; after ``root``, the items that name ``root`` or a later item already in the chain through
    the stage's ``links``, and the items the previous stage names through its ``linked_by``. A theme's
    chain thus runs from the changes its viewpoints name, through the revision points that name the theme
    and the 例文 items that realise them, to the standards those 例文 link to.
    """
    r = chain.stage_of(root.type)
    assert r is not None, f"{root.type} is in no stage of the chain"
    members: list[dict[str, None]] = [{} for _ in chain.stages]
    members[r][root.id] = None

    def typed(target: str, types: Sequence[str]) -> bool:
        item = model.items.get(target)
        return item is not None and item.type in types

    for k in range(r - 1, -1, -1):
        for j in range(k + 1, r + 1):
            for item_id in members[j]:
                links = model.items[item_id].links
                for link in chain.stages[j].links:
                    members[k].update(dict.fromkeys(t for t in links.get(link, ()) if typed(t, chain.stages[k].types)))
    for k in range(r + 1, len(chain.stages)):
        stage = chain.stages[k]
        earlier = {i for j in range(r, k) for i in members[j]}
        for need_type in stage.types:
            for item in model.of_type(need_type):
                if any(t in earlier for link in stage.links for t in item.links.get(link, ())):
                    members[k][item.id] = None
        for item_id in members[k - 1]:
            links = model.items[item_id].links
            for link in stage.linked_by:
                members[k].update(dict.fromkeys(t for t in links.get(link, ()) if typed(t, stage.types)))
    # in a fixed order (the stage's types, then the IDs), not the order the needs were read in, which
    # an incremental build changes
    def order(stage: ChainStage) -> Callable[[str], tuple[int, tuple[tuple[int, str], ...]]]:
        return lambda item_id: (stage.types.index(model.items[item_id].type), natural_key(item_id))

    return [sorted(m, key=order(stage)) for m, stage in zip(members, chain.stages, strict=True)]


def chain_graph(model: TraceModel, root: TraceItem, chain: Chain, colours: Mapping[str, str]) -> ChainGraph:
    """The chain of ``root`` (:func:`chain_members`): its boxes, the links between them, and its text
    alternative.

    An item's edge comes from the chain items it names through its stage's ``links`` in the latest
    stage among them (a theme that names both a viewpoint and a change is drawn from the viewpoint),
    and goes to the items it names through the next stage's ``linked_by``. ``colours``: need type ->
    fill colour of its boxes (a type without a colour gets white).
    """
    members = chain_members(model, root, chain)
    stage_at = {item_id: k for k, ids in enumerate(members) for item_id in ids}
    edges: list[tuple[str, str]] = []
    for k, ids in enumerate(members):
        for item_id in ids:
            links = model.items[item_id].links
            named = [t for link in chain.stages[k].links for t in links.get(link, ()) if stage_at.get(t, k) < k]
            nearest_stage = max((stage_at[t] for t in named), default=None)
            edges += [(t, item_id) for t in dict.fromkeys(named) if stage_at[t] == nearest_stage]
            if k + 1 < len(members):
                edges += [(item_id, t) for link in chain.stages[k + 1].linked_by for t in links.get(link, ())
                          if stage_at.get(t) == k + 1]
    boxes = [(i, model.items[i].title, colours.get(model.items[i].type, "#ffffff").lower())
             for ids in members for i in ids]
    alt = (f"{root.title}の追跡の連鎖の図。"
           + "、".join(f"{stage.label} {len(ids)} 件" for stage, ids in zip(chain.stages, members, strict=True))
           + "。各段階の項目は図の下の表に示します。")
    return ChainGraph(root.id, root.title, tuple(boxes), tuple(dict.fromkeys(edges)), alt)


def chain_dot(graph: ChainGraph, uri: Mapping[str, str]) -> str:
    """Graphviz source of ``graph``; ``uri``: item ID → the link of its box (a box without one links nowhere)."""
    lines = [
        "digraph chain {",
        '  graph [rankdir=LR, bgcolor="transparent", nodesep=0.15, ranksep=0.6];',
        '  node [shape=box, style="rounded,filled", color="#444444", fontcolor="#1a1a1a", fontsize=10];',
        '  edge [color="#555555"];',
    ]
    for item_id, title, fill in graph.nodes:
        label = f"{item_id}\\n{_wrap(title or '')}"
        lines.append(f'  "{item_id}" [label="{_esc(label)}", fillcolor="{fill}", URL="{uri.get(item_id, "")}", '
                     f'target="_top", tooltip="{_esc(title if title is not None else item_id)}"];')
    lines += [f'  "{a}" -> "{b}";' for a, b in graph.edges]
    lines.append("}")
    return "\n".join(lines)


def _wrap(text: str, width: int = 16) -> str:
    return "\\n".join(text[i:i + width] for i in range(0, len(text), width))


def _esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\\\\n", "\\n")


def linked_ids(blocks: Iterable[Block]) -> set[str]:
    """Every item ID the blocks link to (the targets whose title and page the links show)."""
    found: set[str] = set()

    def parts(value: object) -> None:
        if isinstance(value, Ref):
            found.add(value.id)
        elif isinstance(value, tuple):
            for part in value:
                parts(part)

    for block in blocks:
        if isinstance(block, Paragraph):
            parts(block.parts)
        elif isinstance(block, Table):
            for row in block.rows:
                parts(row)
        elif isinstance(block, Container):
            found |= linked_ids(block.children)
        elif isinstance(block, ChainGraph):
            found.update(item_id for item_id, _, _ in block.nodes)
    return found
