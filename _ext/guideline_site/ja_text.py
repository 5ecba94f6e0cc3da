"""Join the source line breaks inside Japanese sentences (on the page as written).

Editors wrap long Japanese paragraphs in the Markdown sources. Browsers render
a line break between two Japanese characters as a space, which Japanese text
never has. This transform removes a line break (and the indentation around it)
when the characters on both sides are Japanese (kana, kanji, full-width forms
and punctuation), and leaves it alone next to Latin text, where it is a space.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from trace_model.japanese import JA_CHAR, join_japanese_lines

__version__ = "1.0.0"

_SOFT_BREAK = re.compile(r"[ \t]*\n[ \t]*")
_SKIP = (nodes.literal_block, nodes.raw, nodes.literal, nodes.comment)


def join_lines_in(doctree: nodes.Node) -> None:
    """Apply :func:`join_japanese_lines` to every text outside literal blocks.

    MyST emits a soft line break as a text node of its own between the text of the
    two lines, so a break node is dropped when the text on both sides is Japanese.
    """
    for text in list(doctree.findall(nodes.Text)):
        parent = text.parent
        if parent is None or "\n" not in text or isinstance(parent, _SKIP):
            continue
        if _SOFT_BREAK.fullmatch(str(text)):
            index = _position(parent, text)
            before = parent[index - 1].astext()[-1:] if index > 0 else ""
            after = parent[index + 1].astext()[:1] if index + 1 < len(parent) else ""
            if JA_CHAR.match(before) and JA_CHAR.match(after):
                del parent.children[index]
            continue
        joined = _join_at_edges(text, join_japanese_lines(str(text)))
        if joined != str(text):
            index = _position(parent, text)
            parent.children[index] = nodes.Text(joined)
            parent.children[index].parent = parent


def _position(parent: nodes.Element, child: nodes.Node) -> int:
    """The index of ``child`` itself: Text nodes are strings, and ``index`` finds the first equal one
    (in a paragraph with several soft breaks, always the first break)."""
    return next(i for i, c in enumerate(parent.children) if c is child)


_LEADING = re.compile(r"^[ \t]*\n[ \t]*")
_TRAILING = re.compile(r"[ \t]*\n[ \t]*$")


def _join_at_edges(text: nodes.Text, value: str) -> str:
    """Drop a break at the start or end of a text node when the neighbouring inline
    element (a link, a term, emphasis) ends or starts with a Japanese character:
    「…は{term}`CSIRT`\nが…」 is one sentence on the page."""
    parent = text.parent
    index = _position(parent, text)
    leading = _LEADING.match(value)
    if leading and index > 0 and JA_CHAR.match(parent[index - 1].astext()[-1:] or " ") \
            and JA_CHAR.match(value[leading.end():][:1] or " "):
        value = value[leading.end():]
    trailing = _TRAILING.search(value)
    if trailing and index + 1 < len(parent) and JA_CHAR.match(parent[index + 1].astext()[:1] or " ") \
            and JA_CHAR.match(value[:trailing.start()][-1:] or " "):
        value = value[:trailing.start()]
    return value


def on_doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    # sphinx-needs builds the content of need nodes in its own doctree-resolved
    # handler, so this runs after it (priority 900), on the page as written.
    join_lines_in(doctree)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-resolved", on_doctree_resolved, priority=900)
    return {
        "version": __version__,
        "env_version": 4,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
