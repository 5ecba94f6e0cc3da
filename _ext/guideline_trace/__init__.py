"""The Sphinx side of the trace: one extension made of components, each a module with its own ``setup()``.

``conf.py`` lists ``guideline_trace``; this sets up every component, in the order their event handlers
must run. The computing is done by the pure :mod:`trace_model` package; the modules here read the
configuration, the needs and the pages, keep the build state, and write views, exports and warnings.

- :mod:`guideline_trace.config`: every ``trace_*`` setting, typed and checked when the configuration is read.
- :mod:`guideline_trace.rebuild`: what an incremental build must read or write again to equal a clean one.
- :mod:`guideline_trace.checks`: the traced need directives, the build state, the trace checks, the warning route.
- :mod:`guideline_trace.catalogs`: the ``trace-catalog`` directive (NISC and ISO entries as needs).
- :mod:`guideline_trace.params`: the ``param`` role (団体で定める事項 in a 例文) and its registry.
- :mod:`guideline_trace.views`: the reviewer views (matrices, gaps, requirement table, SoA, trace chains).
- :mod:`guideline_trace.editions`: the frozen editions, the 改定履歴 and the 新旧対照表 (``edition-comparison``).
- :mod:`guideline_trace.exports`: CSV and XLSX files of the views, written when an HTML build finishes.
- :mod:`guideline_trace.needs_json`: ``needs.json`` that another sphinx-needs project imports without a warning.
- :mod:`guideline_trace.resources`: images without a text alternative, and resources from another host.
- :mod:`guideline_trace.includes`: relative links in an included requirements file, resolved from that file.
- :mod:`guideline_trace.state`: the build state kept in the environment (merged for ``-j``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.application import Sphinx

__version__ = "1.0.0"

#: The components, in the order they are set up (their event handlers run in this order).
COMPONENTS = ("checks", "catalogs", "params", "views", "editions", "exports", "needs_json", "resources", "includes", "needtables")


def setup(app: Sphinx) -> dict[str, Any]:
    """Set up every component (``config`` and ``rebuild`` come with ``checks``)."""
    for component in COMPONENTS:
        app.setup_extension(f"{__name__}.{component}")
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
