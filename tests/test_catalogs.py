"""The catalog loader, and the real catalog files checked against the standards' structure."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import ROOT
from trace_model.catalogs import SCHEMAS, load_catalog, number_to_id, parent_number

CATALOGS = ROOT / "traceability" / "catalogs"


def write(tmp_path: Path, body: str, name: str = "c.yaml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


HEADER = """catalog: iso27001-2013
title: t
edition: "2013"
sources:
  - {id: S1, title: s}
entries:
"""


def test_ids_have_no_dots_and_parents_follow_the_printed_number() -> None:
    assert number_to_id("ISO-", "A.15.1.2") == "ISO-A-15-1-2"
    assert number_to_id("NISC-", "4.1.1(2)") == "NISC-4-1-1-2"
    assert number_to_id("ISO22-", "5.23") == "ISO22-5-23"
    assert parent_number("4.1.1(2)") == "4.1.1"
    assert parent_number("A.15.1") == "A.15"
    assert SCHEMAS["iso27001-2013"].parent_of("A.15") is None
    assert SCHEMAS["nisc-h26"].parent_of("4") is None


def test_rows_keep_their_line_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + """  - {number: "A.5", level: clause, title_en: "P", title_ja: "方針", source: [S1]}

  - {number: "A.5.1", level: objective, title_en: "M", title_ja: "経営", source: [S1]}
""")
    catalog = load_catalog(path)
    assert catalog.problems == []
    assert [(e.id, e.location.line, e.parent) for e in catalog.entries] == [
        ("ISO-A-5", 7, None),
        ("ISO-A-5-1", 9, "ISO-A-5"),
    ]


@pytest.mark.parametrize(
    ("row", "code", "fragment"),
    [
        ('{number: "A.5", level: clause, title_en: "P", source: [S1]}',
         "catalog-missing-column", "the row has no 'title_ja'"),
        ('{number: "A.5", level: objective, title_en: "P", title_ja: "方針", source: [S1]}',
         "catalog-level", "'A.5' is a clause number, but the row says level 'objective'"),
        ('{number: "A5", level: clause, title_en: "P", title_ja: "方針", source: [S1]}',
         "catalog-number", "'A5' is not a 'iso27001-2013' number"),
        ('{number: "A.5", level: clause, title_en: "P", title_ja: "方針", source: [S9]}',
         "catalog-value", "the source 'S9' is not in the 'sources' header"),
        ('{number: "A.5", level: clause, title_en: "P", title_ja: "方針", source: S1}',
         "catalog-value", "'source' must be a list"),
        ('{number: "A.5", level: clause, title_en: "P", title_ja: "方針", ja_confidence: sure, source: [S1]}',
         "catalog-value", "ja_confidence is 'sure'"),
        ("just text", "catalog-row", "an entry must be a mapping"),
        ('{number: 5.10, level: clause, title_en: "P", title_ja: "方針", source: [S1]}',
         "catalog-number", "the number 5.10 must be a quoted string"),
    ],
)
def test_each_malformed_row_is_located(tmp_path: Path, row: str, code: str, fragment: str) -> None:
    catalog = load_catalog(write(tmp_path, HEADER + f"  - {row}\n"))
    (problem,) = catalog.problems
    assert problem.code == code
    assert fragment in problem.message
    if fragment.startswith("the number 5.10"):  # the fix names the number as written, not YAML's 5.1
        assert problem.hint.startswith('Write number: "5.10"')
    if code != "catalog-row":  # a bare string has no mapping, so no line of its own
        assert problem.location.line == 7
    assert catalog.entries == []


def test_all_problems_of_a_file_are_reported_not_only_the_first(tmp_path: Path) -> None:
    catalog = load_catalog(write(tmp_path, HEADER + """  - {number: "A.5", level: clause, title_en: "P", title_ja: "方針", source: [S1]}
  - {number: "A.5", level: clause, title_en: "P", title_ja: "方針", source: [S1]}
  - {number: "A.6.1", level: objective, title_en: "I", title_ja: "内部", source: [S1]}
