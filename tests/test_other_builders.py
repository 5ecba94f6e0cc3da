"""Builders other than HTML write the pages too: a need that holds a table (a table inside
sphinx-needs' layout table) is written as plain text (``-b text``), whose writer cannot nest tables
(guideline_site.text_tables), and the HTML output keeps the nesting."""

from __future__ import annotations


def test_a_need_holding_a_table_is_written_as_plain_text(build_root) -> None:
    built = build_root("need-with-table", buildername="text")
    assert built.warnings == []
    text = (built.outdir / "index.txt").read_text(encoding="utf-8")
    # the need's own content, its trace, and the inner table with every cell, in reading order
    order = ["REQ-T-001", "ISO-A-15-1-1", "情報資産を次のとおり分類すること。", "分類の基準", "機密性2",
             "公表を予定していないもの", "機密性1", "公表済みのもの"]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)
    assert "+----" in text  # the inner table is still drawn as a table


def test_html_output_keeps_the_table_inside_the_need(build_root) -> None:
    from bs4 import BeautifulSoup

    built = build_root("need-with-table")
    soup = BeautifulSoup((built.outdir / "index.html").read_text(encoding="utf-8"), "html.parser")
    need = soup.find("div", id="REQ-T-001")  # the need box (guideline_site.need_headings)
    assert need is not None and "need-box" in need["class"] and need.find("table") is not None
    assert "公表済みのもの" in need.find("table").get_text()


def test_view_tables_in_plain_text_have_columns_as_wide_as_their_text(build_root) -> None:
    built = build_root("matrix-threshold", buildername="text")
    text = (built.outdir / "index.txt").read_text(encoding="utf-8")
    table = [line for line in text.splitlines() if line.startswith("|")]
    assert table, "the matrix is written as a table"
    # each number, header and ID on one line of its column (equal widths of 1 put one character per line)
    assert any(line.startswith("| 番号 ") and "| 名称 " in line and "| 対応例文数 |" in line for line in table)
    row = next(line for line in table if line.startswith("| A.15.1.1 |"))
    assert "| REQ-T-001 |" in row
    # a long name wraps within its column, capped at MAX_COLUMN terminal columns (as the text writer counts)
    from docutils.utils import column_width
    from guideline_trace.views import MAX_COLUMN

    assert column_width(row.split("|")[2].strip()) <= MAX_COLUMN
