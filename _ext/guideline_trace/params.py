"""The ``param`` role: a 団体で定める事項 (a part of a 例文 a municipality fills in), and its registry.

``{param}`副市長 <ciso-post>``` shows the 例文's own words (``副市長``), marked for readers as a part their
organisation decides, with the parameter's label for screen readers; the key must be one of the registry
(``trace_params_file``, read by :mod:`trace_model.params`). When every page has been read, a registry that cannot
be read, a parameter no 例文 uses and a ``{param}`` outside a 例文's wording are reported (``trace.param``). A
municipal profile (``make policy``) gives each parameter its value; the frozen edition records the registry.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxRole
from trace_model.model import Location, Problem
from trace_model.oscal import EXPLANATION_MARK
from trace_model.params import (
    Param,
    ParamsError,
    adoption_breaks,
    check_use,
    circled_references,
    load_params,
    uses,
)
from trace_model.views import Ref, Table

from guideline_trace import checks
from guideline_trace.state import build_cache
from guideline_trace.views import VIEWS, View, _ViewDirective

__version__ = "1.0.0"

#: What a screen reader hears after a parameter's words; ``{label}`` is filled in.
SPOKEN = "（団体で定める事項：{label}）"


def registry_path(app: Sphinx) -> Path | None:
    """The registry file (``trace_params_file``, relative to conf.py), or ``None`` when the setting is empty."""
    name = app.config.trace_params_file
    return Path(app.srcdir, name) if name else None


def registry(app: Sphinx) -> dict[str, Param] | None:
    """The parameter registry, read once per build; ``None`` when there is none, or it cannot be read (which
    :func:`check_params` reports, once, from :func:`registry_error`)."""
    cache = build_cache(app)
    if not cache.params_read:
        path = registry_path(app)
        try:
            cache.params = load_params(path, app.config.trace_params_file) if path else None
        except ParamsError as error:
            cache.params, cache.params_error = None, error
        cache.params_read = True
    return cache.params


def registry_error(app: Sphinx) -> ParamsError | None:
    """Why the registry could not be read this build, or ``None``."""
    registry(app)
    return build_cache(app).params_error  # type: ignore[no-any-return]


class ParamRole(SphinxRole):
    """``{param}`the 例文's words <key>```: the words, marked as 団体で定める事項 (CSS class ``param``), then
    the parameter's label for screen readers only. A missing or unknown key, or empty words, is
    ``trace.param`` at the role's line."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        use = uses(f"{{param}}`{self.text}`")[0]
        params = registry(self.env.app)
        path = registry_path(self.env.app)
        if path is not None:
            self.env.note_dependency(str(path))
        if params is not None:
            problem = check_use(use, params)
            if problem:
                checks.warn(problem, "param", self.get_location())
        param = (params or {}).get(use.key)
        node = nodes.inline(classes=["param"])
        node["data-param"] = use.key
        self.set_source_info(node)
        node += nodes.Text(use.default or self.text)
        if param is not None:
            node += nodes.inline("", SPOKEN.format(label=param.label), classes=["param-label"])
        return [node], []


def _explanation_line(app: Sphinx, need: Location) -> Location:
    """The line of the first ``{param}`` after the **【解説】** mark that follows the need's line, in its file;
    the need's own location when the file cannot be read."""
    try:
        lines = Path(app.srcdir, need.file).read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return need
    start = (need.line or 1) - 1
    mark = next((n for n in range(start, len(lines)) if EXPLANATION_MARK in lines[n]), None)
    if mark is None:
        return need
    found = next((n for n in range(mark, len(lines)) if "{param}" in lines[n]), None)
    return Location(need.file, found + 1) if found is not None else need


def _wording_line(app: Sphinx, need: Location, wording: str, index: int) -> Location:
    """The file and line of line ``index`` (0-based) of a need's wording: the wording is found in the need's file
    as written, from the first line after the directive's options that equals its first line; the need's own
    location when the file cannot be read or the wording is not found there as written."""
    try:
        lines = Path(app.srcdir, need.file).read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return need
    written = wording.split("\n")
    first = written[0]
    for number in range(need.line or 0, len(lines)):  # need.line is 1-based: the line after the directive
        if lines[number].startswith(":") or not lines[number].strip():
            continue  # an option of the directive, or the blank line after them
        if lines[number] == first and lines[number + index: number + index + 1] == [written[index]]:
            return Location(need.file, number + index + 1)
        break
    return need


