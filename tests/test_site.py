"""The real guideline site: a strict build with zero warnings, and needs.json as published.

These tests run ``sphinx-build`` as ``make html`` does (``-W --keep-going``), in a
subprocess, so that the exit status an editor sees is what is tested.
"""

from __future__ import annotations

import functools
import re
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, copy_site, normalise_warnings, sphinx_build

pytestmark = pytest.mark.site

def test_the_site_builds_strictly_with_zero_warnings(site: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    result, outdir = site
    assert result.stderr == ""
    assert result.returncode == 0
    assert (outdir / "index.html").is_file()


def test_needs_json_lists_the_iso_and_nisc_catalogs(needs: dict[str, dict[str, Any]]) -> None:
    kinds = Counter((n["type"], n["level"]) for n in needs.values() if n["type"] != "req")
    assert kinds[("iso", "control")] == 114
    assert kinds[("iso", "objective")] == 35
    assert kinds[("iso", "clause")] == 14
    assert kinds[("iso22", "control")] == 93
    assert {level for (kind, level) in kinds if kind == "nisc"} == {"part", "section", "item", "requirement"}
    assert kinds[("nisc", "part")] == 8


def test_catalog_needs_carry_the_documented_fields(needs: dict[str, dict[str, Any]]) -> None:
    control = needs["ISO-A-15-1-2"]
    assert (control["clause"], control["level"], control["parent"]) == ("A.15.1.2", "control", "ISO-A-15-1")
    assert control["title_ja"] and control["title_en"] == "Addressing security within supplier agreements"
    item = needs["NISC-4-1-2"]
    assert (item["clause"], item["level"], item["confidence"]) == ("4.1.2", "item", "high")
    assert item["title"] == "4.1.2 約款による外部サービスの利用"
    iso22 = needs["ISO22-5-23"]
    assert (iso22["clause"], iso22["new"], iso22["corresponds"]) == ("5.23", "yes", [])
    assert needs["ISO22-5-1"]["corresponds"] == ["ISO-A-5-1-1", "ISO-A-5-1-2"]
    assert "ISO22-5-1" in needs["ISO-A-5-1-1"]["corresponds_back"]
    assert all("." not in need_id for need_id in needs)


def test_every_catalog_entry_has_a_stable_anchor_on_its_page(site: tuple[subprocess.CompletedProcess[str], Path],
                                                            needs: dict[str, dict[str, Any]]) -> None:
    from bs4 import BeautifulSoup

    _, outdir = site
    pages = {"nisc": "nisc", "iso": "iso2013", "iso22": "iso2022"}
    for kind, page in pages.items():
        soup = BeautifulSoup((outdir / "traceability" / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
        anchors = {tag["id"] for tag in soup.find_all(id=True)}
        wanted = {i for i, n in needs.items() if n["type"] == kind}
        assert wanted <= anchors, sorted(wanted - anchors)[:5]


def test_planted_mistakes_fail_the_build_and_are_all_listed(tmp_path: Path) -> None:
    src = copy_site(tmp_path / "src")
    (src / "requirements" / "planted.md").write_text(
        """# 誤りを含む例文

```{measure} 存在しない項目を根拠とする例文
:id: STD-8-9-1
:source: added
:nisc: NISC-4-1-9
:nisc_reason: NISC-4-1-9: 存在しない項目
:iso: ISO-A-15-1-2
:iso_reason: ISO-A-15-1-2: 合意
:iso22: ISO22-5-20
:iso22_reason: ISO22-5-20: 合意
```

```{measure} ISO への対応付けがない例文
:id: STD-8-9-2
:source: paper
:nisc: NISC-4-1-1
:nisc_reason: NISC-4-1-1: 外部委託
:iso22: ISO22-5-19
:iso22_reason: ISO22-5-19: 方針
```

```{measure} 同じIDの例文
:id: STD-8-9-1
:source: added
:nisc: NISC-4-1-1
:nisc_reason: NISC-4-1-1: 外部委託
:iso: ISO-A-15-1-1
:iso_reason: ISO-A-15-1-1: 方針
:iso22: ISO22-5-19
:iso22_reason: ISO22-5-19: 方針
```

```{req} どの例文にも実現されない改定項目
:id: REQ-PLANTED-001
:source: added
:theme: THEME-1
:nisc: NISC-4-1-2
:nisc_reason: NISC-4-1-2: 約款
:iso: ISO-A-15-1-1
:iso_reason: ISO-A-15-1-1: 方針
:iso22: ISO22-5-19
:iso22_reason: ISO22-5-19: 方針
```
""",
        encoding="utf-8",
    )
    chapter = src / "source" / "standards" / "08-external-services.md"
    chapter.write_text(
        chapter.read_text(encoding="utf-8") + "\n```{include} ../../requirements/planted.md\n```\n", encoding="utf-8"
    )
    result = sphinx_build(src, tmp_path / "out")
    assert result.returncode != 0
    # the planted 例文 have no wording and no 【解説】 either: each is told so too (trace.need-body; the
    # first STD-8-9-1 is refused as a duplicate, so only the one kept is)
    assert normalise_warnings(result.stderr, src) == [
        # every 対策基準 例文 asks its 自己点検 question (the planted ones do not)
        "requirements/planted.md:3: STD-8-9-1: this 'measure' has no 'check'; it is required. Add the option "
        "':check: <value>'. [trace.missing-field]",
        "requirements/planted.md:6: STD-8-9-1: the 'nisc' link names 'NISC-4-1-9', which does not exist. "
        "Did you mean 'NISC-4-1-3'? [trace.dangling-link]",
        "requirements/planted.md:14: STD-8-9-2: this 'measure' has 'source' 'paper' but no 'paper_ref'; it is "
        "required then. Add the option ':paper_ref: <value>'. [trace.missing-field]",
        "requirements/planted.md:14: STD-8-9-2: this 'measure' has 'source' 'paper' but no 'realises'; it is "
        "required then. Add the option ':realises: <ID>'. [trace.missing-field]",
        "requirements/planted.md:14: STD-8-9-2: this 'measure' has no 'check'; it is required. Add the option "
        "':check: <value>'. [trace.missing-field]",
        "requirements/planted.md:14: STD-8-9-2: this 'measure' has no 'iso' link; it needs at least one. "
        "Add the option ':iso: <ID>' to the 'measure' directive. [trace.missing-link]",
        "requirements/planted.md:14: STD-8-9-2: this 'measure' has no paragraph opening with **【解説】**, so all "
        "of its text is shown as its wording and none as its 解説. Start the 解説 with a paragraph "
        "'**【解説】**' (bold, full-width brackets) after the wording. [trace.need-body]",
        "requirements/planted.md:23: ID 'STD-8-9-1' is defined twice: here and at requirements/planted.md:3. "
        "Give one of them a new ID (IDs must be unique in the whole site). [trace.duplicate-id]",
        "requirements/planted.md:23: STD-8-9-1: this 'measure' has no paragraph opening with **【解説】**, so all "
        "of its text is shown as its wording and none as its 解説. Start the 解説 with a paragraph "
        "'**【解説】**' (bold, full-width brackets) after the wording. [trace.need-body]",
        "requirements/planted.md:34: REQ-PLANTED-001: no item names this 'req' in its 'realises' links; every "
        "'req' needs at least one. Add ':realises: REQ-PLANTED-001' to the item that puts it into effect. "
        "[trace.missing-backlink]",
        "requirements/planted.md:34: REQ-PLANTED-001: this 'req' has no paragraph opening with **【解説】**, so all "
        "of its text is shown as its wording and none as its 解説. Start the 解説 with a paragraph "
        "'**【解説】**' (bold, full-width brackets) after the wording. [trace.need-body]",
        # a new 例文's links have not been reviewed (make restamp); not the link to NISC-4-1-9, which is dangling
        *(f"requirements/planted.md:{line}: {item} → {target}: the link has not been reviewed (no stamp in the link "
          f"stamps). Review the link and its reason, then run `make restamp IDS={item}`. [trace.suspect-link]"
          for line, item, target in ((8, "STD-8-9-1", "ISO-A-15-1-2"), (10, "STD-8-9-1", "ISO22-5-20"),
                                     (17, "STD-8-9-2", "NISC-4-1-1"), (19, "STD-8-9-2", "ISO22-5-19"))),
    ]


def test_one_tab_in_a_catalog_gives_one_message_not_one_per_link(tmp_path: Path) -> None:
    """A catalog that cannot be loaded leaves every link into it dangling; only the line
    to fix is reported (serial and parallel), not the links or the {need} references."""
    src = copy_site(tmp_path / "src")
    catalog = src / "traceability" / "catalogs" / "nisc_h26.yaml"
    lines = catalog.read_text(encoding="utf-8").splitlines(keepends=True)
    row = next(i for i, line in enumerate(lines) if '"4.1.1"' in line)
    lines[row] = lines[row].replace("  - ", "\t- ", 1)
    catalog.write_text("".join(lines), encoding="utf-8")
    expected = [
        f"traceability/catalogs/nisc_h26.yaml:{row + 1}: YAML syntax error: found character '\\t' that cannot "
        "start any token. YAML indents with spaces, never tabs: replace the tab on this line with spaces. "
        "[trace.catalog-syntax]"
    ]
    for extra in ([], ["-j", "2"]):
        out = tmp_path / f"out{len(extra)}"
        result = sphinx_build(src, out, "-d", str(out / ".doctrees"), *extra)
        assert result.returncode != 0
        assert normalise_warnings(result.stderr, src) == expected


def need_tables(outdir: Path, needs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """need ID -> its rendered box (``div.need-box``, guideline_site.need_headings), parsed from the page
    sphinx-needs put it on."""
    from bs4 import BeautifulSoup

    tables: dict[str, Any] = {}
    for docname in sorted({n["docname"] for n in needs.values() if n["docname"]}):
        soup = BeautifulSoup((outdir / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")
        for table in soup.select("div.need-box"):
            if table.get("id") in needs:
                tables[table["id"]] = table
    return tables


def link_targets(table: Any) -> set[str]:
    return {a["href"].rsplit("#", 1)[-1] for a in table.select(".need-trace a[href*='#']")}


def test_every_requirement_shows_its_theme_nisc_iso_and_back_links_in_japanese(site, needs) -> None:
    _, outdir = site
    tables = need_tables(outdir, needs)
    for need_id, need in needs.items():
        if need["type"] not in ("req", "rev"):
            continue
        meta = tables[need_id].select_one(".need-trace").get_text(" ")
        assert ("議論テーマ:" in meta) or ("改定の観点:" in meta), need_id
        assert "出所: " in meta and ("論点資料に基づく" in meta or "本改定で追加" in meta), need_id
        targets = link_targets(tables[need_id])
        if need["type"] == "req":
            assert "NISC統一基準:" in meta and "ISO/IEC 27001:2013:" in meta, need_id
            assert set(need["nisc"]) | set(need["iso"]) <= targets, need_id
        if need.get("revises_back"):
            assert "改定指示:" in meta and set(need["revises_back"]) <= targets, need_id


def test_every_catalog_entry_shows_the_requirements_that_cite_it(site, needs) -> None:
    _, outdir = site
    tables = need_tables(outdir, needs)
    cited = 0
    for need_id, need in needs.items():
        citing = set(need.get("nisc_back") or ()) | set(need.get("iso_back") or ())
        if need["type"] in ("nisc", "iso") and citing:
            cited += 1
            assert "根拠とする例文・改定項目:" in tables[need_id].select_one(".need-trace").get_text(" ")
            assert citing <= link_targets(tables[need_id]), need_id
    assert cited > 50


def test_every_requirement_and_clause_has_a_stable_anchor(site, needs) -> None:
    _, outdir = site
    tables = need_tables(outdir, needs)
    assert set(tables) == {i for i, n in needs.items() if n["docname"]}
    for need_id, table in tables.items():
        # the anchor is the ID itself, and its container's ID is derived from it, not random
        assert table.parent.get("id") == f"SNCB-{need_id}"


CATALOG_TYPES = ("nisc", "iso", "iso22")


@functools.cache
def _catalog_ranks() -> dict[tuple[str, str], int]:
    import runpy

    from guideline_site.need_headings import catalog_ranks

    return catalog_ranks(runpy.run_path(str(ROOT / "conf.py"))["trace_standards"])


def catalog_rank(need: dict[str, Any]) -> int:
    """A catalog entry's depth in its catalog (0 for a top group, and for every other need), from conf.py's
    trace_standards through guideline_site.need_headings.catalog_ranks."""
    return _catalog_ranks().get((need["type"], need.get("level") or ""), 0)


def test_every_need_is_a_heading_with_its_statement_first_then_its_trace_then_its_explanation(
        site, needs) -> None:
    """guideline_site.need_headings: a need's heading names its ID and title; its heading level is one
    below the section it is in (or the need it is nested in); the statement comes before the trace, the
    解説 after it; nothing of the three rows is left outside them."""
    _, outdir = site
    boxes = need_tables(outdir, needs)
    explained = 0
    for need_id, box in boxes.items():
        parts = box.find_all(recursive=False)
        heading = parts[0]
        assert heading.name in ("h2", "h3", "h4", "h5", "h6") and "need-title" in heading["class"], need_id
        assert need_id in heading.get_text() and needs[need_id]["title"] in heading.get_text(), need_id
        outer = box.find_parent(lambda tag: tag.name == "section" or "need-box" in (tag.get("class") or ()))
        outer_heading = outer.find(re.compile(r"^h[1-6]$")) if outer is not None else None
        # a catalog entry sits one level deeper for each level of its catalog above it (A.5 > A.5.1 > A.5.1.1)
        rank = catalog_rank(needs[need_id])
        assert outer_heading is not None, need_id
        assert int(heading.name[1]) == min(6, int(outer_heading.name[1]) + 1 + rank), (need_id, heading.name)
        order = [next(c for c in part["class"] if c.startswith("need-")) for part in parts]
        canonical = ["need-title", "need-statement", "need-trace", "need-explanation"]
        # each part at most once, in this order, the heading first
        assert order[0] == "need-title" and order == [c for c in canonical if c in order], (need_id, order)
        if "**【解説】**" in needs[need_id]["content"]:
            explained += 1
            assert order[-1] == "need-explanation", need_id
            assert box.select_one(".need-explanation").get_text().lstrip().startswith("【解説】"), need_id
            assert not [p for p in box.select(".need-statement p") if p.get_text().startswith("【解説】")], need_id
    assert explained > 50


def test_every_guideline_need_is_listed_in_its_page_contents_as_id_and_title(site, needs) -> None:
    """The page's contents (furo's 「このページの内容」) lists each requirement, 例文 and revision point as
    "ID title", linking to it; of the catalog entries (headings all) only the top groups are listed (a
    catalog page has hundreds)."""
    from bs4 import BeautifulSoup

    _, outdir = site
    listed = 0
    for docname in sorted({n["docname"] for n in needs.values() if n["docname"]}):
        soup = BeautifulSoup((outdir / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")
        toc = {a["href"]: a.get_text() for a in soup.select(".toc-tree a[href^='#']")}
        for box in soup.select("div.need-box"):
            need = needs[box["id"]]
            if need["type"] in CATALOG_TYPES and catalog_rank(need) > 0:
                assert f"#{box['id']}" not in toc, box["id"]
            else:
                expected = need["title"] if need["type"] in CATALOG_TYPES else f"{need['id']} {need['title']}"
                assert toc.get(f"#{box['id']}") == expected, (docname, box["id"])
                listed += 1
    assert listed == sum(1 for n in needs.values()
                         if n["docname"] and (n["type"] not in CATALOG_TYPES or catalog_rank(n) == 0))


def test_no_paragraph_breaks_a_japanese_sentence(site) -> None:
    """A source line break between two Japanese characters would show as a space in the browser."""
    from bs4 import BeautifulSoup

    ja = "\u3000-\u303f\u3040-\u30ff\u4e00-\u9fff\uff00-\uffef"
    _, outdir = site
    found = []
    for path in sorted(outdir.rglob("*.html")):
        main = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").select_one('[role="main"]')
        for paragraph in main.find_all("p") if main else []:
            if paragraph.find_parent("table", class_="shinkyu"):
                continue  # a 新旧対照表 cell keeps the 例文's line breaks as breaks (white-space: pre-line)
            for hit in re.finditer(rf"[{ja}][ \t]*\n[ \t]*[{ja}]", paragraph.get_text()):
                found.append((path.relative_to(outdir).as_posix(), hit.group(0)))
    assert found == []


def test_every_need_records_the_file_and_line_it_is_written_at(needs) -> None:
    """``defined_at`` names the file the editor edits (an included requirements file, a catalog row)."""

    assert needs
    for need_id, need in needs.items():
        path, _, line = need["defined_at"].rpartition(":")
        lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
        if need["type"] in ("nisc", "iso", "iso22"):
            assert f'number: "{need["clause"]}"' in lines[int(line) - 1], need_id
        else:
            assert lines[int(line) - 1].lstrip("`").startswith("{" + need["type"] + "}"), need_id
            block = "\n".join(lines[int(line):int(line) + 12])
            assert re.search(rf"^:id:\s*{re.escape(need_id)}\s*$", block, re.MULTILINE), need_id


#: Two or more English words and nothing else: an interface label left untranslated.
ENGLISH_LABEL = re.compile(r"^[A-Za-z][A-Za-z'/,.!?-]*(?:\s+[A-Za-z'/,.!?-]+)+$")


@pytest.mark.wcag("3.1.2", title="画面の部品の名前がすべて日本語か、lang=\"en\" の中にある（全ページ）")
def test_no_english_interface_label_outside_lang_en(site: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    """Every label a reader or a screen reader meets is Japanese, or marked lang="en" (WCAG 3.1.2):
    the attributes that label an element anywhere, and the text of the page around its main content
    (the theme's navigation, toggles, icons and footer; guideline_site.a11y.UI_LABELS)."""
    from bs4 import BeautifulSoup

    _, outdir = site
    english: dict[tuple[str, str], set[str]] = {}
    pages = sorted(outdir.rglob("*.html"))
    assert len(pages) > 30
    for path in pages:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for marked in soup.select('[lang="en"]'):
            marked.decompose()
        for element in soup.find_all(True):
            for attribute in ("aria-label", "title", "alt", "placeholder"):
                value = element.get(attribute)
                if isinstance(value, str) and ENGLISH_LABEL.match(value.strip()):
                    english.setdefault((attribute, value.strip()), set()).add(path.name)
        for inner in soup.select('[role="main"], script, style'):
            inner.decompose()
        for text in soup.find_all(string=True):
            if ENGLISH_LABEL.match(" ".join(text.split())):
                english.setdefault(("text", " ".join(text.split())), set()).add(path.name)
    assert english == {}


def test_each_page_loads_the_conditional_assets_it_uses_and_no_other(site) -> None:
    """guideline_site.page_assets: jQuery, the data viewer, the collapse script, the highlighting and
    sphinx-needs' stylesheets load only on the pages that hold what uses them."""
    from guideline_site.page_assets import CONDITIONAL

    _, outdir = site
    wrong = []
    loaded_somewhere: set[str] = set()
    for page in sorted(outdir.rglob("*.html")):
        if page.relative_to(outdir).as_posix().startswith(("_sources/", "_static/")):
            continue
        html = page.read_text(encoding="utf-8")
        body = html.partition("<body")[2]
        assets = set(re.findall(r'(?:href|src)="([^"?]+\.(?:js|css))', html))
        for asset in CONDITIONAL:
            loads = any(a.endswith(asset.suffix) for a in assets)
            uses = bool(asset.used_when.search(body))
            if loads:
                loaded_somewhere.add(asset.suffix)
            if loads != uses:
                wrong.append(f"{page.relative_to(outdir)}: {asset.suffix} {'loaded' if loads else 'missing'}")
    assert wrong == []
    # the site has needs, needtables and graphviz figures: their assets are loaded where they are used
    assert {"need_core.css", "graphviz.css"} <= loaded_somewhere
    # and nothing on the site uses jQuery
    assert "jquery.js" not in loaded_somewhere


def test_every_page_type_is_within_its_weight_budget(site) -> None:
    """bench/page_weight.py: each page and the files it loads, against its type's budget (issue #13)."""
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from page_weight import BUDGETS, over_budget, weigh

    _, outdir = site
    weights = weigh(outdir)
    assert {w.page_type for w in weights} == set(BUDGETS)  # every page type is measured
    assert over_budget(weights) == []


def test_no_link_in_a_need_box_has_the_box_own_id_as_its_tooltip(site) -> None:
    """sphinx-needs titles each trace link of a need with the need's own ID; guideline_site.a11y drops it."""
    from bs4 import BeautifulSoup

    _, outdir = site
    wrong, links = [], 0
    for path in sorted(outdir.rglob("*.html")):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for box in soup.select(".need[id]"):
            for link in box.find_all("a", href=True):
                links += 1
                target = link["href"].rpartition("#")[2]
                if link.get("title") == box["id"] and target != box["id"]:
                    wrong.append(f"{path.relative_to(outdir)}: {box['id']} -> {link['href']}")
    assert links > 1000  # the boxes' trace links were looked at
    assert wrong[:5] == []


def test_no_two_regions_of_a_page_share_a_name(site) -> None:
    """Each scroll box is a region named by its table's caption: a screen reader's list of regions tells
    them apart only if no two on a page have the same name."""
    from bs4 import BeautifulSoup

    _, outdir = site
    repeated, regions = {}, 0
    for path in sorted(outdir.rglob("*.html")):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        names = Counter(r.get("aria-label") for r in soup.select('[role="region"]'))
        regions += sum(names.values())
        repeated.update({f"{path.relative_to(outdir)}: {n}": c for n, c in names.items() if c > 1})
    assert regions > 20
    assert repeated == {}


def test_every_page_links_to_the_accessibility_page_whose_checklist_follows_the_test_results(site) -> None:
    """Issue #13: the 試験結果 page, built from source/accessibility/results.json, is linked from every
    page's footer; its checklist has one row per 達成基準 with the verdict the results give."""
    from bs4 import BeautifulSoup
    from conftest import A11Y_RESULTS
    from guideline_site.a11y_report import VERDICTS, load_criteria, load_results, verdict

    _, outdir = site
    page = outdir / "source" / "accessibility.html"
    missing = []
    # permalink.html only sends the reader on to a need's page; municipal/ holds the example town's own policy
    # site, a publication of its own (its pages are checked with axe in the browser tests)
    pages = [p for p in sorted(outdir.rglob("*.html"))
             if not p.relative_to(outdir).as_posix().startswith(("_", "permalink.html", "municipal/"))]
    for path in pages:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        link = soup.select_one("footer .accessibility-link a")
        target = page if link is not None and link["href"] == "#" else path.parent / (link["href"] if link else "")
        if link is None or target.resolve() != page.resolve():
            missing.append(path.relative_to(outdir).as_posix())
    assert len(pages) > 30 and missing == []
    criteria, _ = load_criteria(ROOT / "source" / "accessibility" / "criteria.yaml")
    results, _ = load_results(A11Y_RESULTS)
    assert results is not None
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    checklist, *unlisted = soup.select("table.a11y-results")
    rows = {r.th.get_text(strip=True): [td.get_text(" ", strip=True) for td in r.find_all("td")]
            for r in checklist.select("tbody tr")}
    assert list(rows) == [c.number for c in criteria]
    # a tested criterion outside the list is shown in a table of its own, not dropped
    others = [r.th.get_text(strip=True) for table in unlisted for r in table.select("tbody tr")]
    assert sorted(others) == sorted((set(results.axe) | set(results.tests)) - set(rows))
    for criterion in criteria:
        mark, words = VERDICTS[verdict(criterion, results)]
        assert rows[criterion.number][3] == f"{mark} {words}", criterion.number
    assert results.tested_on in soup.get_text()


@pytest.mark.wcag("2.4.4", title="ID・番号だけを表示するリンクが、その ID・番号と行き先の題名で名付けられている（全ページ）")
def test_every_link_showing_only_an_id_or_number_is_named_with_its_target_title(site, needs) -> None:
    """Issue #13: links read as ID plus title. A link whose text is only an ID or a clause number, to a
    need, has an accessible name that starts with that text and holds the need's title; the one exception
    is the ID link in a need's own heading, which the heading names."""
    from bs4 import BeautifulSoup

    _, outdir = site
    bare = re.compile(r"(?:[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+|(?:A\.)?\d+(?:\.\d+)*)")
    unnamed, named = [], 0
    for path in sorted(outdir.rglob("*.html")):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for link in soup.select("article a[href*='#']"):
            text, target = link.get_text(strip=True), link["href"].rpartition("#")[2]
            if not bare.fullmatch(text) or target not in needs or link.find_parent(class_="needs-id"):
                continue
            label = link.get("aria-label", "")
            if label.startswith(text) and needs[target]["title"] in label and not label.startswith(f"{text} {text} "):
                named += 1
            else:
                unnamed.append(f"{path.relative_to(outdir)}: {link}")
    assert named > 3000
    assert unnamed[:5] == []


@pytest.mark.wcag("1.3.1", title="データの表に題（キャプション）と見出しのセルがある（全ページ）")
def test_every_data_table_has_a_caption_and_header_cells(site) -> None:
    """Issue #13: data tables with captions and header cells. Every table in a page's text has a caption
    and column headers, and each row a header cell (guideline_site.a11y.row_headers for the tables written
    in the sources); sphinx-needs' interactive table keeps its cells as they are (its widget sorts them)."""
    from bs4 import BeautifulSoup

    _, outdir = site
    wrong, tables = [], 0
    for path in sorted(outdir.rglob("*.html")):
        if path.name == "genindex.html":  # Sphinx's index: a layout of letters, not a data table
            continue
        article = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").find("article")
        for table in article.find_all("table") if article else ():
            tables += 1
            rows_headed = "NEEDS_DATATABLES" in table.get("class", []) or all(
                row.find("th") for row in table.select("tbody > tr"))
            if table.caption is None or table.select_one("thead th") is None or not rows_headed:
                wrong.append(f"{path.relative_to(outdir)}: {table.get('class')}")
    assert tables > 50
    assert wrong == []


def test_every_url_of_every_frozen_edition_leads_to_its_item(site) -> None:
    """A 例文's URL in any frozen edition (page.html#ID) still leads to that item, or to the note that says
    where it went (tests/test_editions.py builds the cases: moved, deleted, a renamed page)."""
    from conftest import old_urls, resolve

    _, outdir = site
    urls = old_urls(ROOT / "traceability" / "editions")
    assert len(urls) >= 230  # 平成27年3月版's 例文
    pages: dict[Path, tuple[set[str], str | None]] = {}
    assert [url for url in urls if resolve(outdir, url, pages) is None] == []
