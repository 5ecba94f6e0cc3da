"""A municipal profile: how one municipality makes the guideline's 例文 its own 基本方針 and 対策基準.

The profile is a YAML file a municipal officer writes (``profiles/<name>.yaml``; the README's municipal
officer's guide and ``profiles/example-town.yaml`` show every key)::

    版: h27-03                       # the frozen edition it adopts (traceability/editions/<id>/)
    団体:
      名称: 架空町
      区分: 町村                     # 都道府県 / 市 / 特別区 / 町村 / 一部事務組合等
      自称: 本町                     # replaces the 例文's 「本団体」
    基本方針:
      題名: 架空町情報セキュリティ基本方針
    対策基準:
      題名: 架空町情報セキュリティ対策基準
    施行日: 2026-04-01
    団体で定める事項:                # every {param} of an adopted 例文: key -> the municipality's words
      ciso-post: 副町長
    採用する選択項目: [STD-2-1-2]      # 選択項目 (optional 例文) it adopts
    採用しない例文:                  # every 選択項目 it does not adopt, and any other 例文 it leaves out
      STD-8-3-1: 理由
    改める例文:                      # its own wording of a 例文, with the reason
      STD-5-2-1: {文言: "…", 理由: "…"}
    加える例文:                      # its own additions, each after a 例文 or another addition
      - {ID: KAKU-1, 後: STD-6-1-2, 見出し: "…", 文言: "…", 理由: "…", 自己点検: "…？"}

:func:`read_profile` checks the whole file against an :class:`~trace_model.editions.Edition` and reports
every problem at once, each at its line with the fix (:class:`ProfileError`). Pure Python: no Sphinx import.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from trace_model.editions import REF_ROLE, Edition, referenced_items
from trace_model.params import suggest, uses

#: The kinds of local public body (地方自治法 第1条の3) a profile may name.
KINDS = ("都道府県", "市", "特別区", "町村", "一部事務組合", "広域連合")
#: The top-level keys, in the order the README documents them.
TOP_KEYS = ("版", "団体", "基本方針", "対策基準", "施行日", "団体で定める事項", "採用する選択項目", "採用しない例文",
            "改める例文", "加える例文")
REQUIRED_TOP = ("版", "団体", "基本方針", "対策基準", "施行日", "団体で定める事項")
BODY_KEYS = ("名称", "区分", "自称")
DOCUMENT_KEYS = ("題名",)
REWORD_KEYS = ("文言", "理由", "見出し")
ADDITION_KEYS = ("ID", "後", "見出し", "文言", "理由", "自己点検")
#: An addition's ID: like a guideline ID (uppercase words joined by hyphens), its own prefix.
ADDITION_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")
#: The 例文's word for the organisation, replaced by the profile's 自称.
SELF_WORD = "本団体"


@dataclass(frozen=True)
class Problem:
    """One problem in a profile: ``line`` (1-based; 0 when the file as a whole) and the message with its fix."""

    line: int
    message: str


class ProfileError(ValueError):
    """A profile that cannot be used: every problem found, each ``path:line: message``."""

    def __init__(self, path: str, problems: Iterable[Problem]) -> None:
        self.path = path
        self.problems = sorted(problems, key=lambda p: p.line)
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [f"{self.path}:{p.line or 1}: {p.message}" for p in self.problems]


@dataclass(frozen=True)
class Rewording:
    """A 例文 the municipality words its own way: the new ``wording`` (MyST, like a 例文's), the ``reason``,
    an optional new ``title``, and the profile ``line``."""

    wording: str
    reason: str
    title: str = ""
    line: int = 0


@dataclass(frozen=True)
class Addition:
    """A municipality's own item: ``id``, placed ``after`` a 例文 (or an earlier addition), its ``title``,
    ``wording``, ``reason``, and ``check`` (its 自己点検 question; required after a 対策基準 item)."""

    id: str
    after: str
    title: str
    wording: str
    reason: str
    check: str = ""
    line: int = 0


@dataclass(frozen=True)
class Profile:
    """A checked municipal profile (see the module docstring for the file)."""

    path: str
    edition: str
    name: str
    kind: str
    self_word: str
    policy_title: str
    standards_title: str
    effective: dt.date
    values: dict[str, str]
    adopted_optional: tuple[str, ...]
    omitted: dict[str, str]
    reworded: dict[str, Rewording]
    additions: tuple[Addition, ...]
    lines: dict[str, int] = field(default_factory=dict)

    def line(self, key: str) -> int:
        """The profile line of ``key`` (a top-level key, ``団体で定める事項.<param>``, ``採用しない例文.<ID>`` …)."""
        return self.lines.get(key, 0)


def _syntax_error(path: str, error: yaml.YAMLError) -> ProfileError:
    mark = getattr(error, "problem_mark", None)
    return ProfileError(path, [Problem(mark.line + 1 if mark else 0, f"not valid YAML ({getattr(error, 'problem', error)})."
                                       " Check the indentation, and put text that holds 「: 」 or starts with a symbol "
                                       "in quotes.")])


def _scalar(node: yaml.Node) -> str | None:
    if isinstance(node, yaml.ScalarNode):
        return str(node.value).strip()
    return None


class _Reader:
    """Walks the YAML node tree, collecting problems instead of stopping at the first."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.lines: dict[str, int] = {}

    def fail(self, node: yaml.Node | None, message: str) -> None:
        self.problems.append(Problem(node.start_mark.line + 1 if node is not None else 0, message))

    def mapping(self, node: yaml.Node, what: str, allowed: tuple[str, ...] | None = None,
                prefix: str = "") -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """Key -> (key node, value node) of a mapping node; unknown keys (when ``allowed``) and duplicates are
        problems."""
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what} must be a mapping (key: value lines, indented under it).")
            return {}
        found: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value in node.value:
            key = str(key_node.value).strip()
            if key in found:
                self.fail(key_node, f"{what} has {key!r} twice (also at line {found[key][0].start_mark.line + 1}). "
                          "Keep one.")
                continue
            if allowed is not None and key not in allowed:
                self.fail(key_node, f"{key!r} is not a key of {what} ({'、'.join(allowed)})." + suggest(key, allowed))
                continue
            found[key] = (key_node, value)
            self.lines[f"{prefix}{key}"] = key_node.start_mark.line + 1
        return found

    def text(self, entry: tuple[yaml.Node, yaml.Node] | None, what: str, required: bool = True) -> str:
        if entry is None:
            return ""
        value = _scalar(entry[1])
        if value is None:
            self.fail(entry[1], f"{what} must be text, not a list or mapping.")
            return ""
        if required and not value:
            self.fail(entry[0], f"{what} is empty. Write it.")
        return value


