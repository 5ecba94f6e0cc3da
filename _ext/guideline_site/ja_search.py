"""Japanese full-text search that finds the words a reader types.

Sphinx's Japanese search splits the text into words with TinySegmenter at build
time and the query with the same segmenter in the browser; a compound such as
公衆無線LAN or 外部委託 is cut differently in running text and in the query, so a
page that contains it is not found. This replaces the splitter on both sides:

* text and query are NFKC-normalised and lower-cased (全角 ＶＰＮ = VPN, ｸﾗｳﾄﾞ = クラウド);
* a run of kana / kanji becomes its overlapping bigrams (公衆無線 → 公衆 衆無 無線),
  a run of Latin letters and digits stays one word (lan, vpn);
* the bigram across two text nodes of one paragraph is indexed too, so a word that
  spans a link (住民向けの公衆無線LAN) is found, and so is each figure's text alternative.

A page is a candidate when it has every bigram of the query; ``ja-search.js``
then keeps only the pages whose text holds the query itself (each word of it,
white space ignored) and shows the text around the first hit.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from pathlib import Path
from typing import Any

import sphinx.search
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.ext.graphviz import graphviz
from sphinx.search import SearchLanguage

__version__ = "1.0.0"

# kana, the prolonged sound mark, 々〆〻, CJK ideographs (ext A, unified, compatibility)
_CJK = "\u3041-\u3096\u30a1-\u30fa\u30fc\u3005\u3006\u303b\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_LATIN = "0-9a-z\u00c0-\u024f"
_TOKEN = re.compile(rf"([{_CJK}]+)|([{_LATIN}]+)")


def normalise(text: str) -> str:
    """NFKC and lower case: the form both the index and the query are made from."""
    return unicodedata.normalize("NFKC", text).lower()


def bigram_split(text: str) -> list[str]:
    """Index terms of ``text``: bigrams of kana/kanji runs, whole Latin/digit words."""
    terms: list[str] = []
    for match in _TOKEN.finditer(normalise(text)):
        cjk, latin = match.groups()
        if cjk:
            if len(cjk) == 1:
                terms.append(cjk)
            else:
                terms.extend(cjk[i:i + 2] for i in range(len(cjk) - 1))
        else:
            terms.append(latin)
    return terms


# The same splitter for the query, in the browser (String.prototype.normalize is NFKC-capable).
JS_SPLITTER = (
    "var splitQuery = (query) => {\n"
    f"  const re = /([{_CJK}]+)|([{_LATIN}]+)/gu;\n"
    "  const terms = [];\n"
    "  for (const match of query.normalize('NFKC').toLowerCase().matchAll(re)) {\n"
    "    if (match[1]) {\n"
    "      const chars = [...match[1]];\n"
    "      if (chars.length === 1) terms.push(chars[0]);\n"
    "      for (let i = 0; i + 1 < chars.length; i += 1) terms.push(chars[i] + chars[i + 1]);\n"
    "    } else {\n"
    "      terms.push(match[2]);\n"
    "    }\n"
    "  }\n"
    "  return terms;\n"
    "};\n"
)


class SearchJapaneseBigram(SearchLanguage):
    """The ``ja`` search language: NFKC bigrams, the same at build time and in the browser."""

    lang = "ja"
    language_name = "Japanese"
    js_splitter_code = JS_SPLITTER

    def split(self, input: str) -> list[str]:
        return bigram_split(input)

    def word_filter(self, word: str) -> bool:
        return bool(word) and not word.isdigit()

    def stem(self, word: str) -> str:
        return word


_ORIGINAL_VISIT = sphinx.search._feed_visit_nodes
_PARAGRAPHS = (nodes.paragraph, nodes.term, nodes.caption, nodes.rubric, nodes.title)
_CJK_CHAR = re.compile(rf"[{_CJK}]")


def _visit_with_boundaries(node: nodes.Node, *, word_store: Any, split: Any, language: str) -> None:
    """Sphinx splits each text node alone, so the bigram across two nodes of one paragraph
    (住民向けの | 公衆無線LAN, a link) is missing: add those, and each figure's text alternative."""
    _ORIGINAL_VISIT(node, word_store=word_store, split=split, language=language)
    if language != "ja" or not isinstance(node, nodes.document):
        return
    for paragraph in node.findall(lambda n: isinstance(n, _PARAGRAPHS)):
        texts = [str(t) for t in paragraph.findall(nodes.Text)]
        if len(texts) < 2 or _excluded(paragraph):
            continue
        for before, after in itertools.pairwise(texts):
            if before and after:
                pair = normalise(before[-1] + after[0])
                if len(pair) == 2 and _CJK_CHAR.match(pair[0]) and _CJK_CHAR.match(pair[1]):
                    word_store.words.append(pair)
    # a figure's text alternative is text of the page too (the <object>'s fallback)
    for figure in node.findall(graphviz):
        word_store.words.extend(split(figure.get("alt", "")))


def _excluded(node: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, nodes.comment) or (
            isinstance(parent, nodes.Element) and "no-search" in parent["classes"]
        ):
            return True
        parent = parent.parent
    return False


def add_static_path(app: Sphinx, config: Config) -> None:
    """Add our static folder while the configuration is read, so that it is the same
    configuration the next build compares with (no "configuration has changed")."""
    static = str(Path(__file__).parent / "static")
    if static not in config.html_static_path:
        config.html_static_path.append(static)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_search_language(SearchJapaneseBigram)
    if sphinx.search._feed_visit_nodes is _ORIGINAL_VISIT:
        sphinx.search._feed_visit_nodes = _visit_with_boundaries
    app.connect("config-inited", add_static_path)
    app.add_js_file("ja-search.js", priority=900)
    return {
        "version": __version__,
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
