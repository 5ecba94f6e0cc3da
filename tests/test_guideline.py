"""The site is the guideline itself: 総則, 基本方針 and 対策基準 as 例文 with 解説, each traced.

Checked on the real site build (``needs.json``, the HTML pages) and on the data files,
independently of the extension's own coverage code: the structure municipalities know
(the ten sections of the 基本方針, the nine chapters of the 対策基準 in the order of the
平成27年3月 edition), every 例文 item's trace with its reasons, every revision point of
the paper realised by a 例文 item, and every ISO/IEC 27001:2013 control and NISC
平成26年度版 item addressed or justified in the SoA.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import ROOT

pytestmark = pytest.mark.site

Needs = dict[str, dict[str, Any]]

#: The ten sections of a municipal 情報セキュリティ基本方針.
POLICY_SECTIONS = [
    "目的", "定義", "対象とする脅威", "適用範囲", "職員等の遵守義務", "情報セキュリティ対策",
    "情報セキュリティ監査及び自己点検の実施", "情報セキュリティポリシーの見直し",
    "情報セキュリティ対策基準の策定", "情報セキュリティ実施手順の策定",
]
#: The chapters of the 対策基準 in the order of the 平成27年3月 edition.
CHAPTERS = [
    "対象範囲及び用語説明", "組織体制", "情報資産の分類と管理方法", "物理的セキュリティ", "人的セキュリティ",
    "技術的セキュリティ", "運用", "外部サービスの利用", "評価・見直し",
]
#: Sections new in this edition (chapter 8).
NEW_SECTIONS = ["外部委託", "約款による外部サービスの利用", "ソーシャルメディアサービスの利用"]
#: Words for developments after 平成27年3月 that may appear only in a dated note.
LATER = ["ISMAP", "強靭性", "三層の対策", "令和", "ISO/IEC 27001:2022", "JIS Q 27001:2023", "ISO/IEC 27017"]
DATED_NOTE = "（参考）本版公開後の動向"
#: A sentence of a municipal 規程 ends in the plain form: a verb (「…見直す。」「…をいう。」), ない
#: (「…しなければならない。」) or こと (「…すること。」), never in a noun as a discussion bullet does
#: (「…の検討」). Read with the source's line breaks removed.
NORMATIVE = re.compile(r"[るすうくつむぐぶいと]。")


def examples(needs: Needs) -> list[dict[str, Any]]:
    return [n for n in needs.values() if n["type"] in ("policy", "measure")]


def wording(need: dict[str, Any]) -> str:
    """The 例文: the content before 【解説】."""
    return need["content"].split("**【解説】**")[0].strip()


def html(site: tuple[Any, Path], docname: str) -> BeautifulSoup:
    _, outdir = site
    return BeautifulSoup((outdir / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")


def heading_texts(soup: BeautifulSoup, level: str) -> list[str]:
    """Section headings of ``level`` without their number and permalink sign."""
    return [re.sub(r"^[\d.]+\s*", "", h.get_text(strip=True)).rstrip("#¶") for h in soup.select(f"section > {level}")]


def test_the_top_level_is_the_guideline_then_its_revision_points_then_the_trace(site) -> None:
    captions = [c.get_text(strip=True) for c in html(site, "index").select("p.caption")]
    assert captions[:6] == ["総則", "基本方針", "対策基準", "団体の皆様へ", "改定の論点", "トレーサビリティ"]


def test_the_basic_policy_has_its_ten_sections_in_order(site, needs: Needs) -> None:
    assert heading_texts(html(site, "source/policy"), "h2") == POLICY_SECTIONS
    for number in range(1, 11):
        assert any(re.fullmatch(rf"POL-{number}(-\d+)?", n["id"]) and n["docname"] == "source/policy"
                   for n in examples(needs)), number


def test_the_standards_have_the_nine_chapters_in_the_editions_order(site, needs: Needs) -> None:
    toc = html(site, "source/standards/index").select("div.toctree-wrapper > ul > li > a")
    assert [re.sub(r"^\d+\.\s*", "", a.get_text(strip=True)) for a in toc] == CHAPTERS
    assert heading_texts(html(site, "source/standards/08-external-services"), "h2") == NEW_SECTIONS
    for number in range(1, len(CHAPTERS) + 1):
        items = [n for n in examples(needs) if n["id"].startswith(f"STD-{number}-")]
        assert items, f"chapter {number} has no 例文 item"
        (page,) = (ROOT / "source" / "standards").glob(f"{number:02d}-*.md")
        assert {n["docname"] for n in items} == {f"source/standards/{page.stem}"}


def test_no_chapter_of_a_later_edition(site) -> None:
    _, outdir = site
    text = "".join(p.read_text(encoding="utf-8") for p in (outdir / "source" / "standards").glob("*.html"))
    assert "強靭性の向上" not in text


def test_every_example_is_adoptable_wording_with_its_explanation(needs: Needs) -> None:
    items = examples(needs)
    assert len(items) >= 150
    for need in items:
        assert "**【解説】**" in need["content"], need["id"]
        text = re.sub(r"\s+", "", wording(need))
        assert text and NORMATIVE.search(text), (need["id"], text[:80])
        assert not re.search(r"(の検討|を認識)。?$", text), need["id"]


def test_every_example_links_nisc_and_iso_controls_each_with_its_reason(needs: Needs) -> None:
    for need in examples(needs):
        assert need["nisc"] and need["iso"], need["id"]
        assert all(needs[i]["type"] == "nisc" for i in need["nisc"]), need["id"]
        assert all(needs[i]["type"] == "iso" and needs[i]["level"] == "control" for i in need["iso"]), need["id"]
        for link_field, reason_field in (("nisc", "nisc_reason"), ("iso", "iso_reason")):
            for target in need[link_field]:
                assert re.search(rf"(^|;)\s*{target}\s*:\s*\S", need[reason_field] or ""), (need["id"], target)
        assert need["source"] in ("paper", "added")


def test_every_revision_point_of_the_paper_is_realised_by_an_example(needs: Needs) -> None:
    points = [n for n in needs.values() if n["type"] in ("req", "rev")]
    assert len(points) >= 32
    for point in points:
        realisers = point["realises_back"]
        assert realisers, point["id"]
        assert all(needs[r]["type"] in ("policy", "measure") for r in realisers), point["id"]


def test_examples_taken_from_the_paper_name_the_position_of_what_they_realise(needs: Needs) -> None:
    paper_items = [n for n in examples(needs) if n["source"] == "paper"]
    assert paper_items
    for need in paper_items:
        positions = {p.strip() for p in need["paper_ref"].split(",") if p.strip()}
        realised = {p.strip() for r in need["realises"] for p in (needs[r]["paper_ref"] or "").split(",")}
        assert positions and positions <= realised, need["id"]


def _excluded(path: str) -> set[str]:
    data = yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))
    rows = data["exclusions"] or []
    assert all(str(r["justification"]).strip() for r in rows)
    return {str(r["control"]) for r in rows}


def _covered(needs: Needs, entry: dict[str, Any], link_field: str) -> bool:
    """Covered when a 例文 item links the entry or an entry below it (recounted here from needs.json)."""
    below = [n["id"] for n in needs.values() if n["type"] == entry["type"]
             and (n["id"] == entry["id"] or n["id"].startswith(entry["id"] + "-"))]
    return any(needs[s]["type"] in ("policy", "measure") for b in below for s in needs[b][f"{link_field}_back"])


@pytest.mark.parametrize(("need_type", "level", "soa_file", "total"), [
    ("iso", "control", "traceability/soa.yaml", 114),
    ("nisc", "item", "traceability/soa-nisc.yaml", None),
])
def test_every_control_and_item_is_addressed_or_justified(needs: Needs, need_type: str, level: str,
                                                          soa_file: str, total: int | None) -> None:
    entries = [n for n in needs.values() if n["type"] == need_type and n["level"] == level]
    assert entries
    if total is not None:
        assert len(entries) == total
    excluded = _excluded(soa_file)
    for entry in entries:
        covered = _covered(needs, entry, need_type)
        assert covered != (entry["clause"] in excluded), (entry["clause"], covered)


def test_the_coverage_pages_show_every_entry_addressed_or_justified(site) -> None:
    for page, total in (("traceability/iso2013-coverage", 114), ("traceability/nisc-coverage", None)):
        summary = html(site, page).select_one("div.trace-matrix-summary p").get_text()
        match = re.search(r"対応又は理由付きの適用除外 (\d+) / (\d+) 件", summary)
        assert match and match.group(1) == match.group(2), summary
        if total:
            assert int(match.group(2)) == total


def test_no_nisc_entry_of_a_later_edition() -> None:
    catalog = yaml.safe_load((ROOT / "traceability" / "catalogs" / "nisc_h26.yaml").read_text(encoding="utf-8"))
    numbers = {str(e["number"]) for e in catalog["entries"]}
    assert not numbers & {"4.1.4", "7.2.4"}


def test_the_nisc_catalog_does_not_present_the_papers_summary_as_the_standards_wording(site) -> None:
    """The six items the paper cites carry the paper's 「NISC等の考え方」 as ``paper_text``, shown as the paper's."""
    catalog = yaml.safe_load((ROOT / "traceability" / "catalogs" / "nisc_h26.yaml").read_text(encoding="utf-8"))
    cited = {str(e["number"]) for e in catalog["entries"] if e.get("paper_text")}
    assert cited == {"2.2.4", "4.1.1", "4.1.2", "4.1.3", "7.3.1", "8.2.1"}
    box = html(site, "traceability/nisc").find(id="NISC-4-1-2")
    assert box is not None and "統一基準の原文ではなく" in box.get_text()


def test_later_developments_appear_only_as_dated_notes(needs: Needs) -> None:
    for need in examples(needs):
        for word in LATER:
            assert word not in wording(need), (need["id"], word)
        for paragraph in need["content"].split("\n\n"):
            if any(word in paragraph for word in LATER):
                assert DATED_NOTE in paragraph, (need["id"], paragraph[:80])


def test_public_pages_cite_no_mirror_copies_or_tool_identifiers(site) -> None:
    _, outdir = site
    pattern = re.compile(r"123deta|docsplayer|vdocuments|pdfslide|happylibus|index file id|find_string|"
                         r"repository name not exposed|stored copy")
    for path in outdir.rglob("*.html"):
        found = pattern.search(path.read_text(encoding="utf-8"))
        assert not found, (path.relative_to(outdir), found.group(0))
