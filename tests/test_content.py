"""The published guideline says what the discussion paper says.

Checked on ``needs.json`` of the real site build (the ``site`` fixture of
test_site.py) against the paper itself (``tests/data``): the number of revision
statements per theme, their wording, the NISC clause each theme cites, the
論点整理表 項番, and the complete chain 環境変化 → 観点 → テーマ → 要件 → NISC / ISO.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.site

PAPER = (Path(__file__).parent / "data" / "ronten-2014-10-06.txt").read_text(encoding="utf-8")

# Each revision statement of the paper, in order: (theme, position, form). "lead" is a
# normative sentence before a bullet list; "bullet" a bullet statement. Pure lead-ins
# (「改定観点は、以下となる。」) are not statements.
STATEMENTS = {
    1: ["bullet"] * 5,
    2: ["lead", "bullet", "bullet", "bullet"],
    3: ["lead", "bullet", "bullet", "bullet", "bullet"],
    4: ["lead", "lead"] + ["bullet"] * 6,
    5: ["lead", "bullet", "bullet"],
    6: ["lead", "bullet", "bullet", "bullet"],
    7: ["lead", "bullet", "bullet", "bullet", "bullet"],
}
CIRCLED = "①②③④⑤⑥⑦"
THEME_NISC = {1: "NISC-4-1-2", 2: "NISC-4-1-1", 3: "NISC-4-1-1", 4: "NISC-7-3-1",
              5: "NISC-8-2-1", 6: "NISC-4-1-3", 7: "NISC-2-2-4"}
THEME_RONTEN = {1: "40, 63, 68", 2: "61, 62", 6: "15, 45", 7: "8, 10, 22, 42, 49, 58"}
THEME_VIEWPOINT = {1: "VP-1", 2: "VP-1", 3: "VP-1", 4: "VP-3", 5: "VP-4", 6: "VP-5", 7: "VP-7"}
THEME_CHANGES = {1: {"CHG-1", "CHG-4"}, 2: {"CHG-1", "CHG-4"}, 3: {"CHG-1", "CHG-4"},
                 4: {"CHG-3", "CHG-4"}, 5: {"CHG-2", "CHG-3"}, 6: {"CHG-5"}, 7: {"CHG-6", "CHG-7"}}
DISCUSS = "改定の議論が必要と認識"
ADVANCE = "現実的な対策技術をふまえ、改定を進める"
STANCES = {1: DISCUSS, 2: ADVANCE, 3: DISCUSS, 4: DISCUSS, 5: DISCUSS, 6: ADVANCE, 7: DISCUSS, 8: ADVANCE}

Needs = dict[str, dict[str, Any]]


def of_type(needs: Needs, kind: str) -> list[dict[str, Any]]:
    return [n for n in needs.values() if n["type"] == kind]


def refs(need: dict[str, Any]) -> list[str]:
    return [r.strip() for r in (need.get("paper_ref") or "").split(",") if r.strip()]


def squash(text: str) -> str:
    """Compare wording, not layout: NFKC, no white space, no list bullets."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s・]", "", text)


def test_the_paper_has_34_revision_statements_27_bullets_and_7_leads() -> None:
    forms = Counter(form for forms in STATEMENTS.values() for form in forms)
    assert (sum(forms.values()), forms["bullet"], forms["lead"]) == (34, 27, 7)


def test_every_statement_of_the_paper_is_one_traced_object_per_theme(needs: Needs) -> None:
    objects = of_type(needs, "req") + of_type(needs, "rev")
    found = Counter(ref for n in objects for ref in refs(n))
    wanted = Counter(f"{CIRCLED[t - 1]}-{i}" for t, forms in STATEMENTS.items() for i in range(1, len(forms) + 1))
    assert found == wanted
    for need in objects:
        themes = {needs[t]["number"] for t in need["theme"]}
        assert {CIRCLED.index(r[0]) + 1 for r in refs(need)} == {int(n) for n in themes}, need["id"]


def test_statements_are_worded_as_the_paper_words_them(needs: Needs) -> None:
    paper = squash(PAPER)
    for need in of_type(needs, "req") + of_type(needs, "rev"):
        if need["source"] != "paper":
            continue
        first_paragraph = need["content"].strip().split("\n\n")[0]
        assert squash(first_paragraph) in paper, (need["id"], first_paragraph)


def test_each_theme_cites_the_papers_nisc_clause_and_gives_exactly_its_ronten(needs: Needs) -> None:
    themes = {int(n["number"]): n for n in of_type(needs, "theme")}
    assert sorted(themes) == list(range(1, 8))
    for number, theme in themes.items():
        assert theme["nisc"] == [THEME_NISC[number]]
        assert (theme["ronten"] or "") == THEME_RONTEN.get(number, "")
        assert theme["viewpoint"] == [THEME_VIEWPOINT[number]]
        assert set(theme["change"]) == THEME_CHANGES[number]


def test_the_ronten_numbers_are_the_ones_the_paper_prints() -> None:
    """THEME_RONTEN above is read again from the paper: 「論点整理表: 項番40、63、68」 under its theme heading."""
    found = {}
    for match in re.finditer(r"^([①-⑦]) [^\n]+\n\n論点整理表[:：]\s*\n項番([\d、\s]+?)\n\n", PAPER, re.MULTILINE):
        numbers = re.findall(r"\d+", match.group(2))
        found[CIRCLED.index(match.group(1)) + 1] = ", ".join(numbers)
    assert found == THEME_RONTEN


