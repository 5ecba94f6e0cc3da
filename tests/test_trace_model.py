"""Unit tests of the pure-Python trace model (no Sphinx involved)."""

from __future__ import annotations

import pytest
from trace_model.model import (
    LinkRule,
    Location,
    Problem,
    TraceItem,
    TraceModel,
    TraceRules,
    nearest,
    parse_reasons,
)

RULES = TraceRules(
    links={
        "nisc": LinkRule(frozenset({"nisc"})),
        "iso": LinkRule(frozenset({"iso"}), frozenset({"control"})),
    },
    required={"req": (("nisc",), ("iso",))},
    required_fields={"req": ("source",)},
    field_values={"source": frozenset({"paper", "added"})},
    reasons={"iso": "iso_reason"},
)


def entry(need_id: str, need_type: str, level: str, parent: str = "") -> TraceItem:
    return TraceItem(need_id, need_type, fields={"level": level, "parent": parent},
                     location=Location("cat.yaml", 1))


def req(need_id: str, line: int = 1, **links: tuple[str, ...]) -> TraceItem:
    reasons = "; ".join(f"{target}: 理由" for target in links.get("iso", ()))
    return TraceItem(need_id, "req", fields={"source": "paper", "iso_reason": reasons}, links=links,
                     location=Location("reqs.md", line))


CATALOG = [
    entry("NISC-4-1-1", "nisc", "item"),
    entry("NISC-4-1-2", "nisc", "item"),
    entry("ISO-A-15", "iso", "clause"),
    entry("ISO-A-15-1", "iso", "objective", "ISO-A-15"),
    entry("ISO-A-15-1-1", "iso", "control", "ISO-A-15-1"),
    entry("ISO-A-15-1-2", "iso", "control", "ISO-A-15-1"),
    entry("ISO-A-15-1-3", "iso", "control", "ISO-A-15-1"),
]


def test_a_complete_trace_has_no_problems() -> None:
    model = TraceModel([*CATALOG, req("REQ-1", nisc=("NISC-4-1-1",), iso=("ISO-A-15-1-1",))], RULES)
    assert model.problems() == []


def test_coverage_counts_linked_controls_only() -> None:
    model = TraceModel(
        [
            *CATALOG,
            req("REQ-1", nisc=("NISC-4-1-1",), iso=("ISO-A-15-1-1", "ISO-A-15-1-2")),
            req("REQ-2", nisc=("NISC-4-1-1",), iso=("ISO-A-15-1-2",)),
        ],
        RULES,
    )
    cov = model.coverage("iso", ["iso"], level="control")
    assert (cov.covered, cov.total) == (2, 3)
    assert cov.percent == pytest.approx(200 / 3)
    assert [row.entry.id for row in cov.uncovered] == ["ISO-A-15-1-3"]
    assert {row.entry.id: row.covered_by for row in cov.rows}["ISO-A-15-1-2"] == ("REQ-1", "REQ-2")
    nisc = model.coverage("nisc", ["nisc"])
    assert (nisc.covered, nisc.total) == (1, 2)


def test_coverage_of_an_empty_standard_is_zero_not_an_error() -> None:
    cov = TraceModel([], RULES).coverage("iso", ["iso"])
    assert (cov.covered, cov.total, cov.percent) == (0, 0, 0.0)


def test_coverage_can_be_limited_to_source_types() -> None:
    other = TraceItem("THEME-1", "theme", links={"iso": ("ISO-A-15-1-3",)})
    model = TraceModel([*CATALOG, other], RULES)
    assert model.coverage("iso", ["iso"], level="control").covered == 1
    assert model.coverage("iso", ["iso"], level="control", source_types=["req"]).covered == 0


