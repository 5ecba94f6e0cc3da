"""Editions on the site: the current sources' edition, the frozen ones (``trace_editions_dir``), the
``edition-history`` (改定履歴) and ``edition-comparison`` (新旧対照表) views, and the files an HTML build writes
for them (``exports/edition.json``, the 新旧対照表 DOCX).

The computing is :mod:`trace_model.editions` (snapshot data, comparison) and :mod:`trace_model.edition_views`
(blocks); this module gathers the data from the build and reports a bad edition file as ``trace.edition``.
"""

from __future__ import annotations

import posixpath
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util.docutils import is_directive_registered
from trace_model.edition_views import comparison_view, docx_name, history_view
from trace_model.editions import (
    CURRENT,
    EDITION_FILE,
    Comparison,
    Edition,
    EditionError,
    FrozenCatalog,
    FrozenEntry,
    FrozenItem,
    Link,
    compare,
    departures,
    line_of,
    load_editions,
    ref_text,
)
from trace_model.model import Location, Problem, nearest
from trace_model.oscal import EXPLANATION_MARK, portable_text
from trace_model.report import entry_name, entry_number
from trace_model.views import Notice

from guideline_trace import checks
from guideline_trace.params import registry
from guideline_trace.state import build_cache, state
from guideline_trace.views import VIEWS, View, ViewInputs, _ViewDirective, current_report, soa_exclusions

__version__ = "1.0.0"


def editions_dir(app: Sphinx) -> Path:
    """The folder of the frozen editions (``trace_editions_dir``, relative to conf.py)."""
    return Path(app.srcdir, app.config.trace_editions_dir)


def frozen_editions(app: Sphinx) -> list[Edition]:
    """The frozen editions, oldest first, read once per build. A bad edition file is reported once as a
    located ``trace.edition`` warning, and then no edition is shown (a 新旧対照表 against a broken file would
    be wrong)."""
    cache = build_cache(app)
    if cache.editions is None:
        try:
            cache.editions = load_editions(editions_dir(app))
        except EditionError as error:
            location = error.location if ":" in error.location.rsplit("/", 1)[-1] else f"{error.location}:1"
            checks.warn(f"frozen edition: {error.message}", "edition", location)
            cache.editions = []
    return list(cache.editions)


def current_edition(app: Sphinx) -> Edition:
    """The current sources as an edition (ID ``current``; title ``version``, date ``trace_edition_date``):
    every 例文 item with its section, wording and 解説 (portable text, as in the OSCAL catalog) and links;
    every standard's catalog (its edition from the catalog file) and SoA exclusions. Computed once per build."""
    cache = build_cache(app)
    if cache.current_edition is not None:
        return cache.current_edition  # type: ignore[no-any-return]
    from guideline_trace.exports import provenance
    from guideline_trace.needs_json import portable_content, titles

    report = current_report(app)
    needs = checks.current_needs(app.env)  # called while the view pages' fingerprints are taken, before writing
    title_of = titles(app)
    items = []
    for item in report.requirements():
        need = needs.get(item.id)
        text = portable_content(str(need.get("content") or ""), title_of, keep_refs=True) if need is not None else ""
        wording, _, explanation = text.partition(EXPLANATION_MARK)
        explanation = ref_text(explanation)  # only a 例文's wording keeps what its references point to
        links = tuple(
            Link(key, target, reason, relationship)
            for key, spec in report.standards.items() for link_field in spec.links
            for target, reason, relationship in report.model.reasoned_links(item, link_field)
        )
        items.append(FrozenItem(
            id=item.id, type=item.type, title=item.title, chapter=item.fields.get("docname", ""),
            section=str(need.get("section_name") or "") if need is not None else "",
            statement=portable_text(wording), explanation=portable_text(explanation), links=links,
            optional=item.fields.get("optional", ""), check=item.fields.get("check", "")))
    chapters = tuple(dict.fromkeys(i.chapter for i in items))
    exclusions = soa_exclusions(app)
    # recorded by the trace-catalog directive when it read the catalog (not parsed again here: 0.4 s a build)
    catalog_editions = {need_type: edition for page in state(app.env).catalog_editions.values()
                        for need_type, edition in page.items()}
    catalogs = []
    for key, spec in report.standards.items():
        catalogs.append(FrozenCatalog(
            standard=key, label=spec.label, edition=catalog_editions.get(spec.need_type, ""),
            entries=tuple(FrozenEntry(e.id, entry_number(e), entry_name(e)) for e in report.model.of_type(spec.need_type)),
            exclusions=dict(exclusions.get(key, {}))))
    cache.current_edition = Edition(
        id=CURRENT, title=app.config.version or "（版の指定なし）", date=app.config.trace_edition_date or "",
        commit=provenance(app).commit,
        chapters=tuple((d, report.chapter_titles.get(d, d)) for d in chapters), items=tuple(items),
        catalogs=tuple(catalogs), params=tuple((registry(app) or {}).values()))
    return cache.current_edition


