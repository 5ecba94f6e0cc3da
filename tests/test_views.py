"""Unit tests of the views' data (trace_model.views): what each view shows, computed without Sphinx
from a small trace of two 例文 items, one theme, one revision point and four ISO entries."""

from __future__ import annotations

from trace_model.model import LinkRule, Location, TraceItem, TraceModel, TraceRules
from trace_model.report import StandardSpec, TraceReport
from trace_model.views import (
    Chain,
    ChainGraph,
    ChainStage,
    Container,
    Downloads,
    Notice,
    Paragraph,
    Ref,
    Rubric,
    Strong,
    Table,
    chain_dot,
    chain_view,
    linked_ids,
    matrix_view,
    requirements_view,
    soa_view,
)

RULES = TraceRules(links={"iso": LinkRule(frozenset({"iso"}), frozenset({"control"})),
                          "realises": LinkRule(frozenset({"req"})),
                          "theme": LinkRule(frozenset({"theme"}))},
                   reasons={"iso": "iso_reason"}, relations={"iso": "iso_relation"})
COLOURS = {"theme": "#F2D7B6", "req": "#BFD8D2", "measure": "#B3E5FC"}
CHAIN = Chain(
    stages=(ChainStage("観点", ("viewpoint",)), ChainStage("テーマ", ("theme",), links=("viewpoint",)),
            ChainStage("論点", ("req",), links=("theme", "viewpoint")), ChainStage("例文", ("measure",), links=("realises",)),
            ChainStage("規格", ("iso",), linked_by=("iso",))),
    roots=("theme", "viewpoint"),
)
ISO = StandardSpec("iso", "ISO/IEC 27001:2013", "iso", "control", ("iso",), groups=("clause",))


def item(need_id: str, need_type: str, title: str = "", fields: dict[str, str] | None = None,
         **links: tuple[str, ...]) -> TraceItem:
    return TraceItem(need_id, need_type, title=title or need_id, fields=fields or {}, links=links,
                     location=Location("x.md", 1))


def report() -> TraceReport:
    items = [
        item("ISO-A-5", "iso", "情報セキュリティのための方針群", {"level": "clause", "clause": "A.5"}),
        item("ISO-A-5-1-1", "iso", "方針群", {"level": "control", "clause": "A.5.1.1", "parent": "ISO-A-5"}),
        item("ISO-A-5-1-2", "iso", "レビュー", {"level": "control", "clause": "A.5.1.2", "parent": "ISO-A-5"}),
        item("ISO-A-5-1-3", "iso", "A.5.1.3 未使用", {"level": "control", "clause": "A.5.1.3", "parent": "ISO-A-5"}),
        item("THEME-1", "theme", "外部委託", {"number": "①"}),
        item("REQ-1", "req", "委託先を管理する", {"source": "paper"}, theme=("THEME-1",)),
        item("STD-1", "measure", "委託先の管理", {"source": "paper", "iso_reason": "ISO-A-5-1-1: 方針を定めるため"},
             iso=("ISO-A-5-1-1",), realises=("REQ-1",)),
        item("STD-2", "measure", "見直し", {"source": "added", "iso_reason": "ISO-A-5-1-1: 甲; ISO-A-5-1-2: 見直すため",
                                           "iso_relation": "ISO-A-5-1-2: equal-to"}, iso=("ISO-A-5-1-1", "ISO-A-5-1-2")),
    ]
    return TraceReport(TraceModel(items, RULES), {"iso": ISO})


def test_a_matrix_shows_its_summary_downloads_and_one_table_per_group() -> None:
    blocks = matrix_view(report(), "iso", "entries", "none", False, {"A.5.1.3": "使わないため"})
    summary, downloads, rubric, table = blocks
    assert isinstance(summary, Container) and isinstance(summary.children[0], Paragraph)
    assert summary.children[0].parts == (
        "ISO/IEC 27001:2013 の管理策 3 件のうち、例文が対応付けられているもの 2 件（66.7%）。"
        "適用除外として理由を示したもの 1 件（適用宣言書）。対応又は理由付きの適用除外 3 / 3 件。"
        "対応のうち、例文がその管理策の全部を実施するもの（NIST IR 8477 の関係が equal-to 又は superset-of）1 件、"
        "一部を実施するもの 1 件。",
    )
    group_table = summary.children[1]
    assert isinstance(group_table, Table)
    assert group_table.rows[-1] == (Strong("全体"), "2", "3", "66.7%")
    assert isinstance(downloads, Downloads) and downloads.files[0][0] == "iso-coverage.csv"
    assert rubric == Rubric("情報セキュリティのための方針群（2 / 3、66.7%）")
    assert isinstance(table, Table) and table.headers == ("番号", "名称", "対応例文数", "状態")
    assert [(row[0], row[-2], row[-1]) for row in table.rows] == [
        (Ref("ISO-A-5-1-1", "A.5.1.1"), "2", "対応"),
        (Ref("ISO-A-5-1-2", "A.5.1.2"), "1", "対応"),
        (Ref("ISO-A-5-1-3", "A.5.1.3"), "0", "適用除外"),
    ]


