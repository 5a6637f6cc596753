"""Run every suite, write results.json + report.html (self-contained) + report.md, compare with a
baseline, and check the checked-in thresholds (a release fails when a metric falls below one)."""

from __future__ import annotations

import base64
import html
import io
import json
import platform
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import InputError
from assistant.settings import PROJECT_ROOT, Settings

CASES = PROJECT_ROOT / "evals" / "cases"
DEFAULT_THRESHOLDS = PROJECT_ROOT / "evals" / "thresholds.yaml"
BEIR_SETS = ("cpgqa", "pubmedqa", "medquad")


def run_suites(settings: Settings, shared: Path, *, limit: int | None, sets: tuple[str, ...] = BEIR_SETS,
               misses_dir: Path | None = None) -> dict:
    """Every suite; `limit` caps the queries per BEIR set (a smoke run) and the cpgQA span run.
    Per-query retrieval misses go to misses_dir/retrieval-misses-SET.jsonl."""
    from assistant.doses import load_rulebook
    from evals.answers import run_answer_eval
    from evals.clinician import run_clinician_eval
    from evals.doses import run_dose_eval
    from evals.retrieval import evaluate
    from evals.spans import span_eval

    started = time.perf_counter()
    suites: dict[str, Any] = {"retrieval": {}}
    for name in sets:
        root = shared / "datasets" / name
        if not root.exists():
            raise InputError(f"{root} is missing: the retrieval suite reads the BEIR sets from ../shared/datasets.")
        misses = misses_dir / f"retrieval-misses-{name}.jsonl" if misses_dir else None
        suites["retrieval"][name] = evaluate(root, settings, modes=("hybrid", "dense", "bm25"), limit=limit, misses_path=misses)
    suites["doses"] = run_dose_eval(CASES / "doses.jsonl", load_rulebook(settings.doses.rules_dir))
    suites["doses"]["unsafe_caught_rate"] = round(suites["doses"]["unsafe_caught"] / max(1, suites["doses"]["unsafe_total"]), 4)
    suites["doses"]["safe_passed_rate"] = round(suites["doses"]["safe_passed"] / max(1, suites["doses"]["safe_total"]), 4)
    suites["answers"] = run_answer_eval(CASES / "answers.jsonl", settings)
    suites["conversation"] = run_answer_eval(CASES / "conversations.jsonl", settings)
    suites["cpgqa_spans"] = span_eval(shared / "datasets" / "cpgqa", settings, limit=limit)
    for split in ("dev", "test"):  # clinicians' questions, written from the corpus alone; tuned on dev only
        suites[f"clinician_{split}"] = run_clinician_eval(CASES / f"clinician-{split}.jsonl", settings)
    return {
        "meta": {
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "limit": limit,
            "python": platform.python_version(),
            "seconds": round(time.perf_counter() - started, 1),
            "misses_files": [f"retrieval-misses-{name}.jsonl" for name in sets] if misses_dir else [],
        },
        "suites": suites,
    }


def load_bench(paths: list[Path]) -> dict[str, dict]:
    """`guideqa bench` result files by kind (query, ingest); InputError for a file that is not one."""
    out: dict[str, dict] = {}
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"{path} is not a readable JSON file: {exc}") from exc
        if not isinstance(data, dict) or data.get("kind") not in ("query", "ingest", "load"):
            raise InputError(f"{path} is not a `guideqa bench` result (no kind 'query', 'ingest' or 'load').")
        out[data["kind"]] = data
    return out


def flatten(data: Any, prefix: str = "") -> dict[str, float]:
    """Numeric leaves as dotted paths: suites.retrieval.cpgqa.hybrid.recall@1 -> 0.81."""
    out: dict[str, float] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(data, (int, float)) and not isinstance(data, bool):
        out[prefix] = float(data)
    return out


def check_thresholds(results: dict, thresholds_path: Path) -> list[str]:
    """Metrics below their minimum (or missing), as readable lines; empty means pass."""
    spec = yaml.safe_load(thresholds_path.read_text(encoding="utf-8")) or {}
    flat = flatten(results.get("suites", {}))
    failures = []
    for path, minimum in (spec.get("minimum") or {}).items():
        if path not in flat:
            if not _skipped(path, results):
                failures.append(f"{path}: missing from the results")
        elif flat[path] < float(minimum):
            failures.append(f"{path}: {flat[path]:.4f} is below the threshold {minimum}")
    return failures


def _skipped(path: str, results: dict) -> bool:
    """A threshold for a BEIR set this run did not include is not a failure."""
    parts = path.split(".")
    return parts[0] == "retrieval" and parts[1] not in results.get("suites", {}).get("retrieval", {})


def compare(results: dict, baseline: dict) -> list[dict]:
    """Metric differences against a previous results.json."""
    now, before = flatten(results.get("suites", {})), flatten(baseline.get("suites", {}))
    return [
        {"metric": key, "baseline": before[key], "current": now[key], "delta": round(now[key] - before[key], 4)}
        for key in sorted(now.keys() & before.keys())
        if abs(now[key] - before[key]) > 1e-9
    ]


