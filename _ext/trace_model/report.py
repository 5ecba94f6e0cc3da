"""Reviewer views as plain data: coverage matrices, gap lists, the requirement table, the SoA.

Computed from a :class:`~trace_model.model.TraceModel` once per build and shared by the
Sphinx directives (``guideline_trace.views``) and the CSV / XLSX exports
(``guideline_trace.exports``), so a page and its export cannot disagree. No Sphinx import.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from trace_model.model import Coverage, CoverageRow, TraceItem, TraceModel, natural_key, parse_reasons

#: The need types that count as covering a standard entry unless conf.py says otherwise
#: (``trace_covering_types``): the guideline's 例文 items.
REQUIREMENT_TYPES = ("policy", "measure")
#: The paper's revision points (改定の論点): statements and revision instructions.
REVISION_POINT_TYPES = ("req", "rev")
CIRCLED = "①②③④⑤⑥⑦⑧⑨"


@dataclass(frozen=True)
class StandardSpec:
    """How the coverage of one standard is computed (from ``trace_standards`` in conf.py).

    ``level`` is the level whose entries are counted; ``groups`` the levels above it
    that rows can be rolled up to (top first); ``via`` the link field of an entry
    through which it is covered (ISO 2022 through its 2013 correspondence).
    """

    key: str
    label: str
    need_type: str
    level: str
    links: tuple[str, ...]
    groups: tuple[str, ...] = ()
    via: str | None = None

    @classmethod
    def from_config(cls, key: str, value: Mapping[str, object]) -> StandardSpec:
        return cls(
            key=key,
            label=str(value["label"]),
            need_type=str(value["type"]),
            level=str(value["level"]),
            links=tuple(value["links"]),  # type: ignore[arg-type]
            groups=tuple(value.get("groups", ())),  # type: ignore[arg-type]
            via=value.get("via"),  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    title: str


@dataclass(frozen=True)
class MatrixRow:
    """One row: an entry (or a group of entries) and the covering requirements per column."""

    item: TraceItem
    cells: Mapping[str, tuple[str, ...]]
    covered: int
    total: int
    covered_by: tuple[str, ...]
    group: TraceItem | None = None

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / self.total if self.total else 0.0


@dataclass(frozen=True)
class Matrix:
    spec: StandardSpec
    rows_level: str
    columns: tuple[Column, ...]
    rows: tuple[MatrixRow, ...]
    groups: tuple[MatrixRow, ...]
    coverage: Coverage

    @property
    def covered(self) -> int:
        return self.coverage.covered

    @property
    def total(self) -> int:
        return self.coverage.total

    @property
    def percent(self) -> float:
        return self.coverage.percent


@dataclass
class TraceReport:
    """Everything the reviewer pages and the exports show, computed once per build."""

    model: TraceModel
    standards: Mapping[str, StandardSpec]
    chapter_titles: Mapping[str, str] = field(default_factory=dict)
    covering_types: tuple[str, ...] = REQUIREMENT_TYPES
    _coverage: dict[str, Coverage] = field(default_factory=dict)
    _matrices: dict[tuple[str, str, str], Matrix] = field(default_factory=dict)

    def coverage(self, standard: str) -> Coverage:
        if standard not in self._coverage:
            spec = self.standards[standard]
            self._coverage[standard] = self.model.coverage(
                spec.need_type, spec.links, level=spec.level,
                source_types=self.covering_types, via=spec.via,
            )
        return self._coverage[standard]

    # -- columns ---------------------------------------------------------------

    def columns(self, kind: str) -> tuple[Column, ...]:
        """The columns of a matrix: ``themes``, ``viewpoints``, ``chapters`` or ``none``."""
        model = self.model
        if kind == "none":
            return ()
        if kind == "themes":
            themes = sorted(model.of_type("theme"), key=_number)
            direct_viewpoints = {v for r in self.revision_points() for v in r.links.get("viewpoint", ())}
            viewpoints = sorted((model.items[v] for v in direct_viewpoints if v in model.items), key=_number)
            return tuple(
                [Column(t.id, _circled(t), t.title) for t in themes]
                + [Column(v.id, f"観点{_number(v)}", v.title) for v in viewpoints]
            )
        if kind == "viewpoints":
            return tuple(
                Column(v.id, f"観点{_number(v)}", v.title)
                for v in sorted(model.of_type("viewpoint"), key=_number)
            )
        if kind == "chapters":
            docnames = sorted({r.fields.get("docname", "") for r in self.requirements()})
            return tuple(
                Column(d, self.chapter_titles.get(d, d).replace("（例文）", ""), self.chapter_titles.get(d, d))
                for d in docnames
            )
        raise ValueError(f"unknown column kind {kind!r}")

    def upstream(self, requirement: TraceItem) -> list[TraceItem]:
        """The item and the revision points it ``realises``: where its themes and viewpoints come from."""
        found = [requirement]
        for target in requirement.links.get("realises", ()):
            if target in self.model.items:
                found.append(self.model.items[target])
        return found

    def column_keys(self, requirement: TraceItem, kind: str) -> tuple[str, ...]:
        """The columns a requirement falls in (a 例文 item: those of the revision points it realises)."""
        if kind == "themes":
            found: dict[str, None] = {}
            for item in self.upstream(requirement):
                found.update(dict.fromkeys(item.links.get("theme", ())))
                found.update(dict.fromkeys(item.links.get("viewpoint", ())))
            return tuple(found)
        if kind == "viewpoints":
            upstream = self.upstream(requirement)
            themes = [t for item in upstream for t in item.links.get("theme", ())]
            found = {v: None for item in upstream for v in item.links.get("viewpoint", ())}
            for theme in themes:
                if theme in self.model.items:
                    found.update(dict.fromkeys(self.model.items[theme].links.get("viewpoint", ())))
            return tuple(found)
        if kind == "chapters":
            return (requirement.fields.get("docname", ""),)
        return ()

    def requirements(self) -> list[TraceItem]:
        """The items that cover standard entries (the 例文), in definition order per type."""
        return [i for t in self.covering_types for i in self.model.of_type(t)]

    def revision_points(self) -> list[TraceItem]:
        """The paper's revision points (``req`` and ``rev``), in definition order per type."""
        return [i for t in REVISION_POINT_TYPES for i in self.model.of_type(t)]

    # -- matrices ----------------------------------------------------------------

    def matrix(self, standard: str, rows: str = "entries", columns: str = "themes") -> Matrix:
        """A coverage matrix; ``rows`` is ``entries`` or one of the standard's group levels."""
        key = (standard, rows, columns)
        if key not in self._matrices:
            self._matrices[key] = self._matrix(standard, rows, columns)
        return self._matrices[key]

    def _matrix(self, standard: str, rows: str, columns: str) -> Matrix:
        spec = self.standards[standard]
        if rows != "entries" and rows not in spec.groups:
            raise ValueError(f"{spec.key!r} rows can be 'entries' or one of {list(spec.groups)}, not {rows!r}")
        cols = self.columns(columns)
        coverage = self.coverage(standard)
        top = spec.groups[0] if spec.groups else None
        entry_rows = [self._row(row.entry, [row], columns, self._group(row, top)) for row in coverage.rows]
        group_level = rows if rows != "entries" else top
        grouped: dict[str, list[CoverageRow]] = {}
        group_items: dict[str, TraceItem] = {}
        if group_level is not None:
            for row in coverage.rows:
                group = self.model.ancestor(row.entry.id, group_level)
                if group is not None:
                    grouped.setdefault(group.id, []).append(row)
                    group_items[group.id] = group
        groups = tuple(self._row(group_items[g], members, columns, None) for g, members in grouped.items())
        return Matrix(
            spec=spec,
            rows_level=rows,
            columns=cols,
            rows=tuple(entry_rows) if rows == "entries" else groups,
            groups=groups,
            coverage=coverage,
        )

    def _group(self, row: CoverageRow, level: str | None) -> TraceItem | None:
        return self.model.ancestor(row.entry.id, level) if level else None

    def _row(
        self, item: TraceItem, members: Sequence[CoverageRow], columns: str, group: TraceItem | None
    ) -> MatrixRow:
        cells: dict[str, dict[str, None]] = {}
        covering: dict[str, None] = {}
        for member in members:
            for req_id in member.covered_by:
                covering[req_id] = None
                for key in self.column_keys(self.model.items[req_id], columns):
                    cells.setdefault(key, {})[req_id] = None
        return MatrixRow(
            item=item,
            cells={k: tuple(sorted(v, key=natural_key)) for k, v in cells.items()},
            covered=sum(1 for m in members if m.covered),
            total=len(members),
            covered_by=tuple(sorted(covering, key=natural_key)),
            group=group,
        )

    # -- requirement table and orphans ---------------------------------------------

    def requirement_rows(self) -> list[RequirementRow]:
        rows = []
        for item in sorted(self.requirements() + self.revision_points(), key=lambda i: natural_key(i.id)):
            reasons = parse_reasons(item.fields.get("iso_reason", ""))
            nisc_reasons = parse_reasons(item.fields.get("nisc_reason", ""))
            iso22_reasons = parse_reasons(item.fields.get("iso22_reason", ""))
            rows.append(
                RequirementRow(
                    item=item,
                    upstream=tuple(item.links.get("theme", ())) + tuple(item.links.get("viewpoint", ()))
                    + tuple(item.links.get("realises", ())),
                    nisc=tuple((c, nisc_reasons.get(c, "")) for c in item.links.get("nisc", ())),
                    iso=tuple((c, reasons.get(c, "")) for c in item.links.get("iso", ())),
                    revises=tuple(item.links.get("revises", ())),
                    iso22=tuple((c, iso22_reasons.get(c, "")) for c in item.links.get("iso22", ())),
                )
            )
        return rows

    def links(self) -> list[LinkRow]:
        """Every requirement -> standard entry link, one row each (the long-format link table): for each
        standard in ``standards`` order, each covering item (``covering_types``) in ID order, each link in
        written order, with its reason and relationship."""
        rows = []
        for key, spec in self.standards.items():
            for item in sorted((i for t in self.covering_types for i in self.model.of_type(t)),
                               key=lambda i: natural_key(i.id)):
                for link_field in spec.links:
                    for target, reason, relationship in self.model.reasoned_links(item, link_field):
                        entry = self.model.items.get(target)
                        if entry is not None:
                            rows.append(LinkRow(key, item, entry, reason, relationship))
        return rows

    def orphans(self) -> list[TraceItem]:
        """Requirements and revision instructions with no upstream theme or viewpoint."""
        found = [o for t in REVISION_POINT_TYPES for o in self.model.orphans(t, ["theme", "viewpoint"])]
        return sorted(found, key=lambda i: i.id)

    # -- statement of applicability ---------------------------------------------------

    def soa(self, standard: str, exclusions: Mapping[str, str]) -> list[SoaRow]:
        """Each entry: covered (by which requirements, each link with its reason), not yet covered, or excluded
        with a reason. A link to an entry below the counted one (a NISC 遵守事項 under its 項) is listed too."""
        spec = self.standards[standard]
        rows = []
        for row in self.coverage(standard).rows:
            below = self.model.subtree(row.entry.id)
            links = tuple(
                LinkRow(standard, self.model.items[source], self.model.items[target], reason, relationship)
                for source in row.covered_by for link_field in spec.links
                for target, reason, relationship in self.model.reasoned_links(self.model.items[source], link_field, below)
            )
            rows.append(SoaRow(row.entry, soa_status(row.entry, row.covered, exclusions), row.covered_by,
                               exclusions.get(entry_number(row.entry), ""), links, row.fully_covered))
        return rows