def test_dangling_link_is_reported_with_the_nearest_id_of_the_right_type() -> None:
    model = TraceModel([*CATALOG, req("REQ-1", 7, nisc=("NISC-4-1-3",), iso=("ISO-A-15-1-1",))], RULES)
    assert model.dangling_links()[0][2] == "NISC-4-1-3"
    (problem,) = model.problems()
    assert problem.code == "dangling-link"
    assert problem.location == Location("reqs.md", 7)
    assert "'NISC-4-1-3', which does not exist" in problem.message
    assert problem.hint.startswith("Did you mean 'NISC-4-1-")


def test_printed_number_written_as_id_suggests_the_id() -> None:
    assert nearest("ISO-A.15.1.2", ["ISO-A-15-1-1", "ISO-A-15-1-2"]) == "ISO-A-15-1-2"
    assert nearest("NISC-4-1-1(1)", ["NISC-4-1-1-1", "NISC-4-1-1"]) == "NISC-4-1-1-1"
    assert nearest("XYZ", ["ISO-A-15-1-1"]) is None


def test_link_to_wrong_type_and_to_a_clause_group_are_reported() -> None:
    model = TraceModel(
        [*CATALOG, req("REQ-1", nisc=("NISC-4-1-1",), iso=("NISC-4-1-2", "ISO-A-15-1"))], RULES
    )
    codes = [(p.code, p.hint) for p in model.problems()]
    assert ("wrong-link-type", "Move 'NISC-4-1-2' to the option ':nisc:', or link an entry of type 'iso' here.") in codes
    assert ("wrong-link-level", "Link one of the entries at level 'control' under it instead, e.g. 'ISO-A-15-1-1'.") in codes


def test_missing_links_and_fields_are_each_reported() -> None:
    bare = TraceItem("REQ-1", "req", location=Location("reqs.md", 3))
    problems = TraceModel([*CATALOG, bare], RULES).problems()
    assert [p.code for p in problems] == ["missing-field", "missing-link", "missing-link"]
    assert {p.message for p in problems if p.code == "missing-link"} == {
        "REQ-1: this 'req' has no 'nisc' link; it needs at least one.",
        "REQ-1: this 'req' has no 'iso' link; it needs at least one.",
    }


def test_alternative_links_satisfy_a_group() -> None:
    rules = TraceRules(required={"req": (("theme", "viewpoint"),)})
    with_viewpoint = TraceItem("REQ-1", "req", links={"viewpoint": ("VP-2",)})
    without = TraceItem("REQ-2", "req")
    model = TraceModel([TraceItem("VP-2", "viewpoint"), with_viewpoint, without], rules)
    assert [p.message for p in model.problems()] == [
        "REQ-2: this 'req' has no 'theme' or 'viewpoint' link; it needs at least one."
    ]
    assert [i.id for i in model.orphans("req", ["theme", "viewpoint"])] == ["REQ-2"]


def test_value_outside_the_allowed_set_suggests_the_nearest() -> None:
    item = TraceItem("REQ-1", "req", fields={"source": "adde"}, location=Location("r.md", 1))
    (problem,) = TraceModel([item], TraceRules(field_values=RULES.field_values)).problems()
    assert problem == Problem(
        Location("r.md", 1), "bad-value",
        "REQ-1: 'source' is 'adde', which is not one of: added, paper.", "Did you mean 'added'?",
    )


