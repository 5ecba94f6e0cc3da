"""Shared fixtures: build small test sites, serve the real site, drive Debian's Chromium.

Browser tests (marker ``browser``) use Playwright with /usr/bin/chromium (never a
browser download). Without it they are skipped with a message; with
REQUIRE_BROWSER=1 (as .ci/run sets it) they fail instead, so CI cannot pass by
skipping them.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import socketserver
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from a11y_record import RECORD
from sphinx.testing.util import SphinxTestApp

ROOT = Path(__file__).resolve().parents[1]
ROOTS = Path(__file__).resolve().parent / "roots"

sys.path.insert(0, str(ROOT / "_ext"))
os.environ["GUIDELINE_CONF"] = str(ROOT / "conf.py")

_ANSI = re.compile(r"\x1b\[[0-9;]*m")

#: The accessibility test results the site's 試験結果 page is built from (guideline_site.a11y_report).
A11Y_RESULTS = ROOT / "source" / "accessibility" / "results.json"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A test marked ``wcag`` adds its outcome to the accessibility record (a failed set-up counts)."""
    outcome = yield
    report = outcome.get_result()
    marker = item.get_closest_marker("wcag")
    if marker is None or report.skipped or (report.when != "call" and report.passed):
        return
    name = getattr(item, "originalname", item.name)
    RECORD.add_test(tuple(marker.args), name, marker.kwargs.get("title", name), report.passed)


def pytest_deselected(items: list[pytest.Item]) -> None:
    """A run that leaves out a test of a 達成基準 or an axe-core check does not rewrite the results."""
    RECORD.left_out += [i.nodeid for i in items
                        if i.get_closest_marker("wcag") or "test_no_wcag_a_or_aa_violation" in i.nodeid]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write the accessibility results after a complete browser run (tests/a11y_record.py)."""
    if RECORD.write(A11Y_RESULTS, ROOT):
        print(f"\naccessibility test results written to {A11Y_RESULTS.relative_to(ROOT)}")


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
    """Build a test root (by name, or an already laid-out folder) with the html builder (or ``buildername``)."""
    apps: list[SphinxTestApp] = []

    def build(root: str | Path, *, parallel: int = 0, buildername: str = "html", **confoverrides: object) -> Built:
        srcdir = copy_root(root, tmp_path) if isinstance(root, str) else root
        app = SphinxTestApp(
            buildername, srcdir=srcdir, builddir=srcdir / "_build",
            confoverrides=confoverrides or None, parallel=parallel,
        )
        apps.append(app)
        app.build()
        return Built(app, srcdir)

    yield build
    for app in apps:
        app.cleanup()


# -- the real site -----------------------------------------------------------------

SITE_PARTS = ["conf.py", "index.md", "source", "requirements", "traceability", "_ext", "_static"]


#: A test build does not publish the example town's policy (make html builds it first; the site fixture does
#: too, and checks the links): without it, the page for municipalities links files that are not there.
EXAMPLE_OFF = ("-D", "policy_example_check=0")


def sphinx_build(srcdir: Path, outdir: Path, *extra: str, with_example: bool = False) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q",
         *(() if with_example else EXAMPLE_OFF), *extra, str(srcdir), str(outdir)],
        capture_output=True, text=True, check=False,
    )


def build_example(outdir: Path) -> Path:
    """The example town's policy, as make html builds it, into ``outdir/municipal/example-town`` (returned)."""
    out = outdir / "municipal" / "example-town"
    filled = outdir.parent / "example-town-filled.xlsx"
    run = [sys.executable, "-m", "municipal_policy"]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "_ext")}
    for args in (["fill", "--profile", "profiles/example-town.yaml", "--answers", "profiles/example-town-answers.yaml",
                  "--out", str(filled)],
                 ["self-assessment", "--profile", "profiles/example-town.yaml", "--input", str(filled), "--out", str(out)]):
        done = subprocess.run([*run, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
    return out


def copy_site(dest: Path) -> Path:
    """A copy of the site's sources (not .venv, _build or tests)."""
    dest.mkdir(parents=True)
    for part in SITE_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / part)
    return dest


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, example: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    outdir = tmp_path_factory.mktemp("site") / "html"
    shutil.copytree(example.parent.parent, outdir)  # the example town's policy, as make html puts it there first
    return sphinx_build(ROOT, outdir, "-d", str(outdir.parent / "doctrees"), with_example=True), outdir


@pytest.fixture(scope="session")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example town's policy as make html builds it (``<html>/municipal/example-town``), built once."""
    return build_example(tmp_path_factory.mktemp("example") / "html")


@pytest.fixture(scope="session")
def needs(site: tuple[subprocess.CompletedProcess[str], Path]) -> dict[str, dict[str, Any]]:
    _, outdir = site
    data = json.loads((outdir / "needs.json").read_text(encoding="utf-8"))
    return data["versions"][data["current_version"]]["needs"]


# -- real browser ------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
# Flags this workplace's closed network needs (no background calls home).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if Path(CHROMIUM).exists():
        return
    message = f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium) to run the browser tests"
    for item in items:
        if "browser" in item.keywords:
            if os.environ.get("REQUIRE_BROWSER") == "1":
                item.fixturenames.insert(0, "_browser_required")  # fails the test
            else:
                item.add_marker(pytest.mark.skip(reason=message))


