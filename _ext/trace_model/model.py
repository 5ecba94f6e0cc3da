"""The traceability model: records, link checks, coverage, gaps and orphans.

Plain Python with no Sphinx import, so that it can be unit-tested on its own and
reused by the Sphinx extensions, the exports and command-line tools alike.

The model is built once from a flat list of :class:`TraceItem` (one per need,
catalog entry or requirement) and answers every question in time linear in the
number of items plus the number of links: the back-link index is computed once
in the constructor, and coverage is read from it rather than by scanning.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath


@dataclass(frozen=True, order=True)
class Location:
    """Where something is defined: a source or data file and a 1-based line."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class TraceItem:
    """One traced object: a requirement, a catalog entry, a theme ..."""

    id: str
    type: str
    title: str = ""
    fields: Mapping[str, str] = field(default_factory=dict)
    links: Mapping[str, Sequence[str]] = field(default_factory=dict)
    location: Location | None = None
    #: option name -> the 1-based line it is written on (in ``location.file``), for precise messages
    option_lines: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class LinkRule:
    """What a link field may point at.

    ``targets`` are the allowed need types; ``levels``, when given, the allowed
    values of the target's ``level`` field (an ISO link must reach a control, not
    a clause group); ``sources``, when given, the need types that may have the
    link at all (only a 例文 item ``realises`` a revision point).
    """

    targets: frozenset[str]
    levels: frozenset[str] | None = None
    sources: frozenset[str] | None = None


@dataclass(frozen=True)
class TraceRules:
    """The checks the model runs, all plain data (from ``conf.py``).

    ``required`` maps a need type to groups of link fields; each group must hold
    at least one link (``(("nisc",), ("iso",))`` means one NISC link and one ISO
    link; ``(("theme", "viewpoint"),)`` means a theme or a viewpoint).
    ``field_values`` maps a field name (``"source"``), or a need type and field
    (``"theme.number"``), to its allowed values (an empty value is allowed unless
    the field is also in ``required_fields`` of that type).
    ``reasons`` maps a link field (``"iso"``), or a need type and link field
    (``"measure.nisc"``), to the field that gives one reason per link
    (``"iso_reason"``), written ``ID: reason; ID: reason``; a plain key applies to
    every type, a typed key only to that type.
    ``relations`` maps a link field (``"iso"``) to the field that states the relationship of its links in
    the terms of NIST IR 8477 (``"iso_relation"``), written ``ID: subset-of; ID: equal-to``; a link it
    does not name is ``intersects-with`` (:data:`DEFAULT_RELATIONSHIP`).
    ``required_when`` maps a condition ``"field=value"`` (``"source=paper"``), or
    ``"type.field=value"``, to fields that must then not be empty (a requirement
    taken from the paper must give its position, ``paper_ref``).
    ``required_backlinks`` maps a need type to link fields through which at least
    one other item must name it (a paper statement needs a 例文 item that
    ``realises`` it).
    ``inherited`` maps a field to a link field (``"paper_ref": "realises"``): every
    value (comma-separated) an item gives must be among the values the items it
    links to carry, so a 例文 names only paper positions of what it realises.
    ``unnested`` are the need types that may not sit inside another need (a missing
    closing fence nests the next item in the previous one).
    ``id_patterns`` maps a need type to the pattern its ID must match; where the
    pattern has a group and ``id_docnames`` gives a pattern with a group for the
    type's page, the two numbers must be equal (``STD-4-…`` sits on chapter 4's page).
    ``shown_fields`` maps a need type to the fields its layout shows; a need of that
    type that sets any other of the ``shown_fields`` fields would hide a value from
    readers, and is reported. Types not listed are not checked.
    ``value_locations`` maps (a ``field_values`` key, an allowed value) to where that value is
    written in the configuration: when several items give a value the rule does not allow and a
    close allowed value is given by none, the rule is what is misspelt, and it is reported there
    once instead of at every item.
    """

    links: Mapping[str, LinkRule] = field(default_factory=dict)
    required: Mapping[str, Sequence[Sequence[str]]] = field(default_factory=dict)
    required_fields: Mapping[str, Sequence[str]] = field(default_factory=dict)
    field_values: Mapping[str, frozenset[str]] = field(default_factory=dict)
    reasons: Mapping[str, str] = field(default_factory=dict)
    relations: Mapping[str, str] = field(default_factory=dict)
    required_when: Mapping[str, Sequence[str]] = field(default_factory=dict)
    required_backlinks: Mapping[str, Sequence[str]] = field(default_factory=dict)
    inherited: Mapping[str, str] = field(default_factory=dict)
    unnested: frozenset[str] = frozenset()
    id_patterns: Mapping[str, str] = field(default_factory=dict)
    id_docnames: Mapping[str, str] = field(default_factory=dict)
    shown_fields: Mapping[str, Sequence[str]] = field(default_factory=dict)
    value_locations: Mapping[tuple[str, str], Location] = field(default_factory=dict)


@dataclass(frozen=True, order=True)
class Problem:
    """A located finding of the trace checks.

    ``code`` is the warning subtype (``dangling-link`` ...); ``hint`` says what
    would fix it. ``target_types`` and ``target_id``: for a dangling link, the need
    types it may point to and the ID it names (so a link into a catalog that failed
    to load, or to a need reported lost, is not reported a second time). ``explains``:
    IDs whose dangling links this problem already accounts for (a lost or refused need), and
    ``"ID.field"`` values it makes uncertain (a field written twice). ``rests_on``: the
    ``"ID.field"`` values a conditional finding follows from (a required ``paper_ref`` because
    ``source`` is ``paper``); it is not reported when another problem explains one of them.
    """

    location: Location | None
    code: str
    message: str
    hint: str = ""
    target_types: frozenset[str] = field(default=frozenset(), compare=False)
    target_id: str = field(default="", compare=False)
    explains: frozenset[str] = field(default=frozenset(), compare=False)
    rests_on: frozenset[str] = field(default=frozenset(), compare=False)

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        hint = f" {self.hint}" if self.hint else ""
        return f"{where}{self.message}{hint} [trace.{self.code}]"


