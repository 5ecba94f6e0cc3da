"""Site search that answers from disk, finds numbers, variants and typos, and opens the place that matched.

Sphinx's search reads a word index and then fetches every candidate page to show a summary; a page
opened from disk (``file://``, how a copy on a closed network is often read) may not fetch, and one
refused fetch left the whole query waiting. Its index drops words made only of digits, so clause
numbers (``4.1.1``, ``A.15.1.2``) could not be found, and each result opened the top of its page.

This search ships the site's text instead, as scripts a page may load from disk as well as over HTTP:

* every page is cut, when it is written, into **units**: each section, each need (例文, revision point,
  catalog entry) and each glossary term, with its anchor, title and text (:func:`page_units`);
  view tables (``no-search``), comments and raw markup are left out, a figure counts by its text
  alternative;
* ``_static/search/units.js`` lists the pages (with a rank: the guideline's own text above the
  traceability views, the views above the standards' catalogs; ``site_search_ranks``), the units,
  and the reader's variant spellings (``site_search_variants``, a YAML file: スマホ → スマートフォン,
  each with its reason); ``_static/search/text-N.js`` hold the units' text in chunks of about
  :data:`CHUNK_CHARS` characters (the first a third of that), highest rank first, so results appear
  chunk by chunk;
* ``static/site-search.js`` (on the search page only) compares the query with each unit's text after
  NFKC and lower case (circled numbers kept), a word of Latin letters, digits and punctuation only as a
  whole word (``4.1`` is not found in ``14.1`` or ``4.1.1``), and offers 「もしかして」 for a word one
  character away from a word of the site when nothing is found.

Sphinx's own search index is not built (nothing reads it), and the search page is this module's.
"""

from __future__ import annotations

import difflib
import fnmatch
import json
import pickle
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from docutils import nodes
from guideline_trace.checks import warn
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import SphinxError
from sphinx.ext.graphviz import graphviz
from trace_model.warnings import check_subtype

__version__ = "1.0.0"

#: The warning for a problem in the variants file (trace.search-variants).
VARIANTS_WARNING = check_subtype("search-variants")
#: About this many characters of unit text go into one ``text-N.js`` (about 100 KB of UTF-8 for
#: Japanese text: about half a second each at 1.5 Mbps).
CHUNK_CHARS = 36_000
_NOT_CIRCLED = re.compile("[^\u2460-\u2473]+")
_SKIPPED = (nodes.comment, nodes.raw, nodes.system_message, nodes.substitution_definition, addnodes.toctree,
            addnodes.only)
#: Classes of what is left out: the view tables (their entries are searched where they are defined)
#: and the lists of a page's subpages that a toctree draws (navigation, not the page's text).
_UNSEARCHED_CLASSES = frozenset({"no-search", "toctree-wrapper"})
_BLOCKS = (nodes.paragraph, nodes.title, nodes.term, nodes.caption, nodes.rubric, nodes.literal_block,
           nodes.line, nodes.entry, nodes.field_name, nodes.attribution)


@dataclass(frozen=True)
class Unit:
    """One searchable place: its anchor on the page (``""``: the top), its title, and its text
    (blocks separated by a newline, the text inside a block joined as written)."""

    anchor: str
    title: str
    text: str


