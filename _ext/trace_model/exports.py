"""Exports for reviewers: a CSV per view (UTF-8 with BOM, for Excel) and one XLSX workbook, as bytes.

:mod:`guideline_trace.exports` writes them into ``<outdir>/exports/`` when an HTML build finishes, from the same
:class:`~trace_model.report.TraceReport` the pages show, so a page and its export cannot disagree.

What reviewers' tools do with them decides their shape:

- **One key per row that every reader keeps as written**: the ID (``ISO22-5-10``, ``NISC-2-1-1``). A printed
  number on its own is not one: LibreOffice Calc and pandas read ``5.10`` as the number 5.1, and Calc in the
  Japanese locale reads ``2.1.1`` as a date. The workbook stores printed numbers as text cells; a CSV writes
  each printed number together with its name, as one heading (``5.10 記憶媒体``), which no reader converts.
- **No live formula**: a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
  read as a formula by spreadsheet programs (OWASP "CSV injection"). Such a cell is written with a leading
  ``'`` in a CSV, and as a text cell with Excel's quote prefix in the workbook (:func:`neutralise`).
- **The same identifier columns on every sheet**: the entry's ID and printed number, the requirement's ID.
- **Ratios are ratios**: stored unrounded and shown as percentages with one decimal, as the pages do.

The workbook is written with XlsxWriter (column widths, wrapping, filters, frozen header rows, A4 print set-up
with repeated header rows, data validation for the 実施状況 column, a provenance sheet). Its bytes depend only on
the tables and the build time given (XlsxWriter stamps every zip entry 1980-01-01).
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import xlsxwriter

from trace_model.editions import CATALOG_WORDS, COVERAGE_WORDS, CURRENT, Comparison
from trace_model.model import CoverageRow
from trace_model.report import (
    LEVEL_LABELS,
    LINKS_CSV,
    REQUIREMENTS_CSV,
    SOA_LABELS,
    WORKBOOK,
    LinkRow,
    Matrix,
    TraceReport,
    coverage_csv,
    entry_name,
    entry_number,
    soa_csv,
    soa_status,
)

#: The time stamp of exports when neither SOURCE_DATE_EPOCH nor a commit date is known (the paper's date).
DEFAULT_EPOCH = int(datetime(2014, 10, 6, tzinfo=UTC).timestamp())

#: The answers the 実施状況 column of a SoA sheet accepts (a list in the cell).
IMPLEMENTATION_STATES = ("実施済み", "一部実施", "未実施", "該当なし")
#: Japanese wording of the NIST IR 8477 relationships (the 例文 item is the focal element).
RELATIONSHIP_LABELS = {
    "equal-to": "同等",
    "subset-of": "一部を実施（例文 ⊂ 規格）",
    "superset-of": "全体を含む（例文 ⊃ 規格）",
    "intersects-with": "重なる",
}
#: What a figure means, for the provenance sheet (every figure of the workbook is one of these).
DEFINITIONS = (
    ("対応", "その項目（NISC は項、ISO は管理策）に、例文（基本方針・対策基準）が直接リンクしていること。NISC の項は、"
     "その下の遵守事項へのリンクでも対応とする。ISO/IEC 27001:2022 は 2022 年版へのリンクだけを数え、2013 年版の"
     "対応表を経由しない。"),
    ("全部を実施", "対応のうち、関係が equal-to（同等）又は superset-of（例文が規格を含む）であるリンクがあること。"
     "それ以外の対応（subset-of、intersects-with、関係を書いていないリンク）は一部の実施として数える。"),
    ("対応率", "対応する項目の数 ÷ 項目の総数。小数のまま保存し、表示は小数第 1 位までの百分率。"),
    ("適用除外", "どの例文も対応せず、適用宣言書のファイル（traceability/soa*.yaml）に理由が書かれていること。"),
    ("低確度", "カタログ行の確度（confidence）が low の項目。原典で要確認の行であり、その対応は原典との照合で変わりうる。"
     "行の確度を持たないカタログ（ISO/IEC 27001。確度は日本語名称についてだけ）では空欄。"),
    ("関係", "NIST IR 8477 の集合論的関係（equal-to / subset-of / superset-of / intersects-with）。例文を焦点要素、"
     "規格の項目を参照要素として読む。書かれていないリンクは intersects-with。"),
)
#: The characters that make a spreadsheet program read a text cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """One column of an export: its header, what it holds, and its width in characters.

    ``kind``: ``key`` (an ID, the row's key), ``number`` (a printed number, text), ``name`` (the name that goes
    with the ``number`` column before it), ``text``, ``long`` (wrapped text), ``count`` (an integer),
    ``ratio`` (a fraction shown as a percentage), ``input`` (left empty for the reader to fill in).
    """

    header: str
    kind: str = "text"
    width: float = 14
    #: for an ``input`` column: the answers it accepts (a list in the cell), or ``("date",)`` for a date
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sheet:
    """One table of the exports: the sheet name (31 characters at most), a printed title, columns, rows."""

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    #: the answers the first ``input`` column accepts (a list in the cell), unless the column names its own
    choices: tuple[str, ...] = ()
    #: protect the sheet: only its ``input`` cells can be edited (a form to fill in, not a table to rework)
    protected: bool = False


@dataclass(frozen=True)
class Provenance:
    """What the exports were built from: the edition, its date, the build time (UTC), the commit."""

    edition: str
    edition_date: str
    built: datetime
    commit: str
    generator: str = "lg-security-guideline"
    notes: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def build_epoch(commit_epoch: int | None = None) -> int:
    """``SOURCE_DATE_EPOCH`` if set (reproducible builds), else the commit's time, else a fixed date."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if value.isdigit():
        return int(value)
    return commit_epoch if commit_epoch is not None else DEFAULT_EPOCH