def all_editions(app: Sphinx) -> dict[str, Edition]:
    """Edition ID -> edition: the frozen ones, and ``current``."""
    return {e.id: e for e in frozen_editions(app)} | {CURRENT: current_edition(app)}


def comparison(app: Sphinx, old: str, new: str) -> Comparison:
    """The comparison of two editions by ID (``current`` for the current sources), computed once per build.
    Raises ``KeyError`` for an unknown ID (the directive has reported it)."""
    cache = build_cache(app)
    key = (old, new)
    if key not in cache.comparisons:
        editions = all_editions(app)
        cache.comparisons[key] = compare(editions[old], editions[new], renamed_pages(app))
    return cache.comparisons[key]  # type: ignore[no-any-return]


def redirect_target(source: str, target: str) -> str | None:
    """The page (docname) a redirect from the page ``source`` to ``target`` leads to (sphinx-reredirects: a
    target is relative to the old page); ``None`` for a target on another site or not an HTML page."""
    path = target.split("#", 1)[0]
    if "://" in path or not path.endswith(".html"):
        return None
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), path))[: -len(".html")]


def renamed_pages(app: Sphinx) -> dict[str, str]:
    """Old page -> new page, from ``redirects`` where the target is a page of the site: a page renamed between
    editions, whose items did not move."""
    found = {}
    for source, target in (getattr(app.config, "redirects", None) or {}).items():
        docname = redirect_target(source, target)
        if docname in app.env.found_docs:
            found[source] = docname
    return found


def check_stamps(app: Sphinx, env: Any) -> None:
    """``env-check-consistency``: report every suspect link (:mod:`trace_model.stamps`) at the line of the
    link's option in its 例文 (``trace.suspect-link``), and a stamps file that cannot be read at its line
    (``trace.stamps-file``). Off when ``trace_stamps_file`` is empty."""
    from trace_model.stamps import StampsError, load_stamps, suspect_links

    if not app.config.trace_stamps_file:
        return
    try:
        stamps = load_stamps(Path(app.srcdir, app.config.trace_stamps_file))
    except StampsError as error:
        checks.warn(f"link stamps: {error.message}", "stamps-file", error.location)
        return
    report = current_report(app)
    problems = []
    for suspect in suspect_links(current_edition(app), stamps, frozen_editions(app)):
        item = report.model.items[suspect.item]
        link_field = report.standards[suspect.standard].links[0]
        line = item.option_lines.get(link_field) or (item.location.line if item.location else None)
        problems.append(Problem(Location(item.location.file if item.location else "", line), "suspect-link",
                                suspect.message()))
    checks.report(problems)


def check_permalinks(app: Sphinx, env: Any) -> None:
    """``env-check-consistency``: every page of every frozen edition is still a page, or has a redirect in
    ``redirects`` (sphinx-reredirects); else its saved URLs would break (``trace.permalink``, at the line of the
    page in the edition file)."""
    redirects = getattr(app.config, "redirects", None) or {}
    problems = []
    frozen = frozen_editions(app)
    now = {i.id: i.chapter for i in current_edition(app).items} if frozen else {}
    for edition in frozen:
        path = editions_dir(app) / edition.id / EDITION_FILE
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        for docname, title in edition.chapters:
            if docname in env.found_docs or docname in redirects:
                continue
            line = line_of(text, f'"docname": "{docname}"')
            # where most of the page's items are now, else the page with the nearest name
            went = Counter(now[i.id] for i in edition.items if i.chapter == docname and i.id in now)
            guess = went.most_common(1)[0][0] if went else nearest(docname, sorted(env.found_docs))
            problems.append(Problem(
                Location(str(path), line), "permalink",
                f"the page {docname!r} ({title}) of {edition.title} is no longer a page, so links saved from that "
                "edition would break.",
                f"Leave a redirect in conf.py: redirects = {{{docname!r}: "
                f"{posixpath.relpath(guess, posixpath.dirname(docname) or '.') + '.html' if guess else 'new-page.html'!r}}} (the target is relative to "
                "the old page), or restore the page."))
    problems += _redirect_problems(app, env)
    checks.report(problems)
    departed_items(app)  # before the pages are written