def page_units(doctree: nodes.document, need_titles: Mapping[str, str]) -> list[Unit]:
    """The units of one page as written (its resolved doctree), in document order: each section, need
    and glossary term.

    A need is sphinx-needs' drawn need (a table with the class ``need`` and the need's ID), so its
    unit holds what the page shows of it: its statement and 解説, and its trace (the NISC and ISO
    entries with their numbers and titles, the reasons). ``need_titles``: need ID -> its title
    (sphinx-needs' data). A unit's text is its own, without the text of the sections, needs or terms
    inside it (they are units of their own). Text in an element with the class ``no-search`` (the
    view tables) is left out, as are comments, raw markup and toctrees.
    """
    units: list[Unit] = []

    def own_text(node: nodes.Node, parts: list[str], start: int = 0) -> None:
        for child in node.children[start:]:
            if isinstance(child, nodes.Text):
                parts.append(str(child))
            elif isinstance(child, _SKIPPED) or (
                    isinstance(child, nodes.Element) and not _UNSEARCHED_CLASSES.isdisjoint(child["classes"])):
                continue
            elif isinstance(child, nodes.section):
                section(child)
            elif isinstance(child, (nodes.table, nodes.container)) and "need" in child["classes"] and child["ids"]:
                need_id = child["ids"][0]
                unit(need_id, f"{need_id} {need_titles.get(need_id, '')}".strip(), child)
            elif isinstance(child, nodes.definition_list_item) and _glossary_term(child) is not None:
                term = _glossary_term(child)
                assert term is not None
                unit(term["ids"][0], term.astext(), child, start=1)
            elif isinstance(child, graphviz):
                parts.append(str(child.get("alt", "")) + "\n")
            elif isinstance(child, nodes.Element):
                own_text(child, parts)
                if isinstance(child, _BLOCKS):
                    parts.append("\n")

    def unit(anchor: str, title: str, node: nodes.Element, start: int = 0) -> None:
        """The unit of ``node``, from its child ``start`` on (its title or term is the unit's title)."""
        parts: list[str] = []
        index = len(units)
        units.append(Unit(anchor, title, ""))  # placeholder: the unit's place is before its children
        own_text(node, parts, start)
        units[index] = Unit(anchor, title, _tidy("".join(parts)))

    def section(node: nodes.section) -> None:
        title = node.next_node(nodes.title)
        anchor = node["ids"][0] if node["ids"] else ""
        has_title = bool(node.children) and isinstance(node.children[0], nodes.title)
        unit(anchor, title.astext() if title is not None else "", node, start=1 if has_title else 0)

    top: list[str] = []
    own_text(doctree, top)
    if _tidy("".join(top)):
        units.insert(0, Unit("", "", _tidy("".join(top))))
    return units


def _glossary_term(item: nodes.definition_list_item) -> nodes.term | None:
    """The term of a glossary entry (a term with an anchor), or None for a plain definition list."""
    term = item.children[0] if item.children else None
    return term if isinstance(term, nodes.term) and term["ids"] else None


