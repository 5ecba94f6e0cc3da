"""Exports as reviewers' tools read them: deterministic bytes, identifiers intact, no live formula, a workbook laid out
to be filtered and printed (read back with openpyxl and pandas; LibreOffice in tests/test_matrix.py where installed)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from trace_model.exports import (
    DEFAULT_EPOCH,
    FORMULA_START,
    IMPLEMENTATION_STATES,
    Column,
    Provenance,
    Sheet,
    build_epoch,
    csv_bytes,
    neutralise,
    provenance_sheet,
    xlsx_bytes,
)

BUILT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)

SHEET = Sheet(
    "ISO27001-2022", "ISO/IEC 27001:2022 対応表",
    (Column("ID", "key"), Column("番号", "number"), Column("管理策の名称", "name", 34), Column("対応率", "ratio"),
     Column("対応例文数", "count"), Column("理由", "long"), Column("実施状況（各団体が記入）", "input")),
    (("ISO22-5-10", "5.10", "情報及びその他の関連資産の利用の許容範囲", 0.5137, 3, "=HYPERLINK(\"http://x\")", ""),
     ("NISC-2-1-1", "2.1.1", "組織・体制の整備", 1.0, 0, "-理由", "")),
    IMPLEMENTATION_STATES,
)


def rows_of(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the UTF-8 BOM to read Japanese"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_is_utf8_with_bom_and_crlf_and_joins_each_number_with_its_name() -> None:
    data = csv_bytes(SHEET)
    assert b"\r\n" in data
    rows = rows_of(data)
    assert rows[0] == ["ID", "管理策の見出し（番号と名称）", "対応率", "対応例文数", "理由"], "input columns stay in the workbook"
    assert rows[1][:4] == ["ISO22-5-10", "5.10 情報及びその他の関連資産の利用の許容範囲", "51.4%", "3"]
    assert rows[2][1] == "2.1.1 組織・体制の整備"


def test_csv_neutralises_every_cell_that_a_spreadsheet_would_run() -> None:
    rows = rows_of(csv_bytes(SHEET))
    assert rows[1][4] == "'=HYPERLINK(\"http://x\")"
    assert rows[2][4] == "'-理由"


def test_pandas_reads_the_csv_keys_and_headings_back_as_written() -> None:
    pandas = pytest.importorskip("pandas")
    frame = pandas.read_csv(io.BytesIO(csv_bytes(SHEET)), encoding="utf-8-sig")
    assert list(frame["ID"]) == ["ISO22-5-10", "NISC-2-1-1"]
    assert list(frame["管理策の見出し（番号と名称）"]) == ["5.10 情報及びその他の関連資産の利用の許容範囲", "2.1.1 組織・体制の整備"]


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=20))
def test_neutralise_leaves_no_formula_start_and_keeps_the_text(text: str) -> None:
    out = neutralise(text)
    assert not out.startswith(FORMULA_START)
    assert out in (text, "'" + text)


def test_xlsx_bytes_depend_only_on_the_sheets_and_the_build_time() -> None:
    first = xlsx_bytes([SHEET], BUILT)
    assert xlsx_bytes([SHEET], BUILT) == first
    assert xlsx_bytes([SHEET], datetime(2026, 12, 2, tzinfo=UTC)) != first
    book = zipfile.ZipFile(io.BytesIO(first))
    assert {info.date_time for info in book.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert b"2026-12-01T09:30:00Z" in book.read("docProps/core.xml")


def test_source_date_epoch_wins_over_the_commit_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert build_epoch(1600000000) == 1700000000
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert build_epoch(1600000000) == 1600000000
    assert build_epoch() == DEFAULT_EPOCH


def test_the_workbook_reads_back_laid_out_for_filtering_and_printing() -> None:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx_bytes([SHEET], BUILT)))
    ws = book["ISO27001-2022"]
    assert [c.value for c in ws[1]] == [c.header for c in SHEET.columns]
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "B2", "the header row and the key column stay in view"
    assert ws.auto_filter.ref == "A1:G3"
    assert ws.column_dimensions["C"].width == pytest.approx(34, abs=1), "names are not cut after a few characters"
    # printed numbers stay text: 5.10 is not 5.1, and 2.1.1 is not a date
    assert (ws["B2"].value, ws["B2"].data_type) == ("5.10", "s")
    assert (ws["B3"].value, ws["B3"].data_type) == ("2.1.1", "s")
    # a ratio is the unrounded fraction, shown as a percentage with one decimal
    assert (ws["D2"].value, ws["D2"].number_format) == (0.5137, "0.0%")
    # a cell that would start a formula is text with Excel's quote prefix, never a formula
    assert (ws["F2"].value, ws["F2"].data_type) == ("=HYPERLINK(\"http://x\")", "s")
    assert ws["F2"].quotePrefix
    # the 実施状況 column accepts the listed answers only
    [validation] = ws.data_validations.dataValidation
    assert validation.type == "list" and str(validation.sqref) == "G2:G3"
    assert validation.formula1 == '"' + ",".join(IMPLEMENTATION_STATES) + '"'
    # A4 landscape, one page wide, the header row on every printed page
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1), "1 is the OOXML default, which XlsxWriter leaves out"
    assert ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$1:$1"
    assert book.properties.creator == "lg-security-guideline"


def test_control_characters_are_dropped_and_markup_kept_as_text() -> None:
    from openpyxl import load_workbook

    tricky = ' <b>"A & B"</b> 前後に空白 '
    sheet = Sheet("要件", "t", (Column("ID", "key"), Column("名称")), (("REQ-1", tricky), ("REQ-2", "x\x07y")))
    ws = load_workbook(io.BytesIO(xlsx_bytes([sheet], BUILT)))["要件"]
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=2)] == [["REQ-1", tricky], ["REQ-2", "xy"]]


def test_the_provenance_sheet_names_the_edition_build_and_commit_and_every_sheet() -> None:
    provenance = Provenance("平成27年3月版", "2015-03", BUILT, "0123abc")
    sheet = provenance_sheet(provenance, [SHEET])
    values = dict(sheet.rows)
    assert values["版"] == "平成27年3月版" and values["版の日付"] == "2015-03"
    built = next(value for key, value in values.items() if key.startswith("作成日時（UTC"))
    assert built == "2026-12-01 09:30:00" and values["ソースのコミット"] == "0123abc"
    assert values["シート「ISO27001-2022」"] == SHEET.title
    assert {"定義: 対応", "定義: 全部を実施", "定義: 対応率", "定義: 関係"} <= set(values)
