"""Strict trace validation: every broken link, missing mapping or duplicate is a located warning.

The extension keeps, per document, a record of every traced object that a page
or a catalog file defines (:class:`TraceCollector`), including the duplicates
that sphinx-needs drops, and runs the :mod:`trace_model.model` checks once per build
on ``env-check-consistency``. Because the checks run on the whole merged
environment on every build, a problem is reported again on an incremental build
that did not re-read the page it sits on, and a parallel build reports exactly
what a serial one does.

Each problem is a warning of type ``trace`` with its own subtype
(``trace.dangling-link`` ...), so ``make html`` (``-W --keep-going``) fails and
lists them all in one run.
"""

from __future__ import annotations

import hashlib
import logging as pylogging
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.environment.collectors import EnvironmentCollector
from sphinx.util import logging
from sphinx_needs.config import NeedsSphinxConfig
from sphinx_needs.data import SphinxNeedsData
from sphinx_needs.directives.need import NeedDirective
from sphinx_needs.roles.need_ref import NeedRef
from trace_model.model import (
    LinkRule,
    Location,
    Problem,
    TraceItem,
    TraceModel,
    TraceRules,
    diagnose_id,
    nearest,
    some_ids,
)
from trace_model.sources import (
    directive_lines,
    directive_options,
    early_closes,
    first_option_lines,
    full_width_option,
    html_comments,
    option_slips,
    repeated_values,
    written_need_ids,
)
from trace_model.warnings import check_subtype

from guideline_trace.config import ConfigProblem, locate
from guideline_trace.state import Definition, build_cache, start_reading, state

logger = logging.getLogger(__name__)

__version__ = "1.0.0"


def definitions(env: BuildEnvironment) -> dict[str, list[Definition]]:
    """Per document, the traced objects it defines (catalog rows included)."""
    return state(env).definitions


def read_problems(env: BuildEnvironment) -> dict[str, list[Problem]]:
    """Per document, problems found while reading it (malformed catalog rows, images, raw HTML)."""
    return state(env).read_problems


def need_refs(env: BuildEnvironment) -> dict[str, list[str]]:
    """Per document, the need IDs its ``{need}`` references name."""
    return state(env).need_refs


def need_fingerprints(env: BuildEnvironment) -> dict[str, str]:
    """Per document, a digest of what its need nodes and need references show from other pages.

    Linear in needs + links: each link adds the target's title to the source's page
    and the source's ID and title to the target's page (its back-links).
    """
    needs = current_needs(env)
    link_fields = list(NeedsSphinxConfig(env.config)._links)
    shown: dict[str, list[str]] = {}

    def title(need_id: str) -> str:
        need = needs.get(need_id)
        return f"{need_id}={need['title']}" if need is not None else f"{need_id}=<missing>"

    for need in needs.values():
        docname = need["docname"]
        if not docname:
            continue
        for field in link_fields:
            for target in need.get(field) or ():
                shown.setdefault(docname, []).append(f"{need['id']}>{field}>{title(target)}")
                target_need = needs.get(target)
                if target_need is not None and target_need["docname"]:
                    shown.setdefault(target_need["docname"], []).append(f"{target}<{field}<{title(need['id'])}")
    for docname, targets in need_refs(env).items():
        shown.setdefault(docname, []).extend(f"ref>{title(t)}" for t in targets)
    return {
        docname: hashlib.sha256("\n".join(sorted(lines)).encode("utf-8")).hexdigest()
        for docname, lines in shown.items()
    }


def node_location(env: BuildEnvironment, node: nodes.Node) -> Location:
    """The file and line of ``node``, or of its nearest ancestor that has them (an inline
    image has none of its own); in an included file, that file. Falls back to the page."""
    current: nodes.Node | None = node
    while current is not None and not (current.source and current.line):
        current = current.parent
    if current is None:
        return Location(node.source or str(env.doc2path(env.docname)), node.line)
    return Location(str(current.source), current.line)


def record_definition(env: BuildEnvironment, definition: Definition) -> None:
    definitions(env).setdefault(env.docname, []).append(definition)


def record_problems(env: BuildEnvironment, problems: Iterable[Problem]) -> None:
    read_problems(env).setdefault(env.docname, []).extend(problems)


