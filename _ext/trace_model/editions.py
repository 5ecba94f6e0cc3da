"""Editions of the guideline as data, and what changed between two of them.

An :class:`Edition` is what a later build needs to compare against: every 例文 item (``policy``, ``measure``)
with its chapter, section, title, wording and 解説 as published, and its links to each standard with their
reasons and relationships; and, for each standard, the catalog it was traced against (its edition, every
entry's number and title) and the SoA's exclusions. ``make release`` freezes the current sources as one
(``traceability/editions/<id>/edition.json``, committed); a build makes the current sources' edition
afresh (``exports/edition.json``).

:func:`compare` gives what the ministry's 新旧対照表 shows and more:

- per chapter, each changed item with its 改正後 and 改正前 text, the changed passages marked by a
  character-level diff (Japanese has no spaces between words, so words are no unit to diff by);
- added, deleted, moved (to another chapter or section) and renumbered items (an item whose ID changed,
  recognised by its wording; IDs are what the site's permalinks are made of, so this is rare and listed in the
  旧番号→新番号 table);
- the coverage change per standard (entries newly addressed, no longer addressed, addressed by other items,
  or whose exclusion's justification changed);
- the catalog change: entries of a standard removed, renumbered or retitled between the catalogs the two
  editions were traced against, each with the items whose links point at it — a link is never re-targeted
  silently.

Pure: no Sphinx or docutils import.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import itertools
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from trace_model.japanese import JA_CHARS
from trace_model.params import Param, with_defaults

#: The version of the edition file's layout; a file of another version is refused.
SCHEMA = 2
#: The file of one frozen edition, in ``<editions dir>/<edition id>/``.
EDITION_FILE = "edition.json"
#: An edition ID: lowercase ASCII letters, digits and hyphens (it becomes a directory and a URL part).
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
#: An edition date: a year and month (``2015-03``) or a full date (``2015-03-31``).
DATE_PATTERN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$")
#: The ID the current sources' edition has until it is frozen.
CURRENT = "current"
#: Two items with different IDs are one item renumbered when their wording is at least this similar
#: (difflib's ratio, 0..1) and neither ID is in the other edition.
RENUMBER_SIMILARITY = 0.6
#: Equal runs of at most this many characters between two changes are shown as part of one change
#: (a character-level diff of Japanese otherwise splits a reworded phrase into fragments).
MERGE_EQUAL_RUN = 2

#: Item change kinds, in the order the 新旧対照表 names them, with their Japanese words.
CHANGE_WORDS = {
    "added": "新設",
    "deleted": "削除",
    "renumbered": "番号変更",
    "moved": "移動",
    "title": "見出しの変更",
    "wording": "例文の改正",
    "explanation": "解説の改正",
    "links": "対応付けの変更",
}
#: Coverage change kinds and their Japanese words.
COVERAGE_WORDS = {
    "newly-addressed": "新たに対応",
    "no-longer-addressed": "対応しなくなった",
    "addressed-by-changed": "対応する項目の変更",
    "justification-changed": "適用除外の理由の変更",
}
#: Catalog change kinds and their Japanese words.
CATALOG_WORDS = {"removed": "削除", "renumbered": "番号変更", "retitled": "名称変更"}


class EditionError(ValueError):
    """A frozen edition file, or a request to freeze one, is wrong: ``location`` (``file:line`` or a file)
    and what is wrong, in plain words with the fix."""

    def __init__(self, location: str, message: str) -> None:
        super().__init__(f"{location}: {message}")
        self.location = location
        self.message = message


@dataclass(frozen=True)
class Link:
    """One link of an item to a standard's entry: the standard's key (``nisc``, ``iso``, ``iso22``), the
    entry's ID, the reason written for it and its relationship (NIST IR 8477 term)."""

    standard: str
    target: str
    reason: str = ""
    relationship: str = "intersects-with"


@dataclass(frozen=True)
class FrozenItem:
    """One 例文 item as published in an edition.

    ``chapter``: the page (docname) it is on; ``section``: its section heading (``3.1 情報資産の分類``);
    ``statement``: the 例文's wording and ``explanation`` its 解説, as portable MyST text.
    """

    id: str
    type: str
    title: str
    chapter: str
    section: str
    statement: str
    explanation: str = ""
    links: tuple[Link, ...] = ()
    #: 選択項目: the kind of municipality that adopts it (「ソーシャルメディアを運用する団体」); "" for every one
    optional: str = ""
    #: its 自己点検 question (対策基準 items)
    check: str = ""

    def text(self) -> str:
        """What the 新旧対照表 shows of the item: its heading, wording and 解説 as a reader sees them
        (:func:`readable`), one paragraph, list item or table row per line."""
        parts = [f"{self.id} {self.title}", readable(self.statement)]
        if self.explanation:
            parts.append(f"【解説】\n{readable(self.explanation)}")
        return "\n".join(parts)


_BOLD = re.compile(r"\*\*(.+?)\*\*")
_TABLE_RULE = re.compile(r"^\|?[\s:|-]*-{3,}[\s:|-]*$")
_LIST_ITEM = re.compile(r"^(?:・|\d+[.)]\s|[\u2460-\u2473])")
_BULLET = re.compile(r"^[-*+]\s+")
_JA_END = re.compile(f"[{JA_CHARS}]$")
_JA_START = re.compile(f"^[{JA_CHARS}]")