def test_the_nisc_clause_of_each_theme_is_the_one_the_paper_cites() -> None:
    """THEME_NISC above is read again from the paper: 「※政府統一基準:4.1.2 …より」 within each theme."""
    found: dict[int, set[str]] = {}
    theme = 0
    for line in PAPER.splitlines():
        heading = re.match(r"^([①-⑦]) ", line)
        if heading:
            theme = CIRCLED.index(heading.group(1)) + 1
        for clause in re.findall(r"政府統一基準[:：]\s*(\d\.\d\.\d)", line):
            found.setdefault(theme, set()).add("NISC-" + clause.replace(".", "-"))
    assert found == {t: {c} for t, c in THEME_NISC.items()}


def test_requirements_of_a_theme_cite_its_nisc_clause(needs: Needs) -> None:
    for req in of_type(needs, "req"):
        for theme_id in req["theme"]:
            assert THEME_NISC[int(needs[theme_id]["number"])] in req["nisc"], req["id"]


def test_every_requirement_links_nisc_and_one_to_three_iso_controls_with_reasons(needs: Needs) -> None:
    reqs = of_type(needs, "req")
    assert reqs
    for req in reqs:
        assert req["nisc"] and all(needs[i]["type"] == "nisc" for i in req["nisc"]), req["id"]
        assert 1 <= len(req["iso"]) <= 3, req["id"]
        assert all(needs[i]["type"] == "iso" and needs[i]["level"] == "control" for i in req["iso"])
        for control in req["iso"]:
            assert re.search(rf"{control}\s*:\s*\S", req["iso_reason"]), (req["id"], control)


def test_the_chain_from_change_to_standard_is_complete(needs: Needs) -> None:
    viewpoints = {int(n["number"]): n for n in of_type(needs, "viewpoint")}
    assert {k: v["stance"] for k, v in viewpoints.items()} == STANCES
    assert all(v["change"] for v in viewpoints.values())
    assert sorted(int(n["number"]) for n in of_type(needs, "change")) == list(range(1, 8))
    for req in of_type(needs, "req"):
        upstream = [needs[t]["viewpoint"][0] for t in req["theme"]] + req["viewpoint"]
        assert upstream, f"{req['id']} has no theme or viewpoint"
        assert all(needs[v]["change"] for v in upstream)


def test_added_content_is_marked_as_added(needs: Needs) -> None:
    for req in of_type(needs, "req"):
        if req["viewpoint"]:  # the three viewpoints without a discussion theme
            assert req["source"] == "added" and not refs(req), req["id"]
        if req["source"] == "paper":
            assert refs(req), req["id"]
    added_viewpoints = {r["viewpoint"][0] for r in of_type(needs, "req") if r["viewpoint"]}
    assert added_viewpoints == {"VP-2", "VP-6", "VP-8"}


LATER = "本版公開後の動向"
NOTE_DATE = re.compile(r"（参考）本版公開後の動向（(\d{4})年(\d{1,2})月の注記[。）]")


def test_every_note_on_a_later_development_says_when_it_was_written() -> None:
    """A fact from after the edition (March 2015) appears only as a dated note: the note says, besides the
    event's own date and source, the month the note was written, so a reader knows what it could know."""
    root = Path(__file__).resolve().parent.parent
    notes = [(path, number, line) for folder in ("source", "requirements") for path in sorted((root / folder).rglob("*.md"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if LATER in line]
    assert len(notes) >= 8
    for path, number, line in notes:
        found = NOTE_DATE.search(line)
        assert found, f"{path.relative_to(root)}:{number}: write （参考）本版公開後の動向（YYYY年M月の注記）:"
        assert (int(found.group(1)), int(found.group(2))) >= (2015, 3), f"{path.relative_to(root)}:{number}"


def test_no_source_line_breaks_between_a_japanese_character_and_a_digit() -> None:
    """A wrapped line that ends with a Japanese character and goes on with a digit (「機密性⏎2以上」, 「平成20年⏎8月」),
    or ends with a number written after Japanese and goes on in Japanese, is read as a space by the pages and every export (a break next to Latin text is a space, by design:
    ``trace_model.japanese``); wrap elsewhere."""
    from trace_model.japanese import JA_CHARS

    root = Path(__file__).resolve().parent.parent
    japanese, digit = re.compile(f"[{JA_CHARS}]"), re.compile(r"[0-9]")
    number_after_japanese = re.compile(f"[{JA_CHARS}][0-9]+$")  # 「第2⏎条」, not 「27001:2023⏎が」
    found = []
    for folder in ("source", "requirements"):
        for path in sorted((root / folder).rglob("*.md")):
            lines = path.read_text(encoding="utf-8").split("\n")
            for number, (line, after) in enumerate(itertools.pairwise(lines), 1):
                if not line or not after or line.startswith(":") or re.match(r"[-*|#>` ]|\d+\.\s", after):
                    continue  # an option, or the next line starts a list item, table row, heading or block
                if (japanese.match(line[-1]) and digit.match(after[0])) or (number_after_japanese.search(line)
                                                                            and japanese.match(after[0])):
                    found.append(f"{path.relative_to(root)}:{number}: …{line[-8:]}⏎{after[:8]}…")
    assert found == []


def test_revision_instructions_link_to_what_they_change(needs: Needs) -> None:
    revs = of_type(needs, "rev")
    assert {r["id"] for r in revs} >= {"REV-VENDOR-001", "REV-NET-001"}
    for rev in revs:
        assert rev["revises"] and all(needs[t]["type"] in {"req", "theme"} for t in rev["revises"])