@dataclass(frozen=True)
class RequirementRow:
    item: TraceItem
    upstream: tuple[str, ...]
    nisc: tuple[tuple[str, str], ...]
    iso: tuple[tuple[str, str], ...]
    revises: tuple[str, ...]
    iso22: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class LinkRow:
    """One requirement -> standard entry link: the standard's key, the linking item, the entry, the reason
    and the NIST IR 8477 relationship (the item is the focal element)."""

    standard: str
    item: TraceItem
    entry: TraceItem
    reason: str
    relationship: str


@dataclass(frozen=True)
class SoaRow:
    entry: TraceItem
    status: str  # covered | uncovered | excluded
    covered_by: tuple[str, ...]
    justification: str
    #: each link of a covering item to the entry (or below it), with its reason and relationship
    links: tuple[LinkRow, ...] = ()
    #: whether some item implements the whole entry (``equal-to`` / ``superset-of``)
    full: bool = False


SOA_LABELS = {"covered": "対応", "uncovered": "未対応", "excluded": "適用除外"}

#: Where the exports go in the output, and their file names (pages link to them).
EXPORT_DIR = "exports"
WORKBOOK = "traceability.xlsx"
REQUIREMENTS_CSV = "requirements.csv"
LINKS_CSV = "links.csv"
SOA_CSV = "soa.csv"


