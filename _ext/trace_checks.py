"""Strict trace validation: every broken link, missing mapping or duplicate is a located warning.

The extension keeps, per document, a record of every traced object that a page
or a catalog file defines (:class:`TraceCollector`), including the duplicates
that sphinx-needs drops, and runs the :mod:`trace_model` checks once per build
on ``env-check-consistency``. Because the checks run on the whole merged
environment on every build, a problem is reported again on an incremental build
that did not re-read the page it sits on, and a parallel build reports exactly
what a serial one does.

Each problem is a warning of type ``trace`` with its own subtype
(``trace.dangling-link`` ...), so ``make html`` (``-W --keep-going``) fails and
lists them all in one run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.environment.collectors import EnvironmentCollector
from sphinx.util import logging
from sphinx_needs.config import NeedsSphinxConfig
from sphinx_needs.data import SphinxNeedsData
from sphinx_needs.directives.need import NeedDirective

from trace_model import LinkRule, Location, Problem, TraceItem, TraceModel, TraceRules

logger = logging.getLogger(__name__)

__version__ = "1.0.0"


class Definition(NamedTuple):
    """One place that defines a traced object: a need directive or a catalog row."""

    id: str
    type: str
    location: Location


def definitions(env: BuildEnvironment) -> dict[str, list[Definition]]:
    """Per document, the traced objects it defines (catalog rows included)."""
    if not hasattr(env, "trace_definitions"):
        env.trace_definitions = {}
    return env.trace_definitions  # type: ignore[no-any-return]


def read_problems(env: BuildEnvironment) -> dict[str, list[Problem]]:
    """Per document, problems found while reading it (malformed catalog rows)."""
    if not hasattr(env, "trace_read_problems"):
        env.trace_read_problems = {}
    return env.trace_read_problems  # type: ignore[no-any-return]


def record_definition(env: BuildEnvironment, definition: Definition) -> None:
    definitions(env).setdefault(env.docname, []).append(definition)


def record_problems(env: BuildEnvironment, problems: Iterable[Problem]) -> None:
    read_problems(env).setdefault(env.docname, []).extend(problems)


class TraceCollector(EnvironmentCollector):
    """Keeps the per-document trace records right across incremental and parallel builds."""

    def clear_doc(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        definitions(env).pop(docname, None)
        read_problems(env).pop(docname, None)

    def merge_other(
        self, app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment
    ) -> None:
        for docname in docnames:
            if docname in definitions(other):
                definitions(env)[docname] = definitions(other)[docname]
            if docname in read_problems(other):
                read_problems(env)[docname] = read_problems(other)[docname]

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        """Records are made by the directives while the document is read."""

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
        return sorted(
            docname
            for docname, defs in definitions(env).items()
            if docname not in removed
            and any(
                d.id not in needs or needs[d.id]["docname"] != docname
                for d in defs
                if d.type in _need_directive_types(app.config)
            )
        )


def _need_directive_types(config: Config) -> set[str]:
    return {t["directive"] for t in NeedsSphinxConfig(config).types}


class TracedNeedDirective(NeedDirective):
    """sphinx-needs' need directive, recording where each ID is defined.

    A second definition of an existing ID is recorded and skipped, so the trace
    check reports it once with both places, in every build mode.
    """

    def run(self) -> Sequence[nodes.Node]:
        need_id = (self.options.get("id") or "").strip()
        if need_id:
            source, line = self.get_source_info()
            record_definition(self.env, Definition(need_id, self.name, Location(source, line)))
            if need_id in SphinxNeedsData(self.env).get_needs_mutable():
                return []
        return super().run()


def register_traced_directives(app: Sphinx, config: Config) -> None:
    """Replace each need type's directive by :class:`TracedNeedDirective`."""
    for directive in sorted(_need_directive_types(config)):
        app.add_directive(directive, TracedNeedDirective, override=True)


def check_config(app: Sphinx, config: Config) -> None:
    """Refuse trace settings that name unknown link fields or types."""
    needs_config = NeedsSphinxConfig(config)
    link_names = set(needs_config._links) | {"links"}
    types = _need_directive_types(config)
    for name, rule in config.trace_link_rules.items():
        if name not in link_names:
            raise ValueError(f"trace_link_rules: {name!r} is not a link type in needs_links")
        unknown = set(rule.get("targets", ())) - types
        if unknown:
            raise ValueError(f"trace_link_rules[{name!r}]: unknown need types {sorted(unknown)}")
    for need_type, groups in config.trace_required_links.items():
        if need_type not in types:
            raise ValueError(f"trace_required_links: {need_type!r} is not a need type")
        for group in groups:
            for name in group:
                if name not in link_names:
                    raise ValueError(f"trace_required_links[{need_type!r}]: unknown link {name!r}")


