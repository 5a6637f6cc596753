"""The README documents every command and every setting (a missing one fails here)."""

from __future__ import annotations

import typer.main
from pydantic import BaseModel

from assistant.cli import app
from assistant.settings import Settings
from tests.conftest import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def command_names() -> list[str]:
    group = typer.main.get_command(app)
    names = []
    for name, command in group.commands.items():
        subcommands = getattr(command, "commands", None)
        names += [f"guideqa {name} {sub}" for sub in subcommands] if subcommands else [f"guideqa {name}"]
    return names


def test_every_command_is_in_the_readme():
    missing = [name for name in command_names() if name not in README]
    assert not missing, f"README lacks: {missing}"


def test_every_setting_is_in_the_readme():
    missing = []
    for name, field in Settings.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            prefix = f"GUIDEQA_{name.upper()}__"
            for sub in annotation.model_fields:
                if f"{prefix}{sub.upper()}" not in README and f"{prefix}*" not in README:
                    missing.append(f"{prefix}{sub.upper()}")
        elif f"GUIDEQA_{name.upper()}" not in README:
            missing.append(f"GUIDEQA_{name.upper()}")
    assert not missing, f"README lacks: {missing}"


def test_the_readme_states_the_two_setup_commands_and_the_disclaimer():
    assert "make demo" in README and "make test" in README
    assert "not medical" in README.lower()
