"""``needs.json`` as a contract another sphinx-needs project can import (``needimport``) with no warning.

sphinx-needs writes ``needs.json`` when an HTML build finishes. Two things in it only this site understands:

- each need's ``layout`` names a layout defined in this site's ``conf.py``; a project without it stops with
  ``SphinxNeedLayoutException``. ``conf.py`` leaves the field out (``needs_json_exclude_fields``);
- each need's ``content`` is MyST as written, whose ``{term}``, ``{ref}``, ``{doc}`` and ``{numref}`` roles name
  this site's glossary and headings; another project reports each as undefined. After sphinx-needs has written
  the file, :func:`portable_content` replaces each such role with the text this site shows for it. ``{need}``
  roles stay: every need they name is in the same file. A ``{param}`` role (団体で定める事項) becomes the 例文's
  own words.

The version (``current_version``) is this site's ``version`` (the edition); the version's ``created`` is the
build time of the exports' provenance (``SOURCE_DATE_EPOCH``, else the commit's time), so the file stays the
same for the same commit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from trace_model.params import with_defaults

from guideline_trace.state import build_cache

__version__ = "1.0.0"

#: a role of this site's cross-references: {term}`text`, {ref}`text <label>`, {doc}`path` ...
_ROLE = re.compile(r"\{(term|ref|doc|numref)\}`([^`]*)`")
_EXPLICIT = re.compile(r"^(.*?)\s*<([^<>]+)>$", re.DOTALL)


def portable_content(text: str, title_of: Callable[[str, str], str], keep_refs: bool = False) -> str:
    """``text`` with every ``{term}``, ``{ref}``, ``{doc}`` and ``{numref}`` role replaced by the words a reader
    sees: the explicit text of ``{ref}`text <label>``` , the term of ``{term}`term```, else
    ``title_of(role, target)`` (the heading a ``{ref}`` or ``{doc}`` names), in 「」 as the site's pages quote
    a heading in running text. ``keep_refs``: a ``{ref}`` keeps its label, with those words as its explicit
    text (``{ref}`「4. 適用範囲」 <pol-4>```), so that a frozen edition's 例文 still say what they refer to (a
    municipality's policy renumbers them: ``trace_model.policy``)."""

    def replace(match: re.Match[str]) -> str:
        role, body = match.group(1), match.group(2)
        explicit = _EXPLICIT.match(body)
        if keep_refs and role == "ref":
            shown = explicit.group(1) if explicit else f"「{title_of(role, body)}」"
            return f"{{ref}}`{shown} <{explicit.group(2) if explicit else body}>`"
        if explicit:
            return explicit.group(1)
        if role == "term":
            return body
        return f"「{title_of(role, body)}」"

    return _ROLE.sub(replace, text)


def titles(app: Sphinx) -> Callable[[str, str], str]:
    env = app.env
    labels = env.domains.standard_domain.labels

    def title_of(role: str, target: str) -> str:
        if role in ("ref", "numref") and target.lower() in labels:
            return labels[target.lower()][2] or target
        if role == "doc":
            docname = target.lstrip("/").removesuffix(".md")
            if docname in env.titles:
                return env.titles[docname].astext()
        return target

    return title_of


def rewrite_needs_json(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished`` (after sphinx-needs wrote the file): make each need's content portable and record the
    build time in the version's ``created``."""
    if exception is not None or app.builder.format != "html" or not app.config.needs_build_json:
        return
    path = Path(app.outdir, "needs.json")
    if not path.exists():
        return
    if not build_cache(app).needs_json_written:
        return  # sphinx-needs did not write it again (skip_unchanged_needs_json): it is already rewritten
    from guideline_trace.exports import provenance

    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    title_of = titles(app)
    created = provenance(app).built.strftime("%Y-%m-%dT%H:%M:%S+00:00")  # three git calls: once, not per version
    for version in data.get("versions", {}).values():
        version["created"] = created
        for need in version.get("needs", {}).values():
            if isinstance(need.get("content"), str):
                # a {param} role only this site defines: the 例文's own words (the registry is in edition.json)
                need["content"] = with_defaults(portable_content(need["content"], title_of))
    path.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")


def skip_unchanged_needs_json(app: Sphinx) -> None:
    """``builder-inited``: sphinx-needs writes ``needs.json`` at the end of every HTML build, also when no page was
    read or removed, with json's pure-Python encoder (most of a no-change rebuild's ``build-finished`` event in
    ``bench/phases.py``). Its handler is kept, but called only when this build read or removed a page or the
    file is missing; else the file on disk is the one the same needs gave, as for the exports
    (``guideline_trace.exports.write_exports``)."""
    from sphinx_needs.builder import build_needs_json

    from guideline_trace.views import sources_changed

    for listener in list(app.events.listeners["build-finished"]):
        if listener.handler is build_needs_json:
            app.disconnect(listener.id)

            def when_changed(app: Sphinx, exception: Exception | None) -> None:
                if sources_changed(app) or not Path(app.outdir, "needs.json").exists():
                    build_needs_json(app, exception)  # type: ignore[arg-type]
                    build_cache(app).needs_json_written = True

            app.connect("build-finished", when_changed, priority=listener.priority)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", skip_unchanged_needs_json)
    # after sphinx-needs' own build-finished handler (default priority) has written the file
    app.connect("build-finished", rewrite_needs_json, priority=700)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
