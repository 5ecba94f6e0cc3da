"""Editions: freezing one (make release), the 新旧対照表 between two, the 旧番号→新番号 table, the coverage change
and the catalog change — on hand-made editions (pure) and on a test site revised between two releases."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from trace_model.edition_views import comparison_view, docx_name
from trace_model.editions import (
    CURRENT,
    Comparison,
    Edition,
    EditionError,
    FrozenCatalog,
    FrozenEntry,
    FrozenItem,
    Link,
    Segment,
    char_diff,
    compare,
    edition_from_json,
    frozen,
    load_edition,
    load_editions,
    main,
)
from trace_model.views import Mark, Table

ROOT = Path(__file__).resolve().parents[1]

# -- pure: two hand-made editions ------------------------------------------------------------------------

ISO = (FrozenEntry("ISO-A-15-1-1", "A.15.1.1", "供給者関係のための情報セキュリティの方針"),
       FrozenEntry("ISO-A-15-1-2", "A.15.1.2", "供給者との合意におけるセキュリティの取扱い"),
       FrozenEntry("ISO-A-15-2-1", "A.15.2.1", "供給者のサービス提供の監視及びレビュー"))


def item(item_id: str, chapter: str, section: str, statement: str, *targets: str, title: str = "見出し",
         explanation: str = "") -> FrozenItem:
    return FrozenItem(item_id, "measure", title, chapter, section, statement, explanation,
                      tuple(Link("iso", t, f"{t} の理由") for t in targets))


OLD = Edition("first", "第1版", "2020-04", "abc", (("ch1", "1. 外部委託"), ("ch2", "2. 外部サービス")), (
    item("STD-1-1-1", "ch1", "1.1 選定", "委託先の選定基準を定めなければならない。", "ISO-A-15-1-1"),
    item("STD-1-1-2", "ch1", "1.1 選定", "委託契約には、秘密の保持及び事故時の報告を定めなければならない。", "ISO-A-15-1-2"),
    item("STD-1-1-3", "ch1", "1.1 選定", "委託先における対策の実施状況を定期的に確認しなければならない。", "ISO-A-15-2-1"),
    item("STD-2-1-1", "ch2", "2.1 利用", "約款による外部サービスでは、要機密情報を取り扱ってはならない。", "ISO-A-15-2-1"),
    item("STD-2-1-2", "ch2", "2.1 利用", "利用するサービスの名称を記録しなければならない。", "ISO-A-15-2-1"),
), (FrozenCatalog("iso", "ISO/IEC 27001:2013 附属書A", "2013", ISO, {"A.15.1.1": "旧の理由"}),))

NEW = Edition("second", "第2版", "2021-04", "def", (("ch1", "1. 外部委託"), ("ch2", "2. 外部サービス")), (
    item("STD-1-1-1", "ch1", "1.1 選定", "委託先の選定基準を定めなければならない。", "ISO-A-15-1-1"),
    item("STD-1-1-2", "ch1", "1.1 選定", "委託契約には、秘密の保持、再委託の制限及び事故時の報告を定めなければならない。",
         "ISO-A-15-1-2"),
    item("STD-2-1-1", "ch2", "2.1 利用", "約款による外部サービスでは、要機密情報を取り扱ってはならない。", "ISO-A-15-1-2"),
    item("STD-2-1-3", "ch2", "2.1 利用", "クラウドサービスは、事業者の所在地と準拠法を確かめてから選ぶ。", "ISO-A-15-1-1"),
    item("STD-2-2-1", "ch2", "2.2 監督", "委託先における対策の実施状況を定期的に確認しなければならない。", "ISO-A-15-2-1"),
), (FrozenCatalog("iso", "ISO/IEC 27001:2013 附属書A", "2013",
                  (ISO[0], ISO[1], FrozenEntry("ISO-A-15-2-1", "A.15.2.1", "供給者のサービス提供の監視")),
                  {"A.15.1.1": "新の理由"}),))


def test_the_shinkyu_rows_are_the_changed_items_in_reading_order_with_what_changed() -> None:
    result = compare(OLD, NEW)
    assert [(c.docname, [(r.id, r.kinds) for r in c.rows], c.unchanged) for c in result.chapters] == [
        ("ch1", [("STD-1-1-2", ("wording",))], 1),
        ("ch2", [("STD-2-1-1", ("links",)), ("STD-2-1-2", ("deleted",)), ("STD-2-1-3", ("added",)),
                 ("STD-2-2-1", ("renumbered", "moved"))], 0),
    ]
    renumbered = result.chapters[1].rows[3]
    assert (renumbered.old.id, renumbered.new.id) == ("STD-1-1-3", "STD-2-2-1")  # type: ignore[union-attr]
    relinked = result.chapters[1].rows[0]
    assert (relinked.links_added, relinked.links_removed) == (("iso:ISO-A-15-1-2",), ("iso:ISO-A-15-2-1",))


def test_a_reworded_passage_is_marked_in_both_columns() -> None:
    row = compare(OLD, NEW).chapters[0].rows[0]
    assert [s.text for s in row.new_text if s.changed] == ["、再委託の制限"]
    assert [s.text for s in row.old_text if s.changed] == []  # an insertion: nothing of the old text changed
    assert "".join(s.text for s in row.new_text) == NEW.items[1].text()
    assert "".join(s.text for s in row.old_text) == OLD.items[1].text()


def test_char_diff_marks_a_replaced_phrase_as_one_passage() -> None:
    old, new = char_diff("機密性2以上の情報資産を持ち出してはならない。", "機密性3の情報資産を許可なく持ち出してはならない。")
    assert [s.text for s in old if s.changed] == ["2以上"]
    assert [s.text for s in new if s.changed] == ["3", "許可なく"]
    # a one-character equal run between two changes is taken into the change (no scatter of fragments)
    old, new = char_diff("甲乙丙丁", "戊乙己丁")
    assert [s for s in new if s.changed] == [Segment("戊乙己", True)]
    assert char_diff("同じ", "同じ") == ((Segment("同じ"),), (Segment("同じ"),))


def test_the_old_to_new_number_table() -> None:
    assert compare(OLD, NEW).renumbering == (("STD-1-1-3", "STD-2-2-1"), ("STD-2-1-2", None), (None, "STD-2-1-3"))


def test_the_coverage_change_per_entry() -> None:
    changes = [(c.entry.number, c.kind, c.old_by, c.new_by, c.group) for c in compare(OLD, NEW).coverage]
    assert changes == [
        ("A.15.1.1", "addressed-by-changed", ("STD-1-1-1",), ("STD-1-1-1", "STD-2-1-3"), "A.15"),
        ("A.15.1.2", "addressed-by-changed", ("STD-1-1-2",), ("STD-1-1-2", "STD-2-1-1"), "A.15"),
        ("A.15.2.1", "addressed-by-changed", ("STD-1-1-3", "STD-2-1-1", "STD-2-1-2"), ("STD-2-2-1",), "A.15"),
    ]


def test_a_justification_change_alone_is_a_coverage_change() -> None:
    old = Edition("a", "甲", "2020-01", "", (), (), (FrozenCatalog("iso", "ISO", "2013", ISO[:1], {"A.15.1.1": "甲"}),))
    new = Edition("b", "乙", "2021-01", "", (), (), (FrozenCatalog("iso", "ISO", "2013", ISO[:1], {"A.15.1.1": "乙"}),))
    assert [(c.kind, c.old_justification, c.new_justification) for c in compare(old, new).coverage] == [
        ("justification-changed", "甲", "乙")]


def test_a_retitled_removed_or_renumbered_catalog_entry_lists_every_link_to_it() -> None:
    result = compare(OLD, NEW)
    assert [(c.kind, c.old.id, c.new.title if c.new else None, c.linked_by) for c in result.catalog] == [
        ("retitled", "ISO-A-15-2-1", "供給者のサービス提供の監視", ("STD-1-1-3", "STD-2-1-1", "STD-2-1-2", "STD-2-2-1"))]
    moved = Edition("c", "丙", "2022-01", "", (), NEW.items, (FrozenCatalog(
        "iso", "ISO", "2013", (ISO[0], FrozenEntry("ISO-A-16-1-2", "A.16.1.2", ISO[1].title), ISO[2])),))
    changes = compare(NEW, moved).catalog
    assert [(c.kind, c.old.id, c.new.id if c.new else None, c.linked_by) for c in changes][:1] == [
        ("renumbered", "ISO-A-15-1-2", "ISO-A-16-1-2", ("STD-1-1-2", "STD-2-1-1"))]
    gone = Edition("d", "丁", "2023-01", "", (), NEW.items, (FrozenCatalog("iso", "ISO", "2013", ISO[:2]),))
    assert [(c.kind, c.old.id, c.new) for c in compare(NEW, gone).catalog] == [("removed", "ISO-A-15-2-1", None)]


def test_the_comparison_view_shows_marks_and_the_ministrys_placeholders() -> None:
    blocks = comparison_view(compare(OLD, NEW), {"iso": "ISO/IEC 27001:2013 附属書A"})
    tables = [b for b in blocks if isinstance(b, Table)]
    first = tables[0]
    assert first.headers == ("項目", "改正後（第2版）", "改正前（第1版）")
    assert Mark("、再委託の制限", "new") in first.rows[0][1]  # type: ignore[operator]
    deleted, added = tables[1].rows[1], tables[1].rows[2]
    assert deleted[1] == ("（削除）",) and added[2] == ("（新設）",)
    assert [t.caption for t in tables] == ["1. 外部委託 新旧対照表", "2. 外部サービス 新旧対照表", "旧番号→新番号",
                                          "ISO/IEC 27001:2013 附属書A: 対応の変化", "規格の版の変更で対応付けを見直す項目"]


def test_an_edition_survives_its_file() -> None:
    assert edition_from_json(NEW.to_json(), "x.json") == NEW
    assert NEW.to_json() == edition_from_json(NEW.to_json(), "x.json").to_json()


@pytest.mark.parametrize(("mangle", "where", "words"), [
    (lambda t: t.replace('"items": [', '"items": [,', 1), r"x\.json:\d+$", "not valid JSON"),
    (lambda t: t.replace('"schema": 2', '"schema": 9'), r"x\.json:2$", "schema 9 is not one this build reads"),
    (lambda t: t.replace('"schema": 2', '"schema": true'), r"x\.json:2$", "schema True is not one this build reads"),
    # schema 1 had no 団体で定める事項: a schema-1 file with them was not written by make release
    (lambda t: t.replace('"schema": 2', '"schema": 1'), r"x\.json:\d+$", "unknown key 'params'"),
    (lambda t: t.replace('"statement"', '"statment"', 1), r"x\.json:\d+$", "unknown key 'statment'"),
    (lambda t: t.replace('"STD-2-1-1"', '"STD-1-1-1"', 1), r"x\.json:\d+$", "listed twice"),
    (lambda t: t.replace('"date": "2021-04"', '"date": "April 2021"'), r"x\.json:5$", "is not a year and month"),
    (lambda t: t.replace('の理由",\n     "intersects-with"\n', 'の理由"\n', 1), r"x\.json:\d+$",
     "must be an array of 4 strings"),
    (lambda t: t.replace('"intersects-with"', '"related-to"', 1), r"x\.json:\d+$", "relationship 'related-to'"),
    (lambda t: t.replace('[\n     "iso",', '[\n     "isms",', 1), r"x\.json:\d+$", "the standard 'isms'"),
    (lambda t: t.replace(',\n     "供給者関係のための情報セキュリティの方針"\n', '\n', 1), r"x\.json:\d+$",
     "must be an array of 3 strings"),
    (lambda t: t.replace('"title": "第2版",', '"title": "第2版",\n "title": "第3版",', 1), r"x\.json:\d+$",
     "written twice"),
    (lambda t: t.replace("委託先の選定基準を定めなければならない", "委託先の選定基準を定める", 1), r"x\.json:\d+$",
     "changed after it was frozen"),
])
def test_a_damaged_edition_file_is_refused_at_its_line(mangle, where: str, words: str) -> None:
    with pytest.raises(EditionError) as error:
        edition_from_json(mangle(NEW.to_json()), "x.json")
    assert re.search(where, error.value.location) and words in error.value.message


def test_params_optional_and_check_round_trip_and_schema_1_files_are_still_read() -> None:
    from trace_model.editions import digest
    from trace_model.params import Param

    item = replace(NEW.items[0], statement="① {param}`毎年度 <audit-interval>`、監査を行う。", optional="監査を行う団体",
                   check="監査を行っていますか。")
    edition = replace(NEW, items=(item, *NEW.items[1:]), params=(Param("audit-interval", "監査の頻度", "頻度", "例: 毎年度"),))
    again = edition_from_json(edition.to_json(), "x.json")
    assert again.params == (Param("audit-interval", "監査の頻度", "頻度", "例: 毎年度"),)
    assert (again.items[0].optional, again.items[0].check) == ("監査を行う団体", "監査を行っていますか。")
    # a file frozen before schema 2 (no params, optional or check) is read as it is
    data = json.loads(NEW.to_json())
    data["schema"] = 1
    del data["params"]
    data["digest"] = digest(data)
    old = edition_from_json(json.dumps(data, ensure_ascii=False, indent=1), "old.json")
    assert old.params == () and [i.id for i in old.items] == [i.id for i in NEW.items]
    # marking a 団体で定める事項 is no change of wording in the 新旧対照表
    marked = replace(NEW.items[0], statement=NEW.items[0].statement.replace("委託先", "{param}`委託先 <x>`", 1))
    assert marked.statement != NEW.items[0].statement
    rows = compare(NEW, replace(NEW, items=(marked, *NEW.items[1:]))).chapters
    assert all(not row.kinds for chapter in rows for row in chapter.rows)


def test_editions_on_disk(tmp_path: Path) -> None:
    for edition in (NEW, OLD):
        (tmp_path / edition.id).mkdir()
        (tmp_path / edition.id / "edition.json").write_text(edition.to_json(), encoding="utf-8")
    assert [e.id for e in load_editions(tmp_path)] == ["first", "second"]  # by date
    (tmp_path / "third").mkdir()
    (tmp_path / "third" / "edition.json").write_text(OLD.to_json(), encoding="utf-8")
    with pytest.raises(EditionError, match="is not its directory's name 'third'"):
        load_edition(tmp_path / "third" / "edition.json")
    (tmp_path / "third" / "edition.json").unlink()
    with pytest.raises(EditionError, match=r"holds no edition\.json"):
        load_editions(tmp_path)
    assert load_editions(tmp_path / "none") == []


def test_freezing_takes_the_sources_title_and_date_and_refuses_a_disagreement() -> None:
    current = Edition(CURRENT, "第2版", "2021-04", "", (), (), ())
    assert frozen(current, edition_id="second").id == "second"
    assert frozen(current, edition_id="second", title="第2版", date="2021-04").title == "第2版"
    with pytest.raises(EditionError, match=r"conf\.py's version is '第2版'"):
        frozen(current, edition_id="second", title="第3版")
    with pytest.raises(EditionError, match="not an edition ID"):
        frozen(current, edition_id="Second Edition")
    with pytest.raises(EditionError, match="trace_edition_date '2021' is not a date"):
        frozen(Edition(CURRENT, "第2版", "2021", "", (), (), ()), edition_id="second")


def test_make_release_writes_once_and_refuses_to_overwrite(tmp_path: Path, capsys) -> None:
    current = tmp_path / "edition.json"
    current.write_text(Edition(CURRENT, "第1版", "2020-04", "", OLD.chapters, OLD.items, OLD.catalogs).to_json(),
                       encoding="utf-8")
    into = tmp_path / "editions"
    args = ["freeze", "--current", str(current), "--into", str(into), "--id", "first"]
    assert main(args) == 0
    assert load_edition(into / "first" / "edition.json").items == OLD.items
    assert main(args) == 1
    assert "already frozen" in capsys.readouterr().err
    assert main([*args, "--force"]) == 0
    assert main(["freeze", "--current", str(tmp_path / "missing.json"), "--into", str(into), "--id", "x"]) == 1
    assert "run `make html` first" in capsys.readouterr().err


# -- a test site revised between two releases ---------------------------------------------------------------

#: STD-1-1-3 as ch1.md has it; the second edition moves it, unchanged, to section 2.2 as STD-2-2-1
MOVED = """```{measure} 委託先の監督
:id: STD-1-1-3
:source: added
:nisc: NISC-4-1-1
:iso: ISO-A-15-2-1
:iso_reason: ISO-A-15-2-1: サービス提供を監視するため

情報セキュリティ管理者は、委託先における情報セキュリティ対策の実施状況を定期的に確認しなければならない。

**【解説】**

確認の結果は記録する。
```"""

REVISION = {  # file -> (old text, new text): the second edition's edits, one of each kind
    "ch1.md": [
        ("秘密の保持、再委託の制限及び事故時の報告", "秘密の保持、再委託の制限、事故時の報告及び契約終了時の情報の返却"),  # reworded
        # STD-1-1-3 moves to 2.2 and becomes STD-2-2-1
        (MOVED + "\n", ""),
    ],
    "ch2.md": [
        # relinked
        (":iso: ISO-A-15-2-1\n:iso_reason: ISO-A-15-2-1: 提供されるサービスを監視するため",
         ":iso: ISO-A-15-1-2\n:iso_reason: ISO-A-15-1-2: 約款の条件を合意として確かめるため"),
        # STD-2-1-2 deleted, STD-2-1-3 added, and section 2.2 with the moved item
        ("""```{measure} 利用の記録
:id: STD-2-1-2
:source: added
:nisc: NISC-4-1-2
:iso: ISO-A-15-2-1
:iso_reason: ISO-A-15-2-1: 利用状況を把握するため

外部サービスを利用する課室は、利用するサービスの名称と目的を記録しなければならない。

**【解説】**

記録は年に一度見直す。
```""", """```{measure} クラウドサービスの選定
:id: STD-2-1-3
:source: added
:nisc: NISC-4-1-2
:iso: ISO-A-15-1-1
:iso_reason: ISO-A-15-1-1: 供給者の選定の方針に当たるため

クラウドサービスは、事業者のデータの保管場所と準拠法を確かめてから選ばなければならない。

**【解説】**

海外の法令が適用される場合がある。
```

