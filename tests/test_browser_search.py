"""Japanese search in Chromium finds every page that holds what the reader types, and only those."""

from __future__ import annotations

from pathlib import Path

import pytest
from search_quality import load_terms, measure, search

pytestmark = [pytest.mark.site, pytest.mark.browser]


def test_the_term_list_has_at_least_40_terms_from_the_site() -> None:
    assert len(load_terms()) >= 40


def test_every_term_is_found_on_every_page_that_holds_it_and_nowhere_else(page, served_site, site) -> None:
    _, outdir = site
    results = measure(page, served_site, Path(outdir), load_terms())
    misses = [(r.query, sorted(r.expected - r.found), sorted(r.found - r.expected)) for r in results
              if r.recall < 1 or r.precision < 1]
    assert misses == []
    assert all(r.snippets_with_hit >= 1 for r in results), "each search shows the hit in a snippet"
    assert page.foreign_requests == []


def test_compounds_in_running_text_are_found_where_the_default_splitter_failed(page, served_site) -> None:
    # 公衆無線LAN in a body paragraph of ④, inside a sentence and next to a glossary link
    found, marks = search(page, served_site, "住民向けの公衆無線LAN")
    assert found == {"source/themes/04-network"} and marks == 1
    found, _ = search(page, served_site, "外部委託")
    assert {"source/themes/01-cloud", "source/themes/02-supply-chain", "source/themes/03-vendor"} <= found


def test_a_query_absent_from_the_site_finds_nothing(page, served_site) -> None:
    found, _ = search(page, served_site, "量子暗号通信")
    assert found == set()