def test_a_gap_list_gives_each_uncovered_entry_its_soa_reason_or_says_it_has_none() -> None:
    with_reason = matrix_view(report(), "iso", "entries", "none", True, {"A.5.1.3": "使わないため"})
    assert with_reason[-1] == Table(("番号", "名称", "分類", "適用除外の理由（適用宣言書）"),
                                    ((Ref("ISO-A-5-1-3", "A.5.1.3"), "未使用", "情報セキュリティのための方針群",
                                      "使わないため"),), classes=("trace-gaps",),
                                    caption="ISO/IEC 27001:2013 で例文が対応付けられていないもの")
    without_soa = matrix_view(report(), "iso", "entries", "none", True, None)
    assert without_soa[-1].headers == ("番号", "名称", "分類")  # type: ignore[union-attr]
    unexplained = matrix_view(report(), "iso", "entries", "none", True, {})
    assert unexplained[-1].rows[0][-1] == "（理由がありません）"  # type: ignore[union-attr]


def test_the_requirement_table_shows_reasons_and_the_orphans() -> None:
    blocks = requirements_view(report())
    table = next(b for b in blocks if isinstance(b, Table))
    std1 = next(row for row in table.rows if row[0] == Ref("STD-1"))
    assert std1[4] == (Ref("REQ-1"),)
    assert std1[6] == (Ref("ISO-A-5-1-1"), "（方針を定めるため）")
    assert blocks[-1] == Paragraph(("ありません。すべての要件・改定指示が議論テーマ又は改定の観点にリンクしています。",))


def test_a_soa_lists_every_entry_with_its_items_or_its_reason() -> None:
    summary, _, table = soa_view(report(), "iso", {"A.5.1.3": "使わないため"})
    assert summary == Paragraph(("対応 2 件、未対応 0 件、適用除外 1 件（計 3 件）。対応のうち、例文が全部を実施する"
                                 "もの 1 件、一部を実施するもの 1 件。",))
    assert isinstance(table, Table)
    assert table.headers == ("番号", "管理策", "適用", "状態", "対応の程度", "対応する例文と根拠 ／ 適用除外の理由")
    # each implementing 例文 item with its reason; STD-2 implements A.5.1.2 whole (equal-to)
    assert table.rows[0][2:] == ("適用", "対応", "一部", (Ref("STD-1"), "（方針を定めるため）", " ／ ", Ref("STD-2"), "（甲）"))
    assert table.rows[1][2:] == ("適用", "対応", "全部", (Ref("STD-2"), "（見直すため）"))
    assert table.rows[2][2:] == ("適用除外", "適用除外", "—", "使わないため")


def test_a_chain_runs_from_the_theme_to_the_standards() -> None:
    graph, _ = chain_view(report().model, "THEME-1", CHAIN, COLOURS)
    assert isinstance(graph, ChainGraph)
    assert [n[0] for n in graph.nodes] == ["THEME-1", "REQ-1", "STD-1", "ISO-A-5-1-1"]
    assert graph.edges == (("THEME-1", "REQ-1"), ("REQ-1", "STD-1"), ("STD-1", "ISO-A-5-1-1"))
    # each box has its need type's colour (needs_types); a type without one is white
    assert [n[2] for n in graph.nodes] == ["#f2d7b6", "#bfd8d2", "#b3e5fc", "#ffffff"]
    dot = chain_dot(graph, {"STD-1": "a.html#STD-1"})
    assert 'URL="a.html#STD-1"' in dot and '"REQ-1" [label="REQ-1\\n委託先を管理する"' in dot
    assert 'URL=""' in dot  # an item without a page links nowhere


