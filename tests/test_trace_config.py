"""The trace settings are checked when conf.py is read: one located message per problem,
all problems in one error, with a did-you-mean (unit tests of _ext/guideline_trace/config.py, and
one real build of a test root with broken settings)."""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, copy_root
from guideline_trace import config as trace_config
from guideline_trace.config import SCHEMA, ConfigProblem, Vocabulary, locate, suggestion, validate

VOCAB = Vocabulary(
    types=frozenset({"req", "measure", "policy", "iso", "nisc"}),
    fields=frozenset({"source", "paper_ref", "iso_reason", "nisc_reason", "id", "title"}),
    links=frozenset({"iso", "nisc", "realises", "links"}),
    standards=frozenset({"iso", "nisc"}),
    levels=frozenset({"clause", "objective", "control", "part", "section", "item", "requirement"}),
)


def messages(values: dict[str, Any], defined: tuple[str, ...] = ()) -> list[str]:
    return [p.message for p in validate(values, VOCAB, defined)]


def test_the_real_configuration_is_valid() -> None:
    conf = runpy.run_path(str(ROOT / "conf.py"))

    class Config(dict[str, Any]):
        def __getattr__(self, key: str) -> Any:
            return self.get(key)

    config = Config(conf)
    values = {k: v for k, v in conf.items() if k in SCHEMA}
    assert set(values) >= {"trace_link_rules", "trace_standards", "trace_field_values", "trace_catalogs"}
    assert validate(values, trace_config.vocabulary(config, ROOT), conf) == []


