"""Build modes are equal: an incremental build after edits, a parallel build and a clean one
write the same bytes; two clean builds of the same sources are byte-identical."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import EXAMPLE_OFF, copy_site, sphinx_build

pytestmark = pytest.mark.site

# Build bookkeeping that is not part of the site.
IGNORED = {".buildinfo"}


def site_files(outdir: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(outdir)): p.read_bytes()
        for p in sorted(outdir.rglob("*"))
        if p.is_file() and ".doctrees" not in p.parts and p.name not in IGNORED
    }


def assert_same_site(left: Path, right: Path, *, incremental: bool = False) -> None:
    """Every file equal. An incremental build may also keep images of earlier builds
    (Sphinx never deletes output files), but only ones no page refers to."""
    a, b = site_files(left), site_files(right)
    extra = sorted(set(a) - set(b))
    if incremental:
        pages = b"".join(data for name, data in a.items() if name.endswith(".html"))
        assert all(name.startswith("_images/") and Path(name).name.encode() not in pages for name in extra), extra
    else:
        assert extra == []
    assert sorted(set(b) - set(a)) == []
    differing = [name for name in b if a[name] != b[name]]
    assert differing == []


#: The edits here add links no editor has reviewed yet (make restamp), which the suspect-link check would
#: report; these tests are about what an incremental build writes, so that check is off in them. Its own
#: incremental behaviour is tested in tests/test_editions.py, which builds one output folder again after
#: each change and asserts the exact warnings.
NO_STAMPS = ("-D", "trace_stamps_file=")


def build(src: Path, out: Path, *extra: str) -> None:
    result = sphinx_build(src, out, "-d", str(out / ".doctrees"), *NO_STAMPS, *extra)
    assert result.returncode == 0, result.stderr


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def coverage_row(out: Path, standard: str, number: str) -> dict[str, str]:
    raw = (out / "exports" / f"{standard}-coverage.csv").read_bytes().decode("utf-8-sig")
    # a CSV gives each printed number with its name, as one heading (5.10 is not read as 5.1)
    return next(r for r in csv.DictReader(io.StringIO(raw)) if r["管理策の見出し（番号と名称）"].split(" ")[0] == number)


NEW_EXAMPLE = """

```{measure} 試験用に追加した例文
:id: STD-8-3-99
:source: added
:nisc: NISC-4-1-3
:nisc_reason: NISC-4-1-3: 試験のための理由
:iso: ISO-A-14-1-3
:iso_reason: ISO-A-14-1-3: 試験のための理由
:iso22: ISO22-8-26
:iso22_reason: ISO22-8-26: 試験のための理由
:check: 試験のための措置を講じていますか。

情報セキュリティ管理者は、試験のための措置を講じなければならない。

**【解説】**

試験用の解説。
```
"""
EXTERNAL = ("requirements", "standards", "08-external-services.md")


def edit_iso_link(src: Path) -> None:
    """STD-8-1-6 rests on A.14.2.8 instead of A.14.2.9 (both stay covered by other 例文)."""
    external = src.joinpath(*EXTERNAL)
    edit(external, ":iso: ISO-A-14-2-7, ISO-A-14-2-9", ":iso: ISO-A-14-2-7, ISO-A-14-2-8")
    edit(external, "ISO-A-14-2-9: ", "ISO-A-14-2-8: ")


def apply_edits(src: Path) -> None:
    """Edit one 例文 item's ISO link, add a 例文 item, delete another."""
    edit_iso_link(src)
    external = src.joinpath(*EXTERNAL)
    # STD-8-3-8 is referred to nowhere else, and REQ-SNS-004 stays realised by STD-8-3-7
    text = external.read_text(encoding="utf-8")
    start = text.rindex("```{measure}", 0, text.index(":id: STD-8-3-8"))
    end = text.index("\n```\n", start) + 5
    external.write_text(text[:start] + text[end:] + NEW_EXAMPLE, encoding="utf-8")


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_site(tmp_path_factory.mktemp("modes") / "src")


