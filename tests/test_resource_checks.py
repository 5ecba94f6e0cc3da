"""Offline and accessible by construction (_ext/guideline_trace/resources.py): the rules, and conf.py
settings that would load files from another host. The page-level cases are in the
``image-problems`` root (tests/test_broken_inputs.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import copy_root
from guideline_trace.resources import is_remote, meaningful_alt


@pytest.mark.parametrize(("uri", "remote"), [
    ("https://example.org/net.png", True),
    ("http://example.org/net.png", True),
    ("//cdn.example.org/x.js", True),
    ("HTTPS://EXAMPLE.ORG/a.png", True),
    ("net.png", False),
    ("../_images/net.png", False),
    ("/_static/logo.svg", False),
    ("data:image/png;base64,iVBORw0KGgo=", False),
])
def test_remote_addresses(uri: str, remote: bool) -> None:
    assert is_remote(uri) is remote


@pytest.mark.parametrize(("alt", "ok"), [
    ("庁内ネットワークの構成", True),
    (None, False),
    ("", False),
    ("   ", False),
    ("net.png", False),
    ("net", False),
    ("images/net.png", False),
])
def test_a_text_alternative_must_say_something(alt: str | None, ok: bool) -> None:
    assert meaningful_alt(alt, "images/net.png") is ok


def test_a_script_from_another_host_stops_the_build_at_its_line(tmp_path: Path) -> None:
    src = copy_root("basic", tmp_path)
    conf = src / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8")
                    + '\nhtml_js_files = [\n    "https://cdn.example.org/widget.js",\n]\n', encoding="utf-8")
    line = conf.read_text(encoding="utf-8").splitlines().index('    "https://cdn.example.org/widget.js",') + 1
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "-q", str(src), str(tmp_path / "out")],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 2
    assert (f"conf.py:{line}: ERROR: html_js_files: https://cdn.example.org/widget.js is loaded from another "
            "host on every page") in result.stderr
