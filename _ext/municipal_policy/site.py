"""The policy site: a municipality's 基本方針 and 対策基準 as a standalone, publishable HTML site.

:func:`write_sources` writes the site's MyST pages from a tailored :class:`~trace_model.policy.Policy` — the top
page (施行日, the edition it adopts, the downloads), the 基本方針, one page per chapter (章) of the 対策基準,
the 例文との相違, the SoA and the 自己点検 page — and a ``conf.py``; :func:`build_site` builds them with Sphinx
(furo, and the guideline site's Japanese line breaks, search, stable anchors, accessibility repairs and
per-page assets), strictly: any warning fails. Nothing on a page loads from another host.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

from trace_model.editions import char_diff
from trace_model.policy import (
    STANDARDS,
    Article,
    Block,
    Difference,
    Policy,
    municipal_soa,
    summary,
)
from trace_model.policy_docx import trace_note, wareki
from trace_model.self_assessment import Answers

#: The project's root (conf.py, _ext/, _static/), for the policy site's configuration.
ROOT = Path(__file__).resolve().parents[2]
#: The downloads a built policy site offers, file name -> what it is (in the order listed).
DOWNLOADS = {
    "policy.docx": "基本方針（Word）",
    "standards.docx": "対策基準（Word）",
    "policy.pdf": "基本方針（PDF）",
    "standards.pdf": "対策基準（PDF）",
    "self-assessment.xlsx": "自己点検ワークブック（記入前、Excel）",
}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~$])")


def md(text: str) -> str:
    """``text`` with every character MyST would read as markup escaped (a 例文 is plain text)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def _cell(text: str) -> str:
    return md(text).replace("\n", " ")