def test_a_misspelt_allowed_value_is_one_problem_at_the_rule_not_one_per_item() -> None:
    """The rule allows 'aded' (a typo), which no item gives; four items give 'added': the rule is wrong."""
    items = [TraceItem(f"REQ-{n}", "req", fields={"source": "added"}, location=Location("r.md", n)) for n in (1, 2, 3, 10)]
    items.append(TraceItem("REQ-5", "req", fields={"source": "adde"}, location=Location("r.md", 5)))
    rules = TraceRules(field_values={"source": frozenset({"paper", "aded"})},
                       value_locations={("source", "aded"): Location("conf.py", 226)})
    problems = TraceModel(items, rules).problems()
    assert problems == [
        Problem(Location("conf.py", 226), "bad-value",
                "the allowed values of 'source' (trace_field_values) include 'aded', which no item gives, while 4 "
                "items give 'added', which is not allowed (REQ-1, REQ-2, REQ-3, …).",
                "Did you mean 'added'? Correct it in trace_field_values (or, if 'aded' is right, correct those 4 items)."),
        # a value given once is the item's own typo
        Problem(Location("r.md", 5), "bad-value", "REQ-5: 'source' is 'adde', which is not one of: aded, paper.",
                "Did you mean 'aded'?"),
    ]
    # once an item gives the allowed value, each wrong item is its own mistake again
    items.append(TraceItem("REQ-6", "req", fields={"source": "aded"}, location=Location("r.md", 6)))
    assert [p.location for p in TraceModel(items, rules).problems()] == [Location("r.md", n) for n in (1, 2, 3, 5, 10)]


def test_a_link_of_the_wrong_type_is_one_problem_not_also_a_missing_reason() -> None:
    item = TraceItem("REQ-1", "req", fields={"source": "paper", "iso_reason": "ISO-A-15-1-1: 理由"},
                     links={"nisc": ("NISC-4-1-1",), "iso": ("ISO-A-15-1-1", "NISC-4-1-2")},
                     location=Location("reqs.md", 1))
    problems = TraceModel([*CATALOG, item], RULES).problems()
    assert [p.code for p in problems] == ["wrong-link-type"]


def test_a_copy_pasted_into_another_chapter_is_the_duplicate_to_rename_in_one_message() -> None:
    """STD-5-1-1 copied into chapter 4 (read first) is reported there once, not as a misplaced ID here
    and a duplicate at the untouched original."""
    rules = TraceRules(id_patterns={"measure": r"STD-(\d+)-\d+-\d+"}, id_docnames={"measure": r"standards/0*(\d+)-"})

    def measure(docname: str, file: str) -> TraceItem:
        return TraceItem("STD-5-1-1", "measure", fields={"docname": docname}, location=Location(file, 8))

    copy, original = measure("standards/04-physical", "04.md"), measure("standards/05-human", "05.md")
    (problem,) = TraceModel([copy, original], rules).problems()
    assert (problem.code, problem.location) == ("duplicate-id", Location("04.md", 8))
    assert problem.message == "ID 'STD-5-1-1' is defined twice: here and at 05.md:8."
    assert "another chapter (standards/04-physical)" in problem.hint


def test_what_a_link_carries_is_not_judged_while_the_link_is_wrong() -> None:
    """A 例文 whose 'realises' names a measure (wrong type) or a missing item gets that one problem, not also
    a bad-value for the paper positions the link cannot carry."""
    rules = TraceRules(links={"realises": LinkRule(frozenset({"req"}))}, inherited={"paper_ref": "realises"})
    point = TraceItem("REQ-1", "req", fields={"paper_ref": "①-1"}, location=Location("r.md", 1))
    other = TraceItem("STD-2", "measure", location=Location("s.md", 1))

    def example(*targets: str) -> TraceItem:
        return TraceItem("STD-1", "measure", fields={"paper_ref": "①-1"}, links={"realises": targets},
                         location=Location("s.md", 5))

    assert [p.code for p in TraceModel([point, other, example("STD-2")], rules).problems()] == ["wrong-link-type"]
    assert [p.code for p in TraceModel([point, other, example("REQ-1", "REQ-9")], rules).problems()] == [
        "dangling-link"]
    # with its links right, the positions are judged
    assert TraceModel([point, other, example("REQ-1")], rules).problems() == []
    wrong = TraceItem("STD-1", "measure", fields={"paper_ref": "②-1"}, links={"realises": ("REQ-1",)},
                      location=Location("s.md", 5))
    assert [p.code for p in TraceModel([point, other, wrong], rules).problems()] == ["bad-value"]


