"""Fixtures for the answering tests: one Assistant over the bundled corpus (ingested once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.chain import Assistant
from assistant.sessions import SessionStore
from assistant.settings import Settings


@pytest.fixture(scope="session")
def assistant(corpus_index: Settings, tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """The extractive assistant over the bundled corpus."""
    sessions = SessionStore(Path(tmp_path_factory.mktemp("sessions")) / "sessions.sqlite3")
    return Assistant(corpus_index, sessions=sessions)


@pytest.fixture
def make_assistant(corpus_index: Settings, tmp_path: Path):
    """An Assistant over the same index with its own sessions, optionally with a chat model."""
    def make(chat_model=None, **answer) -> Assistant:
        settings = corpus_index.model_copy(update={"answer": corpus_index.answer.model_copy(update=answer)}) if answer else corpus_index
        return Assistant(settings, sessions=SessionStore(tmp_path / "sessions.sqlite3"), chat_model=chat_model)

    return make
