"""Reviewer views on the real site: figures recounted independently, and exports equal to the pages."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT

pytestmark = pytest.mark.site

Needs = dict[str, dict[str, Any]]
PAGES = {"nisc": "nisc-coverage", "iso": "iso2013-coverage", "iso22": "iso2022-coverage"}
EXAMPLE_TYPES = ("policy", "measure")
LISTED_TYPES = ("policy", "measure", "req", "rev")


def recount(needs: Needs, standard: str) -> tuple[int, int]:
    """Covered / total, counted straight from needs.json without the project's model: an entry is covered
    when a 例文 item (policy, measure) links it, or for NISC an entry below it."""
    reqs = {i for i, n in needs.items() if n["type"] in EXAMPLE_TYPES}
    if standard in ("iso", "iso22"):  # 2022 counts direct 2022 links only, never 2013 links through Annex B
        controls = [n for n in needs.values() if n["type"] == standard and n["level"] == "control"]
        return sum(1 for c in controls if set(c[f"{standard}_back"]) & reqs), len(controls)
    linked = {target for i in reqs for target in needs[i]["nisc"]}
    items = [n for n in needs.values() if n["type"] == "nisc" and n["level"] == "item"]
    covered = 0
    for item in items:
        below = {i for i, n in needs.items() if n["type"] == "nisc" and n["parent"] == item["id"]}
        covered += bool(({item["id"]} | below) & linked)
    return covered, len(items)


def page(outdir: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((outdir / "traceability" / f"{name}.html").read_text(encoding="utf-8"), "html.parser")


def page_figures(soup: BeautifulSoup) -> tuple[int, int]:
    text = soup.find(class_="trace-matrix-summary").get_text()
    match = re.search(r"(\d+) 件のうち、例文が対応付けられているもの (\d+) 件", text)
    assert match, text
    return int(match.group(2)), int(match.group(1))


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the UTF-8 BOM to read Japanese"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def heading_number(row: dict[str, str]) -> str:
    """The printed number at the head of a CSV row's heading column (``5.10 記憶媒体`` -> ``5.10``)."""
    heading = next(v for k, v in row.items() if "見出し" in k)
    return heading.split(" ", 1)[0]


@pytest.mark.parametrize("standard", ["nisc", "iso", "iso22"])
def test_page_figures_equal_an_independent_recount(site, needs: Needs, standard: str) -> None:
    _, outdir = site
    assert page_figures(page(outdir, PAGES[standard])) == recount(needs, standard)


@pytest.mark.parametrize("standard", ["nisc", "iso", "iso22"])
def test_csv_rows_equal_the_matrix_on_the_page(site, standard: str) -> None:
    _, outdir = site
    rows = read_csv(outdir / "exports" / f"{standard}-coverage.csv")
    soup = page(outdir, PAGES[standard])
    # the second matrix on each page lists every entry (the first is rolled up)
    tables = soup.find_all("table", class_="trace-matrix")
    on_page = {}
    for table in tables[1:]:
        for tr in table.find("tbody").find_all("tr"):
            cells = tr.find_all(["th", "td"])  # the first column holds row headers
            number = cells[0].get_text(strip=True)
            on_page[number] = {a.get_text(strip=True) for td in cells[2:-2] for a in td.find_all("a")}
    in_csv = {heading_number(r): set(r["対応例文"].split()) for r in rows}
    assert in_csv == on_page
    covered, total = page_figures(soup)
    assert (sum(1 for r in rows if r["状態"] == "対応"), len(rows)) == (covered, total)


SHEETS = {"nisc-coverage.csv": "NISC統一基準", "iso-coverage.csv": "ISO27001-2013", "iso22-coverage.csv": "ISO27001-2022",
          "requirements.csv": "要件", "links.csv": "リンク", "soa.csv": "適用宣言書（ISO27001-2013）",
          "soa-iso22.csv": "適用宣言書（ISO27001-2022）", "soa-nisc.csv": "適用宣言書（NISC統一基準）"}


