"""Round 16 (issue #14): the guideline-PDF folder is a setting, and the dose classes fixed this round."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.settings import PROJECT_ROOT, Settings, get_settings


# --- The PDF folder is one setting: GUIDEQA_VADOD_PDFS through the Settings object, --pdfs overrides it. ---

def test_vadod_pdfs_is_a_setting_read_from_its_environment_name(monkeypatch, tmp_path):
    monkeypatch.delenv("GUIDEQA_VADOD_PDFS", raising=False)
    assert Settings().vadod_pdfs == PROJECT_ROOT.parent / "shared" / "corpora" / "vadod"
    monkeypatch.setenv("GUIDEQA_VADOD_PDFS", str(tmp_path))
    assert Settings().vadod_pdfs == tmp_path


def test_the_dose_eval_reads_pdfs_from_the_setting_and_the_option_overrides_it(monkeypatch, tmp_path):
    import evals.doses as doses
    from typer.testing import CliRunner

    from assistant.cli import app

    missing = tmp_path / "no-pdfs-here"
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"id": "x", "text": "Amlodipine 5 mg daily.", "safe": True,
                                 "sources": ["VA/DoD VADoDHypertensionCPG508Corrected792020.pdf p99"]}) + "\n")
    monkeypatch.setenv("GUIDEQA_VADOD_PDFS", str(missing))
    monkeypatch.setenv("GUIDEQA_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    try:
        assert doses.VADOD_PDFS == missing
        # The setting decides where a cited PDF is looked for: a missing folder is named in the error.
        with pytest.raises(Exception) as raised:
            doses.resolve_sources(["VA/DoD VADoDHypertensionCPG508Corrected792020.pdf p99"])
        assert str(missing) in str(raised.value)
        result = CliRunner().invoke(app, ["eval", "doses", "--cases", str(cases), "--json"])
        assert result.exit_code == 1 and str(missing) in result.stdout
        # --pdfs overrides the setting.
        other = tmp_path / "other"
        result = CliRunner().invoke(app, ["eval", "doses", "--cases", str(cases), "--pdfs", str(other), "--json"])
        assert result.exit_code == 1 and str(other) in result.stdout and str(missing) not in result.stdout
    finally:
        get_settings.cache_clear()


def test_evals_doses_reads_no_environment_variable_itself():
    source = (PROJECT_ROOT / "evals" / "doses.py").read_text(encoding="utf-8")
    assert "os.environ" not in source and "getenv" not in source