def test_duplicate_names_both_locations_and_keeps_the_first() -> None:
    first = req("REQ-1", 3, nisc=("NISC-4-1-1",), iso=("ISO-A-15-1-1",))
    again = TraceItem("REQ-1", "req", location=Location("other.md", 9))
    model = TraceModel([*CATALOG, first, again], RULES)
    assert model.items["REQ-1"] is first
    (problem,) = model.problems()
    assert str(problem) == (
        "other.md:9: ID 'REQ-1' is defined twice: here and at reqs.md:3. "
        "Give one of them a new ID (IDs must be unique in the whole site). [trace.duplicate-id]"
    )


def test_back_links_follow_definition_order() -> None:
    model = TraceModel(
        [*CATALOG, req("REQ-2", iso=("ISO-A-15-1-1",)), req("REQ-1", iso=("ISO-A-15-1-1",))], RULES
    )
    assert model.back_links("ISO-A-15-1-1", "iso") == ("REQ-2", "REQ-1")
    assert model.back_links("ISO-A-15-1-1", "nisc") == ()


def test_reasons_parse_per_line_or_semicolon() -> None:
    assert parse_reasons("ISO-A-5-1-1: 方針; ISO-A-5-1-2: 見直し\nISO-A-6-1-1: 役割") == {
        "ISO-A-5-1-1": "方針", "ISO-A-5-1-2": "見直し", "ISO-A-6-1-1": "役割",
    }


def test_each_iso_link_needs_its_reason_and_each_reason_its_link() -> None:
    item = TraceItem(
        "REQ-1", "req",
        fields={"source": "paper", "iso_reason": "ISO-A-15-1-1: 方針; ISO-A-15-1-3: 余分"},
        links={"nisc": ("NISC-4-1-1",), "iso": ("ISO-A-15-1-1", "ISO-A-15-1-2")},
        location=Location("r.md", 4),
    )
    messages = [p.message for p in TraceModel([*CATALOG, item], RULES).problems()]
    # the reason for ISO-A-15-1-3 and the link to ISO-A-15-1-2 without one are one slip: one message
    assert messages == [
        "REQ-1: 'iso_reason' gives its reason for 'ISO-A-15-1-3', but the 'iso' link is 'ISO-A-15-1-2', "
        "which has none.",
    ]
    # a reason for an ID far from every link, and two links without one, are not paired by guessing
    item = TraceItem(
        "REQ-1", "req",
        fields={"source": "paper", "iso_reason": "ISO-A-15-1-1: 方針; NISC-4-1-1: 別の規格"},
        links={"nisc": ("NISC-4-1-1",), "iso": ("ISO-A-15-1-1", "ISO-A-15-1-2", "ISO-A-15-1-3")},
        location=Location("r.md", 4),
    )
    messages = [p.message for p in TraceModel([*CATALOG, item], RULES).problems()]
    assert messages == [
        "REQ-1: 'iso_reason' gives a reason for 'NISC-4-1-1', which is not in its 'iso' links.",
        "REQ-1: the 'iso' link to 'ISO-A-15-1-2' has no reason in 'iso_reason'.",
        "REQ-1: the 'iso' link to 'ISO-A-15-1-3' has no reason in 'iso_reason'.",
    ]


def test_an_entry_is_covered_through_the_entries_below_it() -> None:
    items = [
        entry("NISC-4-1-1", "nisc", "item"),
        TraceItem("NISC-4-1-1-1", "nisc", fields={"level": "requirement", "parent": "NISC-4-1-1"}),
        req("REQ-1", nisc=("NISC-4-1-1-1",), iso=("ISO-A-15-1-1",)),
    ]
    cov = TraceModel(items, RULES).coverage("nisc", ["nisc"], level="item")
    assert [(row.entry.id, row.covered_by) for row in cov.rows] == [("NISC-4-1-1", ("REQ-1",))]


