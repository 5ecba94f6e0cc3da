"""Sphinx configuration of the revised 地方公共団体情報セキュリティポリシーガイドライン site.

Configuration only: the logic lives in ``_ext/``. The data model (need types,
link types, fields) is documented in README.md, because ``needs.json`` is a
public contract for reviewers' tools.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

from sphinx_needs.data import NeedsCoreFields

# -- Project -----------------------------------------------------------------

project = "地方公共団体における情報セキュリティポリシーに関するガイドライン（改定版）"
author = "ガイドライン改定作業チーム"
# Whose text is whose: the 例文, 解説, figures and data are the team's; quoted passages
# keep their authors (the paper's text, the 統一基準's wording), and ISO/IEC 27001 is
# cited by control number and short title only.
copyright = (
    "2014–2026 " + author + "（例文・解説・図・データ）。引用した論点資料の文言は論点資料の作成者に、"
    "統一基準の文言は内閣官房情報セキュリティセンター（NISC）に、ISO/IEC 27001 及び JIS Q 27001 の管理策の"
    "名称は ISO/IEC 及び日本規格協会に帰属します。"
)
# The edition this site publishes: needs.json's version and the exports' provenance name it.
version = release = "平成27年3月版"
trace_edition_date = "2015-03"
# Every link of a 例文 to a standard is stamped when reviewed (make restamp); a link whose 例文 wording or
# catalog entry changed since is reported where it is written (trace.suspect-link).
trace_stamps_file = "traceability/link-stamps.yaml"
# 団体で定める事項: the parts of a 例文 a municipality fills in ({param}`例文の文言 <key>`), each key
# defined here with what the municipality decides; a municipal profile gives the values (make policy).
trace_params_file = "requirements/params.yaml"
# A page renamed or moved in a later edition leaves a redirect at its old URL (sphinx-reredirects), so that
# links saved from earlier editions still work: old docname -> new page, e.g. {"source/old": "new.html"}.
# The build fails while a page of a frozen edition has neither a page nor a redirect (trace.permalink).
redirects: dict[str, str] = {}
redirect_html_template_file = str(Path(__file__).parent / "_ext" / "guideline_site" / "templates" / "redirect.html")
language = "ja"
root_doc = "index"

extensions = [
    "myst_parser",
    "sphinx.ext.graphviz",
    "sphinx_needs",
    "sphinx_reredirects",
    # our own (_ext/): the trace (checks, catalogs, views, exports) and the Japanese reader polish
    "guideline_trace",
    "guideline_site",
    # a municipality's own policy from its profile: the page for municipalities links the example town's
    "municipal_policy.guideline",
]

source_suffix = {".md": "markdown"}
exclude_patterns = [
    # requirement objects are included into the chapters that present them
    "requirements/**",
    ".venv",
    "profiles",
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

# -- Figures -------------------------------------------------------------------
# Diagrams are drawn by Debian's graphviz at build time (no CDN); SVG keeps the
# Japanese labels as text, so they are searchable and scale for low vision.
graphviz_output_format = "svg"
graphviz_dot_args = ["-Nfontname=IPAGothic", "-Efontname=IPAGothic", "-Gfontname=IPAGothic"]

# -- MyST --------------------------------------------------------------------

myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
# Every heading gets a slug from its text, used as its anchor (guideline_site.stable_anchors).
myst_heading_anchors = 6

# -- sphinx-needs data model ---------------------------------------------------
# IDs carry no dots (a dot is sphinx-needs' need-part separator); the printed
# number of a clause (4.1.1, A.15.1.2) is kept in the ``clause`` field.

needs_id_required = True
needs_id_regex = r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$"

needs_types = [
    {"directive": "req", "title": "改定項目", "prefix": "REQ-", "color": "#BFD8D2", "style": "node"},
    {"directive": "policy", "title": "基本方針（例文）", "prefix": "POL-", "color": "#C8E6C9", "style": "node"},
    {"directive": "measure", "title": "対策基準（例文）", "prefix": "STD-", "color": "#B3E5FC", "style": "node"},
    {"directive": "rev", "title": "改定指示", "prefix": "REV-", "color": "#E8E2C8", "style": "node"},
    {"directive": "theme", "title": "議論テーマ", "prefix": "THEME-", "color": "#F2D7B6", "style": "node"},
    {"directive": "viewpoint", "title": "改定の観点", "prefix": "VP-", "color": "#D5E8D4", "style": "node"},
    {"directive": "change", "title": "IT環境の変化", "prefix": "CHG-", "color": "#DAE8FC", "style": "node"},
    {"directive": "nisc", "title": "NISC統一基準", "prefix": "NISC-", "color": "#FEDCD2", "style": "node"},
    {"directive": "iso", "title": "ISO/IEC 27001:2013 附属書A", "prefix": "ISO-", "color": "#DCD2FE", "style": "node"},
    {"directive": "iso22", "title": "ISO/IEC 27001:2022 附属書A", "prefix": "ISO22-", "color": "#D2E4FE", "style": "node"},
]

needs_fields = {
    "source": {"description": "出所: paper（論点資料に基づく: 改定項目は論点資料の文、例文は論点資料の改定項目を実現するもの）/ added（本改定で追加）", "nullable": True},
    "paper_ref": {"description": "論点資料での位置（①-1 = テーマ①の改定観点の1番目の文）。複数はカンマ区切り", "nullable": True},
    "number": {"description": "テーマ・観点・環境変化の番号", "nullable": True},
    "ronten": {"description": "論点整理表の項番（論点資料に記載があるテーマのみ）", "nullable": True},
    "stance": {"description": "観点に対する論点資料の方針", "nullable": True},
    "stance_note": {"description": "方針の補足（利用可否、採用基準など）", "nullable": True},
    "iso_reason": {"description": "ISO管理策ごとの根拠（1行1件: ISO-ID: 理由）", "nullable": True},
    "nisc_reason": {"description": "NISC統一基準の項目ごとの根拠（1行1件: NISC-ID: 理由）", "nullable": True},
    "iso22_reason": {"description": "ISO/IEC 27001:2022 の管理策ごとの根拠（1行1件: ISO22-ID: 理由）", "nullable": True},
    "nisc_relation": {"description": "NISC 項目との関係（NIST IR 8477: equal-to / subset-of / superset-of / intersects-with。書かないリンクは intersects-with）。1行1件: NISC-ID: 関係", "nullable": True},
    "iso_relation": {"description": "ISO/IEC 27001:2013 管理策との関係（1行1件: ISO-ID: 関係。既定は intersects-with）", "nullable": True},
    "iso22_relation": {"description": "ISO/IEC 27001:2022 管理策との関係（1行1件: ISO22-ID: 関係。既定は intersects-with）", "nullable": True},
    "basis": {"description": "NISC・ISO 以外の根拠（法令、国の文書等。名称と日付）", "nullable": True},
    "optional": {"description": "選択項目: この例文を採用する団体（例: ソーシャルメディアの公式アカウントを運用する団体）。空なら全ての団体が採用する", "nullable": True},
    "check": {"description": "自己点検の問い: 団体がこの例文のとおり実施しているかを確かめる問い（実施 / 一部実施 / 未実施 / 該当なし で答える）", "nullable": True},
    "defined_at": {"description": "need を定義したファイルと行（サイトの最上位からの相対パス:行。取り込まれた要件ファイルならそのファイル）。ビルドが記入する", "nullable": True},
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
    "change": {"outgoing": "背景となるIT環境の変化", "incoming": "この変化を背景とする"},
    "viewpoint": {"outgoing": "改定の観点", "incoming": "この観点に属する"},
    "theme": {"outgoing": "議論テーマ", "incoming": "このテーマの改定項目"},
    "revises": {"outgoing": "改定の対象", "incoming": "改定指示"},
    "realises": {"outgoing": "実現する改定の論点", "incoming": "実現する例文"},
    "nisc": {"outgoing": "NISC統一基準", "incoming": "根拠とする例文・改定項目"},
    "iso": {"outgoing": "ISO/IEC 27001:2013", "incoming": "根拠とする例文・改定項目"},
    "iso22": {"outgoing": "ISO/IEC 27001:2022", "incoming": "根拠とする例文・改定項目"},
    "corresponds": {"outgoing": "対応する2013年版管理策", "incoming": "対応する2022年版管理策"},
}

# How a need is shown to readers: Japanese labels, one line per field that has a
# value, then every outgoing and incoming link with its Japanese label.
# Each need type has a layout with only the fields it uses (``trace_shown_fields``):
# sphinx-needs parses every line of a layout for every need, so a requirement laid
# out with the catalog fields too costs three times as much (bench/PROFILE.md).
# A need that sets a field its type does not show fails the build
# (trace.field-not-shown), so no value is hidden from readers.
_FIELD_LABELS = {
    "paper_ref": "論点資料での位置",
    "source": "出所",
    "number": "番号",
    "ronten": "論点整理表 項番",
    "stance": "論点資料の方針",
    "stance_note": "方針の補足",
    "clause": "規格上の番号",
    "level": "階層",
    "title_ja": "日本語名称",
    "title_en": "英語名称",
    "ja_confidence": "日本語名称の確度",
    "confidence": "確度",
    "new": "2022年版で新設",
    "refs": "出典（ページ冒頭の一覧の番号）",
    "basis": "その他の根拠",
    "optional": "選択項目（採用する団体）",
    "check": "自己点検の問い",
    "nisc_reason": "NISC統一基準を根拠とする理由",
    "iso_reason": "ISO管理策を根拠とする理由",
    "iso22_reason": "ISO 2022年版管理策を根拠とする理由",
    "nisc_relation": "NISC統一基準との関係",
    "iso_relation": "ISO管理策との関係",
    "iso22_relation": "ISO 2022年版管理策との関係",
}
#: the reason and the relationship of each link to a standard
_TRACE_FIELDS = ["nisc_reason", "nisc_relation", "iso_reason", "iso_relation", "iso22_reason", "iso22_relation"]
trace_shown_fields = {
    "policy": ["paper_ref", "source", "basis", "optional", *_TRACE_FIELDS],
    "measure": ["paper_ref", "source", "basis", "optional", "check", *_TRACE_FIELDS],
    "req": ["paper_ref", "source", *_TRACE_FIELDS],
    "rev": ["paper_ref", "source"],
    "theme": ["number", "ronten"],
    "viewpoint": ["number", "stance", "stance_note"],
    "change": ["number"],
    "nisc": ["clause", "level", "confidence", "refs"],
    "iso": ["clause", "level", "title_ja", "title_en", "ja_confidence", "refs"],
    "iso22": ["clause", "level", "title_ja", "title_en", "ja_confidence", "new", "refs"],
}


def _layout(fields: list[str]) -> dict[str, object]:
    return {
        "grid": "simple",
        "layout": {
            "head": ['<<meta("type_name")>>: **<<meta("title")>>** <<meta_id()>>'],
            # a field without a label (a typo in trace_shown_fields) is left to the trace_* check, which
            # names it with a did-you-mean, instead of stopping conf.py here
            "meta": [f'<<meta("{name}", prefix="{_FIELD_LABELS.get(name, name)}: ")>>' for name in fields]
            + ["<<meta_links_all()>>"],
        },
    }


needs_layouts = {"guideline": _layout(list(_FIELD_LABELS))} | {
    f"guideline-{need_type}": _layout(fields) for need_type, fields in trace_shown_fields.items()
}
needs_default_layout = "guideline"
needs_fields["layout"] = {"predicates": [(f"type == '{t}'", f"guideline-{t}") for t in trace_shown_fields]}
needs_show_link_title = True

# The trace checks (_ext/guideline_trace/checks.py) validate every need; sphinx-needs' own
# schema pass would only add a timing report that differs on every build.
needs_schema_validation_enabled = False

needs_build_json = True
needs_reproducible_json = True
# needs.json is a contract for reviewers' tools and for other sphinx-needs projects (needimport): the
# layout name is this site's presentation only, and a project without that layout stops on it.
needs_json_exclude_fields = [name for name, spec in NeedsCoreFields.items() if spec.get("exclude_json")] + ["layout"]

# -- Trace rules (our _ext/guideline_trace/checks.py) -------------------------

# ``sources``: the need types that may have the link at all (a 例文 item realises a
# revision point; a revision point does not realise another).
trace_link_rules = {
    "change": {"targets": ["change"], "sources": ["theme", "viewpoint"]},
    "viewpoint": {"targets": ["viewpoint"], "sources": ["req", "rev", "theme"]},
    "theme": {"targets": ["theme"], "sources": ["req", "rev"]},
    "revises": {"targets": ["req", "theme", "viewpoint"], "sources": ["rev"]},
    "realises": {"targets": ["req", "rev"], "sources": ["policy", "measure"]},
    # a NISC link reaches an item (項) or a 遵守事項, or a section of part 1 (which has no items)
    "nisc": {"targets": ["nisc"], "levels": ["section", "item", "requirement"],
             "sources": ["req", "theme", "policy", "measure"]},
    "iso": {"targets": ["iso"], "levels": ["control"], "sources": ["req", "policy", "measure"]},
    "iso22": {"targets": ["iso22"], "levels": ["control"], "sources": ["req", "policy", "measure"]},
    "corresponds": {"targets": ["iso"], "levels": ["control"], "sources": ["iso22"]},
}
# The chain 環境変化 → 観点 → テーマ → 要件 → NISC / ISO must be complete.
trace_required_links = {
    "policy": [["nisc"], ["iso"], ["iso22"]],
    "measure": [["nisc"], ["iso"], ["iso22"]],
    "req": [["nisc"], ["iso"], ["iso22"], ["theme", "viewpoint"]],
    "rev": [["theme", "viewpoint"], ["revises"]],
    "theme": [["viewpoint"], ["change"], ["nisc"]],
    "viewpoint": [["change"]],
}
trace_required_fields = {
    "policy": ["source"],
    "measure": ["source", "check"],
    "req": ["source"],
    "rev": ["source"],
    "theme": ["number"],
    "viewpoint": ["number", "stance"],
    "change": ["number"],
}
# "type.field" limits a field of one need type; "field" applies to every type.
trace_field_values = {
    "source": ["paper", "added"],
    "theme.number": [str(n) for n in range(1, 8)],
    "viewpoint.number": [str(n) for n in range(1, 9)],
    "change.number": [str(n) for n in range(1, 8)],
    "stance": ["改定の議論が必要と認識", "現実的な対策技術をふまえ、改定を進める"],
    "confidence": ["high", "medium", "low"],
    "ja_confidence": ["high", "medium", "low"],
}
# Every link from a requirement or 例文 item to a standard carries its reason; a theme's
# NISC links are the paper's own citations and need none.
trace_link_reasons = {
    "iso": "iso_reason",
    "iso22": "iso22_reason",
    **{f"{t}.nisc": "nisc_reason" for t in ("req", "policy", "measure")},
}
# A link to a standard may state its relationship in the terms of NIST IR 8477 and OSCAL mapping
# collections (the 例文 is the focal element: "STD-3-1-1 subset-of A.8.2.1" = the 例文 implements part of
# the control); a link that states none is intersects-with. Coverage counts equal-to and superset-of as
# full coverage, the others as partial.
trace_link_relations = {"nisc": "nisc_relation", "iso": "iso_relation", "iso22": "iso22_relation"}
# A requirement taken from the paper gives its position there; a 例文 taken from the
# paper names the revision point it realises, and only that point's positions.
trace_required_when = {
    "source=paper": ["paper_ref"],
    "policy.source=paper": ["realises"],
    "measure.source=paper": ["realises"],
}
trace_inherited_fields = {"paper_ref": "realises"}
# A need inside another one means a closing fence went missing.
trace_unnested_types = ["policy", "measure", "req", "rev"]
# A 例文 ID is its printed position: 4.1 の (1) is STD-4-1-1, on chapter 4's page.
trace_id_patterns = {"measure": r"STD-(\d+)-\d+-\d+", "policy": r"POL-\d+(?:-\d+)?"}
trace_id_docnames = {"measure": r"standards/0*(\d+)-"}
# Every requirements file reaches the site through a chapter's {include}.
trace_included_files = ["requirements/**/*.md"]
# Every revision point of the paper is put into effect by at least one 例文 item.
trace_required_backlinks = {"req": ["realises"], "rev": ["realises"]}
trace_item_fields = ["parent", *_FIELD_LABELS]

# The trace chain that ``trace-chain`` draws for a theme or viewpoint (our _ext/trace_model/views.py):
# 環境変化 → 観点 → テーマ → 改定の論点 → 例文 → NISC / ISO. ``links``: the links by which a stage's
# items name earlier ones; ``linked_by``: the links by which the previous stage's items name this one's.
trace_chain = {
    "roots": ["theme", "viewpoint"],
    "stages": [
        {"label": "IT環境の変化", "types": ["change"]},
        {"label": "改定の観点", "types": ["viewpoint"], "links": ["change"]},
        {"label": "議論テーマ", "types": ["theme"], "links": ["viewpoint", "change"]},
        {"label": "改定の論点", "types": ["req", "rev"], "links": ["theme", "viewpoint"]},
        {"label": "例文", "types": ["policy", "measure"], "links": ["realises"]},
        {"label": "NISC統一基準・ISO管理策", "types": ["nisc", "iso"], "linked_by": ["nisc", "iso"]},
    ],
}

# -- Catalogs (our _ext/guideline_trace/catalogs.py) --------------------------

trace_catalogs = {
    "nisc": "traceability/catalogs/nisc_h26.yaml",
    "iso": "traceability/catalogs/iso27001_2013.yaml",
    "iso22": "traceability/catalogs/iso27001_2022.yaml",
}

# -- Reviewer views (our _ext/guideline_trace/views.py, exports.py) ---------------
# How each standard's coverage is counted: the entries of `level`, covered when
# a requirement links to them (or to an entry below them) through `links`. ISO 2022
# counts direct 2022 links only (written with `make migrate-iso2022`, then reviewed), never
# the 2013 links through the correspondence table.

trace_standards = {
    "nisc": {
        "label": "NISC統一基準（平成26年度版）",
        "type": "nisc",
        "level": "item",
        "links": ["nisc"],
        "groups": ["part", "section"],
    },
    "iso": {
        "label": "ISO/IEC 27001:2013 附属書A",
        "type": "iso",
        "level": "control",
        "links": ["iso"],
        "groups": ["clause", "objective"],
    },
    "iso22": {
        "label": "ISO/IEC 27001:2022 附属書A",
        "type": "iso22",
        "level": "control",
        "links": ["iso22"],
        "groups": ["theme"],
    },
}
# The 例文 items (policy, measure) are what covers a standard; the paper's revision
# points (req, rev) reach the standards through the 例文 that realise them.
trace_covering_types = ["policy", "measure"]
# Statements of Applicability: every entry is addressed by a 例文 item or excluded
# here with a justification, or the build fails (trace.soa-unjustified).
trace_soa_files = {
    "iso": "traceability/soa.yaml",
    "iso22": "traceability/soa-iso22.yaml",
    "nisc": "traceability/soa-nisc.yaml",
}
trace_soa_complete = True

# -- HTML --------------------------------------------------------------------

# Every page names the edition it belongs to (in the sidebar and the window title).
html_title = f"地方公共団体情報セキュリティポリシーガイドライン（{version}）"
# -- Site search (our _ext/guideline_site/site_search.py) ----------------------
# A page's rank orders the results (higher first): the guideline's own text, then the reviewer
# views, then the standards' catalogs. The first pattern a docname matches gives its rank.
site_search_ranks = [
    ["traceability/nisc", 1],
    ["traceability/iso2013", 1],
    ["traceability/iso2022", 1],
    ["traceability/*", 2],
    ["*", 3],
]
# Spellings readers type for the site's own words (スマホ → スマートフォン), each with its reason.
site_search_variants = "source/search-variants.yaml"

html_theme = "furo"
html_static_path = ["_static"]
# The priority is written out because Sphinx adds it to the configured entry while
# building, and the next build would then report "the configuration has changed".
html_css_files = [("site.css", {"priority": 800}), ("trace.css", {"priority": 800})]
html_last_updated_fmt = None
html_copy_source = False