def _plots(results: dict) -> dict[str, bytes]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    images: dict[str, bytes] = {}
    retrieval = results["suites"].get("retrieval", {})
    if retrieval:
        fig, axes = plt.subplots(1, len(retrieval), figsize=(4.2 * len(retrieval), 3.4), squeeze=False)
        for ax, (name, modes) in zip(axes[0], retrieval.items()):
            for mode, metrics in modes.items():
                ax.plot([1, 5, 10], [metrics["recall@1"], metrics["recall@5"], metrics["recall@10"]], marker="o", label=mode)
            ax.set_title(name)
            ax.set_xlabel("k")
            ax.set_ylabel("recall@k")
            ax.set_ylim(0, 1.02)
            ax.legend()
        images["recall_at_k.png"] = _png(fig)
    latencies = [ms for key in ("answers", "conversation") for ms in results["suites"].get(key, {}).get("latencies_ms", [])]
    if latencies:
        fig, ax = plt.subplots(figsize=(5, 3.2))
        ax.hist(latencies, bins=30)
        ax.set_xlabel("answer latency (ms)")
        ax.set_ylabel("answers")
        images["answer_latency.png"] = _png(fig)
    query = results.get("bench", {}).get("query")
    if query:
        fig, ax = plt.subplots(figsize=(6, 3.4))
        for store in ("embedded", "server"):
            points = sorted((st["chunks"], st["answer"]["p95_ms"], st["retrieval"]["p95_ms"]) for st in query["steps"] if st["store"] == store)
            if points:
                ax.plot([x for x, _, _ in points], [a for _, a, _ in points], marker="o", label=f"{store}: whole answer p95")
                ax.plot([x for x, _, _ in points], [r for _, _, r in points], marker="x", linestyle="--", label=f"{store}: retrieval p95")
        ax.axhline(query.get("target_p95_answer_ms", 250), color="red", linewidth=0.8, label="target")
        ax.set_xscale("log")
        ax.set_xlabel("chunks in the index")
        ax.set_ylabel("ms")
        ax.legend(fontsize=7)
        images["query_latency.png"] = _png(fig)
    rates = _pass_rates(results)
    if rates:
        fig, ax = plt.subplots(figsize=(6, 3.2))
        ax.barh(list(rates), list(rates.values()))
        ax.set_xlim(0, 1)
        ax.set_xlabel("pass rate")
        images["pass_rates.png"] = _png(fig)
    return images


def _png(fig: Any) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return buffer.getvalue()


def _pass_rates(results: dict) -> dict[str, float]:
    suites = results["suites"]
    rates = {}
    if "doses" in suites:
        rates["doses: unsafe caught"] = suites["doses"]["unsafe_caught_rate"]
        rates["doses: safe passed"] = suites["doses"]["safe_passed_rate"]
    for key in ("answers", "conversation", "cpgqa_spans", "clinician_dev", "clinician_test"):
        for metric, value in suites.get(key, {}).items():
            if isinstance(value, float) and 0 <= value <= 1 and ("recall" in metric or "validity" in metric or "rate" in metric):
                rates[f"{key}: {metric}"] = value
    return rates


def _table(rows: list[dict]) -> tuple[list[str], list[list[str]]]:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    return columns, [[str(row.get(c, "")) for c in columns] for row in rows]


def write_report(results: dict, folder: Path, *, baseline: dict | None = None, failures: list[str] | None = None) -> list[Path]:
    """results.json, report.md (with PNGs beside it) and a self-contained report.html."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    images = _plots(results)
    for name, data in images.items():
        (folder / name).write_bytes(data)
    sections: list[tuple[str, list[dict]]] = []
    for name, modes in results["suites"].get("retrieval", {}).items():
        sections.append((f"Retrieval: {name}", list(modes.values())))
    for key in ("doses", "answers", "conversation", "cpgqa_spans", "clinician_dev", "clinician_test"):
        if key in results["suites"]:
            scalars = {k: v for k, v in results["suites"][key].items() if not isinstance(v, (list, dict))}
            sections.append((key, [scalars]))
    from evals.bench import table_rows

    for kind, bench in results.get("bench", {}).items():
        sections.append((f"Benchmark: {kind}", table_rows(bench)))
    misses = results["meta"].get("misses_files")
    if misses:
        sections.append(("Per-query retrieval misses", [{"file": m} for m in misses]))
    diff = compare(results, baseline) if baseline else []
    if diff:
        sections.append(("Difference against the baseline", diff))
    md = [f"# guideqa evaluation report\n\n{results['meta']}\n"]
    body = [f"<h1>guideqa evaluation report</h1><p>{html.escape(json.dumps(results['meta']))}</p>"]
    status = "PASS" if not failures else "FAIL"
    md.append(f"**Thresholds: {status}**\n" + "".join(f"\n- {f}" for f in failures or []) + "\n")
    body.append(f"<h2>Thresholds: {status}</h2><ul>" + "".join(f"<li>{html.escape(f)}</li>" for f in failures or []) + "</ul>")
    for title, rows in sections:
        columns, cells = _table(rows)
        md.append(f"\n## {title}\n\n| " + " | ".join(columns) + " |\n|" + "---|" * len(columns) + "\n")
        md.extend("| " + " | ".join(row) + " |\n" for row in cells)
        body.append(f"<h2>{html.escape(title)}</h2><table><tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in columns) + "</tr>")
        body.extend("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>" for row in cells)
        body.append("</table>")
    for name, data in images.items():
        md.append(f"\n![{name}]({name})\n")
        body.append(f'<figure><img alt="{name}" src="data:image/png;base64,{base64.b64encode(data).decode()}"></figure>')
    (folder / "report.md").write_text("".join(md), encoding="utf-8")
    style = "body{font-family:sans-serif;max-width:1100px;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px}"
    (folder / "report.html").write_text(f"<!doctype html><meta charset=utf-8><title>guideqa report</title><style>{style}</style>" + "".join(body), encoding="utf-8")
    return [folder / "results.json", folder / "report.html", folder / "report.md"]