def trace_rules(config: Config) -> TraceRules:
    """The :class:`TraceRules` that ``conf.py`` describes."""
    return TraceRules(
        links={
            name: LinkRule(
                targets=frozenset(rule["targets"]),
                levels=frozenset(rule["levels"]) if rule.get("levels") else None,
            )
            for name, rule in config.trace_link_rules.items()
        },
        required={t: tuple(tuple(g) for g in groups) for t, groups in config.trace_required_links.items()},
        required_fields={t: tuple(f) for t, f in config.trace_required_fields.items()},
        field_values={name: frozenset(v) for name, v in config.trace_field_values.items()},
        reasons=dict(config.trace_link_reasons),
    )


def build_model(app: Sphinx, env: BuildEnvironment) -> TraceModel:
    """The trace model of the whole site, from sphinx-needs' data and our records.

    Items come in a fixed order (by defining file and line), and for each ID the
    definition sphinx-needs kept comes first, so the same duplicates are reported
    whatever order the documents were read in.
    """
    needs = SphinxNeedsData(env).get_needs_mutable()
    link_fields = list(NeedsSphinxConfig(app.config)._links)
    field_names = sorted(set(app.config.trace_item_fields))
    # where each kept need is defined (a catalog entry: its data file row), and the
    # definitions sphinx-needs dropped because their ID was taken
    kept: dict[str, Location] = {}
    dropped: list[Definition] = []
    for docname in sorted(definitions(env)):
        for definition in definitions(env)[docname]:
            need = needs.get(definition.id)
            if need is not None and need["docname"] == docname and definition.id not in kept:
                kept[definition.id] = definition.location
            else:
                dropped.append(definition)

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
            fields={name: _as_text(need.get(name)) for name in field_names},
            links={name: tuple(need.get(name) or ()) for name in link_fields if need.get(name)},
            location=location(need),
        )
        for need in needs.values()
        if not need["is_external"]
    ]
    items.sort(key=lambda item: (_location_key(item.location), item.id))
    items.extend(TraceItem(id=d.id, type=d.type, location=d.location) for d in dropped)
    return TraceModel(items, trace_rules(app.config))


def _location_key(location: Location | None) -> tuple[str, int]:
    return (location.file, location.line or 0) if location else ("", 0)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def report(problems: Iterable[Problem]) -> None:
    """Emit each problem as a located ``trace.<code>`` warning."""
    for problem in problems:
        message = f"{problem.message} {problem.hint}".strip()
        location = str(problem.location) if problem.location else None
        logger.warning(message, location=location, type="trace", subtype=problem.code)


def check_consistency(app: Sphinx, env: BuildEnvironment) -> None:
    """Run every trace check on the merged environment and report what fails."""
    problems: list[Problem] = []
    for docname in sorted(read_problems(env)):
        problems.extend(read_problems(env)[docname])
    problems.extend(build_model(app, env).problems())
    report(sorted(set(problems), key=lambda p: (_location_key(p.location), p.code, p.message)))


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("sphinx_needs")
    app.add_config_value("trace_link_rules", {}, "env", dict,
                         description="Link field -> {'targets': [need types], 'levels': [levels]}.")
    app.add_config_value("trace_required_links", {}, "env", dict,
                         description="Need type -> groups of link fields, each needing >= 1 link.")
    app.add_config_value("trace_required_fields", {}, "env", dict,
                         description="Need type -> fields that must not be empty.")
    app.add_config_value("trace_field_values", {}, "env", dict,
                         description="Field -> its allowed values.")
    app.add_config_value("trace_link_reasons", {}, "env", dict,
                         description="Link field -> field giving one reason per link ('ID: reason; ...').")
    app.add_config_value("trace_item_fields", [], "env", list,
                         description="Need fields copied into the trace model.")
    app.connect("config-inited", register_traced_directives, priority=900)
    app.connect("config-inited", check_config, priority=900)
    app.add_env_collector(TraceCollector)
    app.connect("env-check-consistency", check_consistency)
    return {
        "version": __version__,
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
