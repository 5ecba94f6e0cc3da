"""The OSCAL exports: validated with compliance-trestle's OSCAL 1.2.1 models and validators, and checked here where
trestle is silent (every reference resolves, every link of needs.json is one map, texts without MyST)."""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from trace_model.japanese import JA_CHARS
from trace_model.oscal import OSCAL_VERSION, portable_text

pytestmark = pytest.mark.site

RELATIONSHIPS = {"equal-to", "subset-of", "superset-of", "intersects-with"}
STANDARDS = {"iso": "iso", "iso22": "iso22", "nisc": "nisc"}


def load(outdir, name: str) -> dict[str, Any]:
    return json.loads((outdir / "exports" / name).read_text(encoding="utf-8"))


#: the OSCAL 1.2.1 release's JSON schemas, vendored with their source and digests (tests/data/oscal/README.md)
SCHEMAS = Path(__file__).parent / "data" / "oscal"
SCHEMA_DIGESTS = {
    "catalog": "c0ae626d6bafe318db68692152d0cbbebf29ba7226b1596a5513cc5d1754504d",
    "mapping": "5b8f6f9b8117bb42ad8466d11d1695f0be9cc31350c2a3aea770614d96d70d3f",
}
EXPORTS = {"guideline-catalog.json": "catalog", **{f"mapping-{s}.json": "mapping" for s in STANDARDS}}


def schema_errors(model: str, document: dict[str, Any]) -> list[str]:
    """Every place ``document`` breaks the OSCAL 1.2.1 JSON schema of ``model`` ('catalog' or 'mapping'), as
    'path: message'. The vendored file must be the release's unchanged (its SHA-256 is checked)."""
    import jsonschema_rs

    raw = (SCHEMAS / f"oscal_{model}_schema.json").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SCHEMA_DIGESTS[model], f"oscal_{model}_schema.json was changed"
    validator = jsonschema_rs.validator_for(json.loads(raw), validate_formats=True)
    return [f"/{'/'.join(map(str, e.instance_path))}: {e.message}" for e in validator.iter_errors(document)]


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
            # a line break the editor wrapped a Japanese sentence at would read as a space in a Markdown reader
            wrapped = re.search(f"[{JA_CHARS}][ \\t]*\\n[ \\t]*[{JA_CHARS}]", prose)
            assert not wrapped, (control["id"], wrapped.group(0) if wrapped else "")


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


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_each_oscal_file_is_valid_against_the_oscal_1_2_1_json_schema(site, name: str) -> None:
    _, outdir = site
    assert schema_errors(EXPORTS[name], load(outdir, name)) == []


def test_the_schema_check_finds_what_trestle_is_asked_to_find_and_more(site) -> None:
    """The schema check can fail: a malformed UUID, a date without a time zone, a key OSCAL does not define and a
    missing required part are each found, at their place."""
    _, outdir = site
    good = load(outdir, "mapping-iso.json")
    cases = {
        "uuid": lambda d: d["mapping-collection"]["mappings"][0]["maps"][0].__setitem__("uuid", "not-a-uuid"),
        "last-modified": lambda d: d["mapping-collection"]["metadata"].__setitem__("last-modified", "2015-03-31"),
        "extra key": lambda d: d["mapping-collection"]["mappings"][0]["maps"][0].__setitem__("reason", "x"),
        "required": lambda d: d["mapping-collection"]["mappings"][0]["maps"][0].pop("targets"),
    }
    for case, plant in cases.items():
        bad = copy.deepcopy(good)
        plant(bad)
        errors = schema_errors("mapping", bad)
        assert errors, case
        assert all(e.startswith("/mapping-collection/") for e in errors), (case, errors)


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

