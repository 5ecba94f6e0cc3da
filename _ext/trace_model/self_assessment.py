"""The 自己点検 workbook of a municipality's 対策基準: written blank, read back filled, and reported.

:func:`blank_workbook` writes one XLSX (XlsxWriter, through :func:`trace_model.exports.xlsx_bytes`): a sheet 説明
naming the body, the edition and the profile, then one sheet per chapter (章) with a row per article (条): its
key (the 例文's or the addition's ID), 条, 見出し, the 自己点検 question, and the columns the municipality fills in —
回答 (restricted by data validation to :data:`ANSWERS`), 根拠・証跡, 担当, 期限 (a date), 備考. The sheets are
protected so that only those columns can be edited.

:func:`read_answers` reads a filled workbook back and refuses, with the sheet and cell, a workbook of another
edition or body, a missing sheet, a changed, removed, moved or added row, an answer not in :data:`ANSWERS` and
a 期限 that is not a date; a row left unanswered is 未回答 (counted and listed, never dropped).
:func:`control_states` says, per ISO/IEC 27001 control and NISC item, whether the articles that implement it are
implemented; :func:`report_workbook` shows it as a workbook (the policy site's page:
``municipal_policy.site.report_page``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trace_model.exports import Column, Sheet, xlsx_bytes
from trace_model.policy import STANDARDS, Article, Policy, municipal_soa

#: The answers a row accepts.
ANSWERS = ("実施", "一部実施", "未実施", "該当なし")
#: A row without an answer.
UNANSWERED = "未回答"
INFO_SHEET = "説明"
COLUMNS = (
    Column("キー", "key", 13), Column("条", "number", 8), Column("見出し", "text", 24), Column("問い", "long", 60),
    Column("回答", "input", 10, ANSWERS), Column("根拠・証跡", "input", 30), Column("担当", "input", 14),
    Column("期限", "input", 12, ("date",)), Column("備考", "input", 24),
)
HEADERS = tuple(c.header for c in COLUMNS)
#: The columns (letters) of the cells read back.
KEY, ARTICLE, TITLE, QUESTION, ANSWER, EVIDENCE, OWNER, DUE, NOTE = "ABCDEFGHI"


@dataclass(frozen=True)
class Row:
    """One row of a chapter sheet: the article it asks about."""

    sheet: str
    article: Article

    @property
    def question(self) -> str:
        return self.article.check


def sheet_name(number: int, title: str) -> str:
    """A chapter's sheet: ``第3章 情報資産の分類と管理`` (31 characters at most; Excel's limit)."""
    name = f"第{number}章 {title}"
    for bad in "[]:*?/\\":
        name = name.replace(bad, "・")
    return name[:31]


def rows(policy: Policy) -> list[Row]:
    """Every row of the workbook, in order: the 対策基準's articles by chapter."""
    standards = {d.key: d for d in policy.documents}["対策基準"]
    return [Row(sheet_name(c.number, c.title), a) for c in standards.chapters for s in c.sections for a in s.articles]


def fingerprint(policy: Policy) -> str:
    """The first 12 hex digits of the SHA-256 of every row's key, 条 and question: the workbook records it."""
    text = "\n".join(f"{r.article.id}\t{r.article.label}\t{r.question}" for r in rows(policy))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def info_rows(policy: Policy, built: dt.datetime) -> list[tuple[str, str]]:
    profile = policy.profile
    return [
        ("団体", profile.name),
        ("対象", profile.standards_title),
        ("版", policy.edition.id),
        ("版の名称", f"地方公共団体における情報セキュリティポリシーに関するガイドライン（{policy.edition.title}）"),
        ("プロファイル", Path(profile.path).name),
        ("問いの指紋", fingerprint(policy)),
        ("作成", built.strftime("%Y-%m-%d %H:%M UTC")),
        ("回答", "・".join(ANSWERS) + "（空欄は未回答として扱います）"),
        ("使い方", "章ごとのシートの黄色の欄（回答、根拠・証跡、担当、期限、備考）に記入します。行を足したり消したり、"
                  "キー・条・問いを書き換えたりしないでください（読み込むときに、そのセルを示して受け付けません）。"
                  "記入したら make self-assessment INPUT=<このファイル> で結果を作ります。"),
    ]


