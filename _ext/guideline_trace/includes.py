"""Links in an included file are written relative to that file, as its editor sees it.

MyST reads an ``{include}``-d file as part of the including page, so a link in
``requirements/standards/08-external-services.md`` such as ``[用語集](../../source/glossary.md)``
would be resolved from ``source/standards/`` (the chapter page): it either fails
as "target not found", reported against the chapter, or opens another page.
MyST's own answer is the ``:relative-docs:`` option on every include; here, when
MyST reads an included file (Sphinx's ``include-read`` event), every relative
Markdown link and image path outside code blocks is rewritten to the same target
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
from pathlib import Path
from typing import Any

__version__ = "1.0.0"

#: ``](target)`` or ``](target "title")`` or ``](<target>)`` of a Markdown link or image.
_LINK = re.compile(r"(?<!\\)\]\((<[^>]+>|[^)\s]+)((?:\s+\"[^\"]*\")?\))")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,}|:{3,})\s*(\{[^}]*\})?\s*(.*)$")
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


def rebase_markdown_links(text: str, from_dir: str, to_dir: str) -> str:
    """Every relative link and image target in ``text`` rebased with :func:`rebase_target`,
    and the path argument of ``{image}`` and ``{figure}`` directives.

    Left alone: code blocks (a fence with a language, or a bare fence outside any
    directive) and inline code spans. Directive blocks (```` ```{measure} ````) are
    Markdown and are rebased.
    """
    if os.path.normpath(from_dir) == os.path.normpath(to_dir):
        return text
    out: list[str] = []
    directives = 0
    closing: str | None = None
    for line in text.splitlines(keepends=True):
        fence = _FENCE.match(line)
        if closing is not None:  # inside a code block
            if fence and fence.group(1)[0] == closing[0] and len(fence.group(1)) >= len(closing) \
                    and not fence.group(2) and not fence.group(3).strip():
                closing = None
            out.append(line)
            continue
        if fence and fence.group(2):  # a directive opens
            directives += 1
            image = _IMAGE_ARGUMENT.match(line)
            if image:
                line = image.group(1) + rebase_target(image.group(2), from_dir, to_dir) + image.group(3) + (
                    "\n" if line.endswith("\n") else "")
            out.append(line)
            continue
        if fence and fence.group(1)[0] != ":" and (fence.group(3).strip() or directives == 0):
            closing = fence.group(1)  # a code block: with a language, or a bare fence at the top
            out.append(line)
            continue
        if fence and not fence.group(3).strip():  # a bare fence closes the innermost directive
            directives = max(0, directives - 1)
            out.append(line)
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
        content[0], os.path.relpath(from_dir, srcdir), os.path.relpath(page_dir, srcdir)
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
