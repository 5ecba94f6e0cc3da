"""Measure the site search in Chromium and write bench/SEARCH_RESULTS.md.

Builds the site twice -- with the project's Japanese search (_ext/guideline_site/ja_search.py)
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

from search_quality import load_terms, measure, table  # noqa: E402 (after the path is set)

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def build(outdir: Path, *overrides: str) -> None:
    subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", *overrides, str(ROOT), str(outdir)],
                   check=True)


def run(outdir: Path, pairs: list[tuple[str, str]]) -> list:
    from playwright.sync_api import sync_playwright

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(outdir)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page()
            results = measure(page, f"http://127.0.0.1:{server.server_address[1]}", outdir, pairs)
            browser.close()
    finally:
        server.shutdown()
    return results


def main() -> None:
    pairs = load_terms()
    extensions = runpy.run_path(str(ROOT / "conf.py"))["extensions"]
    # the site package without its Japanese search: each of its components is an extension of its own
    site = runpy.run_path(str(ROOT / "_ext" / "guideline_site" / "__init__.py"))["COMPONENTS"]
    parts = [e for e in extensions if e != "guideline_site"]
    parts += [f"guideline_site.{c}" for c in site if c != "ja_search"]
    default = ",".join(parts)
    with tempfile.TemporaryDirectory() as tmp:
        ours_dir, default_dir = Path(tmp, "ours"), Path(tmp, "default")
        build(ours_dir)
        build(default_dir, "-D", f"extensions={default}")
        ours, stock = run(ours_dir, pairs), run(default_dir, pairs)
    report = f"""# 検索の品質（再現率・適合率）

`.venv/bin/python bench/search_quality.py` が Chromium で測定して書き出した表です（手で書いた数値はありません）。
検索語は `tests/data/search-terms.txt`（サイトの本文から採った {len(pairs)} 語。全角・半角の表記違いを含む）。
各検索語について、本文（`[role=main]` の文字列を NFKC・小文字化・空白除去したもの。検索の対象外とした
対応表の表 `.no-search` を除く。表の各項目は、それを定義するページで検索できます）にその語を含むページを
正解とし、検索結果のページと比べます（英数字だけの語は、語の一部ではなく一語として含む
ページだけを正解とします。「JIS」は「JISEC」に含まれません）。

- 測定日: {datetime.date.today().isoformat()}
- マシン: {platform.machine()}, {platform.system()} {platform.release()}, Python {platform.python_version()}
- ブラウザ: Debian chromium（Playwright で操作、127.0.0.1 で配信）

## 本プロジェクトの日本語検索（NFKC 正規化 + bigram 索引 + 本文での語の確認）

{table(ours)}

## 比較: Sphinx 既定の日本語検索（TinySegmenter）

{table(stock)}
"""
    (ROOT / "bench" / "SEARCH_RESULTS.md").write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
