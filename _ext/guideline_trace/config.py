"""Every ``trace_*`` setting typed and checked when ``conf.py`` is read.

A setting that names a need type, a field, a link type or a standard that does
not exist would otherwise switch its rule off without a word (a typo such as
``sorce`` in ``trace_field_values``), and a missing key would crash deep in a
view with a bare ``KeyError``. Here each setting has a :data:`SCHEMA` entry; every
problem is logged as one located error, ``conf.py:<line>: ERROR: <setting>: what is
wrong. The fix.`` (with a did-you-mean where a known name is close), and then the
build stops (exit status 2) before anything is read. A
``trace_*`` name that no extension defines (``trace_feild_values``) is refused the
same way. :data:`SCHEMA` is also where the settings are registered, so a new
setting cannot skip the check.

The checking functions (:func:`validate` and the specs) are plain Python: they
take the values and a :class:`Vocabulary` and return :class:`ConfigProblem`
records, so they are unit-tested without Sphinx.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path, PurePosixPath
from typing import Any

__version__ = "1.0.0"


@dataclass(frozen=True)
class Vocabulary:
    """The names a setting may use, from the sphinx-needs configuration.

    ``types``: need directive names (``needs_types``); ``fields``: need fields
    (``needs_fields`` and the core ones a rule may name); ``links``: link types
    (``needs_links``); ``standards``: keys of ``trace_standards``; ``srcdir``: the
    folder file paths are relative to (``None``: paths are not checked); ``levels``:
    the catalog levels (``trace_model.catalogs.SCHEMAS``; empty: levels are not checked);
    ``type_levels``: need type -> the levels of its catalog (a standard's levels must be its catalog's).
    """

    types: frozenset[str]
    fields: frozenset[str]
    links: frozenset[str]
    standards: frozenset[str] = frozenset()
    srcdir: Path | None = None
    levels: frozenset[str] = frozenset()
    type_levels: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class ConfigProblem:
    """One problem: the setting, the message (with its fix), and the token to locate it by.

    ``kind``: for an unknown name, the kind of name (a key of :data:`KIND_WORDS`).
    """

    setting: str
    message: str
    token: str | None = None
    kind: str | None = None


#: A spec checks one value: (value, where it sits, e.g. "trace_x['a']", vocabulary) -> problems.
Spec = Callable[[Any, str, Vocabulary], list[ConfigProblem]]

KIND_WORDS = {"types": "need type", "fields": "need field", "links": "link type", "standards": "standard",
              "levels": "catalog level"}
KIND_SOURCES = {"types": "needs_types", "fields": "needs_fields", "links": "needs_links",
                "standards": "trace_standards", "levels": "the catalog schemas in _ext/trace_model/catalogs.py"}


def _setting(where: str) -> str:
    return where.split("[", 1)[0]


def suggestion(token: str, choices: Iterable[str]) -> str:
    """`` Did you mean 'x'?`` for the closest of ``choices`` (case, full-width and typos), or ``""``."""
    import unicodedata

    options = sorted(choices)
    normal = unicodedata.normalize("NFKC", token)
    for option in options:
        if option.lower() == normal.lower() and option != token:
            return f" Did you mean {option!r}?"
    close = get_close_matches(normal, options, n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


def name(kind: str) -> Spec:
    """A name of ``kind`` ("types", "fields", "links", "standards")."""

    def check(value: Any, where: str, vocab: Vocabulary) -> list[ConfigProblem]:
        if not isinstance(value, str):
            return [ConfigProblem(_setting(where), f"{where} must be a {KIND_WORDS[kind]} name (a string), "
                                  f"not {type(value).__name__} {value!r}.")]
        known: frozenset[str] = getattr(vocab, kind)
        if value in known or (kind == "levels" and not known):
            return []
        return [ConfigProblem(
            _setting(where),
            f"{where}: {value!r} is not a {KIND_WORDS[kind]} of this site ({KIND_SOURCES[kind]}).{suggestion(value, known)}",
            value,
            kind,
        )]

    return check


def string(value: Any, where: str, vocab: Vocabulary) -> list[ConfigProblem]:
    if isinstance(value, str):
        return []
    return [ConfigProblem(_setting(where), f"{where} must be a string, not {type(value).__name__} {value!r}.")]


def boolean(value: Any, where: str, vocab: Vocabulary) -> list[ConfigProblem]:
    if isinstance(value, bool):
        return []
    return [ConfigProblem(_setting(where), f"{where} must be True or False, not {value!r}.")]


def regex(groups: int = 0, example: str = "") -> Spec:
    """A regular expression with at least ``groups`` capturing groups (``example``: one that has them)."""

    def check(value: Any, where: str, vocab: Vocabulary) -> list[ConfigProblem]:
        if not isinstance(value, str):
            return string(value, where, vocab)
        try:
            compiled = re.compile(value)
        except re.error as err:
            return [ConfigProblem(_setting(where), f"{where}: {value!r} is not a valid regular expression ({err}).",
                                  value)]
        if compiled.groups < groups:
            return [ConfigProblem(_setting(where), f"{where}: {value!r} needs a group in parentheses around the "
                                  f"chapter number, e.g. r'{example}'.", value)]
        return []

    return check


def edition_date(value: Any, where: str, vocab: Vocabulary) -> list[ConfigProblem]:
    """The date of an edition: a year and month or a full date (ISO 8601), or empty."""
    from trace_model.editions import DATE_PATTERN

    if not isinstance(value, str):
        return string(value, where, vocab)
    if value and not DATE_PATTERN.match(value):
        return [ConfigProblem(_setting(where), f"{where}: {value!r} is not a date; write the year and month, or the "
                              "full date, e.g. \"2015-03\" or \"2015-03-31\".", value)]
    return []


def source_path(value: Any, where: str, vocab: Vocabulary) -> list[ConfigProblem]:
    """A file path relative to the source folder, which must exist."""
    if not isinstance(value, str):
        return string(value, where, vocab)
    if vocab.srcdir is not None and not (vocab.srcdir / value).is_file():
        folder = (vocab.srcdir / value).parent
        close = get_close_matches(PurePosixPath(value).name, [p.name for p in folder.iterdir()] if folder.is_dir()
                                  else [], n=1, cutoff=0.6)
        near = f" Did you mean {str(PurePosixPath(value).parent / close[0]).removeprefix('./')!r}?" if close else ""
        return [ConfigProblem(_setting(where), f"{where}: the file {value!r} does not exist (paths are relative to "
                              f"the folder of conf.py).{near}", value)]
    return []


def list_of(item: Spec) -> Spec:
    def check(value: Any, where: str, vocab: Vocabulary) -> list[ConfigProblem]:
        if not isinstance(value, (list, tuple)):
            return [ConfigProblem(_setting(where), f"{where} must be a list, not {type(value).__name__} {value!r}.")]
        problems: list[ConfigProblem] = []
        for i, element in enumerate(value):
            problems.extend(item(element, f"{where}[{i}]", vocab))
        not_strings = [v for v in value if not isinstance(v, str)]
        if len(problems) > 1 and len(not_strings) == len(problems) and all(
                "must be a" in p.message and "string" in p.message for p in problems):
            # one slip (numbers written without quotes), one message
            return [ConfigProblem(_setting(where), f"{where} must be a list of strings, but "
                                  f"{', '.join(map(repr, not_strings))} are not. Write them in quotes: "
                                  f"{[str(v) for v in not_strings]!r}.")]
        return problems

    return check


def dict_of(key: Spec, value_spec: Spec) -> Spec:
    def check(value: Any, where: str, vocab: Vocabulary) -> list[ConfigProblem]:
        if not isinstance(value, Mapping):
            return [ConfigProblem(_setting(where), f"{where} must be a dict, not {type(value).__name__} {value!r}.")]
        problems: list[ConfigProblem] = []
        for k, v in value.items():
            problems.extend(key(k, where, vocab))
            problems.extend(value_spec(v, f"{where}[{k!r}]", vocab))
        return problems

    return check


def qualified(kind: str) -> Spec:
    """``name`` or ``type.name``: a name of ``kind``, optionally limited to one need type."""

    def check(value: Any, where: str, vocab: Vocabulary) -> list[ConfigProblem]:
        if not isinstance(value, str):
            return string(value, where, vocab)
        need_type, _, rest = value.rpartition(".")
        problems = name("types")(need_type, where, vocab) if need_type else []
        return problems + name(kind)(rest, where, vocab)

    return check


def condition(value: Any, where: str, vocab: Vocabulary) -> list[ConfigProblem]:
    """``field=value`` or ``type.field=value``."""
    if not isinstance(value, str):
        return string(value, where, vocab)
    target, sep, _ = value.partition("=")
    if not sep:
        return [ConfigProblem(_setting(where), f"{where}: {value!r} must read 'field=value' or "
                              "'type.field=value' (e.g. 'source=paper').", value)]
    return qualified("fields")(target, where, vocab)


def record(required: Mapping[str, Spec], optional: Mapping[str, Spec] | None = None) -> Spec:
    """A dict with the ``required`` keys, and only those or ``optional`` ones."""
    optional = optional or {}

    def check(value: Any, where: str, vocab: Vocabulary) -> list[ConfigProblem]:
        if not isinstance(value, Mapping):
            return [ConfigProblem(_setting(where), f"{where} must be a dict, not {type(value).__name__} {value!r}.")]
        problems: list[ConfigProblem] = []
        allowed = {**required, **optional}
        keys_in_where = re.findall(r"\['([^']+)'\]", where)
        # a misspelt key ('target' for 'targets') is one problem: the unknown key with its did-you-mean,
        # not the required key reported missing too
        meant = {suggestion(str(k), allowed).removeprefix(" Did you mean ").removesuffix("?").strip("'")
                 for k in value if k not in allowed}
        for k in required:
            if k not in value and k not in meant:
                problems.append(ConfigProblem(
                    _setting(where), f"{where} has no {k!r}. Add it (keys: {', '.join(sorted(allowed))}).",
                    keys_in_where[-1] if keys_in_where else None))
        for k, v in value.items():
            spec = allowed.get(k)
            if spec is None:
                problems.append(ConfigProblem(
                    _setting(where), f"{where}: unknown key {k!r}.{suggestion(str(k), allowed)} "
                    f"Allowed: {', '.join(sorted(allowed))}.", str(k)))
            else:
                problems.extend(spec(v, f"{where}[{k!r}]", vocab))
        return problems

    return check


def field_or_link(value: Any, where: str, vocab: Vocabulary) -> list[ConfigProblem]:
    """A need field or a link type (a rule may require either)."""
    if isinstance(value, str) and value in vocab.links:
        return []
    problems = name("fields")(value, where, vocab)
    if problems and isinstance(value, str):
        hint = suggestion(value, vocab.fields | vocab.links)
        return [ConfigProblem(_setting(where), f"{where}: {value!r} is neither a need field (needs_fields) "
                              f"nor a link type (needs_links).{hint}", value, "fields_or_links")]
    return problems


TYPES, FIELDS, LINKS, LEVELS = name("types"), name("fields"), name("links"), name("levels")

#: Every trace setting: name -> (spec, default, description). ``setup`` functions register them from here.
SCHEMA: dict[str, tuple[Spec, Any, str]] = {
    "trace_link_rules": (
        dict_of(LINKS, record({"targets": list_of(TYPES)},
                              {"levels": list_of(LEVELS), "sources": list_of(TYPES)})),
        {}, "Link type -> {'targets': [need types], 'levels': [levels], 'sources': [need types]}."),
    "trace_required_links": (dict_of(TYPES, list_of(list_of(LINKS))), {},
                             "Need type -> groups of link types, each needing >= 1 link."),
    "trace_required_fields": (dict_of(TYPES, list_of(FIELDS)), {}, "Need type -> fields that must not be empty."),
    "trace_field_values": (dict_of(qualified("fields"), list_of(string)), {},
                           "'field' or 'type.field' -> its allowed values."),
    "trace_link_reasons": (dict_of(qualified("links"), FIELDS), {},
                           "'link' or 'type.link' -> field giving one reason per link ('ID: reason; ...')."),
    "trace_link_relations": (dict_of(LINKS, FIELDS), {},
                             "Link type -> field giving the NIST IR 8477 relationship of its links "
                             "('ID: subset-of; ...'; unstated: intersects-with)."),
    "trace_required_when": (dict_of(condition, list_of(field_or_link)), {},
                            "'field=value' or 'type.field=value' -> fields or links required then."),
    "trace_required_backlinks": (dict_of(TYPES, list_of(LINKS)), {},
                                 "Need type -> link types through which another need must name it."),
    "trace_inherited_fields": (dict_of(FIELDS, LINKS), {},
                               "Field -> link type: the field's values must be among the link targets'."),
    "trace_unnested_types": (list_of(TYPES), [], "Need types that may not sit inside another need."),
    "trace_id_patterns": (dict_of(TYPES, regex()), {},
                          "Need type -> regex its ID must match (group 1: its chapter number)."),
    "trace_id_docnames": (dict_of(TYPES, regex(groups=1, example="standards/0*(\\d+)-")), {},
                          "Need type -> regex on its page's docname (group 1: the chapter number)."),
    "trace_included_files": (list_of(string), [], "Glob patterns of files that some page must include."),
    "trace_allow_raw_html": (boolean, False, "Allow raw HTML blocks in the sources (trusted editor input only)."),
    "trace_shown_fields": (dict_of(TYPES, list_of(FIELDS)), {},
                           "Need type -> the fields its layout shows (others set on it are errors)."),
    "trace_item_fields": (list_of(FIELDS), [], "Need fields copied into the trace model."),
    "trace_catalogs": (dict_of(TYPES, source_path), {}, "Need type -> catalog data file (relative to the source dir)."),
    "trace_standards": (
        dict_of(string, record(
            {"label": string, "type": TYPES, "level": LEVELS, "links": list_of(LINKS)},
            {"groups": list_of(LEVELS), "via": LINKS})),
        {}, "Standard key -> {label, type, level, links, groups, via}: how its coverage is computed."),
    "trace_soa_files": (dict_of(name("standards"), source_path), {},
                        "Standard key -> its Statement-of-Applicability exclusions file (YAML)."),
    "trace_soa_complete": (boolean, False, "Every entry of a standard with a SoA file must be covered or excluded."),
    "trace_covering_types": (list_of(TYPES), ["policy", "measure"],
                             "The need types whose links cover standard entries (the 例文 items)."),
    "trace_explained_types": (list_of(TYPES), ["policy", "measure", "req"],
                              "The need types whose body is their wording, then a **【解説】** paragraph "
                              "(trace.need-body)."),
    "trace_chain": (
        record({"roots": list_of(TYPES), "stages": list_of(record(
            {"label": string, "types": list_of(TYPES)}, {"links": list_of(LINKS), "linked_by": list_of(LINKS)}))}),
        {"roots": [], "stages": []},
        "The trace chain drawn by trace-chain: {'roots': [need types it may start from], 'stages': [{label, "
        "types, links (held by the stage's items), linked_by (held by the previous stage's items)}]}."),
    "trace_catalog_paper_quote_source": (
        string, "（論点資料「NISC等の考え方」が {number} について示す記述。統一基準の原文ではなく、"
        "論点資料による要約を含みます。出典: 資料 {sources}）",
        "Line under a catalog row's paper_text (what the paper says of the entry); {number}, {sources} filled in."),
    "trace_stamps_file": (string, "", "The link stamps file (make restamp); every link must be stamped as reviewed "
                          "and unchanged since (trace.suspect-link). Empty: no such check."),
    "trace_params_file": (string, "", "The registry of 団体で定める事項 (YAML: key -> label, kind, guidance) that "
                          "{param} roles in 例文 name (trace.param). Empty: no {param} role is checked."),
    "trace_editions_dir": (string, "traceability/editions",
                           "The folder of the frozen editions (make release), one <id>/edition.json each."),
    "trace_edition_date": (edition_date, "", "The date of the edition that ``version`` names (ISO 8601, e.g. 2015-03); "
                           "the exports' provenance sheet shows it."),
    "trace_catalog_quote_source": (string, "（出典: {number}、資料 {sources}）",
                                   "Line under a quoted catalog text; {number} and {sources} are filled in."),
}


def validate(values: Mapping[str, Any], vocab: Vocabulary, defined: Iterable[str] = ()) -> list[ConfigProblem]:
    """Check every setting in :data:`SCHEMA` found in ``values``, and refuse ``defined`` names
    that start with ``trace_`` but are no setting. Returns the problems in setting order."""
    problems: list[ConfigProblem] = []
    for setting in sorted(set(defined)):
        if setting.startswith("trace_") and setting not in SCHEMA:
            problems.append(ConfigProblem(
                setting, f"{setting} is not a setting of this site's extensions; it would be ignored."
                f"{suggestion(setting, SCHEMA)}", setting))
    for setting, (spec, _, _) in SCHEMA.items():
        if setting in values:
            problems.extend(spec(values[setting], setting, vocab))
    if not problems:  # the shapes are right: check levels against the catalog of each type, and the chain
        problems.extend(_catalog_levels(values, vocab))
        problems.extend(_chain_stages(values.get("trace_chain", {})))
    return _blame_definitions(problems, values, vocab)


def _chain_stages(chain: Mapping[str, Any]) -> list[ConfigProblem]:
    """Each need type sits in at most one stage of ``trace_chain``, and each root in one."""
    problems: list[ConfigProblem] = []
    seen: dict[str, int] = {}
    for k, stage in enumerate(chain.get("stages", [])):
        for need_type in stage["types"]:
            if need_type in seen:
                problems.append(ConfigProblem(
                    "trace_chain", f"trace_chain['stages'][{k}]['types']: {need_type!r} is already in stage "
                    f"{seen[need_type]}; a need type sits in one stage. Remove it from one of them.", need_type))
            seen.setdefault(need_type, k)
    for i, root in enumerate(chain.get("roots", [])):
        if root not in seen:
            problems.append(ConfigProblem(
                "trace_chain", f"trace_chain['roots'][{i}]: {root!r} is in no stage, so no chain can start from "
                "it. Add it to the 'types' of a stage, or remove it from 'roots'.", root))
    return problems


def _catalog_levels(values: Mapping[str, Any], vocab: Vocabulary) -> list[ConfigProblem]:
    """A standard's ``level`` and ``groups``, and a link rule's ``levels``, must be levels of the catalog
    of the need type they apply to (``'item'`` is a NISC level, not an ISO one)."""
    problems: list[ConfigProblem] = []

    def check(setting: str, where: str, level: str, types: list[str]) -> None:
        known = [vocab.type_levels[t] for t in types if t in vocab.type_levels]
        if len(known) != len(types) or not known:
            return  # a type without a catalog schema: its levels are not known
        allowed = frozenset().union(*known)
        if level not in allowed:
            problems.append(ConfigProblem(
                setting, f"{where}: {level!r} is not a level of the {', '.join(map(repr, types))} catalog "
                f"(its levels: {', '.join(sorted(allowed))}).{suggestion(level, allowed)}", level))

    for key, standard in values.get("trace_standards", {}).items():
        where = f"trace_standards[{key!r}]"
        check("trace_standards", f"{where}['level']", standard["level"], [standard["type"]])
        for i, group in enumerate(standard.get("groups", [])):
            check("trace_standards", f"{where}['groups'][{i}]", group, [standard["type"]])
    for key, rule in values.get("trace_link_rules", {}).items():
        for i, level in enumerate(rule.get("levels") or []):
            check("trace_link_rules", f"trace_link_rules[{key!r}]['levels'][{i}]", level, list(rule["targets"]))
    return problems


#: The sphinx-needs setting that defines each kind of name (where a misspelt definition is fixed).
DEFINED_IN = {"types": "needs_types", "links": "needs_links", "fields": "needs_fields", "standards": "trace_standards"}


def _blame_definitions(
    problems: list[ConfigProblem], values: Mapping[str, Any], vocab: Vocabulary,
) -> list[ConfigProblem]:
    """One problem at the definition when the definition is what is misspelt.

    If the trace settings name ``'measure'`` in several places and ``needs_types`` defines
    ``'mesure'``, which no trace setting names, the typo is in ``needs_types``: the unknown-name
    problems of ``'measure'`` become one problem located there, with the fix.
    """
    unknown: dict[str, list[ConfigProblem]] = {}
    for problem in problems:
        if problem.kind in (*DEFINED_IN, "fields_or_links") and problem.token:
            unknown.setdefault(problem.token, []).append(problem)
    # every name the settings use (a standard's key in trace_standards defines it, so is not a use)
    named = _strings({k: v for k, v in values.items() if k != "trace_standards"})
    named |= _strings(list(dict(values.get("trace_standards") or {}).values()))
    replaced: dict[int, list[ConfigProblem]] = {}  # id of a problem -> what stands in its place
    for token, group in unknown.items():
        found = _unused_definition(token, group, vocab, named)
        if found is None:
            continue
        kind, defined = found
        if len(group) == 1:
            # one use of an unknown standard next to a standard no setting uses: either may be the
            # typo, so the message names both (other kinds keep their plain did-you-mean)
            (single,) = group
            plain = suggestion(token, getattr(vocab, kind))
            if kind != "standards" or plain == f" Did you mean {defined!r}?":
                continue
            replaced[id(single)] = [ConfigProblem(
                single.setting,
                f"{single.message.removesuffix(plain)} Did you mean {defined!r}, which {DEFINED_IN[kind]} defines "
                f"and no setting names? Or, if {token!r} is right, rename {defined!r} in {DEFINED_IN[kind]}.",
                single.token, single.kind)]
            continue
        settings = list(dict.fromkeys(p.setting for p in group))
        replaced[id(group[0])] = [ConfigProblem(
            DEFINED_IN[kind],
            f"{DEFINED_IN[kind]} defines the {KIND_WORDS[kind]} {defined!r}, which no trace setting names, while "
            f"{len(group)} places in {', '.join(settings)} name {token!r}, which is not defined. "
            f"Did you mean {token!r}? Rename it in {DEFINED_IN[kind]} "
            f"(or, if {defined!r} is right, rename {token!r} in each of those settings).",
            defined,
        )]
        replaced.update((id(problem), []) for problem in group[1:])
    return [kept for problem in problems for kept in replaced.get(id(problem), [problem])]


def _unused_definition(
    token: str, group: list[ConfigProblem], vocab: Vocabulary, named: set[str],
) -> tuple[str, str] | None:
    """(kind, name): the defined name closest to the unknown ``token`` that no setting uses, among the
    kinds the problems in ``group`` are about (a field-or-link is both); ``None`` if there is none."""
    kinds: dict[str, None] = {}
    for problem in group:
        kinds.update(dict.fromkeys(("fields", "links") if problem.kind == "fields_or_links" else (str(problem.kind),)))
    for kind in kinds:
        for option in get_close_matches(token, sorted(getattr(vocab, kind)), n=3, cutoff=0.6):
            if option not in named:
                return kind, option
    return None


def _strings(value: Any) -> set[str]:
    """Every string in ``value`` (keys included), at any depth."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, Mapping):
        return {s for k, v in value.items() for s in (_strings(k) | _strings(v))}
    if isinstance(value, list | tuple | set | frozenset):
        return {s for item in value for s in _strings(item)}
    return set()


