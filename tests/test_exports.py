"""Exports are deterministic: the same tables and time stamp give the same bytes."""

from __future__ import annotations

import io
import zipfile

import pytest
from trace_model.exports import DEFAULT_EPOCH, build_epoch, csv_bytes, xlsx_bytes

TABLE = (["番号", "名称", "対応率"], [["A.5.1.1", "情報セキュリティのための方針群", 0.5]])


def test_csv_is_utf8_with_bom_and_crlf() -> None:
    data = csv_bytes(TABLE)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines()[1] == "A.5.1.1,情報セキュリティのための方針群,50.0%"
    assert b"\r\n" in data


def test_xlsx_bytes_depend_only_on_the_tables_and_the_epoch() -> None:
    first = xlsx_bytes([("概要", TABLE)], DEFAULT_EPOCH)
    assert xlsx_bytes([("概要", TABLE)], DEFAULT_EPOCH) == first
    later = xlsx_bytes([("概要", TABLE)], DEFAULT_EPOCH + 86400)
    assert later != first
    book = zipfile.ZipFile(io.BytesIO(first))
    assert {info.date_time for info in book.infolist()} == {(2014, 10, 6, 0, 0, 0)}
    assert b"2014-10-06T00:00:00Z" in book.read("docProps/core.xml")


def test_source_date_epoch_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert build_epoch() == 1700000000
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert build_epoch() == DEFAULT_EPOCH


def test_xlsx_reads_back_as_a_spreadsheet() -> None:
    """The workbook opens in openpyxl with its sheets, header, frozen row, numbers and percentages."""
    from openpyxl import load_workbook

    tricky = ' <b>"A & B"</b> 前後に空白 '
    book = load_workbook(io.BytesIO(xlsx_bytes(
        [("概要", TABLE), ("要件", (["ID", "件数", "名称"], [["REQ-1", 3, tricky], ["REQ-2", None, "x\x07y"]]))],
        DEFAULT_EPOCH,
    )))
    assert book.sheetnames == ["概要", "要件"]
    summary, reqs = book["概要"], book["要件"]
    assert [c.value for c in summary[1]] == ["番号", "名称", "対応率"]
    assert all(c.font.b for c in summary[1]) and not summary["A2"].font.b
    assert summary.freeze_panes == "A2"
    assert (summary["C2"].value, summary["C2"].number_format) == (0.5, "0.0%")
    assert [[c.value for c in row] for row in reqs.iter_rows(min_row=2)] == [["REQ-1", 3, tricky], ["REQ-2", None, "xy"]]
    assert book.properties.creator == "lg-security-guideline"