def _join(lines: Sequence[str]) -> str:
    """The source lines of one paragraph as one line: a break between two Japanese characters is dropped (as
    the site's pages show it, ``guideline_site.ja_text``), one next to Latin text is a space."""
    out = ""
    for line in lines:
        if out and not (_JA_END.search(out) and _JA_START.match(line)):
            out += " "
        out += line
    return out


#: A reference a frozen 例文 keeps: ``{ref}`the words shown <label>```.
REF_ROLE = re.compile(r"\{ref\}`([^`<]*?)\s*<([^<>`]+)>`")


def ref_text(text: str) -> str:
    """``text`` with each kept ``{ref}`` as the words a reader sees."""
    return REF_ROLE.sub(lambda m: m.group(1), text)


def ref_target(label: str) -> bool:
    """Whether a reference's label names a 例文 or a part of the 対策基準 (``pol-4``, ``std-3-1``, ``std-4``),
    which a municipality's policy renumbers (another label, a glossary term or page, keeps its words)."""
    return bool(re.fullmatch(r"pol-\d+(?:-\d+)?|std-\d+(?:-\d+)?", label))


def referenced_items(label: str, items: Sequence[FrozenItem]) -> list[str]:
    """The 例文 a reference's label points to: ``pol-4`` -> [POL-4]; ``std-3-1`` -> every item of section 3.1;
    ``std-4`` -> every item of chapter 4 (``[]`` for a label that is no :func:`ref_target`)."""
    match = re.fullmatch(r"(pol|std)-(\d+)(?:-(\d+))?", label)
    if not match:
        return []
    kind, first, second = match.groups()
    if kind == "pol":
        return [i.id for i in items if i.id == f"POL-{first}" or i.id.startswith(f"POL-{first}-")]
    prefix = f"{first}.{second} " if second else f"{first}."
    return [i.id for i in items if i.type == "measure" and i.section.startswith(prefix)]


def printed(statement: str) -> str:
    """A 例文's wording as the guideline prints it: references as their words, 団体で定める事項 as the 例文's own
    (what the 新旧対照表 and the link stamps compare: marking either changes no wording)."""
    return ref_text(with_defaults(statement))


def readable(text: str) -> str:
    """The portable MyST of a 例文 or 解説 as a reader sees it, for the 新旧対照表: bold markers dropped, the
    lines of a paragraph joined (:func:`_join`), each list item and each table row on a line of its own (a row
    as its cells joined by 「｜」, the rule under the header row dropped), paragraphs one per line."""
    out: list[str] = []
    for block in re.split(r"\n[ \t]*\n", _BOLD.sub(r"\1", printed(text).strip())):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if lines and all(line.startswith("|") for line in lines):
            out += ["｜".join(cell.strip() for cell in line.strip("|").split("|"))
                    for line in lines if not _TABLE_RULE.match(line)]
            continue
        paragraph: list[str] = []
        for line in (_BULLET.sub("・", line) for line in lines):
            if _LIST_ITEM.match(line) and paragraph:
                out.append(_join(paragraph))
                paragraph = []
            paragraph.append(line)
        if paragraph:
            out.append(_join(paragraph))
    return "\n".join(out)


@dataclass(frozen=True)
class FrozenEntry:
    """One entry of a standard's catalog: its ID (``ISO-A-8-2-1``), number (``A.8.2.1``) and title."""

    id: str
    number: str
    title: str


@dataclass(frozen=True)
class FrozenCatalog:
    """The catalog one standard was traced against in an edition: the standard's key and label, the
    catalog's own edition (``平成26年度版``), its entries in catalog order, and the SoA's exclusions
    (entry number -> justification)."""

    standard: str
    label: str
    edition: str
    entries: tuple[FrozenEntry, ...]
    exclusions: Mapping[str, str] = field(default_factory=dict)

    def entry(self, entry_id: str) -> FrozenEntry | None:
        return self._by_id.get(entry_id)

    @cached_property
    def _by_id(self) -> dict[str, FrozenEntry]:
        return {e.id: e for e in self.entries}