def locate(conf_lines: list[str], problem: ConfigProblem) -> int | None:
    """The 1-based line of ``conf.py`` that a problem is about, ``None`` if the setting is not assigned there.

    Within the setting's assignment: follow the keys of the place the message names
    (``trace_standards['iso']['links']``: the line of ``"iso"``, then of ``"links"`` after it), then
    look for the problem's token from there (so a value that also appears in an earlier entry is found
    in the right one); else the line the keys led to, else the assignment's first line.
    """
    start = next((i for i, line in enumerate(conf_lines)
                  if re.match(rf"{re.escape(problem.setting)}\s*(:[^=]*)?=", line)), None)
    if start is None:
        return None
    end = next((i for i in range(start + 1, len(conf_lines))
                if re.match(r"[A-Za-z_]\w*\s*(:[^=]*)?=", conf_lines[i])), len(conf_lines))
    cursor = start
    for key in _key_path(problem):
        quoted = re.compile(re.escape(f'"{key}"') + "|" + re.escape(f"'{key}'"))
        found = next((i for i in range(cursor, end) if quoted.search(conf_lines[i])), None)
        if found is None:
            break
        cursor = found
    if problem.token:
        # the token as a quoted string first (so 'chang' is not found inside "change"), then as a word
        patterns = [re.escape(f'"{problem.token}"'), re.escape(f"'{problem.token}'"),
                    rf"(?<![\w-]){re.escape(problem.token)}(?![\w-])"]
        for first in (cursor, start):
            for pattern in patterns:
                for i in range(first, end):
                    if re.search(pattern, conf_lines[i]):
                        return i + 1
    return cursor + 1


