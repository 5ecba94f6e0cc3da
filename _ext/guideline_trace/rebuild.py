"""An incremental build reports and writes what a clean build of the same sources would.

Sphinx re-reads only the pages whose sources changed and rewrites only those
(and the few it knows depend on them). Two kinds of difference follow, both seen
on this site by editors:

* **Links into unchanged pages go stale.** Delete or rename a glossary term, a
  label or a heading, or retitle a page, and every other page that links to it
  keeps its old link, its old title and its old sidebar; the build passes
  although a clean build fails with ``ref.term`` / ``ref.ref`` warnings.
  Here, after reading, a digest of every cross-reference target (the standard
  domain's labels, terms and objects, the page titles, MyST heading slugs, the
  table of contents and its numbers, the set of pages) is compared with the
  previous build's: when it changed, every page is written again, so each link
  is resolved again and each broken one is reported where it is written. An edit
  that changes no target (a requirement's wording) rewrites nothing more.
* **A need moved to another page keeps its old address elsewhere.** A requirement
  moved from one requirements file to another (so to another chapter's page) is
  linked, from every page that shows or names it, at the page it left: when a need
  that existed before is on another page now, every page is written again.
* **A need moved to a page read earlier is lost.** Sphinx forgets a page's needs just
  before it reads that page again, one page after another; a need moved to a page read
  before the page it left is refused there as a duplicate of its old copy, which is
  then forgotten. Here, every page about to be read is forgotten first, as Sphinx
  already does for a parallel read.
* **Warnings of unchanged pages are not repeated.** A page's reading warnings are
  printed only when it is read. So when a build ends with warnings, a marker is
  left beside the pickled environment, and the next build reads every page again
  (as ``sphinx-build -E`` would): a problem stays reported until it is fixed, on
  every build, whether run by ``make html``, ``make serve`` or a test.
  Removing a page also re-reads the pages whose table of contents named it, and
  deletes the page written for it (Sphinx would leave it published).
* **Old figures stay published.** A graphviz figure is written under a name made from
  its source; when the figure changes, Sphinx leaves the old file in ``_images/``. At
  the end of an HTML build, the graphviz files no page refers to are deleted.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from guideline_trace.state import state

__version__ = "1.0.0"

logger = logging.getLogger(__name__)

#: File beside ``environment.pickle`` that says the last build ended with warnings.
WARNED_MARKER = "last-build-warned"


def _marker(app: Sphinx) -> Path:
    return Path(app.doctreedir) / WARNED_MARKER


def _canonical(value: Any) -> str:
    """``repr`` with every dict's items sorted: re-reading a page re-inserts its entries
    at the end of the domain's dicts, which must not count as a change."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_canonical(v)}" for k, v in sorted(value.items(), key=lambda kv: repr(kv[0]))) + "}"
    return repr(value)


def target_digest(env: BuildEnvironment) -> str:
    """SHA-256 (hex) of everything a cross-reference or a page's navigation resolves against.

    Covers the standard domain's data (labels, anonymous labels, objects, terms,
    program options), each page's title, its MyST heading slugs, the toctree
    structure with section and figure numbers, and the set of pages.
    """
    std = env.domains.standard_domain
    parts = {
        "pages": sorted(env.found_docs),
        "std": {name: value for name, value in std.data.items() if name != "version"},
        "titles": {doc: title.astext() for doc, title in env.titles.items()},
        "slugs": {doc: meta.get("myst_slugs", {}) for doc, meta in env.metadata.items()},
        "toctree": env.toctree_includes,
        "secnumbers": env.toc_secnumbers,
        "fignumbers": env.toc_fignumbers,
    }
    return hashlib.sha256(_canonical(parts).encode("utf-8")).hexdigest()


def reread_after_warnings(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """``env-get-outdated``: every page after a build with warnings; the parents of removed pages."""
    again: set[str] = set()
    if _marker(app).exists():
        logger.info("(the last build had warnings: reading every page again) ", nonl=True)
        again.update(env.found_docs)
    for parent, children in env.toctree_includes.items():
        if removed.intersection(children):
            again.add(parent)
    remove_outputs(app, removed)
    return sorted(again - removed)


def remove_outputs(app: Sphinx, docnames: set[str]) -> None:
    """Delete the pages written for ``docnames`` (pages whose sources were removed).

    Sphinx leaves them in the output folder, where a clean build has none: a page an
    editor withdrew would stay published. Only builders that write one file per page
    (``get_outfilename``) are concerned.
    """
    outfilename = getattr(app.builder, "get_outfilename", None)
    if outfilename is None:
        return
    for docname in sorted(docnames):
        page = Path(outfilename(docname))
        if page.is_file():
            logger.info("removing the page of deleted source %s ", docname, nonl=True)
            page.unlink()


def need_pages(env: BuildEnvironment) -> dict[str, str]:
    """Need ID -> the page it is on (sphinx-needs' data)."""
    from sphinx_needs.data import SphinxNeedsData

    return {need_id: str(need["docname"]) for need_id, need in SphinxNeedsData(env).get_needs_mutable().items()
            if need.get("docname")}


def moved_needs(before: dict[str, str], now: dict[str, str]) -> list[str]:
    """IDs of the needs in both maps whose page changed."""
    return sorted(need_id for need_id, page in now.items() if before.get(need_id, page) != page)


def rewrite_when_targets_change(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-get-updated``: every page when the targets changed since the last build, or a need
    moved to another page; else none."""
    digest = target_digest(env)
    previous = state(env).target_digest
    state(env).target_digest = digest
    pages = need_pages(env)
    moved = moved_needs(getattr(state(env), "need_pages", {}), pages)
    state(env).need_pages = pages
    if moved or (previous is not None and previous != digest):
        return sorted(env.found_docs)
    return []


def forget_pages_to_read(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """``env-before-read-docs``: forget every page about to be read before any is read (what a
    serial read otherwise does page by page), so a need moved between two of them is kept."""
    for docname in docnames:
        app.events.emit("env-purge-doc", env, docname)
        env.clear_doc(docname)


def remove_unused_figures(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: delete the graphviz files in ``_images/`` that no written page refers to."""
    images = Path(app.outdir, "_images")
    if exception is not None or app.builder.format != "html" or not images.is_dir():
        return
    figures = {path.name: path for path in images.glob("graphviz-*")}
    if not figures:
        return
    pattern = re.compile(r"graphviz-[0-9a-f]+\.[a-z]+")
    used: set[str] = set()
    for page in Path(app.outdir).rglob("*.html"):
        used.update(pattern.findall(page.read_text(encoding="utf-8", errors="replace")))
    for name, path in sorted(figures.items()):
        if name not in used:
            path.unlink()


def note_warnings(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: leave the marker if this build warned, else remove it."""
    marker = _marker(app)
    if app._warncount or exception is not None:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    else:
        marker.unlink(missing_ok=True)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("env-get-outdated", reread_after_warnings)
    app.connect("env-before-read-docs", forget_pages_to_read, priority=100)
    # after the toctree collector has numbered sections and figures
    app.connect("env-get-updated", rewrite_when_targets_change, priority=900)
    app.connect("build-finished", remove_unused_figures)
    app.connect("build-finished", note_warnings, priority=1000)
    return {
        "version": __version__,
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
