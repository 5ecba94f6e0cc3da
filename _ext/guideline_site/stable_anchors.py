"""Anchors made from text, never from position.

Docutils and Sphinx build an element's ID from its text with the non-ASCII
characters removed. A Japanese heading such as 「対象」 or a glossary term such as
「再委託」 is left with nothing, so it gets a counter instead (``#id3``,
``#term-0``), and a mixed term keeps only its Latin letters (「公衆無線LAN」 becomes
``#term-LAN``). Adding one heading or term then renumbers every later one: saved
links, search results and links from unchanged pages open the wrong place.

This transform gives those elements an anchor from their own text instead:

* a section whose only own ID is such a counter takes its MyST heading slug
  (``myst_heading_anchors``; GitHub-style, Japanese kept: 「本ガイドラインの目的」
  → ``#本ガイドラインの目的``), or a slug of its title when it has none; an explicit
  label such as ``(theme-3)=`` stays first, as MyST orders it; a figure or
  table takes its label, else its caption or title;
* a glossary term takes ``term-`` and its text (NFKC-normalised, white space as
  ``-``): 「公衆無線LAN」 → ``#term-公衆無線LAN``. The standard domain's record of the
  term, its index entry and every reference inside the page follow.

Counter IDs are removed from these elements, so no published link depends on
position. Two headings with the same text on one page are told apart by MyST's
``-1``, ``-2`` suffixes; give them explicit labels where that matters.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from docutils import nodes
from docutils.transforms import Transform
from sphinx import addnodes
from sphinx.application import Sphinx

__version__ = "1.0.0"

#: IDs docutils and Sphinx make from a counter: ``id12``, ``term-3``.
POSITIONAL_ID = re.compile(r"^(id|term-)\d+$")


def text_anchor(text: str) -> str:
    """An HTML id from ``text``: NFKC-normalised, white space runs as ``-``, ends trimmed.

    Keeps every other character (Japanese, digits, punctuation), because HTML5 ids
    may hold anything but white space. Returns ``""`` for text that is all white space.
    """
    return re.sub(r"\s+", "-", unicodedata.normalize("NFKC", text).strip()).strip("-")


def term_anchor(term_text: str) -> str:
    """The anchor of a glossary term: ``term-`` + :func:`text_anchor` of its text."""
    return "term-" + text_anchor(term_text)


class StableAnchors(Transform):
    """Replace counter IDs of sections and glossary terms by IDs from their text.

    Runs after MyST has added heading slugs (priority 700) and before the
    standard domain reads labels (850) and MyST resolves ``[](#slug)`` links (879).
    """

    default_priority = 705

    def apply(self, **kwargs: Any) -> None:
        document = self.document
        renamed: dict[str, str] = {}
        for node in list(document.findall(nodes.Element)):
            if isinstance(node, (nodes.section, nodes.figure, nodes.table)):
                self._element(node, renamed)
        for term in list(document.findall(nodes.term)):
            self._term(term, renamed)
        if not renamed:
            return
        for node in document.findall(nodes.Element):
            if node.get("refid") in renamed:
                node["refid"] = renamed[node["refid"]]
        for name, node_id in list(document.nameids.items()):
            if node_id in renamed:
                document.nameids[name] = renamed[node_id]
        slugs = getattr(document, "myst_slugs", None) or {}
        for slug, (line, node_id, text) in list(slugs.items()):
            if node_id in renamed:
                slugs[slug] = (line, renamed[node_id], text)

    def _replace(self, node: nodes.Element, new_id: str, renamed: dict[str, str]) -> bool:
        """Put ``new_id`` first in ``node``'s IDs and drop its counter IDs; False if taken."""
        owner = self.document.ids.get(new_id)
        if owner is not None and owner is not node:
            return False
        old = [i for i in node["ids"] if POSITIONAL_ID.match(i)]
        node["ids"] = [new_id] + [i for i in node["ids"] if i != new_id and i not in old]
        self.document.ids[new_id] = node
        for old_id in old:
            self.document.ids.pop(old_id, None)
            renamed[old_id] = new_id
        return True

    def _element(self, node: nodes.Element, renamed: dict[str, str]) -> None:
        """A section, figure or table: its first non-counter ID, else an anchor from its title."""
        ids = node["ids"]
        if not any(POSITIONAL_ID.match(i) for i in ids):
            return
        others = [i for i in ids if not POSITIONAL_ID.match(i)]
        if others:
            self._replace(node, others[0], renamed)
            return
        title = next((child for child in node.children if isinstance(child, (nodes.title, nodes.caption))), None)
        anchor = text_anchor(title.astext()) if title is not None else ""
        if anchor:
            self._replace(node, anchor, renamed)

    def _term(self, term: nodes.term, renamed: dict[str, str]) -> None:
        if not term["ids"]:
            return
        old_id = term["ids"][0]
        text = term.astext()
        new_id = term_anchor(text)
        if old_id == new_id or new_id == "term-":
            return
        owner = self.document.ids.get(new_id)
        if owner is not None and owner is not term:
            return  # a duplicate term: Sphinx reports it, and the first keeps the anchor
        term["ids"] = [new_id] + [i for i in term["ids"] if i not in (old_id, new_id)]
        self.document.ids.pop(old_id, None)
        self.document.ids[new_id] = term
        renamed[old_id] = new_id
        for index in term.findall(addnodes.index):
            index["entries"] = [
                (kind, value, new_id if target == old_id else target, main, key)
                for kind, value, target, main, key in index["entries"]
            ]
        env = self.document.settings.env
        std = env.domains.standard_domain
        docname = env.current_document.docname
        for key in (("term", text), ("term", text.lower())):
            if std.objects.get(key) == (docname, old_id):
                std.objects[key] = (docname, new_id)
        terms = std.data.setdefault("terms", {})
        if terms.get(text.lower()) == (docname, old_id):
            terms[text.lower()] = (docname, new_id)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_transform(StableAnchors)
    return {
        "version": __version__,
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
