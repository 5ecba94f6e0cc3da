"""Accessibility repairs to the HTML that Sphinx, furo and graphviz write (JIS X 8341-3 / WCAG 2.x AA).

* A toctree caption is ``<p class="caption" role="heading">`` without the
  ``aria-level`` a heading role requires (axe: aria-required-attr); it gets level 2.
* A graphviz figure in SVG is an ``<object>`` whose text alternative is only its
  fallback content, which assistive technology does not announce for a loaded
  object (axe: object-alt); it gets ``role="img"`` and ``aria-label`` from the
  figure's ``:alt:``. It is an image, so it is not a tab stop (``tabindex="-1"``): Chromium stops on
  the object and on every link inside its SVG (a trace-chain figure had dozens), with no visible
  focus. The trace chain's links are in the table under its figure.
* A figure is shown at its own size, never scaled down to the column: graphviz draws its labels at
  10–11 pt, and a wide figure scaled to a 736 px column had labels of 5.9–8.6 px (issue #13 asks for
  at least 12 px). Its box (Sphinx's ``div.graphviz``) scrolls sideways instead, so it is a region
  that takes the keyboard focus (``tabindex="0"``, like the view tables' boxes) named 「図: 」 and
  the first sentence of the figure's text alternative; the figure itself stays out of the tab order.

Both are changed in the page context, after the theme has built it, so every
builder-independent part of the site (doctrees, search index) stays as it is.

* The interface labels that furo writes in its templates and Sphinx's HTML writer gives its
  permalinks are English on these Japanese pages (Skip to content, Back to top, On this page,
  the sidebar and colour-theme toggles, Link to this heading …), which WCAG 3.1.2 (JIS X 8341-3)
  does not allow without ``lang="en"``. Each page's HTML, as the theme renders it, gets the
  Japanese of :data:`UI_LABELS` instead; furo's credit line keeps its English inside
  ``lang="en"``. The Japanese wording is this project's own.
* A trace link in a need's box names another item but carried the box's own ID as its tooltip;
  the tooltip is dropped (:func:`own_id_tooltips`).
* In a table written in the sources, the first column heads its row (:func:`row_headers`).
* A link that shows only an ID or a clause number (the matrices' and SoA's cells, ``{need}`` references
  written as ``[[id]]``) is named by that text and its target's title (:func:`name_bare_links`).
"""

from __future__ import annotations

import html
import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from guideline_site.a11y_report import footer_html

__version__ = "1.0.0"

_CAPTION_HEADING = re.compile(r'(<p class="caption[^"]*" role="heading")(?![^>]*aria-level)')
_SVG_OBJECT = re.compile(
    r'<object (data="[^"]*" type="image/svg\+xml" class="[^"]*")>\s*<p class="warning">(.*?)</p>', re.DOTALL
)


def label_svg_object(match: re.Match[str]) -> str:
    alt = html.unescape(re.sub(r"<[^>]+>", "", match.group(2))).strip()
    label = html.escape(alt, quote=True)
    return (f'<object {match.group(1)} role="img" aria-label="{label}" tabindex="-1">\n'
            f'<p class="warning">{match.group(2)}</p>')


_FIGURE_BOX = re.compile(r'<div class="graphviz">(?=\s*<object [^>]*aria-label="([^"]*)")')


def figure_box(match: re.Match[str]) -> str:
    """Sphinx's ``<div class="graphviz">`` around a labelled figure, made a scroll region
    (``figure-scroll``) named by the first sentence of the figure's text alternative."""
    first = html.unescape(match.group(1)).split("。", 1)[0].strip()
    label = html.escape(f"図: {first}", quote=True)
    return f'<div class="graphviz figure-scroll" role="region" tabindex="0" aria-label="{label}">'


def repair(fragment: str) -> str:
    fragment = _CAPTION_HEADING.sub(r'\1 aria-level="2"', fragment)
    fragment = _SVG_OBJECT.sub(label_svg_object, fragment)
    return _FIGURE_BOX.sub(figure_box, fragment)


