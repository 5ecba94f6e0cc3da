"""Suspect links: each link from a 例文 item to a standard's entry is stamped, when an editor has reviewed it, with
fingerprints of both ends; a link whose 例文 wording or entry (number and title) no longer matches its stamp is
*suspect* until it is reviewed and stamped again (``make restamp IDS=…``).

The stamps are a YAML file in the sources (``traceability/link-stamps.yaml``), written only by
:func:`restamp`::

    schema: 1
    catalogs: {nisc: 平成26年度版, iso: 2013 (JIS Q 27001:2014), ...}   # the catalog editions stamped against
    stamps:
      STD-3-1-1:
        statement: 3f2a9c1b7d4e            # fingerprint of the 例文's wording when its links were reviewed
        links:
          ISO-A-8-2-1: [5c1d2e3f4a5b, 情報の分類]   # the entry's fingerprint and title when reviewed

What changed is told old → new: an entry's old title is in the stamp; a 例文's old wording is taken from the
frozen edition (:mod:`trace_model.editions`) that holds the stamped wording, if one does.

Pure: PyYAML, no Sphinx.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from trace_model.editions import (
    Edition,
    EditionError,
    FrozenItem,
    Segment,
    char_diff,
    edition_from_json,
    load_editions,
    printed,
    readable,
)

SCHEMA = 1
#: Hex digits kept of a SHA-256 fingerprint (48 bits: a chance collision among a few thousand links is nil).
FINGERPRINT_LENGTH = 12
#: Characters of a changed passage shown in a message before it is cut with 「…」.
SHOWN = 30


def fingerprint(text: str) -> str:
    """The first :data:`FINGERPRINT_LENGTH` hex digits of the SHA-256 of ``text`` (UTF-8)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:FINGERPRINT_LENGTH]


def wording_fingerprint(statement: str) -> str:
    """The fingerprint of a 例文's wording as the guideline prints it (:func:`trace_model.editions.printed`:
    marking a 団体で定める事項 or keeping a reference's target does not change what the links were reviewed
    against)."""
    return fingerprint(printed(statement))


def entry_fingerprint(number: str, title: str) -> str:
    """The fingerprint of a catalog entry: its printed number and title."""
    return fingerprint(f"{number}\n{title}")


@dataclass(frozen=True)
class LinkStamp:
    """A reviewed link's stamp: the entry's fingerprint and its title when reviewed."""

    fingerprint: str
    title: str


@dataclass(frozen=True)
class ItemStamp:
    """The stamps of one 例文 item: its wording's fingerprint and each reviewed link (target ID -> stamp);
    ``line``: where the item's stamp is in the file."""

    statement: str
    links: Mapping[str, LinkStamp]
    line: int = 0


@dataclass(frozen=True)
class Stamps:
    """The stamps file: the catalog editions stamped against (standard -> edition) and each item's stamps."""

    catalogs: Mapping[str, str] = field(default_factory=dict)
    items: Mapping[str, ItemStamp] = field(default_factory=dict)

    def to_yaml(self) -> str:
        """The file's text: items in the order given, a comment saying how it is written."""
        data = {
            "schema": SCHEMA,
            "catalogs": dict(self.catalogs),
            "stamps": {
                item_id: {"statement": stamp.statement,
                          "links": {target: [link.fingerprint, link.title] for target, link in stamp.links.items()}}
                for item_id, stamp in self.items.items()
            },
        }
        head = ("# 対応付けの確認印（make restamp が書く。手で書き換えない）: 例文の文言と、リンク先の規格の項目（番号と名称）の\n"
                "# 指紋。確認した時から変わったリンクは、ビルドが trace.suspect-link として報告する。README「対応付けを確認する」。\n")
        return head + yaml.dump(data, allow_unicode=True, sort_keys=False, width=200, default_flow_style=None)


class StampsError(ValueError):
    """The stamps file cannot be read: ``location`` (``file:line``) and what is wrong, with the fix."""

    def __init__(self, location: str, message: str) -> None:
        super().__init__(f"{location}: {message}")
        self.location = location
        self.message = message


