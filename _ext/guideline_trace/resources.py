"""Offline and accessible by construction: images need a text alternative and a local file.

The site is read on closed networks, where nothing may load from another host,
and it must meet JIS X 8341-3:2016 level AA (WCAG 2.x 1.1.1: every image has a
text alternative). A strict build therefore refuses, each at the file and line
the editor must change (an included requirements file included):

* ``trace.image-alt`` — an image or figure (MyST ``![](…)``, ``{image}``,
  ``{figure}``) whose text alternative is missing, blank, a file name, or only a word for
  "image" (画像, 図, image …),
  and a ``{graphviz}`` figure without ``:alt:`` (its label would be the DOT source);
* ``trace.table-caption`` — a table written without a caption (wrap it in ``{table}``);
* ``trace.need-body`` — a 例文 or requirement without its **【解説】** paragraph, or with nothing before it;
* ``trace.remote-resource`` — an image whose address is on another host
  (``https://…``, ``//…``); when ``conf.py`` is read, a stylesheet, script,
  logo or favicon given as such an address; and an address on another host that a
  stylesheet under ``html_static_path`` loads (``url(…)``, ``@import``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.ext.graphviz import graphviz
from trace_model.model import Location, Problem

from guideline_trace import checks

__version__ = "1.0.0"

#: An address that the browser fetches from another host.
REMOTE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//")

#: HTML settings whose files the browser loads on every page.
LOADED_SETTINGS = ("html_css_files", "html_js_files", "html_logo", "html_favicon")


def is_remote(uri: str) -> bool:
    """True for ``https://host/x.png``, ``http://…`` and protocol-relative ``//host/x``;
    False for relative paths, ``/abs`` paths and ``data:`` URIs (which load nothing)."""
    return bool(REMOTE.match(uri.strip()))


#: Text alternatives that only say that there is an image (compared after NFKC, in lower case).
GENERIC_ALTS = frozenset({
    "画像", "図", "写真", "イメージ", "絵", "アイコン", "スクリーンショット", "図表", "挿絵",
    "image", "img", "picture", "pic", "photo", "figure", "fig", "icon", "graphic", "screenshot", "diagram",
})
#: A text alternative that is some file's name (IMG_0001.PNG), not only this image's own.
_FILE_NAME = re.compile(r"^[\w.-]+\.(?:png|jpe?g|gif|svg|webp|bmp|tiff?)$", re.IGNORECASE)


def meaningful_alt(alt: str | None, uri: str) -> bool:
    """True if ``alt`` says something: not missing, not blank, not a file name (this image's own or
    any other), and not a word that only says there is an image (:data:`GENERIC_ALTS`: 画像, image …)."""
    if alt is None or not alt.strip():
        return False
    text = unicodedata.normalize("NFKC", alt).strip()
    name = PurePosixPath(uri.split("?", 1)[0]).name
    if text in {uri.strip(), name, PurePosixPath(name).stem} or _FILE_NAME.match(text):
        return False
    return text.lower().rstrip("。.") not in GENERIC_ALTS


def image_problems(env: Any, doctree: nodes.document) -> list[Problem]:
    """The images and graphviz figures of one page that would fail a reader offline or without sight."""
    problems: list[Problem] = []
    for image in doctree.findall(nodes.image):
        uri = str(image.get("uri", ""))
        if is_remote(uri):
            problems.append(Problem(
                checks.node_location(env, image), "remote-resource",
                f"the image {uri} is loaded from another host, so the page breaks for readers on closed networks.",
                "Save the file in the repository (e.g. source/_images/) and refer to it by a relative path.",
            ))
        if not meaningful_alt(image.get("alt"), uri):
            problems.append(Problem(
                checks.node_location(env, image), "image-alt",
                f"the image {uri} has no text alternative (JIS X 8341-3 / WCAG 1.1.1).",
                "Say what it shows: ![what the image shows](path) in Markdown, or ':alt: what it shows' "
                "in {image} and {figure}.",
            ))
    for figure in doctree.findall(graphviz):
        if not str(figure.get("alt") or "").strip():
            problems.append(Problem(
                checks.node_location(env, figure), "image-alt",
                "this graphviz figure has no ':alt:', so screen readers would be given its DOT source.",
                "Add ':alt: <what the figure shows, in a sentence>' under the {graphviz} line.",
            ))
    return problems


def table_problems(env: Any, doctree: nodes.document) -> list[Problem]:
    """The tables of one page written without a caption (a Markdown table not wrapped in ``{table}``)."""
    return [
        Problem(checks.node_location(env, table), "table-caption",
                "this table has no caption, so a screen reader's list of tables cannot tell it apart "
                "(JIS X 8341-3 / WCAG 1.3.1).",
                "Wrap it in ':::{table} <what the table shows>' and ':::' (':::' also inside a need's ``` fence).")
        for table in doctree.findall(nodes.table)
        if not any(isinstance(child, nodes.title) for child in table.children)
    ]


#: The first paragraph of a need's 解説 starts with this, in bold (README: 例文を追加する).
EXPLANATION_MARK = "【解説】"


def explanation_start(children: Sequence[nodes.Node]) -> int | None:
    """Index in a need's body ``children`` of the paragraph that opens its 解説 (it starts with
    **【解説】**, in bold), or ``None``. The one definition used by the need-body check and by the page's
    need boxes (guideline_site.need_headings), so what the check accepts is what the page shows."""
    for index, child in enumerate(children):
        if not isinstance(child, nodes.paragraph):
            continue
        first = next((c for c in child.children if not (isinstance(c, nodes.Text) and not c.strip())), None)
        if isinstance(first, nodes.strong) and child.astext().lstrip().startswith(EXPLANATION_MARK):
            return index
    return None


def explanation_problems(env: Any, doctree: nodes.document, explained_types: set[str]) -> list[Problem]:
    """The needs of ``explained_types`` on one page whose body lacks a paragraph opening with
    **【解説】** (a misspelt ［解説］ shows the whole 解説 as the 例文's wording), or has no wording before it
    (the 例文 a municipality would adopt is empty). Each at the need's directive line."""
    from sphinx_needs.data import SphinxNeedsData
    from sphinx_needs.nodes import Need

    needs = SphinxNeedsData(env).get_needs_mutable()
    places = {d.id: d.location for d in checks.definitions(env).get(env.docname, [])}
    problems: list[Problem] = []
    for node in doctree.findall(Need):
        need_id = node["ids"][0] if node["ids"] else ""
        if need_id not in needs or needs[need_id]["type"] not in explained_types:
            continue
        body = [c for c in node.children if isinstance(c, nodes.Element)
                and not isinstance(c, (Need, nodes.target, nodes.comment, nodes.system_message))]
        start = explanation_start(body)
        place = places.get(need_id) or checks.node_location(env, node)
        if start is None:
            problems.append(Problem(
                place, "need-body",
                f"{need_id}: this {needs[need_id]['type']!r} has no paragraph opening with **{EXPLANATION_MARK}**, so "
                "all of its text is shown as its wording and none as its 解説.",
                f"Start the 解説 with a paragraph '**{EXPLANATION_MARK}**' (bold, full-width brackets) after the "
                "wording."))
        elif not any(c.astext().strip() for c in body[:start]):
            problems.append(Problem(
                place, "need-body",
                f"{need_id}: this {needs[need_id]['type']!r} has nothing before its {EXPLANATION_MARK}: the wording a "
                "municipality adopts is empty.",
                f"Write the wording first, then the '**{EXPLANATION_MARK}**' paragraph."))
    return problems


def check_images(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``, before Sphinx's image collector: record the page's image and table problems
    (reported with the trace checks on every build).

    Sphinx takes a protocol-relative address (``//host/x.png``) for a file in the source folder and
    would add an "image file not readable" warning; it is given its scheme, so the one message is
    ours.
    """
    checks.record_problems(app.env, image_problems(app.env, doctree) + table_problems(app.env, doctree)
                           + explanation_problems(app.env, doctree, set(app.config.trace_explained_types)))
    for image in doctree.findall(nodes.image):
        if str(image.get("uri", "")).startswith("//"):
            image["uri"] = "https:" + image["uri"]


def remote_settings(config: Config) -> list[tuple[str, str]]:
    """(setting, address) for every file in :data:`LOADED_SETTINGS` given as another host's address."""
    found = []
    for setting in LOADED_SETTINGS:
        value = config[setting] if setting in config else None  # noqa: SIM401 (Config has no .get)
        entries = value if isinstance(value, (list, tuple)) else [value]
        for entry in entries:
            uri = entry[0] if isinstance(entry, (list, tuple)) and entry else entry
            if isinstance(uri, str) and is_remote(uri):
                found.append((setting, uri))
    return found


def check_settings(app: Sphinx, config: Config) -> None:
    """``config-inited``: refuse stylesheets, scripts, logo or favicon from another host, at their conf.py line."""
    from guideline_trace.config import ConfigProblem, stop_on_problems

    problems = [
        ConfigProblem(setting, f"{setting}: {uri} is loaded from another host on every page, which breaks the "
                      "site on closed networks. Put the file in _static/ and name it by its file name.", uri)
        for setting, uri in remote_settings(config)
    ]
    stop_on_problems(app, problems, "remote-resource",
                     f"{len(problems)} file(s) in conf.py would load from another host, listed above with their lines.")


#: ``url(…)`` or ``@import "…"`` in a stylesheet, with its address.
_CSS_ADDRESS = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)['"]""")


def css_addresses(text: str) -> list[tuple[int, str]]:
    """(character offset, address) of each file a stylesheet's ``text`` loads (``url(…)``, ``@import``)."""
    return [(match.start(), match.group(1) or match.group(2)) for match in _CSS_ADDRESS.finditer(text)]


def remote_in_stylesheets(app: Sphinx) -> list[Problem]:
    """Each address on another host that a stylesheet of ``html_static_path`` loads (``url(…)``,
    ``@import``), located at its file and line: the page would break on a closed network."""
    problems = []
    for folder in app.config.html_static_path:
        root = Path(app.confdir, folder)
        for css in sorted(root.rglob("*.css")) if root.is_dir() else []:
            text = css.read_text(encoding="utf-8", errors="replace")
            for offset, uri in css_addresses(text):
                if is_remote(uri):
                    problems.append(Problem(
                        Location(str(css), text.count("\n", 0, offset) + 1), "remote-resource",
                        f"the stylesheet loads {uri} from another host, so the page breaks for readers on closed "
                        "networks.", "Save the file in _static/ and refer to it by a relative path."))
    return problems


def check_stylesheets(app: Sphinx, env: Any) -> None:
    """``env-check-consistency``: report :func:`remote_in_stylesheets` (on every build, as the trace checks)."""
    checks.report(remote_in_stylesheets(app))


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("guideline_trace.checks")
    app.setup_extension("sphinx.ext.graphviz")
    app.connect("config-inited", check_settings, priority=700)
    app.connect("doctree-read", check_images, priority=400)  # before Sphinx's image collector (500)
    app.connect("env-check-consistency", check_stylesheets)
    return {
        "version": __version__,
        "env_version": 3,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
