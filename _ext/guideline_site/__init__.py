"""The Japanese reader's polish, apart from the trace: line breaks, search, labels, accessibility, anchors.

``conf.py`` lists ``guideline_site``; each module is also an extension of its own (the search benchmark
builds the site without :mod:`guideline_site.site_search`, with Sphinx's own search, to compare).

- :mod:`guideline_site.ja_text`: soft line breaks inside Japanese text joined without a stray space.
- :mod:`guideline_site.site_search`: the site search, from disk too: numbers, variants, typos, anchors.
- :mod:`guideline_site.needtable_ja`: sphinx-needs' interactive table in Japanese, sorted as text.
- :mod:`guideline_site.a11y`: accessibility repairs of the HTML that Sphinx, furo and graphviz write.
- :mod:`guideline_site.a11y_report`: the accessibility page (試験結果) from the browser tests' results.
- :mod:`guideline_site.need_labels`: Japanese wording for the coded values a need shows.
- :mod:`guideline_site.stable_anchors`: anchors from the text of headings, terms, figures and tables.
- :mod:`guideline_site.text_tables`: plain-text output (``-b text``) of needs that hold a table.
- :mod:`guideline_site.page_assets`: each page loads only the scripts and stylesheets it uses.
- :mod:`guideline_site.need_headings`: each need as a heading, its statement first, its trace after.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.application import Sphinx

__version__ = "1.0.0"

COMPONENTS = ("a11y_report", "ja_text", "site_search", "needtable_ja", "a11y", "need_labels", "stable_anchors",
              "text_tables", "page_assets", "need_headings")


def setup(app: Sphinx) -> dict[str, Any]:
    """Set up every component, in the order their event handlers must run."""
    for component in COMPONENTS:
        app.setup_extension(f"{__name__}.{component}")
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
