"""Configuration of every test site: the project's real conf.py, with small catalogs.

The test harness copies this folder, then the test root's own files over it,
into a fresh temporary folder; a root may bring its own ``catalogs/*.yaml``.
"""

import os
import runpy

_real = runpy.run_path(os.environ["GUIDELINE_CONF"])
globals().update({k: v for k, v in _real.items() if not k.startswith("__")})

trace_catalogs = {
    "nisc": "catalogs/nisc.yaml",
    "iso": "catalogs/iso2013.yaml",
    "iso22": "catalogs/iso2022.yaml",
}
html_theme = "basic"
trace_soa_files = {"iso": "soa.yaml"}
# The small roots test one rule each; the guideline's completeness rules (every revision
# point realised, every entry addressed or justified, NISC reasons) have roots of their own,
# which switch them on in ``overrides.py``.
trace_soa_complete = False
trace_covering_types = ["req", "policy", "measure"]
trace_required_backlinks: dict[str, list[str]] = {}
trace_link_reasons = {"iso": "iso_reason"}
# every 例文 of the guideline links ISO/IEC 27001:2022 too; the iso22-trace root switches that on
trace_required_links = {t: [g for g in groups if g != ["iso22"]] for t, groups in trace_required_links.items()}
trace_required_when: dict[str, list[str]] = {}
trace_explained_types: list[str] = []  # the need-body root switches it on
trace_stamps_file = ""  # the link stamps of the site are not copied; the editions root brings its own
trace_params_file = ""  # the site's 団体で定める事項 are not copied; the params root brings its own registry
# every 対策基準 例文 of the guideline has its 自己点検 question; the small roots' 例文 need none
trace_required_fields = {t: [f for f in fields if f != "check"] for t, fields in trace_required_fields.items()}
site_search_variants = ""  # the site's own file is not copied; a root may bring one (overrides.py)

html_static_path: list[str] = []
html_css_files: list[str] = []

if os.path.exists("overrides.py"):
    exec(compile(open("overrides.py", encoding="utf-8").read(), "overrides.py", "exec"))