def _config_location(app: Sphinx, needles: Sequence[str]) -> Location:
    """Where one of ``needles`` is written in the configuration (conf.py, or a file it reads in the same
    folder); conf.py's first line if none is found."""
    for path in [Path(app.confdir, "conf.py"), *sorted(Path(app.confdir).glob("*.py"))]:
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        for needle in needles:
            line = line_of(text, needle)
            if line is not None:
                return Location(str(path), line)
    return Location(str(Path(app.confdir, "conf.py")), 1)


def _redirect_problems(app: Sphinx, env: Any) -> list[Problem]:
    """A redirect (``redirects``) from a page that exists would replace it; one to a page of the site that does
    not exist leads nowhere (``trace.permalink``, at the line of the redirect)."""
    problems = []
    for source, target in sorted((getattr(app.config, "redirects", None) or {}).items()):
        where = _config_location(app, (f'"{source}"', f"'{source}'"))
        if source in env.found_docs:
            problems.append(Problem(where, "permalink", f"the redirect from {source!r} would replace that page, "
                                    "which exists.", "Remove the redirect, or name the old page's name."))
            continue
        docname = redirect_target(source, target)
        if docname is not None and docname not in env.found_docs:
            guess = nearest(docname, sorted(env.found_docs))
            near = (f" Did you mean {posixpath.relpath(guess, posixpath.dirname(source) or '.') + '.html'!r}?"
                    if guess else "")
            problems.append(Problem(where, "permalink", f"the redirect from {source!r} leads to {target!r}, which is "
                                    "not a page of the site (a target is relative to the old page).", near.strip()))
    return problems


def edition_files_found(app: Sphinx) -> list[Path]:
    """The edition files in ``trace_editions_dir``, by directory name (none if the folder is missing)."""
    folder = editions_dir(app)
    return sorted(folder.glob(f"*/{EDITION_FILE}")) if folder.is_dir() else []


