"""Exports for reviewers: CSV per view (UTF-8 with BOM, for Excel) and one XLSX workbook, as bytes.

:mod:`guideline_trace.exports` writes them into ``<outdir>/exports/`` when an HTML build finishes, from the same
:class:`~trace_model.report.TraceReport` the pages show. The bytes depend only on the
sources: rows are sorted, and the workbook's timestamps (document properties and
zip entries) come from ``SOURCE_DATE_EPOCH`` or a fixed date.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from trace_model.report import (
    LEVEL_LABELS,
    REQUIREMENTS_CSV,
    SOA_LABELS,
    WORKBOOK,
    Matrix,
    TraceReport,
    coverage_csv,
    entry_name,
    soa_csv,
)

#: The fixed time stamp of exports when SOURCE_DATE_EPOCH is not set (the discussion paper's date).
DEFAULT_EPOCH = int(datetime(2014, 10, 6, tzinfo=UTC).timestamp())

Table = tuple[list[str], list[list[Any]]]


def export_names(standards: Iterable[str], soa_standards: Iterable[str] = ("iso",)) -> list[str]:
    """The files :func:`export_files` writes, for the configured standards and SoA files."""
    return [*(coverage_csv(key) for key in standards), REQUIREMENTS_CSV,
            *(soa_csv(key) for key in soa_standards), WORKBOOK]


def build_epoch() -> int:
    """``SOURCE_DATE_EPOCH`` if set (reproducible builds), else a fixed date."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value.isdigit() else DEFAULT_EPOCH


def coverage_table(matrix: Matrix) -> Table:
    headers = ["番号", "名称", "分類", "状態", "対応例文数", "対応例文"] + [
        f"{c.label} {c.title}" for c in matrix.columns
    ]
    rows = []
    for row in matrix.rows:
        rows.append(
            [row.item.fields.get("clause", ""), entry_name(row.item), row.group.title if row.group else "", "対応" if row.covered else "未対応",
             len(row.covered_by), " ".join(row.covered_by)]
            + [" ".join(row.cells.get(c.key, ())) for c in matrix.columns]
        )
    return headers, rows


def summary_table(report: TraceReport) -> Table:
    headers = ["規格", "分類", "対応", "総数", "対応率"]
    rows: list[list[Any]] = []
    for key, spec in report.standards.items():
        matrix = report.matrix(key)
        rows.append([spec.label, "全体", matrix.covered, matrix.total, round(matrix.percent / 100, 4)])
        for group in matrix.groups:
            rows.append([spec.label, group.item.title, group.covered, group.total, round(group.percent / 100, 4)])
    return headers, rows


def requirements_table(report: TraceReport) -> Table:
    headers = ["ID", "種類", "要件", "出所", "論点資料での位置", "テーマ・観点・実現する論点", "NISC統一基準",
               "NISC項目の理由", "ISO/IEC 27001:2013", "ISO管理策の理由", "改定の対象"]
    rows = []
    for row in report.requirement_rows():
        item = row.item
        rows.append([
            item.id, item.type, item.title, item.fields.get("source", ""), item.fields.get("paper_ref", ""),
            " ".join(row.upstream), " ".join(c for c, _ in row.nisc),
            "; ".join(f"{c}: {r}" for c, r in row.nisc), " ".join(c for c, _ in row.iso),
            "; ".join(f"{c}: {r}" for c, r in row.iso), " ".join(row.revises),
        ])
    return headers, rows


def soa_table(report: TraceReport, exclusions: Mapping[str, str], standard: str = "iso") -> Table:
    """One standard's SoA: number, name, status, covering 例文 items, justification of an exclusion."""
    level = LEVEL_LABELS.get(report.standards[standard].level, "項目")
    headers = ["番号", level, "状態", "対応する例文", "適用除外の理由"]
    rows = [
        [r.entry.fields.get("clause", ""), entry_name(r.entry), SOA_LABELS[r.status],
         " ".join(r.covered_by), r.justification]
        for r in report.soa(standard, exclusions)
    ]
    return headers, rows