def test_coverage_via_correspondence_counts_the_linked_2013_controls() -> None:
    iso22 = [
        TraceItem("ISO22-5-19", "iso22", fields={"level": "control"}, links={"corresponds": ("ISO-A-15-1-1",)}),
        TraceItem("ISO22-5-23", "iso22", fields={"level": "control"}),
        TraceItem("ISO22-5-20", "iso22", fields={"level": "control"},
                  links={"corresponds": ("ISO-A-15-1-2", "ISO-A-15-1-3")}),
    ]
    model = TraceModel([*CATALOG, *iso22, req("REQ-1", iso=("ISO-A-15-1-3",)), req("REQ-2", iso=("ISO-A-15-1-1",))])
    cov = model.coverage("iso22", ["iso"], level="control", via="corresponds", source_types=["req"])
    assert {row.entry.id: row.covered_by for row in cov.rows} == {
        "ISO22-5-19": ("REQ-2",), "ISO22-5-23": (), "ISO22-5-20": ("REQ-1",),
    }


def test_ancestor_follows_parents_up_to_the_wanted_level() -> None:
    model = TraceModel(CATALOG, RULES)
    assert model.ancestor("ISO-A-15-1-2", "clause").id == "ISO-A-15"
    assert model.ancestor("ISO-A-15-1-2", "objective").id == "ISO-A-15-1"
    assert model.ancestor("ISO-A-15-1-2", "part") is None
    assert model.subtree("ISO-A-15-1") == ["ISO-A-15-1", "ISO-A-15-1-1", "ISO-A-15-1-2", "ISO-A-15-1-3"]


def test_a_field_the_layout_of_its_type_does_not_show_is_reported() -> None:
    rules = TraceRules(shown_fields={"req": ("source",), "nisc": ("clause",)})
    hidden = TraceItem("REQ-1", "req", fields={"source": "paper", "clause": "4.1.1"}, location=Location("r.md", 4))
    shown = TraceItem("NISC-4-1-1", "nisc", fields={"clause": "4.1.1"}, location=Location("c.yaml", 2))
    unlisted = TraceItem("CHG-1", "change", fields={"clause": "1"}, location=Location("s.md", 1))
    (problem,) = TraceModel([hidden, shown, unlisted], rules).problems()
    assert problem == Problem(
        Location("r.md", 4), "field-not-shown",
        "REQ-1: this 'req' sets 'clause', which the layout of 'req' does not show, so readers would never see it.",
        "Remove ':clause:', or add 'clause' to trace_shown_fields['req'] in conf.py.",
    )


# -- the 例文 rules: who may realise, repeats, nesting, IDs, inherited positions --------------------

GUIDELINE = TraceRules(
    links={
        "nisc": LinkRule(frozenset({"nisc"})),
        "realises": LinkRule(frozenset({"req"}), sources=frozenset({"measure"})),
    },
    reasons={"measure.nisc": "nisc_reason"},
    required_when={"measure.source=paper": ("realises",)},
    required_backlinks={"req": ("realises",)},
    inherited={"paper_ref": "realises"},
    unnested=frozenset({"measure"}),
    id_patterns={"measure": r"STD-(\d+)-\d+-\d+"},
    id_docnames={"measure": r"standards/0*(\d+)-"},
)
POINT = TraceItem("REQ-1", "req", fields={"paper_ref": "①-1, ②-2"}, location=Location("reqs.md", 3))


def measure(need_id: str = "STD-8-1-1", *, docname: str = "source/standards/08-ext", **extra: object) -> TraceItem:
    fields = {"source": "paper", "paper_ref": "①-1", "nisc_reason": "NISC-4-1-1: 外部委託の項であるため",
              "docname": docname}
    fields.update({k: str(v) for k, v in extra.items() if k != "links"})
    links = extra.get("links", {"nisc": ("NISC-4-1-1",), "realises": ("REQ-1",)})
    return TraceItem(need_id, "measure", fields=fields, links=links, location=Location("std.md", 9))  # type: ignore[arg-type]


