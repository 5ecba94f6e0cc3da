"""Join the source line breaks inside Japanese sentences.

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
from sphinx.transforms import SphinxTransform

__version__ = "1.0.0"

_JA = (
    "\u3000-\u303f"  # CJK symbols and punctuation (、。「」…)
    "\u3040-\u30ff"  # hiragana, katakana
    "\u31f0-\u31ff"  # katakana extensions
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # kanji
    "\uff00-\uffef"  # full-width forms (（）：０-９)
    "\u2460-\u24ff"  # circled numbers ①
    "\u2010-\u2027"  # dashes, quotes, ellipsis
)
_BREAK = re.compile(rf"(?<=[{_JA}])[ \t]*\n[ \t]*(?=[{_JA}])")


def join_japanese_lines(text: str) -> str:
    """``"日本語の\\n文章"`` -> ``"日本語の文章"``; a break next to Latin text is kept."""
    return _BREAK.sub("", text)


class JoinJapaneseLines(SphinxTransform):
    """Apply :func:`join_japanese_lines` to the text of every paragraph-like node."""

    default_priority = 500

    def apply(self, **kwargs: Any) -> None:
        for text in list(self.document.findall(nodes.Text)):
            parent = text.parent
            if parent is None or isinstance(parent, (nodes.literal_block, nodes.raw, nodes.literal)):
                continue
            if "\n" not in text:
                continue
            joined = join_japanese_lines(str(text))
            if joined != str(text):
                parent.replace(text, nodes.Text(joined))


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_transform(JoinJapaneseLines)
    return {
        "version": __version__,
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
