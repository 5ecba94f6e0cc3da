"""Every warning our extensions can give: its subtype and what it means.

All of them are Sphinx warnings (errors, for the configuration) of type ``trace``,
``trace.<subtype>``, each with the file and line the editor must change. This is
the one list of them: :func:`guideline_trace.checks.report` and :func:`guideline_trace.checks.warn`
refuse a subtype that is not here, and a test compares it with the error table in
README.md, so a new check cannot go undocumented. Pure Python (no Sphinx import).
"""

from __future__ import annotations

#: subtype -> one line on what it reports (README.md's error table says it in Japanese, with the fix).
WARNINGS: dict[str, str] = {
    # the trace between needs
    "dangling-link": "a link names an ID that no need or catalog entry has",
    "wrong-link-type": "a link names a need of a type that link may not point to",
    "wrong-link-level": "a link points to a catalog entry of the wrong level (an ISO objective, not a control)",
    "wrong-link-source": "a need has a link its type may not have",
    "missing-link": "a need lacks a link its type requires (NISC, ISO, theme ...)",
    "missing-reason": "a link to a standard has no reason, or a reason names an ID that is not linked",
    "relation": "a stated relationship (NIST IR 8477 term) names an ID that is not linked, or is not one of the four terms",
    "missing-field": "a required field is empty (source; paper_ref for source: paper)",
    "missing-backlink": "a revision point of the paper is realised by no 例文 item",
    "duplicate-link": "the same ID is linked, or given a reason, twice",
    "duplicate-id": "two places define the same ID",
    "bad-value": "a field has a value it may not have",
    "bad-id": "an ID does not follow its type's pattern or sits on another chapter's page",
    "duplicate-option": "a need directive has the same option twice (only the last would be kept)",
    "option-syntax": "a need option MyST reads as text or cannot read (wrapped value, blank line, full-width colon)",
    "unknown-option": "a need directive has an option that is neither a field nor a link (a typo)",
    "field-not-shown": "a need sets a field its type's layout does not show",
    "nested-need": "a need sits inside another need (a closing fence is missing)",
    "lost-need": "a need written in a published file did not become a need (a fence closed early)",
    "included-twice": "a requirements or catalog file is read by more than one page, or twice by one",
    "not-included": "a requirements file is included by no page (or an {include} misspells it), so its needs are not published",
    "raw-html": "raw HTML in the sources",
    # catalogs
    "catalog-unreadable": "a catalog file cannot be read",
    "catalog-encoding": "a catalog file is not UTF-8",
    "catalog-syntax": "a catalog file is not valid YAML",
    "catalog-structure": "a catalog file does not have the expected top-level shape",
    "catalog-missing-column": "a catalog row lacks a required column",
    "catalog-number": "a catalog number has the wrong form or is not quoted",
    "catalog-level": "a catalog row's level does not match its number",
    "catalog-duplicate": "two catalog rows have the same number",
    "catalog-row": "a catalog row's parent is missing, or the row cannot become a need",
    "catalog-value": "a catalog value is not allowed, or names an undefined source",
    "catalog-directive": "trace-catalog names an unknown catalog",
    # statements of applicability and views
    # the site search
    "search-variants": "the search variants file cannot be read, has a malformed entry, or names a term the site does not use",
    "soa-file": "a SoA file cannot be read or has the wrong shape, or trace-soa names a standard without one",
    "soa-unknown-control": "a SoA exclusion names a control or item that does not exist",
    "soa-excluded-but-covered": "a SoA exclusion names a control that a 例文 item addresses",
    "soa-unjustified": "a control or item is neither addressed by a 例文 item nor excluded with a reason",
    "coverage-threshold": "a coverage matrix is below its :threshold:",
    "suspect-link": "a 例文's wording or a linked entry changed since the link was reviewed, or it was never reviewed",
    "stamps-file": "the link stamps file (traceability/link-stamps.yaml) cannot be read",
    "permalink": "a page of a frozen edition has neither a page nor a redirect, so its saved URLs would break",
    "param": "a {param} role names no or an unknown parameter, sits in a 解説, or a registry entry is unused or malformed",
    "optional-citation": "a 例文 cites a 選択項目 that a body may leave out while keeping the citing 例文",
    "paragraph-reference": "a 例文 refers to a paragraph by its circled number (①の報告), which a policy renumbers",
    "policy-example": "the example town's policy, which the page for municipalities links, was not built into the output",
    "edition": "a frozen edition file (traceability/editions/<id>/edition.json) cannot be read or is inconsistent",
    "view-option": "a view directive's option names a standard, rows or threshold the view cannot show",
    "chain-target": "trace-chain names something that is not a theme or viewpoint",
    # the site as readers get it
    "image-alt": "an image or figure without a real text alternative",
    "table-caption": "a table written in the sources without a caption",
    "need-body": "a 例文 or requirement without a **【解説】** paragraph, or with no wording before it",
    "remote-resource": "an image, stylesheet or script loaded from another host",
    "accessibility-results": "the accessibility criteria or test results file is missing, unreadable or malformed",
    # conf.py
    "config": "a trace_* setting names an unknown type, field, link or standard, or has the wrong shape",
}


def check_subtype(subtype: str) -> str:
    """Return ``subtype`` if registered in :data:`WARNINGS`; raise ``ValueError`` (a bug in our code) if not."""
    if subtype not in WARNINGS:
        raise ValueError(f"warning subtype {subtype!r} is not registered in trace_model.warnings.WARNINGS")
    return subtype