@pytest.fixture
def _browser_required() -> None:
    pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep test output clean."""


@pytest.fixture(scope="session")
def served_site(site: tuple[object, Path]) -> Iterator[str]:
    """The site built by test_site's session fixture, served over HTTP on 127.0.0.1."""
    _, outdir = site
    handler = functools.partial(_QuietHandler, directory=str(outdir))
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is not executable")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        RECORD.environment["browser"] = f"Chromium {instance.version}"
        yield instance
        instance.close()


#: A page is ready for checking once it has loaded (images, deferred scripts), its fonts are in, every
#: figure's <object> holds its loaded SVG document, every needtable has been enhanced by sphinx-needs'
#: needstable.js and, on the search page, site-search.js has finished. Waiting for this rather than for "networkidle" (no request for 500 ms) keeps
#: the browser tests independent of how busy the machine is: a CI run once timed out waiting for the network
#: to fall quiet on the requirement list.
PAGE_READY = """() => document.readyState === 'complete'
    && document.fonts.status === 'loaded'
    && [...document.querySelectorAll('table.NEEDS_DATATABLES')].every(table => table.__needstable)
    && ['done', undefined].includes(document.body.dataset.searchState)
    && [...document.querySelectorAll('object')].every(o => o.contentDocument
                                                         && o.contentDocument.readyState === 'complete')"""
#: Milliseconds a page may take to load and settle: generous, because a slow machine is not a defect.
PAGE_TIMEOUT_MS = 120_000


def open_page(page: object, url: str) -> None:
    """Load ``url`` in the Playwright ``page`` and wait until it is ready for checking (:data:`PAGE_READY`).

    Raises playwright's ``TimeoutError`` if it is not ready within :data:`PAGE_TIMEOUT_MS`."""
    page.goto(url, wait_until="load", timeout=PAGE_TIMEOUT_MS)  # type: ignore[attr-defined]
    page.wait_for_function(PAGE_READY, timeout=PAGE_TIMEOUT_MS)  # type: ignore[attr-defined]


@pytest.fixture
def page(browser: object, served_site: str) -> Iterator[object]:
    """A fresh page that may only talk to the site itself (served, or read from disk): any other host is
    blocked and recorded."""
    context = browser.new_context(locale="ja-JP")  # type: ignore[attr-defined]
    page = context.new_page()
    page.foreign_requests = []  # type: ignore[attr-defined]
    site_host = urlsplit(served_site).netloc

    def guard(route: object) -> None:
        request = route.request  # type: ignore[attr-defined]
        url = urlsplit(request.url)
        if url.scheme in ("data", "blob", "about", "file") or url.netloc == site_host:
            route.continue_()  # type: ignore[attr-defined]
        else:
            page.foreign_requests.append(request.url)  # type: ignore[attr-defined]
            route.abort()  # type: ignore[attr-defined]

    context.route("**/*", guard)
    yield page
    context.close()


# -- editions -------------------------------------------------------------------------


def resolve(outdir: Path, url: str, pages: dict[Path, tuple[set[str], str | None]] | None = None,
            ) -> tuple[Path, str] | None:
    """The page an old URL (``page.html#ID``) lands on and the anchor, following a redirect page's refresh;
    ``None`` if the page is missing or the anchor is not on it. ``pages``: a cache of the pages read (path ->
    its element IDs and its refresh target)."""
    from bs4 import BeautifulSoup

    pages = {} if pages is None else pages
    page, _, anchor = url.partition("#")
    path = outdir / page
    for _ in range(3):
        if not path.is_file():
            return None
        if path not in pages:
            soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
            refresh = soup.find("meta", attrs={"http-equiv": "refresh"})
            pages[path] = ({str(t["id"]) for t in soup.find_all(id=True)},
                           str(refresh["content"]).split("url=", 1)[1] if refresh is not None else None)
        ids, target = pages[path]
        if target is None:
            return (path, anchor) if anchor in ids else None
        path = (path.parent / target).resolve()
    return None


def old_urls(editions_dir: Path) -> list[str]:
    """``page.html#ID`` of every 例文 item of every frozen edition in ``editions_dir``."""
    from trace_model.editions import load_editions

    return [f"{item.chapter}.html#{item.id}" for edition in load_editions(editions_dir) for item in edition.items]