def test_xlsx_sheets_equal_the_csv_files_and_the_summary_the_pages(site) -> None:
    """Each CSV holds its sheet's rows in order: every shared column equal, each heading the sheet's number and name."""
    from openpyxl import load_workbook

    _, outdir = site
    book = load_workbook(outdir / "exports" / "traceability.xlsx")
    for csv_name, sheet_name in SHEETS.items():
        rows = read_csv(outdir / "exports" / csv_name)
        sheet = list(book[sheet_name].iter_rows(values_only=True))
        headers = list(sheet[0])
        as_text = [{h: ("" if v is None else str(v)) for h, v in zip(headers, r, strict=True)} for r in sheet[1:]]
        assert len(as_text) == len(rows), sheet_name
        numbers = [h for h in headers if h in ("番号", "対応先の番号")]
        for in_sheet, in_csv in zip(as_text, rows, strict=True):
            for header, value in in_csv.items():
                if header in in_sheet and header != "対応率":
                    assert value in (in_sheet[header], "'" + in_sheet[header]), (sheet_name, header)
            for column in numbers:
                name = headers[headers.index(column) + 1]
                heading = next(v for k, v in in_csv.items() if "見出し" in k)
                assert heading == f"{in_sheet[column]} {in_sheet[name]}".strip(), sheet_name
    summary = {(r[0], r[2]): (r[3], r[7]) for r in book["概要"].iter_rows(min_row=2, values_only=True)}
    labels = {"nisc": "NISC統一基準（平成26年度版）", "iso": "ISO/IEC 27001:2013 附属書A",
              "iso22": "ISO/IEC 27001:2022 附属書A"}
    for standard, name in PAGES.items():
        assert summary[(labels[standard], "全体")] == page_figures(page(outdir, name))


def ids_in_sources() -> set[str]:
    """Every policy / measure / req / rev ID written in the sources, read from the files themselves."""
    found = set()
    for path in sorted((ROOT / "requirements").rglob("*.md")) + sorted((ROOT / "source").rglob("*.md")):
        for block in re.findall(r"^```\{(?:policy|measure|req|rev)\}.*?^```$", path.read_text(encoding="utf-8"),
                                re.DOTALL | re.MULTILINE):
            found.update(re.findall(r"^:id:\s*(\S+)", block, re.MULTILINE))
    return found


def test_every_requirement_is_in_every_view_and_export(site, needs: Needs) -> None:
    from openpyxl import load_workbook

    _, outdir = site
    wanted = {i for i, n in needs.items() if n["type"] in LISTED_TYPES}
    assert wanted == ids_in_sources()
    in_csv = {r["ID"] for r in read_csv(outdir / "exports" / "requirements.csv")}
    book = load_workbook(outdir / "exports" / "traceability.xlsx")
    in_xlsx = {r[0] for r in book["要件"].iter_rows(min_row=2, values_only=True)}
    table = page(outdir, "requirements").find("table", class_="trace-requirements")
    on_page = {tr.find(["th", "td"]).get_text(strip=True) for tr in table.find("tbody").find_all("tr")}
    assert in_csv == in_xlsx == on_page == wanted
    reqs = {i for i in wanted if needs[i]["type"] in EXAMPLE_TYPES}
    for standard, name in PAGES.items():
        shown = {a.get_text(strip=True) for t in page(outdir, name).find_all("table", class_="trace-matrix")
                 for a in t.find_all("a")}
        # a link to an entry above the counted level (a NISC section of part 1, which has no items) counts for none
        counted = {"iso": ("control",), "iso22": ("control",), "nisc": ("item", "requirement")}[standard]
        linked = {i for i in reqs if any(needs[t]["level"] in counted for t in needs[i][standard])}
        assert linked and linked <= shown, sorted(linked - shown)


@pytest.mark.parametrize(("standard", "export", "level"), [("iso", "soa.csv", "control"),
                                                         ("iso22", "soa-iso22.csv", "control"),
                                                         ("nisc", "soa-nisc.csv", "item")])
def test_soa_accounts_for_every_entry_once(site, needs: Needs, standard: str, export: str, level: str) -> None:
    _, outdir = site
    rows = read_csv(outdir / "exports" / export)
    entries = sorted(n["clause"] for n in needs.values() if n["type"] == standard and n["level"] == level)
    assert sorted(heading_number(r) for r in rows) == entries
    covered, total = recount(needs, standard)
    assert sum(1 for r in rows if r["状態"] == "対応") == covered
    assert all(r["適用除外の理由"] for r in rows if r["状態"] == "適用除外")
    assert {r["状態"] for r in rows} <= {"対応", "適用除外"}, "every entry is addressed or justified"
    assert len(rows) == total


