"""Write the reviewers' exports (:mod:`trace_model.exports`) into ``<outdir>/exports/`` when an HTML build finishes."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from trace_model import oscal
from trace_model.exports import Provenance, build_epoch, export_files, export_names
from trace_model.report import EXPORT_DIR, TraceReport

from guideline_trace.state import build_cache

__version__ = "1.2.0"
#: The current sources' edition, what ``make release`` freezes (:mod:`guideline_trace.editions`).
EDITION_EXPORT = "edition.json"


def _git(srcdir: str | os.PathLike[str], *args: str) -> str:
    """The output of ``git <args>`` in the source directory; ``""`` outside a repository or without git."""
    try:
        done = subprocess.run(["git", *args], cwd=srcdir, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def provenance(app: Sphinx) -> Provenance:
    """The edition (``version`` and ``trace_edition_date`` in conf.py), the build time and the commit.

    The build time is ``SOURCE_DATE_EPOCH`` if set, else the commit's time, so two builds of one commit give
    the same bytes; outside a git checkout it is a fixed date and the commit reads 「不明（git の管理外）」.
    """
    cache = build_cache(app)
    if cache.provenance is not None:  # three git commands: once per build, for every export that names it
        return cache.provenance  # type: ignore[no-any-return]
    commit = _git(app.srcdir, "rev-parse", "HEAD")
    epoch = _git(app.srcdir, "log", "-1", "--format=%ct") if commit else ""
    if commit and _git(app.srcdir, "status", "--porcelain", "--untracked-files=no"):
        commit += "（未コミットの変更を含む）"
    built = datetime.fromtimestamp(build_epoch(int(epoch) if epoch.isdigit() else None), tz=UTC)
    cache.provenance = Provenance(
        edition=app.config.version or "（版の指定なし）",
        edition_date=app.config.trace_edition_date or "（日付の指定なし）",
        built=built,
        commit=commit or "不明（git の管理外）",
        notes=(("CSV について", "CSV は各シートと同じ内容です。番号だけの列は表計算ソフトが数値や日付に変えるため、"
                "CSV では番号と名称を一つの「見出し」列にしています。行の突き合わせには ID 列を使ってください。"),),
    )
    return cache.provenance


def chapters(report: TraceReport) -> list[oscal.Chapter]:
    """The catalog's groups: the pages that hold 例文 items, in docname order (基本方針, then 対策基準 1-9), each with
    its 例文 IDs in definition order. ``source/standards/03-assets`` becomes ``std-3``, ``source/policy`` ``policy``."""
    by_page: dict[str, list[str]] = {}
    for item in report.requirements():
        by_page.setdefault(item.fields.get("docname", ""), []).append(item.id)
    found = []
    for docname in sorted(by_page):
        name = docname.rsplit("/", 1)[-1]
        number = name.split("-", 1)[0]
        group_id = f"std-{int(number)}" if number.isdigit() else name.replace(".", "-") or "guideline"
        found.append(oscal.Chapter(group_id, report.chapter_titles.get(docname, docname), tuple(by_page[docname])))
    return found


def oscal_files(app: Sphinx, report: TraceReport, built: Provenance) -> dict[str, bytes]:
    """The OSCAL catalog of the 例文 items and one mapping collection per standard (:mod:`trace_model.oscal`)."""
    import json

    from sphinx_needs.data import SphinxNeedsData

    from guideline_trace.needs_json import portable_content, titles
    from guideline_trace.params import registry

    title_of = titles(app)
    needs = SphinxNeedsData(app.env).get_needs_view()
    contents = {item.id: portable_content(str(needs[item.id].get("content") or ""), title_of)
                for item in report.requirements() if item.id in needs}
    version = built.edition
    documents = {oscal.CATALOG_FILE: oscal.catalog(
        report, chapters(report), contents, title=f"{app.config.project}（{version}）", version=version,
        built=built.built, commit=built.commit, params=registry(app) or {})}
    pages = {"nisc": "nisc", "iso": "iso2013", "iso22": "iso2022"}
    for key, spec in report.standards.items():
        document = oscal.mapping_collection(
            report, key, title=f"例文から {spec.label} への対応付け（{version}）", version=version, built=built.built,
            target_href=f"../traceability/{pages.get(key, key)}.html",
            # the 2022 links were proposed from ISO/IEC 27002:2022 Annex B (make migrate-iso2022), then decided by editors
            method="hybrid" if key == "iso22" else "human", commit=built.commit)
        if document["mapping-collection"]["mappings"][0]["maps"]:  # OSCAL asks for at least one map
            documents[oscal.mapping_file(key)] = document
    # compact: with indent, json uses its pure-Python encoder, which cost half a second a build (bench)
    return {name: (json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
            for name, doc in documents.items()}


def write_exports(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    from trace_model.edition_views import docx_name
    from trace_model.editions import CURRENT

    from guideline_trace.editions import comparison, comparison_specs, edition_files, frozen_editions
    from guideline_trace.views import current_report, soa_exclusions, sources_changed

    target = Path(app.outdir, EXPORT_DIR)
    names = [*export_names(app.config.trace_standards, app.config.trace_soa_files), oscal.CATALOG_FILE,
             *(oscal.mapping_file(key) for key in app.config.trace_standards), EDITION_EXPORT,
             *(docx_name(old, new) for old, new in comparison_specs(app))]
    if not sources_changed(app) and all((target / name).exists() for name in names):
        return  # nothing was read or removed: the exports on disk are current
    target.mkdir(parents=True, exist_ok=True)
    report, built = current_report(app), provenance(app)
    frozen = frozen_editions(app)
    change = comparison(app, frozen[-1].id, CURRENT) if frozen else None
    files = (export_files(report, soa_exclusions(app), built, change) | oscal_files(app, report, built)
             | edition_files(app))
    for name, data in files.items():
        path = target / name
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
    for name in names:  # a file this build does not write (a mapping with no link left) must not linger
        if name not in files:
            (target / name).unlink(missing_ok=True)
    for path in target.glob("shinkyu-*.docx"):  # a 新旧対照表 no page shows any more
        if path.name not in files:
            path.unlink()


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("guideline_trace.views")
    app.connect("build-finished", write_exports)
    return {
        "version": __version__,
        "env_version": 3,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
