"""Exports are deterministic: the same tables and time stamp give the same bytes."""

from __future__ import annotations

import io
import zipfile

import pytest

from trace_exports import DEFAULT_EPOCH, build_epoch, csv_bytes, xlsx_bytes

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
