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
from urllib.parse import quote, unquote, urljoin, urlsplit

from bs4 import BeautifulSoup

TERMS_FILE = Path(__file__).parent / "data" / "search-terms.txt"
#: Terms the search was not developed against (reported by bench/search_quality.py, asserted by no test).
HELDOUT_FILE = Path(__file__).parent / "data" / "search-terms-heldout.txt"
#: Typing mistakes and the 「もしかして」 each must get.
TYPOS_FILE = Path(__file__).parent / "data" / "search-typos.txt"


def _nfkc(text: str) -> str:
    """NFKC and lower case, circled numbers (①) kept, as the search compares (guideline_site.site_search)."""
    return re.sub("[^\u2460-\u2473]+", lambda run: unicodedata.normalize("NFKC", run.group()), text).lower()


def fold(text: str) -> str:
    """The form the search compares in: NFKC, lower case, circled numbers kept, no white space."""
    return re.sub(r"\s+", "", _nfkc(text))


def load_terms(path: Path = TERMS_FILE) -> list[tuple[str, str]]:
    """``(query, term)`` pairs; a line ``query => term`` searches a variant spelling of the term
    (in :data:`TYPOS_FILE`: a typing mistake and the suggestion it must get)."""
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
    raw = (outdir / "_static" / "search" / "units.js").read_text(encoding="utf-8")
    index = json.loads(raw[raw.index("(") + 1 : raw.rindex(")")])
    texts = {}
    for uri, _, _ in index["pages"]:
        docname = uri.removesuffix(".html")
        soup = BeautifulSoup((outdir / uri).read_text(encoding="utf-8"), "html.parser")
        main = soup.select_one('[role="main"]')
        # the view tables are left out of the index (guideline_trace.views.table_html)
        # as the search: the view tables and the toctrees' lists of subpages are not the page's text
        for noise in main.select("a.headerlink, script, style, .no-search, .toctree-wrapper"):
            noise.decompose()
        text = main.get_text(" ")
        texts[docname] = re.sub(r"\s+", " ", _nfkc(text)) if keep_spaces else fold(text)
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


def search(page: object, base_url: str, query: str, engine: str = "site") -> tuple[set[str], int]:
    """Run a query on search.html; the docnames found and how many results show the hit marked.

    ``engine``: ``"site"``, the site's search (guideline_site.site_search), or ``"sphinx"``, Sphinx's
    own search page (a build without site_search, which bench/search_quality.py compares with).
    """
    url = f"{base_url}/search.html?q={quote(query)}"
    page.goto(url)  # type: ignore[attr-defined]
    if engine == "sphinx":
        # the result heading reads "検索結果" once Sphinx's search has finished (_finishSearch)
        page.wait_for_function(  # type: ignore[attr-defined]
            "typeof Search !== 'undefined' && Search.title"
            " && Search.title.innerText.trim() === Documentation.gettext('Search Results')",
            timeout=20000,
        )
        page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]  # summaries are fetched
        results = "#search-results li"
    else:
        # site-search.js marks the page once every chunk of the text has been searched
        page.wait_for_function("document.body.dataset.searchState === 'done'", timeout=20000)  # type: ignore[attr-defined]
        results = "#search-results > li"
    hrefs = page.locator(f"{results} > a").evaluate_all("links => links.map(a => a.href)")  # type: ignore[attr-defined]
    marks = page.locator(f"{results} > p.context mark").count()  # type: ignore[attr-defined]
    found = set()
    base = unquote(urlsplit(base_url).path).rstrip("/")  # "" over HTTP, the site's folder from disk
    for href in hrefs:
        path = unquote(urlsplit(urljoin(url, href)).path)
        found.add(path.removeprefix(base).lstrip("/").removesuffix(".html"))
    return found, marks


def _contains(folded: str, spaced: str, word: str) -> bool:
    """Whether a page holds ``word`` (folded); a word of Latin letters, digits and punctuation only as a
    whole word of the spaced text (「JIS」 is not in 「JISEC」, 「4.1」 not in 「4.1.1」), as the search compares."""
    if re.fullmatch(r"[\x21-\x7e]+", word):
        return re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9]|\.[0-9])", spaced) is not None
    return word in folded


def measure(page: object, base_url: str, outdir: Path, pairs: list[tuple[str, str]],
            engine: str = "site") -> list[TermResult]:
    """Search each ``(query, term)`` on the site at ``base_url``; the pages expected are those of the
    site built in ``outdir`` (with the site search) that hold the term or the query."""
    texts = page_texts(outdir)
    spaced = page_texts(outdir, keep_spaces=True)
    results = []
    for query, term in pairs:
        # a page is expected when it holds the term, or the query itself (a variant the site also uses)
        spellings = [[fold(w) for w in term.split()], [fold(w) for w in query.split()]]
        expected = frozenset(d for d, t in texts.items()
                             if any(all(_contains(t, spaced[d], w) for w in words) for words in spellings))
        assert expected, f"{term!r} is not in the site's text (wanted {fold(term)!r})"
        found, marks = search(page, base_url, query, engine)
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


def suggestion(page: object, base_url: str, query: str) -> tuple[set[str], str | None]:
    """Run a query; the docnames found and the 「もしかして」 shown (``None`` when there is none)."""
    found, _ = search(page, base_url, query)
    box = page.locator("#search-suggestion a")  # type: ignore[attr-defined]
    return found, (box.inner_text() if box.count() else None)


def typo_table(pairs: list[tuple[str, str]], answers: list[tuple[set[str], str | None]]) -> str:
    lines = ["| 入力 | 期待する「もしかして」 | 示された「もしかして」 | 正しい |", "|---|---|---|---|"]
    right = 0
    for (query, expected), (found, shown) in zip(pairs, answers, strict=True):
        ok = shown == expected and not found
        right += ok
        shown_text = shown if shown is not None else ("（結果あり）" if found else "（なし）")
        lines.append(f"| {query} | {expected} | {shown_text} | {'○' if ok else '×'} |")
    lines.append(f"| **全体（{len(pairs)} 語）** | | | {right} / {len(pairs)} |")
    return "\n".join(lines)