def neutralise(value: str) -> str:
    """``value`` with a leading ``'`` if a spreadsheet program would read it as a formula, else unchanged."""
    return "'" + value if value.startswith(FORMULA_START) else value


# -- the tables ------------------------------------------------------------------------------------------


def _ids(ids: Iterable[str]) -> str:
    return " ".join(ids)


def _clause(report: TraceReport, item_id: str) -> str:
    item = report.model.items.get(item_id)
    return item.fields.get("clause", item_id) if item is not None else item_id


def summary_sheet(report: TraceReport, exclusions: Mapping[str, Mapping[str, str]]) -> Sheet:
    """Per standard and per top group: covered, fully covered, excluded, total, ratio."""
    def counts(entries: Sequence[CoverageRow], excluded: Mapping[str, str]) -> tuple[int, int, int, int | None]:
        covered = sum(1 for r in entries if r.covered)
        full = sum(1 for r in entries if r.fully_covered)
        out = sum(1 for r in entries if not r.covered and entry_number(r.entry) in excluded)
        rated = any(r.entry.fields.get("confidence") for r in entries)
        low = sum(1 for r in entries if r.covered and r.entry.fields.get("confidence") == "low") if rated else None
        return covered, full, out, low

    rows: list[tuple[Any, ...]] = []
    for key, spec in report.standards.items():
        matrix = report.matrix(key)
        excluded = exclusions.get(key, {})
        rows.append((spec.label, "", "全体", *counts(matrix.coverage.rows, excluded), matrix.total,
                     matrix.covered / matrix.total if matrix.total else 0.0))
        for group in matrix.groups:
            level = group.item.fields.get("level", "")
            members = [r for r in matrix.coverage.rows
                       if (above := report.model.ancestor(r.entry.id, level)) is not None and above.id == group.item.id]
            rows.append((spec.label, group.item.id, group.item.title, *counts(members, excluded), group.total,
                         group.covered / group.total if group.total else 0.0))
    columns = (Column("規格", width=30), Column("分類ID", "key", 14), Column("分類", width=34),
               Column("対応", "count", 8), Column("うち全部を実施", "count", 10), Column("適用除外", "count", 9),
               Column("対応のうち低確度", "count", 11), Column("総数", "count", 8), Column("対応率", "ratio", 9))
    return Sheet("概要", "規格ごとの対応の概要", columns, tuple(rows))