def codes(items: list[TraceItem]) -> list[str]:
    return [p.code for p in TraceModel([*CATALOG, POINT, *items], GUIDELINE).problems()]


def test_a_well_formed_example_realising_a_point_has_no_problems() -> None:
    assert codes([measure()]) == []


def test_only_the_allowed_types_may_realise_and_only_they_count() -> None:
    other = TraceItem("REQ-2", "req", links={"realises": ("REQ-1",)}, location=Location("reqs.md", 9))
    problems = TraceModel([*CATALOG, POINT, other], GUIDELINE).problems()
    assert [(p.code, p.message.split(":")[0]) for p in problems] == [
        ("missing-backlink", "REQ-1"),  # a req's realises does not count
        ("missing-backlink", "REQ-2"),
        ("wrong-link-source", "REQ-2"),
    ]


def test_a_repeated_link_or_reason_is_reported() -> None:
    item = measure(links={"nisc": ("NISC-4-1-1", "NISC-4-1-1"), "realises": ("REQ-1",)},
                   nisc_reason="NISC-4-1-1: 一つ目; NISC-4-1-1: 二つ目")
    assert codes([item]) == ["duplicate-link", "duplicate-link"]


def test_a_reason_after_a_full_width_colon_is_read() -> None:
    assert parse_reasons("NISC-4-1-1：外部委託の項であるため") == {"NISC-4-1-1": "外部委託の項であるため"}
    assert codes([measure(nisc_reason="NISC-4-1-1：外部委託の項であるため")]) == []


def test_an_example_inside_another_need_means_a_missing_fence() -> None:
    problems = TraceModel([*CATALOG, POINT, measure(), measure("STD-8-1-2", parent_need="STD-8-1-1")],
                          GUIDELINE).problems()
    assert [p.code for p in problems] == ["nested-need"]
    assert "STD-8-1-2 sits inside STD-8-1-1" in problems[0].message


@pytest.mark.parametrize(("need_id", "docname"), [
    ("STD-8-1", "source/standards/08-ext"),       # not the pattern
    ("POL-8-1-1", "source/standards/08-ext"),     # another type's prefix
    ("STD-7-1-1", "source/standards/08-ext"),     # chapter 7 on chapter 8's page
])
def test_an_example_id_is_its_printed_position_on_its_chapters_page(need_id: str, docname: str) -> None:
    assert codes([measure(need_id, docname=docname)]) == ["bad-id"]


def test_a_paper_position_must_be_one_of_the_realised_points() -> None:
    assert codes([measure(paper_ref="②-2")]) == []
    problems = TraceModel([*CATALOG, POINT, measure(paper_ref="⑦-3")], GUIDELINE).problems()
    assert [p.code for p in problems] == ["bad-value"]
    assert "'⑦-3'" in problems[0].message and "①-1, ②-2" in problems[0].message


def test_an_example_from_the_paper_must_realise_something() -> None:
    item = measure(links={"nisc": ("NISC-4-1-1",)})
    assert codes([item]) == ["missing-backlink", "missing-field"]


@pytest.mark.parametrize(("written", "expected"), [
    ("ISO-A-15-1-1、ISO-A-15-1-2", "This is 2 IDs joined by a Japanese comma '、'; separate IDs with a half-width "
     "comma and a space: 'ISO-A-15-1-1, ISO-A-15-1-2'."),
    ("ISO-A-15-1-1 ISO-A-15-1-2", "This is 2 IDs joined by spaces; separate IDs with a half-width comma and a "
     "space: 'ISO-A-15-1-1, ISO-A-15-1-2'."),
    ("ISO-A-15-1-２", "It is written with full-width characters; IDs use half-width letters, digits and "
     "hyphens: write 'ISO-A-15-1-2'."),
    ("iso-a-15-1-2", "IDs are written in upper case: write 'ISO-A-15-1-2'."),
    ("ISO-A.15.1.2", "An ID writes the printed number with hyphens: write 'ISO-A-15-1-2'."),
    ("A.15.1.2", "An ID is the catalog's prefix and the printed number with hyphens: write 'ISO-A-15-1-2'."),
    ("4.1.1", "An ID is the catalog's prefix and the printed number with hyphens: write 'NISC-4-1-1'."),
    ("ISO-A-15-1-3", "Did you mean 'ISO-A-15-1-2'?"),
    ("XYZ", ""),
])
def test_a_wrong_id_is_diagnosed_in_plain_words(written: str, expected: str) -> None:
    from trace_model.model import diagnose_id

    assert diagnose_id(written, ["ISO-A-15-1-1", "ISO-A-15-1-2", "NISC-4-1-1"]) == expected