@pytest.mark.parametrize(("values", "expected"), [
    ({"trace_field_values": {"sorce": ["paper"]}},
     "trace_field_values: 'sorce' is not a need field of this site (needs_fields). Did you mean 'source'?"),
    ({"trace_field_values": {"mesure.source": ["paper"]}},
     "trace_field_values: 'mesure' is not a need type of this site (needs_types). Did you mean 'measure'?"),
    ({"trace_shown_fields": {"req": ["iso_reasons"]}},
     "trace_shown_fields['req'][0]: 'iso_reasons' is not a need field of this site (needs_fields). "
     "Did you mean 'iso_reason'?"),
    ({"trace_required_links": {"REQ": [["iso"]]}},
     "trace_required_links: 'REQ' is not a need type of this site (needs_types). Did you mean 'req'?"),
    ({"trace_link_reasons": {"iso": "iso＿reason"}},
     "trace_link_reasons['iso']: 'iso＿reason' is not a need field of this site (needs_fields). "
     "Did you mean 'iso_reason'?"),
    ({"trace_required_when": {"source": ["paper_ref"]}},
     "trace_required_when: 'source' must read 'field=value' or 'type.field=value' (e.g. 'source=paper')."),
    ({"trace_required_when": {"source=paper": ["realise"]}},
     "trace_required_when['source=paper'][0]: 'realise' is neither a need field (needs_fields) nor a link "
     "type (needs_links). Did you mean 'realises'?"),
    ({"trace_standards": {"iso": {"type": "iso", "level": "control", "links": ["iso"]}}},
     "trace_standards['iso'] has no 'label'. Add it (keys: groups, label, level, links, type, via)."),
    ({"trace_standards": {"iso": {"label": "ISO", "type": "iso", "level": "control", "links": ["iso"],
                                  "group": ["clause"]}}},
     "trace_standards['iso']: unknown key 'group'. Did you mean 'groups'? "
     "Allowed: groups, label, level, links, type, via."),
    ({"trace_soa_files": {"iso2013": "soa.yaml"}},
     "trace_soa_files: 'iso2013' is not a standard of this site (trace_standards). Did you mean 'iso'?"),
    ({"trace_id_docnames": {"measure": r"standards/0*\d+-"}},
     "trace_id_docnames['measure']: 'standards/0*\\\\d+-' needs a group in parentheses around the chapter "
     "number, e.g. r'standards/0*(\\d+)-'."),
    ({"trace_id_patterns": {"measure": "STD-(\\d+"}},
     "trace_id_patterns['measure']: 'STD-(\\\\d+' is not a valid regular expression "
     "(missing ), unterminated subpattern at position 4)."),
    ({"trace_link_rules": {"iso": {"targets": ["iso"], "levels": ["contrl"]}}},
     "trace_link_rules['iso']['levels'][0]: 'contrl' is not a catalog level of this site (the catalog schemas "
     "in _ext/trace_model/catalogs.py). Did you mean 'control'?"),
    ({"trace_soa_complete": "yes"}, "trace_soa_complete must be True or False, not 'yes'."),
    ({"trace_covering_types": "measure"}, "trace_covering_types must be a list, not str 'measure'."),
    # one slip, one message: numbers without quotes; a misspelt required key (not "missing" too)
    ({"trace_field_values": {"source": [1, 2, 3]}},
     "trace_field_values['source'] must be a list of strings, but 1, 2, 3 are not. Write them in quotes: "
     "['1', '2', '3']."),
    ({"trace_link_rules": {"iso": {"target": ["iso"]}}},
     "trace_link_rules['iso']: unknown key 'target'. Did you mean 'targets'? Allowed: levels, sources, targets."),
    ({"trace_chain": {"roots": ["req"], "stages": [{"label": "論点", "types": ["req"], "link": ["iso"]}]}},
     "trace_chain['stages'][0]: unknown key 'link'. Did you mean 'links'? Allowed: label, linked_by, links, types."),
    ({"trace_chain": {"roots": ["req"], "stages": [{"label": "論点", "types": ["req"]},
                                                   {"label": "規格", "types": ["iso"], "linked_by": ["isos"]}]}},
     "trace_chain['stages'][1]['linked_by'][0]: 'isos' is not a link type of this site (needs_links). "
     "Did you mean 'iso'?"),
    ({"trace_chain": {"roots": ["policy"], "stages": [{"label": "論点", "types": ["req"]}]}},
     "trace_chain['roots'][0]: 'policy' is in no stage, so no chain can start from it. Add it to the 'types' "
     "of a stage, or remove it from 'roots'."),
    ({"trace_chain": {"roots": ["req"], "stages": [{"label": "論点", "types": ["req"]},
                                                   {"label": "例文", "types": ["measure", "req"]}]}},
     "trace_chain['stages'][1]['types']: 'req' is already in stage 0; a need type sits in one stage. "
     "Remove it from one of them."),
])
def test_each_kind_of_mistake_gets_one_plain_message(values: dict[str, Any], expected: str) -> None:
    assert messages(values) == [expected]


def test_an_unknown_trace_setting_is_refused_with_a_suggestion() -> None:
    assert messages({}, defined=("trace_feild_values", "html_title", "trace_field_values")) == [
        "trace_feild_values is not a setting of this site's extensions; it would be ignored. "
        "Did you mean 'trace_field_values'?"
    ]


def test_every_problem_is_reported_not_only_the_first() -> None:
    found = messages({"trace_unnested_types": ["polcy", "mesure", "req"], "trace_soa_complete": 1})
    assert len(found) == 3


def test_a_misspelt_definition_is_one_problem_at_the_definition_not_one_per_use() -> None:
    """needs_types defines 'mesure' (a typo); the trace settings name 'measure' twice: the fix is in needs_types."""
    vocab = Vocabulary(types=frozenset({"req", "mesure"}), fields=VOCAB.fields, links=VOCAB.links,
                       standards=VOCAB.standards)
    problems = validate({"trace_unnested_types": ["req", "measure"], "trace_covering_types": ["measure"]}, vocab)
    assert [(p.setting, p.token) for p in problems] == [("needs_types", "mesure")]
    assert problems[0].message == (
        "needs_types defines the need type 'mesure', which no trace setting names, while 2 places in "
        "trace_unnested_types, trace_covering_types name 'measure', which is not defined. Did you mean 'measure'? "
        "Rename it in needs_types (or, if 'mesure' is right, rename 'measure' in each of those settings).")
    # a typo in one trace setting, where the defined name is used elsewhere, stays at that setting
    problems = validate({"trace_unnested_types": ["mesure"], "trace_covering_types": ["measure", "mesure"]}, VOCAB)
    assert {p.setting for p in problems} == {"trace_unnested_types", "trace_covering_types"}
    assert all("is not a need type of this site" in p.message for p in problems)


