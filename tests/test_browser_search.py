"""The site search in Chromium (guideline_site.site_search): every page that holds what the reader types,
and only those, over HTTP and from disk; numbers and IDs; variant spellings; 「もしかして」; results that open
the place that matched, the guideline's own text first."""

from __future__ import annotations

from pathlib import Path

import pytest
from search_quality import TYPOS_FILE, load_terms, measure, search, suggestion

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


def results(page: object) -> list[str]:
    """The links of the search results, in order (each page's best place)."""
    return page.locator("#search-results > li > a").evaluate_all("links => links.map(a => a.getAttribute('href'))")  # type: ignore[attr-defined,no-any-return]


def test_search_from_disk_finds_what_it_finds_over_http(page, served_site, site) -> None:
    """A copy of the site opened from disk (file://) is searched as the served site is: no fetch to refuse."""
    _, outdir = site
    for query in ["公衆無線LAN", "4.1.1", "スマホ", "クラウド 再委託"]:
        over_http, _ = search(page, served_site, query)
        from_disk, marks = search(page, Path(outdir).as_uri(), query)
        assert from_disk == over_http and from_disk and marks >= 1, query


def test_numbers_and_ids_are_found_as_whole_words(page, served_site) -> None:
    found, _ = search(page, served_site, "REQ-CLOUD-001")
    # its definition first; then the 例文 that realise it, the catalogs' back-links, the chain figure's text
    assert results(page)[0] == "./source/themes/01-cloud.html#REQ-CLOUD-001"
    assert "source/standards/08-external-services" in found
    found, _ = search(page, served_site, "A.15.1.2")
    assert "traceability/iso2013" in found
    found, _ = search(page, served_site, "4.1")
    assert "source/standards/04-physical" in found  # the heading 4.1 サーバ等の管理
    # that every page found holds 4.1 as a whole word (not inside 14.1 or 4.1.1) is checked on the
    # term list (tests/data/search-terms.txt holds 4.1 and 4.1.1)


def test_a_variant_spelling_finds_the_sites_word_and_says_so(page, served_site) -> None:
    found, marks = search(page, served_site, "スマホ")
    assert "source/themes/05-byod" in found and marks >= 1
    assert "「スマホ」を「スマートフォン」としても探しました。" in page.locator("#search-status").inner_text()


def test_each_typo_is_answered_with_the_word_of_the_site_it_was_meant_to_be(page, served_site) -> None:
    pairs = load_terms(TYPOS_FILE)
    assert len(pairs) >= 10
    answers = [suggestion(page, served_site, query) for query, _ in pairs]
    assert [(query, shown) for (query, _), (_, shown) in zip(pairs, answers, strict=True)] == pairs
    assert all(found == set() for found, _ in answers)
    # the suggestion is a link that runs the search again
    page.locator("#search-suggestion a").click()
    page.wait_for_function("document.body.dataset.searchState === 'done'")
    assert len(results(page)) >= 1


def test_a_result_opens_the_place_that_matched_and_the_guideline_comes_before_the_catalogs(page, served_site) -> None:
    search(page, served_site, "vpn")
    links = results(page)
    assert links[0].startswith("./source/themes/04-network.html#")  # ④ the VPN chapter first
    catalogs = [i for i, link in enumerate(links) if link.startswith("./traceability/")]
    guideline = [i for i, link in enumerate(links) if link.startswith("./source/")]
    assert guideline and (not catalogs or max(guideline) < min(catalogs))
    # the anchor exists on the page it opens
    page.goto(f"{served_site}/{links[0]}")
    anchor = links[0].split("#", 1)[1]
    from urllib.parse import unquote

    assert page.evaluate("id => document.getElementById(id) !== null", unquote(anchor))


def test_a_municipal_policy_site_has_the_same_search(page, served_site) -> None:
    """The example town's policy site (make policy) is searched as the guideline is: its own articles, the
    place that matched, and nothing of the guideline's."""
    base = f"{served_site}/municipal/example-town"
    found, marks = search(page, base, "遠隔地")
    assert found == {"standards/06", "differences"} and marks >= 1  # its own addition, and the 相違 list naming it
    assert any(href.endswith("standards/06.html#kaku-1") for href in results(page))
    found, _ = search(page, base, "副町長")
    assert "standards/02" in found
    assert page.foreign_requests == []
