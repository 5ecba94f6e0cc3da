"""What the browser tests find about accessibility, written for the site's 試験結果 page.

The axe-core test (tests/test_browser_site.py) adds each page's result with :meth:`Record.add_axe`; a
test marked ``@pytest.mark.wcag("2.4.7", title="…")`` adds its outcome per 達成基準 through the hooks in
``conftest.py``. At the end of the session, if the axe-core test ran on every page type in both colour
schemes and no test of a 達成基準 was left out (``-k``, ``--deselect``), :meth:`Record.write` writes
``source/accessibility/results.json``; ``guideline_site.a11y_report`` builds the page from it. A partial
run leaves the file as it is.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

#: axe-core tags a rule with each WCAG success criterion it tests: ``wcag143`` is 1.4.3, ``wcag1410`` 1.4.10.
_CRITERION_TAG = re.compile(r"wcag(\d)(\d)(\d+)")

#: axe-core's result lists -> the outcome recorded.
_AXE_OUTCOMES = (("passes", "passed"), ("violations", "failed"), ("incomplete", "incomplete"))


def criterion_of(tag: str) -> str | None:
    """The success criterion number an axe-core tag names ("wcag143" -> "1.4.3"), or ``None``."""
    match = _CRITERION_TAG.fullmatch(tag)
    return ".".join(match.groups()) if match else None


@dataclass
class Record:
    """The session's findings: axe-core per criterion, rule and outcome (counts of page checks), the
    pages checked (url -> title), the marked tests per criterion (test -> title, outcome), the test
    environment, and what a complete run needs (``expected_axe_checks``, set by the axe-core test module)."""

    axe: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)
    tests: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    environment: dict[str, str] = field(default_factory=dict)
    axe_checks: int = 0
    expected_axe_checks: int = 0
    left_out: list[str] = field(default_factory=list)

    def add_axe(self, url: str, title: str, result: dict[str, Any]) -> None:
        """One page's axe-core result (``axe.run``'s object) for ``url`` (relative to the site's root)."""
        self.axe_checks += 1
        self.pages[url] = title.split(" - ")[0]  # the page's own title, without the site's name
        for key, outcome in _AXE_OUTCOMES:
            for rule in result.get(key, []):
                for criterion in filter(None, map(criterion_of, rule.get("tags", []))):
                    counts = self.axe.setdefault(criterion, {}).setdefault(rule["id"], {})
                    counts[outcome] = counts.get(outcome, 0) + 1

    def add_test(self, criteria: tuple[str, ...], test: str, title: str, passed: bool) -> None:
        """A marked test's outcome for each of its ``criteria``; one failing run of a parametrized test
        makes the test failed."""
        for criterion in criteria:
            entry = self.tests.setdefault(criterion, {}).setdefault(test, {"title": title, "outcome": "passed"})
            if not passed:
                entry["outcome"] = "failed"

    def complete(self) -> bool:
        """Whether this session ran what the results file must say: axe-core on every page type in both
        colour schemes, and every test marked with a 達成基準."""
        return bool(self.expected_axe_checks) and self.axe_checks == self.expected_axe_checks and not self.left_out

    def as_json(self, tested_on: str, commit: str) -> dict[str, Any]:
        """The results file's content (schema 1, read by ``guideline_site.a11y_report.load_results``)."""
        return {
            "schema": 1,
            "tested_on": tested_on,
            "commit": commit,
            "environment": dict(sorted(self.environment.items())),
            "pages": [{"url": url, "title": title} for url, title in self.pages.items()],
            "axe": {c: {r: dict(sorted(o.items())) for r, o in sorted(rules.items())}
                    for c, rules in sorted(self.axe.items(), key=lambda item: _number_key(item[0]))},
            "tests": {c: [{"test": t, **v} for t, v in sorted(tests.items())]
                      for c, tests in sorted(self.tests.items(), key=lambda item: _number_key(item[0]))},
        }

    def write(self, path: Path, root: Path) -> bool:
        """Write the results file if the run was :meth:`complete`; ``True`` if written."""
        if not self.complete():
            return False
        data = self.as_json(date.today().isoformat(), _commit(root, path))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return True


def _number_key(number: str) -> tuple[int, ...]:
    return tuple(int(part) for part in number.split("."))


def _commit(root: Path, results: Path) -> str:
    """The checked-out commit (short); if the work tree has other changes than the results file itself,
    「<commit> に未コミットの変更を加えた作業ツリー」 (the tests ran on those changes); "不明" outside a git
    checkout."""
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        status = subprocess.run(["git", "-C", str(root), "status", "--porcelain"], capture_output=True,
                                text=True, check=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "不明"
    own = results.relative_to(root).as_posix()
    dirty = [line for line in status if not line.endswith(own)]
    return f"{head} に未コミットの変更を加えた作業ツリー" if dirty else head


RECORD = Record()