@dataclass(frozen=True)
class Edition:
    """One edition of the guideline: its ID (``h27-03``), title (``平成27年3月版``), date (``2015-03``), the
    commit it was made from, its chapters (docname, title) in reading order, its 例文 items in reading
    order and the catalogs it was traced against."""

    id: str
    title: str
    date: str
    commit: str
    chapters: tuple[tuple[str, str], ...]
    items: tuple[FrozenItem, ...]
    catalogs: tuple[FrozenCatalog, ...]
    #: the 団体で定める事項 its 例文 mark ({param} roles), in registry order
    params: tuple[Param, ...] = ()

    def item(self, item_id: str) -> FrozenItem | None:
        return self._items_by_id.get(item_id)

    @cached_property
    def _items_by_id(self) -> dict[str, FrozenItem]:
        # compare() and departures() look items up per item: a dict, not a scan of every item
        return {i.id: i for i in self.items}

    def catalog(self, standard: str) -> FrozenCatalog | None:
        return next((c for c in self.catalogs if c.standard == standard), None)

    def chapter_title(self, docname: str) -> str:
        return dict(self.chapters).get(docname, docname)

    def to_json(self) -> str:
        """The edition file's text: UTF-8 JSON, one item per block, the same bytes for the same edition."""
        data = {
            "schema": SCHEMA,
            "id": self.id,
            "title": self.title,
            "date": self.date,
            "commit": self.commit,
            "chapters": [{"docname": d, "title": t} for d, t in self.chapters],
            "catalogs": [
                {"standard": c.standard, "label": c.label, "edition": c.edition,
                 "exclusions": dict(sorted(c.exclusions.items())),
                 "entries": [[e.id, e.number, e.title] for e in c.entries]}
                for c in self.catalogs
            ],
            "params": [[p.key, p.label, p.kind, p.guidance] for p in self.params],
            "items": [
                {"id": i.id, "type": i.type, "title": i.title, "chapter": i.chapter, "section": i.section,
                 "statement": i.statement, "explanation": i.explanation,
                 **({"optional": i.optional} if i.optional else {}), **({"check": i.check} if i.check else {}),
                 "links": [[link.standard, link.target, link.reason, link.relationship] for link in i.links]}
                for i in self.items
            ],
        }
        data["digest"] = digest(data)
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


# -- reading an edition file ------------------------------------------------------------------------------


#: What to do about a frozen edition file that cannot be read: it is data, not to be edited.
RESTORE = ("A frozen edition is written by `make release` and never edited: restore the file from git "
           "(git checkout -- <file>).")


def line_of(text: str, needle: str, nth: int = 1) -> int | None:
    """The 1-based line of the ``nth`` occurrence of ``needle`` in ``text``; ``None`` if there is none."""
    at = -1
    for _ in range(nth):
        at = text.find(needle, at + 1)
        if at < 0:
            return None
    return text.count("\n", 0, at) + 1


class _DuplicateKey(ValueError):
    def __init__(self, key: str, pairs: list[tuple[str, Any]]) -> None:
        super().__init__(key)
        self.key = key
        self.context = next((f'"id": "{v}"' for k, v in pairs if k == "id" and isinstance(v, str)), "")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key, pairs)
        seen[key] = value
    return seen


def digest(data: Mapping[str, Any]) -> str:
    """The SHA-256 of an edition file's data without its ``digest`` (canonical JSON): a frozen edition file
    records it, so that a hand edit is noticed."""
    body = {k: v for k, v in data.items() if k != "digest"}
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
                          .encode("utf-8")).hexdigest()


_JSON_TYPES: dict[type, str] = {str: "string", list: "array", dict: "object"}
#: The keys of an edition file, of a catalog and of an item, in the order written.
TOP_KEYS = ("schema", "id", "title", "date", "commit", "chapters", "catalogs", "params", "items", "digest")
CATALOG_KEYS = ("standard", "label", "edition", "exclusions", "entries")
ITEM_KEYS = ("id", "type", "title", "chapter", "section", "statement", "explanation", "optional", "check", "links")
#: The schema versions this build reads: 1 (before 団体で定める事項, 選択項目 and 自己点検の問い) and 2.
SCHEMAS = (1, 2)
#: The keys schema 1 did not have.
NEW_IN_2 = {"params", "optional", "check"}


