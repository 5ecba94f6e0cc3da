"""The build benchmark: ours vs stock sphinx-needs vs the floor, at several sizes.

For each N (requirements) and variant (see generate.py) it measures, on this machine:
a cold full build (wall time and peak memory, median of RUNS runs), a cold
``-j 2`` build, a one-file incremental rebuild (one requirement's ISO link edited)
and a no-change rebuild; for ``ours`` it also checks that the incremental build
left the matrix export right. Results: bench/results.json and bench/RESULTS.md.

    make bench                       # SIZES="300 1000 3000 10000"
    make bench SIZES="1000 3000"     # a subset (keeps the other sizes' results)
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from generate import ROOT, write_site

BENCH = Path(__file__).resolve().parent
RESULTS_JSON = BENCH / "results.json"
RESULTS_MD = BENCH / "RESULTS.md"
VARIANTS = ("floor", "stock", "ours")


def sphinx(src: Path, *extra: str) -> tuple[float, float]:
    """One build in a fresh process: (wall seconds, peak resident MB of it and its workers)."""
    probe = (
        "import resource, sys\n"
        "from sphinx.cmd.build import main\n"
        "code = main(sys.argv[1:])\n"
        "peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,"
        " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "print('PEAK_KB', peak, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    args = [sys.executable, "-c", probe, "-b", "html", "-q", *extra, str(src), str(src / "_build" / "html"),
            "-d", str(src / "_build" / "doctrees")]
    start = time.perf_counter()
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"build failed ({src}):\n{result.stderr[-3000:]}")
    if "WARNING:" in result.stderr:
        # a build with warnings does other work (and ours re-reads every page after one): not comparable
        raise SystemExit(f"the benchmark site gave warnings ({src}):\n{result.stderr[-3000:]}")
    peak_kb = int(next(line.split()[1] for line in result.stderr.splitlines() if line.startswith("PEAK_KB")))
    return wall, peak_kb / 1024


def clean(src: Path) -> None:
    shutil.rmtree(src / "_build", ignore_errors=True)


def edit_one_requirement(src: Path, page: str) -> tuple[str, str]:
    """Swap the last ISO control of the first requirement on ``page``; return (req id, new control)."""
    path = src / f"{page}.md"
    text = path.read_text(encoding="utf-8")
    req_id = text.split(":id: ", 1)[1].split("\n", 1)[0]
    iso_line = next(line for line in text.splitlines() if line.startswith(":iso: "))
    controls = iso_line[len(":iso: "):].split(", ")
    new = "ISO-A-5-1-2" if controls[-1] != "ISO-A-5-1-2" else "ISO-A-5-1-1"
    reason_line = next(line for line in text.splitlines() if line.startswith(":iso_reason: "))
    text = text.replace(iso_line, ":iso: " + ", ".join([*controls[:-1], new]), 1)
    text = text.replace(reason_line, reason_line.replace(f"{controls[-1]}:", f"{new}:"), 1)
    path.write_text(text, encoding="utf-8")
    return req_id, new


def matrix_shows(src: Path, req_id: str, control_id: str) -> bool:
    raw = (src / "_build" / "html" / "exports" / "iso-coverage.csv").read_bytes().decode("utf-8-sig")
    number = control_id[len("ISO-"):].replace("-", ".")
    # the CSV gives a control's number in its heading column ('A.15.1.2 …'); revisions before 2026-12-01 in '番号'
    row = next(r for r in csv.DictReader(io.StringIO(raw))
               if (r.get("番号") or next((v for k, v in r.items() if "見出し" in k), "").split(" ")[0]) == number)
    return req_id in row["対応例文"].split()


def measure(n: int, variant: str, runs: int, workdir: Path, root: Path | None = None) -> dict[str, object]:
    src = workdir / f"{n}-{variant}"
    shutil.rmtree(src, ignore_errors=True)
    pages = write_site(n, variant, src, root) if root else write_site(n, variant, src)
    cold = []
    for _ in range(runs):
        clean(src)
        cold.append(sphinx(src))
    clean(src)
    j2_wall, j2_peak = sphinx(src, "-j", "2")
    clean(src)
    sphinx(src)  # the state an editor rebuilds from
    incremental, nochange, correct = [], [], True
    for _ in range(runs):  # each run swaps the edited link again: every incremental build is a real edit
        req_id, control = edit_one_requirement(src, pages[0])
        incremental.append(sphinx(src)[0])
        if variant in ("ours", "before"):
            correct = correct and matrix_shows(src, req_id, control)
        nochange.append(sphinx(src)[0])
    result: dict[str, object] = {
        "wall_s": round(statistics.median(w for w, _ in cold), 2),
        "peak_mb": round(statistics.median(m for _, m in cold), 1),
        "cold_runs_s": [round(w, 2) for w, _ in cold],
        "j2_wall_s": round(j2_wall, 2),
        "j2_peak_mb": round(j2_peak, 1),
        "incremental_s": round(statistics.median(incremental), 2),
        "incremental_runs_s": [round(w, 2) for w in incremental],
        "nochange_s": round(statistics.median(nochange), 2),
        "nochange_runs_s": [round(w, 2) for w in nochange],
        "items": ITEMS,
    }
    if variant in ("ours", "before"):
        result["incremental_matrix_correct"] = correct
    shutil.rmtree(src, ignore_errors=True)
    return result


def render(results: dict[str, dict[str, object]]) -> str:
    sizes = sorted(results, key=int)
    lines = [
        "# ビルドのベンチマーク",
        "",
        "`make bench`（`bench/run.py`）が測定して `bench/results.json` に記録し、この表に書き出したものです",
        "（手で書いた数値はありません。各測定のコマンドと日付は表の後に示します）。各サイズ・各方式について、",
        "全体ビルドの所要時間とピークメモリは 3 回の中央値、`-j 2` は 1 回の測定です。差分（例文 1 件の ISO 対応付けを",
        "変更）と変更なしの再ビルドは、`results.json` に各回の値（`incremental_runs_s`, `nochange_runs_s`）がある測定では",
        "3 回の中央値（回ごとに対応付けを変え直す）、それ以外は 1 回の測定です。合成サイトの各項目は、2026-12-01 以降の測定では対策基準の例文"
        "（`measure`。NISC・ISO 2013・ISO 2022 のリンクごとの理由と【解説】付き。before の版が ISO 2022 のリンクを知らなければ"
        "その版の合成サイトには付けない）、2026-11-30 の測定では ISO 2022 のリンクのない例文、それより前の測定では論点資料の"
        "改定項目（`req`）です（測定の記録の日付を参照）。合成サイトは警告なしでビルドされることを毎回確かめます（警告が出れば測定を"
        "中止）。この確認を加える前（2026-11-30 の before/after の測定より前）の ours の測定では、合成サイトが実サイト用の"
        "規則（例文 ID の形式など）による警告を出していました。",
        "",
        f"- マシン: {platform.machine()}, {os.cpu_count()} コア, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}",
        "- 方式: **ours** = 本プロジェクトの拡張と対応表ページ（3 規格の対応表・ギャップ一覧・要件一覧・適用宣言書・"
        "エクスポート）、**stock** = 同じ画面を標準の sphinx-needs だけで作ったもの（上位の分類ごとの `needtable` と"
        "逆リンク列、ours が集計する分類（節・管理目的など）ごとの `need_count` のフィルタ、未対応をフィルタした表。"
        "ISO 2022 の対応は 2013 年版を経由するため標準のフィルタでは数えられず、対応の列の一覧のみ）、"
        "**floor** = 同じ need だけで対応表・検査・エクスポートなし。3 方式とも need の表示（レイアウト）は同じ "
        "`conf.py` の設定",
        "",
        "| N | 方式 | 全体ビルド (s) | ピークメモリ (MB) | -j 2 (s) | 差分 (s) | 変更なし (s) | 差分 / 変更なし |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for n in sizes:
        for variant in VARIANTS:
            r = results[n].get(variant)
            if not isinstance(r, dict):
                continue
            ratio = r["incremental_s"] / r["nochange_s"] if r["nochange_s"] else float("nan")
            lines.append(
                f"| {n} | {variant} | {r['wall_s']} | {r['peak_mb']} | {r['j2_wall_s']} | {r['incremental_s']} "
                f"| {r['nochange_s']} | {ratio:.2f} |"
            )
    lines += ["", "| N | ours / floor（全体ビルド） | ours / stock（全体ビルド） | 差分ビルド後の対応表 |", "|---:|---:|---:|---|"]
    for n in sizes:
        r = results[n]
        if all(isinstance(r.get(v), dict) for v in VARIANTS):
            ours, floor, stock = r["ours"], r["floor"], r["stock"]
            correct = "正しい" if ours.get("incremental_matrix_correct") else "誤り"
            lines.append(f"| {n} | {ours['wall_s'] / floor['wall_s']:.2f} | {ours['wall_s'] / stock['wall_s']:.2f} "
                         f"| {correct} |")
    lines += ["", *linearity(results, sizes), "", *targets(results, sizes)]
    comparison = before_after(results, sizes)
    if comparison:
        lines += ["", *comparison]
    lines += ["", "## 測定の記録", "", "| N | 方式 | コマンド | 日付 |", "|---:|---|---|---|"]
    for n in sizes:
        for variant in VARIANTS:
            r = results[n].get(variant)
            if isinstance(r, dict):
                lines.append(f"| {n} | {variant} | `{r.get('command', 'make bench')}` | {r.get('date', '')} |")
    return "\n".join(lines) + "\n"


#: What the synthetic site is made of (``generate.py``); results of another generator are not compared.
ITEMS = "measure+iso22"


def _items(result: dict[str, object]) -> str:
    """The generator a result was measured with: measurements before 2026-11-30 used ``req`` items, those
    before 2026-12-01 ``measure`` items without ISO/IEC 27001:2022 links."""
    return str(result.get("items", "req"))


def linearity(results: dict[str, dict[str, object]], sizes: list[str]) -> list[str]:
    """The cost of each further 1,000 requirements between two measured sizes: flat if the build is linear."""
    lines = ["## N に対する伸び（全体ビルド、要件 1,000 件あたりの増分秒）", "",
             "隣り合う 2 つのサイズの間で、全体ビルドの時間の差を要件数の差で割ったものです。N によらずほぼ一定なら、"
             "ビルド時間は N に比例して伸びています。", "",
             "| 区間 | " + " | ".join(VARIANTS) + " |", "|---|" + "---:|" * len(VARIANTS)]
    for low, high in itertools.pairwise(sizes):
        cells = []
        for variant in VARIANTS:
            a, b = results[low].get(variant), results[high].get(variant)
            if isinstance(a, dict) and isinstance(b, dict) and _items(a) != _items(b):
                cells.append("–（合成サイトの生成方法が異なる）")
            elif isinstance(a, dict) and isinstance(b, dict):
                cells.append(f"{(b['wall_s'] - a['wall_s']) / (int(high) - int(low)) * 1000:.1f}")
            else:
                cells.append("–")
        lines.append(f"| {low} → {high} | " + " | ".join(cells) + " |")
    return lines


def targets(results: dict[str, dict[str, object]], sizes: list[str]) -> list[str]:
    """Issue #7's targets against the measured figures (met or not, per N)."""
    lines = ["## 目標との比較", "", "全体ビルド（直列）の中央値で判定します。", "",
             "| N | ours / floor ≤ 1.10 | ours が stock の 2 倍以上速い（N ≥ 3000） "
             "| 差分 ≤ 1.5 × 変更なし（ours） |", "|---:|---|---|---|"]

    def mark(ok: bool, value: str) -> str:
        return f"{'達成' if ok else '未達'}（{value}）"

    for n in sizes:
        r = results[n]
        if not all(isinstance(r.get(v), dict) for v in VARIANTS):
            continue
        ours, floor, stock = r["ours"], r["floor"], r["stock"]
        to_floor = ours["wall_s"] / floor["wall_s"]
        speedup = stock["wall_s"] / ours["wall_s"]
        parallel = stock["j2_wall_s"] / ours["j2_wall_s"]
        shown = f"{speedup:.2f} 倍、-j 2 では {parallel:.2f} 倍"
        incremental = ours["incremental_s"] / ours["nochange_s"]
        lines.append(
            f"| {n} | {mark(to_floor <= 1.10, f'{to_floor:.2f}')} "
            f"| {mark(speedup >= 2, shown) if int(n) >= 3000 else f'（対象外: {shown}）'} "
            f"| {mark(incremental <= 1.5, f'{incremental:.2f}')} |"
        )
    return lines


