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
trace_soa_file = "soa.yaml"
html_static_path: list[str] = []
html_css_files: list[str] = []
