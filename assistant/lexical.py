"""The BM25 lexical index (bm25s), persisted beside the Chroma collection."""

from __future__ import annotations

import json
import logging
import re
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from assistant.spelling import american

log = logging.getLogger(__name__)
logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets its own logger to DEBUG on import

_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
_STOPWORDS = frozenset(
    "a an and are as at be but by for from has have if in into is it its of on or such that the their then there "
    "these they this to was were will with what which who whom how when where why does do did can should would "
    "i me my we our you your he she him her them".split()
)


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def tokenize(text: str) -> list[str]:
    """Lower-case, stop-word-free, American-spelled, stemmed tokens (numbers kept as they are)."""
    return _stemmer().stemWords([american(t) for t in _TOKEN.findall(text.lower()) if t not in _STOPWORDS])


class LexicalIndex:
    """BM25 over chunk texts; scores for every chunk so fusion can normalise them."""

    def __init__(self, model: bm25s.BM25, ids: list[str]) -> None:
        self.model = model
        self.ids = ids
        self._vocab: dict[str, int] = model.vocab_dict
        # An index built before the spelling table holds "haemolysi" where questions now give "hemolysi".
        self._alias = {us: token for token in self._vocab if (us := american(token)) != token and us not in self._vocab}

    def _known(self, tokens: list[str]) -> list[str]:
        """Tokens as this index spells them."""
        return [self._alias.get(t, t) for t in tokens] if self._alias else tokens

    @classmethod
    def build(cls, ids: list[str], texts: list[str]) -> "LexicalIndex":
        """Index texts (in the order of ids)."""
        model = bm25s.BM25()
        corpus_tokens = [tokenize(text) or ["<empty>"] for text in texts]
        model.index(corpus_tokens, show_progress=False)
        return cls(model, list(ids))

    def save(self, folder: Path) -> None:
        """Write the index and its id list into a folder."""
        folder.mkdir(parents=True, exist_ok=True)
        self.model.save(str(folder), show_progress=False)
        (folder / "ids.json").write_text(json.dumps(self.ids), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        """Read an index written by save()."""
        model = bm25s.BM25.load(str(folder), show_progress=False, verbosity=0)
        ids = json.loads((folder / "ids.json").read_text(encoding="utf-8"))
        return cls(model, ids)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for a query (zeros when no term is known)."""
        tokens = [t for t in self._known(tokenize(query)) if t in self._vocab]
        if not tokens or not self.ids:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self.model.get_scores(tokens), dtype=np.float32)

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[str, float]]:
        """Top k (chunk id, score) pairs with a positive score, optionally within a boolean mask."""
        scores = self.scores(query)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        k = min(k, len(scores))
        if k == 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]

    # --- used by retrieval fusion and follow-up handling ---------------------------------

    def knows(self, word: str) -> bool:
        """True when the (stemmed) word occurs in the indexed texts, or is a stop word."""
        tokens = self._known(tokenize(word))
        return not tokens or all(t in self._vocab for t in tokens)

    def position(self) -> dict[str, int]:
        """Row of each chunk id in the score arrays."""
        cached = getattr(self, "_position", None)
        if cached is None:
            cached = self._position = {cid: i for i, cid in enumerate(self.ids)}
        return cached

    def weighted_scores(self, weighted: dict[str, float]) -> np.ndarray:
        """BM25 score of every chunk for a query given as {token: weight} (already tokenized); one pass per distinct weight."""
        out = np.zeros(len(self.ids), dtype=np.float32)
        groups: dict[float, list[str]] = {}
        for token, weight in weighted.items():
            token = self._alias.get(token, token)
            if token in self._vocab and weight:
                groups.setdefault(float(weight), []).append(token)
        for weight, tokens in groups.items():
            out += weight * np.asarray(self.model.get_scores(tokens), dtype=np.float32)
        return out

    def known_share(self, text: str) -> float:
        """Share of a text's tokens that occur in the indexed texts (0 for a text with no tokens)."""
        tokens = self._known(tokenize(text))
        return sum(1 for t in tokens if t in self._vocab) / len(tokens) if tokens else 0.0