def note_edition_dependency(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``: a page that holds needs is read again when a frozen edition file changes (its list of
    items moved away, :func:`departed_items`, may change)."""
    from sphinx_needs.nodes import Need

    if next(iter(doctree.findall(Need)), None) is not None:
        for path in edition_files_found(app):
            app.env.note_dependency(str(path))


def departed_items(app: Sphinx) -> dict[str, list[Any]]:
    """Page -> the 例文 items frozen editions had on it that it no longer has (:func:`departures`), for every
    page of every frozen edition; computed once per build, before the pages are written (so a parallel write
    does not compute it in every process)."""
    cache = build_cache(app)
    if cache.departures is None:
        frozen = frozen_editions(app)
        pages = sorted({docname for edition in frozen for docname, _ in edition.chapters})
        current = current_edition(app) if frozen else None
        cache.departures = {docname: found for docname in pages
                            if current is not None and (found := departures(frozen, current, docname))}
    return cache.departures


def add_departures(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: at the end of a page that the frozen editions had 例文 items on which it no longer
    has (moved to another page, renumbered or deleted), a list of them, each with its old ID as its anchor and a
    link to where it is now: a link saved from an earlier edition (``page.html#STD-1-1-3``) still leads on."""
    departed = departed_items(app).get(docname)
    if not departed:
        return
    labels = app.env.domains.standard_domain.labels
    box = nodes.container(classes=["trace-departures"])
    box += nodes.rubric(text="この章から移動・削除した例文")
    box += nodes.paragraph(text="以前の版でこの章にあった例文のうち、今はこの章にないものです。以前の版へのリンクは"
                                "ここに着きます。")
    listing = nodes.bullet_list()
    for gone in departed:
        para = nodes.paragraph(ids=[gone.old_id])
        para += nodes.Text(f"{gone.old_id}「{gone.title}」（{gone.edition.title}）は、")
        if gone.new_id and gone.new_chapter:
            uri = app.builder.get_relative_uri(docname, gone.new_chapter) + "#" + gone.new_id
            para += nodes.reference("", gone.new_id, internal=True, refuri=uri)
            para += nodes.Text("に移りました。" if gone.new_id != gone.old_id else "として別の章に移りました。")
        else:
            para += nodes.Text(f"{gone.edition.title}の後の改定で削除されました。")
            if "edition-comparison" in labels:
                target, anchor = labels["edition-comparison"][:2]
                para += nodes.Text("（")
                para += nodes.reference("", "新旧対照表", internal=True,
                                        refuri=app.builder.get_relative_uri(docname, target) + "#" + anchor)
                para += nodes.Text("）")
        item = nodes.list_item()
        item += para
        listing += item
    box += listing
    doctree += box


def _note_edition_files(directive: _ViewDirective) -> None:
    """The page is read again when an edition file is added, changed or removed."""
    directive.env.note_dependency(str(editions_dir(directive.env.app)))
    for path in edition_files_found(directive.env.app):
        directive.env.note_dependency(str(path))


class EditionHistoryDirective(_ViewDirective):
    """``edition-history``: the 改定履歴, one row per frozen edition (``trace_editions_dir``), and whether the
    current sources differ from the newest one."""

    view = "history"
    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        _note_edition_files(self)
        return self.placeholder()


def _edition_id(argument: str | None) -> str:
    return directives.unchanged_required(argument).strip()


class EditionComparisonDirective(_ViewDirective):
    """``edition-comparison``: the 新旧対照表 from the edition ``:old:`` to ``:new:`` (an edition ID, or
    ``current``, the default, for the current sources; ``:old: latest`` is the newest frozen edition), with
    the 旧番号→新番号 table, the coverage change and the catalog change. An unknown edition is a located
    ``trace.view-option`` error."""

    view = "comparison"
    option_spec: ClassVar[dict[str, Any]] = {"old": _edition_id, "new": _edition_id}

    def run(self) -> list[nodes.Node]:
        _note_edition_files(self)
        known = [path.parent.name for path in edition_files_found(self.env.app)]
        values = {}
        for option, default in (("old", "latest"), ("new", CURRENT)):
            value = self.options.get(option, default)
            if value in (CURRENT, *RELATIVE_IDS) or value in known:
                values[option] = value
                continue
            guess = nearest(value, [*known, CURRENT, *RELATIVE_IDS])
            return self.reject_option(option, f"edition-comparison: there is no edition {value!r} in "
                                      f"{self.config.trace_editions_dir}. "
                                      + (f"Did you mean {guess!r}? " if guess else "")
                                      + f"Use one of: {', '.join([*known, *RELATIVE_IDS, CURRENT])}.")
        if values["old"] == CURRENT:
            return self.reject_option("old", "edition-comparison: :old: is the current sources, which come after "
                                      "every frozen edition; use current as :new:.")
        if values["old"] == values["new"]:
            return self.reject_option("new", f"edition-comparison: :old: and :new: are both {values['old']!r}; "
                                      "a 新旧対照表 compares two editions.")
        return self.placeholder(**values)


#: Edition IDs a directive may give besides a frozen edition's: the newest and the one before it.
RELATIVE_IDS = ("latest", "previous")


def _resolve(app: Sphinx, edition_id: str) -> str | None:
    """An edition ID as written (``latest``, ``previous``, ``current`` or a frozen edition's) as the ID of an
    edition, or ``None`` when there is no such edition (yet)."""
    frozen = frozen_editions(app)
    if edition_id == "latest":
        return frozen[-1].id if frozen else None
    if edition_id == "previous":
        return frozen[-2].id if len(frozen) > 1 else None
    return edition_id if edition_id == CURRENT or any(e.id == edition_id for e in frozen) else None


def _history(app: Sphinx) -> tuple[Any, ...]:
    frozen = frozen_editions(app)
    changed = len(comparison(app, frozen[-1].id, CURRENT).rows()) if frozen else None
    return history_view(frozen, changed)


def _comparison(app: Sphinx, options: Mapping[str, Any]) -> tuple[Any, ...]:
    from trace_model.views import Paragraph

    old, new = _resolve(app, options["old"]), _resolve(app, options["new"])
    if old is None or new is None:
        frozen = frozen_editions(app)
        if options["old"] == "previous" and frozen:
            return (Paragraph((f"最新の版（{frozen[-1].title}）は本サイトで最初に凍結した版で、比べる前の版は"
                               "ありません。",)),)
        return (Paragraph(("比べる版がありません。版を凍結すると（make release）、ここに新旧対照表が出ます。",)),)
    if old == new:
        return (Paragraph((f"比べる二つの版がどちらも{all_editions(app)[old].title}です。",)),)
    editions = all_editions(app)
    if new != CURRENT and editions[old].date > editions[new].date:
        return (Notice(f"edition-comparison: :old: {old} ({editions[old].date}) is newer than :new: {new} "
                       f"({editions[new].date}); a 新旧対照表 compares an edition with a later one. Swap them.",
                       "view-option"),)
    labels = {key: spec.label for key, spec in current_report(app).standards.items()}
    return comparison_view(comparison(app, old, new), labels)


def comparison_specs(app: Sphinx) -> list[tuple[str, str]]:
    """``(old, new)`` edition IDs of every 新旧対照表 on the site (``latest`` resolved), each once."""
    found = []
    # the frozen editions' dates only: the current edition (every 例文, 0.2 s) is not needed to name the pairs
    frozen = {e.id: e for e in frozen_editions(app)}
    for specs in state(app.env).view_specs.values():
        for spec in specs:
            if spec["view"] == "comparison":
                pair = (_resolve(app, spec["old"]), _resolve(app, spec["new"]))
                if (None not in pair and pair[0] != pair[1] and pair not in found
                        and (pair[1] == CURRENT or frozen[pair[0]].date <= frozen[pair[1]].date)):  # type: ignore[index]
                    found.append(pair)
    return found  # type: ignore[return-value]


def edition_files(app: Sphinx) -> dict[str, bytes]:
    """The files an HTML build writes into ``exports/``: ``edition.json`` (the current sources' edition, what
    ``make release`` freezes) and a 新旧対照表 DOCX for every ``edition-comparison`` on the site."""
    from trace_model.shinkyu_docx import comparison_docx

    from guideline_trace.exports import provenance

    files = {"edition.json": current_edition(app).to_json().encode("utf-8")}
    built = provenance(app).built
    labels = {key: spec.label for key, spec in current_report(app).standards.items()}
    for old, new in comparison_specs(app):
        files[docx_name(old, new)] = comparison_docx(comparison(app, old, new), labels, built=built)
    return files


def _register_views() -> None:
    """Add the edition views to the reviewer views' registry (their data needs the build, so they read it
    through :attr:`ViewInputs.app`)."""
    VIEWS["history"] = View("history", "edition-history", EditionHistoryDirective, (),
                            lambda i, o: _history(i.app))
    VIEWS["comparison"] = View("comparison", "edition-comparison", EditionComparisonDirective, ("old", "new"),
                               lambda i, o: _comparison(i.app, o))


_register_views()


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("guideline_trace.views")
    for name in ("history", "comparison"):
        # guideline_trace.views registers every view of VIEWS; in a process that set up an application before,
        # these are among them already
        if not is_directive_registered(VIEWS[name].directive_name):
            app.add_directive(VIEWS[name].directive_name, VIEWS[name].directive)
    app.connect("env-check-consistency", check_stamps)
    app.connect("env-check-consistency", check_permalinks)
    app.connect("doctree-read", note_edition_dependency)
    app.connect("doctree-resolved", add_departures)
    return {"version": __version__, "env_version": 1, "parallel_read_safe": True, "parallel_write_safe": True}


__all__ = ["ViewInputs", "all_editions", "comparison", "current_edition", "edition_files", "frozen_editions"]
