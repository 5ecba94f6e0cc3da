"""Write the reviewers' exports (:mod:`trace_model.exports`) into ``<outdir>/exports/`` when an HTML build finishes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from trace_model.exports import build_epoch, export_files, export_names
from trace_model.report import EXPORT_DIR

__version__ = "1.0.0"


def write_exports(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    from guideline_trace.views import current_report, soa_exclusions, sources_changed

    target = Path(app.outdir, EXPORT_DIR)
    names = export_names(app.config.trace_standards, app.config.trace_soa_files)
    if not sources_changed(app) and all((target / name).exists() for name in names):
        return  # nothing was read or removed: the exports on disk are current
    target.mkdir(parents=True, exist_ok=True)
    for name, data in export_files(current_report(app), soa_exclusions(app), build_epoch()).items():
        path = target / name
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("guideline_trace.views")
    app.connect("build-finished", write_exports)
    return {
        "version": __version__,
        "env_version": 2,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
