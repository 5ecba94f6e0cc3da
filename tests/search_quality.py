"""Measure the site search in a real browser: for each term, the pages found against the pages that hold it.

Used by tests/test_browser_search.py (which asserts on it) and bench/search_quality.py
(which writes the table in bench/SEARCH_RESULTS.md).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

from bs4 import BeautifulSoup

TERMS_FILE = Path(__file__).parent / "data" / "search-terms.txt"


def fold(text: str) -> str:
    """The form the search compares in: NFKC, lower case, no white space."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).lower())


def load_terms(path: Path = TERMS_FILE) -> list[tuple[str, str]]:
    """``(query, term)`` pairs; a line ``query => term`` searches a variant spelling of the term."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        query, _, term = line.partition(" => ")
        pairs.append((query.strip(), (term or query).strip()))
    return pairs


def page_texts(outdir: Path, *, keep_spaces: bool = False) -> dict[str, str]:
    """The folded main text of every page the search index covers, by docname
    (with ``keep_spaces``: NFKC and lower case only, white space kept, to find whole words)."""
    raw = (outdir / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(raw[raw.index("(") + 1 : raw.rindex(")")])
    texts = {}
    for docname in index["docnames"]:
        soup = BeautifulSoup((outdir / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")
        main = soup.select_one('[role="main"]')
        # the view tables are left out of the index (guideline_trace.views.table_html)
        for noise in main.select("a.headerlink, script, style, .no-search"):
            noise.decompose()
        text = main.get_text(" ")
        texts[docname] = unicodedata.normalize("NFKC", text).lower() if keep_spaces else fold(text)
    return texts


@dataclass(frozen=True)
class TermResult:
    query: str
    term: str
    expected: frozenset[str]
    found: frozenset[str]
    snippets_with_hit: int

    @property
    def recall(self) -> float:
        return len(self.expected & self.found) / len(self.expected) if self.expected else 1.0

    @property
    def precision(self) -> float:
        return len(self.expected & self.found) / len(self.found) if self.found else 1.0


def search(page: object, base_url: str, query: str) -> tuple[set[str], int]:
    """Run a query on search.html; the docnames found and how many results show the hit marked."""
    url = f"{base_url}/search.html?q={quote(query)}"
    page.goto(url)  # type: ignore[attr-defined]
    # the result heading reads "検索結果" once the search has finished (Sphinx's _finishSearch)
    page.wait_for_function(  # type: ignore[attr-defined]
        "typeof Search !== 'undefined' && Search.title"
        " && Search.title.innerText.trim() === Documentation.gettext('Search Results')",
        timeout=20000,
    )
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]  # summaries are fetched
    hrefs = page.locator("#search-results li > a").evaluate_all("links => links.map(a => a.href)")  # type: ignore[attr-defined]
    marks = page.locator("#search-results li p.context mark").count()  # type: ignore[attr-defined]
    found = set()
    for href in hrefs:
        path = urlsplit(urljoin(url, href)).path.lstrip("/")
        found.add(path.removesuffix(".html"))
    return found, marks


def _contains(folded: str, spaced: str, word: str) -> bool:
    """Whether a page holds ``word`` (folded); a word of Latin letters and digits only as a whole
    word of the spaced text (「JIS」 is not in 「JISEC」), as the search index splits Latin text into words."""
    if re.fullmatch(r"[a-z0-9]+", word):
        return re.search(rf"(?<![a-z0-9]){word}(?![a-z0-9])", spaced) is not None
    return word in folded


def measure(page: object, base_url: str, outdir: Path, pairs: list[tuple[str, str]]) -> list[TermResult]:
    texts = page_texts(outdir)
    spaced = page_texts(outdir, keep_spaces=True)
    results = []
    for query, term in pairs:
        wanted = fold(term)
        words = [fold(w) for w in term.split()]
        expected = frozenset(d for d, t in texts.items() if all(_contains(t, spaced[d], w) for w in words))
        assert expected, f"{term!r} is not in the site's text (wanted {wanted!r})"
        found, marks = search(page, base_url, query)
        results.append(TermResult(query, term, expected, frozenset(found), marks))
    return results


def table(results: list[TermResult]) -> str:
    lines = ["| 検索語 | 含むページ | 見つかったページ | 再現率 | 適合率 |", "|---|---:|---:|---:|---:|"]
    for r in results:
        shown = r.query if r.query == r.term else f"{r.query}（= {r.term}）"
        lines.append(f"| {shown} | {len(r.expected)} | {len(r.found)} | {r.recall:.2f} | {r.precision:.2f} |")
    hits = sum(len(r.expected & r.found) for r in results)
    expected = sum(len(r.expected) for r in results)
    found = sum(len(r.found) for r in results)
    lines.append(f"| **全体（{len(results)} 語）** | {expected} | {found} | {hits / expected:.3f} | {hits / found:.3f} |")
    return "\n".join(lines)
