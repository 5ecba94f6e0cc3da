"""The example town's policy as make html builds it (issue #16): the site, the Word and PDF files, the workbooks.

Each output is read back as its reader would: the DOCX with python-docx (and LibreOffice Writer, required on CI),
the PDF's text with pypdf, the site's pages as HTML, the workbooks with openpyxl. Every article of the tailored
policy must be in each, with its trace; a filled workbook round-trips, and each kind of bad workbook is refused
at its sheet and cell.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT
from trace_model.policy import tailor, trace_numbers
from trace_model.profile import load_profile
from trace_model.self_assessment import ANSWERS, UNANSWERED, WorkbookError, read_answers, rows

pytestmark = pytest.mark.site

EDITIONS = ROOT / "traceability" / "editions"
PROFILE, EDITION = load_profile(ROOT / "profiles" / "example-town.yaml", EDITIONS)
POLICY = tailor(EDITION, PROFILE)
DOCUMENTS = {"policy": "基本方針", "standards": "対策基準"}


def articles(key: str):
    return {d.key: d for d in POLICY.documents}[DOCUMENTS[key]].articles()


def first_words(article, n: int = 12) -> str:
    block = article.paragraphs[0].blocks[0]
    return (block.text or (block.items[0] if block.items else ""))[:n]


# -- Word ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", DOCUMENTS)
def test_the_word_document_holds_every_article_in_order_with_its_trace(example: Path, key: str) -> None:
    import docx

    document = docx.Document(str(example / "files" / f"{key}.docx"))
    paragraphs = [(p.text, p.style.name) for p in document.paragraphs]
    texts = [t for t, _ in paragraphs]
    position = 0
    for article in articles(key):
        label = f"{article.label}　"
        found = next((i for i in range(position, len(texts)) if texts[i].startswith(label)), None)
        if found is None:  # an article of only 号 (no 柱書): its label stands alone before them
            found = next(i for i in range(position, len(texts)) if texts[i] == article.label)
        assert texts[found - 1] == f"（{article.title}）"
        assert first_words(article) in "".join(texts[found:found + 3])
        note = next(i for i in range(found, len(texts)) if paragraphs[i][1] == "対応注記")
        assert texts[note].startswith("【対応】")
        for short, numbers in trace_numbers(article):
            assert f"{short} {numbers}" in texts[note]
        position = note
    assert any(t.startswith(f"この{DOCUMENTS[key]}は、令和8年4月1日から施行する。") for t in texts)
    table = document.tables[-1]  # 別表 対応表: one row per article, after the header
    assert len(table.rows) == len(articles(key)) + 1
    footer = document.sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" in footer


def test_libreoffice_writer_opens_the_word_documents(example: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or not any(Path("/usr/lib/libreoffice/program").glob("libsw*")):
        if os.environ.get("REQUIRE_LIBREOFFICE") == "1":
            pytest.fail("LibreOffice Writer is required here: apt-get install libreoffice-writer-nogui")
        pytest.skip("LibreOffice Writer is not installed (apt-get install libreoffice-writer-nogui)")
    for key in DOCUMENTS:
        done = subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                               "--convert-to", "txt:Text", "--outdir", str(tmp_path), str(example / "files" / f"{key}.docx")],
                              capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        text = (tmp_path / f"{key}.txt").read_text(encoding="utf-8-sig")
        for article in articles(key):
            assert article.label in text and first_words(article) in text, article.id


# -- PDF ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", DOCUMENTS)
def test_the_pdf_is_tagged_a4_and_its_text_holds_every_article(example: Path, key: str) -> None:
    import pypdf

    reader = pypdf.PdfReader(str(example / "files" / f"{key}.pdf"))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/Lang"] == "ja" and root["/MarkInfo"]["/Marked"]
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    for article in articles(key):
        assert re.sub(r"\s+", "", first_words(article)) in text, article.id
        assert re.sub(r"\s+", "", f"（{article.title}）") in text, article.id
    assert f"- {len(reader.pages)} -".replace(" ", "") in text  # the page number on the last page


# -- the site -----------------------------------------------------------------------------------------------


def test_the_site_holds_every_article_with_its_anchor_and_trace_and_loads_nothing_from_elsewhere(example: Path) -> None:
    pages = {p: BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser") for p in example.rglob("*.html")}
    found = {}
    for page, soup in pages.items():
        assert soup.html["lang"] == "ja"
        for tag in soup.find_all(["script", "img", "link", "iframe"]):
            url = tag.get("src") or tag.get("href") or ""
            assert not re.match(r"^(https?:)?//", url), (page, url)
        for heading in soup.select("section[id]"):
            found[heading["id"]] = (page, heading)
    for article in POLICY.articles():
        page, section = found[article.id.lower()]
        heading = section.find(re.compile("^h[1-6]$")).get_text(strip=True).rstrip("¶#")
        assert heading == f"{article.label}（{article.title}）"
        body = section.get_text(" ", strip=True)
        assert first_words(article).replace(" ", "") in body.replace(" ", "")
        assert "【対応】" in body


def test_the_site_search_has_every_article(example: Path) -> None:
    searched = "".join(p.read_text(encoding="utf-8") for p in (example / "_static" / "search").glob("*.js"))
    for article in POLICY.articles():
        assert article.title in searched or article.title.replace(" ", "") in searched, article.id


def test_the_differences_page_lists_every_change_with_its_reason(example: Path) -> None:
    text = BeautifulSoup((example / "differences.html").read_text(encoding="utf-8"), "html.parser").get_text(" ")
    for item_id, reason in PROFILE.omitted.items():
        assert item_id in text and reason in text
    for item_id, rewording in PROFILE.reworded.items():
        assert item_id in text and rewording.reason in text
    for value in PROFILE.values.values():
        assert value in text
    assert "［変更部分：" in text  # the changed passages are marked for screen readers too


# -- the 自己点検 workbook -----------------------------------------------------------------------------------


def test_the_blank_workbook_has_a_row_per_article_restricted_answers_and_locked_keys(example: Path) -> None:
    from openpyxl import load_workbook

    book = load_workbook(example / "files" / "self-assessment.xlsx")
    expected = rows(POLICY)
    got = []
    for sheet in book.worksheets[1:]:
        assert sheet.protection.sheet
        validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
        answers = next(v for ref, v in validations.items() if ref.startswith("E2"))
        assert answers.type == "list" and answers.formula1 == '"' + ",".join(ANSWERS) + '"'
        assert any(v.type == "date" for v in validations.values())
        assert sheet["E2"].protection.locked is False and sheet["A2"].protection.locked is not False
        got += [(sheet.title, sheet.cell(r, 1).value, sheet.cell(r, 4).value) for r in range(2, sheet.max_row + 1)]
    assert got == [(r.sheet, r.article.id, r.question) for r in expected]
    info = {row[0]: row[1] for row in book["説明"].iter_rows(values_only=True)}
    assert book["説明"]["A2"].value == "団体" and book["説明"]["A4"].value == "版"  # the cells the reader names
    assert info["版"] == "h27-03" and info["団体"] == "架空町" and info["プロファイル"] == "example-town.yaml"


def test_the_filled_example_round_trips(example: Path) -> None:
    import yaml

    answers = read_answers(POLICY, example / "files" / "self-assessment-filled.xlsx")
    given = yaml.safe_load((ROOT / "profiles" / "example-town-answers.yaml").read_text(encoding="utf-8"))
    for key, spec in given["回答"].items():
        assert answers.by_key[key].answer == (spec["回答"] or UNANSWERED)
        assert answers.by_key[key].note == spec.get("備考", "")
        if "期限" in spec:
            assert answers.by_key[key].due_text == str(spec["期限"])
    others = [a for k, a in answers.by_key.items() if k not in given["回答"]]
    assert others and all(a.answer == given["既定"] for a in others)
    assert len(answers.by_key) == len(rows(POLICY))


def mangled(example: Path, tmp_path: Path, change) -> Path:
    from openpyxl import load_workbook

    book = load_workbook(example / "files" / "self-assessment-filled.xlsx")
    change(book)
    path = tmp_path / "bad.xlsx"
    book.save(path)
    return path


CHAPTER5 = "第5章 人的セキュリティ"


def swap(sheet, first: int, second: int) -> None:
    """Swap two rows' values, as sorting the sheet would."""
    for col in range(1, 10):
        a, b = sheet.cell(first, col), sheet.cell(second, col)
        a.value, b.value = b.value, a.value


