"""The trace, computable without Sphinx: items and rules, catalogs, the report the views and exports show,
the exports' writers, and the registry of warning subtypes.

No module of this package imports Sphinx, docutils, sphinx-needs or MyST (``tests/test_pure_modules.py``
imports each one with those blocked), so unit tests and command-line tools can use it alone.

- :mod:`trace_model.model`: trace items, link rules, the checks and coverage (``TraceModel``).
- :mod:`trace_model.catalogs`: the NISC and ISO catalog files and SoA files (YAML), read with located problems.
- :mod:`trace_model.report`: the figures and rows every view and export shows (``TraceReport``).
- :mod:`trace_model.views`: what each reviewer view shows, as plain blocks.
- :mod:`trace_model.exports`: CSV and XLSX bytes of those rows.
- :mod:`trace_model.sources`: MyST text read as written: directive options with their lines, need IDs.
- :mod:`trace_model.warnings`: every ``trace.<subtype>`` warning, with what it means.
"""
