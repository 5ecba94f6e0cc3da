"""The policy site's own markup: ``{change}`text``` marks a changed passage in the 例文との相違.

Shown underlined (as a 新旧対照表 marks it), with words around it for screen readers, since underlining is
not read out (the same as the guideline's 新旧対照表: ``trace_model.views.MARK_WORDS``).
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxRole

__version__ = "1.0.0"

#: What a screen reader hears around a changed passage.
SPOKEN = ("［変更部分：", "］")


class ChangeRole(SphinxRole):
    """``{change}`text```: ``text`` underlined, with :data:`SPOKEN` around it for screen readers only."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        node = nodes.inline(classes=["change"])
        node += nodes.inline("", SPOKEN[0], classes=["sr-only"])
        node += nodes.Text(self.text)
        node += nodes.inline("", SPOKEN[1], classes=["sr-only"])
        return [node], []


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_role("change", ChangeRole())
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
