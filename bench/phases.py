"""Where a one-file incremental rebuild spends its time, page by page and event by event.

    .venv/bin/python bench/phases.py 1000          # N requirements, variant "ours" (default)
    .venv/bin/python bench/phases.py 1000 floor    # the same with stock sphinx-needs and no views

Generates the benchmark site (bench/generate.py) in a temporary folder, builds it, then
times, in one process each (wall seconds, time.perf_counter): a no-change rebuild, and a
rebuild after the benchmark's edit (one ISO link of one requirement, as ``make bench``
makes it). For the incremental build it prints each page written (resolving, translating
and search-indexing it), each Sphinx event whose handlers took 20 ms or more, and each
``build-finished`` handler (exports, needs.json, search data) that took 20 ms or more;
then the same events and handlers of the no-change rebuild. Run it on
an otherwise idle machine; the figures explain bench/RESULTS.md (bench/PROFILE.md).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from generate import write_site
from run import edit_one_requirement

BENCH = Path(__file__).resolve().parent

#: Run inside the build's process: time each page written and each slow event, then the build.
PROBE = r"""
import sys, time
import sphinx.builders as builders
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.environment import BuildEnvironment
from sphinx.events import EventManager

def timed(owner, name, label):
    original = getattr(owner, name)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            print(f"{label(args)}\t{time.perf_counter() - start:.3f}", file=sys.stderr)
    setattr(owner, name, wrapper)

timed(builders, "_write_docname", lambda a: f"page {a[0]}")
timed(BuildEnvironment, "get_and_resolve_doctree", lambda a: f"  resolve {a[1]}")
timed(StandaloneHTMLBuilder, "write_doc", lambda a: f"  translate {a[1]}")
timed(StandaloneHTMLBuilder, "index_page", lambda a: f"  index {a[1]}")
def timed_handler(callback):
    label = f"    handler {getattr(callback, '__module__', '?')}.{getattr(callback, '__qualname__', '?')}"
    def handler(*args, **kwargs):
        start = time.perf_counter()
        try:
            return callback(*args, **kwargs)
        finally:
            spent = time.perf_counter() - start
            if spent >= 0.02:
                print(f"{label}\t{spent:.3f}", file=sys.stderr)
    return handler
emit = EventManager.emit
def timed_emit(self, name, *args, **kwargs):
    start = time.perf_counter()
    original = self.listeners[name]
    if name == "build-finished":  # each handler timed, for this call only (handlers stay as registered)
        self.listeners[name] = [l._replace(handler=timed_handler(l.handler)) for l in original]
    try:
        return emit(self, name, *args, **kwargs)
    finally:
        self.listeners[name] = original
        spent = time.perf_counter() - start
        if spent >= 0.02:
            print(f"event {name}\t{spent:.3f}", file=sys.stderr)
EventManager.emit = timed_emit
from sphinx.cmd.build import main
start = time.perf_counter()
code = main(sys.argv[1:])
print(f"total\t{time.perf_counter() - start:.3f}", file=sys.stderr)
sys.exit(code)
"""


def build(src: Path) -> list[str]:
    """One build of ``src`` in a fresh process; the probe's lines."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, "-b", "html", "-q", str(src), str(src / "_build" / "html"),
         "-d", str(src / "_build" / "doctrees")],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"build failed:\n{result.stderr[-3000:]}")
    return [line for line in result.stderr.splitlines() if "\t" in line]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    variant = sys.argv[2] if len(sys.argv) > 2 else "ours"
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, "site")
        pages = write_site(n, variant, src)
        build(src)
        nochange = build(src)
        edit_one_requirement(src, pages[0])
        incremental = build(src)
    print(f"# N={n}, {variant}: one-file incremental rebuild\n")
    for line in incremental:
        name, seconds = line.split("\t")
        print(f"{seconds:>7} s  {name}")
    print(f"\nno-change rebuild: {nochange[-1].split(chr(9))[1]} s")
    for line in nochange[:-1]:
        name, seconds = line.split("\t")
        print(f"{seconds:>7} s  {name}")


if __name__ == "__main__":
    main()
