"""Each page loads only the scripts and stylesheets it uses.

Sphinx puts every stylesheet and script an extension registers on every page. On this site that
was jQuery (89 KB, for two sphinx-needs scripts no page uses), the data viewer of sphinx-needs'
debug output, the collapse button script, the code-highlighting stylesheet (the guideline has no
code), and sphinx-needs' stylesheets on pages without a need: 25–35 requests and 246–637 KB a
page, slow for readers on a 1.5 Mbps municipal line (issue #13).

:data:`CONDITIONAL` lists, for each such asset, what in a page's HTML uses it; the asset stays on
the pages that hold that, and only there. An asset not listed stays on every page. The test
``tests/test_site.py`` checks, page by page, that every listed asset a page uses is still loaded
and that the pages still work in the browser tests (the needtable widget, the search).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sphinx.application import Sphinx

__version__ = "1.0.0"


@dataclass(frozen=True)
class ConditionalAsset:
    """An asset (its path under ``_static/`` ends with ``suffix``) that a page loads only when its body
    HTML matches ``used_when``; ``why``: what uses it (for the README and the test's messages)."""

    suffix: str
    used_when: re.Pattern[str]
    why: str


#: sphinx-needs' collapse button (``needs_collapse``) and data viewer (``sdv-data``) are the only users
#: of jQuery on this site; a layout or ``needs_debug`` that brings them back brings jQuery with them.
_JQUERY_USERS = re.compile(r'class="[^"]*\b(?:needs_collapse|sdv-data)\b')
#: a need (sphinx-needs' layout table) or a needtable
_NEEDS = re.compile(r'class="[^"]*\b(?:need|needs_[a-z_]+|NEEDS_DATATABLES|SN_TABLE)\b')

CONDITIONAL: tuple[ConditionalAsset, ...] = (
    ConditionalAsset("jquery.js", _JQUERY_USERS, "sphinx-needs' collapse button and data viewer"),
    ConditionalAsset("_sphinx_javascript_frameworks_compat.js", _JQUERY_USERS, "jQuery's Sphinx helpers"),
    ConditionalAsset("sphinx_needs_collapse.js", re.compile(r'class="[^"]*\bneeds_collapse\b'),
                     "sphinx-needs' collapse button"),
    ConditionalAsset("jsonview.bundle.js", re.compile(r'class="[^"]*\bsdv-data\b'), "sphinx-needs' data viewer"),
    ConditionalAsset("jsonview.bundle.css", re.compile(r'class="[^"]*\bsdv-data\b'), "sphinx-needs' data viewer"),
    ConditionalAsset("jsonview_loader.js", re.compile(r'class="[^"]*\bsdv-data\b'), "sphinx-needs' data viewer"),
    ConditionalAsset("pygments.css", re.compile(r'class="[^"]*\bhighlight\b'), "highlighted code"),
    ConditionalAsset("sphinx_highlight.js", re.compile(r"(?!)"),
                     "search words highlighted from ?highlight= (the site search does not add it)"),
    ConditionalAsset("graphviz.css", re.compile(r'class="[^"]*\bgraphviz\b'), "graphviz figures"),
    *(ConditionalAsset(name, _NEEDS, "needs and needtables") for name in (
        "need_core.css", "need_links.css", "need_style.css", "need_toggle.css", "needstable.css", "modern.css",
    )),
)


def unused(filename: str, body: str) -> bool:
    """Whether the asset ``filename`` is listed in :data:`CONDITIONAL` and ``body`` (a page's body HTML)
    holds nothing that uses it."""
    name = filename.split("?", 1)[0]
    return any(name.endswith(a.suffix) and not a.used_when.search(body) for a in CONDITIONAL)


def drop_unused_assets(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                       doctree: Any) -> None:
    """``html-page-context``: take the assets this page does not use out of its ``script_files`` and
    ``css_files`` (the builder restores its lists before the next page)."""
    body = str(context.get("body") or "")
    for key in ("script_files", "css_files"):
        assets = context.get(key)
        if isinstance(assets, list):
            assets[:] = [a for a in assets if not unused(str(getattr(a, "filename", a)), body)]


def setup(app: Sphinx) -> dict[str, Any]:
    # after every handler that adds a page's assets (sphinx-needs adds the needtable's at the default)
    app.connect("html-page-context", drop_unused_assets, priority=950)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