def test_a_misspelt_link_used_as_a_required_field_is_grouped_too() -> None:
    """'realises' named by a link rule and by trace_required_when (a field or a link) is one problem."""
    vocab = Vocabulary(types=VOCAB.types, fields=VOCAB.fields, links=frozenset({"iso", "nisc", "realise", "links"}))
    problems = validate({"trace_required_backlinks": {"req": ["realises"]},
                         "trace_required_when": {"source=paper": ["realises"]}}, vocab)
    assert [(p.setting, p.token) for p in problems] == [("needs_links", "realise")]


def test_a_standards_levels_must_be_levels_of_its_own_catalog() -> None:
    vocab = Vocabulary(types=VOCAB.types, fields=VOCAB.fields, links=VOCAB.links, levels=VOCAB.levels,
                       type_levels={"iso": frozenset({"clause", "objective", "control"}),
                                    "nisc": frozenset({"part", "section", "item", "requirement"})})
    standard = {"label": "ISO", "type": "iso", "level": "item", "links": ["iso"], "groups": ["clause"]}
    assert messages_with(vocab, {"trace_standards": {"iso": standard}}) == [
        "trace_standards['iso']['level']: 'item' is not a level of the 'iso' catalog "
        "(its levels: clause, control, objective)."]
    rule = {"targets": ["iso"], "levels": ["control", "item"]}
    assert messages_with(vocab, {"trace_link_rules": {"iso": rule}}) == [
        "trace_link_rules['iso']['levels'][1]: 'item' is not a level of the 'iso' catalog "
        "(its levels: clause, control, objective)."]


def messages_with(vocab: Vocabulary, values: dict[str, Any]) -> list[str]:
    return [p.message for p in validate(values, vocab)]


def test_a_shape_problem_is_located_by_the_keys_it_names() -> None:
    lines = [
        "trace_standards = {",
        '    "nisc": {',
        '        "links": ["nisc"],',
        "    },",
        '    "iso": {',
        '        "level": "item",',
        '        "links": "iso",',
        "    },",
        "}",
    ]
    shape = ConfigProblem("trace_standards", "trace_standards['iso']['links'] must be a list, not str 'iso'.")
    assert locate(lines, shape) == 7
    # a token is looked for from the entry the keys lead to ("item" could be in an earlier entry)
    level = ConfigProblem("trace_standards", "trace_standards['iso']['level']: 'item' is not a level", "item")
    assert locate(lines, level) == 6


def test_a_renamed_standard_used_once_names_the_unused_definition_too() -> None:
    """trace_standards renames 'iso' to 'ios'; trace_soa_files still names 'iso'. The closest name is 'iso22',
    but 'ios' is defined and used by nothing: the message names it, and says which side to fix."""
    vocab = Vocabulary(types=VOCAB.types | {"iso22"}, fields=VOCAB.fields, links=VOCAB.links | {"corresponds"},
                       standards=frozenset({"nisc", "ios", "iso22"}))
    standards = {
        "nisc": {"label": "NISC", "type": "nisc", "level": "item", "links": ["nisc"]},
        "ios": {"label": "ISO 2013", "type": "iso", "level": "control", "links": ["iso"]},
        "iso22": {"label": "ISO 2022", "type": "iso22", "level": "control", "links": ["iso"], "via": "corresponds"},
    }
    (problem,) = validate({"trace_standards": standards, "trace_soa_files": {"iso": "soa.yaml"}}, vocab)
    assert problem.message == (
        "trace_soa_files: 'iso' is not a standard of this site (trace_standards). Did you mean 'ios', which "
        "trace_standards defines and no setting names? Or, if 'iso' is right, rename 'ios' in trace_standards.")


