"""The accessibility page's data: the criteria file, the results file the browser tests write, the
verdict per 達成基準 (guideline_site.a11y_report), and the record the tests keep (tests/a11y_record.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from a11y_record import Record, criterion_of
from conftest import A11Y_RESULTS, ROOT
from guideline_site.a11y_report import VERDICTS, Criterion, Results, load_criteria, load_results, verdict

CRITERIA = ROOT / "source" / "accessibility" / "criteria.yaml"


def test_the_criteria_are_the_25_a_and_13_aa_of_jis_x_8341_3_2016_plus_marked_wcag_2_1_and_2_2() -> None:
    criteria, problems = load_criteria(CRITERIA)
    assert problems == []
    jis = [c for c in criteria if not c.edition]
    assert sum(c.level == "A" for c in jis) == 25 and sum(c.level == "AA" for c in jis) == 13
    assert {c.edition for c in criteria} == {"", "WCAG 2.1", "WCAG 2.2"}
    # the WCAG 2.0 numbering: four principles, no 2.5 guideline and no 1.4.10 in JIS X 8341-3:2016
    assert {c.number.split(".")[0] for c in jis} == {"1", "2", "3", "4"}
    assert not any(c.number.startswith("2.5") or c.number == "1.4.10" for c in jis)


@pytest.mark.parametrize(("entry", "says"), [
    ('- {number: "2.5.1", level: A, edition: WCAG 2.1}', "has no 'name'"),
    ('- {number: "2.5.1", level: A, name: x, levle: A}', "has the key 'levle'"),
    ('- {number: "2.5.1", level: AAA, name: x, edition: WCAG 2.1}', "write A or AA"),
    ('- {number: "1.1.1", level: A, name: x}', "also given at line"),
    ("- just text", "must be a mapping"),
    ('- {number: "2.5.1", level: A, name: x}', "is not a level A or AA criterion of JIS X 8341-3:2016"),
])
def test_a_bad_criteria_entry_is_named_with_its_line(tmp_path: Path, entry: str, says: str) -> None:
    """Each mistake planted at the end of the real criteria file is one message at its line."""
    path = tmp_path / "criteria.yaml"
    text = CRITERIA.read_text(encoding="utf-8") + entry + "\n"
    path.write_text(text, encoding="utf-8")
    _, problems = load_criteria(path)
    assert len(problems) == 1, problems
    location, message = problems[0]
    assert location == f"{path}:{len(text.splitlines())}" and says in message


@pytest.mark.parametrize(("text", "says"), [("number: 1", "must be a list"), ("- {number: [", "cannot be read")])
def test_a_criteria_file_that_is_not_a_list_is_refused_whole(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "criteria.yaml"
    path.write_text(text + "\n", encoding="utf-8")
    assert [(loc.startswith(f"{path}:"), says in message) for loc, message in load_criteria(path)[1]] == [(True, True)]


def test_every_jis_criterion_must_be_listed_at_its_level(tmp_path: Path) -> None:
    """A criterion of JIS X 8341-3:2016 left out, or given the wrong level, is named: its row would be
    missing from the 試験結果, or the table would say the wrong level."""
    text = CRITERIA.read_text(encoding="utf-8")
    text = re.sub(r'^- \{number: "1\.4\.3".*\n', "", text, flags=re.MULTILINE)
    text = text.replace('{number: "2.4.7", level: AA,', '{number: "2.4.7", level: A,')
    path = tmp_path / "criteria.yaml"
    path.write_text(text, encoding="utf-8")
    messages = [message for _, message in load_criteria(path)[1]]
    assert len(messages) == 2
    assert "1.4.3 (level AA of JIS X 8341-3:2016) is not listed" in messages[0] + messages[1]
    assert "2.4.7 is level AA in JIS X 8341-3:2016, not A" in messages[0] + messages[1]


def results_data(**changes: Any) -> dict[str, Any]:
    data = {"schema": 1, "tested_on": "2026-12-01", "commit": "abc1234", "environment": {"browser": "Chromium 1"},
            "pages": [{"url": "index.html", "title": "top"}], "axe": {}, "tests": {}}
    return data | changes


def shaped(**changes: Any) -> str:
    return json.dumps(results_data(**changes), indent=1)


@pytest.mark.parametrize(("text", "line", "says"), [
    (None, 1, "does not exist"),
    ('{\n "schema": 1,\n "tested_on": }', 3, "is not JSON"),
    (shaped(schema=2), 2, "at schema: 1 was expected"),
    (json.dumps({k: v for k, v in results_data().items() if k != "pages"}), 1, '"pages" is a required property'),
    # found by trying to break it: each was a crash or a silent drop
    (shaped(pages="index.html"), 8, 'at pages: "index.html" is not of type "array"'),
    (shaped(axe=[]), 14, 'at axe: [] is not of type "object"'),
    (shaped(axe={"1.1.1": {"object-alt": {"passed": 2, "failures": 2}}}), 16, "failures"),
    (shaped(tests={"2.4.7": [{"test": "t", "title": "t"}]}), 16, '"outcome" is a required property'),
    (shaped(environment="x"), 5, 'at environment: "x" is not of type "object"'),
])
def test_a_missing_or_bad_results_file_is_named_with_its_line_and_the_fix(
        tmp_path: Path, text: str | None, line: int, says: str) -> None:
    path = tmp_path / "results.json"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    results, problems = load_results(path)
    assert results is None
    assert [location for location, _ in problems] == [f"{path}:{line}"]
    assert says in problems[0][1] and "make test" in problems[0][1], problems[0][1]


def results(axe: dict[str, Any] | None = None, tests: dict[str, Any] | None = None) -> Results:
    return Results("2026-12-01", "abc", {}, [], axe or {}, tests or {})


@pytest.mark.parametrize(("axe", "tests", "not_applicable", "expected"), [
    ({"1.4.3": {"color-contrast": {"passed": 40, "failed": 1}}}, {}, "", "failed"),
    ({}, {"1.4.3": [{"test": "t", "title": "t", "outcome": "failed"}]}, "", "failed"),
    ({"1.4.3": {"color-contrast": {"passed": 39, "incomplete": 1}}}, {}, "", "incomplete"),
    ({"1.4.3": {"color-contrast": {"passed": 40}}}, {}, "", "passed"),
    ({}, {"1.4.3": [{"test": "t", "title": "t", "outcome": "passed"}]}, "", "passed"),
    ({}, {}, "no media", "not-applicable"),
    ({}, {}, "", "untested"),
    # a rule that passed overrides the editors' judgement: what the tests found is shown
    ({"1.4.3": {"color-contrast": {"passed": 2}}}, {}, "no media", "passed"),
])
def test_the_verdict_says_only_what_the_tests_found(axe: dict[str, Any], tests: dict[str, Any],
                                                    not_applicable: str, expected: str) -> None:
    criterion = Criterion("1.4.3", "AA", "コントラスト", not_applicable=not_applicable)
    assert verdict(criterion, results(axe, tests)) == expected
    assert expected in VERDICTS


def test_the_record_counts_axe_outcomes_per_criterion_and_rule() -> None:
    record = Record(expected_axe_checks=2)
    page = {"passes": [{"id": "color-contrast", "tags": ["wcag2aa", "wcag143"]}],
            "violations": [{"id": "image-alt", "tags": ["wcag2a", "wcag111", "section508"]}],
            "incomplete": [], "inapplicable": [{"id": "video-caption", "tags": ["wcag122"]}]}
    record.add_axe("index.html", "トップ - サイト名", page)
    assert not record.complete()
    record.add_axe("index.html", "トップ - サイト名", page)
    assert record.complete()
    record.add_test(("2.4.7",), "test_focus", "フォーカス", True)
    record.add_test(("2.4.7",), "test_focus", "フォーカス", False)  # one failing parameter fails the test
    data = record.as_json("2026-12-01", "abc")
    assert data["axe"] == {"1.1.1": {"image-alt": {"failed": 2}}, "1.4.3": {"color-contrast": {"passed": 2}}}
    assert data["tests"] == {"2.4.7": [{"test": "test_focus", "title": "フォーカス", "outcome": "failed"}]}
    assert data["pages"] == [{"url": "index.html", "title": "トップ"}]
    assert criterion_of("wcag1410") == "1.4.10" and criterion_of("wcag2aa") is None


def test_a_partial_run_does_not_rewrite_the_results(tmp_path: Path) -> None:
    record = Record(expected_axe_checks=1)
    record.add_axe("index.html", "t", {})
    record.left_out.append("tests/test_browser_site.py::test_no_page_scrolls_sideways[320]")
    assert not record.write(tmp_path / "results.json", ROOT)
    assert not (tmp_path / "results.json").exists()


def test_the_committed_results_can_be_read_and_name_each_page_type_once() -> None:
    loaded, problems = load_results(A11Y_RESULTS)
    assert problems == [] and loaded is not None
    urls = [p["url"] for p in loaded.pages]
    assert len(urls) == len(set(urls)) >= 20
    assert loaded.environment.get("browser", "").startswith("Chromium") and loaded.environment.get("axe")


def test_a_link_showing_only_an_id_or_a_number_is_named_with_its_target_title() -> None:
    from guideline_site.a11y import name_bare_links

    titles = {"ISO-A-15-1-2": "供給者との合意におけるセキュリティの取扱い", "STD-2-1-1": "最高情報セキュリティ責任者",
              "ISO22-5": "組織的管理策", "ISO-A-5-1-1": "A.5.1.1 情報セキュリティのための方針群"}
    page = ('<a class="reference internal" href="iso2013.html#ISO-A-15-1-2" title="x">A.15.1.2</a> '
            '<a href="#STD-2-1-1"><em class="xref need">STD-2-1-1</em></a> '
            '<a href="iso2022.html#ISO22-5">5</a> '
            '<a href="glossary.html#term-J-LIS">J-LIS</a> '
            '<span class="needs-id"><a href="#STD-2-1-1">STD-2-1-1</a></span> '
            '<a href="#STD-2-1-1" aria-label="already">STD-2-1-1</a> '
            '<a href="#STD-2-1-1">STD-2-1-1 最高情報セキュリティ責任者</a> '
            '<a href="iso2013.html#ISO-A-5-1-1">A.5.1.1</a>')
    named = name_bare_links(page, titles)
    assert 'title="x" aria-label="A.15.1.2 供給者との合意におけるセキュリティの取扱い">A.15.1.2</a>' in named
    assert 'aria-label="STD-2-1-1 最高情報セキュリティ責任者"><em class="xref need">STD-2-1-1</em></a>' in named
    assert 'aria-label="5 組織的管理策">5</a>' in named
    # a title that already starts with the number is not given the number twice
    assert 'aria-label="A.5.1.1 情報セキュリティのための方針群">A.5.1.1</a>' in named
    # not a need, the need heading's own ID, a named link and a link with its title are left as they were
    assert named.count("aria-label=") == 5
    assert '<span class="needs-id"><a href="#STD-2-1-1">STD-2-1-1</a></span>' in named