@pytest.mark.parametrize(("change", "where", "words"), [
    (lambda b: b["説明"].__setitem__("B4", "h28-08"), "説明!B4", "版「h28-08」のワークブックですが、このプロファイルは版「h27-03」を採用しています"),
    (lambda b: b["説明"].__setitem__("B2", "仮想市"), "説明!B2", "「仮想市」のワークブックで"),
    (lambda b: b[CHAPTER5].__setitem__("D3", "書き換えた問い"), f"{CHAPTER5}!D3", "書き換えられています"),
    (lambda b: b[CHAPTER5].__setitem__("E4", "済"), f"{CHAPTER5}!E4", "回答「済」は選べる回答ではありません"),
    (lambda b: b[CHAPTER5].__setitem__("H5", "来年度"), f"{CHAPTER5}!H5", "期限「来年度」は日付として読めません"),
    (lambda b: b[CHAPTER5].delete_rows(6), f"{CHAPTER5}!A6", "の行が削除されています"),
    (lambda b: b[CHAPTER5].insert_rows(6), f"{CHAPTER5}!A6", "6 行目が空です。行が挿入されたか"),
    (lambda b: swap(b[CHAPTER5], 6, 7), f"{CHAPTER5}!A6", "は 7 行目にあります。行が並べ替えられたか"),
    (lambda b: b.remove(b[CHAPTER5]), f"{CHAPTER5}!A1", "このシートがありません"),
    (lambda b: b[CHAPTER5].append(["STD-5-9-9", "第999条", "足した行", "問い？", "実施"]), f"{CHAPTER5}!A", "最後の条の後に行が加えられています"),
    (lambda b: b[CHAPTER5].merge_cells("E6:E8"), f"{CHAPTER5}!E6:E8", "セルが結合されています"),
])
def test_a_bad_workbook_is_refused_at_its_sheet_and_cell(example: Path, tmp_path: Path, change, where: str, words: str) -> None:
    with pytest.raises(WorkbookError) as error:
        read_answers(POLICY, mangled(example, tmp_path, change))
    assert any(f": {where}" in line and words in line for line in error.value.lines()), error.value.lines()


