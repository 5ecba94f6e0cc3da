"""``make migrate-iso2022``: 2022 links proposed from the 2013 links through ISO/IEC 27002:2022 Annex B, and what it
leaves to an editor (merges that change a reason or a relationship, splits, the controls new in 2022)."""

from __future__ import annotations

from pathlib import Path

import pytest
from trace_model.iso2022 import (
    Correspondence,
    apply,
    load_correspondence,
    main,
    merged_relationship,
    propose,
    scan,
    written_needs,
)

ROOT = Path(__file__).resolve().parents[1]

#: a cut of Annex B: 5.12 renumbers A.8.2.1; 5.15 merges A.9.1.1 and A.9.1.2; A.18.2.3 splits into 5.36 and 8.8
#: (8.8 also continues A.12.6.1); 5.23 is new
ANNEX_B = Correspondence.from_rows([
    ("5.12", ["A.8.2.1"], "情報の分類"), ("5.15", ["A.9.1.1", "A.9.1.2"], "アクセス制御"),
    ("5.36", ["A.18.2.2", "A.18.2.3"], "遵守"), ("8.8", ["A.12.6.1", "A.18.2.3"], "技術的ぜい弱性の管理"),
    ("5.23", [], "クラウドサービスの利用における情報セキュリティ"),
])

SOURCE = """\
# 章

```{measure} 分類
:id: STD-1-1-1
:source: added
:iso: ISO-A-8-2-1, ISO-A-9-1-1
:iso_reason: ISO-A-8-2-1: 分類の基準を定めるため; ISO-A-9-1-1: 方針を定めるため
:iso_relation: ISO-A-9-1-1: equal-to

本文。
```

```{measure} 点検
:id: STD-1-1-2
:iso: ISO-A-9-1-1, ISO-A-9-1-2, ISO-A-18-2-3
:iso_reason: ISO-A-9-1-1: 甲のため; ISO-A-9-1-2: 乙のため; ISO-A-18-2-3: 丙のため

本文。
```
"""


def needs(text: str = SOURCE):
    return {n.id: n for n in written_needs("requirements/x.md", text)}


def test_a_renumbered_control_carries_its_reason_and_relationship() -> None:
    proposal = propose(needs()["STD-1-1-1"], ANNEX_B)
    renumbered = proposal.links[0]
    assert (renumbered.target, renumbered.kind, renumbered.reason) == ("ISO22-5-12", "renumbered", "分類の基準を定めるため")
    assert renumbered.relationship == "intersects-with"


def test_a_merge_weakens_a_relationship_the_requirement_no_longer_has() -> None:
    # equal to A.9.1.1 alone is a subset of 5.15, which also holds A.9.1.2
    merged = propose(needs()["STD-1-1-1"], ANNEX_B).links[1]
    assert (merged.target, merged.kind, merged.relationship) == ("ISO22-5-15", "merged", "subset-of")
    assert merged_relationship(["equal-to", "equal-to"], linked_all=True) == "equal-to"
    assert merged_relationship(["superset-of"], linked_all=False) == "intersects-with"


def test_merged_reasons_are_joined_and_a_split_is_left_to_the_editor() -> None:
    proposal = propose(needs()["STD-1-1-2"], ANNEX_B)
    assert [(link.target, link.reason) for link in proposal.links] == [("ISO22-5-15", "甲のため。また、乙のため")]
    assert proposal.splits == (("ISO-A-18-2-3", ("ISO22-5-36", "ISO22-8-8")),)


def test_apply_writes_the_options_after_the_last_option_once() -> None:
    proposals = [propose(n, ANNEX_B) for n in needs().values()]
    once = apply(SOURCE, proposals)
    assert ":iso_relation: ISO-A-9-1-1: equal-to\n:iso22: ISO22-5-12, ISO22-5-15\n" \
           ":iso22_reason: ISO22-5-12: 分類の基準を定めるため; ISO22-5-15: 方針を定めるため\n" \
           ":iso22_relation: ISO22-5-15: subset-of\n\n本文。" in once
    again = apply(once, [propose(n, ANNEX_B) for n in needs(once).values()])
    assert again == once, "a need that has ':iso22:' is left alone"


def test_the_report_lists_each_decision_located(tmp_path: Path) -> None:
    path = tmp_path / "requirements" / "x.md"
    path.parent.mkdir()
    path.write_text(SOURCE, encoding="utf-8")
    report = scan([path], tmp_path, None, ANNEX_B)
    lines = report.lines(ANNEX_B)
    assert lines[0] == "2 requirement(s) to migrate, 0 already carry ':iso22:'."
    text = "\n".join(lines)
    assert "requirements/x.md:3: STD-1-1-1: 5.15 アクセス制御 merges ISO-A-9-1-1, ISO-A-9-1-2" in text
    assert "requirements/x.md:13: STD-1-1-2: ISO-A-18-2-3 was split into ISO22-5-36, ISO22-8-8" in text
    assert "5.23 クラウドサービスの利用における情報セキュリティ (ISO22-5-23) is new in 2022" in text


