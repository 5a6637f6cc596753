"""Chunk quality on a seeded random sample: chunks of several guideline PDFs, each printed with its heading path,
page and kind, for a person to judge against the PDF page (labels in evals/cases/chunk-sample-labels.jsonl).

    python -m evals.chunk_sample --pdfs ../shared/corpora/vadod --seed 1 [--n 100] [--files A.pdf,B.pdf] [--json]
    python -m evals.chunk_sample --pdfs ... --dose-runs          # chunks that hold several doses (flattened tables)
    python -m evals.chunk_sample --labels evals/cases/chunk-sample-labels.jsonl --summary   # the labelled figures

The chunks come straight from the ingest code (load + chunk, no embedding or index), so a sample reflects the
chunker as it is in the working tree.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

from assistant.settings import ChunkSettings

DOSE = re.compile(r"\b\d+(?:\.\d+)?(?:\s*[-\u2013]\s*\d+(?:\.\d+)?)?\s*(?:mg|mcg|µg|g|mL|units?)\b", re.I)


def pdf_chunks(path: Path, settings: ChunkSettings | None = None) -> list:
    """The chunks the ingest makes of one PDF (ingest.chunk.Chunk)."""
    from ingest.chunk import chunk_document
    from ingest.load import load_file

    settings = settings or ChunkSettings()
    out = []
    for doc in load_file(path):
        out.extend(chunk_document(doc, settings))
    return out


def draw(files: list[Path], n: int, seed: int) -> list[tuple[Path, object]]:
    """n chunks drawn at random (seeded) from all chunks of the files, in file and position order."""
    pool = [(path, chunk) for path in files for chunk in pdf_chunks(path)]
    rng = random.Random(seed)
    picked = rng.sample(range(len(pool)), min(n, len(pool)))
    return [pool[i] for i in sorted(picked)]


def describe(path: Path, chunk, width: int = 700) -> dict:
    text = chunk.text if len(chunk.text) <= width else chunk.text[:width] + " ..."
    return {"chunk_id": chunk.chunk_id, "pdf": path.name, "page": chunk.page, "kind": chunk.kind,
            "heading_path": list(chunk.heading_path), "extra": chunk.info, "text": text}


def dose_runs(files: list[Path], min_doses: int = 3) -> list[tuple[Path, object]]:
    """Chunks of kind text or table_row holding several doses: where a table may still be flattened."""
    out = []
    for path in files:
        for chunk in pdf_chunks(path):
            if chunk.kind in {"text", "table_row"} and len(DOSE.findall(chunk.text)) >= min_doses:
                out.append((path, chunk))
    return out


def summary(labels: Path) -> dict:
    """Heading path right, chunks mixing two rows or recommendations, kind right: per label file and per seed."""
    rows = [json.loads(line) for line in labels.read_text().splitlines() if line.strip()]
    out: dict[str, dict] = {}
    for seed in sorted({str(r.get("seed", "")) for r in rows}):
        part = [r for r in rows if str(r.get("seed", "")) == seed]
        out[f"seed {seed}"] = {
            "chunks": len(part),
            "heading_ok": round(sum(bool(r["heading_ok"]) for r in part) / len(part), 3),
            "mixed": sum(bool(r["mixed"]) for r in part),
            "kind_ok": round(sum(bool(r["kind_ok"]) for r in part) / len(part), 3),
            "pdfs": len({r["pdf"] for r in part}),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdfs", type=Path, default=Path("../shared/corpora/vadod"))
    parser.add_argument("--files", default="", help="comma-separated file names (default: every PDF in --pdfs)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--dose-runs", action="store_true")
    parser.add_argument("--labels", type=Path)
    parser.add_argument("--summary", action="store_true")
    args = parser.parse_args(argv)
    if args.summary:
        print(json.dumps(summary(args.labels or Path("evals/cases/chunk-sample-labels.jsonl")), indent=2))
        return 0
    names = {n.strip() for n in args.files.split(",") if n.strip()}
    files = sorted(p for p in args.pdfs.glob("*.pdf") if not names or p.name in names)
    if not files:
        print(f"no PDFs in {args.pdfs}", file=sys.stderr)
        return 1
    picked = dose_runs(files) if args.dose_runs else draw(files, args.n, args.seed)
    for k, (path, chunk) in enumerate(picked, start=1):
        row = describe(path, chunk)
        if args.json:
            print(json.dumps(row, ensure_ascii=False))
        else:
            print(f"### {k} {row['pdf']} p{row['page']} [{row['kind']}] {row['chunk_id']}")
            print("    path: " + " > ".join(row["heading_path"]))
            if row["extra"]:
                print("    extra: " + json.dumps({k2: v for k2, v in row["extra"].items() if k2 != "line_references"}))
            print("    " + row["text"].replace("\n", "\n    "))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
