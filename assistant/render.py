"""Readable terminal output for answers, dose findings and metric tables."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assistant.chain import DISCLAIMER
from assistant.models import Answer, DoseFinding

VERDICT_STYLE = {"verified": "green", "grounded": "cyan", "out_of_range": "red", "unit_error": "red", "ungrounded": "yellow", "ambiguous": "yellow"}


def render_answer(console: Console, answer: Answer) -> None:
    """The answer in the seed page's order: direct answer, sections, references, dose checks."""
    console.print(f"[bold]{answer.question}[/]", highlight=False)
    if answer.standalone_question != answer.question:
        console.print(f"[dim]understood as: {answer.standalone_question}[/]", highlight=False)
    if answer.question_frame is not None and (line := answer.question_frame.describe()):
        console.print(f"[dim]Answering for: {escape(line)}[/]", highlight=False, markup=True)
    status = {"answered": "green", "abstained": "yellow", "blocked": "red"}[answer.status]
    console.print(f"[{status}]{answer.status.upper()}[/]\n")
    console.print(answer.summary, highlight=False)
    for section in answer.sections:
        console.print(f"\n[bold underline]{section.heading}[/]")
        for statement in section.statements:
            marks = "".join(f"[{n}]" for n in statement.citations)
            grade = f" [dim](grade: {statement.grade})[/]" if statement.grade else ""
            if statement.secondary_only:
                grade += " [dim](secondary summary only, not peer reviewed)[/]"
            if statement.calculated:
                grade += f" [dim](calculated by guideqa from rule {statement.calculated.rule_id})[/]"
            style = "red" if statement.withheld else ""
            console.print(f"  • [{style}]{statement.text}[/] {marks}{grade}" if style else f"  • {statement.text} {marks}{grade}", highlight=False, markup=True)
    if answer.citations:
        console.print("\n[bold underline]References[/]")
        for c in answer.citations:
            where = ", ".join(x for x in (c.section, f"p. {c.page}" if c.page else None) if x)
            console.print(f"  [{c.n}] {c.title} — {c.issuer or ''} {c.year or ''} ({where})", highlight=False, markup=False)
            for ref in c.references:
                console.print(f"      {ref}", highlight=False, markup=False)
    if answer.dose_checks:
        console.print("\n[bold underline]Dose checks[/]")
        render_findings(console, answer.dose_checks)
    console.print(f"\n[dim]{DISCLAIMER} index {answer.index_version}, {answer.generator}, {answer.latency_ms:.0f} ms[/]")


def render_findings(console: Console, findings: list[DoseFinding]) -> None:
    """One line per dose finding, coloured by verdict."""
    if not findings:
        console.print("  no doses found")
    for f in findings:
        flags = f" flags={','.join(f.flags)}" if f.flags else ""
        console.print(f"  [{VERDICT_STYLE[f.verdict]}]{f.verdict:>12}[/] {f.text!r}: {f.message}{flags}", highlight=False)


def render_table(console: Console, title: str, rows: list[dict]) -> None:
    """A metrics table, one row per dict."""
    table = Table(title=title)
    columns = list(rows[0]) if rows else []
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row[c]) for c in columns))
    console.print(table)
