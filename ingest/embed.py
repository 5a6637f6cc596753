"""Embed chunks in batches and hand each batch to the store as soon as it is ready."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from assistant.embeddings import Embedder
from ingest.chunk import Chunk, contextual_text
from ingest.load import SourceDocument

Item = tuple[SourceDocument, Chunk]


def batches(items: list[Item], size: int) -> Iterator[list[Item]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def embed_items(
    embedder: Embedder,
    items: list[Item],
    write: Callable[[list[Item], np.ndarray], None],
    *,
    batch_size: int,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Embed items (each batch written before the next is encoded, so a killed run keeps its progress)."""
    # Several model batches per write: fewer store round trips, and sentence-transformers sorts
    # texts by length within one call, which wastes less padding.
    write_size = batch_size * 4
    done = 0
    for group in batches(items, write_size):
        texts = [contextual_text(doc.title, chunk) for doc, chunk in group]
        vectors = embedder.encode(texts, batch_size=batch_size)
        write(group, vectors)
        done += len(group)
        if on_progress:
            on_progress(len(group))
    return done