def edition_from_json(text: str, path: str) -> Edition:
    """The edition in ``text`` (the content of the file ``path``, for messages).

    Raises :class:`EditionError` located at the file's line for invalid JSON, a key written twice, another
    schema version, a missing, unknown or mistyped field, an ID or date of the wrong form, a catalog entry
    row that is not [ID, number, title], a link row that is not [standard, target, reason, relationship]
    with a standard of the file's catalogs and a relationship of NIST IR 8477, an item ID given twice, and a
    file whose digest does not match its content (edited by hand).
    """
    from trace_model.model import RELATIONSHIPS

    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as error:
        raise EditionError(f"{path}:{error.lineno}", f"not valid JSON ({error.msg}). {RESTORE}") from None
    except _DuplicateKey as error:
        line = line_of(text, error.context) if error.context else None
        raise EditionError(f"{path}:{line}" if line else path,
                           f"the key {error.key!r} is written twice in one object. {RESTORE}") from None

    def where(needle: str = "", nth: int = 1) -> str:
        line = line_of(text, needle, nth) if needle else None
        return f"{path}:{line}" if line else path

    def refuse(context: str, message: str, nth: int = 1) -> EditionError:
        return EditionError(where(context, nth), f"{message} {RESTORE}")

    if not isinstance(data, dict):
        raise refuse("", "the file must hold one JSON object.")
    if type(data.get("schema")) is not int or data["schema"] not in SCHEMAS:
        raise EditionError(where('"schema"'), f"schema {data.get('schema')!r} is not one this build reads "
                           f"({', '.join(map(str, SCHEMAS))}). Restore the file from git, or read it with the "
                           "version of this project that froze it.")
    schema = data["schema"]

    def keys(obj: Any, allowed: Sequence[str], what: str, context: str) -> dict[str, Any]:
        if schema == 1:
            allowed = [k for k in allowed if k not in NEW_IN_2]
        if not isinstance(obj, dict):
            raise refuse(context, f"{what} must be a JSON object.")
        unknown = sorted(set(obj) - set(allowed))
        if unknown:
            raise refuse(f'"{unknown[0]}"', f"{what} has the unknown key {unknown[0]!r} (the keys are "
                         f"{', '.join(allowed)}).")
        return obj

    def need(obj: dict[str, Any], key: str, kind: type, context: str, what: str) -> Any:
        value = obj.get(key)
        if type(value) is not kind:
            raise refuse(context or f'"{key}"', f"{what}: {key!r} is missing or not a JSON "
                         f"{_JSON_TYPES[kind]}.")
        return value

    def strings(row: Any, count: int, context: str, what: str) -> list[str]:
        if type(row) is not list or len(row) != count or any(type(v) is not str for v in row):
            raise refuse(context, f"{what} must be an array of {count} strings, not {json.dumps(row, ensure_ascii=False)[:80]}.")
        return row

    top = keys(data, TOP_KEYS, "the edition file", "")
    edition_id = need(top, "id", str, "", "the edition")
    if not ID_PATTERN.match(edition_id):
        raise refuse('"id"', f"the edition id {edition_id!r} is not lowercase letters, digits and hyphens.")
    date = need(top, "date", str, "", "the edition")
    if not DATE_PATTERN.match(date):
        raise refuse('"date"', f"the date {date!r} is not a year and month or a full date (2015-03, 2015-03-31).")
    chapters = []
    for raw in need(top, "chapters", list, "", "the edition"):
        chapter = keys(raw, ("docname", "title"), "a chapter", '"chapters"')
        chapters.append((need(chapter, "docname", str, '"chapters"', "a chapter"),
                         need(chapter, "title", str, '"chapters"', "a chapter")))
    catalogs = []
    for raw in need(top, "catalogs", list, "", "the edition"):
        catalog = keys(raw, CATALOG_KEYS, "a catalog", '"catalogs"')
        standard = need(catalog, "standard", str, '"catalogs"', "a catalog")
        context = f'"standard": "{standard}"'
        exclusions = need(catalog, "exclusions", dict, context, f"the catalog {standard}")
        if any(type(v) is not str for v in exclusions.values()):
            raise refuse(context, f"the catalog {standard}: every exclusion's justification must be a string.")
        entries = [FrozenEntry(*strings(row, 3, context, f"an entry of the catalog {standard} ([ID, number, title])"))
                   for row in need(catalog, "entries", list, context, f"the catalog {standard}")]
        catalogs.append(FrozenCatalog(standard, need(catalog, "label", str, context, f"the catalog {standard}"),
                                      need(catalog, "edition", str, context, f"the catalog {standard}"),
                                      tuple(entries), dict(exclusions)))
    standards = {c.standard for c in catalogs}
    params = []
    for row in (need(top, "params", list, "", "the edition") if schema >= 2 else []):
        key, label, kind, guidance = strings(row, 4, '"params"', "a parameter ([key, label, kind, guidance])")
        params.append(Param(key, label, kind, guidance))
    items = []
    seen: dict[str, int] = {}
    for raw in need(top, "items", list, "", "the edition"):
        item_id = need(raw if isinstance(raw, dict) else {}, "id", str, '"items"', "an item")
        context = f'"id": "{item_id}"'
        seen[item_id] = seen.get(item_id, 0) + 1
        if seen[item_id] > 1:
            raise refuse(context, f"the item {item_id} is listed twice.", nth=seen[item_id])
        item = keys(raw, ITEM_KEYS, f"the item {item_id}", context)
        links = []
        for row in need(item, "links", list, context, f"the item {item_id}"):
            standard, target, reason, relationship = strings(
                row, 4, context, f"a link of {item_id} ([standard, target, reason, relationship])")
            if standard not in standards:
                raise refuse(context, f"a link of {item_id} names the standard {standard!r}, which the edition has "
                             f"no catalog of ({', '.join(sorted(standards))}).")
            if relationship not in RELATIONSHIPS:
                raise refuse(context, f"a link of {item_id} has the relationship {relationship!r}; it must be one "
                             f"of {', '.join(RELATIONSHIPS)}.")
            links.append(Link(standard, target, reason, relationship))
        items.append(FrozenItem(
            id=item_id, type=need(item, "type", str, context, f"the item {item_id}"),
            title=need(item, "title", str, context, f"the item {item_id}"),
            chapter=need(item, "chapter", str, context, f"the item {item_id}"),
            section=need(item, "section", str, context, f"the item {item_id}"),
            statement=need(item, "statement", str, context, f"the item {item_id}"),
            explanation=need(item, "explanation", str, context, f"the item {item_id}"), links=tuple(links),
            optional=need(item, "optional", str, context, f"the item {item_id}") if "optional" in item else "",
            check=need(item, "check", str, context, f"the item {item_id}") if "check" in item else ""))
    recorded = need(top, "digest", str, "", "the edition")
    if recorded != digest(data):
        raise EditionError(where('"digest"'), "the file was changed after it was frozen (its content no longer "
                           "matches its digest). " + RESTORE + " To change a frozen edition on purpose, freeze it "
                           "again: make release EDITION=<id> FORCE=1.")
    return Edition(id=edition_id, title=need(top, "title", str, "", "the edition"), date=date,
                   commit=need(top, "commit", str, "", "the edition"), chapters=tuple(chapters),
                   items=tuple(items), catalogs=tuple(catalogs), params=tuple(params))