def table(caption: str, headers: Sequence[str], rows: Sequence[Sequence[str]], name: str = "",
          nowrap: Sequence[int] = ()) -> str:
    """A MyST table with its caption (every cell escaped; ``name``: its anchor; ``nowrap``: the 1-based columns of
    IDs, numbers and states, kept on one line on screen and in print)."""
    out = [f":::{{table}} {caption}", ":widths: auto"]
    if name:
        out.append(f":name: {name}")
    if nowrap:
        out.append(":class: " + " ".join(f"nowrap-{n}" for n in nowrap))
    out += ["", "| " + " | ".join(_cell(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join([*out, ":::", ""])


def _block(block: Block, lead: str) -> list[str]:
    if block.kind == "text":
        return [md(lead + block.text), ""]
    out = [md(lead.rstrip("　")), ""] if lead else []
    if block.kind in ("items", "list"):
        for n, text in enumerate(block.items, 1):
            out.append(f"- {md(f'({n})　' if block.kind == 'items' else '')}{md(text)}")
        return [*out, ""]
    header, *rows = block.rows
    return [*out, table(block.caption or "表", header, rows)]


def article_md(article: Article, level: str) -> str:
    """One article as MyST: its label (the 例文's or the addition's ID, lowercased as the anchor), a heading of
    ``level`` (``###``) that names the 条 and its 見出し (``第8条（CISO の設置と権限）``: the page's outline and a
    screen reader's list of headings say which article it is), its 項 and 号, and the note of its trace."""
    lines = [f"({article.id.lower()})=", f"{level} {article.label}（{md(article.title)}）", "", "::::{container} jo", ""]
    for paragraph in article.paragraphs:
        lead = "" if paragraph.number == 1 else f"{paragraph.number}　"  # the heading names the 条
        for block in paragraph.blocks:
            lines += _block(block, lead)
            lead = ""
    lines += [":::{container} trace", md(trace_note(article)), ":::", "::::", ""]
    return "\n".join(lines)


def _page(title: str, body: Sequence[str], label: str = "") -> str:
    return "\n".join([f"({label})=" if label else "", f"# {md(title)}", "", *body, ""]).lstrip("\n")


def _differences(policy: Policy) -> str:
    params = [d for d in policy.differences if d.kind == "param"]
    omitted = [d for d in policy.differences if d.kind == "omitted"]
    reworded = [d for d in policy.differences if d.kind == "reworded"]
    added = [d for d in policy.differences if d.kind == "added"]
    body = [f"この基本方針及び対策基準は、「地方公共団体における情報セキュリティポリシーに関するガイドライン」"
            f"（{md(policy.edition.title)}）の例文に、次の変更を加えたものです。このほか、例文の「本団体」を"
            f"「{md(policy.profile.self_word)}」とし、例文が他の例文を引用する箇所をこの基本方針・対策基準の"
            "条・章・節の番号に改めています。", "",
            f"団体で定める事項 {len(params)} 件、採用しない例文 {len(omitted)} 件、改めた例文 {len(reworded)} 件、"
            f"加えた規定 {len(added)} 件。", "", "## 団体で定める事項", "",
            table("団体で定める事項", ("事項", "例文の文言", "定めた内容", "条"),
                  [(d.title, d.old, d.new, d.article) for d in params], "sai-params"),
            "## 採用しない例文", ""]
    body += [table("採用しない例文", ("例文", "見出し", "理由"), [(d.id, d.title, d.reason) for d in omitted],
                   "sai-omitted", nowrap=(1,)) if omitted else "採用しない例文はありません。", ""]
    body += ["## 改めた例文", "", "下線（読み上げでは「変更部分」）は、例文から変えた部分です。", ""]
    for difference in reworded:
        body += _rewording(difference)
    if not reworded:
        body += ["改めた例文はありません。", ""]
    body += ["## 加えた規定", ""]
    body += [table("加えた規定", ("条", "ID", "見出し", "理由"), [(d.article, d.id, d.title, d.reason) for d in added],
                   "sai-added", nowrap=(1, 2)) if added else "加えた規定はありません。", ""]
    return _page("例文との相違", body, "differences")


def _marked(segments: Sequence[object]) -> str:
    out = []
    for segment in segments:
        text, changed = segment.text, segment.changed  # type: ignore[attr-defined]
        lines = text.split("\n")
        # a change of spacing alone (VPN written without the spaces around it) is not marked: nothing to read
        pieces = [_change(line) if changed and line.strip() else md(line) for line in lines]
        out.append("\n\n".join(pieces) if len(pieces) > 1 else pieces[0])
    return "".join(out)


def _change(text: str) -> str:
    """``{change}`` around ``text``; a text that holds a backquote is delimited by two (as a code span is)."""
    return f"{{change}}`` {text} ``" if "`" in text else f"{{change}}`{text}`"


def _rewording(difference: Difference) -> list[str]:
    old, new = char_diff(difference.old, difference.new)
    title = (f"見出しを「{md(difference.old_title)}」から「{md(difference.title)}」に改めました。"
             if difference.old_title else "")
    return [f"### {md(difference.article)}（{md(difference.title)}）", "",
            f"基づく例文: {md(difference.id)}。理由: {md(difference.reason)}{title}", "",
            "::::{container} sai-pair", ":::{container} sai-new", "**本規程**", "", _marked(new), ":::",
            ":::{container} sai-old", "**例文**", "", _marked(old), ":::", "::::", ""]


def _omitted_reasons(omitted: Sequence[tuple[str, str]]) -> str:
    """「STD-5-1-5、STD-5-1-6: 理由」: the 例文 left out, grouped by their reason (each reason once)."""
    by_reason: dict[str, list[str]] = {}
    for item_id, reason in omitted:
        by_reason.setdefault(reason, []).append(item_id)
    return "／".join(f"{'、'.join(ids)}: {reason}" for reason, ids in by_reason.items())


def _soa(policy: Policy) -> str:
    body = ["各管理策（項目）について、本規程のどの条が実施するかを示します。「不採用」は、ガイドラインでは例文が対応して"
            "いるものの、その例文を採用しなかったものです（理由は採用しない例文の理由）。「適用除外」は、ガイドラインの"
            "適用宣言書が除外しているもので、その理由を示します。", ""]
    for key, _, label in STANDARDS:
        rows = municipal_soa(policy, key)
        counts = summary(rows)
        body += [f"## {md(label)}", "", "、".join(f"{status} {count} 件" for status, count in counts.items()) + "。", ""]
        body.append(table(f"{label} の適用宣言書（SoA）", ("番号", "名称", "適用", "本規程の条", "理由"), [
            (r.number, r.title, r.status, "、".join(r.articles),
             _omitted_reasons(r.omitted) if r.status == "不採用" else r.justification)
            for r in rows], f"soa-{key}", nowrap=(1, 3)))
    return _page("適用宣言書（SoA）", body, "soa")


def write_sources(policy: Policy, srcdir: Path, files: Mapping[str, bytes], report: str = "") -> None:
    """Write the policy site's pages, ``conf.py`` and ``files`` (the downloads, offered on the top page) into
    ``srcdir`` (emptied first). ``report``: the 自己点検 report's page (MyST), if a filled workbook was read."""
    if srcdir.exists():
        shutil.rmtree(srcdir)
    (srcdir / "standards").mkdir(parents=True)
    (srcdir / "files").mkdir()
    for name, data in files.items():
        (srcdir / "files" / name).write_bytes(data)
    profile = policy.profile
    documents = {d.key: d for d in policy.documents}
    downloads = [f"- {{download}}`{label} <files/{name}>`" for name, label in DOWNLOADS.items() if name in files]
    downloads += [f"- {{download}}`{label} <files/{name}>`" for name, label in (
        ("self-assessment-filled.xlsx", "自己点検ワークブック（記入済み）"),
        ("self-assessment-report.xlsx", "自己点検の結果（Excel）")) if name in files]
    index = _page(f"{profile.name}の情報セキュリティポリシー", [
        f"{md(profile.name)}の情報セキュリティ基本方針及び情報セキュリティ対策基準です"
        f"（{wareki(profile.effective)}施行）。", "",
        f"総務省「地方公共団体における情報セキュリティポリシーに関するガイドライン」（{md(policy.edition.title)}）の"
        "例文に基づいています。各条の後の【対応】は、その条が基づく例文と、例文が根拠とする NISC 統一基準の項目及び"
        " ISO/IEC 27001 附属書A の管理策を示します。", "",
        "## ダウンロード", "", *downloads, "",
        "```{toctree}", ":maxdepth: 2", "", "policy", "standards/index", "differences", "soa", "self-assessment",
        *(["self-assessment-report"] if report else []), "```", ""], "top")
    (srcdir / "index.md").write_text(index, encoding="utf-8")
    (srcdir / "policy.md").write_text(_page(documents["基本方針"].title, [
        article_md(a, "##") for a in documents["基本方針"].articles()] + [
        "## 附則", "", f"この基本方針は、{wareki(profile.effective)}から施行する。", ""], "policy"), encoding="utf-8")
    standards = documents["対策基準"]
    pages = []
    for chapter in standards.chapters:
        name = f"{chapter.number:02d}"
        pages.append(name)
        body = []
        for section in chapter.sections:
            body += [f"## 第{section.number}節　{md(section.title)}", ""]
            body += [article_md(a, "###") for a in section.articles]
        (srcdir / "standards" / f"{name}.md").write_text(
            _page(f"第{chapter.number}章　{chapter.title}", body), encoding="utf-8")
    (srcdir / "standards" / "index.md").write_text(_page(standards.title, [
        "```{toctree}", ":maxdepth: 1", "", *pages, "```", "", "## 附則", "",
        f"この対策基準は、{wareki(profile.effective)}から施行する。", ""], "standards"), encoding="utf-8")
    (srcdir / "differences.md").write_text(_differences(policy), encoding="utf-8")
    (srcdir / "soa.md").write_text(_soa(policy), encoding="utf-8")
    interval = profile.values.get("self-assessment-interval", "")
    where = next((f"{a.label}" for a in standards.articles() if a.source == "STD-9-2-1"), "")
    (srcdir / "self-assessment.md").write_text(_page("自己点検", [
        f"対策基準の各条を実施しているかを、{md(interval) + 'の' if interval else ''}自己点検で確かめます"
        f"{f'（対策基準{where}）' if where else ''}。自己点検"
        "ワークブックは、条ごとに一行、その条を実施しているかの問いと、回答（実施・一部実施・未実施・該当なし）、根拠、"
        "担当、期限の欄からなり、章ごとのシートに分かれています。", "",
        "記入したワークブックを `make self-assessment` で読み込むと、未実施・一部実施の条と、それによって実施されていない"
        " ISO/IEC 27001 の管理策及び NISC 統一基準の項目を示す結果ができます。", "",
        *(f"- {{download}}`{label} <files/{name}>`" for name, label in (
            ("self-assessment.xlsx", "自己点検ワークブック（記入前）"),
            ("self-assessment-filled.xlsx", "自己点検ワークブック（記入済み）")) if name in files), ""],
        "self-assessment"), encoding="utf-8")
    if report:
        (srcdir / "self-assessment-report.md").write_text(report, encoding="utf-8")
    (srcdir / "conf.py").write_text(CONF.format(root=str(ROOT), project=profile.name,
                                                title=f"{profile.name}情報セキュリティポリシー"), encoding="utf-8")


#: The policy site's configuration (written next to its pages).
CONF = '''"""The policy site's configuration (written by municipal_policy.site; not edited by hand)."""
import sys
sys.path.insert(0, {root!r} + "/_ext")

project = {project!r}
author = {project!r}
copyright = {project!r}
language = "ja"
extensions = ["myst_parser", "municipal_policy.site_ext", "guideline_site.ja_text", "guideline_site.site_search",
              "guideline_site.a11y", "guideline_site.stable_anchors", "guideline_site.page_assets"]
myst_enable_extensions = ["colon_fence"]
html_theme = "furo"
html_title = {title!r}
html_static_path = [{root!r} + "/_static", {root!r} + "/_ext/municipal_policy/static"]
html_css_files = [("site.css", {{"priority": 800}}), ("policy.css", {{"priority": 800}})]
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False
html_show_sphinx = False
site_search_ranks = [["*", 1]]
'''


def build_site(srcdir: Path, outdir: Path) -> list[str]:
    """Build the site in ``srcdir`` into ``outdir`` with Sphinx (clean, strict). Returns the warnings (each
    ``file:line: message``); an empty list means the site was built."""
    import io

    from sphinx.application import Sphinx

    warnings = io.StringIO()
    app = Sphinx(str(srcdir), str(srcdir), str(outdir), str(srcdir / "_doctrees"), "html", status=None,
                 warning=warnings, freshenv=True, warningiserror=False, keep_going=True)
    app.build(force_all=True)
    return [line for line in warnings.getvalue().splitlines() if line.strip()]


def report_page(policy: Policy, answers: Answers) -> str:
    """The 自己点検の結果 page (MyST): the answers counted, the articles not (fully) implemented or not answered
    with their 担当 and 期限, and per standard the controls (items) that rest on them."""
    from trace_model.self_assessment import UNANSWERED, control_states, rows, summary_of

    counts = summary_of(answers)
    body = [f"{md(Path(answers.source).name)} を読み込んだ結果です。対策基準の {sum(counts.values())} 条のうち、"
            + "、".join(f"{state} {count} 条" for state, count in counts.items()) + "。", ""]
    if answers.ignored_sheets:
        body += [f"読み込まなかったシート: {md('、'.join(answers.ignored_sheets))}（自己点検の行がないシート）。", ""]
    open_rows = [r.article for r in rows(policy) if answers.by_key[r.article.id].answer in ("未実施", "一部実施", UNANSWERED)]
    body += ["## 実施していない条", ""]
    body.append(table("未実施・一部実施・未回答の条", ("条", "見出し", "回答", "担当", "期限", "備考"), [
        (a.label, a.title, answers.by_key[a.id].answer, answers.by_key[a.id].owner, answers.by_key[a.id].due_text,
         answers.by_key[a.id].note)
        for a in open_rows], "report-open", nowrap=(1, 3, 5)) if open_rows else "すべての条を実施しています（又は該当なし）。")
    body.append("")
    for key, _, label in STANDARDS:
        states = control_states(policy, answers, key)
        order = ("実施", "一部実施", "未実施", UNANSWERED, "該当なし", "不採用", "適用除外")
        tally = {s: sum(1 for c in states if c.state == s) for s in order}
        body += [f"## {md(label)}", "", "、".join(f"{s} {n} 件" for s, n in tally.items() if n) + "。", ""]
        weak = [c for c in states if c.state in ("未実施", "一部実施", UNANSWERED)]
        body.append(table(f"{label}: 実施していない条に基づく管理策", ("番号", "名称", "状態", "基づく条と回答"), [
            (c.number, c.title, c.state, "、".join(f"{a}: {answer}" for a, answer in c.articles if answer != "実施"))
            for c in weak], f"report-{key}", nowrap=(1, 3)) if weak else "実施していない条に基づく管理策はありません。")
        body.append("")
    return _page("自己点検の結果", body, "self-assessment-report")