def test_a_chain_follows_the_configured_stages_up_and_down_from_its_root() -> None:
    """Upstream: what the root names; downstream: what names the root or a later item, and what the
    previous stage names through ``linked_by``. An item is drawn from its nearest named stage only."""
    items = [
        item("VP-1", "viewpoint", "観点1"),
        item("VP-2", "viewpoint", "観点2"),
        item("THEME-1", "theme", "テーマ1", viewpoint=("VP-1",)),
        item("REQ-1", "req", "テーマの論点", theme=("THEME-1",), viewpoint=("VP-1",)),
        item("REQ-2", "req", "観点だけの論点", viewpoint=("VP-1",)),
        item("REQ-3", "req", "別の観点の論点", viewpoint=("VP-2",)),
        item("STD-1", "measure", "例文1", realises=("REQ-1",), iso=("ISO-A-5-1-1",)),
        item("ISO-A-5-1-1", "iso", "方針群", {"level": "control"}),
    ]
    model = TraceModel(items, RULES)
    theme, table = chain_view(model, "THEME-1", CHAIN, COLOURS)
    assert isinstance(theme, ChainGraph) and isinstance(table, Table)
    assert [n[0] for n in theme.nodes] == ["VP-1", "THEME-1", "REQ-1", "STD-1", "ISO-A-5-1-1"]
    # REQ-1 names both THEME-1 and VP-1: it is drawn from the theme, the nearer stage, only
    assert theme.edges == (("VP-1", "THEME-1"), ("THEME-1", "REQ-1"), ("REQ-1", "STD-1"), ("STD-1", "ISO-A-5-1-1"))
    assert theme.alt == ("テーマ1の追跡の連鎖の図。観点 1 件、テーマ 1 件、論点 1 件、例文 1 件、規格 1 件。"
                         "各段階の項目は図の下の表に示します。")
    # the table says the chain: one row per stage, each item a link reading "ID title"
    assert table.caption == "テーマ1の追跡の連鎖（図の内容）"
    assert table.rows[0] == ("観点", (Ref("VP-1", "VP-1 観点1"),))
    assert table.rows[2] == ("論点", (Ref("REQ-1", "REQ-1 テーマの論点"),))
    viewpoint, _ = chain_view(model, "VP-1", CHAIN, COLOURS)
    assert isinstance(viewpoint, ChainGraph)
    assert [n[0] for n in viewpoint.nodes] == ["VP-1", "THEME-1", "REQ-1", "REQ-2", "STD-1", "ISO-A-5-1-1"]
    assert ("VP-1", "REQ-2") in viewpoint.edges and ("VP-1", "REQ-1") not in viewpoint.edges
    assert "REQ-3" not in {n[0] for n in viewpoint.nodes}


def test_a_chain_reads_its_stages_from_the_setting() -> None:
    chain = Chain.from_config({"roots": ["theme"], "stages": [
        {"label": "テーマ", "types": ["theme"]}, {"label": "論点", "types": ["req", "rev"], "links": ["theme"]},
        {"label": "規格", "types": ["iso"], "linked_by": ["iso"]}]})
    assert chain.roots == ("theme",)
    assert chain.stages[1] == ChainStage("論点", ("req", "rev"), links=("theme",))
    assert chain.stages[2].linked_by == ("iso",) and chain.stage_of("rev") == 1 and chain.stage_of("nisc") is None
    (notice,) = chain_view(report().model, "THEME-1", Chain.from_config({}), COLOURS)
    assert isinstance(notice, Notice) and notice.subtype == "chain-target"


def test_a_chain_of_something_else_is_a_notice_with_a_did_you_mean() -> None:
    (notice,) = chain_view(report().model, "THEME-l", CHAIN, COLOURS)
    assert notice == Notice("trace-chain names 'THEME-l', which is not a theme or viewpoint. "
                            "Did you mean 'THEME-1'?", "chain-target")


def test_linked_ids_finds_links_in_paragraphs_tables_containers_and_chains() -> None:
    blocks = matrix_view(report(), "iso", "entries", "none", False, None)
    assert linked_ids(blocks) == {"ISO-A-5", "ISO-A-5-1-1", "ISO-A-5-1-2", "ISO-A-5-1-3"}
    assert linked_ids(chain_view(report().model, "THEME-1", CHAIN, COLOURS)) >= {"THEME-1", "STD-1"}


def test_a_notice_with_an_unregistered_subtype_is_refused_when_made() -> None:
    import pytest

    with pytest.raises(ValueError, match="not registered"):
        Notice("x", "chain-targets")


def test_every_view_table_has_a_caption() -> None:
    """A data table says what it is (its caption also names its scroll box for screen readers)."""

    def tables(blocks: tuple[object, ...]) -> list[Table]:
        found: list[Table] = []
        for block in blocks:
            if isinstance(block, Table):
                found.append(block)
            elif isinstance(block, Container):
                found.extend(tables(block.children))
        return found

    views = [matrix_view(report(), "iso", rows, "themes", gaps, {}) for rows in ("entries", "clause")
             for gaps in (False, True)]
    views += [requirements_view(report()), soa_view(report(), "iso", {})]
    found = [table for view in views for table in tables(view)]
    assert len(found) >= 6
    assert all(table.caption.strip() for table in found), [t.classes for t in found if not t.caption.strip()]