ID_KEY = '"id"'


def load_edition(path: Path) -> Edition:
    """The edition in the file ``path`` (``<dir>/<id>/edition.json``). Raises :class:`EditionError` as
    :func:`edition_from_json` does, and when the file's ``id`` is not its directory's name."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise EditionError(f"{path}:{line}", f"not UTF-8 ({error.reason}). {RESTORE}") from None
    edition = edition_from_json(text, str(path))
    if edition.id != path.parent.name:
        raise EditionError(f"{path}:{line_of(text, ID_KEY) or 1}",
                           f"the edition's id {edition.id!r} is not its directory's name {path.parent.name!r}. "
                           "An edition is renamed by moving its directory and setting the same id in the file.")
    return edition


def load_editions(directory: Path) -> list[Edition]:
    """Every frozen edition under ``directory``, oldest first (by date, then ID). A missing directory holds
    none. Raises :class:`EditionError` for a subdirectory without an edition file or with a bad name, and for
    two editions with the same date."""
    if not directory.is_dir():
        return []
    found = []
    for sub in sorted(p for p in directory.iterdir() if p.is_dir()):
        if not ID_PATTERN.match(sub.name):
            raise EditionError(str(sub), "an edition's directory name must be lowercase letters, digits and "
                               "hyphens (e.g. h27-03); rename it.")
        if not (sub / EDITION_FILE).is_file():
            raise EditionError(str(sub), f"holds no {EDITION_FILE}. Freeze the edition with `make release` or "
                               "remove the directory.")
        found.append(load_edition(sub / EDITION_FILE))
    found.sort(key=lambda e: (e.date, e.id))
    for before, after in itertools.pairwise(found):
        if before.date == after.date:
            path = directory / after.id / EDITION_FILE
            line = line_of(path.read_text(encoding="utf-8"), '"date"') or 1
            raise EditionError(f"{path}:{line}", f"has the same date {after.date} as the edition {before.id}; "
                               "editions are ordered by date, so each needs its own. Freeze the later one again "
                               "with its own trace_edition_date in conf.py (make release EDITION=<id> FORCE=1).")
    return found


#: Words an edition directive takes in place of an edition ID; no edition may have one as its ID.
RESERVED_IDS = (CURRENT, "latest", "previous")


def check_release_arguments(edition_id: str, date: str = "") -> None:
    """Refuse an edition ID of the wrong form or a reserved word (:data:`RESERVED_IDS`), and a ``date`` given
    in the wrong form, before anything is built. Raises :class:`EditionError` naming the argument."""
    if not ID_PATTERN.match(edition_id) or edition_id in RESERVED_IDS:
        raise EditionError("EDITION", f"{edition_id!r} is not an edition ID: use lowercase letters, digits and "
                           f"hyphens, e.g. EDITION=h28-08 (not {', '.join(RESERVED_IDS)}, which name editions "
                           "relatively).")
    if date.strip() and not DATE_PATTERN.match(date.strip()):
        raise EditionError("DATE", f"{date!r} is not a date: write the year and month, or the full date, e.g. "
                           "DATE=2016-08 or DATE=2016-08-01.")


def frozen(current: Edition, *, edition_id: str, title: str = "", date: str = "") -> Edition:
    """``current`` (the current sources' edition) as the release ``edition_id``.

    Its title and date are the current sources' (conf.py's ``version`` and ``trace_edition_date``, which every
    page and export names); ``title`` and ``date``, if given, must agree with them. Raises
    :class:`EditionError` for an ID or date of the wrong form, an empty title, or a disagreement."""
    check_release_arguments(edition_id, date)
    for name, given, have, setting in (("TITLE", title.strip(), current.title, "version"),
                                       ("DATE", date.strip(), current.date, "trace_edition_date")):
        if given and given != have:
            raise EditionError(name, f"{given!r} is not the edition the sources name: conf.py's {setting} is "
                               f"{have!r}, and every page and export shows that. Set {setting} in conf.py to "
                               f"{given!r} (and build), or leave {name} out.")
    if not DATE_PATTERN.match(current.date):
        raise EditionError("conf.py", f"trace_edition_date {current.date!r} is not a date: write the year and "
                           "month, or the full date, e.g. trace_edition_date = \"2016-08\".")
    if not current.title.strip():
        raise EditionError("conf.py", "version is empty: set it to the edition's title, e.g. version = "
                           "release = \"平成28年8月版\".")
    return replace(current, id=edition_id)


# -- comparing two editions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """A run of text in one column of the 新旧対照表; ``changed`` marks a passage the other edition does not
    have in this form (underlined in the table)."""

    text: str
    changed: bool = False


def char_diff(old: str, new: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    """The 改正前 (``old``) and 改正後 (``new``) texts as segments, changed passages marked.

    Character by character (difflib, without its junk heuristic), then equal runs of at most
    :data:`MERGE_EQUAL_RUN` characters between two changes are taken into the change, so that a reworded
    phrase is one marked passage, not a scatter of single characters."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    ops = matcher.get_opcodes()
    # (changed, old start, old end, new start, new end)
    merged: list[tuple[bool, int, int, int, int]] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(ops):
        changed = tag != "equal"
        short_gap = not changed and max(i2 - i1, j2 - j1) <= MERGE_EQUAL_RUN and index < len(ops) - 1
        if merged and merged[-1][0] and (changed or short_gap):
            merged[-1] = (True, merged[-1][1], i2, merged[-1][3], j2)
        else:
            merged.append((changed, i1, i2, j1, j2))

    def side(text: str, start: int, end: int) -> tuple[Segment, ...]:
        out: list[Segment] = []
        for changed, *span in merged:
            a, b = span[start], span[end]
            if a == b:
                continue
            if out and out[-1].changed == changed:
                out[-1] = Segment(out[-1].text + text[a:b], changed)
            else:
                out.append(Segment(text[a:b], changed))
        return tuple(out)

    return side(old, 0, 1), side(new, 2, 3)