def test_a_removed_row_is_one_message_not_one_per_row_after_it(example: Path, tmp_path: Path) -> None:
    with pytest.raises(WorkbookError) as error:
        read_answers(POLICY, mangled(example, tmp_path, lambda b: b[CHAPTER5].delete_rows(3)))
    assert len(error.value.problems) == 1


def test_a_changed_question_says_where_it_differs(example: Path, tmp_path: Path) -> None:
    def change(book) -> None:
        cell = book[CHAPTER5]["D3"]
        cell.value = cell.value.replace("職員等", "職員", 1)

    with pytest.raises(WorkbookError) as error:
        read_answers(POLICY, mangled(example, tmp_path, change))
    (line,) = error.value.lines()
    assert f"{CHAPTER5}!D3: 書き換えられています。「" in line and "」となっていますが、作成時は「" in line


@pytest.mark.parametrize("name", ["x.xlsx", "x.xls", "x.ods", "x.csv"])
def test_a_file_that_is_no_workbook_is_refused(example: Path, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name == "x.xlsx":
        path.write_text("回答", encoding="utf-8")
    else:  # a real workbook saved under another format's name, as a wrong "save as" leaves it
        path.write_bytes((example / "files" / "self-assessment-filled.xlsx").read_bytes())
    with pytest.raises(WorkbookError, match="XLSX のワークブックとして読めません"):
        read_answers(POLICY, path)


def test_make_self_assessment_finds_the_profile_the_workbook_names_and_reports_problems(example: Path, tmp_path: Path) -> None:
    bad = mangled(example, tmp_path, lambda b: b[CHAPTER5].__setitem__("E4", "済"))
    done = subprocess.run([sys.executable, "-m", "municipal_policy", "self-assessment", "--input", str(bad),
                           "--out", str(tmp_path / "out")], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT / "_ext")},
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert f"bad.xlsx: {CHAPTER5}!E4: 回答「済」は選べる回答ではありません" in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_profile_with_problems_builds_nothing_and_says_where(tmp_path: Path) -> None:
    profile = tmp_path / "bad.yaml"
    profile.write_text((ROOT / "profiles" / "example-town.yaml").read_text(encoding="utf-8")
                       .replace("  ciso-post: 副町長\n", ""), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "municipal_policy", "policy", "--profile", str(profile),
                           "--out", str(tmp_path / "out")], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT / "_ext")},
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert re.search(r"bad\.yaml:\d+: 団体で定める事項に ciso-post（", done.stderr)
    assert not (tmp_path / "out").exists()


def test_an_answers_file_mistake_is_reported_at_its_line(tmp_path: Path) -> None:
    import datetime as dt

    from trace_model.self_assessment import fill_workbook

    path = tmp_path / "answers.yaml"
    path.write_text("既定: 実施\n回答:\n  STD-2-1-2:\n    回答: 済\n  STD-9-9-9: 実施\n  STD-3-2-2:\n    期限: 来年\n",
                    encoding="utf-8")
    with pytest.raises(WorkbookError) as error:
        fill_workbook(POLICY, path, built=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    assert error.value.lines() == [
        f"{path}:3: 回答「済」は 実施、一部実施、未実施、該当なし のどれでもありません。",
        f"{path}:5: 「STD-9-9-9」はワークブックの行のキーではありません。（「STD-9-3-2」の誤りではありませんか。）",
        f"{path}:6: 期限「来年」は日付として読めません（2027-03-31 の形）。",
    ]
