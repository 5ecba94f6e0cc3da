"""Shared fixtures: build small test sites and the real guideline site."""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sphinx.testing.util import SphinxTestApp

ROOT = Path(__file__).resolve().parents[1]
ROOTS = Path(__file__).resolve().parent / "roots"

sys.path.insert(0, str(ROOT / "_ext"))
os.environ["GUIDELINE_CONF"] = str(ROOT / "conf.py")

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def normalise_warnings(text: str, srcdir: Path) -> list[str]:
    """Warnings as ``file:line: message [type.subtype]``, paths relative to the site."""
    lines = []
    for raw in _ANSI.sub("", text).splitlines():
        line = raw.replace(str(srcdir) + os.sep, "").replace(str(srcdir), "")
        line = line.replace(": WARNING: ", ": ").replace("WARNING: ", "")
        if line.strip():
            lines.append(line)
    return lines


def copy_root(name: str, dest: Path) -> Path:
    """Lay out test root ``name``: the shared files, then the root's own over them."""
    srcdir = dest / name
    shutil.copytree(ROOTS / "_shared", srcdir)
    shutil.copytree(ROOTS / name, srcdir, dirs_exist_ok=True)
    (srcdir / "expected-warnings.txt").unlink(missing_ok=True)
    return srcdir


class Built:
    """A finished test build: the app, its source and output folders, and its warnings."""

    def __init__(self, app: SphinxTestApp, srcdir: Path) -> None:
        self.app = app
        self.srcdir = srcdir
        self.outdir = Path(app.outdir)
        self.warnings = normalise_warnings(app.warning.getvalue(), srcdir)


@pytest.fixture
def build_root(tmp_path: Path) -> Iterator[Callable[..., Built]]:
    """Build a test root (by name, or an already laid-out folder) with the html builder."""
    apps: list[SphinxTestApp] = []

    def build(root: str | Path, *, parallel: int = 0, **confoverrides: object) -> Built:
        srcdir = copy_root(root, tmp_path) if isinstance(root, str) else root
        app = SphinxTestApp(
            "html", srcdir=srcdir, builddir=srcdir / "_build",
            confoverrides=confoverrides or None, parallel=parallel,
        )
        apps.append(app)
        app.build()
        return Built(app, srcdir)

    yield build
    for app in apps:
        app.cleanup()