@dataclass(frozen=True)
class ItemChange:
    """One row of the 新旧対照表: the item in the new and the old edition (``None`` where it was added or
    deleted), what changed (:data:`CHANGE_WORDS` keys, in that order), both texts with the changed passages
    marked, and the links added and removed (``standard:target``)."""

    new: FrozenItem | None
    old: FrozenItem | None
    kinds: tuple[str, ...]
    new_text: tuple[Segment, ...]
    old_text: tuple[Segment, ...]
    links_added: tuple[str, ...] = ()
    links_removed: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return (self.new or self.old).id  # type: ignore[union-attr]  # one of the two is always set

    def words(self) -> str:
        """The kinds of change in Japanese, joined with 「、」."""
        return "、".join(CHANGE_WORDS[k] for k in self.kinds)


@dataclass(frozen=True)
class ChapterChanges:
    """The changed items of one chapter (docname, title), in the new edition's order, deleted items where
    they stood in the old one; ``unchanged``: how many of the chapter's items did not change."""

    docname: str
    title: str
    rows: tuple[ItemChange, ...]
    unchanged: int


@dataclass(frozen=True)
class CoverageChange:
    """One entry of a standard whose coverage changed: the kind (:data:`COVERAGE_WORDS`), the items linking
    to it in the old and the new edition, and its exclusion's justification in each (``""``: none)."""

    standard: str
    entry: FrozenEntry
    kind: str
    old_by: tuple[str, ...]
    new_by: tuple[str, ...]
    old_justification: str = ""
    new_justification: str = ""

    @property
    def group(self) -> str:
        """The entry's top group: the first part of its number (``A.8`` for ISO 2013, ``5`` for ISO 2022
        and NISC)."""
        parts = self.entry.number.split(".")
        return ".".join(parts[:2]) if parts[0] == "A" else parts[0]


@dataclass(frozen=True)
class CatalogChange:
    """One entry of a standard that the new edition's catalog removed, renumbered or retitled
    (:data:`CATALOG_WORDS`): the entry in the old and the new catalog, and the items of each edition that
    link to it (by its old ID)."""

    standard: str
    kind: str
    old: FrozenEntry
    new: FrozenEntry | None
    linked_by: tuple[str, ...]


@dataclass(frozen=True)
class Comparison:
    """What changed from ``old`` to ``new``: the 新旧対照表 per chapter, the 旧番号→新番号 table (old ID ->
    new ID, ``None`` for a deleted item; added items as ``(None, new ID)``), the coverage change and the
    catalog change."""

    old: Edition
    new: Edition
    chapters: tuple[ChapterChanges, ...]
    renumbering: tuple[tuple[str | None, str | None], ...]
    coverage: tuple[CoverageChange, ...]
    catalog: tuple[CatalogChange, ...]

    def rows(self) -> list[ItemChange]:
        return [row for chapter in self.chapters for row in chapter.rows]


def _link_keys(item: FrozenItem | None) -> dict[str, Link]:
    return {f"{link.standard}:{link.target}": link for link in (item.links if item else ())}


def _change(old: FrozenItem | None, new: FrozenItem | None, renumbered: bool = False) -> ItemChange:
    kinds: list[str] = []
    if old is None:
        kinds.append("added")
    elif new is None:
        kinds.append("deleted")
    else:
        if renumbered:
            kinds.append("renumbered")
        if (old.chapter, old.section) != (new.chapter, new.section):
            kinds.append("moved")
        if old.title != new.title:
            kinds.append("title")
        if printed(old.statement) != printed(new.statement):  # marking a {param} or a reference is no new wording
            kinds.append("wording")
        if old.explanation != new.explanation:
            kinds.append("explanation")
    old_links, new_links = _link_keys(old), _link_keys(new)
    added = tuple(k for k in new_links if k not in old_links)
    removed = tuple(k for k in old_links if k not in new_links)
    if old is not None and new is not None and (added or removed or any(
            old_links[k] != new_links[k] for k in new_links if k in old_links)):
        kinds.append("links")
    before, after = old.text() if old else "", new.text() if new else ""
    old_text: tuple[Segment, ...]
    new_text: tuple[Segment, ...]
    if before == after:  # most items of a revision: nothing to diff
        old_text = new_text = (Segment(after),)
    else:
        old_text, new_text = char_diff(before, after)
    return ItemChange(new, old, tuple(kinds), new_text, old_text, added, removed)