def coverage_sheet(report: TraceReport, matrix: Matrix, name: str, exclusions: Mapping[str, str] | None = None) -> Sheet:
    """One standard's coverage: a row per counted entry, its state as on the page (対応 / 適用除外 with the SoA's
    justification / 未対応), and the covering 例文 items per theme column. A standard whose entries mark the
    controls new in its edition (``new``) gets a 新設 column."""
    spec = matrix.spec
    level = LEVEL_LABELS.get(spec.level, "項目")
    excluded = exclusions or {}
    marks_new = any(r.entry.fields.get("new") for r in matrix.coverage.rows)
    columns = [Column("ID", "key", 16), Column("番号", "number", 10), Column(f"{level}の名称", "name", 34),
               Column("分類", width=24), Column("状態", width=9), Column("対応の程度", width=10),
               Column("カタログ行の確度", width=10), Column("日本語名称の確度", width=10),
               *([Column("この版で新設", width=9)] if marks_new else []),
               Column("対応例文数", "count", 9), Column("対応例文", "long", 40),
               Column("適用除外の理由（適用宣言書）", "long", 40)]
    columns += [Column(f"{c.label} {c.title}", "long", 18) for c in matrix.columns]
    full = {r.entry.id: r.fully_covered for r in matrix.coverage.rows}
    rows = []
    for row in matrix.rows:
        item = row.item
        degree = "" if not row.covered_by else ("全部" if full.get(item.id) else "一部")
        status = soa_status(item, bool(row.covered_by), excluded)
        rows.append((item.id, item.fields.get("clause", ""), entry_name(item),
                     row.group.title if row.group else "", SOA_LABELS[status], degree,
                     item.fields.get("confidence", ""), item.fields.get("ja_confidence", ""),
                     *(["はい" if item.fields.get("new") == "yes" else ""] if marks_new else []),
                     len(row.covered_by), _ids(row.covered_by),
                     excluded.get(entry_number(item), "") if status == "excluded" else "",
                     *(_ids(row.cells.get(c.key, ())) for c in matrix.columns)))
    return Sheet(name, f"{spec.label} 対応表", tuple(columns), tuple(rows))


def requirements_sheet(report: TraceReport) -> Sheet:
    """Every 例文 item and revision point with its upstream and its links to each standard, with reasons."""
    columns = (Column("ID", "key", 14), Column("種類", width=9), Column("例文・要件", "long", 30),
               Column("出所", width=8), Column("論点資料での位置", width=12),
               Column("テーマ・観点・実現する論点", "long", 20),
               Column("NISC統一基準", "long", 18), Column("NISC統一基準の理由", "long", 50),
               Column("ISO/IEC 27001:2013", "long", 18), Column("ISO/IEC 27001:2013 の理由", "long", 50),
               Column("ISO/IEC 27001:2022", "long", 18), Column("ISO/IEC 27001:2022 の理由", "long", 50),
               Column("改定の対象", width=16))
    rows = []
    for row in report.requirement_rows():
        item = row.item
        rows.append((
            item.id, item.type, item.title, item.fields.get("source", ""), item.fields.get("paper_ref", ""),
            _ids(row.upstream), _ids(c for c, _ in row.nisc), "; ".join(f"{c}: {r}" for c, r in row.nisc),
            _ids(c for c, _ in row.iso), "; ".join(f"{c}: {r}" for c, r in row.iso),
            _ids(c for c, _ in row.iso22), "; ".join(f"{c}: {r}" for c, r in row.iso22), _ids(row.revises),
        ))
    return Sheet("要件", "例文・要件と対応規格", columns, tuple(rows))