def test_nearest_finds_a_name_written_in_another_case_or_in_full_width() -> None:
    from trace_model.model import nearest

    assert nearest("ISO", ["nisc", "iso", "iso22"]) == "iso"
    assert nearest("ｉｓｏ", ["nisc", "iso", "iso22"]) == "iso"


def test_a_misspelt_realises_link_does_not_also_report_its_target_unrealised() -> None:
    """The dangling link's message proposes the ID it was meant for; that ID is not reported as
    realised by nothing too (one mistake, one message)."""
    for written in ("req-1", "REQ-1、REQ-9", "ＲＥＱ－１", "REQ-l"):
        item = measure(links={"nisc": ("NISC-4-1-1",), "realises": (written,)})
        assert "missing-backlink" not in codes([item]), written
    # a link to an ID that names nothing near REQ-1 leaves REQ-1 unrealised, reported
    item = measure(links={"nisc": ("NISC-4-1-1",), "realises": ("XYZ-42",)})
    assert "missing-backlink" in codes([item])


def test_reasons_are_split_at_a_full_width_semicolon_only_before_the_next_id() -> None:
    from trace_model.model import reason_parts

    assert reason_parts("ISO-A-11-1-1: 守るため；ISO-A-11-1-4：災害；地震に備えるため; ISO-A-5-1-1: x") == [
        ("ISO-A-11-1-1", "守るため"), ("ISO-A-11-1-4", "災害；地震に備えるため"), ("ISO-A-5-1-1", "x")]


# -- relationships (NIST IR 8477) -------------------------------------------------------------------------------

RELATED = TraceRules(links=RULES.links, reasons=RULES.reasons, relations={"iso": "iso_relation"})


def related(relations: str, *iso: str) -> TraceItem:
    return TraceItem("REQ-1", "req", fields={"source": "paper", "iso_reason": "; ".join(f"{t}: 理由" for t in iso),
                                             "iso_relation": relations},
                     links={"iso": iso}, location=Location("reqs.md", 3), option_lines={"iso_relation": 7})


def test_a_stated_relationship_counts_the_control_as_fully_implemented() -> None:
    model = TraceModel([*CATALOG, related("ISO-A-15-1-1: equal-to; ISO-A-15-1-2: subset-of",
                                          "ISO-A-15-1-1", "ISO-A-15-1-2", "ISO-A-15-1-3")], RELATED)
    assert model.problems() == []
    coverage = model.coverage("iso", ["iso"], level="control")
    assert coverage.covered == 3 and coverage.fully_covered == 1
    assert [r.entry.id for r in coverage.rows if r.fully_covered] == ["ISO-A-15-1-1"]
    item = model.items["REQ-1"]
    assert model.relationship(item, "iso", "ISO-A-15-1-3") == "intersects-with", "unstated: the weakest claim"
    assert model.reasoned_links(item, "iso", ["ISO-A-15-1-2"]) == [("ISO-A-15-1-2", "理由", "subset-of")]


