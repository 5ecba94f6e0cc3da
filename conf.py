"""Sphinx configuration of the revised 地方公共団体情報セキュリティポリシーガイドライン site.

Configuration only: the logic lives in ``_ext/``. The data model (need types,
link types, fields) is documented in README.md, because ``needs.json`` is a
public contract for reviewers' tools.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

# -- Project -----------------------------------------------------------------

project = "地方公共団体における情報セキュリティポリシーに関するガイドライン（改定版）"
author = "ガイドライン改定作業チーム"
copyright = "2014–2026, " + author
language = "ja"
root_doc = "index"

extensions = [
    "myst_parser",
    "sphinx_needs",
    "trace_checks",
    "trace_catalogs",
]

source_suffix = {".md": "markdown"}
exclude_patterns = [
    ".venv",
    ".ci",
    "_build",
    "bench",
    "tests",
    "README.md",
    "**/README.md",
]

# Every warning fails the strict build (Makefile: -W --keep-going), so each
# suppression here is deliberate: the trace extension reports these problems
# itself, located and with a hint, on every build mode.
suppress_warnings = [
    "needs.link_outgoing",  # dangling links: trace.dangling-link
    "needs.duplicate_id",  # parallel-merge duplicates: trace.duplicate-id
]

# -- MyST --------------------------------------------------------------------

myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
myst_heading_anchors = 3

# -- sphinx-needs data model ---------------------------------------------------
# IDs carry no dots (a dot is sphinx-needs' need-part separator); the printed
# number of a clause (4.1.1, A.15.1.2) is kept in the ``clause`` field.

needs_id_required = True
needs_id_regex = r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$"

needs_types = [
    {"directive": "req", "title": "要件", "prefix": "REQ-", "color": "#BFD8D2", "style": "node"},
    {"directive": "nisc", "title": "NISC統一基準", "prefix": "NISC-", "color": "#FEDCD2", "style": "node"},
    {"directive": "iso", "title": "ISO/IEC 27001:2013 附属書A", "prefix": "ISO-", "color": "#DCD2FE", "style": "node"},
    {"directive": "iso22", "title": "ISO/IEC 27001:2022 附属書A", "prefix": "ISO22-", "color": "#D2E4FE", "style": "node"},
]

needs_fields = {
    "source": {"description": "要件の出所: paper（論点資料に記載）/ added（本改定で追加）", "nullable": True},
    "iso_reason": {"description": "ISO管理策ごとの根拠（1行1件: ISO-ID: 理由）", "nullable": True},
    "clause": {"description": "規格上の番号（4.1.1, A.15.1.2, 5.23）", "nullable": True},
    "level": {"description": "階層（part / section / item / requirement, clause / objective / control, theme）", "nullable": True},
    "parent": {"description": "一つ上の階層の ID", "nullable": True},
    "title_ja": {"description": "日本語の名称（JIS Q 27001）", "nullable": True},
    "title_en": {"description": "英語の短い名称", "nullable": True},
    "confidence": {"description": "カタログ行の確度: high / medium / low", "nullable": True},
    "ja_confidence": {"description": "日本語名称の確度: high / medium / low（low は JIS 原文で要確認）", "nullable": True},
    "refs": {"description": "カタログ行の出典番号", "nullable": True},
    "new": {"description": "2022年版で新設された管理策なら yes", "nullable": True},
}

needs_links = {
    "nisc": {"outgoing": "NISC統一基準", "incoming": "引用する要件"},
    "iso": {"outgoing": "ISO/IEC 27001:2013", "incoming": "引用する要件"},
    "corresponds": {"outgoing": "対応する2013年版管理策", "incoming": "対応する2022年版管理策"},
}

needs_build_json = True
needs_reproducible_json = True

# -- Trace rules (our _ext/trace_checks.py) ------------------------------------

trace_link_rules = {
    "nisc": {"targets": ["nisc"]},
    "iso": {"targets": ["iso"], "levels": ["control"]},
    "corresponds": {"targets": ["iso"], "levels": ["control"]},
}
trace_required_links = {"req": [["nisc"], ["iso"]]}
trace_required_fields = {"req": ["source"]}
trace_field_values = {
    "source": ["paper", "added"],
    "confidence": ["high", "medium", "low"],
    "ja_confidence": ["high", "medium", "low"],
}
trace_link_reasons = {"iso": "iso_reason"}
trace_item_fields = ["source", "clause", "level", "parent", "confidence", "iso_reason"]

# -- Catalogs (our _ext/trace_catalogs.py) -------------------------------------

trace_catalogs = {
    "nisc": "traceability/catalogs/nisc_h26.yaml",
    "iso": "traceability/catalogs/iso27001_2013.yaml",
    "iso22": "traceability/catalogs/iso27001_2022.yaml",
}

# -- HTML --------------------------------------------------------------------

html_title = "地方公共団体情報セキュリティポリシーガイドライン（改定版）"
html_theme = "furo"
html_static_path: list[str] = []
html_last_updated_fmt = None
html_copy_source = False
