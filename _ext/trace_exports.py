"""Exports for reviewers: CSV per view (UTF-8 with BOM, for Excel) and one XLSX workbook.

Written into ``<outdir>/exports/`` when an HTML build finishes, from the same
:class:`~trace_report.TraceReport` the pages show. The bytes depend only on the
sources: rows are sorted, and the workbook's timestamps (document properties and
zip entries) come from ``SOURCE_DATE_EPOCH`` or a fixed date.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from trace_report import (
    EXPORT_DIR,
    REQUIREMENTS_CSV,
    SOA_CSV,
    SOA_LABELS,
    WORKBOOK,
    Matrix,
    TraceReport,
    coverage_csv,
    entry_name,
)

__version__ = "1.0.0"

#: The fixed time stamp of exports when SOURCE_DATE_EPOCH is not set (the discussion paper's date).
DEFAULT_EPOCH = int(datetime(2014, 10, 6, tzinfo=timezone.utc).timestamp())

Table = tuple[list[str], list[list[Any]]]


def export_names(standards: Iterable[str]) -> list[str]:
    """The files :func:`export_files` writes, for the configured standards."""
    return [*(coverage_csv(key) for key in standards), REQUIREMENTS_CSV, SOA_CSV, WORKBOOK]


def build_epoch() -> int:
    """``SOURCE_DATE_EPOCH`` if set (reproducible builds), else a fixed date."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value.isdigit() else DEFAULT_EPOCH


def coverage_table(matrix: Matrix) -> Table:
    headers = ["番号", "名称", "分類", "状態", "対応要件数", "対応要件"] + [
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
    headers = ["ID", "種類", "要件", "出所", "論点資料での位置", "テーマ・観点", "NISC統一基準", "ISO/IEC 27001:2013",
               "ISO管理策の理由", "改定の対象"]
    rows = []
    for row in report.requirement_rows():
        item = row.item
        rows.append([
            item.id, item.type, item.title, item.fields.get("source", ""), item.fields.get("paper_ref", ""),
            " ".join(row.upstream), " ".join(row.nisc), " ".join(c for c, _ in row.iso),
            "; ".join(f"{c}: {r}" for c, r in row.iso), " ".join(row.revises),
        ])
    return headers, rows


def soa_table(report: TraceReport, exclusions: dict[str, str]) -> Table:
    headers = ["番号", "管理策", "状態", "対応する要件", "適用除外の理由"]
    rows = [
        [r.entry.fields.get("clause", ""), entry_name(r.entry), SOA_LABELS[r.status],
         " ".join(r.covered_by), r.justification]
        for r in report.soa("iso", exclusions)
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
    """One workbook, a sheet per table; deterministic for the same tables and epoch."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    stamp = datetime.fromtimestamp(epoch, tz=timezone.utc).replace(tzinfo=None)
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = "lg-security-guideline"
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    workbook.properties.lastModifiedBy = "lg-security-guideline"
    for title, (headers, rows) in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        for index, header in enumerate(headers, start=1):
            if header == "対応率":
                for cell in sheet[get_column_letter(index)][1:]:
                    cell.number_format = "0.0%"
        sheet.freeze_panes = "A2"
    raw = io.BytesIO()
    workbook.save(raw)
    return _normalise_zip(raw.getvalue(), stamp)


def _normalise_zip(data: bytes, stamp: datetime) -> bytes:
    """Rewrite the zip with one fixed time stamp on every entry, in the original order."""
    date_time = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    # openpyxl stamps the save time into docProps/core.xml whatever the properties say
    modified = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>" + modified + rb"\g<2>", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=date_time)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, content)
    return out.getvalue()


def export_files(report: TraceReport, exclusions: dict[str, str], epoch: int) -> dict[str, bytes]:
    """File name -> bytes of every export."""
    tables: dict[str, Table] = {}
    sheets: list[tuple[str, Table]] = [("概要", summary_table(report))]
    sheet_names = {"nisc": "NISC統一基準", "iso": "ISO27001-2013", "iso22": "ISO27001-2022"}
    for key in report.standards:
        table = coverage_table(report.matrix(key))
        tables[coverage_csv(key)] = table
        sheets.append((sheet_names.get(key, key), table))
    tables[REQUIREMENTS_CSV] = requirements_table(report)
    tables[SOA_CSV] = soa_table(report, exclusions)
    sheets += [("要件", tables[REQUIREMENTS_CSV]), ("適用宣言書", tables[SOA_CSV])]
    files = {name: csv_bytes(table) for name, table in tables.items()}
    files[WORKBOOK] = xlsx_bytes(sheets, epoch)
    return files


def write_exports(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    from trace_matrix import current_report, soa_exclusions, sources_changed

    target = Path(app.outdir, EXPORT_DIR)
    names = export_names(app.config.trace_standards)
    if not sources_changed(app) and all((target / name).exists() for name in names):
        return  # nothing was read or removed: the exports on disk are current
    target.mkdir(parents=True, exist_ok=True)
    for name, data in export_files(current_report(app), soa_exclusions(app), build_epoch()).items():
        path = target / name
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("trace_matrix")
    app.connect("build-finished", write_exports)
    return {
        "version": __version__,
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