def check_optional_citations(app: Sphinx, env: Any) -> None:
    """``env-check-consistency``: no 例文 cites, in its wording, a 選択項目 that a body may leave out while keeping
    the citing 例文 (:func:`trace_model.params.adoption_breaks`: ``{need}`` roles, ``{ref}`` to a 基本方針's label,
    IDs as plain text), each ``trace.optional-citation``; no 例文 names a paragraph by its circled number
    (:func:`trace_model.params.circled_references`), each ``trace.paragraph-reference``. Both at the line."""
    needs = checks.current_needs(env)
    model = checks.current_model(app)
    wordings, optional = {}, {}
    for need_id, need in needs.items():
        if need.get("type") not in ("policy", "measure"):
            continue
        wordings[need_id] = str(need.get("content") or "").partition(EXPLANATION_MARK)[0]
        optional[need_id] = str(need.get("optional") or "").strip()
    # a 基本方針 item is cited by the label of its section too: {ref}`pol-3` is POL-3
    labels = {f"pol-{need_id.split('-', 1)[1]}": need_id for need_id in wordings if re.fullmatch(r"POL-\d+", need_id)}

    def where(need_id: str, index: int) -> Location:
        item = model.items.get(need_id)
        own = item.location if item is not None and item.location else Location(str(needs[need_id].get("docname")), None)
        return _wording_line(app, own, wordings[need_id], index)

    problems = []
    for citing, cited, index in adoption_breaks(wordings, optional, labels):
        if optional[citing]:
            fix = (f"{citing} is a 選択項目 of another kind ({optional[citing]}): a body that adopts {citing} but "
                   f"leaves {cited} out cannot adopt it as written. Cite {cited} in the 【解説】 only, or give both the "
                   "same :optional: text if one is only ever adopted with the other.")
        else:
            fix = (f"{citing} is required: a body that leaves {cited} out cannot adopt {citing} as written. Move the "
                   f"words that depend on {cited} into {cited} (there: 「{citing} 第N項の規定にかかわらず、…」), or cite "
                   "it in the 【解説】 only.")
        problems.append(Problem(where(citing, index), "optional-citation",
                                f"{citing} cites {cited} in its 例文, but {cited} is a 選択項目 ({optional[cited]}); {fix}"))
    for citing, wording in wordings.items():
        for index, numbers in circled_references(wording):
            named = "、".join(f"「{n}」" for n in numbers)
            problems.append(Problem(where(citing, index), "paragraph-reference",
                                    f"{citing} refers to a paragraph as {named}: a municipality's policy numbers its "
                                    "paragraphs 1, 2, …, so a circled number would name nothing there. Write 「前項」 for "
                                    "the paragraph just before, else 「第N項」."))
    checks.report(problems)


def check_params(app: Sphinx, env: Any) -> None:
    """``env-check-consistency``: the registry is readable; every parameter in it is used by a 例文; no 例文 has a
    ``{param}`` in its 解説 (a profile fills the wording only). Each problem is ``trace.param`` at its line."""
    error = registry_error(app)
    if error is not None:
        checks.warn(f"parameter registry: {error.message}", "param", error.location)
        return
    params = registry(app)
    if params is None:  # trace_params_file is empty: no registry
        return
    used: set[str] = set()
    problems = []
    model = checks.current_model(app)
    for need_id, need in checks.current_needs(env).items():
        content = str(need.get("content") or "")
        _, mark, explanation = content.partition(EXPLANATION_MARK)
        used.update(use.key for use in uses(content))
        if mark and uses(explanation):
            item = model.items.get(need_id)
            location = item.location if item is not None and item.location else Location(str(need.get("docname")), None)
            problems.append(Problem(_explanation_line(app, location), "param",
                                    f"{need_id} has a {{param}} in its 【解説】: only a 例文's wording is filled in by "
                                    "a municipality. Write the words plainly there."))
    for key, param in params.items():
        if key not in used:
            problems.append(Problem(Location(app.config.trace_params_file, param.line), "param",
                                    f"parameter {key!r} is used by no 例文. Mark its words in a 例文 with "
                                    f"{{param}}`… <{key}>`, or remove it from the registry."))
    checks.report(problems)


