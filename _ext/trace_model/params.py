"""団体で定める事項: the parts of a 例文 a municipality fills with its own choice (parameters).

A 例文 marks such a part with the ``param`` role, its text being the 例文's own wording (what a municipality
that changes nothing adopts) and its target a key of the parameter registry::

    ① {param}`副市長（都道府県にあっては副知事、町村にあっては副町長又は副村長） <ciso-post>`をもって、…

The registry (``requirements/params.yaml``, the ``trace_params_file`` setting) says, per key, what the
municipality decides (``label``), of which kind (:data:`KINDS`), and how to choose (``guidance``)::

    ciso-post:
      label: CISO に充てる職
      kind: 職
      guidance: 特別職（副市長等）を充てるのが一般的です。

These are the "organization-defined parameters" of NIST SP 800-53 and the ``param`` of an OSCAL control
(``{{ insert: param, id }}`` in its prose). A municipal profile (:mod:`trace_model.profile`) gives each key its
value. Pure Python: no Sphinx import.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

#: The kinds of parameter, as a municipality thinks of them.
KINDS = ("職", "組織", "名称", "期間", "頻度", "数値", "範囲")
#: A parameter key: lowercase ASCII words joined by hyphens (it becomes part of an OSCAL param ID).
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
#: ``{param}`text <key>``` in MyST source (the text may not hold a backquote).
PARAM_ROLE = re.compile(r"\{param\}`([^`]*)`")
_EXPLICIT = re.compile(r"^(.*?)\s*<([^<>]*)>\s*$", re.DOTALL)


class ParamsError(ValueError):
    """A problem in the parameter registry: ``location`` is ``file:line``, ``message`` says what is wrong and
    how to fix it."""

    def __init__(self, location: str, message: str) -> None:
        super().__init__(f"{location}: {message}")
        self.location = location
        self.message = message


@dataclass(frozen=True)
class Param:
    """One 団体で定める事項: its ``key``, ``label`` (what the municipality decides), ``kind`` (one of
    :data:`KINDS`), ``guidance`` (how to choose; may be empty) and the registry ``line`` it is defined at."""

    key: str
    label: str
    kind: str
    guidance: str = ""
    line: int = 0


@dataclass(frozen=True)
class ParamUse:
    """One ``{param}`` role in a text: the 例文's own wording ``default`` and the registry ``key`` (``""`` when
    the role names none); ``start``/``end``: its character offsets in the text."""

    default: str
    key: str
    start: int
    end: int


def uses(text: str) -> list[ParamUse]:
    """Every ``{param}`` role in ``text``, in order."""
    found = []
    for match in PARAM_ROLE.finditer(text):
        explicit = _EXPLICIT.match(match.group(1))
        default, key = (explicit.group(1), explicit.group(2).strip()) if explicit else (match.group(1), "")
        found.append(ParamUse(default.strip(), key, match.start(), match.end()))
    return found


def substitute(text: str, value: Callable[[ParamUse], str]) -> str:
    """``text`` with each ``{param}`` role replaced by ``value(use)``."""
    out, last = [], 0
    for use in uses(text):
        out += [text[last:use.start], value(use)]
        last = use.end
    return "".join([*out, text[last:]])


def with_defaults(text: str) -> str:
    """``text`` as the guideline prints it: each ``{param}`` role replaced by the 例文's own wording."""
    return substitute(text, lambda use: use.default)