(ch2-2)=
## 2.2 委託先の監督

""" + MOVED.replace(":id: STD-1-1-3", ":id: STD-2-2-1")),
    ],
    # a catalog entry retitled in the catalog the second edition is traced against
    "catalogs/iso2013.yaml": [('title_ja: "供給者のサービス提供の監視及びレビュー"', 'title_ja: "供給者のサービス提供の監視と見直し"')],
}

COMPARE_PAGE = """---
orphan: true
---
# 第1版と第2版の新旧対照表

```{edition-comparison}
:old: first
:new: second
```

```{edition-history}
```

## 最新の版の新旧対照表

```{edition-comparison}
:old: previous
:new: latest
```
"""


def _revise(srcdir: Path) -> None:
    for name, edits in REVISION.items():
        path = srcdir / name
        text = path.read_text(encoding="utf-8")
        for old, new in edits:
            assert text.count(old) == 1, (name, old[:40])
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def revised_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Comparison]:
    """The editions root released as ``first`` (第1版), revised (:data:`REVISION`), released as ``second``, then
    built with a page comparing the two: its source folder, output folder and the comparison it shows."""
    from conftest import copy_root, sphinx_build

    srcdir = copy_root("editions", tmp_path_factory.mktemp("editions"))
    into = srcdir / "traceability" / "editions"
    for edition_id, title, date in (("first", "第1版", "2020-04"), ("second", "第2版", "2021-04")):
        if edition_id == "second":
            _revise(srcdir)
        outdir = srcdir / "_build" / edition_id
        done = sphinx_build(srcdir, outdir, "-D", f"version={title}", "-D", f"trace_edition_date={date}")
        assert done.returncode == 0, done.stderr
        assert main(["freeze", "--current", str(outdir / "exports" / "edition.json"), "--into", str(into),
                     "--id", edition_id, "--title", title]) == 0
    (srcdir / "compare.md").write_text(COMPARE_PAGE, encoding="utf-8")
    outdir = srcdir / "_build" / "html"
    # with the site's own style sheets, as the published 新旧対照表 looks and prints
    done = sphinx_build(srcdir, outdir, "-D", "version=第2版", "-D", "trace_edition_date=2021-04",
                        "-D", f"html_static_path={ROOT / '_static'}", "-D", "html_css_files=site.css,trace.css")
    assert done.returncode == 0, done.stderr
    return srcdir, outdir, compare(*load_editions(into))


def test_the_revised_sites_comparison(revised_site) -> None:
    _, _, result = revised_site
    assert [(r.id, r.kinds) for r in result.rows()] == [
        ("STD-1-1-2", ("wording",)), ("STD-2-1-1", ("links",)), ("STD-2-1-2", ("deleted",)),
        ("STD-2-1-3", ("added",)), ("STD-2-2-1", ("renumbered", "moved"))]
    assert result.renumbering == (("STD-1-1-3", "STD-2-2-1"), ("STD-2-1-2", None), (None, "STD-2-1-3"))
    assert [(c.kind, c.old.number, c.new.title if c.new else "") for c in result.catalog] == [
        ("retitled", "A.15.2.1", "供給者のサービス提供の監視と見直し")]
    frozen_first = json.loads((revised_site[0] / "traceability/editions/first/edition.json").read_text("utf-8"))
    assert (frozen_first["title"], frozen_first["date"], len(frozen_first["items"])) == ("第1版", "2020-04", 5)


def test_the_comparison_page_and_the_history(revised_site) -> None:
    from bs4 import BeautifulSoup

    _, outdir, _ = revised_site
    page = BeautifulSoup((outdir / "compare.html").read_text("utf-8"), "html.parser")
    tables = page.select("table.shinkyu")
    rows = [[td.get_text("", strip=True) for td in tr.select("th, td")] for t in tables for tr in t.select("tbody tr")]
    # :old: previous / :new: latest names the same two editions as :old: first / :new: second
    assert rows[:5] == rows[5:]
    rows = rows[:5]
    assert [r[0].split("\n")[0][:9] for r in rows] == ["STD-1-1-2", "STD-2-1-1", "STD-2-1-2", "STD-2-1-3", "STD-2-2-1"]
    reworded = tables[0].select("tbody tr")[0]
    # 「及び」 became 「、」 and 「及び契約終了時の情報の返却」 was added; the words around each mark are read out
    assert [m.get_text() for m in reworded.select("ins.diff-new")] == ["［改正部分：、］", "［改正部分：及び契約終了時の情報の返却］"]
    assert [m.get_text() for m in reworded.select("del.diff-old")] == ["［改正前の部分：及び］"]
    assert rows[2][1] == "（削除）" and rows[3][2] == "（新設）"
    history_table = next(t for t in page.select("table") if t.caption and t.caption.get_text(strip=True) == "改定履歴")
    history = [[c.get_text(strip=True) for c in tr.select("th, td")] for tr in history_table.select("tbody tr")]
    assert [r[:3] for r in history] == [["第1版", "2020-04", "5"], ["第2版", "2021-04", "5"]]


def test_the_comparison_as_docx_reads_back_with_the_same_rows(revised_site) -> None:
    import docx

    _, outdir, result = revised_site
    document = docx.Document(str(outdir / "exports" / docx_name("first", "second")))
    section = document.sections[0]
    assert section.page_width > section.page_height  # A4 landscape
    shinkyu = [t for t in document.tables if t.rows[0].cells[1].text.startswith("改正後（")]
    rows = [[c.text for c in r.cells] for t in shinkyu for r in t.rows[1:]]
    assert [r[0].split("\n")[0] for r in rows] == [
        "STD-1-1-2", "STD-2-1-1", "STD-2-1-2", "STD-2-1-3", "STD-2-2-1（旧 STD-1-1-3）"]
    expected = [("".join(s.text for s in r.new_text) if r.new else "（削除）",
                 "".join(s.text for s in r.old_text) if r.old else "（新設）") for r in result.rows()]
    assert [(r[1], r[2]) for r in rows] == expected
    reworded = shinkyu[0].rows[1].cells
    assert [run.text for p in reworded[1].paragraphs for run in p.runs if run.underline] == ["、", "及び契約終了時の情報の返却"]
    assert [run.text for p in reworded[2].paragraphs for run in p.runs if run.underline] == ["及び"]
    assert shinkyu[0].rows[0]._tr.trPr.xml.count("tblHeader") == 1  # the header row repeats on every page


@pytest.mark.browser
def test_the_comparison_prints_on_a4_landscape_and_passes_axe(revised_site, browser, tmp_path: Path) -> None:
    """The 新旧対照表 page prints on A4 landscape with every row's text, and axe-core (WCAG 2.x A/AA) finds
    nothing on it: the marks are underlined, and what they mean is read out."""
    from importlib.resources import files

    import pypdf

    _, outdir, result = revised_site
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    page.goto((outdir / "compare.html").as_uri())
    # axe-core from the installed package (axe-playwright-python carries it), not the network
    page.evaluate(files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8"))
    found = page.evaluate("axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', "
                          "'wcag22aa']}}).then(r => r.violations.map(v => v.id))")
    assert found == []
    decoration = page.evaluate("getComputedStyle(document.querySelector('table.shinkyu del')).textDecorationLine")
    assert decoration == "underline"  # the 改正前 passage is underlined as the ministry marks it, not struck through
    page.emulate_media(media="print")
    path = tmp_path / "shinkyu.pdf"
    page.pdf(path=str(path), prefer_css_page_size=True)
    context.close()
    reader = pypdf.PdfReader(path)
    assert {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages} == {(842, 595)}
    printed = "".join(p.extract_text() for p in reader.pages).replace("\n", "")
    assert [r.id for r in result.rows() if r.id not in printed] == []
    assert "契約終了時の情報の返却" in printed


def test_the_docx_is_the_same_bytes_for_the_same_comparison(revised_site) -> None:
    from datetime import UTC, datetime

    from trace_model.shinkyu_docx import comparison_docx

    _, _, result = revised_site
    built = datetime(2021, 4, 1, tzinfo=UTC)
    assert comparison_docx(result, {"iso": "ISO"}, built=built) == comparison_docx(result, {"iso": "ISO"}, built=built)


def test_a_broken_edition_file_fails_the_build_at_its_line(tmp_path: Path) -> None:
    from conftest import copy_root, normalise_warnings, sphinx_build

    srcdir = copy_root("editions", tmp_path)
    (srcdir / "history.md").write_text("---\norphan: true\n---\n# 改定履歴\n\n```{edition-history}\n```\n", "utf-8")
    broken = srcdir / "traceability" / "editions" / "first"
    broken.mkdir(parents=True)
    (broken / "edition.json").write_text(NEW.to_json().replace('"id": "second"', '"id": "first"')
                                         .replace('"items": [', '"items": [,', 1), "utf-8")
    done = sphinx_build(srcdir, srcdir / "_build")
    assert done.returncode != 0
    line = NEW.to_json().split("\n").index(' "items": [') + 1
    assert normalise_warnings(done.stderr, srcdir) == [
        f"traceability/editions/first/edition.json:{line}: frozen edition: not valid JSON (Expecting value). A "
        "frozen edition is written by `make release` and never edited: restore the file from git (git checkout -- "
        "<file>). [trace.edition]"]


# -- suspect links -------------------------------------------------------------------------------------------


def test_suspect_links_are_reported_where_the_link_is_written_until_restamped(tmp_path: Path) -> None:
    """A link is stamped when reviewed; a change of the 例文's wording or of the linked catalog entry makes
    each of its links suspect, reported at the link's own line with what changed, until re-stamped."""
    from conftest import copy_root, normalise_warnings, sphinx_build
    from trace_model import stamps

    srcdir = copy_root("editions", tmp_path)
    out = srcdir / "_build"
    stamps_file = srcdir / "link-stamps.yaml"

    def build() -> list[str]:
        done = sphinx_build(srcdir, out, "-D", "trace_stamps_file=link-stamps.yaml")
        return normalise_warnings(done.stderr, srcdir)

    def restamp(ids: str) -> int:
        return stamps.main(["--current", str(out / "exports" / "edition.json"), "--stamps", str(stamps_file),
                            "--editions", str(srcdir / "traceability" / "editions"), "--ids", ids])

    unstamped = build()
    assert len(unstamped) == 10  # five 例文 items, each with a NISC and an ISO link
    assert unstamped[0] == ("ch1.md:9: STD-1-1-1 → NISC-4-1-1: the link has not been reviewed (no stamp in the link "
                            "stamps). Review the link and its reason, then run `make restamp IDS=STD-1-1-1`. "
                            "[trace.suspect-link]")
    assert restamp("all") == 0
    assert build() == []
    assert main(["freeze", "--current", str(out / "exports" / "edition.json"), "--into",
                 str(srcdir / "traceability" / "editions"), "--id", "first"]) == 0

    _revise_one(srcdir / "ch1.md", *REVISION["ch1.md"][0])  # STD-1-1-2 reworded
    _revise_one(srcdir / "catalogs" / "iso2013.yaml", *REVISION["catalogs/iso2013.yaml"][0])  # A.15.2.1 retitled
    reworded = ("the link is suspect: the wording of STD-1-1-2 changed since the link was reviewed (「及び」 → "
                "「、」、「及び契約終了時の情報の返却」). Review the link and its reason, then run `make restamp IDS=STD-1-1-2`. "
                "[trace.suspect-link]")
    retitled = ("the link is suspect: ISO-A-15-2-1 changed in its catalog since the link was reviewed "
                "(「供給者のサービス提供の監視及びレビュー」 → 「供給者のサービス提供の監視と見直し」). Check that the link still "
                "means the same entry. Review the link and its reason, then run `make restamp IDS={}`. [trace.suspect-link]")
    entry_suspects = [f"ch1.md:38: STD-1-1-3 → ISO-A-15-2-1: {retitled.format('STD-1-1-3')}",
                      f"ch2.md:10: STD-2-1-1 → ISO-A-15-2-1: {retitled.format('STD-2-1-1')}",
                      f"ch2.md:24: STD-2-1-2 → ISO-A-15-2-1: {retitled.format('STD-2-1-2')}"]
    assert build() == [f"ch1.md:23: STD-1-1-2 → NISC-4-1-1: {reworded}", f"ch1.md:24: STD-1-1-2 → ISO-A-15-1-2: {reworded}",
                       *entry_suspects]
    assert restamp("STD-1-1-2") == 0
    assert build() == entry_suspects
    assert restamp("STD-1-1-3,STD-2-1-1,STD-2-1-2") == 0
    assert build() == []
    assert restamp("STD-9-9-9") == 1  # an ID the sources do not hold is refused, nothing written


