"""Propose each requirement's ISO/IEC 27001:2022 links from its 2013 links (``make migrate-iso2022``).

ISO/IEC 27002:2022 Annex B (Table B.2) tells, for each 2022 control, the 2013 controls it corresponds to; the
ISO 2022 catalog carries it as ``corresponds_2013`` (``traceability/catalogs/iso27001_2022.yaml``, with its
sources). From it:

- a 2013 control that became exactly one 2022 control, alone, is **renumbered**: the link moves with its reason
  and its relationship;
- 2013 controls that were **merged** into one 2022 control give one link to it; the reasons are joined, and the
  relationship is weakened where the requirement links only some of the merged controls (a requirement equal to
  A.9.1.1 is a subset of 5.15, which merges A.9.1.1 and A.9.1.2). Each merge is listed for an editor to read;
- a 2013 control **split** into several 2022 controls (A.18.2.3 into 5.36 and 8.8) is not carried: the editor
  decides which of them the requirement rests on;
- each control **new in 2022** (no 2013 predecessor; 11 controls) cannot be reached this way at all: it is
  listed until a requirement links it directly or the SoA for 2022 excludes it with a justification.

Chaining mappings is what NIST IR 8477 warns against; this command only proposes. What it writes is ordinary
source text that the build checks like any other link, and 2022 coverage counts these direct links only.

Pure: reads and writes MyST text, imports no Sphinx.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from trace_model.catalogs import load_catalog, load_soa, number_to_id
from trace_model.model import DEFAULT_RELATIONSHIP, reason_parts
from trace_model.sources import WrittenOption, _directive_fences, directive_options

#: The need directives that carry ISO links in this guideline (例文 items and revision points).
NEED_DIRECTIVES = ("policy", "measure", "req")
#: The option names (2013 and 2022 links, their reasons and relationships).
ISO13, ISO13_REASON, ISO13_RELATION = "iso", "iso_reason", "iso_relation"
ISO22, ISO22_REASON, ISO22_RELATION = "iso22", "iso22_reason", "iso22_relation"
ISO13_PREFIX, ISO22_PREFIX = "ISO-", "ISO22-"


@dataclass(frozen=True)
class Correspondence:
    """ISO/IEC 27002:2022 Annex B as IDs: ``predecessors`` maps a 2022 control ID (``ISO22-5-15``) to its 2013
    control IDs (``ISO-A-9-1-1``, ...); ``successors`` the reverse; ``new`` the 2022 controls with none."""

    predecessors: Mapping[str, tuple[str, ...]]
    successors: Mapping[str, tuple[str, ...]]
    new: tuple[str, ...]
    titles: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, Sequence[str], str]]) -> Correspondence:
        """From ``(2022 number, [2013 numbers], title)`` rows of controls (``("5.15", ["A.9.1.1"], "…")``)."""
        predecessors: dict[str, tuple[str, ...]] = {}
        successors: dict[str, list[str]] = defaultdict(list)
        titles: dict[str, str] = {}
        for number, olds, title in rows:
            new_id = number_to_id(ISO22_PREFIX, number)
            predecessors[new_id] = tuple(number_to_id(ISO13_PREFIX, old) for old in olds)
            titles[new_id] = f"{number} {title}".strip()
            for old in predecessors[new_id]:
                successors[old].append(new_id)
        new = tuple(key for key, olds in predecessors.items() if not olds)
        return cls(predecessors, {k: tuple(v) for k, v in successors.items()}, new, titles)


def load_correspondence(path: Path, iso2013: Path | None = None) -> Correspondence:
    """The Annex B correspondence of the ISO 2022 catalog at ``path``; with ``iso2013``, every 2013 number it
    names must be a control of that ISO/IEC 27001:2013 catalog.

    Raises ``ValueError`` naming ``file:line`` if a catalog has problems (the build would report them too), or
    a ``corresponds_2013`` entry names no 2013 control (a proposal would silently lose that link).
    """
    catalog = load_catalog(path, "iso22")
    problems = [str(p) for p in catalog.problems]
    if iso2013 is not None and not problems:
        old = load_catalog(iso2013, "iso")
        problems += [str(p) for p in old.problems]
        controls = {e.number for e in old.entries if e.level == "control"}
        for entry in catalog.entries:
            for number in entry.values.get("corresponds_2013", []):
                if number not in controls:
                    problems.append(f"{entry.location}: {entry.number}: 'corresponds_2013' names {number!r}, which "
                                    f"is not a control of {iso2013.name}. Write the 2013 control's number (A.x.y.z).")
    if problems:
        raise ValueError("\n".join(problems))
    return Correspondence.from_rows(
        (e.number, e.values.get("corresponds_2013", []), str(e.values.get("title_ja", "")))
        for e in catalog.entries if e.level == "control"
    )


@dataclass(frozen=True)
class WrittenNeed:
    """A need directive as written: its file, the line of its fence, its options (first of each name)."""

    path: str
    line: int
    directive: str
    options: Mapping[str, WrittenOption]
    #: the options are a YAML block between '---' lines (the migration does not write into one)
    yaml: bool = False

    @property
    def id(self) -> str:
        option = self.options.get("id")
        return option.value if option else ""

    def value(self, name: str) -> str:
        option = self.options.get(name)
        return option.value if option else ""

    @property
    def last_option_line(self) -> int:
        return max(o.line for o in self.options.values()) if self.options else self.line


def written_needs(path: str, text: str, directives: Sequence[str] = NEED_DIRECTIVES) -> list[WrittenNeed]:
    """The need directives of MyST ``text`` (file ``path``) with their options, in order."""
    lines = text.splitlines()
    found = []
    for line, _, directive in _directive_fences(lines):
        if directive is not None and directive in directives:
            options: dict[str, WrittenOption] = {}
            for option in directive_options(lines, line):
                options.setdefault(option.name, option)
            yaml = line < len(lines) and lines[line].strip() == "---"
            found.append(WrittenNeed(path, line, directive, options, yaml))
    return found


@dataclass(frozen=True)
class ProposedLink:
    """One proposed 2022 link: target ID, the reason carried over, the relationship, and how it was derived
    (``renumbered`` or ``merged``) from which 2013 links."""

    target: str
    reason: str
    relationship: str
    kind: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Proposal:
    """What the migration proposes for one need: the links it can carry, and the splits an editor decides."""

    need: WrittenNeed
    links: tuple[ProposedLink, ...]
    splits: tuple[tuple[str, tuple[str, ...]], ...]
    #: 2013 links Annex B does not know (a misspelt or stale ID): no 2022 link can be proposed for them
    unknown: tuple[str, ...] = ()

    @property
    def blocked(self) -> str:
        """Why the proposal cannot be written into the source ("" if it can)."""
        if self.need.yaml:
            return "its options are a YAML block ('---'); add the lines by hand"
        leftovers = [name for name in (ISO22_REASON, ISO22_RELATION) if name in self.need.options]
        if leftovers:
            return (f"it has {', '.join(f':{n}:' for n in leftovers)} but no ':{ISO22}:'; add ':{ISO22}:' by hand "
                    "or delete the leftover lines and run again")
        return ""

    @property
    def location(self) -> str:
        return f"{self.need.path}:{self.need.line}"


def merged_relationship(relations: Sequence[str], linked_all: bool) -> str:
    """The relationship of a requirement to a 2022 control that merges 2013 controls, from its relationships
    to the merged controls it links (NIST IR 8477 set relationships, requirement as the focal element).

    With every merged control linked, one ``equal-to`` or ``superset-of`` per control keeps that relationship
    only if all agree; otherwise the requirement covers part of the 2022 control: ``equal-to`` and
    ``subset-of`` become ``subset-of``, anything else ``intersects-with``.
    """
    kinds = set(relations)
    if linked_all and len(kinds) == 1:
        return relations[0]
    if kinds <= {"equal-to", "subset-of"}:
        return "subset-of"
    return DEFAULT_RELATIONSHIP


def propose(need: WrittenNeed, annex_b: Correspondence) -> Proposal:
    """The 2022 links ``need`` would carry from its 2013 links, in the order of the 2013 links."""
    links = _ids(need.value(ISO13))
    reasons = dict(reason_parts(need.value(ISO13_REASON)))
    relations = dict(reason_parts(need.value(ISO13_RELATION)))
    proposed: dict[str, list[str]] = {}
    splits = []
    unknown = []
    for old in links:
        targets = annex_b.successors.get(old, ())
        if not targets:
            unknown.append(old)
        elif len(targets) > 1:
            splits.append((old, targets))
            continue
        for target in targets:
            proposed.setdefault(target, []).append(old)
    result = []
    for target, olds in proposed.items():
        merged = len(annex_b.predecessors.get(target, ())) > 1
        texts = list(dict.fromkeys(reasons.get(old, "") for old in olds if reasons.get(old)))
        rels = [relations.get(old, DEFAULT_RELATIONSHIP) for old in olds]
        relationship = (merged_relationship(rels, set(olds) == set(annex_b.predecessors[target]))
                        if merged else rels[0])
        result.append(ProposedLink(target, "。また、".join(texts), relationship,
                                   "merged" if merged else "renumbered", tuple(olds)))
    return Proposal(need, tuple(result), tuple(splits), tuple(unknown))


def needs_review(link: ProposedLink, need: WrittenNeed) -> bool:
    """Whether a merged link needs an editor: it joins reasons of several 2013 links, or its relationship is not
    the one the 2013 link stated. A single ``intersects-with`` link stays true of the larger 2022 control, so
    it is carried without a question."""
    if link.kind != "merged":
        return False
    stated = dict(reason_parts(need.value(ISO13_RELATION)))
    return len(link.sources) > 1 or link.relationship != stated.get(link.sources[0], DEFAULT_RELATIONSHIP)


def option_lines(proposal: Proposal) -> list[str]:
    """The option lines to add to the need (``:iso22:``, ``:iso22_reason:``, ``:iso22_relation:`` where any
    relationship is not the default); empty when nothing is proposed."""
    if not proposal.links:
        return []
    out = [f":{ISO22}: " + ", ".join(link.target for link in proposal.links),
           f":{ISO22_REASON}: " + "; ".join(f"{link.target}: {link.reason}" for link in proposal.links)]
    typed = [link for link in proposal.links if link.relationship != DEFAULT_RELATIONSHIP]
    if typed:
        out.append(f":{ISO22_RELATION}: " + "; ".join(f"{link.target}: {link.relationship}" for link in typed))
    return out


def apply(text: str, proposals: Sequence[Proposal]) -> str:
    """``text`` with the option lines of each proposal inserted after its need's last option line.

    Needs that already have ``:iso22:`` are left alone, so applying twice changes nothing more.
    """
    lines = text.splitlines(keepends=True)
    for proposal in sorted(proposals, key=lambda p: p.need.line, reverse=True):
        if ISO22 in proposal.need.options or proposal.blocked:
            continue
        added = option_lines(proposal)
        if added:
            at = proposal.need.last_option_line  # 1-based: insert after that line
            lines[at:at] = [line + "\n" for line in added]
    return "".join(lines)


@dataclass
class MigrationReport:
    """The whole migration: proposals per file, needs already migrated, and the new controls' state."""

    proposals: dict[str, list[Proposal]] = field(default_factory=dict)
    migrated: list[WrittenNeed] = field(default_factory=list)
    linked22: dict[str, list[str]] = field(default_factory=dict)
    excluded22: dict[str, str] = field(default_factory=dict)
    #: where the ISO 2022 SoA file lists its exclusions (the place to decide a new control), if known
    soa_location: str = ""

    def pending(self) -> list[Proposal]:
        return [p for found in self.proposals.values() for p in found if ISO22 not in p.need.options]

    def lines(self, annex_b: Correspondence) -> list[str]:
        """The report an editor reads, one finding per line, each located ``file:line``.

        The decisions are listed as long as they are open, also after the proposals are written: a migrated
        need whose 2013 link has no counterpart among its 2022 links (an undecided split, a removed link) stays
        listed, and so does a new control until it is linked or excluded. A merge whose joined reasons or changed
        relationship an editor should read is listed with the proposal (before and while it is written).
        """
        pending = self.pending()
        out = [f"{len(pending)} requirement(s) to migrate, {len(self.migrated)} already carry ':{ISO22}:'."]
        for proposal in pending:
            if proposal.links:
                out.append(f"{proposal.location}: {proposal.need.id}: add "
                           + ", ".join(f"{link.target} ({link.kind} from {'+'.join(link.sources)}, "
                                       f"{link.relationship})" for link in proposal.links))
        decisions = []
        for proposal in pending:
            where = f"{proposal.location}: {proposal.need.id}"
            if proposal.blocked:
                decisions.append(f"{where}: not written: {proposal.blocked}: " + " / ".join(option_lines(proposal)))
            for link in proposal.links:
                if needs_review(link, proposal.need):
                    merged = annex_b.predecessors[link.target]
                    what = ("read the joined reasons as one" if len(link.sources) > 1 else
                            f"the relationship became {link.relationship}")
                    decisions.append(
                        f"{where}: {annex_b.titles[link.target]} merges {', '.join(merged)}; this requirement links "
                        f"{', '.join(link.sources)}: {what}, and check it against the 2022 control."
                    )
            for old, targets in proposal.splits:
                decisions.append(f"{where}: {old} was split into {', '.join(targets)}; add the one(s) this "
                                 f"requirement rests on to ':{ISO22}:' with a reason.")
            decisions.extend(f"{where}: {old} is not a 2013 control of Annex B (misspelt or removed?); fix ':{ISO13}:' "
                             f"first, then run again." for old in proposal.unknown)
        for need in self.migrated:
            where = f"{need.path}:{need.line}: {need.id}"
            have = set(_ids(need.value(ISO22)))
            if not have:
                decisions.append(f"{where}: ':{ISO22}:' is empty; write its 2022 links, or delete the line and run again.")
                continue
            for old in _ids(need.value(ISO13)):
                targets = annex_b.successors.get(old, ())
                if not targets:
                    decisions.append(f"{where}: {old} is not a 2013 control of Annex B; fix ':{ISO13}:'.")
                elif not have & set(targets):
                    decisions.append(f"{where}: its 2013 link {old} continues in {', '.join(targets)}, none of which "
                                     f"is among its ':{ISO22}:' links; add the one(s) it rests on, with a reason.")
        for target in annex_b.new:
            if target in self.linked22 or target in self.excluded22:
                continue
            where = f"{self.soa_location}: " if self.soa_location else ""
            decisions.append(
                f"{where}{annex_b.titles[target]} ({target}) is new in 2022 and no requirement links it: link it "
                f"from the requirement(s) that rest on it (':{ISO22}:' with a reason), or exclude it here with a "
                f"justification."
            )
        out.append(f"{len(decisions)} decision(s) for an editor:" if decisions else "No decision is left open.")
        out.extend(f"  {line}" for line in decisions)
        return out