def suggest(name: str, known: list[str] | tuple[str, ...] | Mapping[str, Any], ja: bool = False) -> str:
    """`` Did you mean 'x'?`` (``ja``: 「（「x」の誤りではありませんか。）」, for municipal officers) for the closest
    of ``known`` to ``name``, or ``""``."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    if not close:
        return ""
    return f"（「{close[0]}」の誤りではありませんか。）" if ja else f" Did you mean {close[0]!r}?"


def read_params(text: str, path: str) -> dict[str, Param]:
    """The registry in ``text`` (YAML; ``path`` names it in errors), key -> :class:`Param`, in file order.

    Raises :class:`ParamsError` at the line of the first problem: YAML syntax, a top level that is not a
    mapping, a key of the wrong form, a duplicated key, an entry that is not a mapping, an unknown or missing
    field, an empty label, a kind not in :data:`KINDS`."""
    fields = ("label", "kind", "guidance")
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise ParamsError(f"{path}:{line}", f"not valid YAML ({getattr(error, 'problem', error)}). Check the "
                          "indentation and quoting near this line.") from None
    if root is None:
        return {}
    if not isinstance(root, yaml.MappingNode):
        raise ParamsError(f"{path}:{root.start_mark.line + 1}", "the file must be a mapping of parameter keys to "
                          "their label, kind and guidance (see the comment at the top of the file).")
    params: dict[str, Param] = {}
    for key_node, body in root.value:
        line = key_node.start_mark.line + 1
        at = f"{path}:{line}"
        key = str(key_node.value)
        if not KEY_PATTERN.match(key):
            raise ParamsError(at, f"parameter key {key!r} must be lowercase ASCII words joined by hyphens, "
                              "e.g. ciso-post.")
        if key in params:
            raise ParamsError(at, f"parameter {key!r} is defined twice (also at line {params[key].line}). "
                              "Keep one entry.")
        if not isinstance(body, yaml.MappingNode):
            raise ParamsError(at, f"parameter {key!r} must be a mapping with label, kind and guidance.")
        values: dict[str, str] = {}
        for field_node, value_node in body.value:
            name = str(field_node.value)
            field_at = f"{path}:{field_node.start_mark.line + 1}"
            if name not in fields:
                raise ParamsError(field_at, f"{name!r} is not a field of a parameter ({', '.join(fields)})."
                                  + suggest(name, fields))
            if name in values:
                raise ParamsError(field_at, f"parameter {key!r} has {name!r} twice. Keep one.")
            if not isinstance(value_node, yaml.ScalarNode):
                raise ParamsError(field_at, f"{key}.{name} must be text.")
            values[name] = str(value_node.value).strip()
        for name in ("label", "kind"):
            if not values.get(name):
                raise ParamsError(at, f"parameter {key!r} has no {name}. Add `{name}: …`"
                                  + (f" (one of {', '.join(KINDS)})." if name == "kind" else "."))
        if values["kind"] not in KINDS:
            raise ParamsError(at, f"parameter {key!r} has kind {values['kind']!r}; use one of {', '.join(KINDS)}."
                              + suggest(values["kind"], KINDS))
        params[key] = Param(key, values["label"], values["kind"], values.get("guidance", ""), line)
    return params


def load_params(path: Path, shown: str | None = None) -> dict[str, Param]:
    """:func:`read_params` of the file at ``path`` (``shown``: the path errors name; default ``path``). Raises
    :class:`ParamsError` also for a file that cannot be read or is not UTF-8."""
    name = shown or str(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise ParamsError(f"{name}:1", f"cannot read the parameter registry ({error.strerror}).") from None
    except UnicodeDecodeError:
        raise ParamsError(f"{name}:1", "the parameter registry is not UTF-8. Save it as UTF-8.") from None
    return read_params(text, name)


def check_use(use: ParamUse, params: Mapping[str, Param]) -> str:
    """What is wrong with one ``{param}`` role, or ``""``: no key, an unknown key (with did-you-mean), an empty
    default wording."""
    if not use.key:
        return ("a {param} role must name its parameter: {param}`the 例文's wording <key>`, the key being one of "
                "the registry (trace_params_file). (A backquote inside the words ends the role early: leave it out.)")
    if use.key not in params:
        return (f"{{param}} names {use.key!r}, which the parameter registry does not define." + suggest(use.key, params)
                + " Add it to the registry (label, kind, guidance) or correct the key.")
    if not use.default:
        return (f"{{param}} for {use.key!r} has no wording: write the 例文's own words before <{use.key}>, so that "
                "a municipality that changes nothing adopts them.")
    return ""


#: A ``{need}`` role in a 例文's wording, with one or two backquotes: ``{need}`ID```, ``{need}`text <ID>```.
_NEED_ROLE = re.compile(r"\{need\}(`+)(.*?)\1")
#: A ``{ref}`` role: ``{ref}`label``` or ``{ref}`text <label>```.
_REF_ROLE = re.compile(r"\{ref\}(`+)(.*?)\1")
#: Any role, and inline code: taken out of a line before looking for an ID written as plain text.
_ANY_ROLE_OR_CODE = re.compile(r"\{[a-z:-]+\}(`+).*?\1|(`+).*?\2")
#: A 例文 ID written as plain text.
_PLAIN_ID = re.compile(r"(?<![\w-])(?:POL|STD)-\d+(?:-\d+)*(?![\w-])")


def _target(body: str) -> str:
    """The target of a role's body: ``text <target>`` -> target; a need part ``STD-1-1-2.p1`` -> its need."""
    explicit = re.fullmatch(r"(?s).*?<([^<>]+)>\s*", body)
    return (explicit.group(1) if explicit else body).strip().split(".", 1)[0]