def counted_for(report: TraceReport, link: LinkRow) -> str:
    """The number of the entry a link counts for in its standard's coverage (the entry itself, or the entry of the
    counted level above it: a NISC 遵守事項 counts for its 項), or a note that it counts for none (a link to an
    entry above the counted level: a section of NISC part 1, which has no 項)."""
    level = report.standards[link.standard].level
    counted = report.model.ancestor(link.entry.id, level)
    return entry_number(counted) if counted is not None else f"（数えない: {LEVEL_LABELS.get(level, level)}より上の階層）"


def links_sheet(report: TraceReport) -> Sheet:
    """One row per 例文 item -> standard entry link, with its reason, relationship and the row's confidence."""
    columns = (Column("規格", width=26), Column("例文ID", "key", 14), Column("例文", "long", 28),
               Column("対応先ID", "key", 16), Column("対応先の番号", "number", 10),
               Column("対応先の名称", "name", 30), Column("関係", width=14), Column("関係（日本語）", width=18),
               Column("理由", "long", 60), Column("カタログ行の確度", width=10),
               Column("対応表で数える項目", width=14))
    rows = tuple(
        (report.standards[link.standard].label, link.item.id, link.item.title, link.entry.id,
         link.entry.fields.get("clause", ""), entry_name(link.entry), link.relationship,
         RELATIONSHIP_LABELS[link.relationship], link.reason, link.entry.fields.get("confidence", ""),
         counted_for(report, link))
        for link in report.links()
    )
    return Sheet("リンク", "例文から規格へのリンク（1 リンク 1 行）", columns, rows)


def soa_sheet(report: TraceReport, standard: str, exclusions: Mapping[str, str], name: str) -> Sheet:
    """One standard's SoA in the layout ISMS auditors use: each entry, applicable or not, the implementing
    例文 items with their reasons or the justification for the exclusion, and a 実施状況 column to fill in."""
    level = LEVEL_LABELS.get(report.standards[standard].level, "項目")
    columns = (Column("ID", "key", 16), Column("番号", "number", 10), Column(f"{level}の名称", "name", 30),
               Column("適用", width=9), Column("状態", width=9), Column("対応の程度", width=10),
               Column("対応する例文", "long", 22), Column("採用の理由（例文ごとの根拠）", "long", 70),
               Column("適用除外の理由", "long", 50), Column("実施状況（各団体が記入）", "input", 14),
               Column("備考（各団体が記入）", "input", 24))
    rows = []
    for row in report.soa(standard, exclusions):
        reasons = "\n".join(
            f"{link.item.id}（{_clause(report, link.entry.id)}、{link.relationship}）: {link.reason}"
            for link in row.links
        )
        degree = "" if row.status != "covered" else ("全部" if row.full else "一部")
        rows.append((row.entry.id, row.entry.fields.get("clause", ""), entry_name(row.entry),
                     "適用除外" if row.status == "excluded" else "適用", SOA_LABELS[row.status], degree,
                     _ids(row.covered_by), reasons, row.justification, "", ""))
    return Sheet(name, f"適用宣言書（{report.standards[standard].label}）", columns, tuple(rows),
                 IMPLEMENTATION_STATES)


#: The sheet of the coverage change between the newest frozen edition and the current sources.
CHANGE_SHEET = "版による対応の変化"