def _key_path(problem: ConfigProblem) -> list[str]:
    """The dict keys of the place a message starts with: ``x['a']['b'][0]: ...`` -> ``['a', 'b']``."""
    match = re.match(rf"{re.escape(problem.setting)}((?:\[[^\]]*\])*)", problem.message)
    return re.findall(r"\['([^']*)'\]", match.group(1)) if match else []


# -- Sphinx ------------------------------------------------------------------

#: Need fields sphinx-needs defines itself, which rules may name as well as ``needs_fields``.
CORE_FIELDS = frozenset({"id", "title", "type", "status", "tags", "docname", "content", "layout", "style"})


def vocabulary(config: Any, srcdir: Path | None) -> Vocabulary:
    """The names ``conf.py`` defines, read from its sphinx-needs settings."""
    links = {str(k) for k in (config.needs_links or {})} | {"links"}
    types = {str(t["directive"]) for t in (config.needs_types or []) if isinstance(t, Mapping) and "directive" in t}
    fields = {str(k) for k in (config.needs_fields or {})} | CORE_FIELDS
    standards = {str(k) for k in config.trace_standards} if isinstance(config.trace_standards, Mapping) else set()
    from trace_model.catalogs import SCHEMAS

    levels = {level for schema in SCHEMAS.values() for level in schema.levels}
    type_levels = {schema.need_type: frozenset(schema.levels) for schema in SCHEMAS.values()}
    return Vocabulary(frozenset(types), frozenset(fields), frozenset(links), frozenset(standards), srcdir,
                      frozenset(levels), type_levels)