@pytest.mark.parametrize(("relations", "message", "hint"), [
    ("ISO-A-15-1-1: equal", "the relationship of 'ISO-A-15-1-1' is 'equal', which is not a NIST IR 8477 term",
     "Did you mean 'ISO-A-15-1-1: equal-to'?"),
    ("ISO-A-15-1-1: Subset_Of", "is 'Subset_Of', which is not", "Did you mean 'ISO-A-15-1-1: subset-of'?"),
    ("ISO-A-15-1-2: equal-to", "'iso_relation' names 'ISO-A-15-1-2', which is not in its 'iso' links",
     "Add 'ISO-A-15-1-2' to ':iso:' (with a reason), or drop it from ':iso_relation:'."),
    ("ISO-A-15-1-9: equal-to", "names 'ISO-A-15-1-9', which is not in its 'iso' links", "Did you mean 'ISO-A-15-1-1'?"),
    ("subset-of", "names 'subset-of', which is not in its 'iso' links",
     "Write '<ID>: subset-of', naming one of its 'iso' links."),
    ("ISO-A-15-1-1: 同等", "is '同等', which is not", "Did you mean 'ISO-A-15-1-1: equal-to'?"),
    ("ISO-A-15-1-1: subset-of, ISO-A-15-1-2: equal-to", "is 'subset-of, ISO-A-15-1-2: equal-to', which is not",
     "Separate the entries with ';' (one 'ID: term' each)."),
    ("ISO-A-15-1-1: equal-to; ISO-A-15-1-1: subset-of", "states more than one relationship for 'ISO-A-15-1-1'",
     "Keep one per ID."),
])
def test_a_wrong_relationship_is_one_located_message_with_the_fix(relations: str, message: str, hint: str) -> None:
    model = TraceModel([*CATALOG, related(relations, "ISO-A-15-1-1")], RELATED)
    [problem] = model.problems()
    assert (problem.code, str(problem.location)) == ("relation", "reqs.md:7")
    assert message in problem.message and problem.hint == hint


def test_a_relationship_for_a_link_of_the_other_standard_names_the_right_option() -> None:
    rules = TraceRules(links={**RULES.links, "nisc": LinkRule(frozenset({"nisc"}))}, reasons=RULES.reasons,
                       relations={"iso": "iso_relation", "nisc": "nisc_relation"})
    item = TraceItem("REQ-1", "req", fields={"source": "paper", "iso_reason": "ISO-A-15-1-1: 理由",
                                             "nisc_relation": "ISO-A-15-1-1: equal-to"},
                     links={"iso": ("ISO-A-15-1-1",), "nisc": ("NISC-4-1-1",)}, location=Location("reqs.md", 3))
    [problem] = TraceModel([*CATALOG, item], rules).problems()
    assert problem.hint == "'ISO-A-15-1-1' is one of its 'iso' links: state its relationship in ':iso_relation:', " \
                           "not ':nisc_relation:'."


def test_a_relationship_left_without_its_link_is_not_reported_again() -> None:
    """The missing link is the one message; the leftover relationship is judged once the link is back."""
    rules = TraceRules(links=RULES.links, required={"req": (("iso",),)}, reasons=RULES.reasons,
                       relations={"iso": "iso_relation"})
    item = TraceItem("REQ-1", "req", fields={"source": "paper", "iso_relation": "ISO-A-15-1-1: equal-to"},
                     links={}, location=Location("reqs.md", 3))
    assert [p.code for p in TraceModel([*CATALOG, item], rules).problems()] == ["missing-link"]


def test_a_link_its_type_may_not_have_is_one_message_not_a_missing_reason_too() -> None:
    rules = TraceRules(links={"iso": LinkRule(frozenset({"iso"}), frozenset({"control"}), frozenset({"req"}))},
                       reasons={"iso": "iso_reason"}, relations={"iso": "iso_relation"})
    rev = TraceItem("REV-1", "rev", fields={"iso_relation": "ISO-A-15-1-1: equal-to"},
                    links={"iso": ("ISO-A-15-1-1",)}, location=Location("reqs.md", 3))
    assert [p.code for p in TraceModel([*CATALOG, rev], rules).problems()] == ["wrong-link-source"]
