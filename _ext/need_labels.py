"""Japanese wording for the coded values a need shows (出所 paper / added, 階層 control ...).

The codes stay in the data (needs.json, exports, filters); on the page a reader
sees 「論点資料に記載（paper）」 instead of a bare ``paper``.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from trace_model import parse_reasons

__version__ = "1.0.0"

#: field -> code -> Japanese wording (the code is kept in brackets after it).
VALUE_LABELS: dict[str, dict[str, str]] = {
    "source": {"paper": "論点資料に記載", "added": "本改定で追加"},
    "level": {
        "part": "部", "section": "節", "item": "項", "requirement": "遵守事項",
        "clause": "箇条", "objective": "管理目的", "control": "管理策", "theme": "分類",
    },
    "confidence": {"high": "高", "medium": "中", "low": "低（原典で要確認）"},
    "ja_confidence": {"high": "高", "medium": "中", "low": "低（JIS 原文で要確認）"},
    "new": {"yes": "はい"},
}


def split_reasons(doctree: nodes.document) -> None:
    """One line per ISO control in 「ISO管理策を根拠とする理由」, instead of one ``;``-joined string."""
    for container in doctree.findall(
        lambda n: isinstance(n, nodes.inline) and "needs_iso_reason" in n["classes"]
    ):
        for data in container.findall(lambda n: isinstance(n, nodes.inline) and "needs_data" in n["classes"]):
            reasons = parse_reasons(data.astext())
            data.children = [
                nodes.inline("", f"{control}: {reason}", classes=["iso-reason"])
                for control, reason in reasons.items()
            ]


def label_values(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    split_reasons(doctree)
    for field, labels in VALUE_LABELS.items():
        for container in doctree.findall(
            lambda n, f=field: isinstance(n, nodes.inline) and f"needs_{f}" in n["classes"]
        ):
            for data in container.findall(
                lambda n: isinstance(n, nodes.inline) and "needs_data" in n["classes"]
            ):
                code = data.astext()
                if code in labels:
                    data.children = [nodes.Text(f"{labels[code]}（{code}）")]


def setup(app: Sphinx) -> dict[str, Any]:
    # after sphinx-needs has laid out its need nodes (doctree-resolved, default priority)
    app.connect("doctree-resolved", label_values, priority=600)
    return {
        "version": __version__,
        "env_version": 2,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
