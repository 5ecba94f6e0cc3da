"""The edition views as plain blocks (:mod:`trace_model.views`): the 改定履歴 and the 新旧対照表 with its
旧番号→新番号 table, coverage change and catalog change. Pure: no Sphinx import."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from trace_model.editions import (
    CATALOG_WORDS,
    CHANGE_WORDS,
    COVERAGE_WORDS,
    CURRENT,
    Comparison,
    Edition,
    ItemChange,
    Segment,
)
from trace_model.views import Block, Cell, Downloads, Mark, Paragraph, Part, Ref, Rubric, Table, refs

#: Table classes of the 新旧対照表 (its two text columns share the width, line breaks kept: ``trace.css``).
SHINKYU_CLASSES = ("shinkyu",)
#: What stands in the 改正前 column of an added item and the 改正後 column of a deleted one, as the ministry
#: writes it.
ADDED_MARK, DELETED_MARK = "（新設）", "（削除）"


def docx_name(old: str, new: str) -> str:
    """The file name of the 新旧対照表 DOCX between the editions ``old`` and ``new`` (in ``exports/``)."""
    return f"shinkyu-{old}-{new}.docx"


def edition_label(edition: Edition) -> str:
    """``平成27年3月版（2015-03）``; the current sources ``現在の原稿（conf.py の版: 平成27年3月版）``."""
    if edition.id == CURRENT:
        return f"現在の原稿（conf.py の版: {edition.title}）"
    return f"{edition.title}（{edition.date}）"


def column_label(edition: Edition) -> str:
    """The edition as a 新旧対照表 column header names it: its title, or 「現在の原稿」."""
    return "現在の原稿" if edition.id == CURRENT else edition.title


def catalog_label(label: str, edition: str) -> str:
    """A standard with the edition of its catalog, the edition not repeated where the label names it."""
    return label if edition in label else f"{label}（版: {edition}）"


def history_view(editions: Sequence[Edition], changes_since_last: int | None) -> tuple[Block, ...]:
    """The 改定履歴: one row per frozen edition, oldest first (版, 日付, 例文の項目数, 対応付けの数), and a line
    on whether the current sources differ from the newest edition (``changes_since_last`` items changed;
    ``None`` when no edition is frozen yet)."""
    if not editions:
        return (Paragraph(("この版の原稿はまだ版として凍結されていません（make release）。",)),)
    rows: list[tuple[Cell, ...]] = [
        (edition.title, edition.date, str(len(edition.items)), str(sum(len(i.links) for i in edition.items)),
         "、".join(catalog_label(c.label, c.edition) for c in edition.catalogs))
        for edition in editions
    ]
    blocks: list[Block] = [Table(("版", "日付", "例文の項目数", "規格への対応付けの数", "対応付けた規格の版"),
                                 tuple(rows), caption="改定履歴"),
                           Downloads((("edition.json", "現在の原稿の版データ（JSON。make release が凍結するもの）"),))]
    latest = editions[-1]
    if changes_since_last:
        blocks.append(Paragraph((f"現在の原稿には、{latest.title}から変更された項目が {changes_since_last} 件あります"
                                 "（新旧対照表）。次の版として凍結するまで、この変更はどの版にも含まれません。",)))
    else:
        blocks.append(Paragraph((f"このサイトの本文は{latest.title}のとおりです（{latest.title}からの変更はありません）。",)))
    return tuple(blocks)


def marked(segments: Sequence[Segment], kind: str) -> tuple[Part, ...]:
    """A column's text as parts: changed passages as :class:`Mark` of ``kind`` (``new`` / ``old``)."""
    return tuple(Mark(s.text, kind) if s.changed else s.text for s in segments) or ("",)


def change_notes(row: ItemChange) -> list[str]:
    """What the 項目 column says under an item's ID (page and DOCX alike): the kinds of change, then the links
    added and removed."""
    notes = [row.words()]
    if row.links_added:
        notes.append("対応付けの追加: " + "、".join(row.links_added))
    if row.links_removed:
        notes.append("対応付けの削除: " + "、".join(row.links_removed))
    return notes


def covering_text(ids: Sequence[str], justification: str) -> str:
    """The 例文 items addressing an entry, else its exclusion's justification, else 「—」 (page and DOCX)."""
    return "、".join(ids) or (f"適用除外: {justification}" if justification else "—")


def _item_cell(row: ItemChange) -> tuple[Part, ...]:
    parts: list[Part] = []
    if row.new is not None:
        parts.append(Ref(row.new.id))
        if row.old is not None and row.old.id != row.new.id:
            parts.append(f"（旧 {row.old.id}）")
    else:
        parts.append(row.id)  # deleted: no page to link to
    parts.append("\n" + "\n".join(change_notes(row)))
    return tuple(parts)


