"""Citations are data: chunk ids carried through composing, numbered at the end, and checked so
that no statement cites a passage that was not retrieved and every statement is supported."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.corpus import Reference, load_references
from assistant.models import Answer, Citation, Section, Statement
from assistant.text import neutralise
from assistant.retrieval import Hit

MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
# guideqa's own markers in a summary: " [n]" groups closing a sentence ("... 2 g/kg [1]." or "... [1][2].")
OWN_MARKERS = re.compile(r"(?:\s?\[\d+\])+\.(?=\s|$)")


class Numbering:
    """Numbers retrieved chunks in order of first citation."""

    def __init__(self, hits: list[Hit], references_path: Path | None = None) -> None:
        self.by_id = {hit.chunk_id: hit for hit in hits}
        self.numbers: dict[str, int] = {}
        self.quotes: dict[str, list[str]] = {}
        self.references: dict[str, Reference] = {}
        if references_path and references_path.exists():
            self.references = load_references(references_path)

    def cite(self, hit: Hit, quote: str) -> int:
        """The number of a chunk, assigned on first use; remembers what was quoted from it."""
        n = self.numbers.setdefault(hit.chunk_id, len(self.numbers) + 1)
        quotes = self.quotes.setdefault(hit.chunk_id, [])
        if quote not in quotes:
            quotes.append(quote)
        return n

    def by_number(self) -> dict[int, Hit]:
        """The chunk each citation number stands for."""
        return {n: self.by_id[cid] for cid, n in self.numbers.items()}

    def resolve(self, keys: list[str]) -> list[str]:
        """Reference keys as one-line citations (a key with no entry stays as it is)."""
        return [self.references[k].cite() if k in self.references else k for k in keys]

    def citations(self) -> list[Citation]:
        """One Citation per numbered chunk, resolved to its document and published references."""
        out = []
        for chunk_id, n in sorted(self.numbers.items(), key=lambda item: item[1]):
            hit = self.by_id[chunk_id]
            meta = hit.meta
            keys = [k for k in str(meta.get("references", "")).split("|") if k]
            out.append(
                Citation(
                    n=n,
                    chunk_id=chunk_id,
                    document_id=hit.doc_id,
                    title=str(meta.get("title", hit.doc_id)),
                    issuer=meta.get("issuer"),
                    year=meta.get("year"),
                    section=meta.get("section"),
                    page=meta.get("page"),
                    quote=" … ".join(self.quotes.get(chunk_id) or [hit.text]),
                    url=meta.get("url"),
                    references=self.resolve(keys),
                )
            )
        return out

    def passages(self) -> dict[int, str]:
        """Full text of each cited chunk by number (what the dose check grounds against), headed by the guideline and
        section it comes from (a dose is not grounded by another condition's guideline)."""
        from assistant.doses.binding import cited_passage

        def passage(hit: Hit) -> str:
            return cited_passage(hit.text, str(hit.meta.get("title") or hit.doc_id), " > ".join(hit.heading_path[1:]) or None)

        return {n: passage(self.by_id[cid]) for cid, n in self.numbers.items()}


def neutralise_summary(summary: str) -> str:
    """A summary keeping only guideqa's markers (those closing a sentence); any other bracketed number is neutralised."""
    out, last = [], 0
    for match in OWN_MARKERS.finditer(summary):
        out += [neutralise(summary[last:match.start()]), match.group(0)]
        last = match.end()
    return "".join(out) + neutralise(summary[last:])


def neutralise_answer(answer: Answer) -> Answer:
    """The answer as the API gives it: statement text and quotes come from sources, so their bracketed numbers are
    neutralised; the only markers left are the summary's own (statements carry theirs in `citations`)."""
    sections = [section.model_copy(update={"statements": [s.model_copy(update={"text": neutralise(s.text)}) for s in section.statements]})
                for section in answer.sections]
    citations = [c.model_copy(update={"quote": neutralise(c.quote)}) for c in answer.citations]
    return answer.model_copy(update={"summary": neutralise_summary(answer.summary), "sections": sections, "citations": citations})


def normalise(text: str) -> str:
    """Lower-case text with punctuation other than that of numbers and units turned into single spaces."""
    return " ".join(re.sub(r"[^\w.%/<>=-]+", " ", text.lower()).split()).strip(" .")


def passage_units(passage: str) -> list[str]:
    """A passage's sentences, a bullet counting as one."""
    from assistant.text import split_sentences

    return [u for line in passage.splitlines() for u in ([line[2:].strip()] if line.startswith("- ") else split_sentences(line)) if u]


def best_quote(statement: str, passage: str) -> str:
    """The sentence or bullet of a passage that shares the most words with a statement (the quote for a generated one)."""
    from assistant.lexical import tokenize

    units = passage_units(passage)
    if not units:
        return passage
    wanted = set(tokenize(statement))
    return max(units, key=lambda u: (len(wanted & set(tokenize(u))), -len(u)))


# The grade guideqa adds to a lead sentence ("... (grade: Weak for) [1].") is provenance, not the source's words.
GRADE_NOTE = re.compile(r"\s*\(grade: [^)]*\)")


def supported(statement: str, passages: list[str]) -> bool:
    """True when the statement stands (normalised) inside one of its cited passages."""
    target = normalise(MARKER.sub("", GRADE_NOTE.sub("", statement)))
    return bool(target) and any(target in normalise(p) for p in passages)


def guard(sections: list[Section], valid: set[int]) -> tuple[list[Section], int]:
    """Drop citation numbers that name no retrieved chunk and statements left with none; returns removals."""
    removed = 0
    kept_sections = []
    for section in sections:
        statements: list[Statement] = []
        for statement in section.statements:
            good = [n for n in statement.citations if n in valid]
            removed += len(statement.citations) - len(good)
            if good:
                statements.append(statement.model_copy(update={"citations": good}))
            else:
                removed += 1
        if statements:
            kept_sections.append(section.model_copy(update={"statements": statements}))
    return kept_sections, removed