def load_stamps(path: Path) -> Stamps:
    """The stamps in ``path``; an absent file holds none. Raises :class:`StampsError` at the line of a YAML
    error, another schema version, or a stamp of the wrong shape."""
    if not path.is_file():
        return Stamps()
    fix = ("Restore the file from git (git checkout -- <file>); or, after reviewing every link, write it afresh with "
           "`make restamp IDS=all`, which does not read the damaged file.")
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else 1
        raise StampsError(f"{path}:{line}", f"not valid YAML ({error.problem}). {fix}") from None
    except UnicodeDecodeError as error:
        raise StampsError(f"{path}:1", f"not UTF-8 ({error.reason}). {fix}") from None
    if root is None:
        return Stamps()

    def at(node: yaml.Node) -> str:
        return f"{path}:{node.start_mark.line + 1}"

    def mapping(node: yaml.Node, what: str) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise StampsError(at(node), f"{what} must be a mapping. {fix}")
        found: dict[str, yaml.Node] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise StampsError(at(key), f"a key in {what} must be a plain name. {fix}")
            if key.value in found:
                raise StampsError(at(key), f"{key.value!r} is written twice in {what}. {fix}")
            found[str(key.value)] = value
        return found

    def text(node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise StampsError(at(node), f"{what} must be a single value. {fix}")
        return str(node.value)

    top = mapping(root, "the file")
    for name, node in top.items():
        if name not in ("schema", "catalogs", "stamps"):
            raise StampsError(at(node), f"{name!r} is not a key of the stamps file (schema, catalogs, stamps). {fix}")
    schema = top.get("schema")
    if schema is None or text(schema, "schema") != str(SCHEMA):
        raise StampsError(at(schema or root), f"schema must be {SCHEMA}. {fix}")
    catalogs = {k: text(v, f"catalogs.{k}") for k, v in mapping(top["catalogs"], "catalogs").items()} \
        if "catalogs" in top else {}
    items = {}
    for item_id, node in (mapping(top["stamps"], "stamps").items() if "stamps" in top else ()):
        body = mapping(node, item_id)
        for name, value in body.items():
            if name not in ("statement", "links"):
                raise StampsError(at(value), f"{name!r} is not a key of a stamp (statement, links). {fix}")
        if "statement" not in body:
            raise StampsError(at(node), f"the stamp of {item_id} has no statement fingerprint. {fix}")
        links = {}
        for target, value in (mapping(body["links"], f"{item_id}.links").items() if "links" in body else ()):
            if not isinstance(value, yaml.SequenceNode) or len(value.value) != 2:
                raise StampsError(at(value), f"the stamp of {item_id} → {target} must be [fingerprint, title]. {fix}")
            links[target] = LinkStamp(text(value.value[0], "a fingerprint"), text(value.value[1], "a title"))
        items[item_id] = ItemStamp(text(body["statement"], f"{item_id}.statement"), links, node.start_mark.line + 1)
    return Stamps(catalogs, items)


@dataclass(frozen=True)
class Suspect:
    """One suspect link: the item and the entry it links to (standard key, target ID), and why: ``unstamped``
    (never reviewed), ``statement`` (the 例文's wording changed) or ``entry`` (the entry's number or title
    changed); ``old`` and ``new``: what changed, as short text (the wording's changed passages, or the
    titles)."""

    item: str
    standard: str
    target: str
    reason: str
    old: str = ""
    new: str = ""

    def message(self) -> str:
        """The warning's text, with the fix."""
        link = f"{self.item} → {self.target}"
        fix = f"Review the link and its reason, then run `make restamp IDS={self.item}`."
        if self.reason == "unstamped":
            return f"{link}: the link has not been reviewed (no stamp in the link stamps). {fix}"
        if self.reason == "renumbered":
            return (f"{link}: {self.target} is not in the catalog, and the entry the link was reviewed against, "
                    f"「{self.old}」, is there as {self.new}. If the link means that entry, link {self.new} (and "
                    f"check its reason), then run `make restamp IDS={self.item}`.")
        if self.reason == "statement":
            change = f" ({self.old} → {self.new})" if self.old or self.new else ""
            return (f"{link}: the link is suspect: the wording of {self.item} changed since the link was reviewed"
                    f"{change}. {fix}")
        return (f"{link}: the link is suspect: {self.target} changed in its catalog since the link was reviewed "
                f"(「{self.old}」 → 「{self.new}」). Check that the link still means the same entry. {fix}")


def _cut(text: str) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= SHOWN else text[:SHOWN] + "…"


def _passages(segments: Sequence[Segment]) -> str:
    return "、".join(f"「{_cut(s.text)}」" for s in segments if s.changed) or "（なし）"


def stamped_wording(item_id: str, stamp: str, editions: Iterable[Edition]) -> str | None:
    """The wording of ``item_id`` whose fingerprint is ``stamp``, from the newest frozen edition that holds it."""
    for edition in reversed(list(editions)):
        found = edition.item(item_id)
        if found is not None and wording_fingerprint(found.statement) == stamp:
            return found.statement
    return None


def suspect_links(current: Edition, stamps: Stamps, editions: Sequence[Edition] = ()) -> list[Suspect]:
    """Every link of ``current`` (the current sources) that is unstamped or whose ends changed since stamped,
    in item order, then link order. A link to an entry the catalogs lack is a dangling link (reported as such);
    it is listed here only when the entry it was reviewed against is in the catalog under another ID
    (``renumbered``). ``editions``: the frozen editions, where a stamped wording is looked up to say what
    changed."""
    entries = {(c.standard, e.id): e for c in current.catalogs for e in c.entries}
    titled: dict[tuple[str, str], list[str]] = {}
    for catalog in current.catalogs:
        for row in catalog.entries:
            titled.setdefault((catalog.standard, row.title), []).append(row.id)
    found = []
    for item in current.items:
        stamp = stamps.items.get(item.id)
        wording_changed = stamp is not None and wording_fingerprint(item.statement) != stamp.statement
        old_wording = stamped_wording(item.id, stamp.statement, editions) if wording_changed and stamp else None
        for link in item.links:
            entry = entries.get((link.standard, link.target))
            link_stamp = stamp.links.get(link.target) if stamp else None
            if entry is None:
                # a dangling link (trace.dangling-link); if the entry it was reviewed against is in the catalog
                # under another number, say which (the dangling link's guess goes by the ID's spelling)
                same = titled.get((link.standard, link_stamp.title), []) if link_stamp else []
                if link_stamp is not None and len(same) == 1:
                    found.append(Suspect(item.id, link.standard, link.target, "renumbered", link_stamp.title,
                                         same[0]))
                continue
            if link_stamp is None:
                found.append(Suspect(item.id, link.standard, link.target, "unstamped"))
                continue
            if wording_changed:
                if old_wording is not None:
                    old, new = char_diff(readable(old_wording), readable(item.statement))
                    found.append(Suspect(item.id, link.standard, link.target, "statement", _passages(old),
                                         _passages(new)))
                else:
                    found.append(Suspect(item.id, link.standard, link.target, "statement"))
                continue
            if entry_fingerprint(entry.number, entry.title) != link_stamp.fingerprint:
                found.append(Suspect(item.id, link.standard, link.target, "entry", link_stamp.title,
                                     f"{entry.title}"))
    return found


def _stamp_of(item: FrozenItem, entries: Mapping[tuple[str, str], Any]) -> ItemStamp:
    links = {}
    for link in item.links:
        entry = entries.get((link.standard, link.target))
        if entry is not None:
            links[link.target] = LinkStamp(entry_fingerprint(entry.number, entry.title), entry.title)
    return ItemStamp(wording_fingerprint(item.statement), links)


def restamp(current: Edition, stamps: Stamps, ids: Iterable[str]) -> tuple[Stamps, list[str]]:
    """``stamps`` with the items ``ids`` (``all``: every item) stamped afresh from ``current``; stamps of
    items the sources no longer hold are dropped. Returns the new stamps and the IDs stamped, in item order.
    Raises :class:`StampsError` naming an ID that is not a 例文 item of the sources, with the nearest one."""
    wanted = set(ids)
    known = [i.id for i in current.items]
    if "all" not in wanted:
        from trace_model.model import nearest

        unknown = sorted(wanted - set(known))
        if unknown:
            words = []
            for item_id in unknown:
                guess = nearest(item_id, known)
                words.append(f"{item_id!r}" + (f" (did you mean {guess!r}?)" if guess else ""))
            raise StampsError("IDS", f"not 例文 items of the sources: {', '.join(words)}. Nothing was written.")
    entries = {(c.standard, e.id): e for c in current.catalogs for e in c.entries}
    items: dict[str, ItemStamp] = {}
    stamped = []
    for item in current.items:
        if "all" in wanted or item.id in wanted:
            items[item.id] = _stamp_of(item, entries)
            stamped.append(item.id)
        elif item.id in stamps.items:
            items[item.id] = stamps.items[item.id]
    catalogs = {c.standard: c.edition for c in current.catalogs}
    return Stamps(catalogs, items), stamped


def main(argv: Sequence[str] | None = None) -> int:
    """``make restamp IDS=…``: stamp the links of the given 例文 items (comma-separated, or ``all``) as reviewed,
    from a build's ``exports/edition.json``. Exit status 0 when written, 1 with a located message."""
    parser = argparse.ArgumentParser(prog="make restamp", description=main.__doc__)
    parser.add_argument("--current", type=Path, required=True)
    parser.add_argument("--stamps", type=Path, required=True)
    parser.add_argument("--editions", type=Path, required=True)
    parser.add_argument("--ids", required=True)
    args = parser.parse_args(argv)
    ids = [i for i in re.split(r"[,、，\s]+", args.ids) if i]
    try:
        if not ids:
            raise StampsError("IDS", "name the 例文 items whose links you reviewed, e.g. IDS=STD-3-1-1,STD-3-1-2 "
                              "(or IDS=all).")
        if not args.current.is_file():
            raise StampsError(str(args.current), "not found: the build writes it.")
        current = edition_from_json(args.current.read_text(encoding="utf-8"), str(args.current))
        try:
            before = load_stamps(args.stamps)
        except StampsError:
            if "all" not in ids:
                raise
            before = Stamps()  # every link is stamped afresh: the damaged file is not needed
        stamps, stamped = restamp(current, before, ids)
        suspects_before = suspect_links(current, before, load_editions(args.editions))
    except (StampsError, EditionError) as error:
        print(f"make restamp: {error}", file=sys.stderr)
        return 1
    args.stamps.write_text(stamps.to_yaml(), encoding="utf-8")
    cleared = [s for s in suspects_before if s.item in set(stamped)]
    left = len(suspect_links(current, stamps)) if stamps.items else 0
    print(f"{args.stamps}: stamped the links of {len(stamped)} 例文 item(s) as reviewed; "
          f"{len(cleared)} suspect link(s) cleared, {left} left.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