def test_a_new_control_is_decided_by_a_link_or_an_exclusion(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    path.write_text(SOURCE.replace(":iso_relation:", ":iso22: ISO22-5-23\n:iso_relation:", 1), encoding="utf-8")
    assert "ISO22-5-23" not in "\n".join(scan([path], tmp_path, None, ANNEX_B).lines(ANNEX_B))
    soa = tmp_path / "soa.yaml"
    soa.write_text('standard: iso27001-2022\nexclusions:\n  - {control: "5.23", justification: "理由"}\n',
                   encoding="utf-8")
    path.write_text(SOURCE, encoding="utf-8")
    assert "ISO22-5-23" not in "\n".join(scan([path], tmp_path, soa, ANNEX_B).lines(ANNEX_B))


def test_the_real_annex_b_has_eleven_new_controls_and_one_split() -> None:
    annex_b = load_correspondence(ROOT / "traceability" / "catalogs" / "iso27001_2022.yaml")
    assert len(annex_b.new) == 11
    assert {old: new for old, new in annex_b.successors.items() if len(new) > 1} == {
        "ISO-A-18-2-3": ("ISO22-5-36", "ISO22-8-8")}
    assert len(annex_b.predecessors) == 93


def test_every_requirement_of_the_site_is_migrated_and_every_decision_taken(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(ROOT)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("0 requirement(s) to migrate")
    assert "No decision is left open." in out


def test_a_broken_catalog_stops_the_command_with_its_located_problems(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "catalog.yaml").write_text("catalog: iso27001-2022\nentries: [\n", encoding="utf-8")
    assert main(["--root", str(tmp_path), "--catalog", "catalog.yaml"]) == 2
    assert "catalog.yaml:" in capsys.readouterr().err


def test_an_open_split_stays_listed_after_the_proposals_are_written(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    path.write_text(SOURCE, encoding="utf-8")
    first = scan([path], tmp_path, None, ANNEX_B)
    path.write_text(apply(SOURCE, [p for found in first.proposals.values() for p in found]), encoding="utf-8")
    text = "\n".join(scan([path], tmp_path, None, ANNEX_B).lines(ANNEX_B))
    assert text.startswith("0 requirement(s) to migrate, 2 already carry ':iso22:'.")
    assert "x.md:16: STD-1-1-2: its 2013 link ISO-A-18-2-3 continues in ISO22-5-36, ISO22-8-8, none of which is " \
           "among its ':iso22:' links" in text


def test_what_cannot_be_proposed_or_written_is_a_located_decision(tmp_path: Path) -> None:
    source = (SOURCE.replace(":iso: ISO-A-8-2-1, ISO-A-9-1-1", ":iso: ISO-A-8-2-1, ISO-A-17-2-99, ISO-A-9-1-1")
              .replace(":iso_reason: ISO-A-9-1-1: 甲のため", ":iso22_reason: ISO22-5-15: 残った理由\n"
                                                        ":iso_reason: ISO-A-9-1-1: 甲のため"))
    path = tmp_path / "x.md"
    path.write_text(source, encoding="utf-8")
    report = scan([path], tmp_path, None, ANNEX_B)
    text = "\n".join(report.lines(ANNEX_B))
    assert "x.md:3: STD-1-1-1: ISO-A-17-2-99 is not a 2013 control of Annex B" in text
    assert "x.md:13: STD-1-1-2: not written: it has :iso22_reason: but no ':iso22:'" in text
    written = apply(source, [p for found in report.proposals.values() for p in found])
    assert written.count(":iso22_reason:") == 2, "the need with a leftover reason is left for the editor"


def test_options_in_a_yaml_block_are_read_but_not_written_into(tmp_path: Path) -> None:
    source = "```{measure} 題\n---\nid: STD-1-1-1\niso: ISO-A-8-2-1\niso_reason: 'ISO-A-8-2-1: 理由'\n---\n本文。\n```\n"
    [need] = written_needs("x.md", source)
    proposal = propose(need, ANNEX_B)
    assert need.yaml and [link.target for link in proposal.links] == ["ISO22-5-12"]
    assert apply(source, [proposal]) == source
    assert "YAML block" in proposal.blocked


def test_an_annex_b_row_naming_no_2013_control_stops_the_command(tmp_path: Path) -> None:
    catalog = (ROOT / "traceability" / "catalogs" / "iso27001_2022.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "iso2022.yaml"
    broken.write_text(catalog.replace('corresponds_2013: ["A.11.2.1"]', 'corresponds_2013: ["A.11.2.99"]', 1),
                      encoding="utf-8")
    with pytest.raises(ValueError, match=r"iso2022\.yaml:\d+: 7\.8: 'corresponds_2013' names 'A\.11\.2\.99', which is "
                                         r"not a control of iso27001_2013\.yaml"):
        load_correspondence(broken, ROOT / "traceability" / "catalogs" / "iso27001_2013.yaml")
