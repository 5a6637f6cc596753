"""Questions embedded by onnxruntime: the same vectors as torch, exported once, torch kept when export fails."""

from __future__ import annotations

import logging

import numpy as np

from assistant.embeddings import Embedder, OnnxQueryEncoder, get_embedder

TEXTS = ["IVIG dose?", "What IVIG dose is used for Kawasaki disease in an 18 kg child? (intravenous immunoglobulin)",
         "trough IgG targets during subcutaneous replacement in primary immunodeficiency, and how often to check them " * 3]


def test_onnx_query_vectors_equal_torch_vectors(tmp_path):
    embedder = get_embedder()
    encoder = OnnxQueryEncoder.build(embedder, tmp_path)
    assert np.abs(encoder.encode(TEXTS) - embedder.encode(TEXTS)).max() < 1e-5  # a padded batch of different lengths
    assert len(list(tmp_path.glob("query-encoder-*.onnx"))) == 1


def test_the_export_is_made_once_and_reused(tmp_path, monkeypatch):
    embedder = get_embedder()
    OnnxQueryEncoder.build(embedder, tmp_path)
    calls = []
    monkeypatch.setattr(OnnxQueryEncoder, "_export", staticmethod(lambda model, target: calls.append(target)))
    OnnxQueryEncoder.build(embedder, tmp_path)
    assert calls == []


def test_a_failed_export_keeps_torch_with_a_warning(tmp_path, monkeypatch, caplog):
    def broken(model, target):
        raise RuntimeError("no exporter here")

    monkeypatch.setattr(OnnxQueryEncoder, "_export", staticmethod(broken))
    embedder = Embedder()  # its own instance: the shared one may already use onnx
    with caplog.at_level(logging.WARNING, logger="assistant.embeddings"):
        assert embedder.use_onnx(tmp_path / "models") is False
    assert "stay on torch" in caplog.text
    assert np.allclose(embedder.embed_query(TEXTS[1]), embedder.encode([TEXTS[1]])[0])