def _match_renumbered(old_only: list[FrozenItem], new_only: list[FrozenItem]) -> dict[str, str]:
    """Old ID -> new ID for items whose ID changed, recognised by similar wording (best pairs first)."""
    scored = []
    for old in old_only:
        for new in new_only:
            if old.type != new.type:
                continue
            matcher = difflib.SequenceMatcher(None, old.statement, new.statement, autojunk=False)
            if matcher.real_quick_ratio() >= RENUMBER_SIMILARITY and matcher.quick_ratio() >= RENUMBER_SIMILARITY:
                ratio = matcher.ratio()
                if ratio >= RENUMBER_SIMILARITY:
                    scored.append((-ratio, old.id, new.id))
    pairs: dict[str, str] = {}
    taken: set[str] = set()
    for _, old_id, new_id in sorted(scored):
        if old_id not in pairs and new_id not in taken:
            pairs[old_id] = new_id
            taken.add(new_id)
    return pairs


def compare(old: Edition, new: Edition, renamed: Mapping[str, str] | None = None) -> Comparison:
    """Everything that changed from the edition ``old`` to ``new`` (:class:`Comparison`).

    Items are the same item when they have the same ID; an item of one edition whose ID the other lacks is
    matched to such an item of the same type whose wording is at least :data:`RENUMBER_SIMILARITY` similar
    (renumbered), else it was deleted or added. ``renamed``: old page -> new page for pages renamed between
    the two (a redirect): their items did not move."""
    if renamed:
        old = replace(old, chapters=tuple((renamed.get(d, d), t) for d, t in old.chapters),
                      items=tuple(replace(i, chapter=renamed.get(i.chapter, i.chapter)) for i in old.items))
    old_ids = {i.id for i in old.items}
    new_ids = {i.id for i in new.items}
    renumbered = _match_renumbered([i for i in old.items if i.id not in new_ids],
                                   [i for i in new.items if i.id not in old_ids])
    old_for_new = {i.id: i.id for i in new.items if i.id in old_ids} | {v: k for k, v in renumbered.items()}

    chapters: list[ChapterChanges] = []
    chapter_order = [d for d, _ in new.chapters] + [d for d, _ in old.chapters if d not in dict(new.chapters)]
    for docname in chapter_order:
        # every item of the chapter in the new edition's order (unchanged ones too, to place deleted items by)
        sequence = []
        for item in (i for i in new.items if i.chapter == docname):
            was_id = old_for_new.get(item.id)
            was = old.item(was_id) if was_id else None
            sequence.append(_change(was, item, renumbered=was is not None and was.id != item.id))
        old_in_chapter = [i for i in old.items if i.chapter == docname]
        for index, item in enumerate(old_in_chapter):
            if item.id in new_ids or item.id in renumbered:
                continue
            # a deleted item goes after the item that stood before it in the old edition (or first)
            at = 0
            for before in reversed(old_in_chapter[:index]):
                found = [n for n, row in enumerate(sequence) if row.old is not None and row.old.id == before.id]
                if found:
                    at = found[0] + 1
                    break
            sequence.insert(at, _change(item, None))
        ordered = [row for row in sequence if row.kinds]
        unchanged = len(sequence) - len(ordered)
        if ordered or unchanged:
            title = new.chapter_title(docname) if docname in dict(new.chapters) else old.chapter_title(docname)
            chapters.append(ChapterChanges(docname, title, tuple(ordered), unchanged))

    renumbering: list[tuple[str | None, str | None]] = sorted(renumbered.items())
    renumbering += [(i.id, None) for i in old.items if i.id not in new_ids and i.id not in renumbered]
    renumbering += [(None, i.id) for i in new.items if i.id not in old_ids and i.id not in renumbered.values()]
    return Comparison(old, new, tuple(chapters), tuple(renumbering), tuple(coverage_changes(old, new)),
                      tuple(catalog_changes(old, new)))


def _covering(edition: Edition, standard: str) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for item in edition.items:
        for link in item.links:
            if link.standard == standard and item.id not in found.setdefault(link.target, []):
                found[link.target].append(item.id)
    return {target: tuple(ids) for target, ids in found.items()}


def coverage_changes(old: Edition, new: Edition) -> list[CoverageChange]:
    """Per standard both editions trace (in the new edition's order), each entry of the new catalog whose
    covering items or exclusion changed, in catalog order. An entry the new catalog lacks is a
    :func:`catalog_changes` row, not a coverage change."""
    out = []
    for catalog in new.catalogs:
        before = old.catalog(catalog.standard)
        if before is None:
            continue
        old_by, new_by = _covering(old, catalog.standard), _covering(new, catalog.standard)
        for entry in catalog.entries:
            was, now = old_by.get(entry.id, ()), new_by.get(entry.id, ())
            was_just = before.exclusions.get(entry.number, "")
            now_just = catalog.exclusions.get(entry.number, "")
            if not was and now:
                kind = "newly-addressed"
            elif was and not now:
                kind = "no-longer-addressed"
            elif set(was) != set(now):
                kind = "addressed-by-changed"
            elif was_just != now_just:
                kind = "justification-changed"
            else:
                continue
            out.append(CoverageChange(catalog.standard, entry, kind, was, now, was_just, now_just))
    return out


