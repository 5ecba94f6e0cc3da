"""The accessibility page: the site's test results in the JIS X 8341-3:2016 試験結果 form (issue #13).

Public bodies in Japan publish, for their web sites, a ウェブアクセシビリティ方針 and the 試験結果 that
back it: the pages tested (対象ページ), each 達成基準 with its level, whether it applies, and the result.
This module builds that table at every build from two files:

* ``a11y_criteria`` (``source/accessibility/criteria.yaml``): the 38 達成基準 of JIS X 8341-3:2016 at
  levels A and AA (the same numbers as WCAG 2.0), and, marked with their ``edition``, the WCAG 2.1 / 2.2
  criteria the site's tests also check; an editor's ``not_applicable`` reason where one does not apply.
* ``a11y_results`` (``source/accessibility/results.json``): what the last complete browser test run found
  (written by ``tests/a11y_record.py`` at the end of ``make test``): the date, the commit, Chromium's and
  axe-core's versions, the pages axe-core checked, and per 達成基準 the axe-core rules and the project's
  own tests with their outcomes.

A 達成基準's result (:func:`verdict`) says only what the tests found; an automated test cannot judge most
criteria whole, so none is called 適合 here. The directive ``{accessibility-results}`` renders the page's
tables; every page's footer links to the page (:func:`add_footer_link`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from trace_model.warnings import check_subtype

__version__ = "1.0.0"

#: The warning for a problem in either file (trace.accessibility-results).
RESULTS_WARNING = check_subtype("accessibility-results")

#: The results file's format; :func:`load_results` refuses another.
RESULTS_SCHEMA = 1

#: verdict code -> (mark, Japanese wording) shown in the table.
VERDICTS: dict[str, tuple[str, str]] = {
    "failed": ("×", "問題あり"),
    "passed": ("○", "自動試験で問題なし"),
    "incomplete": ("△", "要確認"),
    "not-applicable": ("－", "適用なし"),
    "untested": ("未", "未試験"),
}


#: The success criteria of JIS X 8341-3:2016 at levels A and AA, with their level: the same numbers and
#: levels as WCAG 2.0 (W3C Recommendation, 11 December 2008), which the JIS standard adopts. The criteria
#: file must list exactly these without an ``edition`` (a later WCAG's criteria carry theirs).
JIS_X_8341_3_2016: dict[str, str] = {
    **dict.fromkeys(["1.1.1", "1.2.1", "1.2.2", "1.2.3", "1.3.1", "1.3.2", "1.3.3", "1.4.1", "1.4.2", "2.1.1",
                     "2.1.2", "2.2.1", "2.2.2", "2.3.1", "2.4.1", "2.4.2", "2.4.3", "2.4.4", "3.1.1", "3.2.1",
                     "3.2.2", "3.3.1", "3.3.2", "4.1.1", "4.1.2"], "A"),
    **dict.fromkeys(["1.2.4", "1.2.5", "1.4.3", "1.4.4", "1.4.5", "2.4.5", "2.4.6", "2.4.7", "3.1.2", "3.2.3",
                     "3.2.4", "3.3.3", "3.3.4"], "AA"),
}


@dataclass(frozen=True)
class Criterion:
    """One 達成基準: ``number`` ("1.4.3"), ``level`` ("A" / "AA"), Japanese ``name``, ``edition`` (""
    for JIS X 8341-3:2016, else e.g. "WCAG 2.1"), the editor's ``not_applicable`` reason ("" if it
    applies), and its ``line`` in the criteria file."""

    number: str
    level: str
    name: str
    edition: str = ""
    not_applicable: str = ""
    line: int = 0


@dataclass
class Results:
    """The contents of a results file (see the module docstring); ``axe``: criterion number -> axe-core
    rule -> outcome ("passed" / "failed" / "incomplete") -> number of page checks; ``tests``: criterion
    number -> list of ``{"test": name, "title": …, "outcome": "passed" / "failed"}``."""

    tested_on: str
    commit: str
    environment: dict[str, str]
    pages: list[dict[str, str]]
    axe: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    tests: dict[str, list[dict[str, str]]] = field(default_factory=dict)


def load_criteria(path: Path) -> tuple[list[Criterion], list[tuple[str, str]]]:
    """The criteria file's entries and its problems as ``("file:line", message)`` pairs: an entry
    without number, level or name, an unknown key, a level other than A or AA, a number given twice."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        line = getattr(getattr(err, "problem_mark", None), "line", 0) + 1
        return [], [(f"{path}:{line}", f"the accessibility criteria file cannot be read ({err}). Fix it.")]
    if not isinstance(root, yaml.SequenceNode):
        return [], [(f"{path}:1", "the accessibility criteria file must be a list of entries "
                     "('- {number: \"1.1.1\", level: A, name: …}').")]
    keys = {"number", "level", "name", "edition", "not_applicable"}
    criteria: list[Criterion] = []
    problems: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for node in root.value:
        line = node.start_mark.line + 1
        value = yaml.safe_load(yaml.serialize(node)) if isinstance(node, yaml.MappingNode) else None
        where = f"{path}:{line}"
        if not isinstance(value, dict):
            problems.append((where, "an entry must be a mapping with number, level and name."))
            continue
        unknown = sorted(str(k) for k in value if k not in keys)
        missing = [k for k in ("number", "level", "name") if not value.get(k)]
        if unknown or missing:
            problems.append((where, f"the entry {value.get('number', '')!r} "
                             + "; ".join([f"has the key {k!r}, which an entry does not have" for k in unknown]
                                         + [f"has no {k!r}" for k in missing])
                             + f". Keys: {', '.join(sorted(keys))}."))
            continue
        number = str(value["number"])
        if str(value["level"]) not in ("A", "AA"):
            problems.append((where, f"the level of {number} is {value['level']!r}; write A or AA."))
            continue
        if number in seen:
            problems.append((where, f"{number} is also given at line {seen[number]}. Keep one entry."))
            continue
        seen[number] = line
        criteria.append(Criterion(number, str(value["level"]), str(value["name"]), str(value.get("edition") or ""),
                                  str(value.get("not_applicable") or ""), line))
    jis = {c.number: c for c in criteria if not c.edition}
    for number, level in JIS_X_8341_3_2016.items():
        if number not in jis:
            problems.append((f"{path}:1", f"{number} (level {level} of JIS X 8341-3:2016) is not listed without an "
                             "edition, so its row would be missing from the 試験結果. Add it."))
        elif jis[number].level != level:
            problems.append((f"{path}:{jis[number].line}", f"{number} is level {level} in JIS X 8341-3:2016, "
                             f"not {jis[number].level}. Correct the level."))
    for criterion in jis.values():
        if criterion.number not in JIS_X_8341_3_2016:
            problems.append((f"{path}:{criterion.line}", f"{criterion.number} is not a level A or AA criterion "
                             "of JIS X 8341-3:2016. If it is from a later WCAG, give its edition "
                             "(edition: WCAG 2.1)."))
    return criteria, problems