def test_suggestions_cover_case_full_width_and_typos() -> None:
    assert suggestion("SOURCE", ["source"]) == " Did you mean 'source'?"
    assert suggestion("ｓｏｕｒｃｅ", ["source"]) == " Did you mean 'source'?"
    assert suggestion("sorce", ["source", "paper_ref"]) == " Did you mean 'source'?"
    assert suggestion("xyz", ["source"]) == ""


def test_a_problem_is_located_at_its_token_inside_the_assignment() -> None:
    lines = [
        "trace_field_values = {",
        '    "source": ["paper"],',
        '    "sorce": ["x"],',
        "}",
        'other = "sorce"',
    ]
    assert locate(lines, ConfigProblem("trace_field_values", "m", "sorce")) == 3
    assert locate(lines, ConfigProblem("trace_field_values", "m", None)) == 1
    assert locate(lines, ConfigProblem("trace_missing", "m", "sorce")) is None
    # a quoted token wins over the same letters inside another name
    links = ['trace_required_links = {', '    "theme": [["viewpoint"], ["change"]],', '    "viewpoint": [["chang"]],', "}"]
    assert locate(links, ConfigProblem("trace_required_links", "m", "chang")) == 3


def test_every_registered_trace_setting_has_a_schema() -> None:
    """A new setting cannot skip validation: every trace_* that the extensions register is in SCHEMA."""
    conf = runpy.run_path(str(ROOT / "conf.py"))
    assert {k for k in conf if k.startswith("trace_")} <= set(SCHEMA)


def test_a_build_with_broken_settings_stops_with_every_problem_located(tmp_path: Path) -> None:
    src = copy_root("basic", tmp_path)
    conf = src / "conf.py"
    conf.write_text(
        conf.read_text(encoding="utf-8")
        + '\ntrace_field_values = {\n    "sorce": ["paper"],\n}\n'
        + 'trace_standards = {"iso": {"type": "iso", "level": "control", "links": ["iso"]}}\n',
        encoding="utf-8",
    )
    lines = conf.read_text(encoding="utf-8").splitlines()
    sorce_line = lines.index('    "sorce": ["paper"],') + 1
    standards_line = next(i for i, line in enumerate(lines) if line.startswith("trace_standards")) + 1
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "-q", str(src), str(tmp_path / "out")],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 2
    assert "KeyError" not in result.stderr
    assert f"conf.py:{sorce_line}: ERROR: trace_field_values: 'sorce' is not a need field" in result.stderr
    assert f"conf.py:{standards_line}: ERROR: trace_standards['iso'] has no 'label'." in result.stderr
    assert "2 problem(s) in the trace settings of conf.py" in result.stderr
    assert "Traceback" not in result.stderr and "report this error" not in result.stderr



def test_a_misspelt_file_path_is_told_the_file_it_is_near(tmp_path: Path) -> None:
    (tmp_path / "catalogs").mkdir()
    (tmp_path / "catalogs" / "iso27001_2013.yaml").write_text("", encoding="utf-8")
    vocab = Vocabulary(types=VOCAB.types | {"iso"}, fields=VOCAB.fields, links=VOCAB.links, srcdir=tmp_path)
    assert [p.message for p in validate({"trace_catalogs": {"iso": "catalogs/iso27001-2013.yaml"}}, vocab)] == [
        "trace_catalogs['iso']: the file 'catalogs/iso27001-2013.yaml' does not exist (paths are relative to the "
        "folder of conf.py). Did you mean 'catalogs/iso27001_2013.yaml'?"]
