"""The `guideqa` command line: thin wrappers around library calls (the only place that wires everything)."""

from __future__ import annotations

import json
import logging
import sqlite3
import sys
from contextlib import contextmanager
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, NoReturn, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assistant.errors import GuideqaError, InputError, storage_error
from assistant.settings import PROJECT_ROOT, Settings, get_settings

app = typer.Typer(
    help="guideqa: answers from clinical guidelines, with citations and checked doses.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals may hold question text
)
eval_app = typer.Typer(help="Offline evaluation suites.", no_args_is_help=True)
bench_app = typer.Typer(help="Benchmarks that print numbers.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
app.add_typer(bench_app, name="bench")
err = Console(stderr=True)
out = Console()

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout (logs go to stderr).")]


def setup_logging(settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level.upper(), stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")


def valid_weight(weight_kg: float | None) -> float | None:
    """--weight-kg checked as the API checks weight_kg (finite, 0.3-700 kg): InputError otherwise."""
    from assistant.models import check_weight_kg

    try:
        return check_weight_kg(weight_kg)
    except ValueError as exc:
        raise InputError(f"--weight-kg: {exc}.") from exc


@contextmanager
def guarded(as_json: bool = False) -> Iterator[Settings]:
    """Settings for a command; GuideqaErrors become a clear message (JSON with --json) and exit 1.

    OS and SQLite errors that escaped the library (a full disk, a read-only data dir, an unreadable
    file) get the same treatment: one paragraph naming the path, never a traceback.
    """
    settings = get_settings()
    setup_logging(settings)
    try:
        yield settings
    except GuideqaError as exc:
        fail(exc, as_json)
    except (OSError, sqlite3.Error) as exc:
        logging.getLogger("guideqa").debug("storage or OS error", exc_info=exc)
        mapped = storage_error(exc, settings.data_dir, probe=settings.data_dir)
        if mapped is None:
            filename = getattr(exc, "filename", None)
            text = f"{getattr(exc, 'strerror', None) or exc}{f': {filename}' if filename else ''}"
            mapped = GuideqaError(f"{type(exc).__name__}: {text}")
        fail(mapped, as_json)


def fail(exc: GuideqaError, as_json: bool) -> NoReturn:
    """Print the error as one paragraph (and as JSON with --json), then exit 1."""
    if as_json:
        print(json.dumps(exc.to_dict()))
    # soft_wrap: a long path is never split across lines; the terminal wraps the paragraph
    err.print(f"[bold red]error:[/] {escape(exc.user_message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(1) from None


def emit(data: Any) -> None:
    """One JSON object on stdout."""
    print(json.dumps(data, ensure_ascii=False, default=str))


@app.command()
def ingest(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Files or folders (default: the bundled corpus/).")] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Drop the index and build it again.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Ingest guideline files into the index (incremental by content hash)."""
    from assistant.progress import progress_bar
    from ingest.run import ingest as run_ingest

    with guarded(as_json) as settings:
        with progress_bar(enabled=not as_json) as progress:
            report = run_ingest(paths or [settings.corpus_dir], settings, reset=reset, progress=progress)
        if as_json:
            emit(report.__dict__)
        else:
            out.print(
                f"{report.files_seen} files ({report.files_changed} changed, {report.files_unchanged} unchanged, "
                f"{report.files_removed} removed); {report.chunks_total} chunks, {report.chunks_embedded} embedded, "
                f"{report.chunks_deleted} deleted; index {report.index_version} in {report.seconds:.1f} s"
            )
        for error in report.errors:
            err.print(f"[yellow]skipped[/] {error['path']}: {error['reason']}", highlight=False)
        if report.errors:
            raise typer.Exit(2)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in free text.")],
    session: Annotated[Optional[str], typer.Option("--session", help="Session id: follow-ups use earlier turns.")] = None,
    weight_kg: Annotated[Optional[float], typer.Option("--weight-kg", help="Patient weight for dose arithmetic.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Answer a question from the index, with numbered citations and checked doses."""
    from assistant.chain import Assistant
    from assistant.render import render_answer

    with guarded(as_json) as settings:
        weight_kg = valid_weight(weight_kg)
        assistant = Assistant(settings)
        if session:
            assistant.sessions.retention_days = settings.server.session_retention_days
            assistant.sessions.create("local", session)
        answer = assistant.ask(question, session_id=session, weight_kg=weight_kg)
        if as_json:
            print(answer.model_dump_json())
        else:
            render_answer(out, answer)


@app.command()
def serve(
    host: Annotated[Optional[str], typer.Option(help="Bind address.")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port.")] = None,
) -> None:
    """Serve the JSON/SSE API and the chat widget."""
    import uvicorn

    with guarded() as settings:
        from assistant.server.app import create_app

        from assistant.server.protocol import http_protocol

        uvicorn.run(create_app(settings), host=host or settings.server.host, port=port or settings.server.port, log_level="warning",
                    http=http_protocol())  # malformed HTTP answered in the JSON error shape


@app.command("check-doses")
def check_doses(
    weight_kg: Annotated[Optional[float], typer.Option("--weight-kg", help="Patient weight for dose arithmetic.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check every dose in the text on stdin against the rules."""
    from assistant.doses import check_report, load_rulebook

    with guarded(as_json) as settings:
        weight_kg = valid_weight(weight_kg)
        text = sys.stdin.read()
        report = check_report(text, load_rulebook(settings.doses.rules_dir), weight_kg=weight_kg)
        if as_json:
            print(report.model_dump_json())
            return
        from assistant.render import render_findings

        render_findings(out, report.findings)
        out.print("[bold red]BLOCKED[/]" if report.blocked else "[green]no blocking findings[/]")
        if report.blocked:
            raise typer.Exit(3)


@eval_app.command("retrieval")
def eval_retrieval(
    beir: Annotated[Path, typer.Option("--beir", help="BEIR folder: corpus.jsonl, queries.jsonl, qrels/SPLIT.tsv.")],
    split: Annotated[str, typer.Option(help="qrels split.")] = "dev",
    retriever: Annotated[str, typer.Option(help="hybrid, dense, bm25, or all (side by side).")] = "hybrid",
    k: Annotated[int, typer.Option(help="Depth of the ranking.")] = 10,
    limit: Annotated[Optional[int], typer.Option(help="Only the first N queries (smoke runs).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Recall@1/5/10, nDCG@10 and MRR@10 of a retriever on a BEIR set (indexed in its own collection)."""
    from assistant.progress import progress_bar
    from evals.retrieval import evaluate

    modes = ("hybrid", "dense", "bm25") if retriever == "all" else (retriever,)
    with guarded(as_json) as settings:
        if any(m not in ("hybrid", "dense", "bm25") for m in modes):
            raise InputError(f"Unknown retriever '{retriever}': use hybrid, dense, bm25 or all.")
        misses = settings.data_dir / "eval" / "retrieval-misses.jsonl"
        with progress_bar(enabled=not as_json) as progress:
            results = evaluate(beir, settings, split=split, modes=modes, k=k, limit=limit, progress=progress, misses_path=misses)
        if as_json:
            emit(results[modes[0]] if len(modes) == 1 else {"retrievers": results})
        else:
            from assistant.render import render_table

            render_table(out, f"{beir} ({split})", list(results.values()))
            err.print(f"misses written to {misses}")


@eval_app.command("doses")
def eval_doses(
    cases: Annotated[Path, typer.Option("--cases", help="JSONL of {id, text, weight_kg?, safe}.")],
    pdfs: Annotated[Optional[Path], typer.Option("--pdfs", help="Folder of the guideline PDFs that cases' sources cite "
                                                                 "(default: the vadod_pdfs setting, GUIDEQA_VADOD_PDFS, else "
                                                                 "shared/corpora/vadod beside the project).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Share of unsafe dose texts caught and safe ones passed."""
    from assistant.doses import load_rulebook
    from evals.doses import run_dose_eval

    with guarded(as_json) as settings:
        if not cases.exists():
            raise InputError(f"{cases} does not exist.")
        result = run_dose_eval(cases, load_rulebook(settings.doses.rules_dir), pdfs or settings.vadod_pdfs)
        if as_json:
            emit(result)
        else:
            out.print(f"unsafe caught {result['unsafe_caught']}/{result['unsafe_total']}, safe passed {result['safe_passed']}/{result['safe_total']}")
            for miss in result["misses"]:
                out.print(f"  miss {miss['id']}: safe={miss['safe']} blocked={miss['blocked']} flags={miss['flags']}")


@eval_app.command("answers")
def eval_answers(
    cases: Annotated[Path, typer.Option("--cases", help="JSONL answer cases (see evals/README).")],
    as_json: JsonOpt = False,
) -> None:
    """Citation validity, expected documents, abstention and follow-up recall on answer cases."""
    from evals.answers import run_answer_eval

    with guarded(as_json) as settings:
        if not cases.exists():
            raise InputError(f"{cases} does not exist.")
        result = run_answer_eval(cases, settings)
        if as_json:
            emit(result)
        else:
            out.print_json(data={k: v for k, v in result.items() if k != "failures"})
            for failure in result.get("failures", [])[:20]:
                out.print(f"  fail {failure}")


@eval_app.command("clinician")
def eval_clinician(
    cases: Annotated[Path, typer.Option("--cases", help="JSONL clinician cases (evals/cases/clinician-dev.jsonl, -test.jsonl).")],
    as_json: JsonOpt = False,
) -> None:
    """Clinicians' questions judged on the lead and every shown statement: outcome, must and must-not facts."""
    from evals.clinician import run_clinician_eval

    with guarded(as_json) as settings:
        if not cases.exists():
            raise InputError(f"{cases} does not exist.")
        result = run_clinician_eval(cases, settings)
        if as_json:
            emit(result)
        else:
            out.print_json(data={k: v for k, v in result.items() if k != "failures"})
            for failure in result["failures"][:30]:
                out.print(f"  fail {failure['id']}#{failure['turn']}: {failure['question']!r} [{failure['frame']}] "
                          f"-> {failure['problems']}", highlight=False)


@eval_app.command("vadod")
def eval_vadod(
    cases: Annotated[Path, typer.Option("--cases", help="JSONL cases over guideline PDFs (evals/cases/vadod-dev.jsonl, -test.jsonl).")],
    pdfs: Annotated[Optional[Path], typer.Option("--pdfs", help="Folder of the guideline PDFs (read at run time, never "
                                                                 "committed; default: the vadod_pdfs setting, GUIDEQA_VADOD_PDFS).")] = None,
    only: Annotated[Optional[str], typer.Option(help="Comma-separated PDF file names: index and ask only these (a smoke run).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Questions over a site's own guideline PDFs: lead correct, right passage cited, no debris, grade right."""
    from evals.vadod import run_vadod_eval

    with guarded(as_json) as settings:
        if not cases.exists():
            raise InputError(f"{cases} does not exist.")
        result = run_vadod_eval(cases, settings, pdfs or settings.vadod_pdfs, only=set(only.split(",")) if only else None)
        if as_json:
            emit(result)
        else:
            out.print_json(data={k: v for k, v in result.items() if k != "failures"})
            for failure in result["failures"][:30]:
                out.print(f"  fail {failure['id']}#{failure['turn']}: {failure['question']!r} -> {failure['problems']} "
                          f"passage={failure['right_passage']} debris={failure['debris']} grade={failure['grade_right']}",
                          highlight=False)


@eval_app.command("support")
def eval_support(
    cases: Annotated[Path, typer.Option("--cases", help="JSONL support cases (evals/cases/support-dev.jsonl, -test.jsonl).")],
    pdf_dir: Annotated[Optional[Path], typer.Option("--pdf-dir", help="Folder of the VA/DoD guideline PDFs the PDF cases cite "
                                                                      "(default: the vadod_pdfs setting).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Claim-level support check on (statement, passage, label) pairs: precision and recall of 'unsupported'."""
    from evals.support import run_support_eval

    with guarded(as_json) as settings:
        if not cases.exists():
            raise InputError(f"{cases} does not exist.")
        result = run_support_eval(cases, settings, pdf_dir or settings.vadod_pdfs)
        result.pop("results")
        if as_json:
            emit(result)
        else:
            out.print_json(data={k: v for k, v in result.items() if k not in ("misses", "per_source")})
            for error in result["errors"][:30]:
                err.print(f"[red]error[/] {error['id']} (line {error['line']}): {escape(error['error'])}", highlight=False)
            for miss in result["misses"][:40]:
                out.print(f"  miss {miss['id']} [{miss['kind']}] {miss['label']}: {miss['statement']!r} -> {miss['reasons']}",
                          highlight=False)


@eval_app.command("all")
def eval_all(
    report: Annotated[Path, typer.Option("--report", help="Folder for results.json, report.html and report.md.")],
    baseline: Annotated[Optional[Path], typer.Option("--baseline", help="A previous results.json to compare with.")] = None,
    thresholds: Annotated[Optional[Path], typer.Option("--thresholds", help="Minimum metrics (default evals/thresholds.yaml).")] = None,
    limit: Annotated[Optional[int], typer.Option(help="Queries per BEIR set (a smoke run); all when unset.")] = None,
    sets: Annotated[str, typer.Option(help="Comma-separated BEIR sets from ../shared/datasets.")] = "cpgqa,pubmedqa,medquad",
    bench: Annotated[Optional[list[Path]], typer.Option("--bench", help="`guideqa bench` results to include (e.g. DATA_DIR/bench/query.json).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Every suite, with a report a release manager can read; exit 4 when a threshold fails."""
    from evals.report import DEFAULT_THRESHOLDS, check_thresholds, load_bench, run_suites, write_report

    with guarded(as_json) as settings:
        for path in [baseline, *(bench or [])]:
            if path is not None and not path.exists():
                raise InputError(f"{path} does not exist.")
        benches = load_bench(bench or [])
        results = run_suites(settings, PROJECT_ROOT.parent / "shared", limit=limit, sets=tuple(s for s in sets.split(",") if s),
                             misses_dir=report)
        results["bench"] = benches
        failures = check_thresholds(results, thresholds or DEFAULT_THRESHOLDS)
        previous = json.loads(baseline.read_text(encoding="utf-8")) if baseline else None
        paths = write_report(results, report, baseline=previous, failures=failures)
        if as_json:
            emit({"report": [str(p) for p in paths], "failures": failures, "suites": list(results["suites"])})
        else:
            out.print(f"report written: {', '.join(str(p) for p in paths)}")
            for failure in failures:
                err.print(f"[red]threshold failed[/] {failure}", highlight=False)
        if failures:
            raise typer.Exit(4)


@bench_app.command("ingest")
def bench_ingest(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Files or folders (default: the vadod_pdfs setting, ../shared/corpora/vadod).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Ingest throughput against raw model encode throughput, unchanged re-ingest time, peak RSS."""
    from evals.bench import bench_ingest as run

    with guarded(as_json) as settings:
        result = run(paths or [settings.vadod_pdfs], settings)
        _bench_done(settings, result, as_json)


@bench_app.command("query")
def bench_query(
    replicate_to: Annotated[int, typer.Option(help="Replicate the largest index to this many chunks (0: skip).")] = 100_000,
    server: Annotated[bool, typer.Option(help="Time every size on a real Chroma server too, side by side.")] = True,
    quick: Annotated[bool, typer.Option(help="Bundled corpus only (smoke run).")] = False,
    rounds: Annotated[int, typer.Option(min=1, help="Passes over the benchmark questions at each size.")] = 2,
    as_json: JsonOpt = False,
) -> None:
    """p50/p95 latency of retrieval and of whole answers at growing index sizes, embedded and server, and memory per 100k chunks."""
    from evals.bench import bench_query as run

    with guarded(as_json) as settings:
        shared = PROJECT_ROOT.parent / "shared"
        sources = [("bundled corpus", [settings.corpus_dir])]
        if not quick:
            sources += [("+ VA/DoD PDFs", [shared / "corpora" / "vadod"]),
                        ("+ MedQuAD answers", [shared / "datasets" / "medquad" / "corpus.jsonl"])]
        result = run(settings, sources=sources, replicate_to=0 if quick else replicate_to, server=server, rounds=rounds)
        _bench_done(settings, result, as_json)


@bench_app.command("load")
def bench_load(
    clients: Annotated[str, typer.Option(help="Comma-separated client counts, one run each.")] = "16,64",
    seconds: Annotated[float, typer.Option(min=1, help="Seconds per run.")] = 60.0,
    as_json: JsonOpt = False,
) -> None:
    """A real server on 127.0.0.1 under N concurrent clients (mixed ask and stream, with follow-ups): throughput, p50/p95/p99, errors, memory."""
    from evals.load import bench_load as run

    with guarded(as_json) as settings:
        try:
            counts = tuple(int(c) for c in clients.split(",") if c.strip())
        except ValueError as exc:
            raise InputError(f"--clients takes comma-separated whole numbers, not {clients!r}.") from exc
        if not counts or min(counts) < 1:
            raise InputError("--clients needs at least one client count of 1 or more.")
        _bench_done(settings, run(settings, clients=counts, seconds=seconds), as_json)


def _bench_done(settings: Settings, result: dict, as_json: bool) -> None:
    """Keep the result under DATA_DIR/bench (for `eval all --bench`), then print JSON or a table."""
    from evals.bench import save_result, table_rows

    saved = save_result(settings, result)
    if as_json:
        emit(result)
        return
    rows = table_rows(result)
    notes = {"query": "times in ms; RSS of the timing process, or of the Chroma server for 'server'",
             "load": "latency in ms; RSS of the server process", "ingest": ""}
    table = Table(title=f"bench {result['kind']}" + (f" ({notes[result['kind']]})" if notes.get(result["kind"]) else ""))
    for column in rows[0]:
        table.add_column(column, justify="right" if column not in ("step", "store", "metric") else "left")
    for row in rows:
        table.add_row(*(str(v) for v in row.values()))
    out.print(table)
    for key in ("memory_mb_per_100k_chunks", "target_met_at_largest", "pipeline_over_raw", "peak_rss_mb"):
        if key in result:
            out.print(f"{key}: {result[key]}")
    out.print(f"saved: {saved}")


@app.command("settings")
def show_settings() -> None:
    """Print the effective settings (secrets masked)."""
    with guarded() as settings:
        print(settings.model_dump_json(indent=2))


@app.command("audit")
def audit(
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many of the newest entries.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """List recent audit log entries (question hashes, cited chunks, index version, status, dose verdicts, latency)."""
    from assistant.audit import list_recent

    with guarded(as_json) as settings:
        entries = list_recent(limit, settings)
        if as_json:
            emit({"entries": entries})
            return
        if not entries:
            out.print("no audit entries")
        for e in entries:
            verdicts = ",".join(v["verdict"] for v in e["dose_verdicts"]) or "-"
            out.print(f"{e['time']} {e['key_id']:<12} {e['endpoint']:<6} {e['status']:<22} q={e['question_sha256'][:12]} "
                      f"chunks={len(e['chunk_ids'])} doses={verdicts} index={e['index_version'] or '-'} {e['latency_ms']:.0f} ms",
                      highlight=False, markup=False, soft_wrap=True)


if __name__ == "__main__":  # pragma: no cover
    app()
