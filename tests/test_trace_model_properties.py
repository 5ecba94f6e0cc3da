"""Property-based tests of the trace model: any catalog and requirement set, however broken,
is handled: no crash, coverage adds up, and every link is either resolved or reported."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from trace_model.model import LinkRule, Location, TraceItem, TraceModel, TraceRules

RULES = TraceRules(
    links={"iso": LinkRule(frozenset({"iso"}), frozenset({"control"})), "nisc": LinkRule(frozenset({"nisc"}))},
    required={"req": (("nisc",), ("iso",))},
    required_fields={"req": ("source",)},
    field_values={"source": frozenset({"paper", "added"})},
    reasons={"iso": "iso_reason"},
)

ids = st.text(alphabet="ABCIJOSNQR-0123456789", min_size=1, max_size=8)


@st.composite
def catalogs(draw: st.DrawFn) -> list[TraceItem]:
    items = []
    for need_type, levels in (("iso", ["clause", "objective", "control"]), ("nisc", ["part", "item"])):
        entry_ids = draw(st.lists(ids, max_size=12))
        for index, entry_id in enumerate(entry_ids):
            # any earlier or equal ID, so duplicates and parent cycles happen too
            parent = draw(st.sampled_from(entry_ids[: index + 1])) if draw(st.booleans()) else ""
            items.append(TraceItem(
                f"{need_type.upper()}-{entry_id}", need_type,
                fields={"level": draw(st.sampled_from([*levels, "", "bogus"])), "parent": parent},
                location=Location("catalog.yaml", index + 1),
            ))
    return items


@st.composite
def requirement_sets(draw: st.DrawFn, targets: list[str]) -> list[TraceItem]:
    pool = targets + draw(st.lists(ids, max_size=4))  # some links dangle
    reqs = []
    for index in range(draw(st.integers(0, 12))):
        links = {f: tuple(draw(st.lists(st.sampled_from(pool), max_size=3))) if pool else ()
                 for f in ("iso", "nisc", "theme")}
        reqs.append(TraceItem(
            draw(st.sampled_from(["REQ-1", "REQ-2", f"REQ-{index}"])),  # duplicates happen
            "req",
            fields={"source": draw(st.sampled_from(["paper", "added", "", "papr"])),
                    "iso_reason": draw(st.text(max_size=30))},
            links={k: v for k, v in links.items() if v},
            location=Location("reqs.md", index + 1),
        ))
    return reqs


@st.composite
def models(draw: st.DrawFn) -> tuple[list[TraceItem], TraceModel]:
    catalog = draw(catalogs())
    items = catalog + draw(requirement_sets([i.id for i in catalog]))
    return items, TraceModel(items, RULES)


@settings(max_examples=300, deadline=None)
@given(models())
def test_checks_never_crash_and_every_dangling_link_is_reported(data: tuple[list[TraceItem], TraceModel]) -> None:
    _items, model = data
    problems = model.problems()
    dangling = {(item.id, target) for item, _, target in model.dangling_links()}
    reported = {p.message.split(":")[0] for p in problems if p.code == "dangling-link"}
    assert {source for source, _ in dangling} <= reported
    for item in model.items.values():
        for targets in item.links.values():
            for target in targets:
                assert target in model.items or (item.id, target) in dangling


@settings(max_examples=300, deadline=None)
@given(models(), st.sampled_from(["iso", "nisc"]), st.sampled_from([None, "control", "item"]))
def test_covered_plus_uncovered_is_total(data: tuple[list[TraceItem], TraceModel], kind: str, level: str | None) -> None:
    _, model = data
    cov = model.coverage(kind, [kind], level=level, source_types=["req"])
    assert cov.covered + len(cov.uncovered) == cov.total
    assert 0.0 <= cov.percent <= 100.0
    assert all(set(row.covered_by) <= set(model.items) for row in cov.rows)


@settings(max_examples=200, deadline=None)
@given(models())
def test_every_duplicate_definition_is_reported_once(data: tuple[list[TraceItem], TraceModel]) -> None:
    items, model = data
    duplicates = len(items) - len({i.id for i in items})
    assert sum(1 for p in model.problems() if p.code == "duplicate-id") == duplicates