def test_incremental_build_after_edits_equals_a_clean_build(sources: Path, tmp_path: Path) -> None:
    import shutil

    src = tmp_path / "src"  # edited in place: Sphinx keeps its environment only for the same folder
    shutil.copytree(sources, src)
    out2 = tmp_path / "incremental"
    build(src, out2)
    assert "STD-8-1-6" not in coverage_row(out2, "iso", "A.14.2.8")["対応例文"]
    before_xlsx = (out2 / "exports" / "traceability.xlsx").read_bytes()

    apply_edits(src)
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-d", str(out2 / ".doctrees"),
         *NO_STAMPS, *EXAMPLE_OFF, str(src), str(out2)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "loading pickled environment..." in result.stdout and "[new config]" not in result.stdout
    clean = tmp_path / "clean"
    build(src, clean)

    assert "STD-8-1-6" in coverage_row(out2, "iso", "A.14.2.8")["対応例文"]
    assert "STD-8-1-6" not in coverage_row(out2, "iso", "A.14.2.9")["対応例文"]
    assert "STD-8-3-99" in coverage_row(out2, "iso", "A.14.1.3")["対応例文"]
    assert (out2 / "exports" / "traceability.xlsx").read_bytes() != before_xlsx
    page = (out2 / "traceability" / "iso2013-coverage.html").read_text(encoding="utf-8")
    assert "STD-8-3-8" not in page and "STD-8-3-99" in page
    catalog = (out2 / "traceability" / "iso2013.html").read_text(encoding="utf-8")
    assert re.search(r'id="ISO-A-14-2-8".*?STD-8-1-6', catalog, re.DOTALL)
    assert_same_site(out2, clean, incremental=True)


def test_parallel_build_equals_a_serial_build(sources: Path, tmp_path: Path) -> None:
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    build(sources, serial)
    build(sources, parallel, "-j", "2")
    assert_same_site(serial, parallel)


def test_two_clean_builds_at_different_times_are_byte_identical(sources: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    build(sources, first)
    time.sleep(1.1)  # a time stamp taken from the clock would now differ
    build(sources, second)
    assert_same_site(first, second)


def test_an_iso_edit_rewrites_only_the_views_that_show_it(sources: Path, tmp_path: Path) -> None:
    """Each view page is written again only when what it shows changed, and the result equals a clean build."""
    import shutil

    src = tmp_path / "src"  # edited in place: an editor's incremental build
    shutil.copytree(sources, src)
    out = tmp_path / "out"
    build(src, out)
    views = ["nisc-coverage", "iso2013-coverage", "iso2022-coverage", "soa", "soa-nisc", "requirements"]
    written = {name: (out / "traceability" / f"{name}.html").stat().st_mtime_ns for name in views}
    edit_iso_link(src)
    build(src, out)
    rewritten = {name for name in views if (out / "traceability" / f"{name}.html").stat().st_mtime_ns != written[name]}
    # the NISC matrix and the NISC SoA show no ISO link; the 2022 view shows the same, because
    # 2022 control 8.29 corresponds to both A.14.2.8 and A.14.2.9 (ISO/IEC 27002:2022 Annex B)
    assert rewritten == {"iso2013-coverage", "soa", "requirements"}
    clean = tmp_path / "clean"
    build(src, clean)
    assert_same_site(out, clean, incremental=True)


def test_a_rebuild_after_a_failed_build_fails_again_with_the_same_warnings(sources: Path, tmp_path: Path) -> None:
    """Sphinx checks consistency only after reading something: a build with nothing changed must
    not pass while the problem is still in the sources."""
    import shutil

    src = tmp_path / "src"
    shutil.copytree(sources, src)
    human = src / "requirements" / "standards" / "05-human.md"
    edit(human, ":realises: REQ-BYOD-001\n", "")
    out = tmp_path / "out"
    runs = [sphinx_build(src, out, "-d", str(out / ".doctrees")) for _ in range(2)]
    assert [r.returncode for r in runs] == [1, 1]
    assert "REQ-BYOD-001: no item names this 'req'" in runs[0].stderr
    assert runs[1].stderr == runs[0].stderr
