"""Every broken input is caught, located, explained, and fails the strict build.

Each folder under ``tests/roots/`` (but ``_shared``) is a minimal site with one
kind of mistake and the exact warnings it must produce in
``expected-warnings.txt`` (``file:line: message [subtype]``; empty for a root
that must build clean).
"""

from __future__ import annotations

import pytest
from conftest import ROOTS

ROOT_NAMES = sorted(
    p.name for p in ROOTS.iterdir() if p.is_dir() and not p.name.startswith("_")
)


@pytest.mark.parametrize("root", ROOT_NAMES)
def test_root_reports_exactly_the_expected_warnings(build_root, root: str) -> None:
    expected = (ROOTS / root / "expected-warnings.txt").read_text(encoding="utf-8").splitlines()
    built = build_root(root)
    assert built.warnings == [line for line in expected if line.strip()]
