"""MyST source text read as the editor wrote it: a directive's options with their lines, and the need IDs
written in a file. No parser and no Sphinx: these read the text a parser may have misread (a fence closed
early turns the next need into a code block), so the build can say where that happened.

One reader of directive options (:func:`directive_options`) serves every use: where each option of a need
is written (:func:`option_lines`), options written twice (:func:`repeated_options`), and the IDs of the
needs in a file (:func:`written_need_ids`). Options are written either as ``:name: value`` lines at the
top of the directive's body, up to the first line that is not one (MyST's rule), or as a YAML block
between ``---`` lines.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass

_FENCE = re.compile(r"^\s*(`{3,}|~{3,}|:{3,})\s*(\{([\w:-]+)\})?\s*(\S*)")
_COLON_OPTION = re.compile(r"^\s*:([\w-]+):(.*)$")
#: an option line as the editor meant it: a full-width colon (：) read as ``:``
_FOLDED_OPTION = re.compile(r"^\s*[:：]([\w-]+)[:：](.*)$")
_YAML_OPTION = re.compile(r"^\s*([\w-]+):(.*)$")


@dataclass(frozen=True)
class WrittenOption:
    """One option as written: its name, its value (YAML quotes removed) and its 1-based line."""

    name: str
    value: str
    line: int


def directive_options(
    lines: Sequence[str], start: int = 0, first_line: int | None = None, *, fold: bool = False,
) -> list[WrittenOption]:
    """The options at the top of a directive's body, which begins at ``lines[start]`` (the line after the
    fence line), in order; a name written twice appears twice.

    ``first_line``: the 1-based line of ``lines[start]`` in its file (default ``start + 1``); ``fold``:
    read a full-width colon (``：``) around a name as ``:`` (the options as the editor meant them).
    """
    base = (start + 1 if first_line is None else first_line) - start
    found: list[WrittenOption] = []
    if start < len(lines) and lines[start].strip() == "---":  # a YAML block
        for index in range(start + 1, len(lines)):
            if lines[index].strip() == "---":
                break
            match = _YAML_OPTION.match(lines[index])
            if match:
                found.append(WrittenOption(match.group(1), match.group(2).strip().strip("'\""), base + index))
        return found
    pattern = _FOLDED_OPTION if fold else _COLON_OPTION
    for index in range(start, len(lines)):
        match = pattern.match(lines[index])
        if match is None:
            break
        found.append(WrittenOption(match.group(1), match.group(2).strip(), base + index))
    return found


def first_option_lines(options: Iterable[WrittenOption]) -> tuple[tuple[str, int], ...]:
    """(name, 1-based line) of each option name, where it is first written."""
    seen: dict[str, int] = {}
    for option in options:
        seen.setdefault(option.name, option.line)
    return tuple(seen.items())


def repeated_values(options: Iterable[WrittenOption]) -> dict[str, list[str]]:
    """Options written more than once: name -> every value, in order.

    Docutils keeps the last value of a repeated option without a word.
    """
    values: dict[str, list[str]] = {}
    for option in options:
        values.setdefault(option.name, []).append(option.value)
    return {name: found for name, found in values.items() if len(found) > 1}


def option_lines(block_text: str, first_line: int) -> tuple[tuple[str, int], ...]:
    """:func:`first_option_lines` of the directive ``block_text``, whose fence line is on ``first_line``."""
    return first_option_lines(directive_options(block_text.splitlines(), 1, first_line + 1))


def repeated_options(block_text: str) -> dict[str, list[str]]:
    """:func:`repeated_values` of the directive ``block_text``."""
    return repeated_values(directive_options(block_text.splitlines(), 1))


def directive_lines(text: str, name: str | None = None) -> list[tuple[int, str, str]]:
    """(1-based line, directive name, argument) of each line of MyST ``text`` that opens a directive
    (a fence of backticks, tildes or colons, then ``{name}``); only directive ``name`` if given."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _FENCE.match(line)
        if match and match.group(3) and (name is None or match.group(3) == name):
            found.append((number, match.group(3), match.group(4)))
    return found


