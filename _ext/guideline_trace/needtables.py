"""A ``{needtable}`` that names a need type or a column that does not exist is refused, located.

sphinx-needs' ``needtable`` filters needs by ``:types:`` and shows ``:columns:``; a misspelt type
(``measures``) silently drops every need of that type from the table, and a misspelt column
(``paperref``) shows an empty column, with no warning. Here the directive is sphinx-needs' own, run
after a check of those two options: each unknown name is a ``trace.view-option`` problem at the
option's line, with a did-you-mean, and the table is not drawn (a table that would silently lose
requirements is not published).
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx_needs.config import NeedsSphinxConfig
from sphinx_needs.data import NeedsCoreFields
from sphinx_needs.directives.needtable import NeedtableDirective
from trace_model.model import Location, Problem, nearest
from trace_model.sources import option_lines

from guideline_trace import checks

__version__ = "1.0.0"


def _names(value: str) -> list[str]:
    """The names of a ``:types:`` or ``:columns:`` value (``id as "ID", title`` -> id, title)."""
    return [part.strip().split(" as ", 1)[0].strip() for part in re.split(r"[;,]", value) if part.strip()]


class CheckedNeedtableDirective(NeedtableDirective):  # type: ignore[misc]
    """sphinx-needs' ``needtable``, after its ``:types:`` and ``:columns:`` are checked."""

    def run(self) -> list[nodes.Node]:
        config = NeedsSphinxConfig(self.config)
        types = {str(t["directive"]) for t in config.types} | {str(t["title"]) for t in config.types}
        links = {str(name) for name in config._links}
        columns = set(NeedsCoreFields) | set(config.fields) | links | {f"{link}_back" for link in links}
        problems = []
        source, line = self.get_source_info()
        lines = dict(option_lines(self.block_text, line))
        for option, known, kind in (("types", types, "need type"), ("columns", columns, "need field or link")):
            folded = {k.lower() for k in known}
            for name in _names(str(self.options.get(option, ""))):
                if name.lower() not in folded:
                    guess = nearest(name, sorted(known))
                    problems.append(Problem(
                        Location(source, lines.get(option, line)), "view-option",
                        f"needtable: {name!r} in ':{option}:' is not a {kind} of this site, so the table would "
                        "silently " + ("leave out its needs." if option == "types" else "show an empty column."),
                        f"Did you mean {guess!r}?" if guess else
                        f"Use one of: {', '.join(sorted(known))}." if len(known) <= 20 else
                        "See the need types, fields and links in conf.py (needs_types, needs_fields, needs_links)."))
        if problems:
            checks.record_problems(self.env, problems)
            return []
        _pages(self.env).add(self.env.docname)
        return list(super().run())


def _pages(env: Any) -> set[str]:
    """The pages that hold a needtable (kept in the environment)."""
    if not hasattr(env, "guideline_needtable_pages"):
        env.guideline_needtable_pages = set()
    return env.guideline_needtable_pages  # type: ignore[no-any-return]


def purge(app: Sphinx, env: Any, docname: str) -> None:
    _pages(env).discard(docname)


def merge(app: Sphinx, env: Any, docnames: Any, other: Any) -> None:
    _pages(env).update(_pages(other))


def rewrite_needtable_pages(app: Sphinx, env: Any) -> list[str]:
    """``env-updated``: the pages with a needtable, when any need changed since the last build. sphinx-needs fills
    a needtable when its page is written, but writes the page only when the page itself was read: a need added,
    removed or changed on another page would leave the table as it was (an incremental build then differs from a
    clean one). Compared by a digest of every need's fields, kept in the environment."""
    import hashlib

    from guideline_trace.views import sources_changed

    pages = sorted(d for d in _pages(env) if d in env.found_docs)
    if not pages or not sources_changed(app):
        return []
    needs = checks.current_needs(env)
    digest = hashlib.sha256(repr(sorted(
        (need_id, sorted((str(k), str(v)) for k, v in need.items() if k != "content"))
        for need_id, need in needs.items())).encode("utf-8")).hexdigest()
    before = getattr(env, "guideline_needtable_digest", None)
    env.guideline_needtable_digest = digest
    return pages if before != digest else []


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("sphinx_needs")
    app.setup_extension("guideline_trace.checks")
    app.add_directive("needtable", CheckedNeedtableDirective, override=True)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("env-updated", rewrite_needtable_pages)
    return {"version": __version__, "env_version": 1, "parallel_read_safe": True, "parallel_write_safe": True}
