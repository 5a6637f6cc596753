"""Third-party answer run: on cpgQA (extractive QA over VA/DoD opioid-taper text), how often does
the composed answer contain the gold answer span, and is the gold passage among its citations?"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.citations import normalise
from assistant.index import Index
from assistant.settings import Settings
from evals.retrieval import load_beir, namespace_for
from ingest.run import ingest


def span_eval(root: Path, settings: Settings, *, split: str = "dev", limit: int | None = None) -> dict:
    """Span containment in the answer text and gold-passage citation rate, over the split's questions."""
    from assistant.chain import Assistant

    data = load_beir(root, split, limit)
    answers = {}
    for line in (root / "answers.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            answers[row["query-id"]] = row["answer"]
    namespace = namespace_for(root)
    ingest([root / "corpus.jsonl"], settings, namespace=namespace)
    assistant = Assistant(settings, index=Index(settings, namespace))
    asked = contained = cited = answered = 0
    latencies = []
    for qid, question in data.queries.items():
        gold = answers.get(qid)
        if not gold:
            continue
        answer = assistant.ask(question)
        asked += 1
        latencies.append(answer.latency_ms)
        answered += answer.status == "answered"
        text = normalise(" ".join([answer.summary] + [s.text for sec in answer.sections for s in sec.statements]))
        contained += normalise(gold) in text
        cited += bool({c.document_id for c in answer.citations} & set(data.qrels[qid]))
    return {
        "questions": asked,
        "span_in_answer_rate": round(contained / asked, 4) if asked else 0.0,
        "gold_passage_cited_rate": round(cited / asked, 4) if asked else 0.0,
        "answered_rate": round(answered / asked, 4) if asked else 0.0,
        "latencies_ms": latencies,
    }