def coverage_change_sheet(comparison: Comparison, labels: Mapping[str, str]) -> Sheet:
    """The coverage change (:func:`trace_model.editions.coverage_changes`) and the catalog change between two
    editions: one row per entry whose covering 例文 items or exclusion changed, then one per entry the new
    catalog removed, renumbered or retitled, with the items linking to it. ``labels``: standard -> label."""
    columns = (Column("規格", width=26), Column("ID", "key", 16), Column("番号", "number", 10),
               Column("名称", "name", 30), Column("区分", width=8), Column("変化", width=18),
               Column(f"改正前（{comparison.old.title}）の対応する例文", "long", 24),
               Column("改正後の対応する例文", "long", 24), Column("改正前の適用除外の理由", "long", 36),
               Column("改正後の適用除外の理由", "long", 36))
    rows: list[tuple[Any, ...]] = [
        (labels.get(c.standard, c.standard), c.entry.id, c.entry.number, c.entry.title, c.group,
         COVERAGE_WORDS[c.kind], _ids(c.old_by), _ids(c.new_by), c.old_justification, c.new_justification)
        for c in comparison.coverage
    ]
    rows += [
        (labels.get(c.standard, c.standard), c.old.id, c.old.number, c.old.title, "",
         f"カタログの{CATALOG_WORDS[c.kind]}" + (f"（→ {c.new.number} {c.new.title}）" if c.new else ""),
         _ids(c.linked_by), "", "", "")
        for c in comparison.catalog
    ]
    new_label = "現在の原稿" if comparison.new.id == CURRENT else comparison.new.title
    return Sheet(CHANGE_SHEET, f"規格との対応の変化（{comparison.old.title} → {new_label}）", columns, tuple(rows))


def provenance_sheet(provenance: Provenance, sheets: Sequence[Sheet]) -> Sheet:
    """What the workbook was built from, what each sheet holds, and what every figure means."""
    rows: list[tuple[Any, ...]] = [
        ("版", provenance.edition), ("版の日付", provenance.edition_date),
        ("作成日時（UTC。SOURCE_DATE_EPOCH、なければソースのコミットの日時）",
         provenance.built.strftime("%Y-%m-%d %H:%M:%S")),
        ("ソースのコミット", provenance.commit), ("作成したもの", provenance.generator),
        *provenance.notes,
    ]
    rows += [(f"シート「{s.name}」", s.title) for s in sheets]
    rows += [(f"定義: {term}", text) for term, text in DEFINITIONS]
    return Sheet("出典・定義", "この表の出典と、数値の定義", (Column("項目", width=28), Column("内容", "long", 100)),
                 tuple(rows))


#: The sheet name of each standard's coverage (and, in brackets, of its SoA).
SHEET_NAMES = {"nisc": "NISC統一基準", "iso": "ISO27001-2013", "iso22": "ISO27001-2022"}


def sheet_name(standard: str) -> str:
    return SHEET_NAMES.get(standard, standard)


def soa_sheet_name(standard: str) -> str:
    """At most 31 characters, as Excel allows."""
    return f"適用宣言書（{sheet_name(standard)}）"[:31]


def workbook_sheets(report: TraceReport, exclusions: Mapping[str, Mapping[str, str]]) -> list[Sheet]:
    """Every sheet of the workbook but the provenance sheet, in order; each CSV is one of them."""
    sheets = [summary_sheet(report, exclusions)]
    sheets += [coverage_sheet(report, report.matrix(key), sheet_name(key), exclusions.get(key))
               for key in report.standards]
    sheets += [requirements_sheet(report), links_sheet(report)]
    sheets += [soa_sheet(report, key, rows, soa_sheet_name(key))
               for key, rows in exclusions.items()]
    return sheets


def export_names(standards: Iterable[str], soa_standards: Iterable[str] = ("iso",)) -> list[str]:
    """The files :func:`export_files` writes, for the configured standards and SoA files."""
    return [*(coverage_csv(key) for key in standards), REQUIREMENTS_CSV, LINKS_CSV,
            *(soa_csv(key) for key in soa_standards), WORKBOOK]


