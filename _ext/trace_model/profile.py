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
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from trace_model.editions import REF_ROLE, Edition, FrozenItem, referenced_items
from trace_model.params import suggest, uses

#: The kinds of local public body (地方自治法 第1条の3) a profile may name.
KINDS = ("都道府県", "市", "特別区", "町村", "一部事務組合", "広域連合")
#: The top-level keys, in the order the README documents them.
TOP_KEYS = ("版", "団体", "基本方針", "対策基準", "施行日", "団体で定める事項", "採用する選択項目", "採用しない例文",
            "改める例文", "加える例文")
REQUIRED_TOP = ("版", "団体", "基本方針", "対策基準", "施行日", "団体で定める事項")
BODY_KEYS = ("名称", "区分", "自称")
DOCUMENT_KEYS = ("題名",)
REWORD_KEYS = ("文言", "理由", "見出し", "自己点検")
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
    an optional new ``title`` and ``check`` (its 自己点検 question, when the 例文's no longer fits), and the
    profile ``line``."""

    wording: str
    reason: str
    title: str = ""
    line: int = 0
    #: its own 自己点検 question (else the 例文's)
    check: str = ""


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

    def adopts(self, item: FrozenItem) -> bool:
        """Whether the municipality adopts the 例文 ``item`` (as it is or reworded)."""
        return _adopts(item, self.omitted, self.adopted_optional)

    def line(self, key: str) -> int:
        """The profile line of ``key`` (a top-level key, ``団体で定める事項.<param>``, ``採用しない例文.<ID>`` …)."""
        return self.lines.get(key, 0)


def yaml_problem(error: yaml.YAMLError, text: str) -> tuple[int, str]:
    """The line (1-based; 0 if unknown) and the plain Japanese words for a YAML syntax error in ``text``: where a
    quote or bracket was opened (not the end of the file, where PyYAML notices it), a full-width colon named, a
    control character located by its line."""
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context_mark", None)
    mark = getattr(error, "problem_mark", None)
    if context is not None and "end of stream" in str(problem):
        line = context.line + 1
        return line, f"{line} 行目で始まった引用符又は括弧が閉じていません。閉じてください。"
    if mark is None and hasattr(error, "position"):  # a character YAML cannot hold (a control character)
        line = text.count("\n", 0, int(getattr(error, "position", 0))) + 1
        return line, f"この行に YAML で書けない文字（制御文字 {getattr(error, 'character', '')!r}）があります。消してください。"
    line = mark.line + 1 if mark is not None else 0
    lines = text.split("\n")
    first = context.line + 1 if context is not None else max(1, line - 1)  # PyYAML notices it a line or two later
    colon = next((n for n in range(first, line + 1) if 0 < n <= len(lines) and "：" in lines[n - 1]), None)
    if colon is not None:
        return colon, "全角の「：」はキーと値の区切りになりません。半角のコロンと空白「: 」にしてください。"
    return line, (f"YAML として読めません（{problem}）。字下げ（半角空白。タブは使えません）を確かめ、「: 」を含む文や"
                  "記号で始まる文は \"…\" で囲んでください。")


def _adopts(item: FrozenItem, omitted: Mapping[str, str], adopted: Collection[str]) -> bool:
    """A 例文 is adopted unless left out (採用しない例文), or a 選択項目 not in 採用する選択項目."""
    return item.id not in omitted and (not item.optional or item.id in adopted)


def _syntax_error(path: str, error: yaml.YAMLError, text: str = "") -> ProfileError:
    line, message = yaml_problem(error, text)
    return ProfileError(path, [Problem(line, message)])


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
            self.fail(node, f"{what}は「キー: 値」の行を、その下に字下げして並べて書きます。")
            return {}
        found: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value in node.value:
            key = str(key_node.value).strip()
            if key in found:
                self.fail(key_node, f"{what}に「{key}」が二度あります（{found[key][0].start_mark.line + 1} 行目にも）。"
                          "一つにしてください。")
                continue
            if allowed is not None and key not in allowed:
                self.fail(key_node, f"「{key}」は{what}のキーではありません（書けるキー: {'、'.join(allowed)}）。"
                          + suggest(key, allowed, ja=True))
                continue
            found[key] = (key_node, value)
            self.lines[f"{prefix}{key}"] = key_node.start_mark.line + 1
        return found

    def text(self, entry: tuple[yaml.Node, yaml.Node] | None, what: str, required: bool = True) -> str:
        if entry is None:
            return ""
        value = _scalar(entry[1])
        if value is None:
            self.fail(entry[1], f"{what}は一つの文として書きます（一覧や「キー: 値」ではなく）。")
            return ""
        if entry[1].tag.endswith(":null"):  # ~ or null: nothing written
            value = ""
        if required and not value:
            self.fail(entry[0], f"{what}が空です。書いてください。")
        control = next((c for c in value if ord(c) < 32 and c not in "\n\t"), None)
        if control is not None:
            self.fail(entry[1], f"{what}に制御文字 {control!r} があります。消してください（Word 文書に書けません）。")
            return ""
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
        raise _syntax_error(path, error, text) from None
    if root is None:
        raise ProfileError(path, [Problem(0, "プロファイルが空です。profiles/example-town.yaml を写して書き始めてください。")])
    top = reader.mapping(root, "プロファイル", TOP_KEYS)
    for key in REQUIRED_TOP:
        if key not in top and not any(p.message.startswith(f"「{key}」") for p in reader.problems):
            reader.fail(root, f"プロファイルに「{key}」がありません。加えてください（profiles/example-town.yaml を参照）。")
    items = {i.id: i for i in edition.items}

    def known_item(node: yaml.Node, item_id: str, what: str) -> bool:
        if item_id in items:
            return True
        reader.fail(node, f"{what}の「{item_id}」は、版 {edition.id} の例文にありません。"
                    + suggest(item_id, items, ja=True))
        return False

    edition_id = reader.text(top.get("版"), "版")
    if edition_id and edition_id != edition.id:
        reader.fail(top["版"][1], f"版が「{edition_id}」ですが、読み込んだ版は「{edition.id}」です。")
    body = reader.mapping(top["団体"][1], "団体", BODY_KEYS, "団体.") if "団体" in top else {}
    for key in BODY_KEYS:
        if "団体" in top and key not in body:
            reader.fail(top["団体"][0], f"団体に「{key}」がありません。団体の下に `{key}: …` を加えてください。")
    name = reader.text(body.get("名称"), "団体.名称")
    kind = reader.text(body.get("区分"), "団体.区分")
    if kind and kind not in KINDS:
        reader.fail(body["区分"][1], f"団体の区分「{kind}」は、{'、'.join(KINDS)} のどれでもありません。"
                    + suggest(kind, KINDS, ja=True))
    self_word = reader.text(body.get("自称"), "団体.自称")
    titles = {}
    for document in ("基本方針", "対策基準"):
        spec = reader.mapping(top[document][1], document, DOCUMENT_KEYS, f"{document}.") if document in top else {}
        if document in top and "題名" not in spec:
            reader.fail(top[document][0], f"{document}に題名がありません。`題名: {name or '○○町'}情報セキュリティ{document}` のように加えてください。")
        titles[document] = reader.text(spec.get("題名"), f"{document}.題名")
    effective = dt.date(1, 1, 1)
    if "施行日" in top:
        raw = top["施行日"][1]
        date_text = _scalar(raw) or ""
        parsed = _parse_date(date_text)
        if parsed is not None and parsed < dt.date(1989, 1, 8):
            reader.fail(raw, f"施行日「{date_text}」は平成より前です。施行する日（2026-04-01 の形）を書いてください。")
        elif parsed is None:
            reader.fail(raw, f"施行日「{date_text}」は日付として読めません。2026-04-01 の形で書いてください。")
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
                if not isinstance(entry, yaml.ScalarNode):
                    reader.fail(entry, "採用する選択項目の各行には、例文の ID だけを書きます（「- STD-8-3-1」）。")
                    continue
                if not known_item(entry, item_id, "採用する選択項目"):
                    continue
                if not items[item_id].optional:
                    reader.fail(entry, f"{item_id} は選択項目ではありません（すべての団体が採用する例文です）。"
                                "採用する選択項目から除いてください。")
                elif item_id in adopted:
                    reader.fail(entry, f"{item_id} が採用する選択項目に二度あります。一つにしてください。")
                else:
                    adopted.append(item_id)
                    reader.lines[f"採用する選択項目.{item_id}"] = entry.start_mark.line + 1
    omitted: dict[str, str] = {}
    if "採用しない例文" in top:
        for item_id, (key_node, value) in reader.mapping(top["採用しない例文"][1], "採用しない例文",
                                                         prefix="採用しない例文.").items():
            if not known_item(key_node, item_id, "採用しない例文"):
                continue
            reason = reader.text((key_node, value), f"{item_id} を採用しない理由")
            if item_id in adopted:
                reader.fail(key_node, f"{item_id} が採用する選択項目と採用しない例文の両方にあります。どちらかに決めてください。")
            omitted[item_id] = reason
    for item_id in optional_ids:
        if item_id not in adopted and item_id not in omitted:
            reader.fail(top["採用する選択項目"][0] if "採用する選択項目" in top else root,
                        f"選択項目 {item_id}（{items[item_id].title}）を採用するかどうかが書かれていません。"
                        f"「{items[item_id].optional}」が採用する例文です。採用する選択項目に加えるか、"
                        "採用しない例文に理由とともに加えてください。")

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
                    reader.fail(key_node, f"改める例文 {item_id} に{key}がありません。`{key}: …` を加えてください。")
            if item_id in omitted:
                reader.fail(key_node, f"{item_id} が採用しない例文と改める例文の両方にあります。どちらかにしてください。")
            reworded[item_id] = Rewording(reader.text(spec.get("文言"), f"改める例文.{item_id}.文言"),
                                          reader.text(spec.get("理由"), f"改める例文.{item_id}.理由"),
                                          reader.text(spec.get("見出し"), f"改める例文.{item_id}.見出し", required=False),
                                          key_node.start_mark.line + 1,
                                          reader.text(spec.get("自己点検"), f"改める例文.{item_id}.自己点検", required=False))

    # additions
    additions: list[Addition] = []
    if "加える例文" in top:
        node = top["加える例文"][1]
        if not isinstance(node, yaml.SequenceNode):
            reader.fail(node, "加える例文 must be a list; start each addition with `- ID: …`.")
        else:
            placed = set(items)
            for entry in node.value:
                spec = reader.mapping(entry, "加える例文", ADDITION_KEYS)
                line = entry.start_mark.line + 1
                for key in ("ID", "後", "見出し", "文言", "理由"):
                    if key not in spec and isinstance(entry, yaml.MappingNode):
                        reader.fail(entry, f"加える例文に{key}がありません。`{key}: …` を加えてください。")
                texts = {k: reader.text(spec.get(k), f"加える例文.{k}", required=k != "自己点検") for k in ADDITION_KEYS}
                addition = Addition(id=texts["ID"], after=texts["後"], title=texts["見出し"], wording=texts["文言"],
                                    reason=texts["理由"], check=texts["自己点検"], line=line)
                if addition.id:
                    if addition.id in placed:
                        reader.fail(spec["ID"][1], f"加える例文の ID「{addition.id}」は、例文又は先に加えた規定と同じです。"
                                    "団体の略称を頭に付ける等、別の ID にしてください（例: KAKU-1）。")
                    elif not ADDITION_ID.match(addition.id):
                        reader.fail(spec["ID"][1], f"加える例文の ID「{addition.id}」は、半角の英大文字・数字を"
                                    "ハイフンでつないで書きます（例: KAKU-1）。")
                if addition.after and addition.after not in placed:
                    reader.fail(spec["後"][1], f"後の「{addition.after}」は、版 {edition.id} の例文でも、先に"
                                "加えた規定でもありません。" + suggest(addition.after, sorted(placed), ja=True))
                elif addition.after in omitted:
                    reader.fail(spec["後"][1], f"後の {addition.after} は、このプロファイルが採用しない例文です。"
                                "採用する例文の後に置いてください。")
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
                reader.fail(key_node, f"団体で定める事項の「{key}」は、版 {edition.id} の例文にない事項です。"
                            + suggest(key, registry, ja=True))
                continue
            values[key] = reader.text((key_node, value), f"団体で定める事項.{key}")
            value_nodes[key] = key_node
    kept = [i for i in edition.items if _adopts(i, omitted, adopted)]
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
            guidance = f"{param.guidance}" if param and param.guidance else ""
            words = next(u.default for u in uses(items[item_ids[0]].statement) if u.key == key)
            reader.fail(top["団体で定める事項"][0], f"団体で定める事項に {key}（{label}）がありません。"
                        f"{'、'.join(dict.fromkeys(item_ids))} が使います。`{key}: …` を加えてください。{guidance}"
                        f"例文の文言は「{words}」です。")

    # the municipality's own wording: no 「本団体」, no {param}
    own = [(f"改める例文.{i}", r.wording, r.line) for i, r in reworded.items()]
    own += [(f"改める例文.{i}.見出し", r.title, r.line) for i, r in reworded.items() if r.title]
    own += [(f"加える例文.{a.id}.見出し", a.title, a.line) for a in additions]
    own += [(f"加える例文.{a.id}", a.wording, a.line) for a in additions]
    own += [(f"団体で定める事項.{k}", v, reader.lines.get(f"団体で定める事項.{k}", 0)) for k, v in values.items()]
    own += [(f"改める例文.{i}.自己点検", r.check, r.line) for i, r in reworded.items() if r.check]
    own += [(f"加える例文.{a.id}.自己点検", a.check, a.line) for a in additions if a.check]
    for what, wording, line in own:
        added_ids = {a.id for a in additions}
        prefixes = {"STD", "POL"} | {a.id.split("-", 1)[0] for a in additions}
        for cited in dict.fromkeys(re.findall(r"\b[A-Z][A-Z0-9]*-\d+(?:-\d+)*\b", wording)):
            if cited.split("-", 1)[0] in prefixes and cited not in items and cited not in added_ids:
                reader.problems.append(Problem(line, f"{what} が引用する {cited} は、版 {edition.id} の例文にも、"
                                               "加える例文にもありません。" + suggest(cited, [*items, *added_ids], ja=True)))
        if uses(wording):
            reader.problems.append(Problem(line, f"{what} に {{param}} があります。団体の言葉をそのまま書いて"
                                           "ください（団体で定める事項が埋めるのは、ガイドラインの例文だけです）。"))
        if SELF_WORD in wording and self_word and self_word != SELF_WORD:
            reader.problems.append(Problem(line, f"{what} に「{SELF_WORD}」とあります。「{self_word}」"
                                           "（団体の自称）と書いてください。"))

    # an adopted 例文 that refers to one left out
    left_out = {i.id for i in edition.items if not _adopts(i, omitted, adopted)}
    for addition in additions:
        for target in re.findall(r"\b(?:STD|POL)-\d+(?:-\d+)*\b", addition.wording):
            if target in left_out:
                reader.problems.append(Problem(addition.line, f"加える例文 {addition.id} は {target} を引用していますが、"
                                               f"{target} を採用していません。引用を除くか、{target} を採用してください。"))
    for item in kept:
        wording = reworded[item.id].wording if item.id in reworded else item.statement
        for match in REF_ROLE.finditer(wording):
            targets = referenced_items(match.group(2), edition.items)
            if targets and all(t in left_out for t in targets):
                line = reworded[item.id].line if item.id in reworded else reader.lines.get(f"採用しない例文.{targets[0]}", 0)
                reader.problems.append(Problem(line, f"{item.id}（{item.title}）は {match.group(1)} を引用して"
                                               f"いますが、その例文（{'、'.join(targets)}）をすべて採用していません。"
                                               f"{item.id} を引用のない文言に改める（改める例文）か、そのいずれかを"
                                               "採用してください。"))
        for target in re.findall(r"\b(?:STD|POL)-\d+(?:-\d+)*\b", wording):
            if target in left_out:
                line = reworded[item.id].line if item.id in reworded else reader.lines.get(f"採用しない例文.{target}", 0)
                reader.problems.append(Problem(line, f"{item.id}（{item.title}）は {target} を引用していますが、"
                                               f"{target} を採用していません。{item.id} を引用のない文言に改める"
                                               f"（改める例文）か、{target} を採用してください。"))
    for addition in additions:
        if addition.after and addition.check and not _in_standards(edition, addition.after, additions):
            reader.problems.append(Problem(addition.line, f"加える例文 {addition.id} は基本方針に置かれますが、自己点検の"
                                           "問いがあります。自己点検は対策基準の条について行うので、自己点検を除くか、"
                                           "対策基準の例文の後に置いてください。"))
        if addition.after and not addition.check and _in_standards(edition, addition.after, additions):
            reader.problems.append(Problem(addition.line, f"加える例文 {addition.id} は対策基準に置かれますが、"
                                           "自己点検の問いがありません。`自己点検: …ますか。` を加えてください"
                                           "（自己点検ワークブックの行になります）。"))
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
    try:  # every value as text (a date such as 2026-04-31 is the 施行日 check's to report, not YAML's)
        data: Any = yaml.load(text, Loader=yaml.BaseLoader)
    except yaml.YAMLError as error:
        raise _syntax_error(path, error, text) from None
    if not isinstance(data, dict) or not str(data.get("版") or "").strip():
        raise ProfileError(path, [Problem(0, "プロファイルに版がありません。採用するガイドラインの版を、"
                                  "`版: h27-03` のように書いてください（traceability/editions/ のフォルダ名）。")])
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
        raise ProfileError(shown, [Problem(0, f"プロファイルを読めません（{error.strerror}）。")]) from None
    except UnicodeDecodeError:
        raise ProfileError(shown, [Problem(0, "プロファイルが UTF-8 ではありません。UTF-8 で保存してください。")]) from None
    edition_id = edition_id_of(text, shown)
    edition_file = editions_dir / edition_id / EDITION_FILE
    if not edition_file.is_file():
        known = sorted(p.name for p in editions_dir.iterdir() if (p / EDITION_FILE).is_file()) if editions_dir.is_dir() else []
        line = next((n for n, row in enumerate(text.split("\n"), 1) if row.startswith("版")), 0)
        raise ProfileError(shown, [Problem(line, f"版「{edition_id}」はありません（ある版: "
                                   f"{'、'.join(known) or 'なし'}）。" + suggest(edition_id, known, ja=True))])
    edition = load_edition(edition_file)
    return read_profile(text, shown, edition), edition