#: A link whose whole text is an ID (``STD-2-1-1``) or a clause number (``A.15.1.2``, ``4.1.1``), to an
#: anchor; the link text may sit in one ``<em>``/``<span>``. Group 1: the tag's attributes up to ``>``.
_BARE_LINK = re.compile(
    r'(?<!<span class="needs-id">)<a ([^>]*?href="[^"]*#([^"]+)"[^>]*)>'
    r'((?:<(?:em|span)[^>]*>)?)([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+|(?:A\.)?\d+(?:\.\d+)*)((?:</(?:em|span)>)?)</a>')


def name_bare_links(fragment: str, titles: dict[str, str]) -> str:
    """``fragment`` with each link that shows only an ID or a clause number named by that text and its
    target's title (``aria-label="A.15.1.2 供給者との合意におけるセキュリティの取扱い"``), so a screen
    reader's list of links says what each one opens (issue #13). ``titles``: need ID -> title. The visible
    text stays as it is (WCAG 2.5.3: the name starts with it); a link to something that is not a need, a
    link already named, and the ID link in a need's own heading (its heading names it) are left alone."""
    def named(match: re.Match[str]) -> str:
        attributes, target, open_tag, text, close_tag = match.groups()
        title = titles.get(target)
        if not title or title == text or "aria-label=" in attributes:
            return match.group(0)
        # a catalog entry's title starts with its number ("A.5.1.1 情報セキュリティのための方針群")
        name = title if title.startswith(f"{text} ") else f"{text} {title}"
        label = html.escape(name, quote=True)
        return f'<a {attributes} aria-label="{label}">{open_tag}{text}{close_tag}</a>'

    return _BARE_LINK.sub(named, fragment)


def need_titles(app: Sphinx) -> dict[str, str]:
    """need ID -> title, from sphinx-needs' data (read once per build: kept on the environment's
    build-time attributes, not pickled)."""
    cached: dict[str, str] | None = getattr(app.builder, "_guideline_need_titles", None)
    if cached is None:
        cached = {}
        if "sphinx_needs" in app.extensions:  # a site without needs (a municipality's policy) has none
            from sphinx_needs.data import SphinxNeedsData

            cached = {need_id: str(need["title"]) for need_id, need in SphinxNeedsData(app.env).get_needs_view().items()}
        app.builder._guideline_need_titles = cached  # type: ignore[attr-defined]
    return cached


def repair_page(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    for key in ("body", "furo_navigation_tree", "toc"):
        value = context.get(key)
        if isinstance(value, str):
            context[key] = repair(value)
    if isinstance(context.get("body"), str):
        context["body"] = name_bare_links(context["body"], need_titles(app))


#: (pattern, replacement) for each English interface label; a pattern that matches no page of a build
#: means furo or Sphinx changed its markup (tests/test_browser_site.py then finds the English again).
UI_LABELS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p, re.DOTALL), r) for p, r in (
    (r'(<a class="skip-to-content[^"]*"[^>]*>)\s*Skip to content\s*</a>', r"\1本文へ移動</a>"),
    (r"<span>\s*Back to top\s*</span>", "<span>ページの先頭へ戻る</span>"),
    (r'(<span class="toc-title">)\s*On this page\s*</span>', r"\1このページの内容</span>"),
    (r'(<div class="context">\s*<span>)Next(</span>)', r"\1次へ\2"),
    (r'(<div class="context">\s*<span>)Previous(</span>)', r"\1前へ\2"),
    (r'aria-label="Toggle site navigation sidebar"', 'aria-label="サイトのナビゲーションの表示を切り替える"'),
    (r'aria-label="Toggle table of contents sidebar"', 'aria-label="このページの内容の表示を切り替える"'),
    (r'aria-label="Toggle Light / Dark / Auto color theme"', 'aria-label="配色（ライト・ダーク・自動）を切り替える"'),
    (r'aria-label="Toggle navigation of ([^"]*)"', r'aria-label="\1 の下位ページの表示を切り替える"'),
    (r"<title>Contents</title>", "<title>このページの内容</title>"),
    (r"<title>Menu</title>", "<title>メニュー</title>"),
    (r"<title>Expand</title>", "<title>展開する</title>"),
    (r"<title>Light mode</title>", "<title>ライトモード</title>"),
    (r"<title>Dark mode</title>", "<title>ダークモード</title>"),
    (r"<title>Auto light/dark, in light mode</title>", "<title>自動（いまはライトモード）</title>"),
    (r"<title>Auto light/dark, in dark mode</title>", "<title>自動（いまはダークモード）</title>"),
    (r'title="Link to this heading"', 'title="この見出しへのリンク"'),
    (r'title="Link to this term"', 'title="この用語へのリンク"'),
    (r'title="Link to this image"', 'title="この図へのリンク"'),
    (r'title="Link to this table"', 'title="この表へのリンク"'),
    (r'title="Link to this code"', 'title="このコードへのリンク"'),
    (r'title="Link to this definition"', 'title="この定義へのリンク"'),
    (r'title="Link to this equation"', 'title="この式へのリンク"'),
    (r"(Made with\s.*?>Furo</a>)", r'<span lang="en">\1</span>'),
))


