"""sphinx-needs' interactive table in Japanese, and sorted as text where it holds text.

The table widget (``needstable.js``) reads its labels from
``data-needstable-labels`` and ships English ones only: this adds Japanese
labels to every needtable. It also guesses each column's type from the cells
when the header declares none, and Chromium's date parser reads IDs such as
``REQ-001`` as dates (the year 2001), so ID and text columns sorted by date.
Every column sphinx-needs left untyped is declared ``text`` here, except the
ones whose every cell is a number.
"""

from __future__ import annotations

import json
import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx_needs.directives.needtable import NeedtableHeader, NeedtableTable

__version__ = "1.0.0"

#: Every string the widget shows (needstable.js, NeedstableLabels).
LABELS_JA = {
    "search": "絞り込み",
    "rowsPerPage": "1ページの行数",
    "all": "すべて",
    "columns": "表示する列",
    "copy": "コピー",
    "csv": "CSV",
    "info": "{total} 件中 {start}〜{end} 件目",
    "empty": "該当する行はありません",
    "pagination": "ページ",
    "previous": "前へ",
    "next": "次へ",
    "sort": "{column} で並べ替え",
}

_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?%?$")


def localise_needtables(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    labels = json.dumps(LABELS_JA, ensure_ascii=False, sort_keys=True)
    for table in doctree.findall(NeedtableTable):
        attributes = table.get("html_attributes")
        if attributes is None:  # `:style: table`: a plain table the widget leaves alone
            continue
        attributes["data-needstable-labels"] = labels
        headers = list(table.findall(NeedtableHeader))
        rows = [row for body in table.findall(nodes.tbody) for row in body.children]
        for index, header in enumerate(headers):
            header_attributes = header.setdefault("html_attributes", {})
            if "data-type" in header_attributes:
                continue
            values = [row[index].astext().strip() for row in rows if len(row) > index]
            numeric = bool(values) and all(_NUMBER.match(v) for v in values if v)
            header_attributes["data-type"] = "number" if numeric and any(values) else "text"


def add_csv_guard(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """``html-page-context``: on a page that loads sphinx-needs' table widget, load ``needtable-csv.js`` after it,
    so that its CSV button neutralises cells a spreadsheet would run as formulas (as the site's exports do)."""
    scripts = context.get("script_files") or []
    if any(str(getattr(s, "filename", s)).endswith("needstable.js") for s in scripts):
        app.builder.add_js_file("needtable-csv.js", defer="defer")  # type: ignore[attr-defined]


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("sphinx_needs")
    # after sphinx-needs has turned its needtable nodes into tables
    app.connect("doctree-resolved", localise_needtables, priority=700)
    # after sphinx-needs has added needstable.js to the page
    app.connect("html-page-context", add_csv_guard, priority=900)
    return {
        "version": __version__,
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