def _parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def read_profile(text: str, path: str, edition: Edition) -> Profile:
    """The profile in ``text`` (the file ``path``, for messages), checked against ``edition`` (the frozen
    edition its ``版`` names; see :func:`edition_id_of`).

    Raises :class:`ProfileError` with every problem found: YAML syntax; unknown keys (did-you-mean); missing
    keys; a 区分 not in :data:`KINDS`; a 施行日 that is not a date; a 団体で定める事項 key the edition does
    not have, or one an adopted 例文 uses that is given no value (with its label, the items using it and the
    registry's guidance); a 選択項目 decided twice or not at all; an ID the edition does not have; a 例文 both
    left out and reworded; a rewording or addition without its reason; an addition whose ID clashes or whose
    place (``後``) is unknown or left out; an addition among the 対策基準 without its 自己点検 question; an
    adopted 例文 that refers to one left out (reword it); a 「本団体」 or an unfilled ``{param}`` left in
    the municipality's own wording."""
    reader = _Reader(path)
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as error:
        raise _syntax_error(path, error) from None
    if root is None:
        raise ProfileError(path, [Problem(0, "the profile is empty. Start from profiles/example-town.yaml.")])
    top = reader.mapping(root, "the profile", TOP_KEYS)
    for key in REQUIRED_TOP:
        if key not in top and not any(p.message.startswith(f"{key!r}") for p in reader.problems):
            reader.fail(root, f"the profile has no {key!r}. Add it (see profiles/example-town.yaml).")
    items = {i.id: i for i in edition.items}

    def known_item(node: yaml.Node, item_id: str, what: str) -> bool:
        if item_id in items:
            return True
        reader.fail(node, f"{what} names {item_id!r}, which the edition {edition.id} does not have."
                    + suggest(item_id, items))
        return False

    edition_id = reader.text(top.get("版"), "版")
    if edition_id and edition_id != edition.id:
        reader.fail(top["版"][1], f"版 is {edition_id!r}, but the edition read is {edition.id!r}.")
    body = reader.mapping(top["団体"][1], "団体", BODY_KEYS, "団体.") if "団体" in top else {}
    for key in BODY_KEYS:
        if "団体" in top and key not in body:
            reader.fail(top["団体"][0], f"団体 has no {key!r}. Add `{key}: …` under 団体.")
    name = reader.text(body.get("名称"), "団体.名称")
    kind = reader.text(body.get("区分"), "団体.区分")
    if kind and kind not in KINDS:
        reader.fail(body["区分"][1], f"団体.区分 {kind!r} is not one of {'、'.join(KINDS)}." + suggest(kind, KINDS))
    self_word = reader.text(body.get("自称"), "団体.自称")
    titles = {}
    for document in ("基本方針", "対策基準"):
        spec = reader.mapping(top[document][1], document, DOCUMENT_KEYS, f"{document}.") if document in top else {}
        if document in top and "題名" not in spec:
            reader.fail(top[document][0], f"{document} has no 題名. Add `題名: {name or '○○町'}情報セキュリティ{document}`.")
        titles[document] = reader.text(spec.get("題名"), f"{document}.題名")
    effective = dt.date(1, 1, 1)
    if "施行日" in top:
        raw = top["施行日"][1]
        date_text = _scalar(raw) or ""
        parsed = _parse_date(date_text)
        if parsed is None:
            reader.fail(raw, f"施行日 {date_text!r} is not a date. Write it as 2026-04-01.")
        else:
            effective = parsed

    # 選択項目 and the 例文 left out
    optional_ids = [i.id for i in edition.items if i.optional]
    adopted: list[str] = []
    if "採用する選択項目" in top:
        node = top["採用する選択項目"][1]
        if not isinstance(node, yaml.SequenceNode):
            reader.fail(node, "採用する選択項目 must be a list of IDs: [STD-2-1-2, STD-8-1-11].")
        else:
            for entry in node.value:
                item_id = _scalar(entry) or ""
                if not known_item(entry, item_id, "採用する選択項目"):
                    continue
                if not items[item_id].optional:
                    reader.fail(entry, f"{item_id} is not a 選択項目 (every municipality adopts it): remove it from "
                                "採用する選択項目.")
                elif item_id in adopted:
                    reader.fail(entry, f"{item_id} is listed twice in 採用する選択項目. Keep one.")
                else:
                    adopted.append(item_id)
                    reader.lines[f"採用する選択項目.{item_id}"] = entry.start_mark.line + 1
    omitted: dict[str, str] = {}
    if "採用しない例文" in top:
        for item_id, (key_node, value) in reader.mapping(top["採用しない例文"][1], "採用しない例文",
                                                         prefix="採用しない例文.").items():
            if not known_item(key_node, item_id, "採用しない例文"):
                continue
            reason = reader.text((key_node, value), f"the reason for leaving out {item_id}")
            if item_id in adopted:
                reader.fail(key_node, f"{item_id} is both in 採用する選択項目 and 採用しない例文. Decide: keep it in one.")
            omitted[item_id] = reason
    for item_id in optional_ids:
        if item_id not in adopted and item_id not in omitted:
            reader.fail(top["採用する選択項目"][0] if "採用する選択項目" in top else root,
                        f"the 選択項目 {item_id}（{items[item_id].title}）is decided neither way. It is for "
                        f"「{items[item_id].optional}」: add it to 採用する選択項目, or to 採用しない例文 with the reason.")

    # rewordings
    reworded: dict[str, Rewording] = {}
    if "改める例文" in top:
        for item_id, (key_node, value) in reader.mapping(top["改める例文"][1], "改める例文",
                                                         prefix="改める例文.").items():
            if not known_item(key_node, item_id, "改める例文"):
                continue
            spec = reader.mapping(value, f"改める例文.{item_id}", REWORD_KEYS)
            for key in ("文言", "理由"):
                if key not in spec:
                    reader.fail(key_node, f"改める例文.{item_id} has no {key}. Add `{key}: …`.")
            if item_id in omitted:
                reader.fail(key_node, f"{item_id} is both left out (採用しない例文) and reworded. Keep one.")
            reworded[item_id] = Rewording(reader.text(spec.get("文言"), f"改める例文.{item_id}.文言"),
                                          reader.text(spec.get("理由"), f"改める例文.{item_id}.理由"),
                                          reader.text(spec.get("見出し"), f"改める例文.{item_id}.見出し", required=False),
                                          key_node.start_mark.line + 1)

    # additions
    additions: list[Addition] = []
    if "加える例文" in top:
        node = top["加える例文"][1]
        if not isinstance(node, yaml.SequenceNode):
            reader.fail(node, "加える例文 must be a list; start each addition with `- ID: …`.")
        else:
            placed = set(items)
            for entry in node.value:
                spec = reader.mapping(entry, "an addition (加える例文)", ADDITION_KEYS)
                line = entry.start_mark.line + 1
                for key in ("ID", "後", "見出し", "文言", "理由"):
                    if key not in spec and isinstance(entry, yaml.MappingNode):
                        reader.fail(entry, f"an addition (加える例文) has no {key}. Add `{key}: …`.")
                texts = {k: reader.text(spec.get(k), f"加える例文.{k}", required=k != "自己点検") for k in ADDITION_KEYS}
                addition = Addition(id=texts["ID"], after=texts["後"], title=texts["見出し"], wording=texts["文言"],
                                    reason=texts["理由"], check=texts["自己点検"], line=line)
                if addition.id:
                    if addition.id in placed:
                        reader.fail(spec["ID"][1], f"the addition's ID {addition.id} is already taken (a 例文 or an "
                                    "earlier addition). Give it an ID of its own, e.g. with your body's prefix.")
                    elif not ADDITION_ID.match(addition.id):
                        reader.fail(spec["ID"][1], f"the addition's ID {addition.id!r} must be uppercase letters and "
                                    "digits joined by hyphens, e.g. KAKU-1.")
                if addition.after and addition.after not in placed:
                    reader.fail(spec["後"][1], f"後 names {addition.after!r}, which is neither a 例文 of {edition.id} "
                                "nor an earlier addition." + suggest(addition.after, sorted(placed)))
                elif addition.after in omitted:
                    reader.fail(spec["後"][1], f"後 names {addition.after}, which this profile leaves out. Place the "
                                "addition after a 例文 that is kept.")
                if addition.id:
                    placed.add(addition.id)
                additions.append(addition)
                reader.lines[f"加える例文.{addition.id}"] = line

    # 団体で定める事項
    registry = {p.key: p for p in edition.params}
    values: dict[str, str] = {}
    value_nodes: dict[str, yaml.Node] = {}
    if "団体で定める事項" in top:
        for key, (key_node, value) in reader.mapping(top["団体で定める事項"][1], "団体で定める事項",
                                                     prefix="団体で定める事項.").items():
            if key not in registry:
                reader.fail(key_node, f"団体で定める事項 has {key!r}, which no 例文 of {edition.id} marks."
                            + suggest(key, registry))
                continue
            values[key] = reader.text((key_node, value), f"団体で定める事項.{key}")
            value_nodes[key] = key_node
    kept = [i for i in edition.items if i.id not in omitted and (not i.optional or i.id in adopted)]
    needed: dict[str, list[str]] = {}
    for item in kept:
        if item.id in reworded:
            continue
        for use in uses(item.statement):
            needed.setdefault(use.key, []).append(item.id)
    for key, item_ids in needed.items():
        if key not in values and "団体で定める事項" in top:
            param = registry.get(key)
            label = param.label if param else key
            guidance = f" {param.guidance}" if param and param.guidance else ""
            reader.fail(top["団体で定める事項"][0], f"団体で定める事項 has no value for {key}（{label}）, which "
                        f"{'、'.join(dict.fromkeys(item_ids))} use(s). Add `{key}: …`.{guidance} The 例文's own "
                        f"words are 「{next(u.default for u in uses(items[item_ids[0]].statement) if u.key == key)}」.")

    # the municipality's own wording: no 「本団体」, no {param}
    own = [(f"改める例文.{i}", r.wording, r.line) for i, r in reworded.items()]
    own += [(f"加える例文.{a.id}", a.wording, a.line) for a in additions]
    own += [(f"団体で定める事項.{k}", v, reader.lines.get(f"団体で定める事項.{k}", 0)) for k, v in values.items()]
    for what, wording, line in own:
        if uses(wording):
            reader.problems.append(Problem(line, f"{what} has a {{param}}: write the municipality's own words "
                                           "there (団体で定める事項 fill the guideline's 例文 only)."))
        if SELF_WORD in wording and self_word and self_word != SELF_WORD:
            reader.problems.append(Problem(line, f"{what} says 「{SELF_WORD}」: write 「{self_word}」 (団体.自称)."))

    # an adopted 例文 that refers to one left out
    left_out = set(omitted) | {i for i in optional_ids if i not in adopted}
    for item in kept:
        wording = reworded[item.id].wording if item.id in reworded else item.statement
        for match in REF_ROLE.finditer(wording):
            targets = referenced_items(match.group(2), edition.items)
            if targets and all(t in left_out for t in targets):
                line = reworded[item.id].line if item.id in reworded else reader.lines.get(f"採用しない例文.{targets[0]}", 0)
                reader.problems.append(Problem(line, f"{item.id}（{item.title}）refers to {match.group(1)}, all of "
                                               f"whose 例文 ({'、'.join(targets)}) this profile leaves out. Reword "
                                               f"{item.id} (改める例文) without the reference, or adopt one of them."))
        for target in re.findall(r"\b(?:STD|POL)-\d+(?:-\d+)*\b", wording):
            if target in left_out:
                line = reworded[item.id].line if item.id in reworded else reader.lines.get(f"採用しない例文.{target}", 0)
                reader.problems.append(Problem(line, f"{item.id}（{item.title}）refers to {target}, which this "
                                               f"profile leaves out. Reword {item.id} (改める例文) without the "
                                               f"reference, or adopt {target}."))
    for addition in additions:
        if addition.after and not addition.check and _in_standards(edition, addition.after, additions):
            reader.problems.append(Problem(addition.line, f"the addition {addition.id} is among the 対策基準 and "
                                           "has no 自己点検 question. Add `自己点検: …ますか。` (it becomes a row of "
                                           "the 自己点検 workbook)."))
    if reader.problems:
        raise ProfileError(path, reader.problems)
    return Profile(path=path, edition=edition.id, name=name, kind=kind, self_word=self_word,
                   policy_title=titles["基本方針"], standards_title=titles["対策基準"], effective=effective,
                   values=values, adopted_optional=tuple(adopted), omitted=omitted, reworded=reworded,
                   additions=tuple(additions), lines=reader.lines)


