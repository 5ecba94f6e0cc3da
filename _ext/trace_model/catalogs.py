"""Standard catalogs as data: load, check and locate the YAML files in ``traceability/catalogs``.

A catalog file holds a header (``catalog``, ``title``, ``sources`` ...) and an
``entries`` list, one flow mapping per line. This module turns it into
:class:`CatalogEntry` records that remember their line, and reports every
malformed row as a located :class:`~trace_model.model.Problem` instead of stopping at
the first. It does not import Sphinx: the catalog directive, the exports and the
tests all use it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml

from trace_model.model import Location, Problem, nearest


@dataclass(frozen=True)
class CatalogSchema:
    """What the rows of one kind of catalog look like.

    ``levels`` maps each level, top first, to the pattern its printed number must
    match; ``required`` are the keys every row must have; ``fields`` are the keys
    copied into need fields (the title and ``text`` become the need's title and
    content); ``links`` maps a list column to the need link field it fills and the
    ID prefix of the numbers it lists.
    """

    key: str
    need_type: str
    id_prefix: str
    levels: Mapping[str, str]
    required: Sequence[str]
    fields: Sequence[str]
    lists: Sequence[str] = ()
    values: Mapping[str, Sequence[str]] = field(default_factory=dict)
    links: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def columns(self) -> frozenset[str]:
        """Every key a row may have: the required ones, fields, lists, links, and the quoted
        ``text`` and ``paper_text`` that the catalog page shows."""
        return frozenset({*self.required, *self.fields, *self.lists, *self.values, *self.links, "text", "paper_text"})

    def level_of(self, number: str) -> str | None:
        """The level whose number pattern ``number`` matches, if any."""
        for level, pattern in self.levels.items():
            if re.fullmatch(pattern, number):
                return level
        return None

    def parent_of(self, number: str) -> str | None:
        """The printed number one level up; None for a top-level entry."""
        if self.level_of(number) == next(iter(self.levels)):
            return None
        return parent_number(number)


#: The catalogs this project knows. A catalog file names its schema in ``catalog:``.
SCHEMAS: dict[str, CatalogSchema] = {
    schema.key: schema
    for schema in (
        CatalogSchema(
            key="nisc-h26",
            need_type="nisc",
            id_prefix="NISC-",
            levels={
                "part": r"[1-8]",
                "section": r"[1-8]\.\d{1,2}",
                "item": r"[1-8]\.\d{1,2}\.\d{1,2}",
                "requirement": r"[1-8]\.\d{1,2}\.\d{1,2}\(\d{1,2}\)",
            },
            required=("number", "level", "title", "confidence", "source"),
            fields=("confidence",),
            lists=("source",),
            values={"confidence": ("high", "medium", "low")},
        ),
        CatalogSchema(
            key="iso27001-2013",
            need_type="iso",
            id_prefix="ISO-",
            levels={
                "clause": r"A\.\d{1,2}",
                "objective": r"A\.\d{1,2}\.\d{1,2}",
                "control": r"A\.\d{1,2}\.\d{1,2}\.\d{1,2}",
            },
            required=("number", "level", "title_en", "title_ja", "source"),
            fields=("title_en", "title_ja", "ja_confidence"),
            lists=("source",),
            values={"ja_confidence": ("high", "medium", "low")},
        ),
        CatalogSchema(
            key="iso27001-2022",
            need_type="iso22",
            id_prefix="ISO22-",
            levels={"theme": r"[5-8]", "control": r"[5-8]\.\d{1,2}"},
            required=("number", "level", "title_en", "title_ja", "source"),
            fields=("title_en", "title_ja", "ja_confidence", "new"),
            lists=("source", "corresponds_2013"),
            values={"ja_confidence": ("high", "medium", "low")},
            links={"corresponds_2013": ("corresponds", "ISO-")},
        ),
    )
}

HEADER_KEYS = ("catalog", "title", "edition", "sources", "entries")


@dataclass(frozen=True)
class CatalogEntry:
    """One row of a catalog, with the ID, level and parent derived from its number."""

    id: str
    number: str
    level: str
    parent: str | None
    values: Mapping[str, Any]
    location: Location


@dataclass
class Catalog:
    """A loaded catalog: its header, the rows that passed the checks, and the problems."""

    path: Path
    schema: CatalogSchema | None
    header: dict[str, Any] = field(default_factory=dict)
    entries: list[CatalogEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def title(self) -> str:
        return str(self.header.get("title", ""))


def number_to_id(prefix: str, number: str) -> str:
    """``A.15.1.2`` -> ``ISO-A-15-1-2``; ``4.1.1(2)`` -> ``NISC-4-1-1-2``.

    IDs have no dots: sphinx-needs reads a dot as the need-part separator.
    """
    return prefix + re.sub(r"[.(]", "-", number).replace(")", "")


def repair_number(number: str, schema: CatalogSchema) -> str | None:
    """The number of ``schema`` that ``number`` was most likely meant to be, or ``None``.

    Tries, in turn: full-width characters as half-width (NFKC), surrounding spaces and stray
    dots removed, ``、`` ``,`` ``-`` as dots, and a dot after a letter prefix (``A15.1`` -> ``A.15.1``).
    """
    candidate = unicodedata.normalize("NFKC", number).strip().strip(".,")
    tries = [candidate, re.sub(r"[、,\-]", ".", candidate)]
    tries.append(re.sub(r"^([A-Za-z]+)(\d)", r"\1.\2", tries[-1]))
    return next((t for t in tries if t != number and schema.level_of(t) is not None), None)


def parent_number(number: str) -> str | None:
    """The printed number one level up, or None at the top."""
    if number.endswith(")"):
        return number[: number.rindex("(")]
    return number.rsplit(".", 1)[0] if "." in number else None


class _LineLoader(yaml.SafeLoader):
    """A safe loader that records the 1-based line of every mapping in ``__line__``."""


class DuplicateKeyError(yaml.MarkedYAMLError):
    """A mapping names the same key twice; plain YAML would keep the last value without a word."""

    def __init__(self, key: str, first_line: int, mark: yaml.Mark) -> None:
        super().__init__(problem=f"the key {key!r} is written twice (first at line {first_line}), "
                         "and only the last value would be kept", problem_mark=mark)
        self.key = key


def _construct_mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    seen: dict[Any, int] = {}
    raw_number = None
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, str) and key in seen:
            raise DuplicateKeyError(key, seen[key], key_node.start_mark)
        seen[key] = key_node.start_mark.line + 1
        if key == "number" and isinstance(value_node, yaml.ScalarNode):
            raw_number = value_node.value  # as written: 5.10, before YAML reads it as the float 5.1
    mapping = cast(dict[str, Any], loader.construct_mapping(node, deep=True))
    if raw_number is not None:
        mapping["__number_text__"] = raw_number
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping_with_line
)


def load_catalog(path: Path, expected_type: str | None = None) -> Catalog:
    """Read and check one catalog file; problems are returned, never raised."""
    catalog = Catalog(path=path, schema=None)
    where = str(path)

    def report(line: int | None, code: str, message: str, hint: str = "", explains: frozenset[str] = frozenset()) -> None:
        catalog.problems.append(Problem(Location(where, line), code, message, hint, explains=explains))

    try:
        raw = path.read_bytes()
    except OSError as err:
        report(None, "catalog-unreadable", f"cannot read the catalog file: {err.strerror}.",
               "Check the path in trace_catalogs in conf.py.")
        return catalog
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        report(line, "catalog-encoding",
               f"the catalog file is not valid UTF-8 (byte 0x{raw[err.start]:02x}).",
               "Save the file as UTF-8 (without BOM).")
        return catalog
    try:
        data = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        context_mark = getattr(err, "context_mark", None)
        if "flow" in (getattr(err, "context", None) or "") and context_mark is not None:
            mark = context_mark  # an unclosed '{…}' or '[…]' row: the line that opened it
        problem = getattr(err, "problem", None) or str(err)
        report(mark.line + 1 if mark else None, "catalog-syntax",
               f"YAML syntax error: {problem}.",
               f"Delete one of the two {err.key!r} values." if isinstance(err, DuplicateKeyError) else
               "YAML indents with spaces, never tabs: replace the tab on this line with spaces."
               if "'\\t'" in str(problem) else
               "Quote values that contain ':', ',', '[' or '{', and check the indentation.")
        return catalog

    if not isinstance(data, dict):
        report(1, "catalog-structure", "the catalog file must be a mapping with 'catalog' and 'entries'.")
        return catalog
    catalog.header = {k: v for k, v in data.items() if k != "entries" and k != "__line__"}
    key = data.get("catalog")
    schema = SCHEMAS.get(str(key))
    if schema is None:
        guess = nearest(str(key), SCHEMAS)
        report(1, "catalog-structure", f"unknown catalog kind {key!r}.",
               f"Did you mean {guess!r}?" if guess else f"Use one of: {', '.join(SCHEMAS)}.")
        return catalog
    if expected_type is not None and schema.need_type != expected_type:
        report(1, "catalog-structure",
               f"this is a {schema.key!r} catalog (need type {schema.need_type!r}), "
               f"but conf.py loads it as {expected_type!r}.",
               "Fix the file name in trace_catalogs in conf.py.")
        return catalog
    catalog.schema = schema
    for name in HEADER_KEYS:
        if name not in data:
            report(1, "catalog-structure", f"the catalog header has no {name!r}.")
    source_ids = {
        str(s.get("id")) for s in data.get("sources") or [] if isinstance(s, dict)
    }
    rows = data.get("entries")
    if not isinstance(rows, list):
        report(data.get("__line__"), "catalog-structure", "'entries' must be a list of rows.")
        return catalog

    seen: dict[str, int | None] = {}
    for row in rows:
        if not isinstance(row, dict):
            report(None, "catalog-row", f"an entry must be a mapping, not {row!r}.")
            continue
        entry = _check_row(row, schema, source_ids, seen, report, where)
        if entry is not None:
            catalog.entries.append(entry)
    known = {e.number for e in catalog.entries}
    refused = {item_id for problem in catalog.problems for item_id in problem.explains}
    orphans: dict[str, list[CatalogEntry]] = {}  # missing parent -> its entries, in file order
    for entry in catalog.entries:
        parent = schema.parent_of(entry.number)
        # a parent whose own row was refused is that row's problem, not one more per child
        if parent is not None and parent not in known and number_to_id(schema.id_prefix, parent) not in refused:
            orphans.setdefault(parent, []).append(entry)
    for parent, children in orphans.items():  # one missing row is one message, at its first child
        numbers = [c.number for c in children]
        report(children[0].location.line, "catalog-row",
               f"entry {numbers[0]!r} has no parent entry {parent!r} in this catalog"
               + (f" (nor have {', '.join(map(repr, numbers[1:]))})." if len(numbers) > 1 else "."),
               f"Add a row for {parent!r} before it.")
    return catalog


def _check_row(
    row: dict[str, Any],
    schema: CatalogSchema,
    source_ids: set[str],
    seen: dict[str, int | None],
    report: Any,
    where: str,
) -> CatalogEntry | None:
    line = row.get("__line__")
    # a refused row leaves every link to it dangling: its problem explains those links (no cascade)
    written = row.get("__number_text__", row.get("number"))
    meant = frozenset({number_to_id(schema.id_prefix, str(written))}) if written not in (None, "", []) else frozenset()

    def refuse(code: str, message: str, hint: str = "", explains: frozenset[str] | None = None) -> None:
        report(line, code, message, hint, meant if explains is None else explains)

    columns = schema.columns()
    for key in sorted(k for k in row if not str(k).startswith("__") and k not in columns):
        # reported, and the row kept: a misspelt column's value would otherwise be lost without a word
        guess = nearest(str(key), columns)
        report(line, "catalog-value", f"the row has a column {key!r} that a {schema.key!r} catalog does not have, "
               "so its value would be lost.",
               f"Did you mean {guess!r}?" if guess else f"Use only: {', '.join(sorted(columns))}.")
    missing = [name for name in schema.required if row.get(name) in (None, "", [])]
    if missing:
        refuse("catalog-missing-column", f"the row has no {', '.join(repr(m) for m in missing)}.",
               f"Every {schema.key!r} row needs: {', '.join(schema.required)}.")
        return None
    number = row["number"]
    if not isinstance(number, str):
        refuse("catalog-number", f"the number {written} must be a quoted string.",
               f'Write number: "{written}" (unquoted, YAML reads it as the number {number!r}).')
        return None
    level = schema.level_of(number)
    if level is None:
        repaired = repair_number(number, schema)
        forms = "Expected one of the forms: " + ", ".join(f"{lv} {pattern}" for lv, pattern in schema.levels.items()) + "."
        refuse("catalog-number", f"{number!r} is not a {schema.key!r} number.",
               f"Did you mean {repaired!r}?" if repaired else forms,
               frozenset({number_to_id(schema.id_prefix, repaired)}) if repaired else None)
        return None
    if row["level"] != level:
        refuse("catalog-level", f"{number!r} is a {level} number, but the row says level {row['level']!r}.",
               f"Write level: {level}.")
        return None
    if number in seen:
        report(line, "catalog-duplicate",
               f"the number {number!r} appears twice (first at line {seen[number]}).",
               "Delete or renumber one of the two rows.")
        return None
    seen[number] = line
    for name, allowed in schema.values.items():
        if name in row and row[name] not in allowed:
            refuse("catalog-value", f"{name} is {row[name]!r}, which is not one of: {', '.join(allowed)}.")
            return None
    for name in schema.lists:
        if name in row and not isinstance(row[name], list):
            refuse("catalog-value", f"{name!r} must be a list, e.g. [S1, S2].")
            return None
    unknown_sources = [s for s in row.get("source", []) if str(s) not in source_ids]
    if unknown_sources:
        refuse("catalog-value", f"the source {unknown_sources[0]!r} is not in the 'sources' header.",
               "Add it to 'sources' or correct the id.")
        return None
    parent = schema.parent_of(number)
    values = {k: v for k, v in row.items() if not k.startswith("__")}
    return CatalogEntry(
        id=number_to_id(schema.id_prefix, number),
        number=number,
        level=level,
        parent=number_to_id(schema.id_prefix, parent) if parent else None,
        values=values,
        location=Location(where, line),
    )


@dataclass(frozen=True)
class SoaExclusion:
    """One control the guideline excludes from its Statement of Applicability, with the reason."""

    number: str
    justification: str
    line: int | None


@dataclass
class SoaData:
    path: Path
    rows: list[SoaExclusion] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: the 1-based line of the ``exclusions:`` key (where a missing exclusion belongs), if found
    exclusions_line: int | None = None
    #: whether the file was read and its exclusions list understood (else no completeness is judged)
    loaded: bool = False


def load_soa(path: Path) -> SoaData:
    """Read a SoA exclusions file (``exclusions: [{control, justification}]``); problems are returned.

    ``control`` is the entry's printed number (``"A.14.2.6"``, or a NISC item such as ``"7.3.2"``).
    Never raises: an unreadable, non-UTF-8 or malformed file gives ``soa-file`` problems.
    """
    data = SoaData(path)
    where = str(path)

    def report(line: int | None, code: str, message: str, hint: str = "") -> None:
        data.problems.append(Problem(Location(where, line), code, message, hint))

    try:
        text = path.read_bytes().decode("utf-8")
        doc = yaml.load(text, Loader=_LineLoader)
    except OSError as err:
        report(1, "soa-file", f"cannot read the SoA file: {err.strerror}.", "Check trace_soa_files in conf.py.")
        return data
    except UnicodeDecodeError as err:
        report(1, "soa-file", f"the SoA file is not valid UTF-8 ({err.reason}).", "Save it as UTF-8 (without BOM).")
        return data
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        problem = str(getattr(err, "problem", None) or err)
        report(mark.line + 1 if mark else 1, "soa-file", f"YAML syntax error: {problem}.",
               f"Delete one of the two {err.key!r} values." if isinstance(err, DuplicateKeyError) else
               "YAML indents with spaces, never tabs: replace the tab on this line with spaces."
               if "'\\t'" in problem else
               "Quote a value that holds ':' or ',' with \"…\".")
        return data
    lines = text.splitlines()
    data.exclusions_line = next(
        (n for n, line in enumerate(text.splitlines(), 1) if line.startswith("exclusions:")), None
    )
    rows = doc.get("exclusions") if isinstance(doc, dict) else None
    if isinstance(doc, dict) and "exclusions" in doc and rows is None:
        rows = []  # 'exclusions:' with nothing under it: no exclusion (as 'exclusions: []')
    if not isinstance(rows, list):
        # a misspelt key ('exclusion:') is named at its own line, with the key it should be
        keys = [str(k) for k in doc if k != "__line__"] if isinstance(doc, dict) else []
        misspelt = next((k for k in keys if nearest(k, ["exclusions"]) == "exclusions"), None)
        at = next((n for n, text_line in enumerate(text.splitlines(), 1)
                   if misspelt is not None and text_line.startswith(f"{misspelt}:")), 1)
        report(at, "soa-file",
               f"the SoA file needs a list 'exclusions'{f', not {misspelt!r}' if misspelt else ''}.",
               "Write 'exclusions:'." if misspelt else "Write 'exclusions: []' if there are none.")
        return data
    seen: dict[str, int | None] = {}
    for row in rows:
        line = row.get("__line__") if isinstance(row, dict) else None
        unknown = [str(k) for k in row if k not in ("control", "justification", "__line__")] \
            if isinstance(row, dict) else []
        if unknown:  # a misspelt key ('justfication'): name it, with the key it should be
            guess = nearest(unknown[0], ["control", "justification"])
            report(line, "soa-file", f"an exclusion has the key {unknown[0]!r}, which an exclusion does not have.",
                   f"Did you mean {guess!r}?" if guess else "An exclusion has 'control' and 'justification'.")
            continue
        if not isinstance(row, dict) or not row.get("control") or not str(row.get("justification", "")).strip():
            report(line, "soa-file", "each exclusion needs 'control' and a non-empty 'justification'.")
            continue
        if not isinstance(row["control"], str):
            written = re.search(r"control:\s*([^,}\s]+)", lines[line - 1]) if line and line <= len(lines) else None
            as_written = written.group(1) if written else str(row["control"])
            report(line, "soa-file", f"the number {as_written} is not quoted, so YAML reads it as "
                   f"{row['control']!r}" + (" (7.10 becomes 7.1)." if as_written != str(row["control"]) else "."),
                   f"Write it in quotes: control: \"{as_written}\".")
            continue
        number = str(row["control"])
        if number in seen:
            report(line, "soa-file", f"{number!r} is excluded twice (first at line {seen[number]}).",
                   "Delete one of the two lines.")
            continue
        seen[number] = line
        data.rows.append(SoaExclusion(number, str(row["justification"]).strip(), line))
    data.loaded = not data.problems
    return data