"""))
    assert [(p.code, p.location.line) for p in catalog.problems] == [
        ("catalog-duplicate", 8),
        ("catalog-row", 9),
    ]


def test_a_refused_row_explains_the_links_to_it_and_its_childrens_missing_parent(tmp_path: Path) -> None:
    """One mistake, one message: the refused row's problem names the ID it would have had (the trace checks
    then leave out every link to that ID), and its children do not each report a missing parent."""
    catalog = load_catalog(write(tmp_path, HEADER + """  - {number: "A.5", level: clause, title_en: "P", title_ja: "方針", source: [S1]}
  - {number: "A.5.1", level: objectiv, title_en: "M", title_ja: "経営", source: [S1]}
  - {number: "A.5.1.1", level: control, title_en: "C", title_ja: "方針群", source: [S1]}
  - {number: "A.5.1.2", level: control, title_en: "C", title_ja: "レビュー", source: [S1]}
  - {number: "A.6.1", level: objective, title_en: "I", title_ja: "内部", source: [S1]}
"""))
    assert [(p.code, p.location.line, p.explains) for p in catalog.problems] == [
        ("catalog-level", 8, frozenset({"ISO-A-5-1"})),
        ("catalog-row", 11, frozenset()),  # A.6 was never written: that parent is missing
    ]


def test_a_malformed_number_gets_the_number_it_was_meant_to_be(tmp_path: Path) -> None:
    """'A15.1' (no dot) is refused with "Did you mean 'A.15.1'?", and explains that entry's links and
    its children's missing parent: one message."""
    catalog = load_catalog(write(tmp_path, HEADER + """  - {number: "A.15", level: clause, title_en: "S", title_ja: "供給者", source: [S1]}
  - {number: "A15.1", level: objective, title_en: "M", title_ja: "目的", source: [S1]}
  - {number: "A.15.1.1", level: control, title_en: "C", title_ja: "方針", source: [S1]}
"""))
    (problem,) = catalog.problems
    assert (problem.code, problem.location.line, problem.hint) == ("catalog-number", 8, "Did you mean 'A.15.1'?")
    assert problem.explains == frozenset({"ISO-A-15-1"})


def test_a_misspelt_column_is_reported_and_the_row_kept(tmp_path: Path) -> None:
    catalog = load_catalog(write(tmp_path, HEADER + """  - {number: "A.5", level: clause, title_en: "P", title_ja: "方針", ja_confidnce: low, source: [S1]}
"""))
    (problem,) = catalog.problems
    assert (problem.code, problem.location.line, problem.hint) == ("catalog-value", 7, "Did you mean 'ja_confidence'?")
    assert [e.number for e in catalog.entries] == ["A.5"]


def test_an_unclosed_row_is_located_at_the_row_not_the_next_line(tmp_path: Path) -> None:
    catalog = load_catalog(write(tmp_path, HEADER + """  - {number: "A.5", level: clause, title_en: "P", title_ja: "方針", source: [S1]
  - {number: "A.5.1", level: objective, title_en: "M", title_ja: "経営", source: [S1]}
"""))
    (problem,) = catalog.problems
    assert (problem.code, problem.location.line) == ("catalog-syntax", 7)


def test_header_problems(tmp_path: Path) -> None:
    catalog = load_catalog(write(tmp_path, "catalog: iso27001-2031\nentries: []\n"))
    (problem,) = catalog.problems
    assert problem.code == "catalog-structure"
    assert problem.hint == "Did you mean 'iso27001-2013'?"
    wrong_kind = load_catalog(write(tmp_path, HEADER, "w.yaml"), expected_type="nisc")
    assert "but conf.py loads it as 'nisc'" in wrong_kind.problems[0].message
    missing = load_catalog(tmp_path / "absent.yaml")
    assert missing.problems[0].code == "catalog-unreadable"


# -- the real catalogs ------------------------------------------------------------


def test_iso_2013_has_14_clauses_35_objectives_114_controls() -> None:
    catalog = load_catalog(CATALOGS / "iso27001_2013.yaml", expected_type="iso")
    assert catalog.problems == []
    levels = Counter(e.level for e in catalog.entries)
    assert levels == {"clause": 14, "objective": 35, "control": 114}
    controls_per_clause = Counter(e.number.split(".")[1] for e in catalog.entries if e.level == "control")
    assert [controls_per_clause[str(n)] for n in range(5, 19)] == [2, 7, 6, 10, 14, 2, 15, 14, 7, 13, 5, 7, 4, 8]
    titles = {e.number: (e.values["title_en"], e.values["title_ja"]) for e in catalog.entries}
    assert titles["A.15.1.2"][0] == "Addressing security within supplier agreements"
    assert titles["A.5"][1] == "情報セキュリティのための方針群"