def export_files(report: TraceReport, exclusions: Mapping[str, Mapping[str, str]],
                 provenance: Provenance, comparison: Comparison | None = None) -> dict[str, bytes]:
    """File name -> bytes of every export; ``exclusions`` is standard -> {number: justification} for every
    standard that has a SoA file. Every CSV is a sheet of the workbook. ``comparison``: the newest frozen
    edition against the current sources, whose coverage change is a sheet of the workbook (none: no sheet)."""
    sheets = workbook_sheets(report, exclusions)
    if comparison is not None:
        sheets.append(coverage_change_sheet(comparison, {k: s.label for k, s in report.standards.items()}))
    by_name = {s.name: s for s in sheets}
    edition = f"{provenance.edition}（{provenance.edition_date}）"
    files = {coverage_csv(key): csv_bytes(by_name[sheet_name(key)], edition) for key in report.standards}
    files[REQUIREMENTS_CSV] = csv_bytes(by_name["要件"], edition)
    files[LINKS_CSV] = csv_bytes(by_name["リンク"], edition)
    for key in exclusions:
        files[soa_csv(key)] = csv_bytes(by_name[soa_sheet_name(key)], edition)
    files[WORKBOOK] = xlsx_bytes([*sheets, provenance_sheet(provenance, sheets)], provenance.built)
    return files


# -- writers ----------------------------------------------------------------------------------------------


def csv_columns(sheet: Sheet) -> list[tuple[str, list[int]]]:
    """The CSV's columns: (header, source column indexes). A ``number`` column is joined with the ``name``
    column after it into one heading column (``5.10 記憶媒体``), so no reader turns the number into a
    number or a date; ``input`` columns are left out (they are for the workbook)."""
    out: list[tuple[str, list[int]]] = []
    skip = set()
    for index, column in enumerate(sheet.columns):
        if index in skip or column.kind == "input":
            continue
        after = sheet.columns[index + 1] if index + 1 < len(sheet.columns) else None
        if column.kind == "number" and after is not None and after.kind == "name":
            header = after.header.replace("の名称", "").replace("名称", "") or after.header
            out.append((f"{header}の見出し（{column.header}と名称）", [index, index + 1]))
            skip.add(index + 1)
        else:
            out.append((column.header, [index]))
    return out