class TraceCollector(EnvironmentCollector):
    """Keeps the per-document trace records right across incremental and parallel builds."""

    def clear_doc(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        state(env).clear_doc(docname)

    def merge_other(
        self, app: Sphinx, env: BuildEnvironment, docnames: AbstractSet[str], other: BuildEnvironment
    ) -> None:
        state(env).merge(state(other), docnames)

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        """Definitions are recorded by the directives; here, the needs a page's text refers to."""
        targets = sorted({str(node["reftarget"]).split(".")[0] for node in doctree.findall(NeedRef)})
        need_refs(app.env)[app.env.docname] = targets
        if not app.config.trace_allow_raw_html:
            directive_names = _need_directive_types(app.config)
            problems = []
            for node in doctree.findall(nodes.raw):
                text = node.astext().strip()
                if "html" not in node.get("format", "").split():
                    continue
                if not (text.startswith("<!--") and text.endswith("-->")):
                    problems.append(Problem(
                        node_location(app.env, node), "raw-html",
                        "raw HTML is not allowed in the guideline sources: it bypasses the checks, "
                        "the accessibility repairs and the search index.",
                        "Write it in MyST (a directive, a table, a figure); set trace_allow_raw_html in conf.py "
                        "only for trusted, reviewed markup.",
                    ))
                elif not written_need_ids(text, directive_names):  # a need in it: reported as lost, at the need
                    problems.append(Problem(
                        node_location(app.env, node), "raw-html",
                        "an HTML comment (<!-- … -->) is published: it stays in the page's HTML source for anyone "
                        "to read.",
                        "Write notes to editors as MyST comment lines, each starting with %, which are not "
                        "published; delete text that is no longer wanted (the history keeps it).",
                    ))
            record_problems(app.env, problems)

    def get_updated_docs(self, app: Sphinx, env: BuildEnvironment) -> list[str]:
        """Pages whose needs show something that another page changed.

        A need shows the titles of the needs it links to and the needs that link to
        it (back-links), and a ``{need}`` reference shows its target's title. None of
        that is in the page's own source, so sphinx-needs does not write the page
        again when it changes elsewhere; this compares a fingerprint of that data
        with the last build's and returns the pages whose fingerprint changed.
        """
        previous = state(env).need_fingerprints
        current = need_fingerprints(env)
        state(env).need_fingerprints = current
        return sorted(doc for doc, print_ in current.items() if previous.get(doc) != print_)

    def get_outdated_docs(
        self,
        app: Sphinx,
        env: BuildEnvironment,
        added: set[str],
        changed: set[str],
        removed: set[str],
    ) -> list[str]:
        # A page holding a duplicate that sphinx-needs dropped is read again on every
        # build, so the duplicate is created as soon as the first definition goes away.
        needs = SphinxNeedsData(env).get_needs_mutable()
        directive_types = _need_directive_types(app.config)
        # After a build with warnings every page is read again (guideline_trace.rebuild).
        return sorted(
            docname
            for docname, defs in definitions(env).items()
            if docname not in removed
            and any(
                d.id not in needs or needs[d.id]["docname"] != docname
                for d in defs
                if d.type in directive_types
            )
        )


def _need_directive_types(config: Config) -> set[str]:
    return {t["directive"] for t in NeedsSphinxConfig(config).types}


class TracedNeedDirective(NeedDirective):
    """sphinx-needs' need directive, recording where each ID is defined.

    A second definition of an existing ID is recorded and skipped, so the trace
    check reports it once with both places, in every build mode.
    """

    #: options every need directive takes besides its fields and links (sphinx-needs 9.1)
    CORE_OPTIONS = frozenset({"id", "jinja_content", "status", "tags", "collapse", "hide", "style", "layout",
                              "template", "pre_template", "post_template", "constraints"})

    def run(self) -> Sequence[nodes.Node]:
        slipped = self._read_slipped_options()
        need_id = (self.options.get("id") or "").strip()
        if need_id and self.options["id"] != need_id:
            # a space after the ID (a full-width one too, which sphinx-needs keeps) is not part of it
            self.options["id"] = need_id
        source, line = self.get_source_info()
        written = directive_options(self.block_text.splitlines(), 1, line + 1)

        def at(option: str, occurrence: int = 0) -> Location:
            """Where ``option`` is written (its ``occurrence``-th time), else the directive's line."""
            lines = [o.line for o in written if o.name == option]
            if not lines and option in slipped:  # read as meant from a line MyST did not take as an option
                return Location(source, slipped[option])
            return Location(source, lines[occurrence] if len(lines) > occurrence else line)

        if need_id and not re.match(self.config.needs_id_regex, need_id):
            # one message with the fix, instead of sphinx-needs' and a cascade of missing fields
            record_problems(self.env, [Problem(
                at("id"), "bad-id",
                f"{need_id!r} is not a valid ID: IDs are upper-case ASCII letters, digits and hyphens "
                "(a dot would make sphinx-needs read a need part).",
                f"Write ':id: {suggest_id(need_id)}'.",
                explains=frozenset({suggest_id(need_id)}),
            )])
            return []
        needs_config = NeedsSphinxConfig(self.config)
        for option, values in repeated_values(written).items():
            many = option in needs_config._links  # a link option takes several values; a field takes one
            record_problems(self.env, [Problem(
                at(option, 1), "duplicate-option",
                f"':{option}:' is written {len(values)} times in this {self.name!r}; only the last would be kept.",
                f"Write one ':{option}:' line with every value, separated by ', '." if many else
                f"Keep the one ':{option}:' line that is right.",
                # which value is meant is uncertain: what follows from the kept one is not reported
                explains=frozenset() if many or not need_id else frozenset({f"{need_id}.{option}"}),
            )])
            if many:
                # read as meant (all values, each once), so the one slip gives one message, not a missing
                # reason or a link named twice too
                self.options[option] = ", ".join(dict.fromkeys(
                    part.strip() for value in values for part in value.split(",") if part.strip()))
        known = self.known_options(needs_config)
        for option in sorted(set(self.options) - known):
            value = self.options.pop(option)
            guess = nearest(option, known)  # ':ISO:' and ':ｉｓｏ:' too (case and width come first)
            record_problems(self.env, [Problem(
                at(option), "unknown-option",
                f"':{option}:' is not an option of a {self.name!r}, so its value would be lost.",
                f"Did you mean ':{guess}:'?" if guess else
                f"Use one of: {', '.join(sorted(known - self.CORE_OPTIONS))}.",
            )])
            if guess and guess not in self.options:
                # read it as what was meant, so the one typo gives one message, not a missing-field too
                self.options[guess] = value
        if need_id:
            record_definition(self.env, Definition(need_id, self.name, Location(source, line),
                                                   first_option_lines(written)))
            if need_id in SphinxNeedsData(self.env).get_needs_mutable():
                return []
        if "defined_at" in needs_config.fields:
            # where the editor wrote it: the included requirements file, not the chapter page
            # that sphinx-needs' docname and lineno point at together
            self.options["defined_at"] = f"{_relative(self.env, source)}:{line}"
        return super().run()

    def known_options(self, needs_config: NeedsSphinxConfig) -> frozenset[str]:
        """Every option a need directive takes: :data:`CORE_OPTIONS`, the fields and the links."""
        return self.CORE_OPTIONS | set(needs_config.fields) | set(needs_config._links)

    def _read_slipped_options(self) -> dict[str, int]:
        """Report each option MyST did not read as one (:func:`~trace_model.sources.option_slips`) at its
        line, with the fix, and read it as meant: the one slip gives one message, not a missing link or
        reason too, and the option's text is not published as the need's body. Returns the 1-based line of
        each option so read, by name."""
        source, line = self.get_source_info()
        lines = self.block_text.splitlines()
        needs_config = NeedsSphinxConfig(self.config)
        slips = option_slips(lines, 1, line + 1, self.known_options(needs_config))
        if not slips:
            return {}
        problems = []
        after_blank = [s for s in slips if s.kind == "after-blank"]
        for slip in slips:
            if slip.kind == "wrapped":
                problems.append(Problem(
                    Location(source, slip.line), "option-syntax",
                    f"this line continues ':{slip.name}:' from line {slip.lines[0]}, but an option's value is one "
                    "line: MyST reads this line as the need's text.",
                    f"Join lines {slip.lines[0]}–{slip.lines[-1]} into one ':{slip.name}:' line.",
                ))
            elif slip.kind == "full-width":
                problems.append(Problem(
                    Location(source, slip.line), "option-syntax",
                    f"':{slip.name}:' is written with a full-width colon (：), which MyST cannot read as an "
                    f"option: this {self.name!r} would lose its options.",
                    f"Write ':{slip.name}: {slip.value}' with half-width colons.",
                ))
        if after_blank:
            names = ", ".join(f"':{s.name}:'" for s in after_blank)
            leading = not directive_options(lines, 1)  # nothing but blank lines between the fence and them
            problems.append(Problem(
                Location(source, after_blank[0].line), "option-syntax",
                f"{names} {'is' if len(after_blank) == 1 else 'are'} read as the need's text, not as options: "
                + ("a blank line right after the directive's first line means it has no options."
                   if leading else "the blank line above ends a directive's options."),
                "Delete the blank line, so that every option line comes before the first blank line.",
            ))
        record_problems(self.env, problems)
        taken = {n for s in slips if s.kind != "full-width" for n in s.lines}
        if any(s.kind == "full-width" for s in slips):
            # MyST read no option, or none from that line on, or took 'name：value' for a name: read every
            # one, folding the full-width colons
            for garbled in [name for name in self.options if "：" in name]:
                del self.options[garbled]
            for option in directive_options(lines, 1, line + 1, fold=True):
                self.options[option.name] = option.value  # need options are plain text
                taken.add(option.line)
        for slip in slips:
            if slip.kind == "after-blank" and slip.name in self.options and slip.name in needs_config._links:
                # a link option written again after the blank line: both lines' values were meant
                self.options[slip.name] = f"{self.options[slip.name]}, {slip.value}"
            else:
                self.options[slip.name] = slip.value
        self._drop_body_lines(lines, line, taken)
        return {slip.name: slip.lines[0] for slip in slips}

    def _drop_body_lines(self, lines: Sequence[str], line: int, taken: AbstractSet[int]) -> None:
        """Take the 1-based lines ``taken`` (options read as meant) out of the body MyST gave the directive,
        and the blank lines before the first kept line. ``lines``: the block text; ``line``: its fence line."""
        content: StringList = self.content  # type: ignore[has-type]  # docutils declares it untyped
        body = list(content)
        # the body is the end of the block's text (before the closing fence; MyST drops blank lines before it)
        start = next((k for k in range(len(lines) - len(body), 0, -1) if lines[k:k + len(body)] == body), None)
        if not taken or start is None:
            return
        kept = [k for k in range(len(body)) if line + start + k not in taken]
        while kept and not body[kept[0]].strip():
            kept.pop(0)
        self.content = StringList([body[k] for k in kept], items=[content.items[k] for k in kept])
        self.content_offset += kept[0] if kept else len(body)


def suggest_id(written: str) -> str:
    """``written`` as a valid ID: NFKC (half-width), upper case, ``.`` ``(`` and spaces as ``-``.

    ``REQ-CLOUD-2.1`` -> ``REQ-CLOUD-2-1``; ``ｒｅｑ－ｎｅｔ－００９`` -> ``REQ-NET-009``.
    """
    text = unicodedata.normalize("NFKC", written).upper()
    text = re.sub(r"[.\s(]+", "-", text).replace(")", "")
    return re.sub(r"-{2,}", "-", text).strip("-")


def _relative(env: BuildEnvironment, source: str) -> str:
    """``source`` relative to the source folder, with forward slashes (as editors name files)."""
    try:
        return Path(source).resolve().relative_to(Path(env.srcdir).resolve()).as_posix()
    except ValueError:
        return Path(source).as_posix()


def register_traced_directives(app: Sphinx, config: Config) -> None:
    """Replace each need type's directive by :class:`TracedNeedDirective`."""
    for directive in sorted(_need_directive_types(config)):
        app.add_directive(directive, TracedNeedDirective, override=True)


def trace_rules(config: Config, confdir: str | Path | None = None) -> TraceRules:
    """The :class:`TraceRules` that ``conf.py`` describes (in ``confdir``: where its allowed values are written)."""
    return TraceRules(
        links={
            name: LinkRule(
                targets=frozenset(rule["targets"]),
                levels=frozenset(rule["levels"]) if rule.get("levels") else None,
                sources=frozenset(rule["sources"]) if rule.get("sources") else None,
            )
            for name, rule in config.trace_link_rules.items()
        },
        required={t: tuple(tuple(g) for g in groups) for t, groups in config.trace_required_links.items()},
        required_fields={t: tuple(f) for t, f in config.trace_required_fields.items()},
        field_values={name: frozenset(v) for name, v in config.trace_field_values.items()},
        reasons=dict(config.trace_link_reasons),
        relations=dict(config.trace_link_relations),
        required_when={c: tuple(f) for c, f in config.trace_required_when.items()},
        required_backlinks={t: tuple(f) for t, f in config.trace_required_backlinks.items()},
        inherited=dict(config.trace_inherited_fields),
        unnested=frozenset(config.trace_unnested_types),
        id_patterns=dict(config.trace_id_patterns),
        id_docnames=dict(config.trace_id_docnames),
        shown_fields={t: tuple(f) for t, f in config.trace_shown_fields.items()},
        value_locations=_value_locations(config, confdir),
    )


def _value_locations(config: Config, confdir: str | Path | None) -> dict[tuple[str, str], Location]:
    """(``trace_field_values`` key, allowed value) -> its line in ``conf.py`` (empty without ``confdir``)."""
    conf_path = Path(confdir, "conf.py") if confdir is not None else None
    if conf_path is None or not conf_path.is_file():
        return {}
    lines = conf_path.read_text(encoding="utf-8").splitlines()
    found = {}
    for key, values in config.trace_field_values.items():
        for value in values:
            line = locate(lines, ConfigProblem("trace_field_values", "", str(value)))
            found[(key, str(value))] = Location(str(conf_path), line)
    return found


def current_needs(env: BuildEnvironment) -> Any:
    """sphinx-needs' needs by ID: the mutable dict while reading, the frozen view once
    sphinx-needs has post-processed them (a build that writes pages without reading any)."""
    data = SphinxNeedsData(env)
    return data.get_needs_view() if data.needs_is_post_processed else data.get_needs_mutable()


def build_model(app: Sphinx, env: BuildEnvironment) -> TraceModel:
    """The trace model of the whole site, from sphinx-needs' data and our records.

    Items come in a fixed order (by defining file and line), and for each ID the
    definition sphinx-needs kept comes first, so the same duplicates are reported
    whatever order the documents were read in.
    """
    needs = current_needs(env)
    link_fields = list(NeedsSphinxConfig(app.config)._links)
    field_names = sorted(set(app.config.trace_item_fields))
    # where each kept need is defined (a catalog entry: its data file row), and the
    # definitions sphinx-needs dropped because their ID was taken
    kept: dict[str, Location] = {}
    kept_options: dict[str, dict[str, int]] = {}
    dropped: list[Definition] = []
    for docname in sorted(definitions(env)):
        for definition in definitions(env)[docname]:
            need = needs.get(definition.id)
            if need is not None and need["docname"] == docname and definition.id not in kept:
                kept[definition.id] = definition.location
                kept_options[definition.id] = dict(definition.option_lines)
            else:
                dropped.append(definition)
    # the same text read twice (a file included by two pages) is one mistake, reported once
    # by repeated_includes, not as a duplicate of every ID in it
    dropped = [d for d in dropped if kept.get(d.id) != d.location]

    def location(need: Any) -> Location:
        if need["id"] in kept:
            return kept[need["id"]]
        docname = need["docname"]
        return Location(str(env.doc2path(docname)) if docname else "", need["lineno"])

    items = [
        TraceItem(
            id=need["id"],
            type=need["type"],
            title=need["title"],
            fields={name: _as_text(need.get(name)) for name in field_names}
            | {"docname": need["docname"] or "", "parent_need": need.get("parent_need") or ""},
            links={name: tuple(need.get(name) or ()) for name in link_fields if need.get(name)},
            location=location(need),
            option_lines=kept_options.get(need["id"], {}),
        )
        for need in needs.values()
        if not need["is_external"]
    ]
    items.sort(key=lambda item: (_location_key(item.location), item.id))
    items.extend(TraceItem(id=d.id, type=d.type, location=d.location) for d in dropped)
    return TraceModel(items, trace_rules(app.config, app.confdir))


def _location_key(location: Location | None) -> tuple[str, int]:
    return (location.file, location.line or 0) if location else ("", 0)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def warn(message: str, subtype: str, location: Any) -> None:
    """Emit one ``trace.<subtype>`` warning; ``subtype`` must be registered in :mod:`trace_model.warnings`.

    ``location``: a node, a ``(docname, line)`` pair or a ``"file:line"`` string.
    Raises ``ValueError`` for an unregistered subtype (a bug in our code, caught by the tests).
    """
    logger.warning(message, location=location, type="trace", subtype=check_subtype(subtype))


def report(problems: Iterable[Problem]) -> None:
    """Emit each problem as a located ``trace.<code>`` warning (see :func:`warn`)."""
    for problem in problems:
        message = f"{problem.message} {problem.hint}".strip()
        # "file:line" always: Sphinx reads a location without a colon as a page name (and adds ".md")
        location = f"{problem.location.file}:{problem.location.line or 1}" if problem.location else None
        warn(message, problem.code, location)


def current_model(app: Sphinx) -> TraceModel:
    """The trace model of this build, built once after every page is read (kept in the build cache)."""
    cache = build_cache(app)
    if cache.model is None:
        cache.model = build_model(app, app.env)
    return cache.model


def forget_last_build(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """``env-before-read-docs``: pages are about to be read; what was computed before is stale."""
    start_reading(app, docnames)


def check_consistency(app: Sphinx, env: BuildEnvironment) -> None:
    """Run every trace check on the merged environment and report what fails."""
    problems: list[Problem] = []
    for docname in sorted(read_problems(env)):
        problems.extend(read_problems(env)[docname])
    problems.extend(current_model(app).problems())
    problems.extend(unincluded_files(app, env))
    problems.extend(repeated_includes(app, env))
    problems.extend(lost_needs(app, env))
    problems = without_cascades(app, problems)
    if problems:
        # end Sphinx's "checking consistency... " line, so that each problem starts a line of its own
        # (a tool reading file:line at the start of a line finds the first one too)
        logger.info("")
    report(sorted(set(problems), key=lambda p: (_location_key(p.location), p.code, p.message)))


#: Catalog problems that leave the whole catalog unloaded.
CATALOG_LOAD_FAILURES = frozenset({"catalog-unreadable", "catalog-encoding", "catalog-syntax", "catalog-structure"})


class CatalogCascadeFilter(pylogging.Filter):
    """Drops sphinx-needs' "linked need X not found" for IDs already explained by another message:
    IDs of a catalog that failed to load, and needs reported lost (``lost_ids``) or refused (bad ID);
    adds the fix to the others. Drops MyST's bare syntax error for an option written with a full-width
    colon, which the need directive reports with the fix (``trace.option-syntax``).

    Those references are written in the pages' text (``{need}`` roles) and reported
    by sphinx-needs while pages are written; the one catalog problem already says
    what to fix. Installed first on Sphinx's warning handler, so a dropped record is
    not counted as a warning either. ``prefixes`` is set by each consistency check, and
    ``known_ids`` (every need ID of the build): a reference to an unknown ID that is kept gets
    the same hint as a link in a need's options (did-you-mean, case, full width; see
    :func:`trace_model.model.diagnose_id`).
    """

    MESSAGE = re.compile(r"linked need (\S+) not found")

    def __init__(self) -> None:
        super().__init__()
        self.need_directives: frozenset[str] = frozenset()
        self.prefixes: tuple[str, ...] = ()
        self.lost_ids: frozenset[str] = frozenset()
        self.known_ids: frozenset[str] = frozenset()

    @staticmethod
    def _place(record: pylogging.LogRecord) -> tuple[Path, int] | None:
        """The source file and 1-based line a record is located at, when it names an existing file."""
        location = getattr(record, "location", None)
        if isinstance(location, nodes.Node):
            location = logging.get_node_location(location)
        if not isinstance(location, str):
            return None
        path, _, line = location.rpartition(":")
        return (Path(path), int(line)) if line.isdigit() and Path(path).is_file() else None

    def _locate_reference(self, record: pylogging.LogRecord, need_id: str) -> None:
        """Move the record's line from the start of the paragraph (where sphinx-needs locates its role)
        to the line that holds the ``{need}`` reference itself, found in the source after it."""
        place = self._place(record)
        if place is None:
            return
        path, line = place
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        wanted = f"`{need_id}`"
        found = next((n for n in range(line, min(line + 200, len(lines) + 1)) if wanted in lines[n - 1]), None)
        if found is not None:
            record.location = f"{path}:{found}"

    def _full_width_option(self, record: pylogging.LogRecord) -> bool:
        """Whether the record is MyST's bare "Invalid options format" for an option line written with a
        full-width colon, which :class:`TracedNeedDirective` reports at that line with the fix. (MyST counts
        the line one too far: the line named and the one before it are read.)"""
        place = self._place(record) if "Invalid options format" in str(record.msg) else None
        if place is None:
            return False
        path, line = place
        text = path.read_text(encoding="utf-8", errors="replace")
        lines = text.splitlines()
        slipped = [n for n in (line - 1, line) if 0 < n <= len(lines) and full_width_option(lines[n - 1])]
        if not slipped:
            return False
        # only in a need directive (which reports it); another directive's message is MyST's to give
        opening = [name for number, name, _ in directive_lines(text) if number < slipped[0]]
        return bool(opening) and opening[-1] in self.need_directives

    def _misspelt_include(self, record: pylogging.LogRecord) -> bool:
        """Whether the record is docutils' "file not found" for an ``{include}`` whose meant file
        :func:`misspelt_includes` finds (and :func:`unincluded_files` reports with the fix)."""
        place = self._place(record) if 'Directive "include": file not found' in str(record.msg) else None
        return place is not None and any(number == place[1] for number, _, _ in misspelt_includes(place[0]))

    def filter(self, record: pylogging.LogRecord) -> bool:
        if getattr(record, "type", "") == "myst" and getattr(record, "subtype", "") == "directive_option":
            return not self._full_width_option(record)
        if self._misspelt_include(record):
            return False
        if getattr(record, "type", "") != "needs" or getattr(record, "subtype", "") != "link_ref":
            return True
        match = self.MESSAGE.search(str(record.msg))
        if match is None:
            return True
        need_id = match.group(1)
        if (self.prefixes and need_id.startswith(self.prefixes)) or need_id in self.lost_ids:
            return False
        hint = diagnose_id(need_id, self.known_ids) if self.known_ids and need_id not in self.known_ids else ""
        self._locate_reference(record, need_id)
        if hint.startswith("Did you mean"):  # a typo, or a need that was removed or renamed: say both
            hint += f" If {need_id} was removed or renamed, change this reference to the need it should name."
        if hint and hint not in str(record.msg):
            record.msg = f"{record.getMessage()}. {hint}"
            record.args = ()
        return True


_CASCADE_FILTER = CatalogCascadeFilter()


def install_cascade_filter(app: Sphinx) -> None:
    """``builder-inited``: put :data:`_CASCADE_FILTER` first on Sphinx's warning handlers."""
    _CASCADE_FILTER.prefixes = ()
    _CASCADE_FILTER.lost_ids = frozenset()
    _CASCADE_FILTER.known_ids = frozenset()
    _CASCADE_FILTER.need_directives = frozenset(_need_directive_types(app.config))
    for handler in pylogging.getLogger("sphinx").handlers:
        if _CASCADE_FILTER not in handler.filters and handler.level >= pylogging.WARNING:
            handler.filters.insert(0, _CASCADE_FILTER)


def failed_catalog_types(app: Sphinx, problems: Iterable[Problem]) -> set[str]:
    """Need types whose catalog file could not be loaded at all (see :data:`CATALOG_LOAD_FAILURES`)."""
    failed_files = {
        Path(p.location.file).resolve() for p in problems
        if p.code in CATALOG_LOAD_FAILURES and p.location is not None
    }
    return {
        need_type for need_type, path in app.config.trace_catalogs.items()
        if Path(app.srcdir, path).resolve() in failed_files
    }


def without_cascades(app: Sphinx, problems: list[Problem]) -> list[Problem]:
    """``problems`` less the dangling links another problem already explains, and the same
    rule set on :data:`_CASCADE_FILTER` for sphinx-needs' ``{need}`` reference warnings.

    A catalog file that cannot be loaded (one tab, one bad byte) leaves every link
    into it dangling; a need reported lost (``lost-need``) or refused for its ID
    (``bad-id``; its ``explains`` holds the ID it should have) leaves every link to
    it dangling. Those links are not reported, so the editor sees the one line to fix. A field
    written twice (``duplicate-option``) makes its value uncertain: what a rule concludes from
    the kept value (a required ``paper_ref`` for ``source: paper``) is not reported either.
    """
    failed_types = failed_catalog_types(app, problems)
    explained = frozenset().union(*(p.explains for p in problems))
    _CASCADE_FILTER.prefixes = tuple(
        str(t["prefix"]) for t in NeedsSphinxConfig(app.config).types if t["directive"] in failed_types
    )
    _CASCADE_FILTER.lost_ids = explained
    _CASCADE_FILTER.known_ids = frozenset(current_model(app).items)
    return [
        p for p in problems
        if not (p.code == "dangling-link" and (
            p.target_id in explained or (p.target_types and p.target_types <= failed_types)))
        and not (p.rests_on & explained)
    ]


def lost_needs(app: Sphinx, env: BuildEnvironment) -> list[Problem]:
    """Needs written in a published source file that did not become needs.

    A fence closed early (an inner ```` ```{note} ```` inside a need fenced with as
    many backticks) ends that need at the inner block's closing fence and turns the next need into a
    code block: it would vanish from the page's requirements, needs.json, every view and export, with
    its raw options published as code. The inner block is reported at its line (also when no need
    follows it, and the need's own tail is what leaves it), naming the needs lost after it; other lost
    IDs are reported at the line they are written on. Needs inside an
    HTML comment are reported at the comment, one message per comment.
    """
    files = {Path(env.doc2path(doc)).resolve() for doc in env.found_docs} | included_files(app, env)
    directive_names = _need_directive_types(app.config)
    defined = {d.id for defs in definitions(env).values() for d in defs}
    problems = []
    for path in sorted(f for f in files if f.suffix == ".md" and f.is_file()):
        text = path.read_text(encoding="utf-8")
        lost = [
            (need_id, line)
            for need_id, line in written_need_ids(text, directive_names)
            # not built, and not refused with a message of its own (bad-id)
            if need_id not in defined and re.match(app.config.needs_id_regex, need_id)
        ]
        for close in early_closes(text, directive_names):
            # the needs lost after it are lost because of it: one message, at the cause
            after = [(i, n) for i, n in lost if n > close.line]
            problems.append(Problem(
                Location(str(path), close.line), "lost-need",
                f"this {{{close.name}}} block is fenced like {close.need_id} it is written in ({close.fence}), so "
                f"its closing fence closes {close.need_id}: the rest of {close.need_id} (its 解説 …) is published "
                "outside it as page text"
                + (f", and {some_ids(i for i, _ in after)} after it {'is' if len(after) == 1 else 'are'} lost"
                   if after else "") + ".",
                f"Write the inner block with colons (:::{{{close.name}}} … :::), or fence the need with more backticks "
                "than the block inside it (````{measure} … ````).",
                explains=frozenset(i for i, _ in after),
            ))
            lost = [(i, n) for i, n in lost if n <= close.line]
        for first_line, last_line in html_comments(text):
            commented = [need_id for need_id, line in lost if first_line <= line <= last_line]
            if commented:
                problems.append(Problem(
                    Location(str(path), first_line), "lost-need",
                    f"{', '.join(commented)} {'is' if len(commented) == 1 else 'are'} inside an HTML comment "
                    f"(lines {first_line}–{last_line}), so not published as a need; the comment's text is "
                    "still published, in the page's HTML source.",
                    "To drop it, delete it (the history keeps it); to keep it, delete the <!-- and --> lines.",
                    explains=frozenset(commented),
                ))
                lost = [(i, n) for i, n in lost if not first_line <= n <= last_line]
        if not lost:
            continue
        names = lost[0][0] if len(lost) == 1 else (
            f"{len(lost)} needs from here on ({some_ids(i for i, _ in lost)})")
        verb = "is" if len(lost) == 1 else "are"
        text_lines = text.splitlines()
        first = text_lines[lost[0][1] - 1] if 0 < lost[0][1] <= len(text_lines) else ""
        if len(first) - len(first.lstrip(" ")) >= 4 or first.startswith("\t"):
            # indented by four spaces or a tab: Markdown reads the whole block as code
            problems.append(Problem(
                Location(str(path), lost[0][1]), "lost-need",
                f"{names} {verb} written here but not in the built site: the block is indented by four spaces "
                "or more, so Markdown reads it as code.",
                "Remove the indentation: a need's fence and options start at the beginning of the line.",
                explains=frozenset(need_id for need_id, _ in lost),
            ))
            continue
        problems.append(Problem(
            Location(str(path), lost[0][1]), "lost-need",
            f"{names} {verb} written here but not in the built site: this text was not read as need "
            "directives, most often because a block inside the need before it ({note}, a code block) is "
            "fenced like that need (same number of backticks, tildes or colons), which closes the need early.",
            "Fence the outer directive with more backticks or colons than any block inside it "
            "(````{measure} … ````), or write the inner block with colons (:::{note} … :::).",
            explains=frozenset(need_id for need_id, _ in lost),
        ))
    return problems


def repeated_includes(app: Sphinx, env: BuildEnvironment) -> list[Problem]:
    """Files whose definitions were read more than once (included by two pages, or twice by one; a catalog
    shown by two ``{trace-catalog}`` directives).

    One message per file, at the last directive that reads it and naming the others, instead of a
    "defined twice" for every ID in it.
    """
    readers: dict[tuple[str, int | None, str], list[str]] = {}
    for docname in sorted(definitions(env)):
        for definition in definitions(env)[docname]:
            key = (definition.location.file, definition.location.line, definition.id)
            readers.setdefault(key, []).append(docname)
    pages_of: dict[str, list[str]] = {}
    for (file, _, _), docnames in readers.items():
        if len(docnames) > 1:
            pages = pages_of.setdefault(file, [])
            pages.extend(d for d in dict.fromkeys(docnames) if d not in pages)
    problems = []
    for file, pages in sorted(pages_of.items()):
        includes = [place for page in pages for place in include_lines(Path(env.doc2path(page)), Path(file))
                    + catalog_lines(app, Path(env.doc2path(page)), Path(file))]
        if len(includes) > 1:  # at the last {include} of it, naming the others
            *others, last = includes
            where = ", ".join(f"{_relative(env, str(f))}:{n}" for f, n in others)
            shown, directive = ("included", "{include}") if Path(file).suffix == ".md" else ("shown", "{trace-catalog}")
            problems.append(Problem(
                Location(str(last[0]), last[1]), "included-twice",
                f"{_relative(env, file)} is {shown} here and at {where}, so every ID in it would be defined twice.",
                f"Delete one of the {directive} directives, and refer to its items from the other page with "
                "{need}`ID`.",
            ))
            continue
        where = ", ".join(str(env.doc2path(p).relative_to(app.srcdir)) for p in pages)
        problems.append(Problem(
            Location(file, 1), "included-twice",
            f"{_relative(env, file)} is read more than once (by {where}), so every ID in it would be defined twice.",
            "Include it from one page only, and refer to its items from the others with {need}`ID`.",
        ))
    return problems


def _directives_in(page: Path, name: str) -> list[tuple[int, str]]:
    """(1-based line, argument) of each ``{name}`` directive written in ``page`` (none if it is no file)."""
    if not page.is_file():
        return []
    return [(number, argument) for number, _, argument in directive_lines(page.read_text(encoding="utf-8"), name)]


def include_lines(page: Path, target: Path) -> list[tuple[Path, int]]:
    """(page, 1-based line) of each ``{include}`` in ``page`` that reads ``target`` (paths relative to the page)."""
    return [(page, number) for number, argument in _directives_in(page, "include")
            if (page.parent / argument).resolve() == target.resolve()]


def catalog_lines(app: Sphinx, page: Path, target: Path) -> list[tuple[Path, int]]:
    """(page, 1-based line) of each ``{trace-catalog}`` in ``page`` that shows the catalog file ``target``."""
    paths = app.config.trace_catalogs
    return [(page, number) for number, argument in _directives_in(page, "trace-catalog")
            if argument in paths and (Path(app.srcdir) / paths[argument]).resolve() == target.resolve()]


def misspelt_includes(page: Path) -> list[tuple[int, str, Path]]:
    """(1-based line, path as written, the file meant) of each ``{include}`` in ``page`` that names a file
    that does not exist, when a file with a close name (:func:`~trace_model.model.nearest`) sits in the
    folder it names."""
    if not page.is_file():
        return []
    found = []
    source = page.read_text(encoding="utf-8")
    code: set[int] | None = None
    for number, _, written in directive_lines(source, "include"):
        if (page.parent / written).exists():
            continue
        meant = _nearest_path(page.parent, written)
        if meant is None:
            continue
        if code is None:  # an {include} shown in a code example is not one (read only when it matters)
            from guideline_trace.includes import code_lines, myst_parse

            code = code_lines(source, myst_parse())
        if number - 1 not in code:
            found.append((number, written, meant))
    return found


def _relative_to(base: Path, path: Path) -> str:
    """``path`` as an {include} in a page of the folder ``base`` would name it."""
    return Path(os.path.relpath(path, base.resolve())).as_posix()


def _nearest_path(base: Path, written: str) -> Path | None:
    """The existing file that ``written`` (a path relative to ``base``) most likely means: each missing part
    of the path replaced by the closest name in its folder (:func:`~trace_model.model.nearest`), or None."""
    path = base
    for part in Path(written).parts:
        candidate = path / part
        if not candidate.exists():
            if not path.is_dir():
                return None
            guess = nearest(part, sorted(p.name for p in path.iterdir()))
            if guess is None:
                return None
            candidate = path / guess
        path = candidate
    return path.resolve() if path.is_file() else None


def included_files(app: Sphinx, env: BuildEnvironment) -> set[Path]:
    """Every file some page depends on ({include}, images, catalog data), as resolved paths."""
    srcdir = Path(app.srcdir)
    return {(srcdir / p).resolve() for deps in env.dependencies.values() for p in deps}


def unincluded_files(app: Sphinx, env: BuildEnvironment) -> list[Problem]:
    """Source files that must reach the site through an ``{include}`` (``trace_included_files``,
    glob patterns relative to the source folder) but that no page includes: their
    requirements would vanish from every view and export without a word."""
    included = included_files(app, env)
    srcdir = Path(app.srcdir)
    directive_names = _need_directive_types(app.config)
    found = []
    meant: set[Path] = set()
    for docname in sorted(env.found_docs):
        page = Path(env.doc2path(docname))
        for number, as_written, path in misspelt_includes(page):
            meant.add(path)
            ids = written_need_ids(path.read_text(encoding="utf-8"), directive_names) if path.suffix == ".md" else []
            found.append(Problem(
                Location(str(page), number), "not-included",
                f"this {{include}} names {as_written}, which does not exist, so nothing of "
                f"{path.relative_to(srcdir).as_posix() if path.is_relative_to(srcdir) else path} is published.",
                f"Did you mean '{_relative_to(page.parent, path)}'?",
                explains=frozenset(need_id for need_id, _ in ids),
            ))
    for pattern in app.config.trace_included_files:
        for path in sorted(srcdir.glob(pattern)):
            if path.resolve() not in included and path.resolve() not in meant:
                written = written_need_ids(path.read_text(encoding="utf-8"), directive_names) if path.is_file() else []
                swallowed = _written_include(env, path)
                if swallowed is not None:
                    # the page names it in an {include} that was not read as one: the cause is at that line
                    found.append(Problem(
                        swallowed, "not-included",
                        f"this {{include}} of {path.relative_to(srcdir).as_posix()} was not read as a directive, so "
                        "nothing in that file is published: a code block or directive above it is probably not "
                        "closed, or the line is indented.",
                        "Close the block above (a line of as many backticks as opened it), and start the "
                        "{include} line at the beginning of the line.",
                        explains=frozenset(need_id for need_id, _ in written),
                    ))
                    continue
                found.append(Problem(
                    Location(str(path), 1), "not-included",
                    f"{path.relative_to(srcdir).as_posix()} is included by no page, so nothing in it is published.",
                    "Include it (an {include} directive) from the chapter page that presents it, or delete the file.",
                    # the links to its needs dangle because of this one problem
                    explains=frozenset(need_id for need_id, _ in written),
                ))
    return found


def _written_include(env: BuildEnvironment, path: Path) -> Location | None:
    """Where a published page writes an ``{include}`` of ``path`` (:func:`include_lines`), or None."""
    for docname in sorted(env.found_docs):
        for page, number in include_lines(Path(env.doc2path(docname)), path):
            return Location(str(page), number)
    return None


def stable_container_ids(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Give each need's container an ID from the need, not sphinx-needs' random one.

    sphinx-needs names the container ``SNCB-<random>``, so two builds of the same
    sources differ; ``SNCB-<need id>`` is stable and still unique.
    """
    for container in doctree.findall(nodes.container):
        ids = container["ids"]
        if "need_container" in container["classes"] and ids and ids[0].startswith("SNCB-"):
            tables = [t for t in container.findall(nodes.table) if t["ids"]]
            if tables:
                container["ids"] = [f"SNCB-{tables[0]['ids'][0]}"]


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("sphinx_needs")
    app.setup_extension("guideline_trace.rebuild")  # a failed check is reported again on the next build
    app.setup_extension("guideline_trace.config")  # every trace_* setting, typed and checked
    app.connect("config-inited", register_traced_directives, priority=900)
    app.add_env_collector(TraceCollector)
    app.connect("env-before-read-docs", forget_last_build)
    app.connect("env-check-consistency", check_consistency)
    app.connect("builder-inited", install_cascade_filter)
    app.connect("doctree-resolved", stable_container_ids, priority=800)
    return {
        "version": __version__,
        "env_version": 7,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
