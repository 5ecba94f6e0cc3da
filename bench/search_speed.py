"""Time the site search on a slow network, in Chromium, and write the table into bench/SEARCH_RESULTS.md.

Builds the site, serves it on 127.0.0.1, and for each query opens the search page with the network
throttled (Chrome DevTools' network emulation: 1.5 Mbps down, 0.75 Mbps up, 100 ms latency, cache
off), timing from the start of navigation to the first result shown and to the search finished.
Each query is run 3 times; the table gives the median. The search data's size is reported too.

    .venv/bin/python bench/search_speed.py

Run it on an otherwise idle machine. Nothing here is asserted by a test: these are measurements.
"""

from __future__ import annotations

import datetime
import functools
import http.server
import platform
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "SEARCH_RESULTS.md"
MARKER = "## 遅い回線での検索の速さ"
QUERIES = ["クラウド", "REQ-CLOUD-001", "4.1.1", "公衆無線LAN", "スマホ", "標的型攻撃 訓練"]
DOWN_MBPS, UP_MBPS, LATENCY_MS = 1.5, 0.75, 100
RUNS = 3
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def timings(base_url: str, query: str) -> tuple[float, float, int]:
    """(seconds to the first result, seconds to the search finished, results) for one query."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": LATENCY_MS,
            "downloadThroughput": DOWN_MBPS * 1_000_000 / 8, "uploadThroughput": UP_MBPS * 1_000_000 / 8,
        })
        start = time.perf_counter()
        page.goto(f"{base_url}/search.html?q={quote(query)}", wait_until="commit")
        page.wait_for_function("document.querySelector('#search-results > li') !== null"
                               " || document.body.dataset.searchState === 'done'", timeout=120_000, polling=50)
        first = time.perf_counter() - start
        page.wait_for_function("document.body.dataset.searchState === 'done'", timeout=120_000, polling=50)
        done = time.perf_counter() - start
        count = page.locator("#search-results > li").count()
        browser.close()
    return first, done, count


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        outdir = Path(tmp, "html")
        subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", str(ROOT), str(outdir)], check=True)
        data = outdir / "_static" / "search"
        sizes = {p.name: p.stat().st_size for p in data.glob("*.js")}
        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(outdir)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        rows = []
        try:
            for query in QUERIES:
                runs = [timings(base, query) for _ in range(RUNS)]
                rows.append((query, statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs),
                             runs[0][2]))
        finally:
            server.shutdown()
    chunks = sorted((n for n in sizes if n.startswith("text-")), key=lambda n: int(n[5:-3]))
    table = ["| 検索語 | 最初の結果まで (s) | 検索の完了まで (s) | 結果のページ数 |", "|---|---:|---:|---:|"]
    table += [f"| {q} | {first:.1f} | {done:.1f} | {count} |" for q, first, done, count in rows]
    section = f"""{MARKER}

`.venv/bin/python bench/search_speed.py` が測定した値です（手で書いた数値はありません）。Chromium の回線の
模擬（下り {DOWN_MBPS} Mbps、上り {UP_MBPS} Mbps、遅延 {LATENCY_MS} ms、キャッシュなし）で検索ページを開き、
開き始めから最初の結果が表示されるまでと、検索が完了する（本文をすべて照合する）までの時間を測りました。
各検索語 {RUNS} 回の中央値です。

- 測定日: {datetime.date.today().isoformat()}
- マシン: {platform.machine()}, {platform.system()} {platform.release()}, Python {platform.python_version()}
- 検索データ: 箇所の一覧 `units.js` {sizes['units.js'] / 1000:.0f} KB、本文 {len(chunks)} 分割で計
  {sum(sizes[n] for n in chunks) / 1000:.0f} KB（1 分割 {min(sizes[n] for n in chunks) / 1000:.0f}〜{max(sizes[n] for n in chunks) / 1000:.0f} KB）。本文は
  順位の高いページ（本文の章）から読み込み、読み込んだ分から結果を表示します。箇所の一覧と最初の（小さい）分割は
  同時に読み込み、一覧が届いた時点で箇所の題名（ID・番号を含む）に一致したものを先に示します。ページ自体は、
  使わないスクリプトとスタイルシート（jQuery など）を読み込みません（`bench/WEIGHT.md`）。

{chr(10).join(table)}
"""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    before = text.split(MARKER, 1)[0].rstrip()
    RESULTS.write_text((before + "\n\n" if before else "") + section, encoding="utf-8")
    print(section)


if __name__ == "__main__":
    main()