#: The relationships a requirement -> standard link may state, in the terms of NIST IR 8477 (set theory
#: relationships) and OSCAL mapping collections; the requirement is the focal element ("STD-3-1-1 subset-of
#: A.8.2.1": the requirement implements part of the control).
RELATIONSHIPS = ("equal-to", "subset-of", "superset-of", "intersects-with")
#: The relationship of a link that states none: the weakest of the four claims.
DEFAULT_RELATIONSHIP = "intersects-with"
#: The Japanese words the site shows for each relationship (and accepts as a slip for the term).
RELATIONSHIP_WORDS = {
    "equal-to": ("同等", "等しい", "同一"),
    "subset-of": ("一部を実施", "一部", "部分", "部分集合"),
    "superset-of": ("全体を含む", "包含", "上位集合"),
    "intersects-with": ("重なる", "重複", "交差"),
}
#: The relationships under which a requirement implements the whole of what it links.
FULL_RELATIONSHIPS = frozenset({"equal-to", "superset-of"})


@dataclass(frozen=True)
class CoverageRow:
    """One entry of a standard and the items that link to it."""

    entry: TraceItem
    covered_by: tuple[str, ...]
    #: the items among ``covered_by`` that link the entry itself as ``equal-to`` or ``superset-of``
    #: (:data:`FULL_RELATIONSHIPS`): they implement the whole entry, the others part of it
    full_by: tuple[str, ...] = ()

    @property
    def covered(self) -> bool:
        return bool(self.covered_by)

    @property
    def fully_covered(self) -> bool:
        return bool(self.full_by)


@dataclass(frozen=True)
class Coverage:
    """Coverage of one standard's entries of one level by linking items."""

    rows: tuple[CoverageRow, ...]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def covered(self) -> int:
        return sum(1 for row in self.rows if row.covered)

    @property
    def fully_covered(self) -> int:
        """Entries some item implements whole (``equal-to`` or ``superset-of``); the rest of ``covered`` is partial."""
        return sum(1 for row in self.rows if row.fully_covered)

    @property
    def uncovered(self) -> tuple[CoverageRow, ...]:
        return tuple(row for row in self.rows if not row.covered)

    @property
    def percent(self) -> float:
        """Covered / total as a percentage; 0.0 for an empty standard."""
        return 100.0 * self.covered / self.total if self.total else 0.0


#: Between two reasons: ``;``, a line break, or ``；`` followed by the next ``ID:``.
_REASON_SEPARATOR = re.compile(r";|\n|；(?=\s*[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+\s*[:：])")


def reason_parts(text: str) -> list[tuple[str, str]]:
    """``"ISO-A-5-1-1: 方針; ISO-A-5-1-2: 見直し"`` -> ``[(ID, reason), ...]`` in order, repeats kept.

    Entries are separated by ``;`` or a line break, or by a full-width ``；`` before the next
    ``ID:`` (a Japanese input method types it; inside a reason's own text it is kept); the ID ends at
    the first ``:`` or full-width ``：``.
    """
    parts: list[tuple[str, str]] = []
    for part in _REASON_SEPARATOR.split(text):
        key, sep, reason = part.replace("：", ":", 1).partition(":")
        if sep and key.strip():
            parts.append((key.strip(), reason.strip()))
        elif part.strip():
            parts.append((part.strip(), ""))
    return parts


def parse_reasons(text: str) -> dict[str, str]:
    """``"ISO-A-5-1-1: 方針; ISO-A-5-1-2: 見直し"`` -> ``{ID: reason}`` (see :func:`reason_parts`)."""
    return dict(reason_parts(text))


def some_ids(ids: Iterable[str], shown: int = 3) -> str:
    """The first ``shown`` of ``ids`` (or of places) joined with ", ", and "…" when there are more (for a
    message)."""
    listed = list(ids)
    return ", ".join(listed[:shown]) + (", …" if len(listed) > shown else "")


@functools.cache
def natural_key(item_id: str) -> tuple[tuple[int, str], ...]:
    """Sort key that reads runs of digits as numbers: ``POL-2`` before ``POL-10``, ``STD-8-1-9``
    before ``STD-8-1-10`` (as readers and the table widget order IDs).

    Cached: the views sort the same few thousand IDs tens of thousands of times a build.
    """
    return tuple((0, f"{int(p):012d}") if p.isdigit() else (1, p.casefold()) for p in re.split(r"(\d+)", item_id))