def export_revision(rev: str, workdir: Path) -> Path:
    """The project's conf.py, _ext/ and _static/ at git revision ``rev``, in a folder of ``workdir``."""
    out = workdir / f"before-{rev}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "conf.py", "_ext", "_static"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    return out


def before_after(results: dict[str, dict[str, object]], sizes: list[str]) -> list[str]:
    """The before/after table: 'ours' at an earlier revision and now, measured in the same run."""
    rows = [n for n in sizes if isinstance(results[n].get("before"), dict) and isinstance(results[n].get("ours"), dict)]
    if not rows:
        return []
    lines = ["## 変更の前後（同じ実行で測定）", "",
             "`make bench BEFORE=<リビジョン>` が、そのリビジョンの `conf.py`・`_ext/`・`_static/` と現在のものを同じ実行で"
             "測定した結果です。", "",
             "| N | 変更前 | 全体ビルド 前 → 後 (s) | 後 / 前 | -j 2 前 → 後 (s) | 差分 / 変更なし 前 → 後 | 差分ビルド後の対応表（後） |",
             "|---:|---|---|---:|---|---|---|"]
    for n in rows:
        before, after = results[n]["before"], results[n]["ours"]
        assert isinstance(before, dict) and isinstance(after, dict)

        def ratio(r: dict[str, Any]) -> str:
            return f"{r['incremental_s'] / r['nochange_s']:.2f}" if r["nochange_s"] else "–"

        lines.append(
            f"| {n} | `{before.get('rev', '')}` | {before['wall_s']} → {after['wall_s']} "
            f"| {after['wall_s'] / before['wall_s']:.2f} | {before['j2_wall_s']} → {after['j2_wall_s']} "
            f"| {ratio(before)} → {ratio(after)} | {'正しい' if after.get('incremental_matrix_correct') else '誤り'} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=os.environ.get("SIZES", "300 1000 3000 10000"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--variants", default=" ".join(VARIANTS))
    parser.add_argument("--workdir", default=os.environ.get("BENCH_WORKDIR", "/tmp/guideline-bench"))
    parser.add_argument("--render-only", action="store_true", help="rewrite RESULTS.md from results.json")
    parser.add_argument("--before", default=os.environ.get("BEFORE", ""),
                        help="also measure 'ours' at this git revision, in the same run (before/after table)")
    args = parser.parse_args()
    results: dict[str, dict[str, object]] = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() else {}
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    command = "cd bench && python run.py " + " ".join(
        f"--{k} {v!r}" if " " in str(v) else f"--{k} {v}"
        for k, v in (("sizes", args.sizes), ("variants", args.variants), ("runs", args.runs))
    )
    if args.render_only:
        RESULTS_MD.write_text(render(results), encoding="utf-8")
        return
    before_root = export_revision(args.before, workdir) if args.before else None
    for n in (int(s) for s in args.sizes.split()):
        entry = results.setdefault(str(n), {})
        if before_root is not None:
            print(f"N={n} before ({args.before}) ...", flush=True)
            entry["before"] = measure(n, "before", args.runs, workdir, before_root)
            entry["before"].update(rev=args.before, command=command + f" --before {args.before}",  # type: ignore[union-attr]
                                   date=time.strftime("%Y-%m-%d"))
        for variant in args.variants.split():
            print(f"N={n} {variant} ...", flush=True)
            entry[variant] = measure(n, variant, args.runs, workdir)
            entry[variant]["command"] = command  # type: ignore[index]
            entry[variant]["date"] = time.strftime("%Y-%m-%d")  # type: ignore[index]
            print(f"  {entry[variant]}", flush=True)
            RESULTS_JSON.write_text(json.dumps(results, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
        if all(isinstance(entry.get(v), dict) for v in VARIANTS):
            entry["ratios"] = {
                "ours_floor": round(entry["ours"]["wall_s"] / entry["floor"]["wall_s"], 3),  # type: ignore[index]
                "ours_stock": round(entry["ours"]["wall_s"] / entry["stock"]["wall_s"], 3),  # type: ignore[index]
            }
        RESULTS_JSON.write_text(json.dumps(results, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    RESULTS_MD.write_text(render(results), encoding="utf-8")
    print(RESULTS_MD.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
