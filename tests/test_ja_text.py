"""Line breaks inside Japanese sentences are joined; breaks next to Latin text stay."""

from __future__ import annotations

from docutils import nodes
from guideline_site.ja_text import join_japanese_lines, join_lines_in


def test_a_break_between_japanese_characters_is_removed() -> None:
    assert join_japanese_lines("改定の背景と\n  なった変化。") == "改定の背景となった変化。"
    assert join_japanese_lines("（論点資料）\n「出典」") == "（論点資料）「出典」"


def test_a_break_next_to_latin_text_is_kept_as_a_space() -> None:
    assert join_japanese_lines("ISO/IEC 27001\nの管理策") == "ISO/IEC 27001\nの管理策"
    assert join_japanese_lines("管理策\nA.15.1.2") == "管理策\nA.15.1.2"
    assert join_japanese_lines("plain\ntext") == "plain\ntext"


def test_a_soft_break_node_between_japanese_text_nodes_is_dropped() -> None:
    from docutils import nodes
    from guideline_site.ja_text import join_lines_in

    para = nodes.paragraph("", "", nodes.Text("保管場所が国外に"), nodes.Text("\n"), nodes.Text("あると"),
                           nodes.Text("\n"), nodes.Text("ISO"))
    join_lines_in(para)
    assert para.astext() == "保管場所が国外にあると\nISO"


def test_every_break_of_a_paragraph_is_judged_by_its_own_neighbours() -> None:
    # Text nodes are strings: the second "\n" must not be mistaken for the first
    paragraph = nodes.paragraph()
    paragraph += [nodes.Text("see "), nodes.literal(text="paper"), nodes.Text("\n"), nodes.Text("論点資料には"),
                  nodes.Text("\n"), nodes.Text("図の画像")]
    join_lines_in(paragraph)
    assert paragraph.astext() == "see paper\n論点資料には図の画像"


def test_a_break_after_an_inline_element_is_dropped_between_japanese() -> None:
    paragraph = nodes.paragraph()
    paragraph += [nodes.Text("報告は"), nodes.emphasis(text="CSIRT窓口"), nodes.Text("\nが受ける")]
    join_lines_in(paragraph)
    assert paragraph.astext() == "報告はCSIRT窓口が受ける"
