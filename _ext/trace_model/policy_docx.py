"""A municipality's 基本方針 or 対策基準 as a Word document (python-docx), laid out as a 横書き 規程.

A4 portrait. The title, then per chapter (章) and section (節) a heading, per article (条) its 見出し in
parentheses, then ``第1条　…`` with its first paragraph (項); the second and later 項 numbered ``2　…``, the 号
``(1)　…`` under them, the 例文's own sub-items (（ア）…) and tables as they are. Under each article a note in
its own paragraph style 「対応注記」 (small, grey; delete it with Word's style selection if the adopted text is
to carry none): the 例文 it comes from and that 例文's NISC and ISO/IEC 27001 entries. Then the 附則 (施行日) and
the 別表 対応表 (every article with its entries and titles). Page numbers in the footer; the same policy gives
the same bytes (dates are the build time, ``SOURCE_DATE_EPOCH``).

Pure: python-docx, no Sphinx.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from datetime import datetime

from docx import Document as new_document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt, RGBColor

from trace_model.policy import STANDARDS, Article, Document, Policy, trace_numbers
from trace_model.shinkyu_docx import _deterministic, _page_number_footer, _repeat_header, _set_east_asian_font

#: The style of the note under each article (its trace); a municipality can remove every such note at once.
TRACE_STYLE = "対応注記"


def wareki(date: dt.date) -> str:
    """``date`` as the Japanese era date a 規程's 附則 writes (2026-04-01 -> 令和8年4月1日; 1 -> 元年). Covers 平成
    (from 1989-01-08) and 令和 (from 2019-05-01); raises ``ValueError`` for an earlier date."""
    for era, start in (("令和", dt.date(2019, 5, 1)), ("平成", dt.date(1989, 1, 8))):
        if date >= start:
            year = date.year - start.year + 1
            return f"{era}{'元' if year == 1 else year}年{date.month}月{date.day}日"
    raise ValueError(f"{date} is before 平成")


def _paragraph(document: DocxDocument, text: str, indent_mm: float = 0, hanging_mm: float = 0) -> None:
    paragraph = document.add_paragraph(text)
    paragraph.paragraph_format.left_indent = Mm(indent_mm + hanging_mm)
    paragraph.paragraph_format.first_line_indent = Mm(-hanging_mm)


def _article(document: DocxDocument, article: Article) -> None:
    heading = document.add_paragraph(f"（{article.title}）")
    heading.paragraph_format.left_indent = Mm(3.5)
    heading.paragraph_format.keep_with_next = True
    for paragraph in article.paragraphs:
        lead = f"{article.label}　" if paragraph.number == 1 else f"{paragraph.number}　"
        first = True
        for block in paragraph.blocks:
            if block.kind == "text":
                _paragraph(document, (lead if first else "") + block.text, hanging_mm=3.5 if first else 0)
                first = False
            elif block.kind in ("items", "list"):
                if first:
                    _paragraph(document, lead.rstrip("　"), hanging_mm=3.5)
                    first = False
                for n, text in enumerate(block.items, 1):
                    label = f"({n})　" if block.kind == "items" else ""
                    _paragraph(document, label + text, indent_mm=3.5 if block.kind == "items" else 7, hanging_mm=7)
            else:
                if block.caption:
                    document.add_paragraph(block.caption).runs[0].bold = True
                table = document.add_table(rows=0, cols=len(block.rows[0]))
                table.style = "Table Grid"
                for row in block.rows:
                    for cell, text in zip(table.add_row().cells, row, strict=False):
                        cell.text = text
                _repeat_header(table)
                for cell in table.rows[0].cells:
                    for run in cell.paragraphs[0].runs:
                        run.bold = True
    note = trace_note(article)
    document.add_paragraph(note, style=TRACE_STYLE)


def trace_note(article: Article) -> str:
    """The note under an article: 「【対応】例文 STD-2-1-1 ／ NISC 2.1.1(1) ／ ISO/IEC 27001:2013 A.6.1.1 ／ …」, or
    for the municipality's own article 「【対応】本団体が加えた規定（例文なし）」."""
    if article.origin == "追加":
        return "【対応】団体が加えた規定（基づく例文なし）"
    parts = [f"例文 {article.source}" + ("（改めて採用）" if article.origin == "改めた例文" else "")]
    parts += [f"{short} {numbers}" for short, numbers in trace_numbers(article)]
    return "【対応】" + "／".join(parts)


def policy_docx(policy: Policy, document_key: str, *, built: datetime) -> bytes:
    """The DOCX file of one document of ``policy`` (``document_key``: 基本方針 or 対策基準); see the module.
    ``built``: the build time (the document's created and modified dates). Raises ``KeyError`` for another key."""
    source: Document = {d.key: d for d in policy.documents}[document_key]
    profile = policy.profile
    document = new_document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin = section.bottom_margin = Mm(20)
    _set_east_asian_font(document, "ＭＳ 明朝")
    document.styles["Normal"].font.size = Pt(10.5)
    note_style = document.styles.add_style(TRACE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    note_style.base_style = document.styles["Normal"]
    note_style.font.size = Pt(8)
    note_style.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    note_style.paragraph_format.left_indent = Mm(3.5)
    _page_number_footer(document)

    title = document.add_paragraph(source.title)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.runs[0].bold = True
    title.runs[0].font.size = Pt(14)
    document.add_paragraph(
        f"この{document_key}は、「地方公共団体における情報セキュリティポリシーに関するガイドライン」"
        f"（{policy.edition.title}）の例文に基づく。各条の後の【対応】は、その条が基づく例文と、例文が根拠とする"
        "NISC 統一基準の項目及び ISO/IEC 27001 附属書A の管理策を示す（別表に名称とともに掲げる）。",
        style=TRACE_STYLE)
    for chapter in source.chapters:
        if chapter.title:
            document.add_heading(f"第{chapter.number}章　{chapter.title}", level=1)
        for part in chapter.sections:
            if part.title:
                document.add_heading(f"第{part.number}節　{part.title}", level=2)
            for article in part.articles:
                _article(document, article)
    document.add_heading("附　則", level=1)
    document.add_paragraph(f"この{document_key}は、{wareki(profile.effective)}から施行する。")

    document.add_heading("別表　対応表", level=1)
    headers = ("条", "見出し", "基づく例文", *[label for _, _, label in STANDARDS])
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell.paragraphs[0].add_run(header).bold = True
    _repeat_header(table)
    for article in source.articles():
        cells = table.add_row().cells
        by_standard: dict[str, list[str]] = {}
        for entry in article.trace:
            by_standard.setdefault(entry.standard, []).append(f"{entry.number} {entry.title}")
        values = [article.label, article.title, article.source or "（団体が加えた規定）",
                  *["\n".join(dict.fromkeys(by_standard.get(key, []))) or "—" for key, _, _ in STANDARDS]]
        for cell, value in zip(cells, values, strict=True):
            cell.text = value

    properties = document.core_properties
    properties.title = source.title
    properties.author = properties.last_modified_by = profile.name
    properties.created = properties.modified = built.replace(tzinfo=None)
    properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    return _deterministic(buffer.getvalue(), built)


def docx_files(policy: Policy, *, built: datetime) -> Mapping[str, bytes]:
    """``{"policy.docx": …, "standards.docx": …}``: the 基本方針 and the 対策基準."""
    return {"policy.docx": policy_docx(policy, "基本方針", built=built),
            "standards.docx": policy_docx(policy, "対策基準", built=built)}
