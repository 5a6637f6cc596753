"""Rule files: validation names the file and the row; good files load once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.doses import RuleFileError, load_rulebook
from assistant.errors import ConfigError

FIXTURE_RULES = Path(__file__).resolve().parents[1] / "data" / "rules"


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(FIXTURE_RULES, target)
    return target


def _append(path: Path, row: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + row, encoding="utf-8")


def test_fixture_rules_load(book):
    assert len(book.rules) >= 30
    assert {r.drug for r in book.rules} == {"immunoglobulin", "diphenhydramine", "acetaminophen", "corticosteroid"}


def test_bad_row_names_file_index_and_id(tmp_path):
    rules = _copy(tmp_path)
    _append(rules / "premedication.yaml", "  - {id: broken-row, drug: acetaminophen, indication: premedication, "
                                          "min: 900, max: 100, unit: mg, source: {document: d, reference: r}}\n")
    with pytest.raises(RuleFileError) as err:
        load_rulebook(rules)
    message = str(err.value)
    assert "premedication.yaml" in message and "rule #4" in message and "broken-row" in message
    assert "above max" in message
    assert isinstance(err.value, ConfigError) and err.value.status_code == 500


@pytest.mark.parametrize("row, expected", [
    ("{id: x-unit, drug: acetaminophen, indication: premedication, min: 1, max: 2, unit: furlongs, "
     "source: {document: d, reference: r}}", "unit"),
    ("{id: x-drug, drug: aspirin, indication: premedication, min: 1, max: 2, unit: mg, "
     "source: {document: d, reference: r}}", "aspirin"),
    ("{id: x-kind, drug: acetaminophen, indication: premedication, kind: lab_target, min: 1, unit: mg, "
     "source: {document: d, reference: r}}", "does not fit"),
    ("{id: x-basis, drug: acetaminophen, indication: premedication, basis: per_kg, min: 1, max: 2, unit: mg, "
     "source: {document: d, reference: r}}", "basis"),
    ("{id: x-extra, drug: acetaminophen, indication: premedication, min: 1, max: 2, unit: mg, colour: red, "
     "source: {document: d, reference: r}}", "colour"),
    ("{id: acetaminophen-premed, drug: acetaminophen, indication: premedication, min: 1, max: 2, unit: mg, "
     "source: {document: d, reference: r}}", "duplicate"),
])
def test_each_kind_of_bad_row_is_reported(tmp_path, row, expected):
    rules = _copy(tmp_path)
    _append(rules / "premedication.yaml", f"  - {row}\n")
    with pytest.raises(RuleFileError, match=expected):
        load_rulebook(rules)


def test_missing_vocabulary_and_bad_yaml(tmp_path):
    rules = _copy(tmp_path)
    (rules / "broken.yaml").write_text("rules: [\n", encoding="utf-8")
    with pytest.raises(RuleFileError, match="broken.yaml"):
        load_rulebook(rules)
    (rules / "broken.yaml").unlink()
    (rules / "vocabulary.yaml").unlink()
    with pytest.raises(RuleFileError, match="vocabulary"):
        load_rulebook(rules)


def test_rulebook_is_cached_until_a_file_changes(tmp_path):
    rules = _copy(tmp_path)
    first = load_rulebook(rules)
    assert load_rulebook(rules) is first
    _append(rules / "premedication.yaml", "  - {id: extra-row, drug: acetaminophen, indication: premedication, "
                                          "min: 1, max: 2, unit: g, source: {document: d, reference: r}}\n")
    assert len(load_rulebook(rules).rules) == len(first.rules) + 1


def test_corpus_rules_load(corpus_book):
    assert corpus_book.rules
