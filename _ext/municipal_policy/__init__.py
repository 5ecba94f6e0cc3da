"""A municipality's own policy, built from its profile: ``make policy`` and ``make self-assessment``.

- :mod:`municipal_policy.build`: the command (``python -m municipal_policy``) that reads a profile and the
  frozen edition it names (:mod:`trace_model.profile`), tailors the 例文 (:mod:`trace_model.policy`) and writes
  the standalone HTML site, the DOCX and PDF of the 基本方針 and 対策基準, the blank 自己点検 workbook, and
  reads a filled workbook back into the self-assessment report.
- :mod:`municipal_policy.site`: the policy site's pages (MyST written from the tailored policy) and their
  Sphinx build, with the guideline site's Japanese search, line breaks, anchors and accessibility repairs.
- :mod:`municipal_policy.site_ext`: the policy site's own markup (changed passages in the 例文との相違).
- :mod:`municipal_policy.guideline`: the guideline site's ``policy-example`` directive, which links the
  example town's outputs from the page for municipalities and fails the build when they were not built.
"""

from __future__ import annotations

__version__ = "1.0.0"