def _sheets(policy: Policy, built: dt.datetime, answers: Mapping[str, Answer] | None = None) -> list[Sheet]:
    answers = answers or {}
    info = Sheet(INFO_SHEET, f"{policy.profile.name} 自己点検ワークブック", (Column("項目", "text", 14),
                 Column("内容", "long", 100)), tuple(info_rows(policy, built)))
    by_sheet: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows(policy):
        given = answers.get(row.article.id)
        filled = (given.answer if given and given.answer != UNANSWERED else "", given.evidence if given else "",
                  given.owner if given else "", given.due if given else None, given.note if given else "")
        by_sheet.setdefault(row.sheet, []).append(
            (row.article.id, row.article.label, row.article.title, row.question, *filled))
    return [info] + [Sheet(name, f"{policy.profile.name} 自己点検 {name}", COLUMNS, tuple(values), protected=True)
                     for name, values in by_sheet.items()]


def blank_workbook(policy: Policy, *, built: dt.datetime) -> bytes:
    """The blank 自己点検 workbook of ``policy`` (see the module); the same policy and time give the same bytes."""
    return xlsx_bytes(_sheets(policy, built), built, title=f"{policy.profile.name} 自己点検ワークブック")


# -- reading a filled workbook ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One problem of a workbook: the sheet and cell (``""`` for the file as a whole), and what to do."""

    sheet: str
    cell: str
    message: str
    #: for an answers file (YAML): the line (the sheet and cell are then empty)
    line: int = 0


class WorkbookError(ValueError):
    """A workbook (or answers file) that cannot be read: every problem, located."""

    def __init__(self, path: str, problems: Sequence[Problem]) -> None:
        self.path = path
        self.problems = list(problems)
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [f"{self.path}: {p.sheet}!{p.cell}: {p.message}" if p.sheet else
                f"{self.path}:{p.line}: {p.message}" if p.line else f"{self.path}: {p.message}" for p in self.problems]


@dataclass(frozen=True)
class Answer:
    """A row's answer: one of :data:`ANSWERS` or :data:`UNANSWERED`, with what else was filled in."""

    answer: str
    evidence: str = ""
    owner: str = ""
    due: dt.date | None = None
    note: str = ""
    sheet: str = ""
    row: int = 0

    @property
    def due_text(self) -> str:
        """The 期限 as ``2027-03-31``, or ``""``."""
        return self.due.isoformat() if self.due else ""