#: The results file's shape (JSON Schema, checked with jsonschema_rs, which sphinx-needs already uses).
#: An outcome other than these, a count that is not a whole number, a page without its address: refused,
#: so that no result is dropped or misread (a misspelt "failures" would have shown a failure as a pass).
RESULTS_SHAPE: dict[str, Any] = {
    "type": "object",
    "required": ["schema", "tested_on", "commit", "environment", "pages", "axe", "tests"],
    "additionalProperties": False,
    "properties": {
        "schema": {"const": RESULTS_SCHEMA},
        "tested_on": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "commit": {"type": "string"},
        "environment": {"type": "object", "additionalProperties": {"type": "string"}},
        "pages": {"type": "array", "items": {
            "type": "object", "required": ["url", "title"], "additionalProperties": False,
            "properties": {"url": {"type": "string", "minLength": 1}, "title": {"type": "string"}}}},
        "axe": {"type": "object", "propertyNames": {"pattern": r"^\d+\.\d+\.\d+$"}, "additionalProperties": {
            "type": "object", "additionalProperties": {
                "type": "object", "minProperties": 1, "additionalProperties": False,
                "properties": {o: {"type": "integer", "minimum": 1} for o in ("passed", "failed", "incomplete")}}}},
        "tests": {"type": "object", "propertyNames": {"pattern": r"^\d+\.\d+\.\d+$"}, "additionalProperties": {
            "type": "array", "items": {
                "type": "object", "required": ["test", "title", "outcome"], "additionalProperties": False,
                "properties": {"test": {"type": "string"}, "title": {"type": "string"},
                               "outcome": {"enum": ["passed", "failed"]}}}}},
    },
}


def _line_of(text: str, path_in_data: list[str | int]) -> int:
    """The line of the last key in ``path_in_data`` (a JSON path) in ``text``, searched from the lines of
    the keys before it; 1 if not found."""
    line = 0
    lines = text.splitlines()
    for step in path_in_data:
        if isinstance(step, int):
            continue
        found = next((i for i in range(line, len(lines)) if f'"{step}"' in lines[i]), None)
        if found is None:
            break
        line = found
    return line + 1


