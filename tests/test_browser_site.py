"""The published site in Chromium: offline, accessible (axe-core, WCAG 2.x A/AA), printable on A4."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from a11y_record import RECORD
from conftest import PAGE_TIMEOUT_MS, open_page

pytestmark = [pytest.mark.site, pytest.mark.browser]

#: One page of every type a reader meets.
PAGE_TYPES = {
    "top page": "index.html",
    "general provisions (総則)": "source/general.html",
    "basic policy (基本方針)": "source/policy.html",
    "standards chapter (対策基準)": "source/standards/03-assets.html",
    "standards chapter with tables": "source/standards/08-external-services.html",
    "theme chapter": "source/themes/01-cloud.html",
    "requirement": "source/themes/05-byod.html#REQ-BYOD-003",
    "viewpoint chapter": "source/viewpoints/vp8-targeted-attacks.html",
    "catalog (ISO 2013)": "traceability/iso2013.html",
    "catalog (NISC)": "traceability/nisc.html",
    "catalog (ISO 2022)": "traceability/iso2022.html",
    "NISC coverage": "traceability/nisc-coverage.html",
    "ISO 2013 coverage": "traceability/iso2013-coverage.html",
    "ISO 2022 coverage": "traceability/iso2022-coverage.html",
    "statement of applicability": "traceability/soa.html",
    "statement of applicability (NISC)": "traceability/soa-nisc.html",
    "requirement list": "traceability/requirements.html",
    "trace chains": "traceability/chains.html",
    "search results": "search.html?q=%E5%A4%96%E9%83%A8%E5%A7%94%E8%A8%97",
    "glossary": "source/glossary.html",
    "revision history and 新旧対照表": "source/history.html",
    "accessibility policy and test results": "source/accessibility.html",
    "page for municipalities": "source/municipalities.html",
    # the example town's own policy site (make policy), published inside the guideline's
    "municipal policy: top page": "municipal/example-town/index.html",
    "municipal policy: 対策基準 chapter": "municipal/example-town/standards/03.html",
    "municipal policy: 例文との相違": "municipal/example-town/differences.html",
    "municipal policy: SoA": "municipal/example-town/soa.html",
    "municipal policy: 自己点検の結果": "municipal/example-town/self-assessment-report.html",
    "municipal policy: search results": "municipal/example-town/search.html?q=%E3%83%90%E3%83%83%E3%82%AF%E3%82%A2%E3%83%83%E3%83%97",
}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
AXE = files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


COLOUR_SCHEMES = ["light", "dark"]
# the site's 試験結果 page is rewritten only after axe-core checked every page type in both schemes
RECORD.expected_axe_checks = len(PAGE_TYPES) * len(COLOUR_SCHEMES)


def axe_run(page: object) -> dict[str, Any]:
    """axe-core's result object for ``page`` (its WCAG 2.x A/AA rules; every result type, so that the
    試験結果 can say which rules passed)."""
    page.evaluate(AXE)  # type: ignore[attr-defined]  # axe-core from the installed package, not the network
    return page.evaluate(  # type: ignore[attr-defined,no-any-return]
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)


def violations(result: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
    return [(v["id"], v["help"], [str(n["target"]) for n in v["nodes"][:3]]) for v in result["violations"]]


@pytest.mark.parametrize("scheme", COLOUR_SCHEMES)
@pytest.mark.parametrize("kind", list(PAGE_TYPES))
def test_no_wcag_a_or_aa_violation(browser, served_site: str, kind: str, scheme: str) -> None:
    context = browser.new_context(color_scheme=scheme, locale="ja-JP")
    page = context.new_page()
    open_page(page, f"{served_site}/{PAGE_TYPES[kind]}")
    assert page.evaluate("document.documentElement.lang") == "ja"
    result = axe_run(page)
    RECORD.environment["axe"] = str(page.evaluate("axe.version"))
    RECORD.add_axe(PAGE_TYPES[kind], page.title(), result)
    context.close()
    assert violations(result) == []


def test_no_page_requests_another_host(page, served_site: str, site) -> None:
    _, outdir = site
    pages = sorted(str(p.relative_to(outdir)) for p in Path(outdir).rglob("*.html") if ".doctrees" not in p.parts)
    assert len(pages) > 20
    for name in pages:
        if name == "permalink.html":
            # sphinx-needs' permalink page reads needs.json, then goes on to the need's page by itself (to the
            # top page here, given no ID): wait for that, or it interrupts the next page's loading
            with page.expect_navigation(url=re.compile(r"/index\.html"), timeout=PAGE_TIMEOUT_MS):
                page.goto(f"{served_site}/{name}")
            continue
        open_page(page, f"{served_site}/{name}")
    assert page.foreign_requests == []


@pytest.mark.parametrize("chapter", ["source/themes/04-network", "source/standards/08-external-services"])
def test_a_chapter_prints_cleanly_on_a4(page, served_site: str, chapter: str) -> None:
    open_page(page, f"{served_site}/{chapter}.html")
    page.emulate_media(media="print")
    hidden = page.evaluate(
        """() => ['.sidebar-drawer', '.toc-drawer', '.mobile-header', '.theme-toggle-container']
            .map(s => document.querySelector(s)).filter(e => e)
            .map(e => getComputedStyle(e).display)"""
    )
    assert hidden and set(hidden) == {"none"}
    # an external link prints its address (the guideline cites by title and date, so a link is added here)
    after = page.evaluate(
        """() => { const a = document.createElement('a');
                   a.href = 'https://www.example.org/guideline.pdf'; a.textContent = '外部の資料';
                   document.querySelector('article p').append(a);
                   return getComputedStyle(a, '::after').content; }"""
    )
    assert after is not None and "attr(href)" not in after and "http" in after
    # no table is wider than the printed column: nothing is cut at the page edge
    overflow = page.evaluate(
        """() => { const main = document.querySelector('article');
                   return [...main.querySelectorAll('table')]
                       .filter(t => t.getBoundingClientRect().right > main.getBoundingClientRect().right + 1)
                       .length; }"""
    )
    assert overflow == 0
    pdf = page.pdf(format="A4", print_background=False)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 2


#: What a reader checks on paper: requirement and item IDs, clause numbers, counts with their ratio, and
#: the state of a control. A column cut at the page edge takes its tokens with it.
PRINTED_TOKENS = re.compile(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+|A\.\d+(?:\.\d+)+|\d+(?:\.\d+)+|\d+/\d+|\d+\.\d%"
                            r"|\b\d{4}-\d{2}(?:-\d{2})?\b"  # a date (an edition's, in the 改定履歴)
                            r"|未対応|適用除外")
#: Portrait and landscape A4 in PDF points (1/72 inch), as Chromium writes them.
A4_POINTS = (595.0, 842.0)


def printed_tokens(text: str) -> Counter[str]:
    """:data:`PRINTED_TOKENS` in ``text``; a line break the printer put after or before a ``-``, ``.``,
    ``/`` or ``%`` inside a token is taken out first."""
    text = re.sub(r"(?<=[-./])\s+(?=\w)|(?<=\w)\s+(?=[-./%])", "", text)
    return Counter(PRINTED_TOKENS.findall(text))


def without_repeated_headers(texts: list[str], headers: set[str]) -> list[str]:
    """The PDF pages' texts without a table's header row that Chromium repeats at the top of a page (a row
    broken across pages has it between the two halves of a token: 「CVE-2014-」 | header | 「3566」). Only a
    header already printed on an earlier page is taken out; compared without white space (pypdf spaces digits)."""
    def squeezed(text: str) -> str:
        return re.sub(r"\s+", "", text)

    known = {squeezed(h) for h in headers if h.strip()}
    seen: set[str] = set()
    kept = []
    for text in texts:
        first, _, rest = text.partition("\n")
        if squeezed(first) in known & seen:
            text = rest
        seen |= {h for h in known if h in squeezed(text)}
        kept.append(text)
    return kept


def split_across_pages(missing: Counter[str], pages: list[str], printed: Counter[str]) -> Counter[str]:
    """The tokens of ``missing`` that Chromium printed in two parts on two pages (a table row broken across pages
    breaks a token at a line end, 「CVE-2014-」 on one page and 「3566」 on the next, and in a two-column row the
    other column's text comes between them in the extracted text): a line of one page ends with the first part
    (cut after a ``-``, ``.`` or ``/``) and a line of the next page starts with the rest. The other column's
    first token then follows the cut part directly (「CVE-2014-」 + 「STD-8-1-14」 read as one token): a printed
    token that ends with ``-`` and the missing one counts for it."""
    found: Counter[str] = Counter()
    for token, count in missing.items():
        found[token] += sum(n for glued, n in printed.items() if glued.endswith("-" + token))
        cuts = [n + 1 for n, c in enumerate(token[:-1]) if c in "-./"]
        for before, after in itertools.pairwise(pages):
            ends = [line.rstrip() for line in before.splitlines()]
            starts = [line.lstrip() for line in after.splitlines()]
            if any(any(e.endswith(token[:cut]) for e in ends) and any(s.startswith(token[cut:]) for s in starts)
                   for cut in cuts):
                found[token] += 1
        found[token] = min(found[token], count)
    return found


@pytest.mark.parametrize("kind", [k for k in PAGE_TYPES if k not in ("search results", "requirement")])
def test_every_page_type_prints_on_a4_with_every_column_and_no_near_empty_page(
        browser, served_site: str, kind: str, tmp_path: Path) -> None:
    """Each page type printed to PDF by Chromium (as a reader's 印刷 → PDF would), then read back with pypdf:
    every page is A4 (the matrices and the requirement list landscape); every ID, number, ratio and state
    the page shows is in the PDF as often as on the screen (Chromium leaves out what it cuts at the page
    edge, so a lost column loses its tokens); no page but the last holds less than a fifth of the median
    page's text (a block kept whole pushed to the next page leaves a near-empty one)."""
    import pypdf

    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    open_page(page, f"{served_site}/{PAGE_TYPES[kind]}")
    page.emulate_media(media="print")
    shown = printed_tokens(page.evaluate("document.querySelector('article').innerText"))
    wide = page.evaluate("!!document.querySelector('table.trace-matrix, table.trace-requirements, table.shinkyu')")
    tables = page.evaluate("document.querySelectorAll('article table').length")
    headers = set(page.evaluate("[...document.querySelectorAll('article thead')].map(h => h.innerText)"))
    path = tmp_path / "page.pdf"
    page.pdf(path=str(path), prefer_css_page_size=True, print_background=False)
    context.close()

    reader = pypdf.PdfReader(path)
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages}
    assert sizes == {tuple(reversed(A4_POINTS)) if wide else A4_POINTS}, sizes
    texts = [p.extract_text() for p in reader.pages]
    pages = without_repeated_headers(texts, headers)
    printed = printed_tokens("\n".join(pages))
    printed += split_across_pages(shown - printed, pages, printed)
    assert shown or not tables  # a page with tables shows IDs or numbers: the comparison below is not empty
    assert shown - printed == Counter()
    lengths = sorted(len(t) for t in texts)
    median = lengths[len(lengths) // 2]
    near_empty = [i + 1 for i, t in enumerate(texts[:-1]) if len(t) < median / 5]
    assert near_empty == [], f"pages {near_empty} of {len(texts)}: {[len(t) for t in texts]}"


#: Boxes that scroll sideways by themselves: the view tables' (trace-scroll), the figures' (figure-scroll), the
#: theme's table wrapper,
#: sphinx-needs' needtable frame and code blocks. Nothing else may reach past the window's edge.
SCROLL_BOXES = ".trace-scroll, .figure-scroll, .table-wrapper, .needstable-scroll, pre"


@pytest.mark.wcag("1.4.10", title="全ページが幅 320 px と 1,280 px で横にスクロールしない（広い表・図は自分の枠の中でスクロール）")
@pytest.mark.parametrize("width", [320, 1280])
def test_no_page_scrolls_sideways(browser, served_site: str, site, width: int) -> None:
    """WCAG 1.4.10 (reflow) at 320 px, and no sideways page at 1,280 px: a wide matrix scrolls in its own box."""
    _, outdir = site
    pages = sorted(p.relative_to(outdir).as_posix() for p in Path(outdir).rglob("*.html")
                   # permalink.html only sends the reader on to a need's page
                   if not p.relative_to(outdir).as_posix().startswith(("_", ".", "permalink.html")))
    assert len(pages) > 30
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="ja-JP")
    page = context.new_page()
    wide = {}
    for name in pages:
        open_page(page, f"{served_site}/{name}")
        found = page.evaluate(
            """boxes => {
                const edge = document.documentElement.clientWidth;
                const sideways = document.scrollingElement.scrollWidth > edge;
                const out = [...document.querySelectorAll('article *')]
                    .filter(e => !e.closest(boxes) && e.getBoundingClientRect().right > edge + 1)
                    .map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.'));
                return sideways || out.length ? [sideways, ...out.slice(0, 3)] : null;
            }""", SCROLL_BOXES)
        if found:
            wide[name] = found
    context.close()
    assert wide == {}


@pytest.mark.wcag("2.1.1", title="対応表の枠をキーボードで横にスクロールでき、見出しの行と列が見えたまま")
def test_a_wide_matrix_scrolls_in_its_box_with_its_headers_in_view(browser, served_site: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ja-JP")
    page = context.new_page()
    page.goto(f"{served_site}/traceability/iso2013-coverage.html")
    box = page.locator(".trace-scroll:has(table.trace-matrix)").first
    assert box.get_attribute("role") == "region" and box.get_attribute("aria-label")
    assert page.evaluate("b => b.scrollWidth > b.clientWidth", box.element_handle())  # wider than the column
    box.focus()  # a keyboard user reaches the box and scrolls it with the arrow keys
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    moved = page.evaluate("""b => {
        const before = b.querySelector('thead th:nth-child(3)').getBoundingClientRect().left;
        b.scrollLeft = 400; b.scrollTop = 0;
        const stub = b.querySelector('tbody th.stub').getBoundingClientRect().left;
        const header = b.querySelector('thead th:nth-child(3)').getBoundingClientRect().left;
        return {scrolledByKeys: b.scrollLeft > 0, stubAtEdge: Math.abs(stub - b.getBoundingClientRect().left) < 2,
                headerMoved: header < before};
    }""", box.element_handle())
    assert moved == {"scrolledByKeys": True, "stubAtEdge": True, "headerMoved": True}
    # the header row stays at the top of the box while its rows scroll
    top = page.evaluate("""b => { b.scrollTop = 300;
        return Math.abs(b.querySelector('thead th').getBoundingClientRect().top - b.getBoundingClientRect().top); }""",
                        box.element_handle())
    assert top < 2 or page.evaluate("b => b.scrollHeight <= b.clientHeight", box.element_handle())
    context.close()


@pytest.mark.wcag("2.4.3", "2.4.7", title="Tab キーでの各停止位置が画面の中にあり、フォーカスが見え、図では止まらない（3 ページ）")
@pytest.mark.parametrize(("path", "width"), [("source/themes/01-cloud.html", 1000),
                                             ("traceability/chains.html", 1400),
                                             ("traceability/iso2013-coverage.html", 600)])
def test_every_tab_stop_is_on_screen_with_a_visible_focus(browser, served_site: str, path: str, width: int) -> None:
    """Tab through a page: no stop on a figure (an image, not interactive) or inside a closed drawer, and
    every stop shows where the focus is (WCAG 2.4.7)."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="ja-JP")
    page = context.new_page()
    open_page(page, f"{served_site}/{path}")
    wrong, stops = [], 0
    for _ in range(600):
        page.keyboard.press("Tab")
        stop = page.evaluate("""() => {
            const e = document.activeElement;
            if (!e || e === document.body) return null;
            const r = e.getBoundingClientRect(), style = getComputedStyle(e);
            return {what: e.tagName.toLowerCase() + '.' + [...e.classList].join('.'),
                    object: e.tagName === 'OBJECT',
                    onScreen: r.width > 0 && r.height > 0 && r.right > 0 && r.left < innerWidth,
                    focusShown: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2
                                || style.boxShadow !== 'none'};
        }""")
        if stop is None:
            break
        stops += 1
        if stop["object"] or not stop["onScreen"] or not stop["focusShown"]:
            wrong.append(stop)
    context.close()
    assert stops > 5
    assert wrong[:5] == []


@pytest.mark.parametrize("width", [320, 1280])
def test_every_diagram_label_is_at_least_12_px(browser, served_site: str, site, width: int) -> None:
    """Issue #13: a diagram's text at least 12 px at 100 % zoom. Every graphviz figure on every page: the
    smallest label's size on screen (its font size times the scale its figure is drawn at); the figure sits
    in a focusable scroll region, itself out of the tab order."""
    _, outdir = site
    pages = sorted(p.relative_to(outdir).as_posix() for p in Path(outdir).rglob("*.html")
                   if 'class="graphviz' in p.read_text(encoding="utf-8"))
    assert len(pages) > 10
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="ja-JP")
    page = context.new_page()
    small, figures = {}, 0
    for name in pages:
        open_page(page, f"{served_site}/{name}")
        found = page.evaluate("""() => [...document.querySelectorAll('article object.graphviz')].map(o => {
            const box = o.closest('.figure-scroll');
            const texts = [...o.contentDocument.querySelectorAll('svg text')];
            const px = texts.map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
            return {figure: o.getAttribute('data').split('/').pop(), labels: texts.length,
                    smallest: Math.min(...px), region: !!box && box.getAttribute('role') === 'region'
                    && box.tabIndex === 0 && o.tabIndex === -1};
        })""")
        for figure in found:
            figures += 1
            if figure["labels"] == 0 or figure["smallest"] < 12 or not figure["region"]:
                small[f"{name} {figure['figure']}"] = figure
    context.close()
    assert figures > 20
    assert small == {}

@pytest.mark.wcag("1.1.1", title="追跡の連鎖の図に、内容を示す表を指す代替テキストがあり、表のリンクが「ID 題名」で読める")
def test_a_trace_chain_is_told_in_a_table_of_links_under_its_figure(site) -> None:
    from bs4 import BeautifulSoup

    _, outdir = site
    soup = BeautifulSoup((Path(outdir) / "traceability" / "chains.html").read_text(encoding="utf-8"), "html.parser")
    tables = soup.find_all("table", class_="trace-chain-table")
    assert len(tables) == len(soup.find_all(class_="trace-chain")) == 10
    first = tables[0]
    assert first.caption.get_text().endswith("の追跡の連鎖（図の内容）")
    links = [a.get_text() for a in first.find_all("a")]
    # each link reads as its ID and title, and the figure's own text alternative points to the table
    assert any(text.startswith("REQ-CLOUD-001 ") and len(text) > len("REQ-CLOUD-001 ") for text in links)
    figure = soup.find(class_="trace-chain").find("object")
    assert figure["tabindex"] == "-1" and "図の下の表" in figure["aria-label"]