def nearest(wanted: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like ``wanted`` (for "did you mean ...?"), if any is close.

    The printed number written into an ID (``NISC-4.1.1`` for ``NISC-4-1-1``) is
    the commonest slip, so that spelling is tried first, then the same name in another case
    or in full width (``ISO`` for ``iso``).
    """
    pool = list(candidates)
    respelled = wanted.replace(".", "-").replace("(", "-").replace(")", "")
    if respelled != wanted and respelled in pool:
        return respelled
    folded = unicodedata.normalize("NFKC", wanted).lower()  # the wrong case, or full width: ISO for iso
    same = [c for c in pool if c.lower() == folded and c != wanted]
    if len(same) == 1:
        return same[0]
    found = difflib.get_close_matches(wanted, pool, n=1, cutoff=0.6)
    return found[0] if found else None


#: Separators editors type between IDs that sphinx-needs does not split on.
_WRONG_SEPARATORS = re.compile(r"[、，；;・\s]+")


def diagnose_id(wanted: str, candidates: Iterable[str]) -> str:
    """Why ``wanted`` is not an ID in ``candidates``, in plain words with the fix.

    Tries, in order: IDs joined by a Japanese comma, a full-width comma, a semicolon
    or a space (each part diagnosed); full-width letters or digits (``ISO-A-14-2-６``);
    lower case (``req-net-008``); the printed number alone (``A.11.2.1``) or instead of the
    ID's number (``NISC-4.1.1``); else the closest ID. Returns ``""`` if nothing is close.
    """
    pool = set(candidates)
    parts = [p for p in _WRONG_SEPARATORS.split(wanted.strip()) if p]
    if len(parts) > 1:
        fixed = [(_diagnosis(p, pool) or (p, ""))[0] for p in parts]
        return (f"This is {len(parts)} IDs joined by {_separator_name(wanted)}; separate IDs with a "
                f"half-width comma and a space: '{', '.join(fixed)}'.")
    found = _diagnosis(wanted, pool)
    return found[1] if found else ""


def meant_ids(wanted: str, candidates: Iterable[str]) -> list[str]:
    """The IDs that :func:`diagnose_id` proposes for ``wanted`` (one per part of IDs joined by a
    wrong separator), or ``[]``."""
    pool = set(candidates)
    parts = [p for p in _WRONG_SEPARATORS.split(wanted.strip()) if p] or [wanted]
    return [found[0] for found in (_diagnosis(part, pool) for part in parts) if found]


def _diagnosis(wanted: str, pool: set[str]) -> tuple[str, str] | None:
    """(the ID ``wanted`` most likely means, the sentence that says so) for one ID, or None."""
    if wanted in pool:
        return wanted, ""
    normal = unicodedata.normalize("NFKC", wanted)
    if normal != wanted:
        fix = nearest(normal, pool) or normal
        return fix, (f"It is written with full-width characters; IDs use half-width letters, digits and hyphens: "
                     f"write '{fix}'.")
    if wanted.upper() != wanted and wanted.upper() in pool:
        return wanted.upper(), f"IDs are written in upper case: write '{wanted.upper()}'."
    respelled = wanted.replace(".", "-")
    prefixed = sorted(c for c in pool if c.endswith("-" + respelled))
    if respelled != wanted and len(prefixed) == 1:  # the printed number alone (A.11.2.1 for ISO-A-11-2-1)
        return prefixed[0], (f"An ID is the catalog's prefix and the printed number with hyphens: "
                             f"write '{prefixed[0]}'.")
    guess = nearest(wanted, pool)
    if guess is None:
        return None
    if guess == wanted.replace(".", "-").replace("(", "-").replace(")", ""):
        return guess, f"An ID writes the printed number with hyphens: write '{guess}'."
    return guess, f"Did you mean '{guess}'?"


def _separator_name(text: str) -> str:
    for char, name in (("、", "a Japanese comma '、'"), ("，", "a full-width comma '，'"),
                       ("；", "a full-width semicolon '；'"), (";", "a semicolon"), ("・", "a '・'"),
                       ):
        if char in text:
            return name
    return "spaces"


class TraceModel:
    """All traced items with their links, checked against :class:`TraceRules`.

    Items are given in definition order; the first item of an ID is the one the
    model keeps, and each later one is reported as a duplicate naming both places.
    """

    def __init__(self, items: Iterable[TraceItem], rules: TraceRules | None = None):
        self.rules = rules or TraceRules()
        self.items: dict[str, TraceItem] = {}
        self._duplicates: list[tuple[TraceItem, TraceItem]] = []
        #: IDs defined twice: their placement is judged with the duplicate (one message)
        self._duplicate_ids: set[str] = set()
        for item in items:
            first = self.items.get(item.id)
            if first is None:
                self.items[item.id] = item
            else:
                self._duplicates.append((first, item))
                self._duplicate_ids.add(item.id)
        self._by_type: dict[str, list[TraceItem]] = defaultdict(list)
        for item in self.items.values():
            self._by_type[item.type].append(item)
        self._children: dict[str, list[str]] = defaultdict(list)
        for item in self.items.values():
            if item.fields.get("parent"):
                self._children[item.fields["parent"]].append(item.id)
        # back-links: target id -> link field -> source ids, in definition order
        self._back: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for item in self.items.values():
            for link_field, targets in item.links.items():
                for target in targets:
                    self._back[target][link_field].append(item.id)

    # -- queries -------------------------------------------------------------

    def of_type(self, need_type: str) -> list[TraceItem]:
        """The items of one type, in definition order."""
        return list(self._by_type.get(need_type, ()))

    def back_links(self, target: str, link_field: str) -> tuple[str, ...]:
        """IDs of the items whose ``link_field`` names ``target``."""
        return tuple(self._back.get(target, {}).get(link_field, ()))

    def coverage(
        self,
        target_type: str,
        link_fields: Sequence[str],
        *,
        level: str | None = None,
        source_types: Sequence[str] | None = None,
        via: str | None = None,
    ) -> Coverage:
        """Which entries of ``target_type`` (of ``level``) are linked to.

        An entry is covered when an item (of ``source_types``, if given) names it,
        or an entry below it (by the ``parent`` field), in one of ``link_fields``.
        With ``via``, an entry is covered through the entries its ``via`` links name
        (an ISO 2022 control through the 2013 controls it corresponds to).
        """
        allowed = set(source_types) if source_types is not None else None

        def direct(entry_id: str) -> set[str]:
            found = set()
            for link_field in link_fields:
                for source_id in self.back_links(entry_id, link_field):
                    if allowed is None or self.items[source_id].type in allowed:
                        found.add(source_id)
            return found

        rows = []
        for entry in self._by_type.get(target_type, ()):
            if level is not None and entry.fields.get("level") != level:
                continue
            if via is not None:
                covering: set[str] = set()
                for linked in entry.links.get(via, ()):
                    for below in self.subtree(linked):
                        covering |= direct(below)
            else:
                covering = set()
                for below in self.subtree(entry.id):
                    covering |= direct(below)
            full = {source for source in covering for link_field in link_fields
                    if entry.id in self.items[source].links.get(link_field, ())
                    and self.relationship(self.items[source], link_field, entry.id) in FULL_RELATIONSHIPS}
            rows.append(CoverageRow(entry, tuple(sorted(covering, key=natural_key)),
                                    tuple(sorted(full, key=natural_key))))
        return Coverage(tuple(rows))

    def subtree(self, entry_id: str) -> list[str]:
        """``entry_id`` and every entry below it, by the ``parent`` field."""
        found: list[str] = []
        seen: set[str] = set()
        stack = [entry_id]
        while stack:
            current = stack.pop()
            if current in seen:  # a parent cycle in broken data must not loop
                continue
            seen.add(current)
            found.append(current)
            stack.extend(reversed(self._children.get(current, ())))
        return found

    def ancestor(self, entry_id: str, level: str) -> TraceItem | None:
        """The entry at ``level`` above (or at) ``entry_id``, following ``parent``."""
        current = self.items.get(entry_id)
        seen: set[str] = set()
        while current is not None and current.id not in seen:
            if current.fields.get("level") == level:
                return current
            seen.add(current.id)
            current = self.items.get(current.fields.get("parent", ""))
        return None

    def orphans(self, need_type: str, upstream_fields: Sequence[str]) -> list[TraceItem]:
        """Items of ``need_type`` that link to nothing through ``upstream_fields``."""
        return [
            item
            for item in self._by_type.get(need_type, ())
            if not any(item.links.get(f) for f in upstream_fields)
        ]

    def dangling_links(self) -> list[tuple[TraceItem, str, str]]:
        """``(item, link field, missing id)`` for every link to no known item."""
        return [
            (item, link_field, target)
            for item in self.items.values()
            for link_field, targets in item.links.items()
            for target in targets
            if target not in self.items
        ]

    def meant_by_dangling(self, link_field: str) -> frozenset[str]:
        """The IDs that the dangling ``link_field`` links were meant to name, as their messages propose
        (:func:`meant_ids`); cached per link field."""
        cache: dict[str, frozenset[str]] = self.__dict__.setdefault("_meant_cache", {})
        if link_field not in cache:
            pool = list(self.items)
            cache[link_field] = frozenset(
                meant for _, field_name, target in self.dangling_links() if field_name == link_field
                for meant in meant_ids(target, pool)
            )
        return cache[link_field]

    # -- checks ----------------------------------------------------------------

    def problems(self) -> list[Problem]:
        """Every rule the items break, sorted by location."""
        found: list[Problem] = []
        found.extend(self._check_duplicates())
        misspelt = self._misspelt_values()
        found.extend(self._check_misspelt_values(misspelt))
        found.extend(self._check_nesting())
        layout_fields = sorted({name for fields in self.rules.shown_fields.values() for name in fields})
        for item in self.items.values():
            found.extend(self._check_links(item))
            found.extend(self._check_required(item))
            found.extend(self._check_values(item, misspelt))
            found.extend(self._check_shown(item, layout_fields))
            found.extend(self._check_reasons(item))
            found.extend(self._check_relations(item))
            found.extend(self._check_placement(item))
        return sorted(found, key=_problem_key)

    def _renamed_from(self, item: TraceItem) -> tuple[str, list[str]] | None:
        """The ID a duplicated ``item`` most likely had, and where the links that name it are: an ID that
        links name but no item defines (:meth:`dangling_links`), close to ``item``'s and of a form its type
        may have (an editor renaming REQ-T-002 typed REQ-T-001, which exists)."""
        dangling = self.dangling_links()
        pattern = self.rules.id_patterns.get(item.type)
        named = sorted({t for _, _, t in dangling if not pattern or re.fullmatch(pattern, t)})
        close = difflib.get_close_matches(item.id, named, n=1, cutoff=0.8)
        if not close:
            return None
        return close[0], [str(self._at(source, field)) for source, field, target in dangling if target == close[0]]

    def _check_duplicates(self) -> Iterable[Problem]:
        for first, again in self._duplicates:
            # a copy pasted into another chapter keeps the original's ID: it is the one to change
            if self._chapter_mismatch(first) and not self._chapter_mismatch(again):
                copy, original = first, again
                hint = (f"This one is on the page of another chapter ({first.fields.get('docname')}): give it the "
                        "ID of the chapter and section it sits in.")
            else:
                copy, original = again, first
                hint = "Give one of them a new ID (IDs must be unique in the whole site)."
            renamed = self._renamed_from(copy)
            if renamed is not None:
                # the links to the old ID dangle because of this one change: say so here, not at each link
                old_id, where = renamed
                hint = (f"Links name {old_id!r}, which no item defines (at {some_ids(where)}): if this one was "
                        f"{old_id}, give it back that ID; if not, give it a new ID and correct those links.")
            yield Problem(
                self._at(copy, "id"),
                "duplicate-id",
                f"ID {copy.id!r} is defined twice: here and at {original.location or 'an unknown place'}.",
                hint,
                explains=frozenset({renamed[0]}) if renamed is not None else frozenset(),
            )

    def _chapters(self, item: TraceItem) -> tuple[int, int] | None:
        """(the chapter ``item``'s ID names, the chapter of the page it is on), when the rules give both
        (``id_patterns`` and ``id_docnames`` with a group each); else ``None``."""
        pattern = self.rules.id_patterns.get(item.type)
        if not pattern or item.type not in self.rules.id_docnames:
            return None
        match = re.fullmatch(pattern, item.id)
        page = re.search(self.rules.id_docnames[item.type], item.fields.get("docname", ""))
        if not (match and match.groups() and page):
            return None
        return int(match.group(1)), int(page.group(1))

    def _chapter_mismatch(self, item: TraceItem) -> bool:
        """Whether ``item``'s ID names another chapter than the page it is on."""
        chapters = self._chapters(item)
        return chapters is not None and chapters[0] != chapters[1]

    def _may_link(self, need_type: str, link_field: str) -> bool:
        rule = self.rules.links.get(link_field)
        return rule is None or rule.sources is None or need_type in rule.sources

    def _check_links(self, item: TraceItem) -> Iterable[Problem]:
        for link_field, targets in item.links.items():
            rule = self.rules.links.get(link_field)
            if not self._may_link(item.type, link_field):
                allowed = ", ".join(sorted(rule.sources or ())) if rule else ""
                yield Problem(
                    self._at(item, link_field),
                    "wrong-link-source",
                    f"{item.id}: a {item.type!r} may not have {link_field!r} links; only {allowed} may.",
                    f"Remove ':{link_field}:' from this {item.type!r}.",
                )
                continue
            for repeated in sorted({t for t in targets if list(targets).count(t) > 1}):
                yield Problem(
                    self._at(item, link_field),
                    "duplicate-link",
                    f"{item.id}: the {link_field!r} link names {repeated!r} more than once.",
                    "Write each ID once.",
                )
            for target_id in targets:
                target = self.items.get(target_id)
                if target is None:
                    candidates = (
                        (i.id for t in rule.targets for i in self._by_type.get(t, ()))
                        if rule
                        else self.items.keys()
                    )
                    yield Problem(
                        self._at(item, link_field),
                        "dangling-link",
                        f"{item.id}: the {link_field!r} link names {target_id!r}, which does not exist.",
                        diagnose_id(target_id, candidates) or "Check the ID against the catalog pages.",
                        rule.targets if rule else frozenset(),
                        target_id,
                    )
                    continue
                if rule is None:
                    continue
                if target.type not in rule.targets:
                    expected = " or ".join(repr(t) for t in sorted(rule.targets))
                    movable = target.type in self.rules.links and self._may_link(item.type, target.type)
                    yield Problem(
                        self._at(item, link_field),
                        "wrong-link-type",
                        f"{item.id}: the {link_field!r} link names {target_id!r}, "
                        f"which is of type {target.type!r}, not {expected}.",
                        (f"Move {target_id!r} to the option ':{target.type}:', "
                         if movable else f"Remove {target_id!r}, ")
                        + f"or link an entry of type {expected} here.",
                    )
                elif rule.levels is not None and target.fields.get("level") not in rule.levels:
                    level = target.fields.get("level") or ""
                    wanted = " or ".join(sorted(rule.levels))
                    below = self._first_below(target, rule.levels)
                    hint = (
                        f"Link one of the entries at level {wanted!r} under it instead, e.g. {below!r}."
                        if below
                        else f"Link an entry at level {wanted!r} instead."
                    )
                    yield Problem(
                        self._at(item, link_field),
                        "wrong-link-level",
                        f"{item.id}: the {link_field!r} link names {target_id!r}, "
                        f"which is at level {level!r}, not {wanted!r}.",
                        hint,
                    )

    def _first_below(self, entry: TraceItem, levels: frozenset[str]) -> str | None:
        """The first entry under ``entry`` (by ``parent``, depth first) whose level is in ``levels``."""
        children: dict[str, list[TraceItem]] = defaultdict(list)
        for other in self._by_type.get(entry.type, ()):
            children[other.fields.get("parent", "")].append(other)
        stack = list(reversed(children.get(entry.id, [])))
        while stack:
            current = stack.pop()
            if current.fields.get("level") in levels:
                return current.id
            stack.extend(reversed(children.get(current.id, [])))
        return None

    @staticmethod
    def _at(item: TraceItem, *options: str) -> Location | None:
        """Where ``item`` writes the first of ``options`` that it writes (its option line), else where it starts."""
        if item.location is None:
            return None
        for option in options:
            if option in item.option_lines:
                return Location(item.location.file, item.option_lines[option])
        return item.location

    def _check_required(self, item: TraceItem) -> Iterable[Problem]:
        for group in self.rules.required.get(item.type, ()):
            if not any(item.links.get(link_field) for link_field in group):
                names = " or ".join(repr(f) for f in group)
                yield Problem(
                    item.location,
                    "missing-link",
                    f"{item.id}: this {item.type!r} has no {names} link; it needs at least one.",
                    f"Add the option ':{group[0]}: <ID>' to the {item.type!r} directive.",
                )
        for name in self.rules.required_fields.get(item.type, ()):
            if not item.fields.get(name):
                allowed = self.rules.field_values.get(
                    f"{item.type}.{name}", self.rules.field_values.get(name)
                )
                choices = f" (one of: {', '.join(sorted(allowed))})" if allowed else ""
                yield Problem(
                    item.location,
                    "missing-field",
                    f"{item.id}: this {item.type!r} has no {name!r}; it is required.",
                    f"Add the option ':{name}: <value>'{choices}.",
                )
        for condition, required in self.rules.required_when.items():
            key, _, value = condition.partition("=")
            need_type, _, cond_field = key.rpartition(".")
            if (need_type and need_type != item.type) or item.fields.get(cond_field) != value:
                continue
            for name in required:
                if not item.fields.get(name) and not item.links.get(name):
                    yield Problem(
                        item.location,
                        "missing-field",
                        f"{item.id}: this {item.type!r} has {cond_field!r} {value!r} but no {name!r}; "
                        "it is required then.",
                        f"Add the option ':{name}: <{'ID' if name in self.rules.links else 'value'}>'.",
                        rests_on=frozenset({f"{item.id}.{cond_field}"}),
                    )
        for link_field in self.rules.required_backlinks.get(item.type, ()):
            if item.id in self.meant_by_dangling(link_field):
                continue  # a link meant for it is misspelt: that link's message is the one to fix
            if not any(
                source != item.id and self._may_link(self.items[source].type, link_field)
                for source in self.back_links(item.id, link_field)
            ):
                yield Problem(
                    item.location,
                    "missing-backlink",
                    f"{item.id}: no item names this {item.type!r} in its {link_field!r} links; "
                    f"every {item.type!r} needs at least one.",
                    f"Add ':{link_field}: {item.id}' to the item that puts it into effect.",
                )

    def _check_shown(self, item: TraceItem, layout_fields: Sequence[str]) -> Iterable[Problem]:
        shown = self.rules.shown_fields.get(item.type)
        if shown is None:
            return
        for name in layout_fields:
            if item.fields.get(name) and name not in shown:
                yield Problem(
                    self._at(item, name),
                    "field-not-shown",
                    f"{item.id}: this {item.type!r} sets {name!r}, which the layout of {item.type!r} "
                    "does not show, so readers would never see it.",
                    f"Remove ':{name}:', or add {name!r} to trace_shown_fields[{item.type!r}] in conf.py.",
                )

    def _values_of(self, key: str) -> dict[str, list[str]]:
        """Value -> the IDs of the items that give it, for the ``field_values`` key ``key``."""
        need_type, _, name = key.rpartition(".")
        found: dict[str, list[str]] = defaultdict(list)
        for item in self.items.values():
            value = item.fields.get(name)
            if value and (not need_type or need_type == item.type):
                found[value].append(item.id)
        return found

    def _misspelt_values(self) -> dict[tuple[str, str], tuple[str, list[str]]]:
        """(``field_values`` key, a value items give) -> (the allowed value the rule misspells, the IDs
        of the items that give the value).

        A value given by two or more items that the rule does not allow, when a close allowed
        value is given by no item: the typo is in the rule (``"aded"`` for ``"added"``).
        """
        misspelt: dict[tuple[str, str], tuple[str, list[str]]] = {}
        for key, allowed in self.rules.field_values.items():
            given = self._values_of(key)
            unused = [value for value in allowed if value not in given]
            for value, ids in given.items():
                if value in allowed or len(ids) < 2 or not unused:
                    continue
                guess = nearest(value, unused)
                if guess:
                    misspelt[(key, value)] = (guess, ids)
        return misspelt

    def _check_misspelt_values(
        self, misspelt: Mapping[tuple[str, str], tuple[str, list[str]]],
    ) -> Iterable[Problem]:
        for (key, value), (written, given_by) in sorted(misspelt.items()):
            ids = sorted(given_by, key=natural_key)
            shown = ", ".join(ids[:3]) + (", …" if len(ids) > 3 else "")
            yield Problem(
                self.rules.value_locations.get((key, written)),
                "bad-value",
                f"the allowed values of {key!r} (trace_field_values) include {written!r}, which no item gives, "
                f"while {len(ids)} items give {value!r}, which is not allowed ({shown}).",
                f"Did you mean {value!r}? Correct it in trace_field_values "
                f"(or, if {written!r} is right, correct those {len(ids)} items).",
            )

    def _check_values(
        self, item: TraceItem, misspelt: Mapping[tuple[str, str], tuple[str, list[str]]],
    ) -> Iterable[Problem]:
        for key, allowed in self.rules.field_values.items():
            need_type, _, name = key.rpartition(".")
            if need_type and need_type != item.type:
                continue
            value = item.fields.get(name)
            if value and value not in allowed and (key, value) not in misspelt:
                guess = nearest(value, allowed)
                choices = ", ".join(sorted(allowed))
                yield Problem(
                    self._at(item, name),
                    "bad-value",
                    f"{item.id}: {name!r} is {value!r}, which is not one of: {choices}.",
                    f"Did you mean {guess!r}?" if guess else f"Use one of: {choices}.",
                )

    def reasoned_links(self, item: TraceItem, link_field: str, within: Iterable[str] | None = None,
                       ) -> list[tuple[str, str, str]]:
        """``(target ID, reason, relationship)`` of each ``link_field`` link of ``item``, in written order;
        only targets in ``within`` if given. The reason is ``""`` where the type asks for none."""
        wanted = set(within) if within is not None else None
        reason_field = self._reason_fields(item).get(link_field)
        reasons = parse_reasons(item.fields.get(reason_field, "")) if reason_field else {}
        return [(target, reasons.get(target, ""), self.relationship(item, link_field, target))
                for target in item.links.get(link_field, ()) if wanted is None or target in wanted]

    def _reason_fields(self, item: TraceItem) -> dict[str, str]:
        """Link field -> reason field for ``item``'s type (a typed key wins over a plain one)."""
        found: dict[str, str] = {}
        for key, reason_field in self.rules.reasons.items():
            need_type, _, link_field = key.rpartition(".")
            if not need_type:
                found.setdefault(link_field, reason_field)
        for key, reason_field in self.rules.reasons.items():
            need_type, _, link_field = key.rpartition(".")
            if need_type == item.type:
                found[link_field] = reason_field
        return found

    def _check_reasons(self, item: TraceItem) -> Iterable[Problem]:
        for link_field, reason_field in self._reason_fields(item).items():
            links = list(item.links.get(link_field, ()))
            if not links or any(t not in self.items for t in links):
                continue  # a link to no item is reported first; its reasons are judged once it is fixed
            parts = reason_parts(item.fields.get(reason_field, ""))
            reasons = dict(parts)
            keys = [key for key, _ in parts]
            for repeated in sorted({k for k in keys if keys.count(k) > 1}):
                yield Problem(
                    self._at(item, reason_field),
                    "duplicate-link",
                    f"{item.id}: {reason_field!r} gives more than one reason for {repeated!r}.",
                    "Keep one reason per ID.",
                )
            rule = self.rules.links.get(link_field)
            if rule is not None and rule.sources is not None and item.type not in rule.sources:
                continue  # a link this type may not have is reported as such; no reason is asked for it
            # a link of the wrong type is reported as such; no reason is asked for it
            unreasoned = [t for t in links if (rule is None or self.items[t].type in rule.targets)
                          and not reasons.get(t)]
            unlinked = [named for named in reasons if named not in links]
            # a reason for one ID and a link to another without one is one slip (a misspelt or stale ID):
            # pair them, the nearest first, or the only two left
            paired: dict[str, str] = {}
            for named in unlinked:
                left = [t for t in unreasoned if t not in paired.values()]
                guess = nearest(named, left) or (left[0] if len(unlinked) == len(unreasoned) == 1 else None)
                if guess:
                    paired[named] = guess
            for named, target in paired.items():
                yield Problem(
                    self._at(item, reason_field),
                    "missing-reason",
                    f"{item.id}: {reason_field!r} gives its reason for {named!r}, but the {link_field!r} link is "
                    f"{target!r}, which has none.",
                    f"Write the same ID in both: '{target}: …' in ':{reason_field}:', or {named!r} in ':{link_field}:'.",
                )
            for target in unreasoned:
                if target not in paired.values():
                    yield Problem(
                        self._at(item, reason_field, link_field),
                        "missing-reason",
                        f"{item.id}: the {link_field!r} link to {target!r} has no reason in {reason_field!r}.",
                        f"Add '{target}: <one line why it applies>' to ':{reason_field}:'.",
                    )
            for named in unlinked:
                if named not in paired:
                    yield Problem(
                        self._at(item, reason_field),
                        "missing-reason",
                        f"{item.id}: {reason_field!r} gives a reason for {named!r}, "
                        f"which is not in its {link_field!r} links.",
                        f"Add {named!r} to ':{link_field}:' or drop the reason.",
                    )

    def relationship(self, item: TraceItem, link_field: str, target: str) -> str:
        """The relationship ``item`` states for its ``link_field`` link to ``target`` (one of
        :data:`RELATIONSHIPS`); :data:`DEFAULT_RELATIONSHIP` where it states none or the field is not configured."""
        relation_field = self.rules.relations.get(link_field)
        if not relation_field:
            return DEFAULT_RELATIONSHIP
        stated = dict(reason_parts(item.fields.get(relation_field, "")))
        value = stated.get(target, DEFAULT_RELATIONSHIP)
        return value if value in RELATIONSHIPS else DEFAULT_RELATIONSHIP

    def _check_relations(self, item: TraceItem) -> Iterable[Problem]:
        """Each stated relationship names one of the item's links, once, with a term of :data:`RELATIONSHIPS`.

        Not judged where the item has no such link at all, or may not have it: the missing or refused link
        is the one message (as for reasons)."""
        for link_field, relation_field in self.rules.relations.items():
            text = item.fields.get(relation_field, "")
            links = list(item.links.get(link_field, ()))
            rule = self.rules.links.get(link_field)
            if not text or not links or (rule is not None and rule.sources is not None
                                         and item.type not in rule.sources):
                continue
            parts = reason_parts(text)
            keys = [key for key, _ in parts]
            where = self._at(item, relation_field)
            for repeated in sorted({k for k in keys if keys.count(k) > 1}):
                yield Problem(where, "relation", f"{item.id}: {relation_field!r} states more than one relationship "
                              f"for {repeated!r}.", "Keep one per ID.")
            for target, value in dict(parts).items():
                if target not in links:
                    yield Problem(where, "relation", f"{item.id}: {relation_field!r} names {target!r}, which is not "
                                  f"in its {link_field!r} links.", self._relation_target_hint(item, link_field, target))
                elif value not in RELATIONSHIPS:
                    yield Problem(where, "relation", f"{item.id}: the relationship of {target!r} is {value!r}, "
                                  f"which is not a NIST IR 8477 term ({', '.join(RELATIONSHIPS)}).",
                                  _relation_value_hint(target, value, link_field))

    def _relation_target_hint(self, item: TraceItem, link_field: str, target: str) -> str:
        relation_field = self.rules.relations[link_field]
        term = _relation_term(target)
        if term:  # the term written without its ID
            return f"Write '<ID>: {term}', naming one of its {link_field!r} links."
        for other_field, other_relation in self.rules.relations.items():
            if other_field != link_field and target in item.links.get(other_field, ()):
                return (f"{target!r} is one of its {other_field!r} links: state its relationship in "
                        f"':{other_relation}:', not ':{relation_field}:'.")
        if target in self.items:  # a real entry, just not linked: a did-you-mean would hide that
            return f"Add {target!r} to ':{link_field}:' (with a reason), or drop it from ':{relation_field}:'."
        guess = nearest(target, item.links.get(link_field, ()))
        return f"Did you mean {guess!r}?" if guess else \
            f"Name one of its {link_field!r} links: {', '.join(item.links.get(link_field, ()))}."

    def _check_nesting(self) -> Iterable[Problem]:
        """Items of ``unnested`` types that sit inside another item: one problem per unclosed item.

        The fence that closes the outer item is missing, so every later item up to the end of the page
        sits inside it; the one fix goes before the first of them. When they come from a file the
        page includes, that fix is in the page: the problem is located at the outer item.
        """
        inside: dict[str, list[TraceItem]] = {}
        for item in self.items.values():
            parent_ref = item.fields.get("parent_need")
            if parent_ref and item.type in self.rules.unnested:
                inside.setdefault(parent_ref, []).append(item)
        for parent_id, children in inside.items():
            first = children[0]
            names = first.id if len(children) == 1 else f"{len(children)} items ({some_ids(c.id for c in children)})"
            verb = "sits" if len(children) == 1 else "sit"
            parent = self.items.get(parent_id)
            if (parent is not None and parent.location is not None and first.location is not None
                    and parent.location.file != first.location.file):
                yield Problem(
                    parent.location,
                    "nested-need",
                    f"{parent_id} is not closed, so {names} from {PurePath(first.location.file).name} {verb} inside it: the "
                    f"fence that closes {parent_id} is probably missing.",
                    f"Close {parent_id}'s block (a line of as many backticks as opened it) after its text, before "
                    "the {include} that reads that file.",
                )
                continue
            yield Problem(
                first.location,
                "nested-need",
                f"{names} {verb} inside {parent_id}: the fence that closes {parent_id} is probably missing.",
                f"Close {parent_id}'s block (a line of as many backticks as opened it) before {first.id}.",
            )

    def _check_placement(self, item: TraceItem) -> Iterable[Problem]:
        """Where an item sits and what it names: ID pattern and page, inherited values."""
        pattern = self.rules.id_patterns.get(item.type)
        if pattern:
            match = re.fullmatch(pattern, item.id)
            if match is None:
                yield Problem(
                    self._at(item, "id"),
                    "bad-id",
                    f"{item.id}: the ID of a {item.type!r} must match {pattern}.",
                    "Number it after the printed position of the item (4.1 の (1) → STD-4-1-1).",
                )
            elif (item.id not in self._duplicate_ids and (chapters := self._chapters(item)) is not None
                  and chapters[0] != chapters[1]):
                named, page = chapters
                yield Problem(
                    self._at(item, "id"),
                    "bad-id",
                    f"{item.id}: the ID names chapter {named}, but the item is on the page "
                    f"of chapter {page} ({item.fields.get('docname')}).",
                    "Number it after the chapter and section it sits in, or move it there.",
                )
        for name, link_field in self.rules.inherited.items():
            given = _values(item.fields.get(name, ""))
            rule = self.rules.links.get(link_field)
            links = item.links.get(link_field, ())
            if any(t not in self.items or (rule is not None and self.items[t].type not in rule.targets) for t in links):
                continue  # a missing or wrong-type link is reported first; what it carries is judged once it is fixed
            targets = [self.items[t] for t in links]
            if not given or not targets:
                continue
            carried = {v for t in targets for v in _values(t.fields.get(name, ""))}
            for value in given:
                if value not in carried:
                    yield Problem(
                        self._at(item, name),
                        "bad-value",
                        f"{item.id}: {name!r} gives {value!r}, which none of the items it {link_field!r} carries "
                        f"({', '.join(sorted(carried)) or 'none'}).",
                        f"Copy the {name!r} of the item it {link_field!r}.",
                    )


def _relation_term(text: str) -> str | None:
    """The NIST IR 8477 term ``text`` stands for: the term itself in another case, width or spacing
    (``Subset_Of``, ``ｅｑｕａｌ－ｔｏ``, ``subset of``), or a Japanese word the site uses for it (``同等``)."""
    folded = unicodedata.normalize("NFKC", text).strip().strip("。.、,").lower().replace("_", "-").replace(" ", "-")
    if folded in RELATIONSHIPS:
        return folded
    for term, words in RELATIONSHIP_WORDS.items():
        if text.strip().strip("。") in words:
            return term
    return nearest(folded, RELATIONSHIPS)


def _relation_value_hint(target: str, value: str, link_field: str) -> str:
    if "," in value or "、" in value:  # two entries joined by a comma: 'subset-of, ISO22-7-3: equal-to'
        return "Separate the entries with ';' (one 'ID: term' each)."
    term = _relation_term(value)
    if term:
        return f"Did you mean '{target}: {term}'?"
    return f"Write '{target}: <term>', or leave it out for {DEFAULT_RELATIONSHIP}."


def _values(text: str) -> list[str]:
    """The values of a comma-separated field (``"②-2, ③-2"`` -> ``["②-2", "③-2"]``)."""
    return [v.strip() for v in text.split(",") if v.strip()]


def _problem_key(problem: Problem) -> tuple[str, int, str, str]:
    loc = problem.location
    return (loc.file if loc else "", (loc.line or 0) if loc else 0, problem.code, problem.message)
