"""Unit tests of the helpers that need no build: the ID a refused need ID should have been
(guideline_trace.checks), and the options and need IDs an editor wrote in a MyST file (trace_model.sources)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("written", "expected"), [
    ("REQ-CLOUD-2.1", "REQ-CLOUD-2-1"),
    ("ｒｅｑ－ｎｅｔ－００９", "REQ-NET-009"),
    ("req-net-008", "REQ-NET-008"),
    ("NISC-4.1.1(2)", "NISC-4-1-1-2"),
])
def test_an_invalid_need_id_gets_a_valid_suggestion(written: str, expected: str) -> None:
    from guideline_trace.checks import suggest_id

    assert suggest_id(written) == expected


def test_written_need_ids_follow_the_editors_nesting_and_skip_examples() -> None:
    from trace_model.sources import written_need_ids

    text = "\n".join([
        "```{req} A",            # 1
        ":id: REQ-A",            # 2
        "",
        "```{note}",             # 4: closes REQ-A early in CommonMark
        "inner",
        "```",
        "```",
        "````md",                # 8: an example of the syntax, skipped
        "```{req} Example",
        ":id: REQ-EXAMPLE",
        "```",
        "````",
        ":::{measure} B",        # 13
        ":source: added",
        ":id: STD-1-1-1",        # 15
        ":::",
    ])
    assert written_need_ids(text, {"req", "measure"}) == [("REQ-A", 2), ("STD-1-1-1", 15)]


def test_option_lines_locate_each_option_of_a_need() -> None:
    from trace_model.sources import option_lines

    assert option_lines("```{req} T\n:id: X\n:iso: A\n\nbody\n:not: an option", 10) == (("id", 11), ("iso", 12))
    assert option_lines("```{req} T\n---\nid: X\niso: A\n---\nbody", 10) == (("id", 12), ("iso", 13))
    # options end at the first line that is not one (MyST): a later ':x:' line is body text
    assert option_lines("```{req} T\n:id: X\n\n:iso: A", 10) == (("id", 11),)


def test_one_reader_of_options_serves_repeats_and_ids() -> None:
    from trace_model.sources import directive_options, repeated_options, written_need_ids

    block = "```{req} T\n:id: X\n:iso: A\n:iso: B\nbody"
    assert [(o.name, o.value, o.line) for o in directive_options(block.splitlines(), 1, 5)] == [
        ("id", "X", 5), ("iso", "A", 6), ("iso", "B", 7)]
    assert repeated_options(block) == {"iso": ["A", "B"]}
    assert written_need_ids('```{req} T\n---\nid: "REQ-Q"\n---\n```', {"req"}) == [("REQ-Q", 3)]


def test_a_space_after_an_id_even_a_full_width_one_is_not_part_of_it(build_root) -> None:
    from sphinx_needs.data import SphinxNeedsData

    built = build_root("id-mistakes")
    assert "REQ-T-009" in SphinxNeedsData(built.app.env).get_needs_view()


KNOWN_OPTIONS = {"id", "source", "theme", "nisc", "iso", "iso_reason"}


def test_a_wrapped_option_value_is_read_as_meant() -> None:
    from trace_model.sources import option_slips

    lines = [":id: REQ-A", ":iso: A, B", ":iso_reason: A: 方針;", "  B: 合意", "  に含める", "", "本文"]
    (slip,) = option_slips(lines, 0, 10, KNOWN_OPTIONS)
    assert (slip.kind, slip.line, slip.lines, slip.name) == ("wrapped", 13, (12, 13, 14), "iso_reason")
    # a space after ASCII, none between Japanese text
    assert slip.value == "A: 方針; B: 合意に含める"
    # a reason continued without indentation is a continuation too; body text is not
    assert option_slips([":iso_reason: A: x", "ISO-A-5-1-2: 合意", "", "本文"], 0, 1, KNOWN_OPTIONS)[0].kind == "wrapped"
    assert option_slips([":id: X", "本文が続く"], 0, 1, KNOWN_OPTIONS) == []
    assert option_slips([":id: X", "REQ-T-002: を参照のこと。"], 0, 1, KNOWN_OPTIONS) == []
    # nor is an indented list that starts the body right after the options
    assert option_slips([":id: X", "  - 箇条書き一", "  - 箇条書き二"], 0, 1, KNOWN_OPTIONS) == []
    # a value that ends with a separator goes on, indented or not
    (slip,) = option_slips([":iso: A,", "B", "", "本文"], 0, 1, KNOWN_OPTIONS)
    assert (slip.name, slip.value, slip.lines) == ("iso", "A, B", (1, 2))


def test_the_options_after_a_wrapped_line_are_read_too() -> None:
    from trace_model.sources import option_slips

    lines = [":id: X", ":nisc: N1,", "  N2", ":iso: A", ":iso_reason: A: r", "", "本文"]
    slips = option_slips(lines, 0, 1, KNOWN_OPTIONS)
    assert [(s.kind, s.name, s.value) for s in slips] == [
        ("wrapped", "nisc", "N1, N2"), ("after-wrap", "iso", "A"), ("after-wrap", "iso_reason", "A: r")]


def test_a_blank_line_first_or_a_misspelt_option_after_a_blank_line_is_found() -> None:
    from trace_model.sources import option_slips

    first = option_slips(["", ":id: X", ":iso: A", "", "本文"], 0, 1, KNOWN_OPTIONS)
    assert [(s.kind, s.line, s.name) for s in first] == [("after-blank", 2, "id"), ("after-blank", 3, "iso")]
    misspelt = option_slips([":id: X", "", ":iso_reasons: A: r"], 0, 1, KNOWN_OPTIONS)
    assert [(s.kind, s.name) for s in misspelt] == [("after-blank", "iso_reasons")]


def test_options_after_a_blank_line_are_found_only_when_they_name_an_option() -> None:
    from trace_model.sources import option_slips

    lines = [":id: X", ":theme: T", "", ":nisc: N", ":iso: A", "", "本文"]
    assert [(s.kind, s.line, s.name, s.value) for s in option_slips(lines, 0, 1, KNOWN_OPTIONS)] == [
        ("after-blank", 4, "nisc", "N"), ("after-blank", 5, "iso", "A")]
    # body text that starts with a colon but names no option is left alone
    assert option_slips([":id: X", "", ":note: 本文"], 0, 1, KNOWN_OPTIONS) == []
    # so is a nested colon fence
    assert option_slips([":id: X", "", ":::{note}", "x", ":::"], 0, 1, KNOWN_OPTIONS) == []


def test_a_full_width_colon_in_an_option_is_found_wherever_it_is() -> None:
    from trace_model.sources import directive_options, full_width_option, option_slips

    lines = [":id: X", ":nisc：N", "：iso: A", ":theme: T", "", "本文：説明"]
    assert [(s.kind, s.line, s.name, s.value) for s in option_slips(lines, 0, 1, KNOWN_OPTIONS)] == [
        ("full-width", 2, "nisc", "N"), ("full-width", 3, "iso", "A")]
    assert [(o.name, o.value) for o in directive_options(lines, fold=True)] == [("id", "X"), ("nisc", "N"), ("iso", "A"), ("theme", "T")]
    # a full-width colon inside the value (a reason's separator) is no slip
    assert not full_width_option(":iso_reason: A：方針")
    assert option_slips([":iso_reason: A：方針", "", "本文"], 0, 1, KNOWN_OPTIONS) == []


@pytest.mark.parametrize("parallel", [0, 2])
def test_each_option_slip_is_read_as_meant_and_kept_out_of_the_text(build_root, parallel: int) -> None:
    import json

    built = build_root("option-syntax", parallel=parallel)
    assert [w.rsplit("[", 1)[1] for w in built.warnings] == (
        ["myst.directive_option]"] + ["trace.option-syntax]"] * 6 + ["trace.unknown-option]"])
    data = json.loads((built.outdir / "needs.json").read_text(encoding="utf-8"))
    needs = data["versions"][data["current_version"]]["needs"]
    one, two, three = needs["REQ-T-001"], needs["REQ-T-002"], needs["REQ-T-003"]
    assert one["iso_reason"] == "ISO-A-15-1-1: 供給者に関する方針; ISO-A-15-1-2: 合意に含める要求事項"
    assert (two["nisc"], two["iso"]) == (["NISC-4-1-2"], ["ISO-A-15-2-1"])
    assert (three["nisc"], three["iso"]) == (["NISC-4-1-1"], ["ISO-A-15-1-1"])
    assert [n["content"] for n in (one, two, three)] == [
        "委託先の選定条件を定義すること。", "約款による外部サービスの利用を判断すること。", "委託先との契約を見直すこと。"]
    four, five, six = needs["REQ-T-004"], needs["REQ-T-005"], needs["REQ-T-006"]
    assert (four["nisc"], four["iso"], four["iso_reason"]) == (
        ["NISC-4-1-1", "NISC-4-1-2"], ["ISO-A-15-1-1"], "ISO-A-15-1-1: 供給者に関する方針")
    assert (five["source"], five["iso"]) == ("added", ["ISO-A-15-1-1"])
    assert six["iso_reason"] == "ISO-A-15-1-1: 供給者に関する方針"
    assert [n["content"] for n in (four, five, six)] == [
        "委託先の監督の手順を定めること。", "委託先の事故の報告を求めること。", "委託先との契約を終えるときの手順を定めること。"]
    page = (built.outdir / "index.html").read_text(encoding="utf-8")
    assert ":nisc:" not in page and "：iso" not in page  # no option line is published as text


def test_html_comments_are_found_with_their_lines() -> None:
    from trace_model.sources import html_comments

    text = "a\n<!--\nb\n-->\nc <!-- d -->\n<!-- never closed\ne"
    assert html_comments(text) == [(2, 4), (5, 5), (6, 7)]


def test_a_misspelt_include_path_is_matched_part_by_part(tmp_path) -> None:
    from guideline_trace.checks import misspelt_includes

    (tmp_path / "requirements" / "sub").mkdir(parents=True)
    (tmp_path / "requirements" / "sub" / "outsourcing.md").write_text("x", encoding="utf-8")
    page = tmp_path / "index.md"
    page.write_text("```{include} requirement/sub/outsorcing.md\n```\n\n```{include} nothing/like/it.md\n```\n",
                    encoding="utf-8")
    assert misspelt_includes(page) == [
        (1, "requirement/sub/outsorcing.md", (tmp_path / "requirements" / "sub" / "outsourcing.md").resolve())]