def load_results(path: Path) -> tuple[Results | None, list[tuple[str, str]]]:
    """The results file, or ``None`` and its problems as ``("file:line", message)`` pairs: missing,
    unreadable, not JSON, or not of :data:`RESULTS_SHAPE` (each departure at the line of its key)."""
    import jsonschema_rs

    hint = "Run the browser tests (make test, with Debian's chromium) to write it again."
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [(f"{path}:1", f"the accessibility test results file does not exist. {hint}")]
    except UnicodeDecodeError as err:
        return None, [(f"{path}:1", f"the accessibility test results file is not UTF-8 ({err.reason} at byte "
                       f"{err.start}): it may be cut short or saved in another encoding. {hint}")]
    except OSError as err:
        return None, [(f"{path}:1", f"the accessibility test results file cannot be read ({err}). {hint}")]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        return None, [(f"{path}:{err.lineno}", f"the accessibility test results file is not JSON ({err.msg}). "
                       f"{hint}")]
    errors = list(jsonschema_rs.validator_for(RESULTS_SHAPE).iter_errors(data))
    if errors:
        return None, [(f"{path}:{_line_of(text, list(e.instance_path))}",
                       "the accessibility test results file has the wrong shape at "
                       f"{'/'.join(str(p) for p in e.instance_path) or 'its top'}: {e.message}. {hint}")
                      for e in errors]
    return Results(data["tested_on"], data["commit"], data["environment"], data["pages"], data["axe"],
                   data["tests"]), []


def verdict(criterion: Criterion, results: Results) -> str:
    """The result code (a key of :data:`VERDICTS`) of ``criterion`` from ``results``: ``failed`` if an
    axe-core rule found a violation or a test of it failed; else ``incomplete`` if axe-core could not
    decide somewhere; else ``passed`` if a rule passed on a page or a test of it passed; else
    ``not-applicable`` if the editors judged so; else ``untested``."""
    rules = results.axe.get(criterion.number, {})
    tests = results.tests.get(criterion.number, [])
    if any(r.get("failed") for r in rules.values()) or any(t["outcome"] != "passed" for t in tests):
        return "failed"
    if any(r.get("incomplete") for r in rules.values()):
        return "incomplete"
    if any(r.get("passed") for r in rules.values()) or tests:
        return "passed"
    return "not-applicable" if criterion.not_applicable else "untested"


def _table(caption: str, header: Sequence[str], rows: Sequence[Sequence[nodes.Node | str]],
           widths: Sequence[int]) -> nodes.table:
    table = nodes.table(classes=["a11y-results"])
    table += nodes.title(caption, caption)
    group = nodes.tgroup(cols=len(header))
    table += group
    # the first column (the criterion's number) heads its row
    group.extend(nodes.colspec(colwidth=w, stub=1 if i == 0 else 0) for i, w in enumerate(widths))
    head = nodes.thead()
    group += head
    head += nodes.row("", *(nodes.entry("", nodes.paragraph(text=h)) for h in header))
    body = nodes.tbody()
    group += body
    for cells in rows:
        row = nodes.row()
        for cell in cells:
            content = cell if isinstance(cell, nodes.Node) else nodes.paragraph(text=cell)
            row += nodes.entry("", content)
        body += row
    return table


def _evidence(criterion: Criterion, results: Results) -> nodes.paragraph:
    rules = []
    for rule, outcomes in sorted(results.axe.get(criterion.number, {}).items()):
        counts = "、".join(f"{word} {outcomes[key]}" for key, word in
                          (("passed", "合格"), ("failed", "不合格"), ("incomplete", "判定不能")) if outcomes.get(key))
        rules.append(f"{rule}（{counts}）")
    parts = [f"axe-core の規則: {'、'.join(rules)}"] if rules else []
    tests = [f"{t['title']}（{'合格' if t['outcome'] == 'passed' else '不合格'}）"
             for t in results.tests.get(criterion.number, [])]
    if tests:
        parts.append(f"本サイトのテスト: {'、'.join(tests)}")
    if not parts and criterion.not_applicable:
        parts.append(f"編集者の判断: {criterion.not_applicable}")
    return nodes.paragraph(text="。".join(parts))


