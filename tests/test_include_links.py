"""Links in an included requirements file resolve from that file (_ext/guideline_trace/includes.py):
the rules, and the ``include-links`` root (a file two folders away from its chapter)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from guideline_trace.includes import rebase_markdown_links, rebase_target


@pytest.mark.parametrize(("target", "expected"), [
    ("../../glossary.md#再委託", "../glossary.md#再委託"),
    ("../../index.md", "../index.md"),
    ("flow.png", "../requirements/sub/flow.png"),
    ("<../../a b.md>", "<../a b.md>"),
    ("https://www.soumu.go.jp/", "https://www.soumu.go.jp/"),
    ("mailto:info@example.org", "mailto:info@example.org"),
    ("project:glossary.md", "project:glossary.md"),
    ("#再委託", "#再委託"),
    ("/index.md", "/index.md"),
])
def test_a_target_is_rebased_only_when_it_is_a_relative_path(target: str, expected: str) -> None:
    assert rebase_target(target, "requirements/sub", "chapters") == expected


def test_links_in_code_blocks_with_a_language_stay_as_written() -> None:
    text = (
        "```{req} A\n[g](../../glossary.md)\n```\n"
        "```md\n[example](../../glossary.md)\n```\n"
        "![図](flow.png \"title\")\n"
    )
    assert rebase_markdown_links(text, "requirements/sub", "chapters") == (
        "```{req} A\n[g](../glossary.md)\n```\n"
        "```md\n[example](../../glossary.md)\n```\n"
        "![図](../requirements/sub/flow.png \"title\")\n"
    )


def test_plain_code_blocks_inline_code_and_figure_paths() -> None:
    text = (
        "```\n[plain](../../glossary.md)\n```\n"
        "see `[inline](../../glossary.md)` and [real](../../glossary.md)\n"
        "```{figure} flow.png\n:alt: 流れ\n```\n"
    )
    assert rebase_markdown_links(text, "requirements/sub", "chapters") == (
        "```\n[plain](../../glossary.md)\n```\n"
        "see `[inline](../../glossary.md)` and [real](../glossary.md)\n"
        "```{figure} ../requirements/sub/flow.png\n:alt: 流れ\n```\n"
    )


def test_what_myst_reads_as_code_stays_as_written() -> None:
    """Indented code blocks (at the top, in a list, in a 例文), literal directives and bare colon fences
    are code for MyST, so their links are not rebased; a {note} inside a 例文 is Markdown."""
    text = (
        "intro\n\n    [indented](../../a.md)\n\n"
        "- item\n\n      [in-a-list](../../a.md)\n\n"
        "````{req} A\n:id: X\n\n[g](../../a.md)\n\n    [code-in-req](../../a.md)\n\n"
        "```{note}\n[n](../../a.md)\n```\n````\n"
        "```{code-block} md\n[cb](../../a.md)\n```\n"
        ":::{note}\n[colon](../../a.md)\n:::\n"
        ":::\n[bare-colon](../../a.md)\n:::\n"
    )
    rebased = rebase_markdown_links(text, "requirements/sub", "chapters")
    assert [line for line in rebased.splitlines() if "](../a.md)" in line] == [
        "[g](../a.md)", "[n](../a.md)", "[colon](../a.md)"]
    assert sum("](../../a.md)" in line for line in rebased.splitlines()) == 5  # the code, as written


def test_the_same_folder_changes_nothing() -> None:
    assert rebase_markdown_links("[a](b.md)", "source", "source/.") == "[a](b.md)"


def test_an_included_file_links_and_shows_images_as_its_editor_wrote_them(build_root: Callable[..., object]) -> None:
    built = build_root("include-links")
    assert built.warnings == []  # type: ignore[attr-defined]
    page = (built.outdir / "chapters" / "chapter.html").read_text(encoding="utf-8")  # type: ignore[attr-defined]
    assert 'href="../glossary.html#再委託"' in page
    assert 'href="../index.html"' in page
    assert 'alt="委託の流れ"' in page and "_images/flow.png" in page


@pytest.mark.parametrize("parallel", [0, 2])
def test_myst_warnings_in_an_included_file_are_located_there_in_serial_and_parallel_reads(
    build_root: Callable[..., object], tmp_path: object, parallel: int,
) -> None:
    """MyST names the including page with the included file's line; the build names the included file,
    also when the page is read by a parallel worker (whose records the main process logs)."""
    from pathlib import Path

    from conftest import ROOTS, copy_root

    expected = (ROOTS / "myst-error-in-included-file" / "expected-warnings.txt").read_text(encoding="utf-8").split("\n")
    srcdir = copy_root("myst-error-in-included-file", Path(str(tmp_path)))
    pages = [f"p{n}" for n in range(6)]  # work for both workers
    for page in pages:
        (srcdir / f"{page}.md").write_text(f"# {page}\n", encoding="utf-8")
    index = srcdir / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("structure\n", "structure\n" + "\n".join(pages) + "\n"),
                     encoding="utf-8")
    built = build_root(srcdir, parallel=parallel)
    assert built.warnings == [line for line in expected if line]  # type: ignore[attr-defined]
