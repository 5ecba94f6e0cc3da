"""What a reader's browser downloads to show each page of the built site, per page type, against a budget.

    .venv/bin/python bench/page_weight.py                # the site in _build/html; writes bench/WEIGHT.md
    .venv/bin/python bench/page_weight.py path/to/html   # another built site; prints the table only

A page's weight is the page itself plus every file it loads when it opens: each stylesheet
(``<link rel="stylesheet">``) and what the stylesheet loads (``url(…)``, ``@import``), each script
(``<script src>``), image (``<img src>``) and object (``<object data>``), each file counted once per
page, in bytes as stored (no compression: a closed network's server may not compress, and a page
opened from disk never is). Its requests are the number of those files, the page included. The
search data (``_static/search/``) is fetched only when a search runs, so it is not part of any page;
it has its own row. Issue #13 asks for a budget per page type; :data:`BUDGETS` holds them and
``tests/test_site.py`` fails when a page goes over.
"""

from __future__ import annotations

import re
import statistics
import sys
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "_ext"))
from guideline_trace.resources import css_addresses  # noqa: E402 (after the path is set)

#: (page type, the page paths it covers under the output folder, as fnmatch patterns), first match wins.
PAGE_TYPES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("検索", ("search.html",)),
    ("トップ・索引", ("index.html", "genindex.html", "permalink.html")),
    ("規格のカタログ", ("traceability/nisc.html", "traceability/iso2013.html", "traceability/iso2022.html")),
    ("対応表・適用宣言書・要件一覧", ("traceability/*.html",)),
    ("対策基準の章", ("source/standards/*.html",)),
    ("論点（議論テーマ・観点）", ("source/themes/*.html", "source/viewpoints/*.html")),
    ("改定履歴・新旧対照表", ("source/history.html",)),
    ("その他の本文", ("*.html",)),
)

#: Budget per page type: (KB the page and its files may weigh, requests). Set in issue #13 from the
#: weights measured once each page loads only the assets it uses (bench/WEIGHT.md), with about a fifth
#: of room for the guideline to grow; most of a chapter's weight is its own HTML (the need layouts).
#: The tables' budget went from 900 to 1,050 KB when each link that shows only an ID or a number was
#: named with its target's title (guideline_site.a11y.name_bare_links: +183 KB on the requirement list,
#: whose 2,500 such links are in two tables of the same 279 rows). It went to 1,250 KB when each 例文
#: item's own ISO/IEC 27001:2022 links, with their reasons, joined both tables (issue #14: +136 KB).
#: The history page has its own type since 2026-12-01: its 新旧対照表 shows both wordings and 解説 of every
#: 例文 changed since the latest frozen edition, so it grows with the changes (30 changed items weighed
#: 252 KB in all, over the 200 KB of the other pages); 600 KB leaves room for more than twice as many
#: changes before the page should be split by chapter.
BUDGETS: dict[str, tuple[int, int]] = {
    "検索": (140, 12),
    "トップ・索引": (150, 14),
    "規格のカタログ": (680, 18),
    "対応表・適用宣言書・要件一覧": (1250, 24),
    "対策基準の章": (500, 18),
    "論点（議論テーマ・観点）": (220, 22),
    "改定履歴・新旧対照表": (600, 20),
    "その他の本文": (200, 20),
}

_LOADED = re.compile(
    r"""<link\b[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"|<script\b[^>]*\bsrc="([^"]+)"|"""
    r"""<img\b[^>]*\bsrc="([^"]+)"|<object\b[^>]*\bdata="([^"]+)\"""")


@dataclass(frozen=True)
class PageWeight:
    """One page: its path under the output folder, its type, bytes (page and files) and requests."""

    page: str
    page_type: str
    size: int
    requests: int


def page_type(relative: str) -> str:
    """The :data:`PAGE_TYPES` entry a page path (``source/themes/01-cloud.html``) belongs to."""
    return next(label for label, patterns in PAGE_TYPES if any(fnmatch(relative, p) for p in patterns))


def _local(base: Path, address: str) -> Path | None:
    """The file ``address`` (as written in ``base``) names on disk, or None for another host or a data URI."""
    parts = urlsplit(address)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    return (base.parent / unquote(parts.path)).resolve()