def soa_csv(standard: str) -> str:
    """The SoA export of one standard: ``soa.csv`` for ISO/IEC 27001:2013 (as published since the first
    release), ``soa-<standard>.csv`` for the others."""
    return SOA_CSV if standard == "iso" else f"soa-{standard}.csv"


def coverage_csv(standard: str) -> str:
    return f"{standard}-coverage.csv"


def entry_number(entry: TraceItem) -> str:
    """The printed number a SoA file names an entry by (``A.14.2.6``, ``7.3.2``); the ID if it has none."""
    return entry.fields.get("clause", entry.id)


def soa_status(entry: TraceItem, covered: bool, exclusions: Mapping[str, str]) -> str:
    """``covered`` (a 例文 links it), ``excluded`` (the SoA file gives a reason) or ``uncovered``."""
    if covered:
        return "covered"
    return "excluded" if entry_number(entry) in exclusions else "uncovered"


def entry_name(item: TraceItem) -> str:
    """A catalog entry's title without its printed number (``A.5.1.1 方針群`` -> ``方針群``)."""
    number = item.fields.get("clause", "")
    return item.title[len(number):].strip() if number and item.title.startswith(number) else item.title


#: Japanese names of the catalog levels.
LEVEL_LABELS = {
    "part": "部", "section": "節", "item": "項", "requirement": "遵守事項",
    "clause": "箇条", "objective": "管理目的", "control": "管理策", "theme": "分類",
    "entries": "項目",
}


def _number(item: TraceItem) -> int:
    try:
        return int(item.fields.get("number", "0"))
    except ValueError:
        return 0


def _circled(theme: TraceItem) -> str:
    number = _number(theme)
    return CIRCLED[number - 1] if 0 < number <= len(CIRCLED) else theme.id