def test_iso_2022_has_93_controls_and_maps_every_2013_control() -> None:
    old = load_catalog(CATALOGS / "iso27001_2013.yaml")
    new = load_catalog(CATALOGS / "iso27001_2022.yaml", expected_type="iso22")
    assert new.problems == []
    controls = [e for e in new.entries if e.level == "control"]
    assert Counter(e.number.split(".")[0] for e in controls) == {"5": 37, "6": 8, "7": 14, "8": 34}
    mapped = {n for e in controls for n in e.values["corresponds_2013"]}
    assert mapped == {e.number for e in old.entries if e.level == "control"}
    added = sorted((e.number for e in controls if e.values.get("new")), key=lambda n: [int(x) for x in n.split(".")])
    assert added == ["5.7", "5.23", "5.30", "7.4", "8.9", "8.10", "8.11", "8.12", "8.16", "8.23", "8.28"]
    assert all(not e.values["corresponds_2013"] for e in controls if e.values.get("new"))


def test_nisc_has_all_8_parts_and_the_six_cited_items_exactly() -> None:
    catalog = load_catalog(CATALOGS / "nisc_h26.yaml", expected_type="nisc")
    assert catalog.problems == []
    by_number = {e.number: e.values for e in catalog.entries}
    assert sorted(n for n, v in by_number.items() if v["level"] == "part") == [str(n) for n in range(1, 9)]
    cited = {
        "2.2.4": "情報セキュリティインシデントへの対処",
        "4.1.1": "外部委託",
        "4.1.2": "約款による外部サービスの利用",
        "4.1.3": "ソーシャルメディアサービスによる情報発信",
        "7.3.1": "通信回線",
        "8.2.1": "府省庁支給以外の端末の利用",
    }
    for number, title in cited.items():
        assert by_number[number]["title"] == title
        assert by_number[number]["confidence"] == "high"
        assert "S0" in by_number[number]["source"]
    # nothing from later editions: 4.1.4 クラウドサービスの利用 first appears in the H28 edition
    assert "4.1.4" not in by_number


def test_every_catalog_row_names_a_declared_source() -> None:
    for path in sorted(CATALOGS.glob("*.yaml")):
        catalog = load_catalog(path)
        assert catalog.problems == [], path.name
        assert all(e.values["source"] for e in catalog.entries)


@pytest.mark.parametrize(("text", "expected"), [
    ("# 適用除外\nexclusion:\n  - {control: \"A.7.1.1\", justification: \"理由\"}\n",
     [(2, "the SoA file needs a list 'exclusions', not 'exclusion'. Write 'exclusions:'.")]),
    ("exclusions:\n  - {control: \"A.7.1.1\", justfication: \"理由\"}\n",
     [(2, "an exclusion has the key 'justfication', which an exclusion does not have. Did you mean 'justification'?")]),
    ("exclusions:\n\t- {control: \"A.7.1.1\", justification: \"理由\"}\n",
     [(2, "YAML syntax error: found character '\\t' that cannot start any token. YAML indents with spaces, never "
          "tabs: replace the tab on this line with spaces.")]),
])
def test_each_mistake_in_a_soa_file_is_named_at_its_line(tmp_path: Path, text: str,
                                                        expected: list[tuple[int, str]]) -> None:
    from trace_model.catalogs import load_soa

    path = tmp_path / "soa.yaml"
    path.write_text(text, encoding="utf-8")
    data = load_soa(path)
    assert [(p.location.line, f"{p.message} {p.hint}".strip()) for p in data.problems] == expected


def test_a_deleted_parent_row_is_one_message_at_its_first_child(tmp_path: Path) -> None:
    catalog = load_catalog(write(tmp_path, HEADER + """  - {number: "A.5", level: clause, title_en: "P", title_ja: "方針", source: [S1]}
  - {number: "A.5.1.1", level: control, title_en: "C", title_ja: "方針群", source: [S1]}
  - {number: "A.5.1.2", level: control, title_en: "C", title_ja: "レビュー", source: [S1]}
  - {number: "A.5.1.3", level: control, title_en: "C", title_ja: "見直し", source: [S1]}
"""))
    assert [(p.code, p.location.line, p.message) for p in catalog.problems] == [
        ("catalog-row", 8, "entry 'A.5.1.1' has no parent entry 'A.5.1' in this catalog (nor have 'A.5.1.2', "
                           "'A.5.1.3')."),
    ]