def _csv_value(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "ratio" and isinstance(value, float):
        return f"{value:.1%}"
    return neutralise(str(value)) if isinstance(value, str) else str(value)


#: The last column of every CSV: the edition the row belongs to (a CSV has no other place for it).
EDITION_COLUMN = "版"


def csv_bytes(sheet: Sheet, edition: str = "") -> bytes:
    """The sheet as CSV: UTF-8 with BOM and CRLF line ends, as Excel expects for Japanese text; every text
    cell :func:`neutralise`\\d; ratios as percentages with one decimal (``51.4%``). ``edition``: if given,
    a last column :data:`EDITION_COLUMN` holds it on every row (``平成27年3月版（2015-03）``), so that rows of
    two editions' CSVs stacked together still say which edition each is from."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns = csv_columns(sheet)
    writer.writerow([header for header, _ in columns] + ([EDITION_COLUMN] if edition else []))
    for row in sheet.rows:
        cells = []
        for _, indexes in columns:
            parts = [_csv_value(row[i], sheet.columns[i].kind) for i in indexes]
            cells.append(" ".join(p for p in parts if p) if len(parts) > 1 else parts[0])
        writer.writerow(cells + ([neutralise(edition)] if edition else []))
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


#: characters XML 1.0 cannot hold at all (a stray control character in a title)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xlsx_bytes(sheets: Sequence[Sheet], built: datetime,
               title: str = "地方公共団体情報セキュリティポリシーガイドライン 対応表") -> bytes:
    """One workbook, a worksheet per sheet, laid out to be read, filtered and printed without hand work.

    Each worksheet: a bold header row, frozen with the key column; an autofilter; column widths; wrapped long
    text; A4 landscape, fitted to the page width, header row repeated on every printed page, the sheet's title
    and page numbers in the print header and footer. Text is always written as text (printed numbers stay
    ``5.10``), and a cell that would start a formula carries Excel's quote prefix. ``built`` is the time
    written into the document properties; the same sheets and time give the same bytes.
    """
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False,
                                     "strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties({"title": title, "author": "lg-security-guideline",
                         "created": built.replace(tzinfo=None), "comments": "generated by the site build"})
    head = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#E7E6E6",
                            "border": 1})
    plain = book.add_format({"valign": "top"})
    wrap = book.add_format({"valign": "top", "text_wrap": True})
    quoted = book.add_format({"valign": "top", "text_wrap": True, "quote_prefix": True})
    ratio = book.add_format({"valign": "top", "num_format": "0.0%"})
    fill = book.add_format({"valign": "top", "bg_color": "#FFF9DB", "border": 1, "locked": False, "text_wrap": True})
    fill_date = book.add_format({"valign": "top", "bg_color": "#FFF9DB", "border": 1, "locked": False,
                                 "num_format": "yyyy-mm-dd"})
    for sheet in sheets:
        ws = book.add_worksheet(sheet.name)
        for col, column in enumerate(sheet.columns):
            ws.set_column(col, col, column.width, wrap if column.kind in ("long", "input") else plain)
            ws.write_string(0, col, column.header, head)
        for number, row in enumerate(sheet.rows, start=1):
            for col, (column, value) in enumerate(zip(sheet.columns, row, strict=True)):
                if column.kind == "input":
                    date_column = column.choices == ("date",)
                    if value is None or value == "":
                        ws.write_blank(number, col, None, fill_date if date_column else fill)
                    elif date_column and isinstance(value, date):
                        ws.write_datetime(number, col, datetime(value.year, value.month, value.day), fill_date)
                    else:
                        ws.write_string(number, col, _NOT_XML.sub("", str(value)), fill)
                elif value is None or value == "":
                    continue
                elif column.kind == "ratio" and isinstance(value, float):
                    ws.write_number(number, col, value, ratio)
                elif column.kind == "count" and isinstance(value, int):
                    ws.write_number(number, col, value)
                else:
                    text = _NOT_XML.sub("", str(value))
                    formula_like = text.startswith(FORMULA_START)
                    ws.write_string(number, col, text, quoted if formula_like else
                                    (wrap if column.kind == "long" else plain))
        last_row, last_col = max(len(sheet.rows), 1), len(sheet.columns) - 1
        inputs = [c for c, column in enumerate(sheet.columns) if column.kind == "input"]
        if sheet.choices and inputs and sheet.rows and not sheet.columns[inputs[0]].choices:
            ws.data_validation(1, inputs[0], len(sheet.rows), inputs[0], {
                "validate": "list", "source": list(sheet.choices),
                "error_title": "実施状況", "error_message": "一覧から選んでください: " + "、".join(sheet.choices)})
        for col in inputs:
            choices = sheet.columns[col].choices
            if not choices or not sheet.rows:
                continue
            if choices == ("date",):
                ws.data_validation(1, col, len(sheet.rows), col, {
                    "validate": "date", "criteria": ">=", "value": datetime(2000, 1, 1),
                    "error_title": sheet.columns[col].header, "error_message": "日付を 2027-03-31 の形で書いてください。"})
            else:
                ws.data_validation(1, col, len(sheet.rows), col, {
                    "validate": "list", "source": list(choices), "error_title": sheet.columns[col].header,
                    "error_message": "一覧から選んでください: " + "、".join(choices)})
        if sheet.protected:
            ws.protect("", {"autofilter": True, "format_columns": True, "format_rows": True})
        key_columns = 1 if sheet.columns and sheet.columns[0].kind == "key" else 0
        ws.freeze_panes(1, key_columns)
        ws.autofilter(0, 0, last_row, last_col)
        ws.set_paper(9)  # A4
        ws.set_landscape()
        ws.repeat_rows(0)
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.set_header(f"&L&\"-,Bold\"{_header_text(sheet.title)}&R&A")
        ws.set_footer("&C&P / &N")
    book.close()
    return out.getvalue()


def _header_text(text: str) -> str:
    """A print header holds at most 255 characters, and ``&`` starts a control code."""
    return text.replace("&", "&&")[:200]
