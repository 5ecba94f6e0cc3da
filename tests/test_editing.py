"""An editor's edits: after each, the incremental build (serial and ``-j 2``) writes the same
pages and reports the same warnings as a clean build of the same sources.

Each edit starts from the same built test root (``tests/roots/editing``: a glossary with
Japanese terms, labels, headings linked from other pages, requirements in an included
file, catalogs). The kinds of edit are the ones editors make and the ones Sphinx alone
gets wrong incrementally: a removed term or label is still linked from an unchanged page,
a renamed heading breaks a link on another page, a retitled page keeps its old title in
the other pages' links.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import copy_root, normalise_warnings

# Sphinx's own bookkeeping: the configuration digest, and its backup when that changed.
IGNORED = {".buildinfo", ".buildinfo.bak"}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def delete_block(path: Path, start: str, end: str) -> None:
    """Remove the text from ``start`` up to (not including) the next ``end`` after it."""
    text = path.read_text(encoding="utf-8")
    i = text.index(start)
    j = text.index(end, i + len(start))
    path.write_text(text[:i] + text[j:], encoding="utf-8")


def truncate_at(path: Path, start: str) -> None:
    """Remove everything from ``start`` to the end of the file."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index(start)], encoding="utf-8")


NEW_REQUIREMENT = """
```{req} 委託先の再委託を制限すること
:id: REQ-E-003
:source: added
:theme: THEME-1
:nisc: NISC-4-1-1
:iso: ISO-A-15-1-2
:iso_reason: ISO-A-15-1-2: 合意に含める要求事項であるため

自治体は再委託の条件を契約に定めること。
```
"""

MOVED = """
```{req} 委託先を監督すること
:id: REQ-E-002
:source: added
:theme: THEME-1
:nisc: NISC-4-1-2
:iso: ISO-A-15-2-1
:iso_reason: ISO-A-15-2-1: 供給者のサービス提供の監視であるため

自治体は委託先の業務を定期的に確認すること。
```
"""

#: name -> (edit, a warning a clean build of the edited sources gives, or "" for none)
EDITS: dict[str, tuple[Callable[[Path], None], str]] = {
    "add a term": (lambda s: edit(
        s / "glossary.md", "無線LAN\n  電波", "委託\n  業務を他者に任せること。\n\n無線LAN\n  電波"), ""),
    "delete a term": (lambda s: delete_block(s / "glossary.md", "再委託\n", "公衆無線LAN\n"),
                      "chapter.md:6: term not in glossary: '再委託' [ref.term]"),
    "rename a term": (lambda s: edit(s / "glossary.md", "再委託\n", "再々委託\n"),
                      "chapter.md:6: term not in glossary: '再委託' [ref.term]"),
    "rename a label": (lambda s: edit(s / "chapter.md", "(theme-3)=", "(theme-9)="),
                       "appendix.md:3: undefined label: 'theme-3' [ref.ref]"),
    "add a heading": (lambda s: edit(s / "chapter.md", "(theme-3)=", "## はじめに\n\n本章の概要。\n\n(theme-3)="), ""),
    "rename a heading": (lambda s: edit(s / "glossary.md", "## 用語の定義", "## 用語の意味"),
                         "chapter.md:9: local id not found in doc 'glossary': '用語の定義' [myst.xref_missing]"),
    "add a page": (lambda s: (
        (s / "extra.md").write_text("# 追加のページ\n\n{term}`再委託` を説明します。\n", encoding="utf-8"),
        edit(s / "index.md", "appendix\n```", "appendix\nextra\n```"),
    ), ""),
    "delete a page": (lambda s: (s / "appendix.md").unlink(),
                      "index.md:3: toctree contains reference to nonexisting document 'appendix'"),
    "retitle a page": (lambda s: edit(s / "appendix.md", "# 付録", "# 付録（参考資料）"), ""),
    "add a requirement": (lambda s: (s / "requirements" / "reqs.md").write_text(
        (s / "requirements" / "reqs.md").read_text(encoding="utf-8") + NEW_REQUIREMENT, encoding="utf-8"), ""),
    "delete a requirement": (lambda s: truncate_at(s / "requirements" / "reqs.md", "```{req} 委託先を監督すること"),
                             "chapter.md:10: linked need REQ-E-002 not found. Did you mean 'REQ-E-001'? If REQ-E-002 "
                             "was removed or renamed, change this reference to the need it should name. [needs.link_ref]"),
    "rename a requirement": (lambda s: edit(s / "requirements" / "reqs.md", ":id: REQ-E-001", ":id: REQ-E-011"), ""),
    # the page it moves to (appendix) is read before the page it leaves (chapter); chapter.md names it
    "move a requirement to another page": (lambda s: (
        (s / "appendix.md").write_text((s / "appendix.md").read_text(encoding="utf-8") + MOVED, encoding="utf-8"),
        truncate_at(s / "requirements" / "reqs.md", "```{req} 委託先を監督すること"),
    ), ""),
    "retitle a catalog entry": (lambda s: edit(
        s / "catalogs" / "iso2013.yaml", 'title_ja: "供給者関係のための情報セキュリティの方針"',
        'title_ja: "供給者関係の情報セキュリティ方針"'), ""),
    "un-include a requirements file": (lambda s: edit(s / "chapter.md", "```{include} requirements/reqs.md\n```\n", ""),
                                       "requirements/reqs.md:1: requirements/reqs.md is included by no page"),
    "include a new requirements file": (lambda s: (
        (s / "requirements" / "more.md").write_text(NEW_REQUIREMENT, encoding="utf-8"),
        edit(s / "appendix.md", "からも参照します。\n", "からも参照します。\n\n```{include} requirements/more.md\n```\n"),
    ), ""),
    "change an HTML option in conf.py": (lambda s: (s / "conf.py").write_text(
        (s / "conf.py").read_text(encoding="utf-8") + '\nhtml_title = "編集の試験（改題）"\n', encoding="utf-8"), ""),
}


