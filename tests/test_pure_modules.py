"""The pure modules import neither Sphinx nor docutils, so tools and unit tests can use them
alone: each is imported in a fresh interpreter in which importing sphinx or docutils fails."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT

PURE = sorted(
    [f"trace_model.{p.stem}" for p in (ROOT / "_ext" / "trace_model").glob("*.py") if p.stem != "__init__"]
    + ["trace_model", "guideline_trace", "guideline_trace.config", "guideline_trace.state"]
)

BLOCKER = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('sphinx', 'docutils', 'sphinx_needs', 'myst_parser'):
            raise ImportError('pure module imported ' + name)
sys.meta_path.insert(0, Block())
sys.path.insert(0, {ext!r})
import {module}
"""


@pytest.mark.parametrize("module", PURE)
def test_module_imports_without_sphinx(module: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", BLOCKER.format(ext=str(ROOT / "_ext"), module=module)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_blocker_blocks() -> None:
    """The check itself can fail: a module that imports Sphinx is refused."""
    result = subprocess.run(
        [sys.executable, "-c", BLOCKER.format(ext=str(ROOT / "_ext"), module="guideline_trace.rebuild")],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode != 0 and "pure module imported sphinx" in result.stderr
