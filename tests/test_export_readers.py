"""The exports as reviewers' readers take them in: openpyxl, pandas and LibreOffice Calc in the Japanese locale.

Calc is used where it is installed (``.ci/run`` installs ``libreoffice-calc-nogui`` and sets
``REQUIRE_LIBREOFFICE=1``, so there a missing Calc fails instead of skipping). It reads each CSV as a user opening
it would, with the Japanese locale and "detect special numbers" on (the setting that turns ``2.1.1`` into a date),
and converts it to XLSX, which openpyxl then reads back.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Calc's CSV import: comma, double quote, UTF-8, from line 1, no column types, Japanese (1041), quoted
#: fields not forced to text, detect special numbers (dates) on
CALC_CSV_FILTER = "CSV:44,34,76,1,,1041,false,true"


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if os.environ.get("REQUIRE_LIBREOFFICE") == "1":
            pytest.fail("LibreOffice (soffice) is required here: apt-get install libreoffice-calc-nogui")
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    return found


def calc_convert(path: Path, outdir: Path, infilter: str | None = None) -> Path:
    """``path`` opened in Calc and saved as XLSX into ``outdir`` (a fresh user profile, no window)."""
    outdir.mkdir(parents=True, exist_ok=True)
    command = [soffice(), "--headless", "--norestore", f"-env:UserInstallation=file://{outdir / 'profile'}"]
    if infilter:
        command.append(f"--infilter={infilter}")
    command += ["--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(outdir), str(path)]
    subprocess.run(command, check=True, capture_output=True, timeout=180)
    converted = outdir / (path.stem + ".xlsx")
    assert converted.exists(), f"Calc wrote no {converted.name}"
    return converted


def csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def sheet_cells(path: Path) -> list[list[object]]:
    from openpyxl import load_workbook

    book = load_workbook(path)
    return [list(row) for ws in book.worksheets for row in ws.iter_rows()]


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The exports of a site whose titles and reasons start with = + - @ (test root ``formula-text``)."""
    from conftest import copy_root
    from sphinx.testing.util import SphinxTestApp

    srcdir = copy_root("formula-text", tmp_path_factory.mktemp("planted"))
    app = SphinxTestApp("html", srcdir=srcdir, builddir=srcdir / "_build")
    try:
        app.build()
        assert app.warning.getvalue() == ""
        return Path(app.outdir) / "exports"
    finally:
        app.cleanup()


def test_no_planted_formula_is_live_in_the_workbook(planted: Path) -> None:
    cells = sheet_cells(planted / "traceability.xlsx")
    assert not [c.coordinate for row in cells for c in row if c.data_type == "f"]
    title = [c for row in cells for c in row if c.value == '=HYPERLINK("http://example.invalid","開く")']
    assert title and all(c.data_type == "s" and c.quotePrefix for c in title)


def test_no_planted_formula_is_live_in_a_csv_read_by_pandas(planted: Path) -> None:
    pandas = pytest.importorskip("pandas")
    for path in sorted(planted.glob("*.csv")):
        frame = pandas.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        starts = [v for column in frame.columns for v in frame[column] if v.startswith(FORMULA_START)]
        assert starts == [], path.name
    requirements = pandas.read_csv(planted / "requirements.csv", encoding="utf-8-sig")
    assert list(requirements["ID"]) == ["STD-8-1-1", "STD-8-1-2"]
    assert list(requirements["例文・要件"]) == ["'=HYPERLINK(\"http://example.invalid\",\"開く\")", "'+81 で始まる電話番号の扱い"]


def test_no_planted_formula_is_live_after_calc_reads_each_csv(planted: Path, tmp_path: Path) -> None:
    for path in sorted(planted.glob("*.csv")):
        cells = sheet_cells(calc_convert(path, tmp_path / path.stem, CALC_CSV_FILTER))
        assert not [c.coordinate for row in cells for c in row if c.data_type == "f"], path.name
        assert not [c.value for row in cells for c in row
                    if isinstance(c.value, str) and c.value.startswith(FORMULA_START)], path.name


