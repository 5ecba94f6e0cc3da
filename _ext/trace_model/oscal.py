"""The guideline and its trace in OSCAL 1.2.1: a catalog of the 例文 items, and a mapping collection per standard.

- ``guideline-catalog.json``: an OSCAL catalog. Groups are the chapters (基本方針, then 対策基準 1-9), controls the
  例文 items (``policy``, ``measure``) with their ID as ``id``; each control has a ``statement`` part (the 例文's
  wording) and a ``guidance`` part (its 【解説】), as MyST source made portable (:func:`portable_text`), with the
  line breaks the editors wrapped Japanese sentences at dropped (:func:`trace_model.japanese.join_japanese_lines`:
  a Markdown reader would show each as a space).
- ``mapping-<standard>.json``: an OSCAL mapping collection from the guideline catalog to one standard
  (ISO/IEC 27001:2013, :2022, NISC 平成26年度版): one ``map`` per link, with the NIST IR 8477 ``relationship``
  (``equal-to`` / ``subset-of`` / ``superset-of`` / ``intersects-with``), the 例文 item as source, the standard's
  printed number as target, and the link's reason as ``remarks``. The standards are not published as OSCAL
  catalogs here (ISO/IEC text is copyrighted): the target resource is this site's catalog page of the standard,
  which lists the numbers and short titles.

The documents are plain ``dict`` objects ready for :func:`json.dumps`; the tests validate them with
compliance-trestle's OSCAL 1.2.1 models. UUIDs are version 5 (name-based), so the same sources give the same
files. No Sphinx import.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from trace_model.japanese import join_japanese_lines
from trace_model.params import Param, ParamUse, substitute, with_defaults
from trace_model.report import TraceReport, entry_number

#: The OSCAL release these documents follow (the models of compliance-trestle 5.2).
OSCAL_VERSION = "1.2.1"
#: The namespace of this site's own property names (OSCAL requires one for names it does not define).
PROP_NS = "urn:lg-security-guideline:oscal"
#: The namespace of the name-based UUIDs (fixed: the same sources give the same UUIDs).
UUID_NAMESPACE = uuid.UUID("6f1d3b6e-3c49-5d2a-9a57-1d0c7b3e6a41")
#: Where the catalog is, relative to the mapping files (both are in ``exports/``).
CATALOG_FILE = "guideline-catalog.json"
#: Marks the start of a 例文's 解説 in its source (``guideline_trace.resources.explanation_start``).
EXPLANATION_MARK = "**【解説】**"


def mapping_file(standard: str) -> str:
    """The file name of the mapping collection to ``standard`` (``mapping-iso.json`` ...)."""
    return f"mapping-{standard}.json"


def _uuid(*names: str) -> str:
    return str(uuid.uuid5(UUID_NAMESPACE, "/".join(names)))


_TABLE_OPEN = re.compile(r"^:::\{table\}\s*(.*)$", re.MULTILINE)
_FENCE_CLOSE = re.compile(r"^:::\s*$\n?", re.MULTILINE)
_NEED_ROLE = re.compile(r"\{need\}`([^`]*)`")


def portable_text(text: str) -> str:
    """MyST of this site as plain markdown that OSCAL's markup-multiline accepts: a ``{need}`ID``` becomes the
    ID, a ``:::{table} caption`` fence becomes the caption in bold above the table. (``{term}``/``{ref}`` roles
    are already replaced when the content comes from ``needs.json``: ``guideline_trace.needs_json``.)"""
    text = _NEED_ROLE.sub(lambda m: m.group(1), text)
    text = _TABLE_OPEN.sub(lambda m: f"**{m.group(1).strip()}**\n", text)
    return _FENCE_CLOSE.sub("", text).strip()


@dataclass(frozen=True)
class Chapter:
    """One group of the catalog: its ID (``std-3``), title, and the 例文 IDs in it, in order."""

    id: str
    title: str
    controls: tuple[str, ...]


def _metadata(title: str, built: datetime, version: str, remarks: str, commit: str) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "title": title,
        "last-modified": built.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
        "version": version,
        "oscal-version": OSCAL_VERSION,
    }
    if commit:  # the sources it was built from (a marker follows when they held uncommitted changes)
        metadata["props"] = [{"name": "source-commit", "ns": PROP_NS, "value": commit}]
    metadata["remarks"] = remarks
    return metadata


def _with_params(need_id: str, prose: str, params: Mapping[str, Param]) -> tuple[str, list[dict[str, Any]]]:
    """``prose`` with each ``{param}`` role as OSCAL's ``{{ insert: param, <id> }}``, and the control's
    ``params`` (ID ``<need id>_prm_<key>``, the registry's label, the 例文's own words as the value)."""
    found: dict[str, dict[str, Any]] = {}

    def insert(use: ParamUse) -> str:
        param_id = f"{need_id}_prm_{use.key}"
        if param_id not in found:
            spec = params.get(use.key)
            found[param_id] = {"id": param_id, "label": spec.label if spec else use.key, "values": [use.default]}
            if spec is not None and spec.guidance:
                found[param_id]["guidelines"] = [{"prose": spec.guidance}]
        return f"{{{{ insert: param, {param_id} }}}}"

    return substitute(prose, insert), list(found.values())


def catalog(report: TraceReport, chapters: Sequence[Chapter], contents: Mapping[str, str], *, title: str,
            version: str, built: datetime, commit: str = "", params: Mapping[str, Param] | None = None
            ) -> dict[str, Any]:
    """The guideline as an OSCAL catalog document (``{"catalog": …}``).

    ``chapters``: the groups, in reading order; ``contents``: need ID -> its source text (wording, then an
    optional 【解説】 paragraph and the 解説); ``params``: the registry of 団体で定める事項 — each ``{param}`` in a
    wording becomes an OSCAL parameter of its control (:func:`_with_params`), and in a 解説 the 例文's own words.
    Raises ``KeyError`` naming a 例文 ID a chapter lists that the model does not hold.
    """
    params = params or {}
    groups = []
    for chapter in chapters:
        controls = []
        for need_id in chapter.controls:
            item = report.model.items[need_id]
            text = contents.get(need_id, "")
            wording, _, explanation = text.partition(EXPLANATION_MARK)
            prose, control_params = _with_params(need_id, join_japanese_lines(portable_text(wording)), params)
            parts = [{"id": f"{need_id}_smt", "name": "statement", "prose": prose or item.title}]
            if explanation.strip():
                parts.append({"id": f"{need_id}_gdn", "name": "guidance",
                              "prose": with_defaults(join_japanese_lines(portable_text(explanation)))})
            props = [{"name": "label", "value": need_id}]
            for field in ("source", "paper_ref"):
                if item.fields.get(field):
                    props.append({"name": field.replace("_", "-"), "ns": PROP_NS, "value": item.fields[field]})
            control: dict[str, Any] = {"id": need_id, "class": item.type, "title": item.title}
            if control_params:
                control["params"] = control_params
            controls.append({**control, "props": props, "parts": parts})
        if controls:
            groups.append({"id": chapter.id, "title": chapter.title, "controls": controls})
    return {"catalog": {
        "uuid": _uuid("catalog", version),
        "metadata": _metadata(title, built, version, "基本方針と対策基準の例文（controls）と、その解説（guidance）。",
                              commit),
        "groups": groups,
    }}


def mapping_collection(report: TraceReport, standard: str, *, title: str, version: str, built: datetime,
                       target_href: str, method: str = "human", commit: str = "") -> dict[str, Any]:
    """The mapping collection from the guideline catalog to ``standard`` (``{"mapping-collection": …}``): one
    ``map`` per 例文 item -> entry link, in the order of :meth:`TraceReport.links`. ``method``: how the links
    were made, in OSCAL's terms (``human``; ``hybrid`` where a tool proposed them and editors decided)."""
    spec = report.standards[standard]
    maps = []
    for link in report.links():
        if link.standard != standard:
            continue
        target = entry_number(link.entry)
        entry = {
            "uuid": _uuid("map", standard, link.item.id, link.entry.id),
            "relationship": link.relationship,
            "sources": [{"type": "control", "id-ref": link.item.id}],
            "targets": [{"type": "control", "id-ref": target}],
        }
        if link.reason:
            entry["remarks"] = link.reason
        maps.append(entry)
    description = (f"基本方針・対策基準の例文（{CATALOG_FILE}）から {spec.label} への対応付け。1 件の map が 1 件のリンクで、"
                   "relationship は例文を焦点要素とする NIST IR 8477 の関係（書かれていないリンクは intersects-with）、"
                   "remarks はそのリンクの理由。")
    return {"mapping-collection": {
        "uuid": _uuid("mapping-collection", standard, version),
        "metadata": _metadata(title, built, version, description, commit),
        "provenance": {
            "method": method,
            "matching-rationale": "semantic",
            "status": "complete",
            "mapping-description": description,
        },
        "mappings": [{
            "uuid": _uuid("mapping", standard, version),
            "source-resource": {"type": "catalog", "href": CATALOG_FILE},
            "target-resource": {"type": "catalog", "href": target_href,
                                "remarks": f"{spec.label}。このサイトのカタログのページ（番号と短い名称）。"},
            "maps": maps,
        }],
    }}
