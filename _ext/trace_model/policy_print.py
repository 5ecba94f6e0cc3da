"""A municipality's 基本方針 or 対策基準 as a printable HTML document, and that document as a tagged PDF.

:func:`print_html` writes one self-contained HTML file (``lang="ja"``, no resource from another host, the
headings and lists a screen reader navigates by): the title, the chapters (章) and sections (節), each article
(条) as its 見出し and paragraphs (項 ``2``, 号 ``(1)``), the note of its trace, the 附則 and the 別表 対応表.
:func:`pdf` lays it out with WeasyPrint on A4 with page numbers as a PDF/UA-1 (tagged) file, so that the
published PDF can be read aloud and searched like the web page.

Pure: WeasyPrint (and the fonts of the machine: IPAGothic, from Debian's fonts-ipafont-gothic), no Sphinx.
"""

from __future__ import annotations

import html
from datetime import datetime

from trace_model.policy import STANDARDS, Article, Block, Policy
from trace_model.policy_docx import trace_note, wareki

#: The print layout: A4, page numbers at the foot, IPA Gothic (installed with the build's Debian packages).
CSS = """
@page { size: A4; margin: 20mm 22mm; @bottom-center { content: "- " counter(page) " -"; font-size: 9pt; } }
html { font-family: "IPAGothic", "IPAexGothic", sans-serif; font-size: 10.5pt; line-height: 1.7; color: #111; }
h1 { font-size: 15pt; text-align: center; margin: 0 0 4mm; }
h2 { font-size: 12.5pt; margin: 8mm 0 2mm; break-after: avoid; }
h3 { font-size: 11pt; margin: 5mm 0 2mm; break-after: avoid; }
h4 { font-size: 10.5pt; font-weight: normal; margin: 3mm 0 0 1em; break-after: avoid; }
p { margin: 0; }
.kou { padding-left: 1em; text-indent: -1em; }
ol.go, ul.sub { list-style: none; margin: 0; padding-left: 1em; }
ol.go > li, ul.sub > li { padding-left: 2.5em; text-indent: -2.5em; }
.trace, .preamble { font-size: 8pt; color: #444; margin: 1mm 0 0 1em; }
.preamble { margin: 0 0 4mm; }
table { border-collapse: collapse; margin: 2mm 0; font-size: 9pt; }
th, td { border: 1px solid #555; padding: 1mm 2mm; vertical-align: top; text-align: left; }
caption { text-align: left; font-weight: bold; }
table.taiou { font-size: 7.5pt; width: 100%; }
table.taiou td:nth-child(1) { white-space: nowrap; }
thead { display: table-header-group; }
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _block(block: Block, lead: str) -> str:
    if block.kind == "text":
        return f'<p class="kou">{_e(lead)}{_e(block.text)}</p>'
    if block.kind in ("items", "list"):
        head = f'<p class="kou">{_e(lead.rstrip("　"))}</p>' if lead else ""
        if block.kind == "items":
            items = "".join(f"<li>({n})　{_e(text)}</li>" for n, text in enumerate(block.items, 1))
            return f'{head}<ol class="go">{items}</ol>'
        return head + '<ul class="sub">' + "".join(f"<li>{_e(text)}</li>" for text in block.items) + "</ul>"
    header, *rows = block.rows
    caption = f"<caption>{_e(block.caption)}</caption>" if block.caption else ""
    head = "".join(f'<th scope="col">{_e(cell)}</th>' for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def article_html(article: Article) -> str:
    """One article as a 規程 prints it: its 見出し in parentheses as a heading (``id``: the 例文's or the addition's
    ID), then ``第N条`` and its first 項, the later 項 and the 号, and the note of its trace."""
    parts = [f'<section class="jo" aria-labelledby="{_e(article.id)}">',
             f'<h4 id="{_e(article.id)}">（{_e(article.title)}）</h4>']
    for paragraph in article.paragraphs:
        lead = f"{article.label}　" if paragraph.number == 1 else f"{paragraph.number}　"
        for block in paragraph.blocks:
            parts.append(_block(block, lead))
            lead = ""
    parts.append(f'<p class="trace">{_e(trace_note(article))}</p></section>')
    return "".join(parts)


def print_html(policy: Policy, document_key: str) -> str:
    """The HTML file of one document of ``policy`` (基本方針 or 対策基準; see the module). Raises ``KeyError``
    for another key."""
    source = {d.key: d for d in policy.documents}[document_key]
    body = [f"<h1>{_e(source.title)}</h1>",
            f'<p class="preamble">この{document_key}は、「地方公共団体における情報セキュリティポリシーに関する'
            f"ガイドライン」（{_e(policy.edition.title)}）の例文に基づく。各条の後の【対応】は、その条が基づく例文と、"
            "例文が根拠とする NISC 統一基準の項目及び ISO/IEC 27001 附属書A の管理策を示す（別表に名称とともに掲げる）。</p>"]
    for chapter in source.chapters:
        if chapter.title:
            body.append(f"<h2>第{chapter.number}章　{_e(chapter.title)}</h2>")
        for section in chapter.sections:
            if section.title:
                body.append(f"<h3>第{section.number}節　{_e(section.title)}</h3>")
            body += [article_html(a) for a in section.articles]
    body.append(f"<h2>附　則</h2><p>この{document_key}は、{wareki(policy.profile.effective)}から施行する。</p>")
    body.append('<h2>別表　対応表</h2><table class="taiou"><thead><tr><th scope="col">条</th>'
                '<th scope="col">見出し</th><th scope="col">基づく例文</th>'
                + "".join(f'<th scope="col">{_e(label)}</th>' for _, _, label in STANDARDS) + "</tr></thead><tbody>")
    for article in source.articles():
        cells = [_e(article.label), _e(article.title), _e(article.source or "（団体が加えた規定）")]
        for key, _, _ in STANDARDS:
            entries = dict.fromkeys(f"{t.number} {t.title}" for t in article.trace if t.standard == key)
            cells.append("<br>".join(_e(e) for e in entries) or "—")
        body.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    body.append("</tbody></table>")
    return (f'<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8"><title>{_e(source.title)}</title>'
            f'<meta name="author" content="{_e(policy.profile.name)}"><style>{CSS}</style></head>'
            f'<body><main>{"".join(body)}</main></body></html>\n')


def pdf(document_html: str, *, built: datetime) -> bytes:
    """``document_html`` as an A4 PDF/UA-1 (tagged) file with page numbers. ``built``: the build time, written
    as the PDF's creation and modification date, so that the same document gives the same bytes."""
    import weasyprint

    stamp = built.strftime("%Y-%m-%dT%H:%M:%SZ")
    with_dates = document_html.replace(
        "<style>", f'<meta name="dcterms.created" content="{stamp}"><meta name="dcterms.modified" '
        f'content="{stamp}"><style>', 1)
    return weasyprint.HTML(string=with_dates).write_pdf(pdf_variant="pdf/ua-1")  # type: ignore[no-any-return]