@pytest.mark.site
@pytest.mark.parametrize("name", ["iso22-coverage.csv", "nisc-coverage.csv", "soa-iso22.csv", "links.csv"])
def test_calc_in_japanese_reads_every_key_and_number_as_written(site, name: str, tmp_path: Path) -> None:
    """5.10 stays 5.10 (not 5.1) and 2.1.1 stays 2.1.1 (not a date): IDs and headings come back as text."""
    _, outdir = site
    written = csv_rows(outdir / "exports" / name)
    cells = sheet_cells(calc_convert(outdir / "exports" / name, tmp_path, CALC_CSV_FILTER))
    read = [["" if c.value is None else c.value for c in row] for row in cells]
    headers = written[0]
    keys = [i for i, h in enumerate(headers) if h.endswith("ID") or "見出し" in h]
    assert keys, headers
    assert len(read) == len(written)
    for got, want in zip(read[1:], written[1:], strict=True):
        for index in keys:
            assert got[index] == want[index], (name, want[index], got[index])


@pytest.mark.site
def test_calc_keeps_the_workbooks_numbers_as_text_and_its_ratios_as_ratios(site, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    _, outdir = site
    resaved = load_workbook(calc_convert(outdir / "exports" / "traceability.xlsx", tmp_path))
    numbers = [row[1] for row in resaved["ISO27001-2022"].iter_rows(min_row=2, values_only=True)]
    assert len(numbers) == len(set(numbers)) == 93 and "5.10" in numbers and "8.30" in numbers
    nisc = [row[1] for row in resaved["NISC統一基準"].iter_rows(min_row=2, values_only=True)]
    assert "2.1.1" in nisc and all(isinstance(n, str) for n in nisc)
    ratios = [row[-1] for row in resaved["概要"].iter_rows(min_row=2) if row[2].value == "全体"]
    assert all(isinstance(r.value, int | float) and 0 <= r.value <= 1 and r.number_format == "0.0%" for r in ratios)
    assert any(0 < r.value < 1 for r in ratios), "an unrounded ratio stays a fraction"


@pytest.mark.site
def test_pandas_reads_every_key_and_heading_of_every_csv_as_written(site) -> None:
    """With no options at all, as an analyst would: ID and heading columns come back exactly as written."""
    pandas = pytest.importorskip("pandas")
    _, outdir = site
    for path in sorted((outdir / "exports").glob("*.csv")):
        written = csv_rows(path)
        frame = pandas.read_csv(path, encoding="utf-8-sig")
        assert list(frame.columns) == written[0], path.name
        keys = [h for h in written[0] if h.endswith("ID") or "見出し" in h]
        assert keys, path.name
        for key in keys:
            column = written[0].index(key)
            values = ["" if isinstance(v, float) else v for v in frame[key]]  # an empty cell is NaN
            assert values == [row[column] for row in written[1:]], (path.name, key)


@pytest.mark.site
def test_pandas_reads_the_workbook_as_the_readme_says(site) -> None:
    """``pandas.read_excel`` with no options keeps every ID column of every sheet exactly (the key the README tells
    a reader to match on); with the README's ``dtype=str`` every cell of every sheet is the text openpyxl reads,
    printed numbers such as 5.10 and 2.1.1 included (without it pandas turns an all-numeric text column into floats:
    5.10 -> 5.1, as the README warns)."""
    pandas = pytest.importorskip("pandas")
    from openpyxl import load_workbook

    _, outdir = site
    path = outdir / "exports" / "traceability.xlsx"
    book = load_workbook(path)
    plain = pandas.read_excel(path, sheet_name=None)
    as_text = pandas.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False)
    assert list(plain) == list(as_text) == book.sheetnames
    checked_ids = 0
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        header = [str(h) for h in rows[0]]
        assert list(as_text[sheet.title].columns) == header, sheet.title
        for column, name in enumerate(header):
            written = ["" if row[column] is None else row[column] for row in rows[1:]]
            if all(isinstance(v, str) for v in written):
                assert list(as_text[sheet.title][name]) == written, (sheet.title, name)
            if name.endswith("ID"):
                values = ["" if isinstance(v, float) else v for v in plain[sheet.title][name]]  # empty cell: NaN
                assert values == written, (sheet.title, name)
                checked_ids += 1
    assert checked_ids >= 8
    numbers = list(as_text["ISO27001-2022"]["番号"])
    assert len(set(numbers)) == 93 and {"5.10", "8.30"} <= set(numbers)
