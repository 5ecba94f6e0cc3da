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
