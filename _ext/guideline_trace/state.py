"""One object for everything our extensions keep in the Sphinx environment between builds.

Sphinx pickles the environment after reading and, in a parallel build, merges
each worker's environment into the main one page by page. What we keep there is
per page (keyed by docname) so that a page read again replaces exactly its own
records, and a parallel merge takes exactly the pages each worker read. One
:class:`TraceState`, stored as ``env.guideline_trace``, replaces the separate
``env.trace_*`` attributes each module used to add; :meth:`TraceState.clear_doc`
and :meth:`TraceState.merge` are the only ways records leave or arrive.

What one build computes once and shares (the trace model, the report, the SoA exclusions,
the views' blocks) is not kept between builds: it lives in one :class:`BuildCache` on the
Sphinx application (:func:`build_cache`), emptied when a build starts reading
(:func:`start_build`), instead of module-level dictionaries keyed by ``id(app)`` (an id
that a later application in the same process can reuse).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

from trace_model.model import Location, Problem, TraceModel
from trace_model.report import TraceReport

T = TypeVar("T")

#: The environment attribute that holds the state.
ATTRIBUTE = "guideline_trace"


class Definition(NamedTuple):
    """One place that defines a traced object: a need directive or a catalog row."""

    id: str
    type: str
    location: Location
    #: (option name, 1-based line) of each option the directive writes, in ``location.file``
    option_lines: tuple[tuple[str, int], ...] = ()


@dataclass
class TraceState:
    """Per-page records (docname -> value) and build-to-build fingerprints.

    ``definitions``: traced objects each page defines (catalog rows included, and
    duplicates sphinx-needs dropped); ``read_problems``: problems found while
    reading a page; ``need_refs``: need IDs a page's ``{need}`` references name;
    ``view_specs``: the trace views on a page (their directive options); ``catalog_editions``: the edition
    each catalog a page shows names in its header (need type -> edition);
    ``need_fingerprints`` / ``view_fingerprints``: digests of what a page showed
    from other pages when last written; ``target_digest``: digest of every
    cross-reference target at the last build, and ``need_pages``: the page each need
    was on at the last build (:mod:`guideline_trace.rebuild`).
    """

    definitions: dict[str, list[Definition]] = field(default_factory=dict)
    read_problems: dict[str, list[Problem]] = field(default_factory=dict)
    need_refs: dict[str, list[str]] = field(default_factory=dict)
    view_specs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    catalog_editions: dict[str, dict[str, str]] = field(default_factory=dict)
    need_fingerprints: dict[str, str] = field(default_factory=dict)
    view_fingerprints: dict[str, str] = field(default_factory=dict)
    target_digest: str | None = None
    need_pages: dict[str, str] = field(default_factory=dict)

    #: the per-page records that a read replaces and a parallel merge carries
    PER_PAGE = ("definitions", "read_problems", "need_refs", "view_specs", "catalog_editions")

    def clear_doc(self, docname: str) -> None:
        """Forget what page ``docname`` recorded (it is about to be read again, or was removed)."""
        for name in (*self.PER_PAGE, "view_fingerprints"):
            getattr(self, name).pop(docname, None)

    def merge(self, other: TraceState, docnames: Iterable[str]) -> None:
        """Take the records of ``docnames`` from a parallel worker's state."""
        wanted = set(docnames)
        for name in self.PER_PAGE:
            mine, theirs = getattr(self, name), getattr(other, name)
            mine.update({doc: value for doc, value in theirs.items() if doc in wanted})


def _attached(owner: Any, attribute: str, factory: Callable[[], T]) -> T:
    """``owner.<attribute>``, set to ``factory()`` on first use."""
    current: T | None = getattr(owner, attribute, None)
    if current is None:
        current = factory()
        setattr(owner, attribute, current)
    return current


def state(env: Any) -> TraceState:
    """The environment's :class:`TraceState`, created on first use."""
    return _attached(env, ATTRIBUTE, TraceState)


#: The application attribute that holds the per-build cache.
CACHE_ATTRIBUTE = "guideline_build"


@dataclass
class BuildCache:
    """What one build computes once, after every page is read, and shares; nothing of it is pickled.

    ``model`` / ``report``: the trace model and the report the views and exports show;
    ``exclusions``: standard -> {clause number: justification} from the SoA files;
    ``blocks``: each distinct view's blocks (keyed by the view and the options its data
    depends on); ``sources_changed``: whether this build read or removed any page
    (``None`` until known: then the build is treated as changed). A parallel write forks
    after these are computed, so every writer sees the same ones.
    """

    model: TraceModel | None = None
    report: TraceReport | None = None
    exclusions: dict[str, dict[str, str]] | None = None
    blocks: dict[tuple[str, ...], Any] = field(default_factory=dict)
    sources_changed: bool | None = None
    #: the frozen editions, the current sources' edition and the comparisons (``guideline_trace.editions``)
    editions: list[Any] | None = None
    current_edition: Any = None
    comparisons: dict[tuple[str, str], Any] = field(default_factory=dict)
    departures: dict[str, list[Any]] | None = None
    #: the edition, build time and commit the exports name (``guideline_trace.exports.provenance``)
    provenance: Any = None
    #: the parameter registry (``guideline_trace.params``): read once; ``None`` when absent or unreadable
    params_read: bool = False
    params: dict[str, Any] | None = None
    params_error: Any = None
    #: whether sphinx-needs wrote ``needs.json`` in this build (``guideline_trace.needs_json``)
    needs_json_written: bool = False


def build_cache(app: Any) -> BuildCache:
    """The application's :class:`BuildCache`, created on first use."""
    return _attached(app, CACHE_ATTRIBUTE, BuildCache)


def start_build(app: Any, removed: bool) -> None:
    """``env-get-outdated``: a new build starts; forget the last build's results (``removed``: pages were removed)."""
    setattr(app, CACHE_ATTRIBUTE, BuildCache(sources_changed=removed))


def start_reading(app: Any, docnames: Iterable[str]) -> None:
    """``env-before-read-docs``: note whether pages are read, and drop anything computed before reading."""
    cache = build_cache(app)
    setattr(app, CACHE_ATTRIBUTE, BuildCache(sources_changed=bool(cache.sources_changed) or bool(list(docnames))))
