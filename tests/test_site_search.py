"""Unit tests of the site search's build side (guideline_site.site_search): the places a page is cut
into, the search data files, the variants file and its located problems. The browser side is tested in
tests/test_browser_search.py."""

from __future__ import annotations

import json
from pathlib import Path

from docutils import nodes
from guideline_site.site_search import Unit, fold, load_variants, page_rank, page_units, search_files
from sphinx.ext.graphviz import graphviz


def section(anchor: str, title: str, *children: nodes.Node) -> nodes.section:
    node = nodes.section(ids=[anchor])
    node += nodes.title(text=title)
    for child in children:
        node += child
    return node


def need(need_id: str, text: str) -> nodes.table:
    """A need as sphinx-needs draws it: a table with the class ``need`` and the need's ID."""
    table = nodes.table(classes=["need", "needs_type_measure"], ids=[need_id])
    table += nodes.paragraph(text=text)
    return table


def test_a_page_is_cut_into_its_sections_needs_and_glossary_terms() -> None:
    document = nodes.document(None, None)
    term_item = nodes.definition_list_item()
    term_item += nodes.term(text="再委託", ids=["term-再委託"])
    definition = nodes.definition()
    definition += nodes.paragraph(text="委託先がさらに委託すること。")
    term_item += definition
    glossary = nodes.definition_list()
    glossary += term_item
    view = nodes.container(classes=["no-search"])
    view += nodes.paragraph(text="表の中身")
    toc = nodes.compound(classes=["toctree-wrapper"])
    toc += nodes.paragraph(text="下位ページの見出し")
    figure = graphviz()
    figure["alt"] = "図の代替テキスト"
    document += section(
        "top", "章",
        nodes.paragraph(text="章の本文。"),
        toc,
        section("s1", "1.1 節", nodes.paragraph(text="節の本文。"), need("STD-1-1-1", "例文の文。"), view, figure),
        nodes.comment(text="コメント"),
        glossary,
    )
    units = page_units(document, {"STD-1-1-1": "例文の題"})
    assert units == [
        Unit("top", "章", "章の本文。"),
        Unit("s1", "1.1 節", "節の本文。\n図の代替テキスト"),
        Unit("STD-1-1-1", "STD-1-1-1 例文の題", "例文の文。"),
        Unit("term-再委託", "再委託", "委託先がさらに委託すること。"),
    ]


def test_the_search_files_put_the_higher_ranks_first_and_cut_the_text_into_chunks() -> None:
    pages = [
        ("traceability/nisc.html", "NISC", 1, [Unit("NISC-1", "NISC-1 項", "a" * 30)]),
        ("source/a.html", "A", 3, [Unit("", "", "b" * 30), Unit("x", "X", "c" * 30)]),
    ]
    files = search_files(pages, [], chunk_chars=30)  # each text fills a chunk
    assert sorted(files) == ["text-0.js", "text-1.js", "text-2.js", "units.js"]
    data = json.loads(files["units.js"].removeprefix("GuidelineSearch.load(").removesuffix(");\n"))
    assert data["pages"] == [["source/a.html", "A", 3], ["traceability/nisc.html", "NISC", 1]]
    assert data["units"] == [[0, "", ""], [0, "x", "X"], [1, "NISC-1", "NISC-1 項"]]
    assert data["chunks"] == ["text-0.js", "text-1.js", "text-2.js"]
    assert files["text-1.js"] == 'GuidelineSearch.text(1,1,["' + "c" * 30 + '"]);\n'


def test_a_page_rank_is_the_first_pattern_it_matches() -> None:
    ranks = [["traceability/nisc", 1], ["traceability/*", 2], ["*", 3]]
    assert [page_rank(d, ranks) for d in ("traceability/nisc", "traceability/soa", "source/general")] == [1, 2, 3]
    assert page_rank("x", [["y", 5]]) == 0


def test_the_search_folds_as_the_browser_does_and_keeps_circled_numbers() -> None:
    assert fold("ｸﾗｳﾄﾞ ＶＰＮ\n接続") == "クラウドvpn接続"
    assert fold("① -1") == "①-1"


def test_each_mistake_in_the_variants_file_is_one_located_message(tmp_path: Path) -> None:
    path = tmp_path / "variants.yaml"
    path.write_text(
        "- term: 委託先\n  variants: [委託業者]\n  reason: 本文の語\n"
        "- term: 約款\n  variants: 委託業者\n  reason: 二度目\n"
        "- term: 定義\n  variants: [定義付け]\n  reasons: 綴りの誤り\n"
        "- 委託\n",
        encoding="utf-8",
    )
    entries, problems = load_variants(path)
    assert [(e.term, e.variants, e.line) for e in entries] == [("委託先", ("委託業者",), 1)]
    assert problems == [
        (f"{path}:4", "the variant '委託業者' is also given at line 1. Keep it in one entry."),
        (f"{path}:7", "the entry '定義' has the key 'reasons', which an entry does not have (did you mean "
                      "'reason'?). Each entry has term, variants (a list) and reason."),
        (f"{path}:10", "an entry must be a mapping with term, variants and reason."),
    ]


def test_an_unreadable_variants_file_is_located_at_its_broken_line(tmp_path: Path) -> None:
    path = tmp_path / "variants.yaml"
    path.write_text("- term: 委託先\n  variants: [委託業者\n  reason: x\n", encoding="utf-8")
    entries, problems = load_variants(path)
    assert entries == []
    (location, message), = problems
    assert location.startswith(f"{path}:") and location != f"{path}:1"
    assert message.startswith("the search variants file cannot be read")
    assert load_variants(tmp_path / "missing.yaml")[1][0][1].startswith("the search variants file cannot be read")


def test_the_first_chunk_is_a_third_of_the_others() -> None:
    """The first chunk is downloaded with units.js and searched while the rest arrive: it is small."""
    units = [Unit(f"u{n}", f"U{n}", "x" * 9) for n in range(12)]  # 10 characters each, with the separator
    files = search_files([("source/a.html", "A", 3, units)], [], chunk_chars=60)
    counts = [files[name].count('"x') for name in sorted(files) if name.startswith("text-")]
    assert counts[0] == 2 and counts[1:] == [6, 4]  # 20 of 60/3, then 60 each, then the rest