def _in_standards(edition: Edition, after: str, additions: Iterable[Addition]) -> bool:
    by_id = {a.id: a for a in additions}
    while after in by_id:
        after = by_id[after].after
    item = edition.item(after)
    return item is not None and item.type == "measure"


def edition_id_of(text: str, path: str) -> str:
    """The ``版`` of a profile, read before the edition is (so the right one can be loaded). Raises
    :class:`ProfileError` when the file is not YAML or has no ``版``."""
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise _syntax_error(path, error) from None
    if not isinstance(data, dict) or not str(data.get("版") or "").strip():
        raise ProfileError(path, [Problem(0, "the profile has no 版: name the edition it adopts, e.g. "
                                  "`版: h27-03` (the folders of traceability/editions/).")])
    return str(data["版"]).strip()


def load_profile(path: Path, editions_dir: Path) -> tuple[Profile, Edition]:
    """The profile at ``path`` and the frozen edition it names (from ``editions_dir``). Raises
    :class:`ProfileError` (also for a file that cannot be read, is not UTF-8, or names no frozen edition) and
    :class:`~trace_model.editions.EditionError` for a damaged edition file."""
    from trace_model.editions import EDITION_FILE, load_edition

    shown = str(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise ProfileError(shown, [Problem(0, f"cannot read the profile ({error.strerror}).")]) from None
    except UnicodeDecodeError:
        raise ProfileError(shown, [Problem(0, "the profile is not UTF-8. Save it as UTF-8.")]) from None
    edition_id = edition_id_of(text, shown)
    edition_file = editions_dir / edition_id / EDITION_FILE
    if not edition_file.is_file():
        known = sorted(p.name for p in editions_dir.iterdir() if (p / EDITION_FILE).is_file()) if editions_dir.is_dir() else []
        line = next((n for n, row in enumerate(text.split("\n"), 1) if row.startswith("版")), 0)
        raise ProfileError(shown, [Problem(line, f"版 {edition_id!r} is not a frozen edition (those are: "
                                   f"{'、'.join(known) or 'none'})." + suggest(edition_id, known))])
    edition = load_edition(edition_file)
    return read_profile(text, shown, edition), edition