def _ids(value: str) -> list[str]:
    return [part.strip() for part in value.replace("、", ",").split(",") if part.strip()]


def scan(files: Iterable[Path], root: Path, soa: Path | None = None,
         annex_b: Correspondence | None = None) -> MigrationReport:
    """Read every need in ``files`` (paths shown relative to ``root``) and propose its 2022 links."""
    report = MigrationReport()
    for path in sorted(files):
        rel = path.relative_to(root).as_posix()
        for need in written_needs(rel, path.read_text(encoding="utf-8")):
            for target in _ids(need.value(ISO22)):
                report.linked22.setdefault(target, []).append(need.id)
            if ISO22 in need.options:
                report.migrated.append(need)
            elif need.value(ISO13) and annex_b is not None:
                report.proposals.setdefault(rel, []).append(propose(need, annex_b))
    if soa is not None and soa.exists():
        data = load_soa(soa)
        report.excluded22 = {number_to_id(ISO22_PREFIX, e.number): e.justification for e in data.rows}
        location = soa.relative_to(root).as_posix() if soa.is_relative_to(root) else str(soa)
        report.soa_location = f"{location}:{data.exclusions_line}" if data.exclusions_line else location
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """``make migrate-iso2022 [APPLY=1]``: print the proposals and open decisions; with ``--apply`` write them.

    Exit status 0, or 2 on a catalog that does not load (its problems are printed, located).
    """
    parser = argparse.ArgumentParser(prog="make migrate-iso2022", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the site's top directory")
    parser.add_argument("--catalog", default="traceability/catalogs/iso27001_2022.yaml")
    parser.add_argument("--catalog13", default="traceability/catalogs/iso27001_2013.yaml",
                        help="the ISO/IEC 27001:2013 catalog every Annex B entry must name a control of")
    parser.add_argument("--soa", default="traceability/soa-iso22.yaml")
    parser.add_argument("--apply", action="store_true", help="write the proposed links into the sources")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    try:
        annex_b = load_correspondence(root / args.catalog, root / args.catalog13)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    files = [p for folder in ("requirements", "source") for p in (root / folder).rglob("*.md")]
    report = scan(files, root, root / args.soa, annex_b)
    print("\n".join(report.lines(annex_b)))
    if args.apply:
        written = 0
        for rel, proposals in report.proposals.items():
            path = root / rel
            text = path.read_text(encoding="utf-8")
            new_text = apply(text, proposals)
            if new_text != text:
                path.write_text(new_text, encoding="utf-8")
                written += 1
        print(f"Wrote the proposed links into {written} file(s); review them with 'git diff'. The decisions above "
              "that name a merge are not listed again: read them now.")
    else:
        print("Dry run: nothing written. Run 'make migrate-iso2022 APPLY=1' to write the proposed links.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
