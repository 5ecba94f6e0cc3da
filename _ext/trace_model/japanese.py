"""Japanese text as the guideline is written: which characters are Japanese, and joining the line breaks editors
put inside Japanese sentences when they wrap a paragraph in the Markdown sources.

A line break between two Japanese characters is not a space (Japanese has no spaces between words), so every
reader of the text — the site's pages (``guideline_site.ja_text``), the 新旧対照表 (``trace_model.editions``) and
the OSCAL prose (``trace_model.oscal``) — drops it; a break next to Latin text is a space.
"""

from __future__ import annotations

import re

#: The character ranges counted as Japanese: CJK symbols and punctuation (、。「」), hiragana, katakana and its
#: extensions, kanji (with extension A and compatibility), full-width forms (（）：０-９), circled numbers (①),
#: dashes, quotes and the ellipsis.
JA_CHARS = ("\u3000-\u303f\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
            "\uff00-\uffef\u2460-\u24ff\u2010-\u2027")
JA_CHAR = re.compile(f"[{JA_CHARS}]")
_BREAK = re.compile(rf"(?<=[{JA_CHARS}])[ \t]*\n[ \t]*(?=[{JA_CHARS}])")


def join_japanese_lines(text: str) -> str:
    """``"日本語の\\n文章"`` -> ``"日本語の文章"`` (the break and the indentation around it); a break next to Latin
    text, and a blank line between paragraphs, are kept."""
    return _BREAK.sub("", text)
