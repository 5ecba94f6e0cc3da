"""The OSCAL exports: validated with compliance-trestle's OSCAL 1.2.1 models and validators, and checked here where
trestle is silent (every reference resolves, every link of needs.json is one map, texts without MyST)."""

from __future__ import annotations

import argparse
import json
import re
from typing import Any

import pytest
from trace_model.oscal import OSCAL_VERSION, portable_text

pytestmark = pytest.mark.site

RELATIONSHIPS = {"equal-to", "subset-of", "superset-of", "intersects-with"}
STANDARDS = {"iso": "iso", "iso22": "iso22", "nisc": "nisc"}


def load(outdir, name: str) -> dict[str, Any]:
    return json.loads((outdir / "exports" / name).read_text(encoding="utf-8"))


def trestle_valid(model: Any) -> None:
    """Every validator trestle registers (duplicates, references, links, catalog parameters) passes."""
    import trestle.core.validator_factory as factory  # before all_validator: importing that first is circular

    validator = factory.validator_factory.get(argparse.Namespace(mode="all"))
    assert validator.model_is_valid(model, quiet=True), validator.error_msg()


def test_the_catalog_is_valid_oscal_and_holds_every_example_once(site, needs) -> None:
    from trestle.oscal.catalog import Model

    _, outdir = site
    document = load(outdir, "guideline-catalog.json")
    model = Model.model_validate(document)
    trestle_valid(model.catalog)
    assert document["catalog"]["metadata"]["oscal-version"] == OSCAL_VERSION
    controls = [c for g in document["catalog"]["groups"] for c in g["controls"]]
    examples = {i for i, n in needs.items() if n["type"] in ("policy", "measure")}
    assert sorted(c["id"] for c in controls) == sorted(examples)
    assert [g["id"] for g in document["catalog"]["groups"]] == ["policy", *(f"std-{n}" for n in range(1, 10))]
    for control in controls:
        parts = {p["name"]: p["prose"] for p in control["parts"]}
        assert parts["statement"] and parts["guidance"], control["id"]  # every 例文 has its wording and 解説
        for prose in parts.values():
            assert not re.search(r"\{[a-z]+\}`|^:::", prose, re.MULTILINE), (control["id"], prose[:80])


@pytest.mark.parametrize("standard", sorted(STANDARDS))
def test_each_mapping_collection_is_valid_oscal_and_holds_every_link(site, needs, standard: str) -> None:
    from trestle.oscal.mapping import Model

    _, outdir = site
    document = load(outdir, f"mapping-{standard}.json")
    model = Model.model_validate(document)
    trestle_valid(model.mapping_collection)
    catalog = {c["id"] for g in load(outdir, "guideline-catalog.json")["catalog"]["groups"] for c in g["controls"]}
    clauses = {n["clause"] for n in needs.values() if n["type"] == standard}
    [mapping] = document["mapping-collection"]["mappings"]
    maps = [(m["sources"][0]["id-ref"], m["targets"][0]["id-ref"], m["relationship"], m.get("remarks", ""))
            for m in mapping["maps"]]
    # where trestle is silent: each source is a control of the catalog, each target a number of the standard
    assert {s for s, *_ in maps} <= catalog
    assert {t for _, t, *_ in maps} <= clauses
    assert {r for *_, r, _ in maps} <= RELATIONSHIPS
    # one map per link written in the sources, with its reason, recounted from needs.json
    expected = []
    for need_id, need in needs.items():
        if need["type"] not in ("policy", "measure"):
            continue
        reasons = dict(part.split(": ", 1) for part in re.split(r";\s*", need[f"{standard}_reason"] or "") if ": " in part)
        for target in need[standard]:
            expected.append((need_id, needs[target]["clause"], reasons.get(target, "")))
    assert sorted((s, t, r) for s, t, _, r in maps) == sorted(expected)
    uuids = [m["uuid"] for m in mapping["maps"]]
    assert len(uuids) == len(set(uuids))
    assert document["mapping-collection"]["provenance"]["method"] == ("hybrid" if standard == "iso22" else "human")


def test_the_stated_relationships_reach_the_maps(site, needs) -> None:
    _, outdir = site
    maps = load(outdir, "mapping-iso22.json")["mapping-collection"]["mappings"][0]["maps"]
    stated = {(m["sources"][0]["id-ref"], m["targets"][0]["id-ref"]): m["relationship"] for m in maps}
    assert stated[("STD-6-2-11", "8.17")] == "equal-to"
    assert stated[("STD-2-8-1", "5.3")] == "subset-of"
    assert set(stated.values()) >= {"equal-to", "subset-of", "intersects-with"}


def test_site_markup_becomes_plain_markdown() -> None:
    text = "次のとおり（{need}`STD-1-1-1`）。\n\n:::{table} 分類\n| 分類 | 基準 |\n|---|---|\n| 1 | 公表 |\n:::\n"
    assert portable_text(text) == "次のとおり（STD-1-1-1）。\n\n**分類**\n\n| 分類 | 基準 |\n|---|---|\n| 1 | 公表 |"

