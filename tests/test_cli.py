"""The command-line contract of DESIGN.md, run as real subprocesses."""

from __future__ import annotations

import json

import pytest

from tests.conftest import guideqa

COMMANDS = [
    ["ingest"], ["ask"], ["serve"], ["check-doses"], ["settings"],
    ["eval", "retrieval"], ["eval", "doses"], ["eval", "answers"], ["bench", "ingest"], ["bench", "query"], ["bench", "load"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(command):
    result = guideqa(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout


def test_settings_prints_effective_settings_from_env(tmp_path):
    result = guideqa("settings", env={"GUIDEQA_DATA_DIR": str(tmp_path), "GUIDEQA_RETRIEVAL__K": "5"})
    data = json.loads(result.stdout)
    assert data["data_dir"] == str(tmp_path) and data["retrieval"]["k"] == 5


def test_ask_without_an_index_is_a_clear_json_error(tmp_path):
    result = guideqa("ask", "What IVIG dose for CVID?", "--json", env={"GUIDEQA_DATA_DIR": str(tmp_path)})
    assert result.returncode == 1
    assert json.loads(result.stdout)["error"]["code"] == "index_missing"
    assert "guideqa ingest" in result.stderr and "Traceback" not in result.stderr


def test_ask_json_matches_the_answer_contract(corpus_index):
    env = {"GUIDEQA_DATA_DIR": str(corpus_index.data_dir)}
    result = guideqa("ask", "What IVIG dose is used for Kawasaki disease?", "--json", env=env)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)  # one JSON object and nothing else on stdout
    assert set(answer) >= {"question", "standalone_question", "session_id", "status", "summary", "sections",
                           "citations", "dose_checks", "index_version", "generator", "latency_ms"}
    assert answer["status"] in {"answered", "abstained", "blocked"}
    numbers = {c["n"] for c in answer["citations"]}
    for section in answer["sections"]:
        for statement in section["statements"]:
            assert set(statement["citations"]) <= numbers
    assert any(c["document_id"] == "ig-immunomodulatory-kawasaki" for c in answer["citations"])


def test_ask_empty_question_is_refused(corpus_index):
    result = guideqa("ask", "   ", "--json", env={"GUIDEQA_DATA_DIR": str(corpus_index.data_dir)})
    assert result.returncode == 1 and json.loads(result.stdout)["error"]["code"] == "invalid_input"


def test_check_doses_json_contract():
    result = guideqa("check-doses", "--json", stdin="Give IVIG 4 g/kg every 3-4 weeks for CVID.")
    report = json.loads(result.stdout)
    assert report["blocked"] is True
    finding = report["findings"][0]
    assert {"text", "start", "end", "value", "unit", "per_kg", "verdict", "message", "flags"} <= set(finding)
    assert finding["verdict"] == "unit_error"
    ok = json.loads(guideqa("check-doses", "--json", stdin="No doses in this sentence.").stdout)
    assert ok == {"blocked": False, "findings": []}


def test_ingest_reports_bad_files_with_exit_code_2(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "empty.md").write_text("")
    (tmp_path / "docs" / "ok.md").write_text("# Fine\n\nIVIG is immunoglobulin given intravenously.\n")
    result = guideqa("ingest", str(tmp_path / "docs"), env={"GUIDEQA_DATA_DIR": str(tmp_path / "data")})
    assert result.returncode == 2
    assert "empty.md: file is empty" in result.stderr
    assert "1 changed" in result.stdout
