"""sphinx-needs' table widget on the requirement list, in Chromium: Japanese labels, text sorting."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.site, pytest.mark.browser]


def open_table(page: object, served_site: str) -> object:
    page.goto(f"{served_site}/traceability/requirements.html")  # type: ignore[attr-defined]
    page.wait_for_selector(".needstable-search")  # type: ignore[attr-defined]
    return page


def test_the_widget_speaks_japanese(page, served_site: str) -> None:
    open_table(page, served_site)
    labels = page.locator(".needstable-label").all_inner_texts()
    assert labels[:2] == ["絞り込み", "1ページの行数"]
    buttons = page.locator("button").all_inner_texts()
    assert "CSV" in buttons and "コピー" in buttons
    assert "件中" in page.locator(".needstable-info").inner_text()
    assert page.foreign_requests == []


def test_ids_sort_as_text_in_chromium(page, served_site: str, needs) -> None:
    # Chromium reads "REQ-001" as a date (2001-01-01): a guessed column type sorted IDs by year
    assert page.evaluate("Number.isNaN(Date.parse('REQ-001'))") is False
    open_table(page, served_site)
    page.select_option(".needstable-page-size select", "0")
    page.locator("th[data-col=id] button").click()
    shown = page.locator("tbody tr[data-need-id]").evaluate_all("rows => rows.map(r => r.dataset.needId)")
    # as text, with runs of digits compared as numbers (POL-2 before POL-10), as the widget's collator does
    expected = sorted((i for i, n in needs.items() if n["type"] in ("policy", "measure", "req", "rev")),
                      key=lambda i: [int(p) if p.isdigit() else p.casefold() for p in re.split(r"(\d+)", i)])
    assert shown == expected
    page.locator("th[data-col=id] button").click()
    descending = page.locator("tbody tr[data-need-id]").evaluate_all("rows => rows.map(r => r.dataset.needId)")
    assert descending == expected[::-1]


def test_the_filter_finds_rows_by_japanese_text(page, served_site: str) -> None:
    open_table(page, served_site)
    page.fill(".needstable-search input", "データセンター")
    page.wait_for_timeout(300)
    shown = page.locator("tbody tr[data-need-id]:visible").evaluate_all("rows => rows.map(r => r.dataset.needId)")
    assert "REQ-CLOUD-004" in shown and len(shown) < 10


def test_the_csv_button_writes_no_live_formula(page, served_site: str, tmp_path) -> None:
    """A cell that a spreadsheet would run as a formula is downloaded with a leading ' (as the exports are)."""
    import csv
    import io

    open_table(page, served_site)
    planted = ["=HYPERLINK(\"http://example.invalid\",\"x\")", "+1", "-1", "@SUM(A1)"]
    page.evaluate("""(planted) => {
        const cells = document.querySelectorAll("table.NEEDS_DATATABLES tbody tr td:nth-child(2)");
        planted.forEach((text, i) => { cells[i].textContent = text; });
    }""", planted)
    with page.expect_download() as download:
        page.locator("button.needstable-csv").click()
    path = tmp_path / "table.csv"
    download.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:5]] == ["'" + text for text in planted]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)
    assert rows[0][:2] == ["ID", "例文・要件"], "the header row and ordinary cells are written as they read"