def test_each_theme_has_a_chain_graph_linking_its_objects(site) -> None:
    _, outdir = site
    soup = page(outdir, "chains")
    boxes = soup.find_all(class_="trace-chain")
    assert len(boxes) == 10
    svg_name = boxes[0].find("object")["data"].split("/")[-1]
    svg = (outdir / "_images" / svg_name).read_text(encoding="utf-8")
    assert "THEME-1" in svg and "REQ-CLOUD-001" in svg and "NISC-4-1-2" in svg
    assert re.search(r'href="[^"]*01-cloud\.html#REQ-CLOUD-001"', svg)


def test_view_tables_are_written_as_sphinx_writes_their_nodes(build_root) -> None:
    """The HTML fast path of a view table (table_html) equals Sphinx's HTML5 writer on build_table's nodes."""
    from guideline_trace.views import _Renderer, build_table, table_html
    from sphinx.util.docutils import new_document
    from trace_model.views import Ref, Strong, Table

    app = build_root("basic").app
    titles = {"REQ-1": 'a "quoted" & <tagged> title @ here', "REQ-2": "two\tlines", "REQ-3": "three", "REQ-4": "",
              "A-5-1-2": "t"}

    class Renderer(_Renderer):
        def uri(self, need_id: str) -> str | None:
            return f"a.html#{need_id}" if need_id in titles else None  # NOPAGE: an item without a page

        def title(self, need_id: str) -> str:
            return titles[need_id]

    renderer = Renderer(app, "index")
    table = Table(
        ("番号", "名称 <&>", "対応"),
        (("A.5.1.1", (Ref("REQ-1"), "、", Ref("REQ-2")), "1"),
         (Ref("A-5-1-2", "A.5.1.2"), (Strong("ダウンロード: "), "x.csv"), Strong("全体")),
         ("", (Ref("REQ-3"), "、", Ref("REQ-4"), "（理由 <a>）"), ()),
         (Ref("NOPAGE"), Ref("REQ-1", ""), "@")),
        classes=("trace-matrix",),
        caption='表の "題" <&>',
    )
    document = new_document("test", app.builder.docsettings)
    document += build_table(table, renderer.part)
    translator = app.builder.create_translator(document, app.builder)
    document.walkabout(translator)
    assert "".join(translator.body) == table_html(table, renderer.part_html)


def test_view_tables_are_left_out_of_the_search_index(site: tuple[object, Path]) -> None:
    """A view's table is written as one no-search block; its summary is still indexed."""
    _, outdir = site
    soup = page(outdir, "requirements")
    table = soup.find("table", class_="trace-requirements")
    assert table.parent.name == "div" and table.parent["class"] == ["no-search", "trace-scroll"]
    # the scroll box is a named region that takes keyboard focus, named by the table's caption
    assert table.parent["role"] == "region" and table.parent["tabindex"] == "0"
    assert table.parent["aria-label"] == table.caption.get_text() == "例文・要件と、その上流と対応規格"
    assert table.find("tbody").find("tr").find().name == "th"  # the first column holds row headers


def test_each_coverage_export_gives_the_pages_state_and_the_exclusions_reason(site) -> None:
    """A reviewer filtering 状態 = 未対応 finds the same gaps as the page: an excluded control reads 適用除外, with why."""
    _, outdir = site
    rows = {r["ID"]: r for r in read_csv(outdir / "exports" / "iso22-coverage.csv")}
    assert rows["ISO22-8-11"]["状態"] == "適用除外" and "データマスキング" in rows["ISO22-8-11"]["適用除外の理由（適用宣言書）"]
    assert sorted(i for i, r in rows.items() if r["この版で新設"] == "はい") == sorted(
        f"ISO22-{n}" for n in ("5-7", "5-23", "5-30", "7-4", "8-9", "8-10", "8-11", "8-12", "8-16", "8-23", "8-28"))
    assert {r["状態"] for r in rows.values()} == {"対応", "適用除外"}
    links = read_csv(outdir / "exports" / "links.csv")
    part1 = [r for r in links if r["対応先ID"] in ("NISC-1-1", "NISC-1-2", "NISC-1-3")]
    assert part1 and all(r["対応表で数える項目"].startswith("（数えない") for r in part1)
    below = next(r for r in links if r["対応先ID"].count("-") == 4)  # a 遵守事項 counts for its 項
    assert below["対応表で数える項目"] == ".".join(below["対応先ID"].split("-")[1:4])