class AccessibilityResults(SphinxDirective):
    """``{accessibility-results}``: the 試験結果 from the files named by ``a11y_criteria`` and
    ``a11y_results``, as an outline of the test, the 対象ページ and the 達成基準 table. A problem in
    either file is a located ``trace.accessibility-results`` warning; the page then says the results are missing."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from guideline_trace.checks import warn

        srcdir = Path(self.env.srcdir)
        criteria_path = srcdir / self.config.a11y_criteria
        results_path = srcdir / self.config.a11y_results
        for path in (criteria_path, results_path):
            self.env.note_dependency(str(path))
        criteria, problems = load_criteria(criteria_path)
        results, more = load_results(results_path)
        for location, message in problems + more:
            warn(message, RESULTS_WARNING, location)
        if results is None:
            return [nodes.paragraph(text="試験結果のファイルがないため、試験結果を表示できません。")]
        return [*self.outline(results), self.checklist(criteria, results), *self.unlisted(criteria, results)]

    def outline(self, results: Results) -> list[nodes.Node]:
        env = results.environment
        items = [
            ("試験日", results.tested_on),
            ("試験したソース（コミット）", results.commit),
            ("試験の方法", "自動試験: ヘッドレスの {browser} で各ページを開き、axe-core {axe} の "
             "WCAG 2.0・2.1・2.2 の A・AA の規則を適用した（ライト・ダークの配色の両方）。このほか、本サイトの"
             "ブラウザのテストが、全ページのリフロー、キーボードによる移動とフォーカスの表示、画面の部品の言語などを"
             "確かめた（図の文字が 12 px 以上であることも確かめたが、これは本サイト独自の基準で、表の達成基準には"
             "含めていない）。人による試験（スクリーンリーダーでの確認など）は実施していない。"
             "根拠の欄の「合格 40」などの数は、その規則を対象ページに適用した回数（ページ × 2 つの配色）のうち、"
             "その結果になった回数。"
             .format(browser=env.get("browser", "?"), axe=env.get("axe", "?"))),
        ]
        fields = nodes.field_list()
        for name, value in items:
            fields += nodes.field("", nodes.field_name(text=name), nodes.field_body("", nodes.paragraph(text=value)))
        pages = nodes.bullet_list()
        for page in results.pages:
            ref = nodes.reference("", page.get("title") or page["url"], internal=True,
                                  refuri=self._relative(page["url"]))
            pages += nodes.list_item("", nodes.paragraph("", "", ref))
        return [fields, nodes.paragraph(text=f"axe-core で試験した対象ページ（ページの種類ごとに 1 ページ、"
                                             f"{len(results.pages)} ページ）:"), pages]

    def _relative(self, url: str) -> str:
        depth = self.env.docname.count("/")
        return "../" * depth + url

    def unlisted(self, criteria: Sequence[Criterion], results: Results) -> list[nodes.Node]:
        """The tested criteria the criteria file does not list (axe-core also tags rules with WCAG 2.1
        and AAA criteria): shown in a table of their own, so no result is dropped."""
        listed = {c.number for c in criteria}
        numbers = sorted((set(results.axe) | set(results.tests)) - listed,
                         key=lambda n: tuple(int(p) for p in n.split(".")))
        if not numbers:
            return []
        rows: list[list[nodes.Node | str]] = []
        for number in numbers:
            criterion = Criterion(number, "", "")
            mark, words = VERDICTS[verdict(criterion, results)]
            rows.append([number, f"{mark} {words}", _evidence(criterion, results)])
        return [nodes.paragraph(text="次の達成基準は上の表の対象（JIS X 8341-3:2016 の A・AA と、参考に示す WCAG 2.1・2.2 "
                                     "の基準）の外ですが、自動試験の規則が扱ったため、結果をそのまま示します。"),
                _table("一覧の外の達成基準の試験結果", ["番号", "結果", "根拠（自動試験の規則とテスト）"], rows, [10, 20, 70])]

    def checklist(self, criteria: Sequence[Criterion], results: Results) -> nodes.table:
        rows = []
        for criterion in criteria:
            code = verdict(criterion, results)
            mark, words = VERDICTS[code]
            applies = "いいえ" if criterion.not_applicable and code == "not-applicable" else "はい"
            level = criterion.level + (f"（{criterion.edition}・参考）" if criterion.edition else "")
            rows.append([criterion.number, criterion.name, level, applies, f"{mark} {words}",
                         _evidence(criterion, results)])
        table = _table("達成基準チェックリスト（JIS X 8341-3:2016、及び参考として WCAG 2.1・2.2 の追加基準）",
                       ["番号", "達成基準", "レベル", "適用", "結果", "根拠（自動試験の規則とテスト）"], rows,
                       [8, 22, 10, 6, 14, 40])
        return table


def add_footer_link(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """``html-page-context``: ``accessibility_url``, the accessibility page's address from this page, for
    the footer (see :func:`footer_html`); none if the site has no such page."""
    target = app.config.a11y_page
    if target and target in app.env.found_docs and "pathto" in context:
        context["accessibility_url"] = context["pathto"](target)


def footer_html(context: Mapping[str, Any]) -> str:
    """The footer line that links to the accessibility page (empty if the page context has no link)."""
    url = context.get("accessibility_url")
    if not url:
        return ""
    return (f'<div class="accessibility-link"><a href="{url}">ウェブアクセシビリティ方針と試験結果</a></div>')


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("a11y_criteria", "source/accessibility/criteria.yaml", "env", types=[str])
    app.add_config_value("a11y_results", "source/accessibility/results.json", "env", types=[str])
    app.add_config_value("a11y_page", "source/accessibility", "html", types=[str])
    app.add_directive("accessibility-results", AccessibilityResults)
    app.connect("html-page-context", add_footer_link)
    return {"version": __version__, "env_version": 3, "parallel_read_safe": True, "parallel_write_safe": True}