def loaded_files(page: Path) -> set[Path]:
    """Every existing file ``page`` loads when it opens (see the module docstring), the page excluded."""
    found: set[Path] = set()
    html = page.read_text(encoding="utf-8")
    for match in _LOADED.finditer(html):
        path = _local(page, next(g for g in match.groups() if g))
        if path is not None and path.is_file():
            found.add(path)
    for css in [p for p in found if p.suffix == ".css"]:
        stack = [css]
        while stack:
            sheet = stack.pop()
            for _, address in css_addresses(sheet.read_text(encoding="utf-8", errors="replace")):
                path = _local(sheet, address)
                if path is not None and path.is_file() and path not in found:
                    found.add(path)
                    if path.suffix == ".css":
                        stack.append(path)
    return found


def weigh(outdir: Path) -> list[PageWeight]:
    """:class:`PageWeight` of every HTML page under ``outdir`` (``_sources`` and ``_static`` left out)."""
    weights = []
    for page in sorted(outdir.rglob("*.html")):
        relative = page.relative_to(outdir).as_posix()
        if relative.startswith(("_sources/", "_static/", "_images/")):
            continue
        files = loaded_files(page)
        size = page.stat().st_size + sum(f.stat().st_size for f in files)
        weights.append(PageWeight(relative, page_type(relative), size, 1 + len(files)))
    return weights


def over_budget(weights: list[PageWeight]) -> list[str]:
    """A line for every page over its type's :data:`BUDGETS` (empty when all are within)."""
    problems = []
    for weight in weights:
        kb, requests = BUDGETS[weight.page_type]
        if weight.size > kb * 1024 or weight.requests > requests:
            problems.append(f"{weight.page} ({weight.page_type}): {weight.size / 1024:.0f} KB in "
                            f"{weight.requests} requests, budget {kb} KB in {requests}")
    return problems


def table(weights: list[PageWeight], outdir: Path) -> str:
    """The Markdown table of bench/WEIGHT.md: per page type, pages, median and largest weight, requests."""
    lines = ["| ページの種類 | ページ数 | 中央値 (KB) | 最大 (KB) | 最大のページ | 要求数（最大） | 予算 (KB / 要求数) | 判定 |",
             "|---|---:|---:|---:|---|---:|---|---|"]
    for label, _ in PAGE_TYPES:
        group = [w for w in weights if w.page_type == label]
        if not group:
            continue
        largest = max(group, key=lambda w: w.size)
        kb, requests = BUDGETS[label]
        within = all(w.size <= kb * 1024 and w.requests <= requests for w in group)
        lines.append(
            f"| {label} | {len(group)} | {statistics.median(w.size for w in group) / 1024:.0f} | "
            f"{largest.size / 1024:.0f} | `{largest.page}` | {max(w.requests for w in group)} | {kb} / {requests} | "
            f"{'予算内' if within else '超過'} |")
    search = sorted((outdir / "_static" / "search").glob("*.js"))
    if search:
        lines.append("")
        lines.append(f"検索データ（検索したときだけ読み込む）: {len(search)} ファイル、計 "
                     f"{sum(p.stat().st_size for p in search) / 1024:.0f} KB"
                     f"（うち箇所の一覧 `units.js` {(outdir / '_static/search/units.js').stat().st_size / 1024:.0f} KB）。")
    return "\n".join(lines)


def main() -> None:
    outdir = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "_build" / "html"
    weights = weigh(outdir)
    text = table(weights, outdir)
    if len(sys.argv) > 1:
        print(text)
        return
    (ROOT / "bench" / "WEIGHT.md").write_text(
        "# ページの重さ\n\n"
        "`.venv/bin/python bench/page_weight.py`（`make html` の後）が `_build/html` から測って書き出した表です"
        "（手で書いた数値はありません）。ページの重さは、ページを開いたときに読み込むもの（ページ自身、"
        "スタイルシートとそこから読み込むもの、スクリプト、画像）の合計で、圧縮前のバイト数です。予算は"
        "`bench/page_weight.py` の `BUDGETS` にあり、`tests/test_site.py` が全ページを予算と比べます。\n\n"
        f"{text}\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
