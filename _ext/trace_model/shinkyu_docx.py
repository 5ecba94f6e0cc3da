"""The 新旧対照表 as a Word document (python-docx), for municipalities who mark up their own policies in Word.

Laid out as the ministry lays out a 新旧対照表: A4 landscape, per chapter a table 項目 | 改正後 | 改正前 whose
header row repeats on every page, the changed passages underlined in both columns, 「（新設）」 and 「（削除）」
where an item has no counterpart; then the 旧番号→新番号 table, the coverage change per standard and the
catalog change. Page numbers in the footer. The same comparison gives the same bytes (the document's dates
and the ZIP entries' times are the build time, ``SOURCE_DATE_EPOCH``).

Pure: python-docx, no Sphinx.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from datetime import datetime

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell

from trace_model.edition_views import (
    ADDED_MARK,
    DELETED_MARK,
    change_notes,
    column_label,
    comparison_summary,
    covering_text,
    edition_label,
)
from trace_model.editions import CATALOG_WORDS, CHANGE_WORDS, COVERAGE_WORDS, Comparison, Segment

#: The body font for Japanese text (East Asian font of the Normal style); Word substitutes where missing.
JAPANESE_FONT = "ＭＳ 明朝"
#: Column widths of the 新旧対照表 in millimetres: 項目, 改正後, 改正前 (A4 landscape, 15 mm margins: 267 mm).
COLUMNS_MM = (41, 113, 113)


def _set_east_asian_font(document: DocxDocument, name: str) -> None:
    style = document.styles["Normal"]
    style.font.size = Pt(9)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def _repeat_header(table: Table) -> None:
    """Mark the table's first row as a header row that Word repeats at the top of every page."""
    properties = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _page_number_footer(document: DocxDocument) -> None:
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = 1  # centred
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    paragraph._p.append(field)


def _write_segments(cell: _Cell, segments: Sequence[Segment]) -> None:
    """The text in ``cell``, a paragraph per line, changed passages underlined."""
    paragraph = cell.paragraphs[0]
    for segment in segments:
        for index, line in enumerate(segment.text.split("\n")):
            if index:
                paragraph = cell.add_paragraph()
            if line:
                run = paragraph.add_run(line)
                run.font.underline = segment.changed


def _table(document: DocxDocument, headers: Sequence[str], widths_mm: Sequence[int]) -> Table:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, header, width in zip(table.rows[0].cells, headers, widths_mm, strict=True):
        cell.width = Mm(width)
        cell.paragraphs[0].add_run(header).bold = True
    _repeat_header(table)
    return table


def _row(table: Table, values: Sequence[str | Sequence[Segment]], widths_mm: Sequence[int]) -> None:
    cells = table.add_row().cells
    for cell, value, width in zip(cells, values, widths_mm, strict=True):
        cell.width = Mm(width)
        _write_segments(cell, (Segment(value),) if isinstance(value, str) else value)


def _deterministic(data: bytes, built: datetime) -> bytes:
    """The same package with every ZIP entry dated ``built`` (python-docx stamps the time of saving)."""
    stamp = max(built.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)  # type: ignore[arg-type]
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def comparison_docx(comparison: Comparison, labels: Mapping[str, str], *, built: datetime) -> bytes:
    """The DOCX file of ``comparison`` (see the module). ``labels``: standard key -> label; ``built``: the
    build time (the document's created and modified dates)."""
    old, new = comparison.old, comparison.new
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(15))
    _set_east_asian_font(document, JAPANESE_FONT)
    _page_number_footer(document)
    title = f"新旧対照表（{edition_label(new)} / {edition_label(old)}）"
    document.add_heading(title, level=1)
    document.add_paragraph(comparison_summary(comparison)
                           + "改正後・改正前の欄の下線は、改正された部分を示します。")

    headers = ("項目", f"改正後（{column_label(new)}）", f"改正前（{column_label(old)}）")
    for chapter in comparison.chapters:
        if not chapter.rows:
            continue
        document.add_heading(chapter.title, level=2)
        table = _table(document, headers, COLUMNS_MM)
        for row in chapter.rows:
            label = row.id if row.old is None or row.new is None or row.old.id == row.new.id \
                else f"{row.new.id}（旧 {row.old.id}）"
            _row(table, ["\n".join([label, *change_notes(row)]),
                         row.new_text if row.new is not None else DELETED_MARK,
                         row.old_text if row.old is not None else ADDED_MARK], COLUMNS_MM)
        if chapter.unchanged:
            document.add_paragraph(f"この章の変更のない項目 {chapter.unchanged} 件は省略しています。")

    if comparison.renumbering:
        document.add_heading("旧番号→新番号", level=2)
        table = _table(document, ("改正前の番号", "改正後の番号", "変更"), (89, 89, 89))
        for was, now in comparison.renumbering:
            kind = "added" if was is None else "deleted" if now is None else "renumbered"
            _row(table, [was or "—", now or "—", CHANGE_WORDS[kind]], (89, 89, 89))
    if comparison.coverage:
        document.add_heading("規格との対応の変化", level=2)
        coverage_widths = (24, 70, 18, 35, 60, 60)
        for standard, label in labels.items():
            changes = [c for c in comparison.coverage if c.standard == standard]
            if not changes:
                continue
            document.add_paragraph(label)
            table = _table(document, ("項目", "名称", "区分", "変化", "改正前の対応", "改正後の対応"), coverage_widths)
            for change in changes:
                _row(table, [change.entry.number, change.entry.title, change.group, COVERAGE_WORDS[change.kind],
                             covering_text(change.old_by, change.old_justification),
                             covering_text(change.new_by, change.new_justification)], coverage_widths)
    if comparison.catalog:
        document.add_heading("規格の版の変更で対応付けを見直す項目", level=2)
        catalog_widths = (70, 50, 27, 70, 50)
        table = _table(document, ("改正前の項目", "規格", "変化", "改正後の項目", "この項目への対応付け"), catalog_widths)
        for moved in comparison.catalog:
            _row(table, [f"{moved.old.number} {moved.old.title}", labels.get(moved.standard, moved.standard),
                         CATALOG_WORDS[moved.kind], f"{moved.new.number} {moved.new.title}" if moved.new else "—",
                         "、".join(moved.linked_by) or "—"], catalog_widths)

    properties = document.core_properties
    properties.title = title
    properties.author = properties.last_modified_by = ""
    properties.created = properties.modified = built.replace(tzinfo=None)
    properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    return _deterministic(buffer.getvalue(), built)
