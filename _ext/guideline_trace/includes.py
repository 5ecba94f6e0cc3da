"""Links in an included file are written relative to that file, as its editor sees it.

MyST reads an ``{include}``-d file as part of the including page, so a link in
``requirements/standards/08-external-services.md`` such as ``[用語集](../../source/glossary.md)``
would be resolved from ``source/standards/`` (the chapter page): it either fails
as "target not found", reported against the chapter, or opens another page.
MyST's own answer is the ``:relative-docs:`` option on every include; here, when
MyST reads an included file (Sphinx's ``include-read`` event), every relative
Markdown link and image path outside what MyST reads as code is rewritten to the same target
seen from the including page. Links that carry a scheme (``https:``, ``mailto:``,
``project:``), start at the site root (``/``) or only name an anchor (``#…``) are
left as they are.

MyST's own warnings about an included file (an unknown role or directive) name the
including page with the included file's line number (MyST logs ``(docname, line)``,
though it parses the included text with the included file as the document's source).
:class:`IncludedSourceFilter` puts the included file's path on them, so the editor is
sent to the line they must edit.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it.token import Token

__version__ = "1.0.0"

#: ``](target)`` or ``](target "title")`` or ``](<target>)`` of a Markdown link or image.
_LINK = re.compile(r"(?<!\\)\]\((<[^>]+>|[^)\s]+)((?:\s+\"[^\"]*\")?\))")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_IMAGE_ARGUMENT = re.compile(r"^(\s*(?:`{3,}|~{3,}|:{3,})\{(?:image|figure)\}\s+)(\S+)(.*)$")
_CODE_SPAN = re.compile(r"(`+)(?:.+?)\1")


def rebase_target(target: str, from_dir: str, to_dir: str) -> str:
    """``target`` (relative to ``from_dir``) relative to ``to_dir``; unchanged unless a relative path.

    Directories are POSIX-style paths relative to the same root. ``"../a.md#x"`` from
    ``"requirements/standards"`` seen from ``"source/standards"`` is ``"../../requirements/a.md#x"``.
    """
    bracketed = target.startswith("<") and target.endswith(">")
    bare = target[1:-1] if bracketed else target
    if not bare or bare.startswith(("#", "/")) or _SCHEME.match(bare):
        return target
    path, hash_, fragment = bare.partition("#")
    absolute = os.path.normpath(os.path.join(from_dir, path))
    rebased = os.path.relpath(absolute, to_dir).replace(os.sep, "/") + hash_ + fragment
    return f"<{rebased}>" if bracketed else rebased


#: Directives whose content is not Markdown: links in it are code and stay as written.
LITERAL_DIRECTIVES = frozenset({
    "code-block", "code", "sourcecode", "code-cell", "literalinclude", "parsed-literal", "graphviz", "graph",
    "digraph", "math", "raw", "csv-table", "eval-rst", "mermaid", "uml", "needuml",
})

Parse = Callable[[str], Sequence["Token"]]


def myst_parse(config: Any = None) -> Parse:
    """MyST's own block parser (markdown-it with MyST's plugins) for ``config`` (a ``MdParserConfig``;
    ``None``: MyST's defaults with colon fences), as a function from text to tokens."""
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    return create_md_parser(config or MdParserConfig(enable_extensions={"colon_fence"}), RendererHTML).parse


def code_lines(text: str, parse: Parse) -> set[int]:
    """The 0-based numbers of the lines of ``text`` that MyST reads as code, not Markdown.

    Code is what MyST's parser (``parse``) finds as an indented code block, a fence without a
    directive (```` ```md ````, a bare ```` ``` ````), or a directive in :data:`LITERAL_DIRECTIVES`
    (fence lines included). Other directives' bodies (a 例文 item, a ``{note}``) are Markdown: they are
    parsed again, as MyST does, and only their own code counts.
    """
    found: set[int] = set()
    for token in parse(text):
        if token.map is None:
            continue
        start, end = token.map
        if token.type == "code_block":
            found.update(range(start, end))
        elif token.type in ("fence", "colon_fence"):
            info = token.info.strip()
            name = info[1:info.index("}")] if info.startswith("{") and "}" in info else None
            if name is None or name in LITERAL_DIRECTIVES:
                found.update(range(start, end))
            else:
                found.update(start + 1 + n for n in code_lines(token.content, parse))
    return found


def rebase_markdown_links(text: str, from_dir: str, to_dir: str, parse: Parse | None = None) -> str:
    """Every relative link and image target in ``text`` rebased with :func:`rebase_target`,
    and the path argument of ``{image}`` and ``{figure}`` directives.

    Left alone: what MyST reads as code (:func:`code_lines`, found with ``parse``, MyST's parser;
    ``None``: :func:`myst_parse` with its defaults) and inline code spans. Directive blocks
    (```` ```{measure} ````) are Markdown and are rebased.
    """
    if os.path.normpath(from_dir) == os.path.normpath(to_dir):
        return text
    code = code_lines(text, parse or myst_parse())
    out: list[str] = []
    for n, line in enumerate(text.splitlines(keepends=True)):
        if n in code:
            out.append(line)
            continue
        image = _IMAGE_ARGUMENT.match(line)
        if image:
            out.append(image.group(1) + rebase_target(image.group(2), from_dir, to_dir) + image.group(3)
                       + ("\n" if line.endswith("\n") else ""))
            continue
        out.append(_rebase_outside_code_spans(line, from_dir, to_dir))
    return "".join(out)


def _rebase_outside_code_spans(line: str, from_dir: str, to_dir: str) -> str:
    def links(text: str) -> str:
        return _LINK.sub(lambda m: "](" + rebase_target(m.group(1), from_dir, to_dir) + m.group(2), text)

    parts: list[str] = []
    last = 0
    for span in _CODE_SPAN.finditer(line):
        parts += [links(line[last:span.start()]), span.group(0)]
        last = span.end()
    parts.append(links(line[last:]))
    return "".join(parts)


def rebase_included_links(app: Any, relative_path: Path, parent_docname: str, content: list[str]) -> None:
    """``include-read``: rewrite the included text's relative links for the page that includes it."""
    srcdir = Path(app.srcdir)
    page_dir = Path(app.env.doc2path(app.env.docname)).parent
    from_dir = (srcdir / relative_path).parent
    content[0] = rebase_markdown_links(
        content[0], os.path.relpath(from_dir, srcdir), os.path.relpath(page_dir, srcdir),
        myst_parse(getattr(app.env, "myst_config", None)),
    )


class IncludedSourceFilter(logging.Filter):
    """Locate MyST's warnings about an included file at that file, not at the including page.

    MyST's ``create_warning(document, ...)`` logs ``location=(docname, line)``: the page's
    name with the line in the included file. While MyST renders an included file, the
    ``document["source"]`` it was given is that file; this filter reads it from the
    ``create_warning`` call that is logging (the record is handled in the same call), and
    rewrites the location to ``file:line``. Any other record passes unchanged; if MyST
    changes, records keep MyST's location (``tests/roots/myst-error-in-included-file``
    then fails).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        location = getattr(record, "location", None)
        if not isinstance(location, tuple) or len(location) != 2 or not location[1]:
            return True
        source = _myst_document_source()
        if source:  # the page itself, or the included file MyST is rendering
            record.location = f"{source}:{location[1]}"
        return True


def _myst_document_source() -> str | None:
    """``document["source"]`` of the MyST ``create_warning`` call on the stack, if any."""
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if code.co_name == "create_warning" and "myst_parser" in code.co_filename:
            document = frame.f_locals.get("document")
            source = document.get("source") if document is not None else None
            return str(source) if source else None
        frame = frame.f_back  # type: ignore[assignment]
    return None


def install_source_filter() -> None:
    """Put one :class:`IncludedSourceFilter` on the logger MyST's warnings go through."""
    from myst_parser import warnings_

    logger = logging.getLogger(f"sphinx.{warnings_.__name__}")
    if not any(isinstance(f, IncludedSourceFilter) for f in logger.filters):
        logger.addFilter(IncludedSourceFilter())


def setup(app: Any) -> dict[str, Any]:
    app.connect("include-read", rebase_included_links)
    install_source_filter()
    return {
        "version": __version__,
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