class ParamListDirective(_ViewDirective):
    """``param-list``: every 団体で定める事項 — its label, kind, the 例文's own words, the 例文 items that mark it
    (linked) and the guidance — as a table, for the municipalities page."""

    view = "params"
    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        path = registry_path(self.env.app)
        if path is not None:
            self.env.note_dependency(str(path))
        return self.placeholder()


def param_table(app: Sphinx) -> tuple[Any, ...]:
    """The ``param-list`` view's blocks: one row per parameter of the current sources' edition."""
    from trace_model.editions import printed

    from guideline_trace.editions import current_edition

    edition = current_edition(app)
    used: dict[str, list[tuple[str, str]]] = {}
    for item in edition.items:
        for use in uses(item.statement):
            # the words in their sentence, so that a municipality writes a value that reads on: …、［毎年度］、…
            before = " ".join(printed(item.statement[:use.start]).split())[-14:]
            after = " ".join(printed(item.statement[use.end:]).split())[:14]
            used.setdefault(use.key, []).append((item.id, f"…{before}［{use.default}］{after}…"))
    rows = []
    for param in edition.params:
        found = used.get(param.key, [])
        refs_seen = list(dict.fromkeys(item_id for item_id, _ in found))
        words = "／".join(dict.fromkeys(context for _, context in found))
        refs: tuple[Any, ...] = tuple(part for n, item_id in enumerate(refs_seen) for part in
                                      ((("、",) if n else ()) + (Ref(item_id),)))
        rows.append((param.label, param.kind, words, refs, param.guidance, param.key))
    return (Table(("団体で定める事項", "種類", "例文の文言（［］の部分）", "例文", "決め方", "キー"), tuple(rows),
                  ("param-list",), "団体で定める事項の一覧"),)


class OptionalListDirective(_ViewDirective):
    """``optional-list``: every 選択項目 (a 例文 with ``optional``) — its ID (linked), title and the kind of body
    that adopts it — as a table, for the municipalities page."""

    view = "optional"
    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        return self.placeholder()


def optional_table(app: Sphinx) -> tuple[Any, ...]:
    """The ``optional-list`` view's blocks: one row per 選択項目 of the current sources, in reading order."""
    from guideline_trace.editions import current_edition

    rows = tuple((Ref(item.id), item.title, item.optional) for item in current_edition(app).items if item.optional)
    return (Table(("例文", "見出し", "採用する団体"), rows, ("optional-list",), "選択項目の例文"),)


VIEWS["params"] = View("params", "param-list", ParamListDirective, (), lambda i, o: param_table(i.app))
VIEWS["optional"] = View("optional", "optional-list", OptionalListDirective, (), lambda i, o: optional_table(i.app))


def params_outside_reibun(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``: a ``{param}`` that is not inside a 例文 (a need) marks words no profile fills:
    ``trace.param`` at its line (the words are shown plainly there)."""
    from sphinx_needs.nodes import Need

    for node in list(doctree.findall(nodes.inline)):
        if "param" not in node["classes"]:
            continue
        parent = node.parent
        while parent is not None and not isinstance(parent, Need):
            parent = parent.parent
        if parent is None:
            checks.warn("a {param} outside a 例文: only a 例文's wording is filled in by a municipality's profile. "
                        "Write the words plainly here.", "param", node)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-read", params_outside_reibun)
    # the param-list directive is registered with the other views (guideline_trace.views, from VIEWS)
    app.add_role("param", ParamRole())
    app.connect("env-check-consistency", check_params)
    app.connect("env-check-consistency", check_optional_citations)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
