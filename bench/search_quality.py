"""Measure the site search in Chromium and write bench/SEARCH_RESULTS.md.

Builds the site twice -- with the project's site search (_ext/guideline_site/site_search.py)
and with Sphinx's default Japanese search (TinySegmenter) -- serves each on
127.0.0.1, searches every term of tests/data/search-terms.txt, and compares the
pages found with the pages whose text holds the term.

    .venv/bin/python bench/search_quality.py
"""

from __future__ import annotations

import datetime
import functools
import http.server
import platform
import runpy
import socketserver
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from search_quality import (  # noqa: E402 (after the path is set)
    HELDOUT_FILE,
    TYPOS_FILE,
    load_terms,
    measure,
    suggestion,
    table,
    typo_table,
)

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def build(outdir: Path, *overrides: str) -> None:
    subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", *overrides, str(ROOT), str(outdir)],
                   check=True)


def run(outdir: Path, pairs: list[tuple[str, str]], engine: str, texts_from: Path,
        typos: list[tuple[str, str]] | None = None) -> tuple[list, list]:
    from playwright.sync_api import sync_playwright

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(outdir)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page()
            base = f"http://127.0.0.1:{server.server_address[1]}"
            results = measure(page, base, texts_from, pairs, engine)
            answers = [suggestion(page, base, query) for query, _ in typos or []]
            browser.close()
    finally:
        server.shutdown()
    return results, answers


def main() -> None:
    pairs = load_terms()
    heldout = load_terms(HELDOUT_FILE)
    typos = load_terms(TYPOS_FILE)
    extensions = runpy.run_path(str(ROOT / "conf.py"))["extensions"]
    # the site package without its Japanese search: each of its components is an extension of its own
    site = runpy.run_path(str(ROOT / "_ext" / "guideline_site" / "__init__.py"))["COMPONENTS"]
    parts = [e for e in extensions if e != "guideline_site"]
    parts += [f"guideline_site.{c}" for c in site if c != "site_search"]
    default = ",".join(parts)
    with tempfile.TemporaryDirectory() as tmp:
        ours_dir, default_dir = Path(tmp, "ours"), Path(tmp, "default")
        build(ours_dir)
        build(default_dir, "-D", f"extensions={default}")
        ours, answers = run(ours_dir, pairs + heldout, "site", ours_dir, typos)
        stock, _ = run(default_dir, pairs + heldout, "sphinx", ours_dir)
    ours_dev, ours_heldout = ours[:len(pairs)], ours[len(pairs):]
    stock_dev, stock_heldout = stock[:len(pairs)], stock[len(pairs):]
    report = f"""# 検索の品質（再現率・適合率）

`.venv/bin/python bench/search_quality.py` が Chromium で測定して書き出した表です（手で書いた数値はありません）。
検索語は `tests/data/search-terms.txt`（サイトの本文から採った {len(pairs)} 語。全角・半角の表記違い、条項の番号・ID、
`source/search-variants.yaml` の表記ゆれを含む）。各検索語について、本文（`[role=main]` の文字列を NFKC・小文字化・
空白除去したもの。丸数字は変換しない。検索の対象外とした対応表の表 `.no-search` と、下位ページの目次
`.toctree-wrapper` を除く。表の各項目は、それを定義するページで検索できます）にその語（表記ゆれの行では、
言い換え先の語又は入力した語）を含むページを正解とし、検索結果のページと比べます（英数字と記号だけの語は、
語の一部ではなく一語として含むページだけを正解とします。「JIS」は「JISEC」に、「4.1」は「4.1.1」や「14.1」に
含まれません）。比較の Sphinx 既定の検索も、同じ正解と比べます。

- 測定日: {datetime.date.today().isoformat()}
- マシン: {platform.machine()}, {platform.system()} {platform.release()}, Python {platform.python_version()}
- ブラウザ: Debian chromium（Playwright で操作、127.0.0.1 で配信）

## 本プロジェクトのサイト内検索（本文を分割して配布し、NFKC 正規化した本文と照合。表記ゆれの表つき）

{table(ours_dev)}

### 開発に使わなかった検索語（`tests/data/search-terms-heldout.txt`、{len(heldout)} 語）

検索の開発中に結果を見ていない語です（サイトの本文に含まれることだけを確かめて、2026-11-30 に書きました）。

{table(ours_heldout)}

### 入力の誤り（「もしかして」、`tests/data/search-typos.txt`）

何も見つからない入力に、一文字違いで本文にある語を示せたか。

{typo_table(typos, answers)}

## 比較: Sphinx 既定の日本語検索（TinySegmenter）

{table(stock_dev)}

開発に使わなかった検索語:

{table(stock_heldout)}
"""
    # keep the timings that bench/search_speed.py wrote below the quality tables
    path = ROOT / "bench" / "SEARCH_RESULTS.md"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    marker = "## 遅い回線での検索の速さ"
    speed = old[old.index(marker):] if marker in old else ""
    path.write_text(report + ("\n" + speed if speed else ""), encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