def japanese_labels(html_page: str) -> str:
    """``html_page`` with every English interface label of :data:`UI_LABELS` in Japanese."""
    for pattern, replacement in UI_LABELS:
        html_page = pattern.sub(replacement, html_page)
    return html_page


def render_in_japanese(app: Sphinx) -> None:
    """``builder-inited``: pages the HTML builder renders from templates get :func:`japanese_labels`, and
    a footer link to the accessibility page (:func:`guideline_site.a11y_report.footer_html`)."""
    templates = getattr(app.builder, "templates", None)
    if templates is None or getattr(templates.render, "japanese_labels", False):
        return
    render = templates.render

    def japanese_render(template: str, context: dict[str, Any]) -> str:
        page = japanese_labels(render(template, context))
        link = footer_html(context)  # the accessibility page, from every page's footer
        return page.replace('<div class="left-details">', '<div class="left-details">' + link, 1) if link else page

    japanese_render.japanese_labels = True  # type: ignore[attr-defined]
    templates.render = japanese_render


def own_id_tooltips(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``, after sphinx-needs has drawn its links: drop the tooltip (``reftitle``) of a
    link in a need's box that names another item but carries the box's own ID as its tooltip.

    sphinx-needs (9.1) gives each trace link of a need the need's own ID as its title, so hovering
    "4.1.2 約款による外部サービスの利用 (NISC-4-1-2)" in REQ-CLOUD-001's box said "REQ-CLOUD-001". The
    link's text already names its target.
    """
    for table in doctree.findall(nodes.table):
        own = set(table.get("ids", ())) if "need" in table.get("classes", ()) else set()
        if not own:
            continue
        for link in table.findall(nodes.reference):
            target = str(link.get("refid") or link.get("refuri", "").rpartition("#")[2])
            if link.get("reftitle") in own and target not in own:
                del link["reftitle"]


def row_headers(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``: in every table written in the sources (a Markdown table, a ``{table}``), the first
    column heads its row (a ``stub`` column, written as ``<th>``). In each of this site's tables the first
    column names what the row is about (a role, a class of information, a law, a requirement), so a
    screen reader announces it with every cell of the row (WCAG 1.3.1). The view tables and sphinx-needs'
    tables are made later and set their own headers."""
    for table in doctree.findall(nodes.table):
        for group in table.children:
            if isinstance(group, nodes.tgroup) and any(isinstance(c, nodes.thead) for c in group.children):
                colspecs = [c for c in group.children if isinstance(c, nodes.colspec)]
                if len(colspecs) > 1:
                    colspecs[0]["stub"] = 1


def setup(app: Sphinx) -> dict[str, Any]:
    # after the theme (furo computes its navigation tree at the default priority)
    app.connect("html-page-context", repair_page, priority=900)
    app.connect("doctree-resolved", own_id_tooltips, priority=900)
    app.connect("builder-inited", render_in_japanese)
    app.connect("doctree-read", row_headers)
    return {
        "version": __version__,
        "env_version": 9,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