def catalog_changes(old: Edition, new: Edition) -> list[CatalogChange]:
    """Per standard both editions trace, each entry of the old catalog that the new catalog removed,
    renumbered (another ID, same title, not in the old catalog) or retitled (same ID, another title), with
    the items of either edition that link to its old ID."""
    out = []
    for before in old.catalogs:
        after = new.catalog(before.standard)
        if after is None:
            continue
        before_ids = {e.id for e in before.entries}
        fresh_by_title = {e.title: e for e in after.entries if e.id not in before_ids}
        linking = {**_covering(old, before.standard)}
        for target, ids in _covering(new, before.standard).items():
            linking[target] = tuple(dict.fromkeys((*linking.get(target, ()), *ids)))
        for entry in before.entries:
            now = after.entry(entry.id)
            if now is None:
                moved = fresh_by_title.get(entry.title)
                out.append(CatalogChange(before.standard, "renumbered" if moved else "removed", entry, moved,
                                         linking.get(entry.id, ())))
            elif now.title != entry.title:
                out.append(CatalogChange(before.standard, "retitled", entry, now, linking.get(entry.id, ())))
    return out


@dataclass(frozen=True)
class Departure:
    """A 例文 item that an edition had on a page the current sources no longer have it on: its old ID, the
    edition, and where it is now (its ID and page; ``None`` when it was deleted)."""

    old_id: str
    edition: Edition
    new_id: str | None
    new_chapter: str | None
    title: str = ""


def departures(editions: Sequence[Edition], current: Edition, docname: str) -> list[Departure]:
    """The items the frozen ``editions`` had on the page ``docname`` that ``current`` does not have there under
    the same ID (moved to another page, renumbered, or deleted), each old ID once (the newest edition that had
    it there), in that edition's order. An old URL ``docname.html#<old ID>`` needs an anchor for each."""
    here = {i.id for i in current.items if i.chapter == docname}
    where = {i.id: i.chapter for i in current.items}
    found: dict[str, Departure] = {}
    for edition in reversed(list(editions)):
        renumbered: dict[str, str] | None = None
        for item in edition.items:
            if item.chapter != docname or item.id in here or item.id in found:
                continue
            new_id: str | None = item.id if item.id in where else None
            if new_id is None:
                if renumbered is None:
                    renumbered = {old: new for old, new in compare(edition, current).renumbering if old and new}
                new_id = renumbered.get(item.id)
            found[item.id] = Departure(item.id, edition, new_id, where.get(new_id) if new_id else None, item.title)
    return list(found.values())


def affected_links(changes: Iterable[CatalogChange]) -> list[tuple[str, CatalogChange]]:
    """``(item ID, change)`` for every link the catalog change leaves pointing at a removed, renumbered or
    retitled entry, in the order of the changes."""
    return [(item_id, change) for change in changes for item_id in change.linked_by]


# -- command line: make release ---------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m trace_model.editions freeze``: freeze a build's current edition (``exports/edition.json``)
    as a release under ``traceability/editions/<id>/``. Exit status 0 when written, 1 with a located message
    when refused."""
    parser = argparse.ArgumentParser(prog="make release", description=main.__doc__)
    parser.add_argument("command", choices=["freeze", "check"],
                        help="check: only the ID and date's form (before the build); freeze: write the edition")
    parser.add_argument("--current", type=Path, help="the build's exports/edition.json")
    parser.add_argument("--into", type=Path, help="the editions directory")
    parser.add_argument("--id", required=True)
    parser.add_argument("--title", default="", help="must agree with conf.py's version")
    parser.add_argument("--date", default="", help="must agree with conf.py's trace_edition_date")
    parser.add_argument("--force", action="store_true", help="replace an edition of the same ID")
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            check_release_arguments(args.id, args.date)
            return 0
        if args.current is None or args.into is None:
            parser.error("freeze needs --current and --into")
        if not args.current.is_file():
            raise EditionError(str(args.current), "not found: the build writes it; run `make html` first.")
        current = edition_from_json(args.current.read_text(encoding="utf-8"), str(args.current))
        edition = frozen(current, edition_id=args.id, title=args.title, date=args.date)
        target = args.into / edition.id / EDITION_FILE
        if target.exists() and not args.force:
            raise EditionError(str(target), "this edition is already frozen. Choose another EDITION, or replace "
                               "it with FORCE=1 (its 新旧対照表 then compares against the new text).")
        others = [e for e in load_editions(args.into) if e.id != edition.id]
        for other in others:
            if other.date == edition.date:
                raise EditionError("conf.py", f"trace_edition_date is {edition.date}, the date of the edition "
                                   f"{other.id} ({other.title}); editions are ordered by date. Set this "
                                   "edition's own date in conf.py and build again.")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(edition.to_json(), encoding="utf-8")
    except EditionError as error:
        print(f"make release: {error}", file=sys.stderr)
        return 1
    print(f"{target}: {edition.title}（{edition.date}）, {len(edition.items)} items, "
          f"{sum(len(i.links) for i in edition.items)} links, catalogs "
          + ", ".join(f"{c.label} {c.edition}" for c in edition.catalogs)
          + ". Commit it; the site's 改定履歴 lists it.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
