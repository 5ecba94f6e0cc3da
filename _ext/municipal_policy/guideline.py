"""The guideline site's links to the example town's policy: the ``policy-example`` directive.

``make html`` builds the example profile's policy (``make policy``, with the example's filled 自己点検 workbook
read back: ``make self-assessment``) into ``<html>/<policy_example_dir>/`` before the guideline, so that the
page for municipalities can link every output: the policy site, the 基本方針 and 対策基準 as HTML, Word and
PDF, the 例文との相違, the SoA, and the blank and filled 自己点検 workbooks with the result. When an HTML build
finishes, each linked file must exist (``trace.policy-example``, at the directive's line, naming the command
that builds it); ``policy_example_check = False`` leaves the check out (builds that do not publish the example).
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

__version__ = "1.0.0"

#: What the directive links, in order: (path under the example's folder, what it is).
LINKS = (
    ("index.html", "ポリシーのサイト（トップページ）"),
    ("policy.html", "基本方針（HTML）"),
    ("files/policy.docx", "基本方針（Word）"),
    ("files/policy.pdf", "基本方針（PDF）"),
    ("standards/index.html", "対策基準（HTML）"),
    ("files/standards.docx", "対策基準（Word）"),
    ("files/standards.pdf", "対策基準（PDF）"),
    ("differences.html", "例文との相違"),
    ("soa.html", "適用宣言書（SoA）"),
    ("files/self-assessment.xlsx", "自己点検ワークブック（記入前）"),
    ("files/self-assessment-filled.xlsx", "自己点検ワークブック（記入例）"),
    ("self-assessment-report.html", "自己点検の結果（HTML）"),
    ("files/self-assessment-report.xlsx", "自己点検の結果（Excel）"),
)


class PolicyExampleDirective(SphinxDirective):
    """``policy-example``: a list of links to the example town's outputs (:data:`LINKS`), relative to the page."""

    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        folder = self.config.policy_example_dir
        base = posixpath.relpath(folder, posixpath.dirname(self.env.docname) or ".")
        listing = nodes.bullet_list()
        for path, label in LINKS:
            item = nodes.list_item()
            paragraph = nodes.paragraph()
            paragraph += nodes.reference("", label, refuri=posixpath.join(base, path), internal=False)
            item += paragraph
            listing += item
        source, line = self.get_source_info()
        _uses(self.env)[self.env.docname] = f"{source}:{line}"
        return [listing]


def _uses(env: Any) -> dict[str, str]:
    """Page -> ``file:line`` of its ``policy-example`` directive (kept in the environment)."""
    if not hasattr(env, "policy_example_uses"):
        env.policy_example_uses = {}
    return env.policy_example_uses  # type: ignore[no-any-return]


def purge(app: Sphinx, env: Any, docname: str) -> None:
    _uses(env).pop(docname, None)


def merge(app: Sphinx, env: Any, docnames: Any, other: Any) -> None:
    _uses(env).update(_uses(other))


def check_outputs(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished`` (HTML): every file the directive links exists under the output folder."""
    from guideline_trace.checks import warn

    if exception is not None or app.builder.format != "html" or not app.config.policy_example_check:
        return
    uses = _uses(app.env)
    folder = Path(app.outdir, app.config.policy_example_dir)
    missing = [path for path, _ in LINKS if not (folder / path).is_file()]
    for location in sorted(uses.values()):
        if missing:
            warn(f"the example town's policy was not built: {len(missing)} of the {len(LINKS)} linked files are "
                 f"missing under {app.config.policy_example_dir}/ ({', '.join(missing[:3])}…). `make html` builds "
                 "it first; by hand: make example-policy HTMLDIR=<this output folder>.", "policy-example", location)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("policy_example_dir", "municipal/example-town", "html", types=[str])
    app.add_config_value("policy_example_check", True, "html", types=[bool])
    app.add_directive("policy-example", PolicyExampleDirective)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("build-finished", check_outputs)
    return {"version": __version__, "env_version": 1, "parallel_read_safe": True, "parallel_write_safe": True}