def wording_lines(wording: str) -> list[tuple[int, str]]:
    """``(index, line)`` of a 例文's wording, 0-based, without MyST comment lines (``%``: never published)."""
    return [(n, line) for n, line in enumerate(wording.split("\n")) if not line.lstrip().startswith("%")]


def citations(wording: str, labels: Mapping[str, str] | None = None) -> list[tuple[int, str]]:
    """``(line index, ID)`` of each 例文 a wording cites: a ``{need}`` role (one or two backquotes, with or
    without its own words, a need part as its need), a ``{ref}`` to a label that ``labels`` (label -> ID) names
    as one 例文, or an ID written as plain text outside roles and inline code. In line order; an ID again on a
    later line is listed again."""
    labels = labels or {}
    found: list[tuple[int, str]] = []
    for index, line in wording_lines(wording):
        ids = [_target(m.group(2)) for m in _NEED_ROLE.finditer(line)]
        ids += [labels[_target(m.group(2)).lower()] for m in _REF_ROLE.finditer(line)
                if _target(m.group(2)).lower() in labels]
        ids += _PLAIN_ID.findall(_ANY_ROLE_OR_CODE.sub(" ", line))
        found.extend((index, i) for i in dict.fromkeys(ids))
    return found


def adoption_breaks(wordings: Mapping[str, str], optional: Mapping[str, str],
                    labels: Mapping[str, str] | None = None) -> list[tuple[str, str, int]]:
    """Each ``(citing, cited, line index)`` where a 例文's wording (``wordings``: ID -> the words before 【解説】)
    cites (:func:`citations`) a 選択項目 (``optional``: ID -> the kind of body that adopts it, empty for a
    required 例文) that a body can leave out while keeping the citing 例文: the citing one is required, or a
    選択項目 of another kind. A body that leaves the cited one out could not adopt the citing one as written
    (``trace_model.policy`` refuses the profile). In the order of ``wordings``, then of the wording; each cited
    ID once per citing 例文."""
    breaks = []
    for citing, wording in wordings.items():
        seen: set[str] = set()
        for index, cited in citations(wording, labels):
            kind = optional.get(cited, "")
            if kind and cited != citing and optional.get(citing, "") != kind and cited not in seen:
                seen.add(cited)
                breaks.append((citing, cited, index))
    return breaks


_CIRCLED = "\u2460-\u2473"
#: What opens a paragraph with its number: 「① 」, 「**①** 」, a list item 「- ① 」 (then a space).
_PARAGRAPH_LABEL = re.compile(rf"^\s*(?:[-*+]\s+)?(?:\*\*)?[{_CIRCLED}](?:\*\*)?[\s\u3000]")
#: A circled number in parentheses, as an aside (「（①）」): not a reference to a paragraph.
_IN_PARENTHESES = re.compile(rf"[（(][{_CIRCLED}][）)]")


def circled_references(wording: str) -> list[tuple[int, list[str]]]:
    """``(line index, numbers)`` of each line of a 例文's wording that refers to paragraphs by their circled
    numbers (「②　CISO は、①の報告を…」): a municipality's policy numbers its paragraphs 1, 2, …
    (``trace_model.policy``), so 「①」 there names nothing; 「前項」 or 「第1項」 say the same in every numbering. The
    number that opens a paragraph or list item, one in parentheses and one in a table row are not references."""
    found = []
    for index, line in wording_lines(wording):
        if line.lstrip().startswith("|"):
            continue
        rest = _IN_PARENTHESES.sub("", _PARAGRAPH_LABEL.sub("", line, count=1))
        numbers = re.findall(f"[{_CIRCLED}]", rest)
        if numbers:
            found.append((index, list(dict.fromkeys(numbers))))
    return found