def check_config(app: Any, config: Any) -> None:
    """``config-inited``: log every problem as a located error (``conf.py:<line>: ERROR: ...``,
    subtype ``trace.config``), then stop the build (:func:`stop_build`)."""

    values = {setting: config[setting] for setting in SCHEMA if setting in config}
    defined = [str(k) for k in getattr(config, "_raw_config", {})]
    problems = validate(values, vocabulary(config, Path(app.srcdir)), defined)
    stop_on_problems(app, problems, "config",
                     f"{len(problems)} problem(s) in the trace settings of conf.py, listed above with "
                     "their lines. Fix them and build again.")


def stop_on_problems(app: Any, problems: list[ConfigProblem], subtype: str, summary: str) -> None:
    """Log each problem as a located error (``conf.py:<line>: ERROR: ... [trace.<subtype>]``,
    at the line :func:`locate` finds), then :func:`stop_build` with ``summary``; nothing if no problems."""
    if not problems:
        return
    from sphinx.util import logging
    from trace_model.warnings import check_subtype

    logger = logging.getLogger(__name__)
    conf_path = Path(app.confdir) / "conf.py"
    lines = conf_path.read_text(encoding="utf-8").splitlines() if conf_path.is_file() else []
    for problem in problems:
        line = locate(lines, problem)
        location = f"{conf_path}:{line}" if line else str(conf_path)
        logger.error(problem.message, location=location, type="trace", subtype=check_subtype(subtype))
    stop_build(summary)


def stop_build(summary: str) -> None:
    """Stop the build after located errors were logged: ``summary`` on stderr, exit status 2.

    Not a ``ConfigError``: Sphinx 9 prints any exception with a traceback and a request
    to report a Sphinx bug, which hides the located lines above it from an editor.
    Raises ``SystemExit(2)`` (what Sphinx's own command line gives for a configuration error).
    """
    print(f"\n{summary}", file=sys.stderr)
    raise SystemExit(2)


def setup(app: Any) -> dict[str, Any]:
    """Register every trace setting of :data:`SCHEMA`, and check them when conf.py is read."""
    for setting, (_, default, description) in SCHEMA.items():
        if setting not in app.config:
            app.add_config_value(setting, default, "env", description=description)
    # before Sphinx's own type check (800), whose warning would say less
    app.connect("config-inited", check_config, priority=700)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
