"""A municipality's own 基本方針 and 対策基準: the 例文 of a frozen edition tailored by its profile.

:func:`tailor` turns an :class:`~trace_model.editions.Edition` and a :class:`~trace_model.profile.Profile` into a
:class:`Policy`: two documents laid out as municipal 規程 — chapters (章) and sections (節) of the 対策基準 as
the guideline has them, one article (条) per adopted 例文 or addition, numbered from 1 in each document; an
article's paragraphs (項: the 例文's ①②…) hold their sentences, their items (号: the 例文's 1. 2. …) and
tables. Every article keeps its trace: the 例文 it comes from and that 例文's NISC and ISO links (with the
catalog numbers and titles of the edition). What differs from the 例文 is listed (:attr:`Policy.differences`),
and the municipality's SoA is computed over the articles it adopts (:func:`municipal_soa`).

The wording is the 例文's with exactly these changes: each ``{param}`` replaced by the profile's value, 「本団体」
by the profile's 自称, a reference to another 例文 (its ID, or the heading of a 基本方針 item or a 対策基準
section) by the municipality's article, chapter or section number, and the 改める例文 and 加える例文 of the
profile. Pure Python: no Sphinx import.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from trace_model.editions import Edition, FrozenItem, _join, char_diff, ref_target
from trace_model.params import substitute, uses
from trace_model.profile import SELF_WORD, Profile

#: The two documents, in order: (key, the need type of their 例文).
DOCUMENTS = (("基本方針", "policy"), ("対策基準", "measure"))
_CIRCLED = re.compile(r"^([\u2460-\u2473])\s*")
_NUMBERED = re.compile(r"^(\d+)[.)]\s+")
_BULLET = re.compile(r"^[-*+]\s+")
_BOLD_LINE = re.compile(r"^\*\*(.+)\*\*$")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
#: A reference a frozen 例文 keeps (``trace_model.editions.REF_ROLE``), with the spaces around it.
_KEPT_REF = re.compile(r" ?\{ref\}`([^`<]*?)\s*<([^<>`]+)>` ?")
#: 「基本方針 4（{ref}`… <pol-4>`）」: the number and the reference name the same 条.
_POLICY_REF = re.compile(r"基本方針 ?\d+（\{ref\}`([^`<]*?)\s*<(pol-\d+)>`）")

_KANJI_DIGITS = "〇一二三四五六七八九"
_FULL_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def kanji_number(n: int) -> str:
    """``n`` (1–999) in kanji as 規程 number their 号 and 章: 1 -> 一, 10 -> 十, 23 -> 二十三, 105 -> 百五."""
    if not 0 < n < 1000:
        raise ValueError(f"{n} is outside 1–999")
    out = ""
    for value, unit in ((100, "百"), (10, "十")):
        digit, n = divmod(n, value)
        if digit:
            out += ("" if digit == 1 else _KANJI_DIGITS[digit]) + unit
    return out + (_KANJI_DIGITS[n] if n else "")


def full_width(n: int) -> str:
    """``n`` in full-width digits, as a 規程 numbers its 項 (２, ３ …)."""
    return str(n).translate(_FULL_DIGITS)


@dataclass(frozen=True)
class Block:
    """One block of a paragraph (項): ``kind`` ``text`` (a sentence or more), ``items`` (号, numbered 一二三),
    ``list`` (labelled sub-items the 例文 writes as （ア）（イ）…), or ``table`` (``rows``, the first the header,
    and ``caption``)."""

    kind: str
    text: str = ""
    items: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    caption: str = ""


@dataclass(frozen=True)
class Paragraph:
    """A 項: its number (1-based; a 規程 prints it from the second on) and its blocks."""

    number: int
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class TraceEntry:
    """One link an article keeps: the standard's key and label, the entry's number and title, the reason."""

    standard: str
    label: str
    number: str
    title: str
    reason: str
    relationship: str


@dataclass(frozen=True)
class Article:
    """A 条: its ``number`` in its document, ``title`` (見出し), ``paragraphs``, the ``source`` 例文 ID (``""`` for
    an addition), ``origin`` (``例文`` / ``改めた例文`` / ``追加``), ``id`` (the 例文's or the addition's ID), its
    chapter and section keys, the ``trace`` it keeps, and its 自己点検 ``check``."""

    document: str
    number: int
    id: str
    title: str
    paragraphs: tuple[Paragraph, ...]
    source: str
    origin: str
    chapter: str
    section: str
    trace: tuple[TraceEntry, ...] = ()
    check: str = ""
    text: str = ""

    @property
    def label(self) -> str:
        """``第12条``: a 横書き 規程 numbers its 条 in Arabic numerals (項 ``2``, 号 ``(1)``, 細分 ``ア``)."""
        return f"第{self.number}条"


@dataclass(frozen=True)
class Section:
    """A 節 of the 対策基準: number within its chapter, title (without the guideline's number), articles."""

    number: int
    title: str
    key: str
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class Chapter:
    """A 章 of the 対策基準 (or the single unnamed chapter of the 基本方針): number, title, sections."""

    number: int
    title: str
    key: str
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class Document:
    """One 規程: ``key`` (基本方針 / 対策基準), ``title``, chapters (the 基本方針 has one, untitled)."""

    key: str
    title: str
    chapters: tuple[Chapter, ...]

    def articles(self) -> list[Article]:
        return [a for c in self.chapters for s in c.sections for a in s.articles]


@dataclass(frozen=True)
class Difference:
    """One entry of the 例文との相違 list: ``kind`` (``param`` 団体で定める事項 / ``omitted`` 採用しない /
    ``reworded`` 改めた / ``added`` 追加), the item, the article it became (``""`` when omitted), the reason, and
    for a rewording the 例文's and the municipality's text as diff segments."""

    kind: str
    id: str
    title: str
    article: str
    reason: str
    old: str = ""
    new: str = ""
    items: tuple[str, ...] = ()
    #: a rewording that also changed the 見出し: the 例文's
    old_title: str = ""


@dataclass(frozen=True)
class Policy:
    """The municipality's tailored policy: its profile, the edition, the two documents, the differences."""

    profile: Profile
    edition: Edition
    documents: tuple[Document, ...]
    differences: tuple[Difference, ...] = ()
    article_of: Mapping[str, Article] = field(default_factory=dict)

    def articles(self) -> list[Article]:
        return [a for d in self.documents for a in d.articles()]


_ITEM_MARK = re.compile(r"^(?:\d+[.)]\s+|[（(]\d+[）)]\s*)")


def _separate(text: str) -> str:
    """``text`` with a blank line before each line that starts a new 項 (①…), 号 (``1.``, ``1)``, ``(1)``, the
    last two written as ``1.``), bullet or table, and before a plain line after a list or table: what an officer
    writes on consecutive lines reads as the 例文 written with blank lines do (an indented line continues the
    line before it)."""
    out: list[str] = []
    previous: str | None = None  # the kind of the block the last line belongs to
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped:
            out.append("")
            previous = None
            continue
        if line[:1] in (" ", "\t") and not re.match(r"^(?:[\u2460-\u2473]|\d+[.)]\s|[（(]\d+[）)]|[-*+]\s)", stripped):
            out.append(line)  # an indented plain line continues the line before it
            continue
        kind = ("paragraph" if _CIRCLED.match(stripped) else "item" if _ITEM_MARK.match(stripped)
                else "bullet" if _BULLET.match(stripped) else "table" if stripped.startswith("|") else "text")
        if kind == "item":
            line = re.sub(r"^[（(](\d+)[）)]\s*", r"\1. ", stripped)
        starts = kind == "paragraph" or (kind in ("item", "bullet", "table") and previous != kind) \
            or (kind == "text" and previous in ("item", "bullet", "table"))
        if starts and previous is not None:
            out.append("")
        out.append(line)
        previous = kind if starts or previous is None else previous
    return "\n".join(out)


def parse_blocks(text: str) -> list[Paragraph]:
    """The 項 of a 例文's (already substituted) wording: a paragraph starting ①② … starts a 項; a numbered list
    is its 号; a bulleted list its labelled sub-items; a ``**caption**`` line and a table its table. Line breaks
    inside a paragraph are joined as the site shows them."""
    paragraphs: list[list[Block]] = []

    def current() -> list[Block]:
        if not paragraphs:
            paragraphs.append([])
        return paragraphs[-1]

    caption = ""
    for raw in re.split(r"\n[ \t]*\n", _separate(text).strip()):
        lines = [line.rstrip() for line in textwrap.dedent(raw).split("\n") if line.strip()]
        if not lines:
            continue
        if all(line.lstrip().startswith("|") for line in lines):
            rows = tuple(tuple(_BOLD.sub(r"\1", c.strip()) for c in line.strip().strip("|").split("|"))
                         for line in lines if not re.match(r"^\|?[\s:|-]*-{3,}[\s:|-]*$", line.strip()))
            current().append(Block("table", rows=rows, caption=caption))
            caption = ""
            continue
        bold = _BOLD_LINE.match(lines[0].strip())
        if len(lines) == 1 and bold:
            caption = bold.group(1)
            continue
        first = lines[0].strip()
        if _NUMBERED.match(first) or _BULLET.match(first):
            pattern = _NUMBERED if _NUMBERED.match(first) else _BULLET
            entries: list[list[str]] = []
            for line in lines:
                stripped = line.strip()
                if pattern.match(stripped) and not line.startswith((" ", "\t")):
                    entries.append([pattern.sub("", stripped)])
                elif entries:
                    entries[-1].append(stripped)
            items = tuple(_BOLD.sub(r"\1", _join(e)) for e in entries)
            if items:  # (a block that only looked like a list is kept as text below: nothing is dropped)
                current().append(Block("items" if pattern is _NUMBERED else "list", items=items))
                continue
        sentence = _BOLD.sub(r"\1", _join([line.strip() for line in lines]))
        circled = _CIRCLED.match(sentence)
        if circled:
            paragraphs.append([])
            sentence = sentence[circled.end():]
        current().append(Block("text", text=sentence))
    return [Paragraph(n, tuple(blocks)) for n, blocks in enumerate(paragraphs, 1)]


def _heading(title: str) -> str:
    """A chapter or section title without the guideline's number (``2.1 最高情報セキュリティ責任者`` -> the rest)."""
    return re.sub(r"^[0-9.]+\s*", "", title).strip()


def _fill(item: FrozenItem, profile: Profile) -> str:
    """The 例文's wording with the profile's 団体で定める事項 and 自称 (references are renumbered later)."""
    text = substitute(item.statement, lambda use: profile.values[use.key])
    return text.replace(SELF_WORD, profile.self_word)


def tailor(edition: Edition, profile: Profile, labels: Mapping[str, str] | None = None) -> Policy:
    """The municipality's :class:`Policy` (see the module docstring). ``labels``: standard key -> the label to
    show (default: the edition's catalog labels). The profile must have been read against ``edition``
    (:func:`trace_model.profile.read_profile`), which has checked everything this relies on; a value missing
    here is a bug and raises ``KeyError``."""
    labels = dict(labels or {c.standard: c.label for c in edition.catalogs})
    entries = {(c.standard, e.id): e for c in edition.catalogs for e in c.entries}
    kept = [i for i in edition.items if profile.adopts(i)]
    after: dict[str, list[str]] = {}
    for addition in profile.additions:
        after.setdefault(addition.after, []).append(addition.id)
    additions = {a.id: a for a in profile.additions}

    # reading order: each 例文 kept, then what is added after it (and after those, recursively)
    order: list[tuple[str, FrozenItem]] = []  # (id, the 例文 it sits with)

    def place(item_id: str, home: FrozenItem) -> None:
        order.append((item_id, home))
        for added in after.get(item_id, []):
            place(added, home)

    for item in kept:
        place(item.id, item)
    placed = {item_id for item_id, _ in order}
    lost = [a.id for a in profile.additions if a.id not in placed]
    if lost:  # read_profile refuses an addition placed after a 例文 left out: nothing may be dropped here
        raise KeyError(f"additions placed after a 例文 the profile leaves out: {', '.join(lost)}")

    # numbering: articles from 1 per document; chapters and sections renumbered over what is kept
    numbers: dict[str, tuple[str, int]] = {}
    chapter_no: dict[tuple[str, str], int] = {}
    section_no: dict[tuple[str, str, str], int] = {}
    counters = {key: 0 for key, _ in DOCUMENTS}
    document_of_type = {need_type: key for key, need_type in DOCUMENTS}
    for item_id, home in order:
        document = document_of_type.get(home.type, "対策基準")
        counters[document] += 1
        numbers[item_id] = (document, counters[document])
        chapter_key = (document, home.chapter)
        chapter_no.setdefault(chapter_key, len([k for k in chapter_no if k[0] == document]) + 1)
        section_key = (document, home.chapter, home.section)
        section_no.setdefault(section_key, len([k for k in section_no if k[:2] == chapter_key]) + 1)

    chapter_titles = dict(edition.chapters)
    # a kept reference's label -> the municipality's 条, 章 or 節 (ref_target names the labels)
    places: dict[str, tuple[str, str]] = {}
    for item in kept:
        document = document_of_type.get(item.type, "対策基準")
        if item.type == "policy":
            places.setdefault(f"pol-{item.id.removeprefix('POL-').lower()}", (document, f"第{numbers[item.id][1]}条"))
        elif item.section:
            chapter = chapter_no[(document, item.chapter)]
            section = section_no[(document, item.chapter, item.section)]
            match = re.match(r"^(\d+)\.(\d+)\s", item.section)
            if match:
                places.setdefault(f"std-{match.group(1)}-{match.group(2)}", (document, f"第{chapter}章第{section}節"))
                places.setdefault(f"std-{match.group(1)}", (document, f"第{chapter}章"))

    # a 例文's ID, or one of the profile's additions (an addition may cite another: 「KAKU-1 により…」)
    cited = re.compile(r" ?\b(" + "".join(f"{re.escape(a)}|" for a in sorted(additions, key=len, reverse=True))
                       + r"(?:STD|POL)-\d+(?:-\d+)*)\b ?")

    def in_document(target_document: str, where: str, document: str) -> str:
        """``where`` (第8条, 第3章第1節) as cited from ``document``: with the other document's title if need be."""
        if target_document == document:
            return where
        return (profile.policy_title if target_document == "基本方針" else profile.standards_title) + where

    def renumber(text: str, document: str, strict: bool = True) -> str:
        def place(label: str, shown: str) -> str:
            if label not in places:
                if not strict or not ref_target(label):  # a glossary term, a page of the guideline: its words
                    return shown
                raise KeyError(f"{label} is referred to but not adopted")
            return in_document(*places[label], document)

        # 「基本方針 4（「4. 適用範囲」）に定める」: the reference says it all -> 「…基本方針第4条に定める」
        text = _POLICY_REF.sub(lambda m: place(m.group(2), m.group(1)), text)
        text = _KEPT_REF.sub(lambda m: place(m.group(2), m.group(1)), text)

        def article(match: re.Match[str]) -> str:
            target = match.group(1)
            if target not in numbers:
                if not strict:  # the 例文's own text of a rewording, shown in the 相違 list: the ID as it is
                    return f"例文 {target}"
                raise KeyError(f"{target} is referred to but not adopted")
            target_document, number = numbers[target]
            return in_document(target_document, f"第{number}条", document)

        return cited.sub(article, text)

    articles: dict[str, Article] = {}
    differences: list[Difference] = []
    for item_id, home in order:
        document, number = numbers[item_id]
        if item_id in additions:
            addition = additions[item_id]
            text = renumber(addition.wording, document)
            articles[item_id] = Article(document, number, item_id, addition.title, tuple(parse_blocks(text)), "",
                                        "追加", home.chapter, home.section, (), addition.check, text)
            differences.append(Difference("added", item_id, addition.title, f"{document}{articles[item_id].label}",
                                          addition.reason,
                                          new=text))
            continue
        item = home
        trace = []
        for link in item.links:
            entry = entries.get((link.standard, link.target))
            trace.append(TraceEntry(link.standard, labels.get(link.standard, link.standard),
                                    entry.number if entry else link.target, entry.title if entry else "",
                                    link.reason, link.relationship))
        if item.id in profile.reworded:
            rewording = profile.reworded[item.id]
            text = renumber(rewording.wording, document)
            title = rewording.title or item.title
            origin = "改めた例文"
            standard_text = renumber(_fill(item, profile), document, strict=False)
            differences.append(Difference("reworded", item.id, title, f"{document}第{number}条",
                                          rewording.reason, old=_plain(standard_text), new=_plain(text),
                                          old_title=item.title if title != item.title else ""))
        else:
            text = renumber(_fill(item, profile), document)
            title = item.title
            origin = "例文"
        own_check = profile.reworded[item.id].check if item.id in profile.reworded else ""
        check = own_check or item.check.replace(SELF_WORD, profile.self_word)
        articles[item.id] = Article(document, number, item.id, title, tuple(parse_blocks(text)), item.id, origin,
                                    item.chapter, item.section, tuple(trace), check, text)
    for item in edition.items:
        if not profile.adopts(item):
            differences.append(Difference("omitted", item.id, item.title, "", profile.omitted.get(item.id, "")))
    params = {p.key: p for p in edition.params}
    kept_uses = {i.id: uses(i.statement) for i in kept}
    for key, value in profile.values.items():
        using = tuple(i for i, found in kept_uses.items()
                      if i not in profile.reworded and any(u.key == key for u in found))
        defaults = {u.default for found in kept_uses.values() for u in found if u.key == key}
        differences.append(Difference("param", key, params[key].label if key in params else key,
                                      "、".join(f"{articles[i].document}{articles[i].label}" for i in using),
                                      "団体で定める事項",
                                      old="／".join(sorted(defaults)), new=value, items=using))

    documents = []
    for key, _need_type in DOCUMENTS:
        title = profile.policy_title if key == "基本方針" else profile.standards_title
        chapters: list[Chapter] = []
        for item_id, home in order:
            article = articles[item_id]
            if numbers[item_id][0] != key:
                continue
            if not chapters or chapters[-1].key != home.chapter:
                chapters.append(Chapter(chapter_no[(key, home.chapter)],
                                        "" if key == "基本方針" else _heading(chapter_titles.get(home.chapter, "")),
                                        home.chapter, ()))
            last = chapters[-1]
            sections = list(last.sections)
            if not sections or sections[-1].key != home.section:
                sections.append(Section(section_no[(key, home.chapter, home.section)],
                                        "" if key == "基本方針" else _heading(home.section), home.section, ()))
            sections[-1] = Section(sections[-1].number, sections[-1].title, sections[-1].key,
                                   (*sections[-1].articles, article))
            chapters[-1] = Chapter(last.number, last.title, last.key, tuple(sections))
        documents.append(Document(key, title, tuple(chapters)))
    return Policy(profile, edition, tuple(documents), tuple(differences), articles)


def _plain(text: str) -> str:
    """A wording as plain lines (one per paragraph, item or table row) for the 相違 list's diff."""
    lines = []
    for paragraph in parse_blocks(text):
        for block in paragraph.blocks:
            if block.kind == "text":
                lines.append(block.text)
            elif block.kind in ("items", "list"):
                lines += [f"({n})　{i}" if block.kind == "items" else i for n, i in enumerate(block.items, 1)]
            else:
                lines += ["｜".join(row) for row in block.rows]
    return "\n".join(lines)


def diff(difference: Difference) -> tuple[tuple[object, ...], tuple[object, ...]]:
    """The 例文's and the municipality's text of a rewording as marked segments (:func:`char_diff`)."""
    return char_diff(difference.old, difference.new)


# -- the municipality's SoA ---------------------------------------------------------------------------------

#: Which catalog entries a SoA lists, per standard: the printed numbers of controls (ISO) or items (NISC).
SOA_ENTRIES = {"iso": re.compile(r"^A\.\d+\.\d+\.\d+$"), "iso22": re.compile(r"^\d+\.\d+$"),
               "nisc": re.compile(r"^\d+\.\d+\.\d+$")}


@dataclass(frozen=True)
class SoaRow:
    """One control (item) of a municipal SoA: its number and title; ``status`` 適用 (articles implement it),
    ``不採用`` (only 例文 the municipality left out did), 適用除外 (the guideline's SoA excludes it, with its
    justification) or 対応なし; the articles, the 例文 left out with their reasons, the justification."""

    number: str
    title: str
    status: str
    articles: tuple[str, ...] = ()
    omitted: tuple[tuple[str, str], ...] = ()
    justification: str = ""


def municipal_soa(policy: Policy, standard: str) -> list[SoaRow]:
    """The municipality's SoA for ``standard`` (``iso``, ``iso22``, ``nisc``), one row per control (item) in
    catalog order. A link to a NISC 遵守事項 (``2.1.1(1)``) counts for its item (``2.1.1``)."""
    catalog = policy.edition.catalog(standard)
    if catalog is None:
        raise KeyError(f"the edition {policy.edition.id} has no catalog {standard!r}")
    pattern = SOA_ENTRIES[standard]
    number_of = {e.id: e.number for e in catalog.entries}

    def row_number(target: str) -> str:
        return re.sub(r"\(.*$", "", number_of.get(target, ""))

    by_number: dict[str, list[str]] = {}
    for article in policy.articles():
        item = policy.edition.item(article.source) if article.source else None
        for link in item.links if item else ():
            if link.standard == standard:
                by_number.setdefault(row_number(link.target), []).append(f"{article.document}{article.label}")
    left_out: dict[str, list[tuple[str, str]]] = {}
    for item in policy.edition.items:
        if item.id in policy.article_of:
            continue
        reason = policy.profile.omitted.get(item.id, "")
        for link in item.links:
            if link.standard == standard:
                left_out.setdefault(row_number(link.target), []).append((item.id, reason))
    rows = []
    for entry in catalog.entries:
        if not pattern.match(entry.number):
            continue
        articles = tuple(dict.fromkeys(by_number.get(entry.number, [])))
        omitted = tuple(dict.fromkeys(left_out.get(entry.number, [])))
        if articles:
            status = "適用"
        elif entry.number in catalog.exclusions:
            status = "適用除外"
        elif omitted:
            status = "不採用"
        else:
            status = "対応なし"
        rows.append(SoaRow(entry.number, entry.title, status, articles, omitted,
                           catalog.exclusions.get(entry.number, "")))
    return rows


def summary(rows: Sequence[SoaRow]) -> dict[str, int]:
    """Rows per status, in the order 適用, 不採用, 適用除外, 対応なし."""
    return {status: sum(1 for r in rows if r.status == status) for status in ("適用", "不採用", "適用除外", "対応なし")}


#: The standards an article's trace names, in order: (key, short label, full label).
STANDARDS = (("nisc", "NISC", "NISC統一基準（平成26年度版）"), ("iso", "ISO/IEC 27001:2013", "ISO/IEC 27001:2013 附属書A"),
             ("iso22", "ISO/IEC 27001:2022", "ISO/IEC 27001:2022 附属書A"))


def trace_numbers(article: Article) -> list[tuple[str, str]]:
    """``[(short label, "A.6.1.1、A.17.1.1"), …]``: the entry numbers an article's trace names per standard, in
    :data:`STANDARDS` order, standards without an entry left out."""
    out = []
    for key, short, _ in STANDARDS:
        numbers = list(dict.fromkeys(t.number for t in article.trace if t.standard == key))
        if numbers:
            out.append((short, "、".join(numbers)))
    return out
