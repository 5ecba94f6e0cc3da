"""Generate a synthetic guideline site of N requirements, in three variants, for the benchmark.

Every variant has the same needs: the real catalogs (NISC H26, ISO/IEC 27001:2013,
ISO/IEC 27001:2022, written as plain sphinx-needs directives), 7 themes, and N
requirements, each linked to 1-3 NISC items and 1-3 ISO controls, 50 to a page,
with Japanese text. They differ only in the reviewer views:

* ``ours``  -- the project's own extensions (conf.py of the repository) and its
  matrix pages for all three standards, gap lists, the requirement table, the SoA
  and the exports;
* ``stock`` -- the same reviewer views with stock sphinx-needs only: ``needtable``
  with back-link columns (one per top group, as ours groups its entry rows),
  ``need_count`` filters for the coverage of every group ours rolls rows up to, and
  filtered tables for gaps. ISO 2022 coverage goes through the 2013 correspondence,
  which no stock filter can follow: stock lists the controls with that column;
* ``floor`` -- the same needs with no trace pages, checks or exports at all.

    python bench/generate.py N VARIANT OUTDIR
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))

from trace_model.catalogs import load_catalog  # noqa: E402 (after the path is set)
from trace_model.report import LEVEL_LABELS  # noqa: E402

PER_PAGE = 50
THEMES = 7
CIRCLED = "①②③④⑤⑥⑦"
SENTENCES = [
    "自治体は、委託先における情報セキュリティ対策の実施状況を定期的に確認すること。",
    "住民情報などの機密性の高い情報は、国内法の適用される範囲に保管すること。",
    "庁舎外から庁内の情報システムに接続する場合は、通信内容を暗号化すること。",
    "支給以外の端末で要機密情報を取り扱う場合は、責任者の許可を得ること。",
    "ソーシャルメディアサービスのアカウントは、運用組織を明示して管理すること。",
    "情報セキュリティインシデントを認知した場合は、最高情報セキュリティ責任者に報告すること。",
    "クラウドサービスの利用に当たっては、サービスレベルと想定されるリスクを確認すること。",
]
CATALOG_FILES = {"nisc": "nisc_h26.yaml", "iso": "iso27001_2013.yaml", "iso22": "iso27001_2022.yaml"}


def catalog_pages(out: Path) -> dict[str, list[tuple[str, str, str, str]]]:
    """Write the real catalogs as plain need directives; return (id, level, parent, title) per need type."""
    entries: dict[str, list[tuple[str, str, str, str]]] = {}
    (out / "catalogs").mkdir(parents=True, exist_ok=True)
    for need_type, name in CATALOG_FILES.items():
        catalog = load_catalog(ROOT / "traceability" / "catalogs" / name)
        lines = [f"# {catalog.title}", ""]
        for entry in catalog.entries:
            title = entry.values.get("title") or entry.values.get("title_ja")
            lines += [f"```{{{need_type}}} {entry.number} {title}", f":id: {entry.id}",
                      f":clause: {entry.number}", f":level: {entry.level}"]
            if entry.parent:
                lines.append(f":parent: {entry.parent}")
            if need_type == "iso22" and entry.values.get("corresponds_2013"):
                lines.append(":corresponds: " + ", ".join(
                    "ISO-" + n.replace(".", "-") for n in entry.values["corresponds_2013"]))
            lines += ["```", ""]
        (out / "catalogs" / f"{need_type}.md").write_text("\n".join(lines), encoding="utf-8")
        entries[need_type] = [
            (e.id, e.level, e.parent or "", str(e.values.get("title") or e.values.get("title_ja")))
            for e in catalog.entries
        ]
    return entries


def structure_page(out: Path) -> None:
    lines = ["# 論点資料の構造", "", "```{change} IT環境の変化", ":id: CHG-1", ":number: 1", "```", "",
             "```{viewpoint} 改定の観点", ":id: VP-1", ":number: 1", ":stance: 改定の議論が必要と認識",
             ":change: CHG-1", "```", ""]
    for t in range(1, THEMES + 1):
        lines += [f"```{{theme}} 議論テーマ{t}", f":id: THEME-{t}", f":number: {t}", ":viewpoint: VP-1",
                  ":change: CHG-1", ":nisc: NISC-4-1-1", "```", ""]
    (out / "structure.md").write_text("\n".join(lines), encoding="utf-8")


def requirement_pages(out: Path, n: int, entries: dict[str, list[tuple[str, str, str, str]]], seed: int = 2014,
                      iso22: bool = True) -> list[str]:
    """``n`` 例文 items on pages of PER_PAGE; with ``iso22``, each also links 1-3 ISO/IEC 27001:2022 controls with
    reasons, as every 例文 of the site does since 2026-12 (a revision whose conf.py has no 'iso22' link type
    gets none)."""
    rng = random.Random(seed)
    nisc = [i for i, level, _, _ in entries["nisc"] if level == "item"]
    iso = [i for i, level, _, _ in entries["iso"] if level == "control"]
    iso2022 = [i for i, level, _, _ in entries["iso22"] if level == "control"]
    (out / "reqs").mkdir(exist_ok=True)
    pages = []
    for page in range((n + PER_PAGE - 1) // PER_PAGE):
        name = f"reqs/page{page:04d}"
        lines = [f"# 要件 {page + 1}", "", "この章では、自治体の情報セキュリティ対策の要件を示します。", ""]
        for k in range(page * PER_PAGE, min(n, (page + 1) * PER_PAGE)):
            isos = rng.sample(iso, rng.randint(1, 3))
            niscs = rng.sample(nisc, rng.randint(1, 3))
            isos22 = rng.sample(iso2022, rng.randint(1, 3)) if iso22 else []
            text = " ".join(rng.sample(SENTENCES, 2))
            paper = k % 3
            lines += [
                f"```{{measure}} 例文 {k + 1:05d} {SENTENCES[k % len(SENTENCES)][:12]}",
                f":id: STD-B-{k + 1:05d}",
                f":source: {'paper' if paper else 'added'}",
                *([f":paper_ref: {CIRCLED[k % THEMES]}-1"] if paper else []),
                f":nisc: {', '.join(niscs)}",
                ":nisc_reason: " + "; ".join(f"{i}: 例文の根拠となる項目" for i in niscs),
                f":iso: {', '.join(isos)}",
                ":iso_reason: " + "; ".join(f"{i}: 例文の根拠となる管理策" for i in isos),
                *([f":iso22: {', '.join(isos22)}",
                   ":iso22_reason: " + "; ".join(f"{i}: 例文の根拠となる管理策" for i in isos22)] if isos22 else []),
                "",
                text,
                "",
                "**【解説】**",
                "",
                SENTENCES[(k + 1) % len(SENTENCES)],
                "```",
                "",
            ]
        (out / f"{name}.md").write_text("\n".join(lines), encoding="utf-8")
        pages.append(name)
    return pages


OURS_PAGES = {
    "views/nisc": "# NISC 統一基準への対応\n\n```{coverage-matrix}\n:standard: nisc\n:rows: section\n```\n\n"
                  "```{coverage-matrix}\n:standard: nisc\n```\n\n```{coverage-matrix}\n:standard: nisc\n:gaps:\n```\n",
    "views/iso": "# ISO 2013 への対応\n\n```{coverage-matrix}\n:standard: iso\n:rows: objective\n```\n\n"
                 "```{coverage-matrix}\n:standard: iso\n```\n\n```{coverage-matrix}\n:standard: iso\n:gaps:\n```\n",
    "views/iso22": "# ISO 2022 への対応\n\n```{coverage-matrix}\n:standard: iso22\n:rows: theme\n```\n\n"
                   "```{coverage-matrix}\n:standard: iso22\n```\n\n```{coverage-matrix}\n:standard: iso22\n:gaps:\n```\n",
    "views/soa": "# 適用宣言書\n\n```{trace-soa}\n```\n",
    "views/requirements": "# 要件の一覧\n\n```{trace-requirements}\n```\n",
}


def _stock_coverage(title: str, need_type: str, level: str, back: str, rows: str, top: str,
                    entries: list[tuple[str, str, str, str]]) -> str:
    """The figures of ours' three matrices of a standard, with stock sphinx-needs: a ``need_count``
    pair per group for the rolled-up rows, a ``needtable`` with the back-link column per top
    group for the entries, and a filtered table for the gaps."""
    every = f"type == '{need_type}' and level == '{level}'"
    covered = f"{every} and len({back}) > 0"
    lines = [f"# {title}", "", f"対応: {{need_count}}`{covered}` / {{need_count}}`{every}`", "",
             f"## {LEVEL_LABELS.get(rows, rows)}ごとの対応", ""]
    for group_id, group_level, _, group_title in entries:
        if group_level == rows:
            below = f"{every} and id.startswith('{group_id}-')"
            lines.append(f"- {group_title}: {{need_count}}`{below} and len({back}) > 0` / {{need_count}}`{below}`")
    lines += ["", f"## {LEVEL_LABELS.get(level, level)}ごとの対応", ""]
    for group_id, group_level, _, group_title in entries:
        if group_level == top:
            below = f"{every} and id.startswith('{group_id}-')"
            # (a need_count role cannot sit in a heading: the toctree collector rejects it)
            lines += [f"### {group_title}", "", f"対応: {{need_count}}`{below} and len({back}) > 0` / "
                      f"{{need_count}}`{below}`", "",
                      "```{needtable}", f":filter: {below}", f":columns: id, title, {back}", "```", ""]
    lines += ["## 未対応", "", "```{needtable}", f":filter: {every} and len({back}) == 0", ":columns: id, title",
              "```", ""]
    return "\n".join(lines)


def stock_pages(entries: dict[str, list[tuple[str, str, str, str]]]) -> dict[str, str]:
    themes = ["# ISO 2022 への対応", "",
              "2022年版の対応は 2013年版の管理策を経由して数えるため、標準のフィルタでは数えられません（対応の列を表示）。", ""]
    for theme_id, level, _, theme_title in entries["iso22"]:
        if level == "theme":
            themes += [f"## {theme_title}", "", "```{needtable}",
                       f":filter: type == 'iso22' and level == 'control' and parent == '{theme_id}'",
                       ":columns: id, title, corresponds", "```", ""]
    return {
        "views/nisc": _stock_coverage("NISC 統一基準への対応", "nisc", "item", "nisc_back", "section", "part",
                                      entries["nisc"]),
        "views/iso": _stock_coverage("ISO 2013 への対応", "iso", "control", "iso_back", "objective", "clause",
                                     entries["iso"]),
        "views/iso22": "\n".join(themes),
        "views/soa": "# 適用宣言書\n\n```{needtable}\n:filter: type == 'iso' and level == 'control'\n"
                     ":columns: id, title, iso_back\n```\n",
        "views/requirements": "# 要件の一覧\n\n```{needtable}\n:types: measure\n"
                              ":columns: id, title, source, theme, nisc, iso\n```\n",
    }


def write_site(n: int, variant: str, out: Path, root: Path = ROOT) -> list[str]:
    """Write the site; return the requirement page names (the benchmark edits one of them).

    ``root``: the project tree whose conf.py, _ext/ and _static/ the site uses (another
    revision's, for the before/after comparison); the variant "before" is "ours" there.
    """
    out.mkdir(parents=True, exist_ok=True)
    entries = catalog_pages(out)
    structure_page(out)
    has_iso22 = '"iso22": {"targets"' in (root / "conf.py").read_text(encoding="utf-8")
    pages = requirement_pages(out, n, entries, iso22=has_iso22)
    views = {"ours": OURS_PAGES, "before": OURS_PAGES, "stock": stock_pages(entries), "floor": {}}[variant]
    (out / "views").mkdir(exist_ok=True)
    for name, text in views.items():
        (out / f"{name}.md").write_text(text, encoding="utf-8")
    (out / "soa.yaml").write_text("standard: iso27001-2013\nexclusions: []\n", encoding="utf-8")
    toc = ["catalogs/nisc", "catalogs/iso", "catalogs/iso22", "structure", *pages, *views]
    (out / "index.md").write_text(
        "# ベンチマーク用のサイト\n\n```{toctree}\n:maxdepth: 1\n\n" + "\n".join(toc) + "\n```\n", encoding="utf-8"
    )
    (out / "conf.py").write_text(CONF.format(root=str(root), variant=variant), encoding="utf-8")
    return pages


CONF = '''"""Benchmark site ({variant}): the project's data model; the views differ by variant."""
import runpy
_real = runpy.run_path("{root}/conf.py")
globals().update({{k: v for k, v in _real.items() if not k.startswith("__")}})
exclude_patterns = ["_build"]
trace_catalogs = {{}}
trace_soa_files = {{"iso": "soa.yaml"}}
# random links need not reach every control; the completeness rules are the real site's:
# synthetic IDs are not printed positions, and no synthetic item realises a revision point
trace_soa_complete = False
trace_id_patterns = {{}}
trace_id_docnames = {{}}
trace_required_when = {{}}
trace_required_backlinks = {{}}
# the site's variant spellings name words of its own text, which the synthetic text does not hold
site_search_variants = ""
if "trace_stamps_file" in globals():
    # the synthetic links were never reviewed (make restamp), so the suspect-link check is left out; the
    # current edition it compares (exports/edition.json) is still made and written on every build
    trace_stamps_file = ""
if "trace_params_file" in globals():
    # the synthetic 例文 mark no 団体で定める事項 and ask no 自己点検 question (the real site's do)
    trace_params_file = ""
    trace_required_fields = {{t: [f for f in fields if f != "check"] for t, fields in trace_required_fields.items()}}
html_static_path = ["{root}/_static"]
html_theme = "furo"
if "{variant}" not in ("ours", "before"):
    # stock sphinx-needs (and the floor): none of the project's own extensions
    extensions = ["myst_parser", "sphinx_needs"]
'''


if __name__ == "__main__":
    write_site(int(sys.argv[1]), sys.argv[2], Path(sys.argv[3]))
