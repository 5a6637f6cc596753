"""A drug the cited passage rules out for the patient's population ("Patients that should NOT be considered for
pramlintide therapy: ..., pediatric patients"): a statement that proposes it for such a patient (a 15-year-old) is
withheld, whatever its doses say. The words are data (assistant/doses/data/exclusions.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.doses.binding import cues as binding_cues
from assistant.doses.parse import Scan
from assistant.models import DoseFinding

EXCLUSIONS_FILE = Path(__file__).parent / "data" / "exclusions.yaml"


def _alternatives(words) -> str:
    return "|".join(r"\s+".join(map(re.escape, w.split())) for w in sorted(words, key=len, reverse=True))


@dataclass(frozen=True)
class _Population:
    name: str
    words: re.Pattern
    below: int | None
    start: int | None
    patient: re.Pattern | None


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[re.Pattern, tuple[_Population, ...], re.Pattern]:
    data = yaml.safe_load(EXCLUSIONS_FILE.read_text(encoding="utf-8"))
    cue = re.compile(r"(?i)\b(?:" + "|".join(data["cues"]) + r")\b")
    pops = tuple(_Population(name, re.compile(rf"(?i)(?<![\w-])(?:{_alternatives(p['words'])})(?![\w-])"),
                             p.get("below"), p.get("from"),
                             re.compile(r"(?i)\b(?:" + "|".join(p["patient"]) + r")\b") if p.get("patient") else None)
                 for name, p in data["populations"].items())
    negated = re.compile(rf"(?i)(?:\b(?:{_alternatives([w for w in data['not_proposed'] if w[0].isalpha()])})\b|n['’]t\b)")
    return cue, pops, negated


@lru_cache(maxsize=1)
def _lab_words() -> tuple[tuple[str, str], ...]:
    data = yaml.safe_load(EXCLUSIONS_FILE.read_text(encoding="utf-8"))
    return tuple((name, _alternatives(words)) for name, words in data["labs"].items())


@lru_cache(maxsize=1)
def _question_proposes() -> re.Pattern:
    data = yaml.safe_load(EXCLUSIONS_FILE.read_text(encoding="utf-8"))
    return re.compile(rf"(?i)\b(?:{_alternatives(data['question_proposes'])})\s+$")


_NUM = r"\d+(?:[.,]\d+)?"


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _lab_limits(tail: str, lex) -> list[tuple[str, str, float, set[str]]]:
    """(analyte, comparator, value, drugs in parentheses right after) of every lab threshold in an exclusion's list:
    "SCr >2 mg/dL", "eGFR <45 mL/min/1.73 m2 (empagliflozin/canagliflozin) or <60 mL/min/1.73 m2 (dapagliflozin)"."""
    from assistant.doses.check import scan_text

    out = []
    for name, words in _lab_words():
        for m in re.finditer(rf"(?i)(?<![\w-])(?:{words})(?![\w-])", tail):
            # The analyte's thresholds: its first comparator right after it, then any joined by "or".
            rest = re.split(r";|,\s+(?=[A-Z])", tail[m.end():m.end() + 160])[0]
            first = re.match(rf"\s*(?:[<>]=?|≥|≤)\s*{_NUM}", rest)
            if first is None:
                continue
            for t in re.finditer(rf"(?P<cmp>[<>]=?|≥|≤)\s*(?P<n>{_NUM})", rest):
                if t.start() > first.end() - len(t.group(0)) and not re.search(r"\bor\s*$", rest[:t.start()]):
                    break
                own = re.match(r"[^()<>≥≤;]{0,30}?\(([^)]*)\)", rest[t.end():])
                who = {d.canonical for d in scan_text(own.group(1).replace("/", ", "), lex).drugs} if own else set()
                cmp = t.group("cmp").replace("≥", ">").replace("≤", "<")[0]
                out.append((name, cmp, _number(t.group("n")), who))
    return out


def _row_drugs(line: str, lex) -> set[str]:
    """The drugs a table row is about: those its head names (before its first ':'), else those the line names."""
    from assistant.doses.check import scan_text

    head = line.split(":", 1)[0]
    return {d.canonical for d in scan_text(head, lex).drugs} or {d.canonical for d in scan_text(line, lex).drugs}


def _excluded(passage: str, drugs: set[str], lex) -> dict[str, set[str]]:
    """drug -> the populations a passage rules it out for: a cue, then a list to the end of its sentence or column,
    bound to the drug the cue names or, else, the one drug its row (line) names."""
    from assistant.doses.check import scan_text

    from assistant.doses.binding import age_qualifiers

    cue, pops, _ = _vocabulary()
    out: dict[str, set[str]] = {}
    in_passage = {d.canonical for d in scan_text(passage, lex).drugs} & drugs
    for line in passage.split("\n"):
        for m in cue.finditer(line):
            tail = re.split(r";|(?<=[a-z])\.\s", line[m.end():])[0]
            named = _row_drugs(line, lex)
            after = {d.canonical for d in scan_text(tail[:40], lex).drugs}
            found = {p.name for p in pops if p.words.search(tail)}
            found |= {q for q in age_qualifiers(tail[:40]) if q.startswith("age>")}
            for analyte, cmp, value, who in _lab_limits(tail, lex):
                for drug in (who or after or named) & drugs:
                    out.setdefault(drug, set()).add(f"lab:{analyte}{cmp}{value:g}")
            if _FOOTNOTE.match(line) and not named:
                # A footnote ("c Use not recommended in patients >65 years of age") whose marks on the rows the
                # passage's text lost: it may be any of its drugs'.
                for drug in in_passage:
                    out.setdefault(drug, set()).update(f"unbound:{f}" for f in found)
                continue
            bound = (after or named) & drugs
            if not bound:
                continue
            for drug in bound:
                out.setdefault(drug, set()).update(found)
    return out


# A footnote line: its letter, then its words ("c Use not recommended in patients >65 years of age").
_FOOTNOTE = re.compile(r"^\s*[a-h]\s+[A-Z]")


def _patient_populations(text: str, thresholds: set[int]) -> set[str]:
    """The populations the patient belongs to, by the age the question gives and its words (an age over a threshold
    a passage rules a drug out above: "age>65" for a 72-year-old)."""
    _, pops, _ = _vocabulary()
    exact = binding_cues().ages_exact
    ages = [int(m.group("n")) for p in exact for m in p.finditer(text)]
    out = {f"age>{n}" for n in thresholds if ages and ages[0] > n}
    for name, words in _lab_words():
        for m in re.finditer(rf"(?i)(?<![\w-])(?:{words})(?![\w-])\s*(?:of|is|was|=|:|at)?\s*(?P<n>{_NUM})(?![\d/])", text):
            out.add(f"value:{name}={_number(m.group('n')):g}")
    for p in pops:
        if ages and (p.below is not None and ages[0] < p.below or p.start is not None and ages[0] >= p.start):
            out.add(p.name)
        if p.patient is not None and p.patient.search(text):
            out.add(p.name)
    return out


def exclusion_findings(sc: Scan, sources: list[str] | None, context: str | None, lex) -> list[DoseFinding]:
    """A finding (withheld) for every drug the text proposes that a cited passage rules out for a population the
    patient (the question's age and words) belongs to."""
    if not sources or not context:
        return []
    mentions = list(sc.drugs)
    if not mentions:
        # "adding dapagliflozin" ... "Fine, eGFR is above 45": the statement answers for the drug the question proposes.
        from assistant.doses.check import scan_text
        from assistant.doses.lexicon import Lexicon  # noqa: F401

        asked = [d for d in scan_text(context, lex).drugs if _question_proposes().search(context[:d.start])]
        if len(asked) != 1 or not sc.sentences:
            return []
        s_start, s_end = sc.sentences[0]
        mentions = [type(asked[0])(asked[0].canonical, s_start, s_end, sc.text[s_start:s_end])]
    drugs = {d.canonical for d in mentions}
    excluded: dict[str, set[str]] = {}
    for passage in sources:
        for drug, found in _excluded(passage, drugs, lex).items():
            excluded.setdefault(drug, set()).update(found)
    thresholds = {int(q.split(">")[1]) for found in excluded.values() for q in found if "age>" in q}
    patient = _patient_populations(context, thresholds)
    values = {q[6:].split("=")[0]: float(q.split("=")[1]) for q in patient if q.startswith("value:")}
    for found in excluded.values():
        for q in found:
            if q.startswith("lab:"):
                m = re.match(r"lab:(\w+)([<>])(.+)", q)
                v = values.get(m.group(1))
                if v is not None and (v > float(m.group(3)) if m.group(2) == ">" else v < float(m.group(3))):
                    patient.add(q)
    patient |= {f"unbound:{p}" for p in patient}
    if not patient:
        return []
    _, _, negated = _vocabulary()
    out, seen = [], set()
    for d in mentions:
        hit = excluded.get(d.canonical, set()) & patient
        if not hit or d.canonical in seen:
            continue
        s_start, s_end = sc.sentences[sc.sentence_of(d.start)]
        before = re.split(r"[;:,]|\s[-–—]\s", sc.text[s_start:d.start])[-1]
        after = re.split(r"[;:,]|\s[-–—]\s|\b(?:but|and|then)\b", sc.text[d.end:s_end])[0]
        if negated.search(before) or negated.search(after) or not sc.drugs and negated.search(sc.text[d.start:d.end]):
            continue  # "do not add pramlintide", "pramlintide is not an option"
        seen.add(d.canonical)
        bound = sorted(h for h in hit if not h.startswith("unbound:"))
        who = ", ".join(bound or sorted(h[8:] for h in hit)).replace("_", " ").replace("age>", "patients over ").replace(
            "lab:", "patients with ")
        out.append(DoseFinding(
            text=sc.text[d.start:d.end], start=d.start, end=d.end, drug=d.canonical, value=0.0, unit="1",
            per_kg=False, verdict="out_of_range" if bound else "ambiguous",
            message=f"The cited passage rules {d.canonical} out for {who}, and the patient is one." if bound else
            f"The cited passage rules some of its drugs out for {who} (a footnote whose marks on its rows are lost), "
            f"and the patient is one: whether {d.canonical} is among them cannot be told."))
    return out