def _directive_fences(lines: Sequence[str]) -> Iterator[tuple[int, str, str | None]]:
    """The directive fences of MyST ``lines``, as the editor meant them: ``(1-based line, fence,
    directive name)`` for each ``{directive}`` fence that opens a block, and ``(line, fence, None)``
    for the bare fence that closes the innermost open one, whatever the number of backticks (CommonMark
    would close an outer block early on an inner fence of the same length). A fenced code block with a
    language (````md``, ```python``), and a bare fence outside any directive (a plain code block), are
    skipped whole, so examples of the syntax are not read."""
    depth = 0
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if match is not None:
            fence, directive, info = match.group(1), match.group(3), match.group(4)
            if directive:
                depth += 1
                yield i + 1, fence, directive
            elif info or not depth:  # a code block (with a language, or outside any directive): skip it
                closing = next((k for k in range(i + 1, len(lines))
                                if re.match(rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$", lines[k])), None)
                if closing is not None:  # a fence never closed is a stray one: read on
                    i = closing
            else:
                depth -= 1
                yield i + 1, fence, None
        i += 1


def written_need_ids(text: str, directive_names: Collection[str]) -> list[tuple[str, int]]:
    """(ID, 1-based line) of every need directive written in MyST ``text``, as the editor meant it
    (:func:`_directive_fences`: the blocks CommonMark would end early are counted, which is the mistake
    this finds). ``directive_names``: the need directives.
    """
    lines = text.splitlines()
    return [(o.value, o.line) for line, _, directive in _directive_fences(lines)
            if directive in directive_names for o in directive_options(lines, line) if o.name == "id"]


@dataclass(frozen=True)
class EarlyClose:
    """A directive block written inside a need and fenced like it: ``line`` (1-based) and ``name`` of the
    inner block, ``need_id`` and ``fence`` (e.g. ```` ``` ````) of the need it closes early."""

    line: int
    name: str
    need_id: str
    fence: str


def early_closes(text: str, directive_names: Collection[str]) -> list[EarlyClose]:
    """Directive blocks inside a need whose fence uses the need's character at least as many times.

    CommonMark ends a fenced block at the first bare fence of its character at least as long as its
    opening one: the inner block's closing fence therefore closes the need, and the rest of the need
    (its 解説 …) is published after it as page text, with an empty code block where the need's own
    closing fence was. ``directive_names``: the need directives. Plain code blocks are skipped as in
    :func:`written_need_ids`.
    """
    found: list[EarlyClose] = []
    lines = text.splitlines()
    # (fence, need ID or "", the early closes found inside it while it was open)
    stack: list[tuple[str, str, list[EarlyClose]]] = []
    for line, fence, directive in _directive_fences(lines):
        if directive is None:
            # a need closed by a fence of its own after the inner block: the editor meant the nesting, and
            # CommonMark ended the need at the inner block's fence (a need never closed is nested-need's)
            found += stack.pop()[2]
            continue
        need_id = ""
        if directive in directive_names:
            need_id = next((o.value for o in directive_options(lines, line) if o.name == "id"), "?")
        outer = next((entry for entry in reversed(stack) if entry[1]), None)
        # a need inside a need is a missing closing fence (nested-need), not an inner block
        if outer and not need_id and fence[0] == outer[0][0] and len(fence) >= len(outer[0]):
            outer[2].append(EarlyClose(line, directive, outer[1], outer[0]))
        stack.append((fence, need_id, []))
    return found


@dataclass(frozen=True)
class OptionSlip:
    """An option the editor wrote that MyST does not read as one, with what was meant.

    ``kind``: ``"wrapped"`` (a value continued on the next line, which MyST reads as the body),
    ``"after-blank"`` (option lines after a blank line, read as the body), or ``"full-width"``
    (``：`` for ``:``, which MyST cannot read at all). ``line``: 1-based line of the slip;
    ``lines``: every 1-based line read as the option (for ``wrapped``, the option's line too);
    ``name`` and ``value``: the option as meant (a wrapped value joined with one space, or none
    between Japanese text).
    """

    kind: str
    line: int
    lines: tuple[int, ...]
    name: str
    value: str


#: a continued reason list: ``ISO-A-15-1-2: 合意…`` at the start of a line
_REASON_START = re.compile(r"^[A-Z][A-Z0-9]*-[\w-]+\s*[:：]")


def full_width_option(line: str) -> bool:
    """Whether ``line`` is a ``:name: value`` option line with a full-width colon (``：``) around the name."""
    return _FOLDED_OPTION.match(line) is not None and _COLON_OPTION.match(line) is None


def _join(first: str, more: str) -> str:
    """Two parts of a wrapped value: a space between them unless both sides are Japanese text."""
    if first and more and not first[-1].isascii() and not more[0].isascii():
        return first + more
    return f"{first} {more}".strip()


def option_slips(lines: Sequence[str], start: int, first_line: int, known: Collection[str]) -> list[OptionSlip]:
    """Options of the directive body that begins at ``lines[start]`` (on 1-based line ``first_line``) that
    MyST reads as body text or cannot read, as the editor meant them.

    MyST's rule: the options are the lines at the top of the body that start with ``:``, up to the first
    line that does not; each must be ``:name: value`` on one line. So a value wrapped onto the next line,
    a blank line before or inside the options, and a full-width colon each lose options without a word
    from MyST (or with a bare syntax error). A wrapped line is one that is indented (not as a list item),
    or that follows a value ending in a separator (``,`` ``、`` ``;`` ``；``), or that starts like a reason
    (``ISO-A-5-1-2: …``) after a ``*_reason`` option; the option lines after it are read too (kind
    ``"after-wrap"``, part of the same slip). ``known``: the directive's option names; an option line
    after a blank line must name one, or be close to one (a misspelling), so body text that happens to
    start with a colon is left alone.
    """
    base = first_line - start
    found: list[OptionSlip] = []
    written: list[WrittenOption] = []
    index = start

    def known_like(name: str) -> bool:
        return name in known or bool(difflib.get_close_matches(name, list(known), n=1, cutoff=0.8))

    def read_block(kind: str | None) -> None:
        """Read option lines from ``index`` on: a full-width one is a slip; ``kind`` marks every line."""
        nonlocal index
        while index < len(lines) and (folded := _FOLDED_OPTION.match(lines[index])) is not None:
            name, value = folded.group(1), folded.group(2).strip()
            option = WrittenOption(name, value, base + index)
            if full_width_option(lines[index]):
                found.append(OptionSlip("full-width", option.line, (option.line,), name, value))
            elif kind is not None:
                found.append(OptionSlip(kind, option.line, (option.line,), name, value))
            written.append(option)
            index += 1

    def after_blank() -> bool:
        """Blank lines at ``index`` followed by option lines: read them as slips after a blank line."""
        nonlocal index
        look = index
        while look < len(lines) and not lines[look].strip():
            look += 1
        folded = _FOLDED_OPTION.match(lines[look]) if index < look < len(lines) else None
        if folded is None or not known_like(folded.group(1)):
            return False
        index = look
        read_block("after-blank")
        return True

    if start < len(lines) and lines[start].strip() == "---":
        return found  # a YAML block: MyST reads it with YAML's own rules
    if after_blank():  # a blank line right after the directive's first line: MyST reads no option at all
        return found
    read_block(None)
    while written and index < len(lines) and lines[index].strip():
        last = written[-1]
        if not _continues(last, lines[index]):
            return found
        value, taken = last.value, [last.line]
        while index < len(lines) and lines[index].strip() and _FOLDED_OPTION.match(lines[index]) is None:
            value = _join(value, lines[index].strip())
            taken.append(base + index)
            index += 1
        found.append(OptionSlip("wrapped", taken[1], tuple(taken), last.name, value))
        written[-1] = WrittenOption(last.name, value, last.line)
        read_block("after-wrap")  # MyST read none of the options after the wrapped line
    if written:
        after_blank()
    return found


#: a list item's marker at the start of an indented line: body text, not a wrapped value
_LIST_ITEM = re.compile(r"^\s+(?:[-*+]|\d+[.)])\s")


def _continues(option: WrittenOption, text: str) -> bool:
    """Whether ``text``, right after the option line of ``option``, continues its value."""
    if text[:1].isspace():
        return _LIST_ITEM.match(text) is None
    if option.value.endswith((",", "、", ";", "；")):
        return True
    return option.name.endswith("_reason") and _REASON_START.match(text) is not None


def html_comments(text: str) -> list[tuple[int, int]]:
    """(first, last) 1-based lines of each HTML comment (``<!-- … -->``) in MyST ``text``.

    Markdown publishes such a comment as raw HTML: whatever it holds stays in the page's source and
    is not built (a requirement "commented out" this way disappears from every view).
    """
    found = []
    for match in re.finditer(r"<!--.*?(?:-->|\Z)", text, flags=re.DOTALL):
        first = text.count("\n", 0, match.start()) + 1
        found.append((first, first + match.group(0).count("\n")))
    return found
