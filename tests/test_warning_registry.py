"""One warning route: every subtype our code can emit is registered in trace_model.warnings.WARNINGS,
and README.md's error table lists exactly the registered ones."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT
from trace_model.warnings import WARNINGS, check_subtype

EXT = ROOT / "_ext"


def emitted_subtypes() -> set[str]:
    """Subtypes written in _ext/: Problem(location, "code", ...), a catalog report(line, "code", ...) or refuse("code", ...),
    warn(message, "code", ...), a view's Notice(message, "code"), check_subtype("code") and
    stop_on_problems(app, problems, "code", ...)."""
    found: set[str] = set()
    for path in sorted(EXT.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        # the location argument may be a call with nested calls: Location(str(path), node.line)
        found.update(re.findall(r'Problem\(\s*(?:[\w.]+\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)|[^",()]+),\s*"([a-z-]+)"', text))
        found.update(re.findall(r'\breport\([^",]+,\s*"([a-z-]+)"', text))
        found.update(re.findall(r'\brefuse\(\s*"([a-z-]+)"', text))  # a refused catalog row
        found.update(re.findall(r'\bwarn\(\s*(?:f?"(?:[^"\\]|\\.)*"\s*(?:\+[^,]*)?\s*)+,\s*"([a-z-]+)"', text, re.DOTALL))
        found.update(re.findall(r'\bNotice\(\s*(?:f?"(?:[^"\\]|\\.)*"\s*(?:\+[^,]*)?\s*)+,\s*"([a-z-]+)"', text, re.DOTALL))
        found.update(re.findall(r'check_subtype\("([a-z-]+)"\)', text))
        found.update(re.findall(r'stop_on_problems\([^"]*?"([a-z-]+)"', text))
    return found


def test_every_subtype_in_the_code_is_registered() -> None:
    found = emitted_subtypes()
    assert len(found) >= 30  # the scan itself works
    assert found - set(WARNINGS) == set()


def test_every_registered_subtype_is_emitted_somewhere() -> None:
    assert set(WARNINGS) - emitted_subtypes() == set()


def test_the_readme_error_table_matches_the_registry() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### エラーの意味", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `trace.")]
    documented = {code for row in rows for code in re.findall(r"`trace\.([a-z-]+)`", row.split("|")[1])}
    assert documented == set(WARNINGS)


def test_an_unregistered_subtype_is_refused() -> None:
    assert check_subtype("dangling-link") == "dangling-link"
    with pytest.raises(ValueError, match="not registered"):
        check_subtype("dangling-links")
