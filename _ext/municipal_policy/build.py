"""``python -m municipal_policy``: a municipality's policy and 自己点検 from its profile (``make policy``,
``make self-assessment``).

``policy --profile P --out DIR``: reads the profile and the frozen edition it names, tailors the 例文 and writes
into ``DIR`` the policy site (``index.html`` …), and under ``DIR/files/`` the DOCX and PDF of the 基本方針 and
the 対策基準 and the blank 自己点検 workbook. ``self-assessment --profile P --input FILLED.xlsx --out DIR``: does
the same and reads the filled workbook back: the site gains the report page and ``files/`` the filled workbook
and the report workbook. ``fill --profile P --answers A.yaml --out FILLED.xlsx`` fills a blank workbook from a
YAML file of answers (the example town's filled workbook is made so, as a municipality's would be in Excel).

A profile or workbook with problems prints every one as ``file:line: message`` (a workbook: ``file: sheet!cell:
message``) and exits with 2; a site build warning exits with 1. The build time written into the files is
``SOURCE_DATE_EPOCH`` if set, else the time of the project's last commit, so the same inputs give the same
bytes.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from trace_model.editions import EditionError
from trace_model.exports import build_epoch
from trace_model.policy import Policy, tailor
from trace_model.profile import ProfileError, load_profile

from municipal_policy.site import ROOT, build_site, write_sources

#: Where the frozen editions are, relative to the project's root.
EDITIONS = ROOT / "traceability" / "editions"


def build_time() -> datetime:
    """``SOURCE_DATE_EPOCH``, else the time of the project's last commit (see :func:`trace_model.exports.build_epoch`)."""
    try:
        done = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10, check=False)
        epoch = done.stdout.strip() if done.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        epoch = ""
    return datetime.fromtimestamp(build_epoch(int(epoch) if epoch.isdigit() else None), tz=UTC)


def read(profile_path: Path, editions: Path = EDITIONS) -> Policy:
    """The tailored policy of the profile at ``profile_path``. Raises :class:`ProfileError` or
    :class:`EditionError`."""
    profile, edition = load_profile(profile_path, editions)
    return tailor(edition, profile)


def policy_files(policy: Policy, built: datetime) -> dict[str, bytes]:
    """The downloads of the policy site: DOCX and PDF of both documents, and the blank 自己点検 workbook."""
    from trace_model.policy_docx import docx_files
    from trace_model.policy_print import pdf, print_html
    from trace_model.self_assessment import blank_workbook

    files = dict(docx_files(policy, built=built))
    files["policy.pdf"] = pdf(print_html(policy, "基本方針"), built=built)
    files["standards.pdf"] = pdf(print_html(policy, "対策基準"), built=built)
    files["self-assessment.xlsx"] = blank_workbook(policy, built=built)
    return files


def write(policy: Policy, out: Path, files: dict[str, bytes], report: str = "") -> int:
    """Build the policy site into ``out`` with ``files`` (also kept at ``out/files/<name>``, for stable links).
    Returns 0, or 1 after printing the site build's warnings."""
    source = out.parent / f".{out.name}-src"
    write_sources(policy, source, files, report)
    warnings = build_site(source, out)
    if warnings:
        print("\n".join(warnings), file=sys.stderr)
        return 1
    (out / "files").mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out / "files" / name).write_bytes(data)
    return 0


def profile_of_workbook(path: Path) -> Path | None:
    """``profiles/<name>`` for the profile a 自己点検 workbook names on its 説明 sheet, or ``None`` when it names
    none. Raises :class:`~trace_model.self_assessment.WorkbookError` for a file that is not a workbook."""
    from trace_model.self_assessment import INFO_SHEET, open_workbook

    book = open_workbook(path)  # a file that is no workbook: WorkbookError, which says so
    if INFO_SHEET not in book.sheetnames:
        return None
    for label, value, *_ in book[INFO_SHEET].iter_rows(values_only=True):
        if label == "プロファイル" and value:
            return ROOT / "profiles" / str(value)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m municipal_policy", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("policy", "self-assessment", "fill"):
        command = commands.add_parser(name)
        command.add_argument("--profile", required=name != "self-assessment", type=Path,
                             help="the profile (self-assessment: default, the one the workbook names)")
        command.add_argument("--out", required=name == "fill", type=Path,
                             help="the output (default: _build/policy/<profile name>)")
        if name == "self-assessment":
            command.add_argument("--input", required=True, type=Path)
        if name == "fill":
            command.add_argument("--answers", required=True, type=Path)
    args = parser.parse_args(argv)
    if args.profile is None:
        from trace_model.self_assessment import WorkbookError

        try:
            named = profile_of_workbook(args.input)
        except WorkbookError as error:
            print("\n".join(error.lines()), file=sys.stderr)
            return 2
        if named is None:
            print(f"{args.input}: ワークブックがプロファイルを示していません（説明!プロファイル）。"
                  "PROFILE=profiles/<名前>.yaml で指定してください。", file=sys.stderr)
            return 2
        args.profile = named
    if args.out is None:
        args.out = ROOT / "_build" / "policy" / args.profile.stem
    try:
        policy = read(args.profile)
    except ProfileError as error:
        print("\n".join(error.lines()), file=sys.stderr)
        print(f"プロファイルに {len(error.problems)} 件の誤りがあります。何も作っていません。", file=sys.stderr)
        return 2
    except EditionError as error:
        print(str(error), file=sys.stderr)
        return 2
    built = build_time()
    from trace_model.self_assessment import WorkbookError, fill_workbook, read_answers, report_workbook

    from municipal_policy.site import report_page

    if args.command == "fill":
        try:
            data = fill_workbook(policy, args.answers, built=built)
        except WorkbookError as error:
            print("\n".join(error.lines()), file=sys.stderr)
            return 2
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(data)
        print(f"{policy.profile.name}の自己点検ワークブックに記入しました: {args.out}")
        return 0
    files = policy_files(policy, built)
    report = ""
    if args.command == "self-assessment":
        try:
            answers = read_answers(policy, args.input)
        except WorkbookError as error:
            print("\n".join(error.lines()), file=sys.stderr)
            print(f"ワークブックに {len(error.problems)} 件の誤りがあります。何も作っていません。", file=sys.stderr)
            return 2
        files["self-assessment-filled.xlsx"] = args.input.read_bytes()
        files["self-assessment-report.xlsx"] = report_workbook(policy, answers, built=built)
        report = report_page(policy, answers)
    status = write(policy, args.out, files, report)
    if status == 0:
        print(f"{policy.profile.name}の基本方針・対策基準を {args.out}/ に作りました（index.html、files/: "
              f"{'、'.join(sorted(files))}）")
        if args.command == "self-assessment":
            from trace_model.self_assessment import summary_of

            counts = "、".join(f"{state} {count}" for state, count in summary_of(answers).items())
            print(f"自己点検の結果: {counts}（{args.out}/self-assessment-report.html）")
    return status


if __name__ == "__main__":
    sys.exit(main())