def site_files(outdir: Path) -> dict[str, bytes]:
    return {
        p.relative_to(outdir).as_posix(): p.read_bytes()
        for p in sorted(outdir.rglob("*"))
        if p.is_file() and ".doctrees" not in p.parts and p.name not in IGNORED
    }


def build_logged(src: Path, out: Path, *extra: str) -> tuple[list[str], str]:
    """Build into ``out`` (doctrees inside it): the sorted, normalised warnings, and the log."""
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-d", str(out / ".doctrees"),
         *extra, str(src), str(out)],
        capture_output=True, text=True, check=False,
    )
    return sorted(normalise_warnings(result.stderr, src)), result.stdout


def build(src: Path, out: Path, *extra: str) -> list[str]:
    return build_logged(src, out, *extra)[0]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The editing root built once at ``<work>/editing``, and a pristine copy of it.

    Sphinx keeps its environment only while the source folder stays where it was
    built, so every edit is made in ``<work>`` itself, restored from the copy first.
    """
    base = tmp_path_factory.mktemp("editing")
    work = base / "work"
    src = copy_root("editing", work)
    assert build(src, work / "out") == []
    pristine = base / "pristine"
    shutil.copytree(work, pristine)  # copy2: modification times kept, so nothing looks edited
    return work, pristine


def restore(baseline: tuple[Path, Path]) -> tuple[Path, Path]:
    """The work folder as the baseline build left it: (sources, output)."""
    work, pristine = baseline
    shutil.rmtree(work)
    shutil.copytree(pristine, work)
    return work / "editing", work / "out"


@pytest.mark.parametrize("parallel", [[], ["-j", "2"]], ids=["serial", "parallel"])
@pytest.mark.parametrize("name", list(EDITS))
def test_incremental_build_after_an_edit_equals_a_clean_build(
    name: str, parallel: list[str], baseline: tuple[Path, Path]
) -> None:
    src, out = restore(baseline)
    change, expected = EDITS[name]
    change(src)

    incremental, log = build_logged(src, out, *parallel)
    # a real incremental build: on the first build's environment, reading only what changed
    assert "loading pickled environment..." in log and "[new config]" not in log, log
    clean_out = src.parent / "clean"
    clean = build(src, clean_out)

    if expected:
        assert any(expected in line for line in clean), clean
    else:
        assert clean == []
    assert incremental == clean
    assert site_files(out) == site_files(clean_out)
    # and the next build, with nothing changed, says the same again
    assert build(src, out, *parallel) == clean


def test_anchors_come_from_the_text_and_do_not_move(baseline: tuple[Path, Path], tmp_path: Path) -> None:
    """Japanese headings and terms are anchored by their text: adding a term or a heading
    before them changes no other anchor, and every link uses the text anchors."""
    base_src, base_out = baseline[1] / "editing", baseline[1] / "out"
    glossary = (base_out / "glossary.html").read_text(encoding="utf-8")
    for anchor in ("term-再委託", "term-公衆無線LAN", "term-無線LAN", "term-クラウドサービス", "用語の定義", "参考"):
        assert f'id="{anchor}"' in glossary
    chapter = (base_out / "chapter.html").read_text(encoding="utf-8")
    assert 'href="glossary.html#term-公衆無線LAN"' in chapter
    assert 'href="glossary.html#用語の定義"' in chapter
    assert '<section id="委託の終了">' in chapter

    src = tmp_path / "src"
    shutil.copytree(base_src, src)
    EDITS["add a term"][0](src)
    EDITS["add a heading"][0](src)
    out = tmp_path / "out"
    assert build(src, out) == []
    for page in ("glossary.html", "chapter.html"):
        html = (out / page).read_text(encoding="utf-8")
        before = (base_out / page).read_text(encoding="utf-8")
        old_ids = set(re.findall(r' id="([^"]+)"', before))
        new_ids = set(re.findall(r' id="([^"]+)"', html))
        assert old_ids <= new_ids, old_ids - new_ids
    assert 'id="term-委託"' in (out / "glossary.html").read_text(encoding="utf-8")
