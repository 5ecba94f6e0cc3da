"""Accessibility repairs to the HTML that Sphinx, furo and graphviz write (JIS X 8341-3 / WCAG 2.x AA).

* A toctree caption is ``<p class="caption" role="heading">`` without the
  ``aria-level`` a heading role requires (axe: aria-required-attr); it gets level 2.
* A graphviz figure in SVG is an ``<object>`` whose text alternative is only its
  fallback content, which assistive technology does not announce for a loaded
  object (axe: object-alt); it gets ``role="img"`` and ``aria-label`` from the
  figure's ``:alt:``.

Both are changed in the page context, after the theme has built it, so every
builder-independent part of the site (doctrees, search index) stays as it is.
"""

from __future__ import annotations

import html
import re
from typing import Any

from sphinx.application import Sphinx

__version__ = "1.0.0"

_CAPTION_HEADING = re.compile(r'(<p class="caption[^"]*" role="heading")(?![^>]*aria-level)')
_SVG_OBJECT = re.compile(
    r'<object (data="[^"]*" type="image/svg\+xml" class="[^"]*")>\s*<p class="warning">(.*?)</p>', re.DOTALL
)


def label_svg_object(match: re.Match[str]) -> str:
    alt = html.unescape(re.sub(r"<[^>]+>", "", match.group(2))).strip()
    label = html.escape(alt, quote=True)
    return f'<object {match.group(1)} role="img" aria-label="{label}">\n<p class="warning">{match.group(2)}</p>'


def repair(fragment: str) -> str:
    fragment = _CAPTION_HEADING.sub(r'\1 aria-level="2"', fragment)
    return _SVG_OBJECT.sub(label_svg_object, fragment)


def repair_page(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    for key in ("body", "furo_navigation_tree", "toc"):
        value = context.get(key)
        if isinstance(value, str):
            context[key] = repair(value)


def setup(app: Sphinx) -> dict[str, Any]:
    # after the theme (furo computes its navigation tree at the default priority)
    app.connect("html-page-context", repair_page, priority=900)
    return {
        "version": __version__,
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