@dataclass(frozen=True)
class Answers:
    """The answers of a filled workbook by article key, and the sheets it has that were not read."""

    by_key: dict[str, Answer]
    ignored_sheets: tuple[str, ...] = ()
    source: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: Any) -> dt.date | str | None:
    """A 期限 cell as a date, ``None`` if empty, or the text that is not a date."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value).replace("/", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return _text(value)


def _where_differs(have: str, want: str) -> str:
    """「it reads '…X…' where the workbook made it '…Y…'」 around the first character that differs."""
    start = next((n for n, (a, b) in enumerate(zip(have, want, strict=False)) if a != b), min(len(have), len(want)))
    left = max(0, start - 8)
    return (f"「{('…' if left else '') + have[left:start + 12]}」となっていますが、作成時は"
            f"「{('…' if left else '') + want[left:start + 12]}」です")


def open_workbook(path: Path) -> Any:
    """The workbook at ``path`` (openpyxl, values as last calculated). Raises :class:`WorkbookError` for a file
    that is missing or not an XLSX workbook (an .xls, .ods or CSV file, even renamed)."""
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return load_workbook(path, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, InvalidFileException) as error:
        raise WorkbookError(str(path), [Problem("", "", f"XLSX のワークブックとして読めません（{error}）。Excel で"
                                                "「Excel ブック（.xlsx）」として保存してください（.xls、.ods、CSV は"
                                                "読めません）。")]) from None


def read_answers(policy: Policy, path: Path) -> Answers:
    """The answers in the filled workbook at ``path``, checked against ``policy`` (the profile and edition it was
    made for). Raises :class:`WorkbookError` with every problem (see the module)."""
    shown = str(path)
    book = open_workbook(path)
    problems: list[Problem] = []
    if INFO_SHEET not in book.sheetnames:
        raise WorkbookError(shown, [Problem("", "", f"シート「{INFO_SHEET}」がありません。make policy が作った"
                                            "自己点検ワークブックではありません。ポリシーのサイトのワークブックに記入してください。")])
    info = book[INFO_SHEET]
    given = {_text(info.cell(r, 1).value): (r, _text(info.cell(r, 2).value)) for r in range(1, info.max_row + 1)}
    expected = dict(info_rows(policy, dt.datetime.now(dt.UTC)))
    for label in ("団体", "版", "問いの指紋"):
        line, value = given.get(label, (0, ""))
        if value != expected[label]:
            what = {"団体": f"「{value}」のワークブックで、「{expected['団体']}」のものではありません",
                    "版": f"版「{value}」のワークブックですが、このプロファイルは版「{expected['版']}」を採用しています",
                    "問いの指紋": "別の条又は問いのために作られたワークブックです（その後にプロファイル又は版が変わりました）"}
            problems.append(Problem(INFO_SHEET, f"B{line}" if line else "A1",
                                    f"{what[label]}。make policy で新しいワークブックを作り、回答を写してください。"))
    if problems:
        raise WorkbookError(shown, problems)
    by_key: dict[str, Answer] = {}
    expected_rows: dict[str, list[Row]] = {}
    for row in rows(policy):
        expected_rows.setdefault(row.sheet, []).append(row)
    for name, wanted in expected_rows.items():
        if name not in book.sheetnames:
            problems.append(Problem(name, "A1", f"このシートがありません（{len(wanted)} 条: "
                                    f"{wanted[0].article.label}〜{wanted[-1].article.label}）。元に戻してください。"))
            continue
        sheet = book[name]
        merged = [str(r) for r in sheet.merged_cells.ranges if r.max_row >= 2]
        if merged:  # a merged cell holds its value in its first cell only: the other rows would read as empty
            problems.append(Problem(name, merged[0], f"セルが結合されています（{'、'.join(merged[:3])}）。結合を解除し、"
                                    "行ごとに回答を書いてください。"))
            continue
        for col, header in enumerate(HEADERS, 1):
            if _text(sheet.cell(1, col).value) != header:
                problems.append(Problem(name, f"{'ABCDEFGHI'[col - 1]}1", f"見出しが"
                                        f"「{_text(sheet.cell(1, col).value)}」です。「{header}」に戻してください。"))
        for number, row in enumerate(wanted, start=2):
            key = _text(sheet.cell(number, 1).value)
            if key != row.article.id:
                # one message for the first row out of place (the rows after it would all be out of place too)
                keys = [_text(sheet.cell(n, 1).value) for n in range(2, sheet.max_row + 1)]
                wanted_keys = [r.article.id for r in wanted]
                if key not in wanted_keys:
                    hint = (f"行が挿入されています。{number} 行目を削除してください" if key else
                            f"{number} 行目が空です。行が挿入されたか、キーが消されています")
                elif row.article.id in keys:
                    hint = (f"{row.article.id} は {keys.index(row.article.id) + 2} 行目にあります。行が並べ替えられたか、"
                            "移されています")
                else:
                    hint = f"{row.article.id} の行が削除されています。元に戻してください"
                problems.append(Problem(name, f"{KEY}{number}", f"ここは {row.article.id}（{row.article.label}）の"
                                        f"行のはずですが、{f'「{key}」' if key else '空の行'}があります。{hint}。行は作成時の"
                                        "ままにしてください（並べ替えはフィルターで表示だけを）。このシートのこの行から後は"
                                        "読んでいません。"))
                break
            for letter, want in ((ARTICLE, row.article.label), (QUESTION, row.question)):
                have = _text(sheet[f"{letter}{number}"].value)
                if have != want:
                    problems.append(Problem(name, f"{letter}{number}", f"書き換えられています。{_where_differs(have, want)}。"
                                            "元に戻してください（記入するのは黄色の欄だけです）。"))
            answer = _text(sheet[f"{ANSWER}{number}"].value)
            if answer and answer not in ANSWERS:
                problems.append(Problem(name, f"{ANSWER}{number}", f"回答「{answer}」は選べる回答ではありません。"
                                        f"{'、'.join(ANSWERS)} から選んでください（空欄は未回答）。"))
            due = _date(sheet[f"{DUE}{number}"].value)
            if isinstance(due, str):
                problems.append(Problem(name, f"{DUE}{number}", f"期限「{due}」は日付として読めません。"
                                        "2027-03-31 の形で書いてください。"))
                due = None
            by_key[row.article.id] = Answer(answer or UNANSWERED, _text(sheet[f"{EVIDENCE}{number}"].value),
                                            _text(sheet[f"{OWNER}{number}"].value), due,
                                            _text(sheet[f"{NOTE}{number}"].value), name, number)
        last = len(wanted) + 1
        for number in range(last + 1, sheet.max_row + 1):
            if any(_text(sheet.cell(number, col).value) for col in range(1, len(HEADERS) + 1)):
                problems.append(Problem(name, f"{KEY}{number}", "最後の条の後に行が加えられています。ワーク"
                                        "ブックは条ごとに一行です。その行を削除してください（補足は備考に書きます）。"))
                break
    if problems:
        raise WorkbookError(shown, problems)
    ignored = tuple(n for n in book.sheetnames if n != INFO_SHEET and n not in expected_rows)
    return Answers(by_key, ignored, shown)


# -- filling from an answers file (the example town) -------------------------------------------------------


def fill_workbook(policy: Policy, answers_path: Path, *, built: dt.datetime) -> bytes:
    """The workbook of ``policy`` filled from a YAML answers file (``既定``: the answer of every row not listed;
    ``回答``: key -> {回答, 根拠, 担当, 期限, 備考}) — how the example town's filled workbook is made. Raises
    :class:`WorkbookError` (with ``file:line``) for a key that is not a row, an answer not in :data:`ANSWERS`,
    an unknown field or a 期限 that is not a date."""
    import yaml

    from trace_model.params import suggest
    from trace_model.profile import yaml_problem

    shown = str(answers_path)
    try:
        text = answers_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise WorkbookError(shown, [Problem("", "", f"UTF-8 のファイルとして読めません（{error}）。")]) from None
    try:
        root = yaml.compose(text)
        data = yaml.load(text, Loader=yaml.BaseLoader) or {}  # every value as text: a bad date is ours to report
    except yaml.YAMLError as error:
        line, message = yaml_problem(error, text)
        raise WorkbookError(shown, [Problem("", "", message, line or 1)]) from None
    if not isinstance(data, dict) or not isinstance(data.get("回答", {}), dict):
        raise WorkbookError(shown, [Problem("", "", "回答のファイルは「既定: 実施」と「回答:」の下にキーごとの回答を"
                                            "書きます（profiles/example-town-answers.yaml を参照）。", 1)])
    problems: list[Problem] = []

    def at(key: str) -> int:
        for key_node, value in getattr(root, "value", []) or []:
            if key_node.value == "回答" and hasattr(value, "value"):
                for inner, _ in value.value:
                    if inner.value == key:
                        return int(inner.start_mark.line) + 1
        return 1

    keys = {r.article.id for r in rows(policy)}
    default = str(data.get("既定", "") or "")
    if default and default not in ANSWERS:
        problems.append(Problem("", "", f"既定「{default}」は {'、'.join(ANSWERS)} のどれでもありません。", 1))
    answers: dict[str, Answer] = {}
    for key, spec in (data.get("回答") or {}).items():
        if key not in keys:
            problems.append(Problem("", "", f"「{key}」はワークブックの行のキーではありません。"
                                    + suggest(key, sorted(keys), ja=True), at(key)))
            continue
        spec = spec if isinstance(spec, dict) else {"回答": spec}
        unknown = [k for k in spec if k not in ("回答", "根拠", "担当", "期限", "備考")]
        if unknown:
            problems.append(Problem("", "", f"「{unknown[0]}」は書ける項目ではありません（回答、根拠、担当、期限、備考）。",
                                    at(key)))
        answer = str(spec.get("回答", default) or "")
        if answer and answer not in ANSWERS:
            problems.append(Problem("", "", f"回答「{answer}」は {'、'.join(ANSWERS)} のどれでもありません。", at(key)))
        due = _date(spec.get("期限"))
        if isinstance(due, str):
            problems.append(Problem("", "", f"期限「{due}」は日付として読めません（2027-03-31 の形）。", at(key)))
            due = None
        answers[key] = Answer(answer or UNANSWERED, str(spec.get("根拠", "") or ""), str(spec.get("担当", "") or ""),
                              due, str(spec.get("備考", "") or ""))
    if problems:
        raise WorkbookError(shown, problems)
    for key in keys - set(answers):
        answers[key] = Answer(default or UNANSWERED)
    return xlsx_bytes(_sheets(policy, built, answers), built, title=f"{policy.profile.name} 自己点検ワークブック（記入例）")


# -- the report ---------------------------------------------------------------------------------------------

#: A control's state, worst first: the first that applies is its state.
STATES = ("未実施", "一部実施", UNANSWERED, "実施", "該当なし")


@dataclass(frozen=True)
class ControlState:
    """A control (NISC item) of a standard: its number and title, its state (:data:`STATES`, or the SoA's
    不採用 / 適用除外) and the articles it rests on with their answers."""

    number: str
    title: str
    state: str
    articles: tuple[tuple[str, str], ...] = ()


def control_states(policy: Policy, answers: Answers, standard: str) -> list[ControlState]:
    """Per control (item) of ``standard``: the worst answer among the 対策基準 articles that implement it (a
    基本方針 article has no 自己点検 row and is not counted); a control only 基本方針 articles implement is 実施
    (the policy is adopted); 不採用 and 適用除外 as in the municipal SoA."""
    label_of = {f"{a.document}{a.label}": a.id for a in policy.articles()}
    out = []
    for row in municipal_soa(policy, standard):
        if row.status != "適用":
            out.append(ControlState(row.number, row.title, row.status))
            continue
        pairs = [(article, answers.by_key[label_of[article]].answer) for article in row.articles
                 if label_of[article] in answers.by_key]
        states = [answer for _, answer in pairs]
        state = next((s for s in STATES if s in states), "実施")
        if states and all(s == "該当なし" for s in states):
            state = "該当なし"
        elif "該当なし" in states and state == "該当なし":
            state = "実施"
        out.append(ControlState(row.number, row.title, state, tuple(pairs)))
    return out


def report_sheets(policy: Policy, answers: Answers) -> list[Sheet]:
    """The report workbook's sheets: the answers per article, then per standard every control's state."""
    articles = [r.article for r in rows(policy)]
    sheets = [Sheet("条ごとの回答", "自己点検の回答", (
        Column("キー", "key", 13), Column("条", "number", 8), Column("見出し", "text", 24), Column("回答", "text", 10),
        Column("根拠・証跡", "long", 30), Column("担当", "text", 14), Column("期限", "text", 12), Column("備考", "long", 24)),
        tuple((a.id, a.label, a.title, answers.by_key[a.id].answer, answers.by_key[a.id].evidence,
               answers.by_key[a.id].owner, answers.by_key[a.id].due_text, answers.by_key[a.id].note) for a in articles))]
    for key, short, label in STANDARDS:
        sheets.append(Sheet(f"{short.replace('/', '-').replace(':', '-')} の状態"[:31], f"{label} の実施状態", (
            Column("番号", "number", 10), Column("名称", "long", 36), Column("状態", "text", 10),
            Column("基づく条と回答", "long", 60)),
            tuple((s.number, s.title, s.state, "、".join(f"{a}: {answer}" for a, answer in s.articles))
                  for s in control_states(policy, answers, key))))
    return sheets


def report_workbook(policy: Policy, answers: Answers, *, built: dt.datetime) -> bytes:
    """The 自己点検の結果 as a workbook (:func:`report_sheets`)."""
    return xlsx_bytes(report_sheets(policy, answers), built, title=f"{policy.profile.name} 自己点検の結果")


def summary_of(answers: Answers) -> dict[str, int]:
    """Rows per answer (with 未回答), in the order of :data:`STATES`."""
    values = [a.answer for a in answers.by_key.values()]
    return {state: values.count(state) for state in ("実施", "一部実施", "未実施", "該当なし", UNANSWERED)}