def comparison_summary(comparison: Comparison) -> str:
    """One sentence: the two editions, how many items changed, by kind, and how many did not."""
    counts = Counter(kind for row in comparison.rows() for kind in row.kinds)
    unchanged = sum(c.unchanged for c in comparison.chapters)
    changed = len(comparison.rows())
    kinds = "、".join(f"{word} {counts[key]}" for key, word in CHANGE_WORDS.items() if counts[key])
    if sum(counts.values()) > changed:
        kinds += "。一つの項目に複数の変化があり得るため、内訳の合計は件数より多くなります"
    head = f"改正前: {edition_label(comparison.old)}、改正後: {edition_label(comparison.new)}。"
    if not changed:
        return head + f"変更された項目はありません（例文の項目 {unchanged} 件はすべて同じです）。"
    return head + f"変更された項目 {changed} 件（{kinds}）、変更のない項目 {unchanged} 件。"


def comparison_view(comparison: Comparison, labels: dict[str, str]) -> tuple[Block, ...]:
    """The 新旧対照表 between two editions and what follows from it.

    ``labels``: standard key -> its label (``ISO/IEC 27001:2013 附属書A``). Per chapter with changes, a table
    項目 | 改正後 | 改正前 (changed passages marked); then the 旧番号→新番号 table, the coverage change per
    standard and the catalog change (each only when not empty)."""
    old, new = comparison.old, comparison.new
    new_ids = {i.id for i in new.items}
    blocks: list[Block] = [Paragraph((comparison_summary(comparison),), ("shinkyu-summary",)),
                           Downloads(((docx_name(old.id, new.id), "新旧対照表（Word 形式、A4 横）"),))]
    for chapter in comparison.chapters:
        if not chapter.rows:
            continue
        rows: list[tuple[Cell, ...]] = []
        for row in chapter.rows:
            new_cell = marked(row.new_text, "new") if row.new is not None else (DELETED_MARK,)
            old_cell = marked(row.old_text, "old") if row.old is not None else (ADDED_MARK,)
            rows.append((_item_cell(row), new_cell, old_cell))
        blocks.append(Rubric(chapter.title))
        blocks.append(Table(("項目", f"改正後（{column_label(new)}）", f"改正前（{column_label(old)}）"), tuple(rows),
                            SHINKYU_CLASSES, caption=f"{chapter.title} 新旧対照表"))
        if chapter.unchanged:
            blocks.append(Paragraph((f"この章の変更のない項目 {chapter.unchanged} 件は省略しています。",)))
    if comparison.renumbering:
        blocks.append(Rubric("旧番号→新番号"))
        blocks.append(Table(
            ("改正前の番号", "改正後の番号", "変更"),
            tuple((was or "—", Ref(now) if now else "—",
                   CHANGE_WORDS["added"] if was is None else CHANGE_WORDS["deleted"] if now is None
                   else CHANGE_WORDS["renumbered"]) for was, now in comparison.renumbering),
            caption="旧番号→新番号"))
    if comparison.coverage:
        blocks.append(Rubric("規格との対応の変化"))
        for standard, label in labels.items():
            changes = [c for c in comparison.coverage if c.standard == standard]
            if not changes:
                continue
            blocks.append(Table(
                ("項目", "名称", "区分", "変化", "改正前の対応", "改正後の対応"),
                tuple((c.entry.number, c.entry.title, c.group, COVERAGE_WORDS[c.kind],
                       _by(c.old_by, c.old_justification, new_ids, link=False),
                       _by(c.new_by, c.new_justification, new_ids, link=True)) for c in changes),
                caption=f"{label}: 対応の変化"))
    if comparison.catalog:
        blocks.append(Rubric("規格の版の変更による影響"))
        blocks.append(Table(
            ("改正前の項目", "規格", "変化", "改正後の項目", "この項目への対応付け"),
            tuple((f"{c.old.number} {c.old.title}", labels.get(c.standard, c.standard), CATALOG_WORDS[c.kind],
                   f"{c.new.number} {c.new.title}" if c.new else "—",
                   refs(c.linked_by) if all(i in new_ids for i in c.linked_by) else "、".join(c.linked_by) or "—")
                  for c in comparison.catalog),
            caption="規格の版の変更で対応付けを見直す項目"))
    return tuple(blocks)


def _by(ids: Sequence[str], justification: str, new_ids: set[str], *, link: bool) -> Cell:
    if ids and link and all(i in new_ids for i in ids):
        return refs(ids)
    return covering_text(ids, justification)