def _revise_one(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize(("text", "line", "words"), [
    ("schema: 1\nstamps:\n  STD-1: {statement: a, links: {ISO-A-1: [x]}}\n", 3, "must be [fingerprint, title]"),
    ("schema: 2\n", 1, "schema must be 1"),
    ("schema: 1\nstamps:\n  STD-1: {links: {}}\n", 3, "has no statement fingerprint"),
    ("schema: 1\nstamps:\n  STD-1: {statement: a}\n  STD-1: {statement: b}\n", 4, "written twice"),
    ("schema: 1\nstamps: [\n", 3, "not valid YAML"),
])
def test_a_damaged_stamps_file_is_refused_at_its_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    from trace_model.stamps import StampsError, load_stamps

    path = tmp_path / "link-stamps.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StampsError) as error:
        load_stamps(path)
    assert error.value.location == f"{path}:{line}" and words in error.value.message


def test_the_coverage_change_is_a_workbook_sheet() -> None:
    from trace_model.exports import CHANGE_SHEET, coverage_change_sheet

    sheet = coverage_change_sheet(compare(OLD, NEW), {"iso": "ISO/IEC 27001:2013 附属書A"})
    assert (sheet.name, sheet.title) == (CHANGE_SHEET, "規格との対応の変化（第1版 → 第2版）")
    assert [row[1:8] for row in sheet.rows] == [
        ("ISO-A-15-1-1", "A.15.1.1", "供給者関係のための情報セキュリティの方針", "A.15", "対応する項目の変更",
         "STD-1-1-1", "STD-1-1-1 STD-2-1-3"),
        ("ISO-A-15-1-2", "A.15.1.2", "供給者との合意におけるセキュリティの取扱い", "A.15", "対応する項目の変更",
         "STD-1-1-2", "STD-1-1-2 STD-2-1-1"),
        ("ISO-A-15-2-1", "A.15.2.1", "供給者のサービス提供の監視", "A.15", "対応する項目の変更",
         "STD-1-1-3 STD-2-1-1 STD-2-1-2", "STD-2-2-1"),
        ("ISO-A-15-2-1", "A.15.2.1", "供給者のサービス提供の監視及びレビュー", "", "カタログの名称変更（→ A.15.2.1 "
         "供給者のサービス提供の監視）", "STD-1-1-3 STD-2-1-1 STD-2-1-2 STD-2-2-1", ""),
    ]
    assert sheet.rows[0][8:] == ("旧の理由", "新の理由")


# -- permalinks: every URL of a frozen edition still leads to its item ---------------------------------------


def test_every_url_of_every_frozen_edition_leads_to_its_item(revised_site) -> None:
    from conftest import old_urls, resolve

    srcdir, outdir, _ = revised_site
    urls = old_urls(srcdir / "traceability" / "editions")
    assert len(urls) == 10
    assert [url for url in urls if resolve(outdir, url) is None] == []


def test_items_that_left_a_page_keep_an_anchor_there_that_says_where_they_went(revised_site) -> None:
    from bs4 import BeautifulSoup

    _, outdir, _ = revised_site
    moved = BeautifulSoup((outdir / "ch1.html").read_text("utf-8"), "html.parser").find(id="STD-1-1-3")
    assert moved.get_text() == "STD-1-1-3「委託先の監督」（第1版）は、STD-2-2-1に移りました。"
    assert moved.find("a")["href"] == "ch2.html#STD-2-2-1"
    deleted = BeautifulSoup((outdir / "ch2.html").read_text("utf-8"), "html.parser").find(id="STD-2-1-2")
    assert deleted.get_text() == "STD-2-1-2「利用の記録」（第1版）は、第1版の後の改定で削除されました。"


def test_a_renamed_page_needs_a_redirect_and_its_old_urls_then_follow_it(tmp_path: Path) -> None:
    from conftest import copy_root, normalise_warnings, old_urls, resolve, sphinx_build

    srcdir = copy_root("editions", tmp_path)
    out = srcdir / "_build"
    assert sphinx_build(srcdir, out).returncode == 0
    into = srcdir / "traceability" / "editions"
    assert main(["freeze", "--current", str(out / "exports" / "edition.json"), "--into", str(into), "--id", "first"]) == 0
    (srcdir / "ch2.md").rename(srcdir / "services.md")
    _revise_one(srcdir / "index.md", "ch2\n", "services\n")
    done = sphinx_build(srcdir, out)
    line = (into / "first" / "edition.json").read_text("utf-8").split("\n").index('   "docname": "ch2",') + 1
    assert normalise_warnings(done.stderr, srcdir) == [
        f"traceability/editions/first/edition.json:{line}: the page 'ch2' (2. 外部サービス) of 平成27年3月版 is no "
        "longer a page, so links saved from that edition would break. Leave a redirect in conf.py: redirects = "
        "{'ch2': 'services.html'} (the target is relative to the old page), or restore the page. [trace.permalink]"]
    overrides = srcdir / "overrides.py"
    lines = overrides.read_text("utf-8").count("\n")
    overrides.write_text(overrides.read_text("utf-8") + 'redirects = {"ch2": "servces.html"}\n', "utf-8")
    assert normalise_warnings(sphinx_build(srcdir, out).stderr, srcdir) == [
        f"overrides.py:{lines + 1}: the redirect from 'ch2' leads to 'servces.html', which is not a page of the site "
        "(a target is relative to the old page). Did you mean 'services.html'? [trace.permalink]"]
    _revise_one(overrides, "servces.html", "services.html")
    done = sphinx_build(srcdir, out)
    assert done.returncode == 0, done.stderr
    urls = old_urls(into)
    assert [url for url in urls if resolve(out, url) is None] == []
    assert resolve(out, "ch2.html#STD-2-1-1") == ((out / "services.html").resolve(), "STD-2-1-1")
    redirect = (out / "ch2.html").read_text("utf-8")
    assert '<html lang="ja">' in redirect and "<title>" in redirect  # a page of the site: language and title


def test_readable_text_is_what_a_reader_sees() -> None:
    from trace_model.editions import readable

    source = "**表の題**\n\n- 一つ目の\n  項目\n- 二つ目 of\n  English\n\n① 甲\n\n| 分類 | 基準 |\n|---|:--|\n| 機密性3 | 重大 |"
    assert readable(source) == "表の題\n・一つ目の項目\n・二つ目 of English\n① 甲\n分類｜基準\n機密性3｜重大"


def test_a_renamed_page_does_not_move_its_items() -> None:
    renamed = Edition("third", "第3版", "2022-04", "", (("ch1", "1. 外部委託"), ("services", "2. 外部サービス")),
                      tuple(replace(i, chapter="services") if i.chapter == "ch2" else i for i in NEW.items),
                      NEW.catalogs)
    assert [r.kinds for r in compare(NEW, renamed).rows()] == [("moved",)] * 3
    assert compare(NEW, renamed, {"ch2": "services"}).rows() == []


def test_a_renumbered_entry_is_named_by_the_title_the_link_was_reviewed_against() -> None:
    from trace_model.stamps import restamp, suspect_links

    stamps, _ = restamp(NEW, __import__("trace_model.stamps").stamps.Stamps(), ["all"])
    moved = replace(NEW, catalogs=(replace(NEW.catalogs[0], entries=(
        ISO[0], FrozenEntry("ISO-A-16-1-2", "A.16.1.2", ISO[1].title), NEW.catalogs[0].entries[2])),))
    found = [(s.item, s.target, s.reason, s.new) for s in suspect_links(moved, stamps)]
    assert found == [("STD-1-1-2", "ISO-A-15-1-2", "renumbered", "ISO-A-16-1-2"),
                     ("STD-2-1-1", "ISO-A-15-1-2", "renumbered", "ISO-A-16-1-2")]
    assert "link ISO-A-16-1-2" in suspect_links(moved, stamps)[0].message()


def test_release_arguments_are_checked_before_the_build() -> None:
    from trace_model.editions import check_release_arguments

    for reserved in ("current", "latest", "previous", "Bad_ID"):
        with pytest.raises(EditionError, match="is not an edition ID"):
            check_release_arguments(reserved)
    with pytest.raises(EditionError, match="'2015-13' is not a date"):
        check_release_arguments("h28-08", "2015-13")
    assert main(["check", "--id", "h28-08", "--date", "2016-08"]) == 0


@pytest.mark.parametrize(("text", "words"), [
    ("schema: 1\nstampz: {}\n", "'stampz' is not a key of the stamps file"),
    ("schema: 1\nstamps:\n  ? [POL-2]\n  : {statement: a}\n", "must be a plain name"),
    ("schema: 1\nstamps:\n  POL-2: {statement: a, linx: {}}\n", "'linx' is not a key of a stamp"),
])
def test_a_stamps_file_with_unknown_keys_is_refused(tmp_path: Path, text: str, words: str) -> None:
    from trace_model.stamps import StampsError, load_stamps

    path = tmp_path / "link-stamps.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StampsError, match=re.escape(words)):
        load_stamps(path)


def test_restamp_all_writes_a_damaged_stamps_file_afresh_and_names_every_unknown_id(tmp_path: Path, capsys) -> None:
    from trace_model import stamps

    current = tmp_path / "edition.json"
    current.write_text(replace(NEW, id=CURRENT).to_json(), encoding="utf-8")
    damaged = tmp_path / "link-stamps.yaml"
    damaged.write_text("schema: 1\nstamps: [\n", encoding="utf-8")
    args = ["--current", str(current), "--stamps", str(damaged), "--editions", str(tmp_path / "none")]
    assert stamps.main([*args, "--ids", "STD-1-1-1"]) == 1  # a damaged file is not overwritten for some IDs
    assert stamps.main([*args, "--ids", "all"]) == 0
    assert set(stamps.load_stamps(damaged).items) == {i.id for i in NEW.items}
    assert stamps.main([*args, "--ids", "STD-1-1-1，STD-9-9-9 std-2-1-1 STD-8-8-8"]) == 1
    refused = capsys.readouterr().err
    assert all(f"'{i}'" in refused for i in ("STD-8-8-8", "STD-9-9-9", "std-2-1-1")) and "Nothing was written" in refused
    assert "'std-2-1-1' (did you mean 'STD-2-1-1'?)" in refused
    assert stamps.main([*args, "--ids", "STD-1-1-1，STD-2-1-1 STD-2-1-3"]) == 0  # full-width comma and spaces


def test_every_csv_row_names_its_edition() -> None:
    import csv
    import io

    from trace_model.exports import EDITION_COLUMN, Column, Sheet, csv_bytes

    sheet = Sheet("s", "t", (Column("ID", "key"), Column("名称")), (("STD-1-1-1", "甲"), ("STD-1-1-2", "乙")))
    rows = list(csv.reader(io.StringIO(csv_bytes(sheet, "第2版（2021-04）").decode("utf-8-sig"))))
    assert rows == [["ID", "名称", EDITION_COLUMN], ["STD-1-1-1", "甲", "第2版（2021-04）"],
                    ["STD-1-1-2", "乙", "第2版（2021-04）"]]
