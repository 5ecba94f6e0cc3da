"""The published site in Chromium: offline, accessible (axe-core, WCAG 2.x A/AA), printable on A4."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

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
}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
AXE = files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


def axe_violations(page: object) -> list[tuple[str, str, list[str]]]:
    page.evaluate(AXE)  # type: ignore[attr-defined]  # axe-core from the installed package, not the network
    result = page.evaluate(  # type: ignore[attr-defined]
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [(v["id"], v["help"], [str(n["target"]) for n in v["nodes"][:3]]) for v in result["violations"]]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", list(PAGE_TYPES))
def test_no_wcag_a_or_aa_violation(browser, served_site: str, kind: str, scheme: str) -> None:
    context = browser.new_context(color_scheme=scheme, locale="ja-JP")
    page = context.new_page()
    page.goto(f"{served_site}/{PAGE_TYPES[kind]}")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.lang") == "ja"
    assert axe_violations(page) == []
    context.close()


def test_no_page_requests_another_host(page, served_site: str, site) -> None:
    _, outdir = site
    pages = sorted(str(p.relative_to(outdir)) for p in Path(outdir).rglob("*.html") if ".doctrees" not in p.parts)
    assert len(pages) > 20
    for name in pages:
        page.goto(f"{served_site}/{name}")
        page.wait_for_load_state("networkidle")
    assert page.foreign_requests == []


@pytest.mark.parametrize("chapter", ["source/themes/04-network", "source/standards/08-external-services"])
def test_a_chapter_prints_cleanly_on_a4(page, served_site: str, chapter: str) -> None:
    page.goto(f"{served_site}/{chapter}.html")
    page.wait_for_load_state("networkidle")
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