def csv_bytes(table: Table) -> bytes:
    """UTF-8 with BOM and CRLF line ends, as Excel expects for Japanese text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    headers, rows = table
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else (f"{v:.1%}" if isinstance(v, float) else v) for v in row])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def xlsx_bytes(sheets: Sequence[tuple[str, Table]], epoch: int) -> bytes:
    """One workbook (Office Open XML), a sheet per table; the same tables and epoch give the same bytes.

    Written directly rather than through a spreadsheet library: the workbook is
    rewritten on every build that changes a need, and openpyxl spent most of an
    incremental build's export time on it (bench/PROFILE.md). Each sheet has a bold
    header row frozen at the top; strings are inline, a ``対応率`` column is a percentage.
    """
    stamp = datetime.fromtimestamp(epoch, tz=UTC)
    date_time = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    iso_stamp = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    parts: dict[str, str] = {
        "[Content_Types].xml": _content_types(len(sheets)),
        "_rels/.rels": _RELS,
        "docProps/core.xml": _CORE.format(stamp=iso_stamp),
        "docProps/app.xml": _APP,
        "xl/workbook.xml": _workbook(title for title, _ in sheets),
        "xl/_rels/workbook.xml.rels": _workbook_rels(len(sheets)),
        "xl/styles.xml": _STYLES,
    }
    for number, (_, table) in enumerate(sheets, start=1):
        parts[f"xl/worksheets/sheet{number}.xml"] = _sheet(table)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, text.encode("utf-8"))
    return out.getvalue()


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_RELS = (
    f'{_XML}<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
    'core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)
_CORE = (
    f'{_XML}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:creator>lg-security-guideline</dc:creator><cp:lastModifiedBy>lg-security-guideline</cp:lastModifiedBy>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
    "</cp:coreProperties>"
)
_APP = (
    f'{_XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>lg-security-guideline</Application></Properties>"
)
# cell formats: 0 default, 1 bold (header), 2 percentage with one decimal
_STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="0.0%"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def _content_types(count: int) -> str:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{_SHEET_TYPE}"/>' for n in range(1, count + 1)
    )
    return (
        f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{sheets}"
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
        "</Types>"
    )


def _workbook(titles: Iterable[str]) -> str:
    sheets = "".join(
        f'<sheet name="{_xml_text(title)}" sheetId="{n}" r:id="rId{n}"/>' for n, title in enumerate(titles, start=1)
    )
    return f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>{sheets}</sheets></workbook>'


def _workbook_rels(count: int) -> str:
    rels = "".join(
        f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, count + 1)
    )
    styles = f'<Relationship Id="rId{count + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
    return f'{_XML}<Relationships xmlns="{_PKG_REL}">{rels}{styles}</Relationships>'


def _sheet(table: Table) -> str:
    headers, rows = table
    letters = [_column_letter(n) for n in range(len(headers))]
    percent = {n for n, header in enumerate(headers) if header == "対応率"}
    out = [
        f'{_XML}<worksheet xmlns="{_MAIN}"><sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews><sheetData>',
        '<row r="1">',
        *(_cell(f"{letters[n]}1", header, 1) for n, header in enumerate(headers)),
        "</row>",
    ]
    for number, row in enumerate(rows, start=2):
        out.append(f'<row r="{number}">')
        out.extend(
            _cell(f"{letters[n]}{number}", value, 2 if n in percent else 0) for n, value in enumerate(row)
        )
        out.append("</row>")
    out.append("</sheetData></worksheet>")
    return "".join(out)


def _cell(ref: str, value: Any, style: int) -> str:
    styled = f' s="{style}"' if style else ""
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        text = _xml_text(str(value))
        space = ' xml:space="preserve"' if text != text.strip() else ""
        return f'<c r="{ref}"{styled} t="inlineStr"><is><t{space}>{text}</t></is></c>'
    return f'<c r="{ref}"{styled}><v>{value!r}</v></c>'


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


#: characters XML 1.0 cannot hold at all (a stray control character in a title)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def export_files(report: TraceReport, exclusions: Mapping[str, Mapping[str, str]], epoch: int) -> dict[str, bytes]:
    """File name -> bytes of every export; ``exclusions`` is standard -> {number: justification}
    for every standard that has a SoA file."""
    tables: dict[str, Table] = {}
    sheets: list[tuple[str, Table]] = [("概要", summary_table(report))]
    sheet_names = {"nisc": "NISC統一基準", "iso": "ISO27001-2013", "iso22": "ISO27001-2022"}
    for key in report.standards:
        table = coverage_table(report.matrix(key))
        tables[coverage_csv(key)] = table
        sheets.append((sheet_names.get(key, key), table))
    tables[REQUIREMENTS_CSV] = requirements_table(report)
    sheets.append(("要件", tables[REQUIREMENTS_CSV]))
    for key, rows in exclusions.items():
        tables[soa_csv(key)] = soa_table(report, rows, key)
        sheets.append(("適用宣言書" if key == "iso" else f"適用宣言書（{sheet_names.get(key, key)}）", tables[soa_csv(key)]))
    files = {name: csv_bytes(table) for name, table in tables.items()}
    files[WORKBOOK] = xlsx_bytes(sheets, epoch)
    return files
