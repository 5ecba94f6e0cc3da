"""Japanese wording for the coded values a need shows (出所 paper / added, 階層 control ...).

The codes stay in the data (needs.json, exports, filters); on the page a reader
sees 「論点資料に記載（paper）」 instead of a bare ``paper``.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from trace_model.exports import RELATIONSHIP_LABELS
from trace_model.model import parse_reasons
from trace_model.report import LEVEL_LABELS

__version__ = "1.0.0"

#: field -> code -> Japanese wording (the code is kept in brackets after it).
VALUE_LABELS: dict[str, dict[str, str]] = {
    # a revision point with ``paper`` is the paper's own statement; a 例文 with ``paper`` puts one into effect
    "source": {"paper": "論点資料に基づく", "added": "本改定で追加"},
    "level": {k: v for k, v in LEVEL_LABELS.items() if k != "entries"},
    "confidence": {"high": "高", "medium": "中", "low": "低（原典で要確認）"},
    "ja_confidence": {"high": "高", "medium": "中", "low": "低（JIS 原文で要確認）"},
    "new": {"yes": "はい"},
}


_FIELD_CLASSES = {f"needs_{field}": field for field in VALUE_LABELS}


def _data_nodes(container: nodes.Element) -> list[nodes.inline]:
    return [n for n in container.findall(nodes.inline) if "needs_data" in n["classes"]]


def label_values(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """One pass over the page's inline nodes: label coded values, split the ISO reasons."""
    for container in list(doctree.findall(nodes.inline)):
        classes = container["classes"]
        if not classes or not classes[0].startswith("needs_"):
            continue
        if any(c.startswith("needs_") and c.endswith(("_reason", "_relation")) for c in classes):
            # one line per link; a relationship also in the words the exports use (同等（equal-to）)
            relation = any(c.endswith("_relation") for c in classes)
            for data in _data_nodes(container):
                data.children = [
                    nodes.inline("", f"{control}: {RELATIONSHIP_LABELS[value]}（{value}）" if relation
                                 and value in RELATIONSHIP_LABELS else f"{control}: {value}", classes=["iso-reason"])
                    for control, value in parse_reasons(data.astext()).items()
                ]
            continue
        field = next((_FIELD_CLASSES[c] for c in classes if c in _FIELD_CLASSES), None)
        if field is None:
            continue
        for data in _data_nodes(container):
            code = data.astext()
            if code in VALUE_LABELS[field]:
                data.children = [nodes.Text(f"{VALUE_LABELS[field][code]}（{code}）")]


def setup(app: Sphinx) -> dict[str, Any]:
    # after sphinx-needs has laid out its need nodes (doctree-resolved, default priority)
    app.connect("doctree-resolved", label_values, priority=600)
    return {
        "version": __version__,
        "env_version": 5,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