def _tidy(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


# -- collecting the units as pages are written -------------------------------------------------

#: The builders whose pages get the search (``singlehtml`` and the others have no search page).
SEARCH_BUILDERS = frozenset({"html", "dirhtml"})
#: Each page's units, kept between builds in the doctree folder (a page not written again keeps its units).
UNITS_FILE = "site-search-units.pickle"


def _pages_written(app: Sphinx) -> dict[str, list[Unit]]:
    """The units of the pages written in this build (on the builder, so a new build starts empty)."""
    builder: Any = app.builder
    if not hasattr(builder, "site_search_pages"):
        builder.site_search_pages = {}
    return builder.site_search_pages  # type: ignore[no-any-return]


def collect_units(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``, after sphinx-needs has drawn its needs: the units of a page being written.

    Sphinx resolves every page in the main process, also when it writes in parallel (``-j``), so
    every written page is collected here."""
    if app.builder.name not in SEARCH_BUILDERS:
        return
    titles: dict[str, str] = {}
    if "sphinx_needs" in app.extensions:  # a site without needs (a municipality's policy) has no titles to add
        from sphinx_needs.data import SphinxNeedsData

        needs = SphinxNeedsData(app.env).get_needs_view()
        titles = {need_id: str(need.get("title", "")) for need_id, need in needs.items()}
    _pages_written(app)[docname] = page_units(doctree, titles)


def _kept_units(app: Sphinx) -> dict[str, list[Unit]]:
    """The units the last build kept, read once per build (on the builder: the outdated-pages check
    and the final write both need them)."""
    builder: Any = app.builder
    if not hasattr(builder, "site_search_kept"):
        try:
            with Path(app.doctreedir, UNITS_FILE).open("rb") as stream:
                builder.site_search_kept = pickle.load(stream)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            builder.site_search_kept = {}
    return builder.site_search_kept  # type: ignore[no-any-return]


def pages_without_units(app: Sphinx, env: Any, added: set[str], changed: set[str], removed: set[str]) -> list[str]:
    """``env-get-outdated``: pages whose units the last build did not keep (the search was just added,
    or its file was deleted) are read and written again."""
    if app.builder.name not in SEARCH_BUILDERS:
        return []
    kept = _kept_units(app)
    return sorted(d for d in env.found_docs if d not in kept and d not in added and d not in changed)


def all_units(app: Sphinx) -> dict[str, list[Unit]]:
    """Every page's units: those written now, the others as the last build left them; pages that no
    longer exist are dropped. Saved for the next build."""
    path = Path(app.doctreedir, UNITS_FILE)
    kept = {**_kept_units(app), **_pages_written(app)}
    current = {docname: kept[docname] for docname in sorted(app.env.found_docs) if docname in kept}
    with path.open("wb") as stream:
        pickle.dump(current, stream)
    return current


# -- the variant spellings ----------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """A word the site writes (``term``), the spellings a reader may type for it, and why."""

    term: str
    variants: tuple[str, ...]
    reason: str
    line: int


def load_variants(path: Path) -> tuple[list[Variant], list[tuple[str, str]]]:
    """The entries of a variants file, and its problems as ``("file:line", message)`` pairs.

    The file is a YAML list of ``{term, variants, reason}``; an entry without a term, variants or
    reason, a variant equal to its term, or a variant given twice is a problem (the entry is left out).
    """
    problems: list[tuple[str, str]] = []
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        line = getattr(getattr(err, "problem_mark", None), "line", 0) + 1
        return [], [(f"{path}:{line}", f"the search variants file cannot be read ({err}). Fix it, or set "
                     "site_search_variants = '' to search without variants.")]
    if root is None:
        return [], []
    if not isinstance(root, yaml.SequenceNode):
        return [], [(f"{path}:{root.start_mark.line + 1}", "the search variants file must be a list of "
                     "entries ('- term: …').")]
    entries: list[Variant] = []
    seen: dict[str, int] = {}
    for node in root.value:
        line = node.start_mark.line + 1
        value = yaml.safe_load(yaml.serialize(node)) if isinstance(node, yaml.MappingNode) else None
        if not isinstance(value, dict):
            problems.append((f"{path}:{line}", "an entry must be a mapping with term, variants and reason."))
            continue
        keys = ("term", "variants", "reason")
        unknown = [str(k) for k in value if k not in keys]
        missing = [k for k in keys if not value.get(k)]
        if unknown or missing:
            # a misspelt key is one mistake: name it with the key it was meant to be, not the key as missing too
            meant = {k: difflib.get_close_matches(k, missing, n=1) for k in unknown}
            words = [f"has the key {k!r}, which an entry does not have"
                     + (f" (did you mean {meant[k][0]!r}?)" if meant[k] else "") for k in unknown]
            words += [f"has no {k!r}" for k in missing if not any(k in m for m in meant.values())]
            problems.append((f"{path}:{line}", f"the entry {value.get('term', '')!r} {'; '.join(words)}. "
                             "Each entry has term, variants (a list) and reason."))
            continue
        variants = value["variants"] if isinstance(value["variants"], list) else [value["variants"]]
        term = str(value["term"])
        bad = [str(v) for v in variants if fold(str(v)) == fold(term)]
        if bad:
            problems.append((f"{path}:{line}", f"the variant {bad[0]!r} is the term itself. Remove it."))
            continue
        repeated = [str(v) for v in variants if fold(str(v)) in seen]
        if repeated:
            problems.append((f"{path}:{line}", f"the variant {repeated[0]!r} is also given at line "
                             f"{seen[fold(repeated[0])]}. Keep it in one entry."))
            continue
        seen.update({fold(str(v)): line for v in variants})
        entries.append(Variant(term, tuple(str(v) for v in variants), str(value["reason"]), line))
    return entries, problems


def fold(text: str) -> str:
    """The form the search compares in: NFKC and lower case, circled numbers (①) kept as written,
    white space removed. ``site-search.js`` folds the same way."""
    kept = _NOT_CIRCLED.sub(lambda run: unicodedata.normalize("NFKC", run.group()), text)
    return "".join(kept.lower().split())


# -- writing the search data --------------------------------------------------------------------


def page_rank(docname: str, ranks: Sequence[Sequence[Any]]) -> int:
    """The rank of a page: the number of the first ``(glob, rank)`` of ``site_search_ranks`` its
    docname matches (higher ranks are listed first), or 0."""
    for pattern, rank in ranks:
        if fnmatch.fnmatchcase(docname, str(pattern)):
            return int(rank)
    return 0


def search_files(pages: Iterable[tuple[str, str, int, list[Unit]]], variants: Sequence[Variant],
                 chunk_chars: int = CHUNK_CHARS) -> dict[str, str]:
    """The search data: file name (under ``_static/search/``) -> its script.

    ``pages``: ``(uri, title, rank, units)`` for each page, ``uri`` relative to the site root. Pages
    are ordered by rank (highest first) and then as given; the units' text is cut into chunks of about
    ``chunk_chars`` characters in that order, the first a third of that (it is searched while the rest
    downloads). ``text-0.js`` is always the first chunk (the script fetches it with ``units.js``).
    """
    ordered = sorted(enumerate(pages), key=lambda p: (-p[1][2], p[0]))
    page_rows, unit_rows, texts = [], [], []
    for page_index, (_, (uri, title, rank, units)) in enumerate(ordered):
        page_rows.append([uri, title, rank])
        for u in units:
            unit_rows.append([page_index, u.anchor, u.title])
            texts.append(u.text)
    chunks: list[tuple[int, list[str]]] = []
    size = chunk_chars
    for index, text in enumerate(texts):
        # the first chunk is a third of the others: the highest-ranked text arrives, and is searched, first
        if size >= (chunk_chars if len(chunks) > 1 else chunk_chars // 3):
            chunks.append((index, []))
            size = 0
        chunks[-1][1].append(text)
        size += len(text) + 1
    files = {f"text-{n}.js": f"GuidelineSearch.text({n},{first}," + _json(part) + ");\n"
             for n, (first, part) in enumerate(chunks)}
    files["units.js"] = "GuidelineSearch.load(" + _json({
        "pages": page_rows,
        "units": unit_rows,
        "chunks": [f"text-{n}.js" for n in range(len(chunks))],
        "variants": [[v.term, list(v.variants)] for v in variants],
    }) + ");\n"
    return files


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write_search_data(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: write ``_static/search/`` for an HTML build (files whose content did not
    change are not touched; chunks left over from a larger site are removed)."""
    if app.builder.name not in SEARCH_BUILDERS:
        return
    env = app.env
    units = all_units(app)  # kept also when the build failed: they are what the written pages show
    if exception is not None:
        return
    missing = sorted(env.found_docs - set(units))
    if missing:  # pages_without_units makes every page be written once; this would be a bug of ours
        raise SphinxError(f"The search has no text for {', '.join(missing)}.")
    pages = [
        (app.builder.get_target_uri(d), env.titles[d].astext() if d in env.titles else d,
         page_rank(d, app.config.site_search_ranks), units.get(d, []))
        for d in sorted(env.found_docs)
    ]
    files = search_files(pages, _variants(app, units))
    folder = Path(app.outdir, "_static", "search")
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8")
    for stale in folder.glob("text-*.js"):
        if stale.name not in files:
            stale.unlink()


def _variants(app: Sphinx, units: Mapping[str, list[Unit]]) -> list[Variant]:
    name = app.config.site_search_variants
    if not name:
        return []
    path = Path(app.srcdir, name)
    entries, problems = load_variants(path)
    text = "".join(fold(u.text + u.title) for page in units.values() for u in page)
    for entry in entries:
        if fold(entry.term) not in text:
            problems.append((f"{path}:{entry.line}", f"the search term {entry.term!r} is not in the site's text, so "
                             "its variants would find nothing. Write the site's own wording as the term."))
    for location, message in sorted(problems, key=lambda p: int(p[0].rsplit(":", 1)[1])):
        warn(message, VARIANTS_WARNING, location)
    return entries


# -- the search page -----------------------------------------------------------------------------


def no_sphinx_index(app: Sphinx) -> None:
    """``builder-inited``: Sphinx's search index and search page are not made (this module's replace them)."""
    if app.builder.name in SEARCH_BUILDERS:
        app.builder.search = False  # type: ignore[attr-defined]


def search_page(app: Sphinx) -> Iterable[tuple[str, dict[str, Any], str]]:
    """``html-collect-pages``: the search page, from this module's template."""
    if app.builder.name in SEARCH_BUILDERS:
        yield "search", {}, "guideline-search.html"


def add_paths(app: Sphinx, config: Config) -> None:
    """Add the template and static folders while the configuration is read (the same configuration
    the next build compares with)."""
    here = Path(__file__).parent
    for setting, folder in (("templates_path", here / "templates"), ("html_static_path", here / "static")):
        paths = getattr(config, setting)
        if str(folder) not in paths:
            paths.append(str(folder))


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("site_search_ranks", [["traceability/*", 1], ["*", 2]], "html", types=[list])
    app.add_config_value("site_search_variants", "", "html", types=[str])
    app.connect("doctree-resolved", collect_units, priority=950)
    app.connect("env-get-outdated", pages_without_units)
    app.connect("config-inited", add_paths)
    app.connect("builder-inited", no_sphinx_index)
    app.connect("html-collect-pages", search_page)
    app.connect("build-finished", write_search_data)
    return {
        "version": __version__,
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
