"""The default composer: extractive and deterministic.

Every statement is a sentence or bullet taken verbatim from a retrieved chunk. Statements are
scored by their chunk's retrieval score, their overlap with the question (weighted by how rare
each word is among the candidates) and whether they speak to what is asked (a dose question
wants numbers with dose units); MMR keeps them from repeating. The direct answer is the best one
or two statements; the rest go into seed-style sections named from the chunks' headings, the
section the question asks about first.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from collections import Counter
from dataclasses import dataclass

from assistant.answer_aspects import ASPECTS, CHECKING as _CHECKING, DOSE_NUMBER as _DOSE_NUMBER, SECTION_KEYWORDS, SECTION_ORDER
from assistant.followup import CARRIED_TURN as _CARRIED, Focus
from assistant.lexical import tokenize
from assistant.retrieval import Hit
from assistant.text import split_sentences
from assistant.vocabulary import framing_tokens, medication_tokens, phase_over_phrases, phases_over, same_phase, names_a_drug, open_ask, question_alternatives, without_findings, without_qualifiers
from assistant.vocabulary import (age_fit, asks_another, asks_non_drug, asks_to_rank, condition_states, document_asked_quantities,
                                  decides, drug_class_words, excluded_states, history_drugs, patient_states, proposed_actions,
                                  ranks_options, without_dose_decisions)
from assistant.tried import after_failure, offered
from assistant.whom import asks_target, states_target, unasked_population

# A question asking for a quantity of one kind ("how often", "over how many hours") is answered by a statement stating
# one: the question's words, and the shape of the quantity that answers them.
_EVERY = r"\bevery\s+(?:\d|other|few|one|two|three|four|six|twelve)|\b\d+\s*-?\s*(?:weekly|monthly)\b|\b(?:weekly|monthly|fortnightly|annually|yearly|daily)\b|\bq\d"
ASKED_QUANTITY: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (re.compile(r"(?i)\bhow (?:often|frequently)\b|\bfrequency\b|\bat what interval"), re.compile(rf"(?i){_EVERY}")),
    (re.compile(r"(?i)\bhow many (?:hours|hrs|h)\b|\bover how (?:many hours|long)\b"),
     re.compile(r"(?i)\b\d+(?:\s*(?:-|–|to)\s*\d+)?\s*(?:hours?|hrs?|h)\b")),
    (re.compile(r"(?i)\bhow many days\b|\bfor how many days\b"), re.compile(r"(?i)\b\d+(?:\s*(?:-|–|to)\s*\d+)?\s*(?:consecutive\s+)?days?\b")),
    (re.compile(r"(?i)\bhow many (?:weeks|months)\b"), re.compile(r"(?i)\b\d+(?:\s*(?:-|–|to)\s*\d+)?\s*(?:weeks?|months?)\b")),
    # "when can she have MMR?", "when do we reassess?", "how long after": a time, or a point in the course of care.
    # ("when is adjusted weight mandatory?" asks in which circumstance, not at what time.)
    (re.compile(r"(?i)\bwhen (?:can|could|should|do|does|did|will|would|to)\b|"
                r"\bhow (?:long|soon) (?:after|before|until)\b|\btiming\b"),
     re.compile(r"(?i)\b\d+(?:\s*(?:-|–|to)\s*\d+)?\s*(?:days?|weeks?|months?|years?|hours?)\b|\bat any time\b|\bany time\b|"
                r"\b(?:immediately|just) before\b|\bbefore the next\b|\bafter the last\b")),
)
QUANTITY_BONUS = 0.3
_HOW_OFTEN = ASKED_QUANTITY[0][1]  # the shape answering "how often"


def asked_quantities(question: str) -> list[re.Pattern[str]]:
    """The shapes of the quantities a question asks for (an interval, hours, days)."""
    return [shape for asks, shape in (*ASKED_QUANTITY, *document_asked_quantities()) if asks.search(question)]  # + a dose limit


# A unit written in a question or a statement ("g/L", "mg/dL", "mL/kg/h", "mg/kg/min"): a question naming two asks for the
# value in both ("trough target in g/L and mg/dL"), and a statement stating both answers it.
_UNIT = re.compile(r"(?i)(?<![\w/])((?:mc?g|g|ml|units?|mmol|µmol|iu)(?:/(?:kg|dl|l|ml|h|hr|min|day|wk|m2))+)(?![\w/])")




def units_named(text: str) -> frozenset[str]:
    return frozenset(u.lower().replace("hr", "h") for u in _UNIT.findall(text))


def states_asked_quantity(text: str, quantities: list[re.Pattern[str]], q_tokens: set[str], near: int = 5) -> bool:
    """Whether a statement states the quantity asked for close to a word of the question ("checking trough IgG about every
    6-12 months" for "how often trough?"; not a dose's "every 4 weeks" far from the word asked about)."""
    words = [(m.start(), t) for m in re.finditer(r"\S+", text) for t in tokenize(m.group(0))]
    for shape in quantities:
        for m in shape.finditer(text):
            at = sum(1 for start, _ in words if start < m.start())
            if any(t in q_tokens for _, t in words[max(0, at - near):at + near]):
                return True
    return False


# A statement opening with the circumstance it holds in ("When the serum IgG is very low at the start, ...", "In SID with
# uncontrolled suppurative lung disease, ...") answers a question that speaks of that circumstance; for any other question
# it is a side point, after the statements that hold generally.
_OPENING_CLAUSE = re.compile(r"^(?:(?:when|if|once|unless|where|while|during)\b"
                             r"|in\b[^,]{0,120}?\b(?:with|who|whose|that)\b)[^,]{3,160},", re.I)
CIRCUMSTANCE_PENALTY = 0.25
CONTRAST_PENALTY = 0.5


def _about(hit: Hit) -> frozenset[str]:
    """The words of what a chunk's document and section are about (title, topics, heading path)."""
    return _words_of(" ".join([str(hit.meta.get("title", "")), str(hit.meta.get("topics", "")), *hit.heading_path]))


def _subject_words(hit: Hit) -> frozenset[str]:
    """The words of what a chunk's document is about (its title and topics)."""
    return _words_of(" ".join([str(hit.meta.get("title", "")), str(hit.meta.get("topics", ""))]))


@lru_cache(maxsize=4096)
def _words_of(text: str) -> frozenset[str]:
    return frozenset(tokenize(text))


def unasked_circumstance(text: str, known: set[str], at_least: int = 3) -> bool:
    """Whether a statement opens with a circumstance of several words the question does not speak of."""
    m = _OPENING_CLAUSE.match(text)
    if m is None:
        return False
    words = set(tokenize(m.group(0)))
    unasked = words - known
    # (a short clause all of whose words are unasked, "During an active infection,", is as much a side point)
    return len(unasked) >= min(at_least, max(2, len(words))) and len(unasked) >= 0.5 * len(words)


ASKED_SENTENCE_WEIGHT = 2.0
_SENTENCE_BREAK = re.compile(r"(?<=[.?!;])\s+(?=\S)")


def asked_sentence_tokens(question: str) -> frozenset[str]:
    """The words of the sentence a several-sentence question asks in (its last), empty for a one-sentence question."""
    parts = [p for p in _SENTENCE_BREAK.split(question.strip()) if re.search(r"[A-Za-z]{3,}", p)]
    return frozenset(tokenize(parts[-1])) if len(parts) >= 2 else frozenset()


OPEN_ASK_PENALTY = 0.3


def _recommends(grade: str | None) -> bool:
    """Whether a recommendation's strength recommends something ("Weak for", "Strong for"); no strength counts as one."""
    low = (grade or "").lower()
    return not low or (low.endswith(" for") and "neither" not in low)


KIND_BONUS = {"recommendation": 0.3, "table_row": 0.05}
# The patient's age against a statement's age bound (scaled by how close the bound is to the age); asked which option
# ranks first, a statement ranking options and the strongest recommendation; a drug the patient already takes, asked
# what else to give.
AGE_BONUS, AGE_PENALTY = 0.3, 0.2
RANKING_BONUS, STRENGTH_BONUS = 0.3, 0.2
HISTORY_PENALTY = 0.4
NO_DRUG_PENALTY = 0.3
OWN_DOSE_SHARE = 0.5  # asked a named drug's dose, a statement dosing it leads when this near the best
MIXED_ROW_PENALTY = 0.5
# A statement for a population the question does not place its patient in ("For patients ... with type 2 diabetes" for a
# patient with hypertension alone); asked what to give or add next, a statement of a goal to treat to.
UNASKED_POPULATION_PENALTY = 0.3
TARGET_PENALTY = 0.3
# A statement whose condition holds only in a state the patient's state rules out ("during an active infection, ..."
# for a patient stable for years) gives way; one whose condition is the patient's state ("once the infection clears")
# comes forward.
STATE_PENALTY = 0.3
STATE_BONUS = 0.15
# A yes/no question putting up a step in therapy ("ok to trial off?") is decided by a statement naming that step or the
# one it is weighed against ("replacement continues indefinitely").
DECISION_BONUS = 0.3
# Deciding a step, in a document about something broader than the patient's condition (stopping therapy), a statement
# naming that condition is the one about this patient.
CONDITION_BONUS = 0.2
# A dose question that says a phase is over ("done with her load, maintenance?"): a statement about that phase answers
# a question the clinician no longer has.
PHASE_OVER_PENALTY = 0.3
# A passage under its own heading on what the question's asked sentence names, in words asking an aspect asked ("what
# hemolysis signs ...?" and a "Haemolysis" subsection): by the rarest such word's weight among the question's words.
HEADING_ASKED_BONUS = 0.2
# Asked what next after treatment the patient tried ("sertraline and venlafaxine both failed, next med?"): the
# recommendation written for the patient whom earlier treatment did not help comes forward; one offering what was tried
# among other options (the first-line row) gives way.
AFTER_FAILURE_BONUS = 0.3
TRIED_OPTION_PENALTY = 0.2


@lru_cache(maxsize=4096)
def _several_drugs(text: str, at_least: int = 3) -> bool:
    """Whether a table row names several drugs (a column of drug names read as one row): its subject (before the first
    ": ") when that names a drug, else the whole row; "Buprenorphine/Naloxone or Buprenorphine: ..." is one product's row
    however many names its values repeat."""
    from assistant.doses.drugnames import dictionary_drugs

    head = text.split(": ", 1)[0]
    named = {m.canonical for m in dictionary_drugs(head)} if head != text else set()
    named = named or {m.canonical for m in dictionary_drugs(text)}
    # (a combination product and its components are one product: "Fluticasone/ Salmeterol Advair Diskus")
    combined = [set(re.findall(r"[a-z]+", n.lower())) for n in named]
    parts = {n for n in named if any(len(c) > 1 and set(re.findall(r"[a-z]+", n.lower())) < c for c in combined)}
    return len(named - parts) >= at_least


@dataclass(frozen=True)
class Candidate:
    """A sentence or bullet of a retrieved chunk, scored against the question."""

    text: str
    hit: Hit
    rank: int
    score: float
    tokens: frozenset[str]
    section: str = "Details"
    answers_aspect: bool = False
    on_context: bool = False
    secondary_only: bool = False
    ranks: bool = False  # asked which option ranks first, it ranks options


# The question frame's aspects (the shared lexicon's names) as the composer's.
FRAME_ASPECTS = {"dose": "dose", "monitoring": "monitoring", "target": "target", "duration": "duration",
                 "adverse_effects": "adverse", "indication": "starting", "administration": "administration",
                 "premedication": "premedication", "switch": "conversion", "recommendation": "recommendation",
                 "what_to_do": "what_to_do"}


def _wanted(question: str, asked: tuple[str, ...]) -> list[str]:
    """What the question asks about: the frame's aspects (typo-tolerant) with the composer's own cue words."""
    found = [FRAME_ASPECTS[a] for a in asked if a in FRAME_ASPECTS] + aspects_of(question)
    return [name for name in ASPECTS if name in found]




def _is_phase(word: str, over: set[str]) -> bool:
    """Whether a word names one of the phases said to be over ('loading' for 'load', 'load' for 'loading')."""
    return any(same_phase(word, w) for w in over)


def aspects_of(question: str) -> list[str]:
    """What a question asks about (dose, monitoring, duration...), in the order the table lists them."""
    # "on low-dose ICS", "leave the dose alone?", "we bumped her dose in March" ask no dose
    question = without_dose_decisions(without_findings(without_qualifiers(question)))
    found = [name for name, (asks, _, _) in ASPECTS.items() if asks.search(question)]
    # "the day after cidp loading, bad headache": a phase said to be over asks nothing, when something else is asked
    rest = phase_over_phrases().sub(" ", question)
    still = [name for name in found if ASPECTS[name][0].search(rest)]
    return still if still else found


# Aspects whose answer sits in a section of its own (a monitoring question is answered under "Monitoring"); a dose,
# a recommendation or a conversion is answered where the question's own words find it.
_SECTION_ASPECTS = ("monitoring", "target", "duration", "adverse", "administration", "premedication")


def aspect_sections(question: str, asked: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The sections that answer what the question asks, when it asks an aspect answered in a section of its own."""
    wanted = _wanted(question, asked)
    if not wanted or {"dose", "recommendation", "conversion"} & set(wanted):
        return ()
    return tuple(dict.fromkeys(ASPECTS[name][1] for name in wanted if name in _SECTION_ASPECTS))


def section_name(hit: Hit) -> str:
    """Seed-style section for a chunk, from its heading path."""
    headings = hit.heading_path
    path = " ".join(headings[1:] or headings).lower()
    for name, keys in SECTION_KEYWORDS:
        if any(key in path for key in keys):
            return name
    return headings[-1] if headings else "Details"


_NO_LINE = object()


def _line_value(hit: Hit, statement: str, key: str) -> object:
    """What per-line metadata (a JSON list, one item per non-blank line) says for the line a statement comes from;
    _NO_LINE when the chunk has no such list or the line is not found."""
    raw = hit.meta.get(key)
    if raw:
        lines = [line for line in hit.text.splitlines() if line.strip()]
        needle = " ".join(statement.split())[:60]
        for line, value in zip(lines, json.loads(raw)):
            if needle and needle in " ".join(line.split()):
                return value
    return _NO_LINE


def grade_of(hit: Hit, statement: str) -> str | None:
    """The evidence grade of a statement taken from a chunk: its own line's grade, else the chunk's."""
    grade = _line_value(hit, statement, "line_grades")
    return hit.meta.get("grade") if grade is _NO_LINE else grade


def references_of(hit: Hit, statement: str) -> list[str]:
    """The reference keys a statement's own line cites (the chunk's, for a chunk without per-line references)."""
    line = _line_value(hit, statement, "line_references")
    keys = str(hit.meta.get("references", "") if line is _NO_LINE else line).split("|")
    return [k for k in keys if k]


def statements_of(hit: Hit) -> list[str]:
    """Bullets and sentences of a chunk, as they stand in it; a table row is one statement (its notes say whose values
    they are only beside its name)."""
    out: list[str] = []
    row = hit.meta.get("kind") == "table_row"
    for line in hit.text.splitlines():
        line = line.strip()
        if not line:
            continue
        if row:
            out.append(line)
        elif line.startswith("- "):
            out.append(line[2:].strip())
        else:
            out.extend(split_sentences(line))
    return [s for s in out if len(s) >= 20 and re.search(r"[a-z]", s)]


def candidates(question: str, hits: list[Hit], focus: Focus | None = None, context_bonus: float = 0.3,
               secondary: frozenset[str] = frozenset(), secondary_penalty: float = 0.2,
               asked: tuple[str, ...] = ()) -> list[Candidate]:
    """Every statement of the hits, scored by chunk score, rare-word overlap with the question and fit to the aspect asked.

    `focus` keeps the answer on the condition and population asked about: a statement from a
    document about another condition must name the condition itself (an answer about ITP does not
    borrow Kawasaki doses), and a statement only about adults does not answer a question about children.
    """
    if not hits:
        return []
    wanted = _wanted(question, asked)
    quantities = asked_quantities(question)
    # (the units this turn names: a follow-up's standalone form carries the earlier turn in parentheses at its end,
    # "is that at target? (trough came back 480 mg/dL. what's that in g/L)", and that turn's conversion is not asked now)
    own_turn = _CARRIED.sub("", question)
    units = units_named(own_turn) if len(units_named(own_turn)) >= 2 else frozenset()
    history = history_drugs(question)  # what the patient already takes is not what is asked
    # (what this turn says was tried, not a carried earlier turn: "and for his hip?" asks the hip's row, whatever failed)
    tried_now = history_drugs(own_turn) if history else ()
    q_tokens = set(tokenize(question)) - framing_tokens() - set(tokenize(" ".join(history)))
    # "loading course completed, dose now?": the phase said to be over is not what a dose question asks.
    over = {w for w in phases_over(own_turn) if len(w) >= 4} if "dose" in wanted else set()
    if over:
        said_over = set(tokenize(" ".join(m.group(0) for m in phase_over_phrases().finditer(own_turn))))
        q_tokens = q_tokens - said_over if q_tokens - said_over else q_tokens
    # (the words near which an asked quantity counts: not those of a qualifier phrase, "pre-dose draw" asks no dose)
    content = (q_tokens & set(tokenize(without_qualifiers(question)))) - set(tokenize(" ".join(p.pattern for _, p in ASKED_QUANTITY))) \
        - set(tokenize("how often many long over"))
    top = max(h.score for h in hits) or 1.0
    rows: list[tuple[Hit, int, int, str, frozenset[str]]] = []
    for rank, hit in enumerate(hits):
        for order, text in enumerate(statements_of(hit)):
            rows.append((hit, rank, order, text, frozenset(tokenize(text))))
    if focus is not None:
        rows = _on_focus(rows, focus)
    # A statement meets a question word also by the words a passage says it with (the class of the drug named, an
    # acronym's long form, "pharmacotherapy" for "meds").
    alternatives = {t: alts for t, alts in question_alternatives(question).items() if t in q_tokens}
    for token, alts in _defined_alternatives(question, hits).items():  # "rTMS" as the passages spell it out
        if token in q_tokens:
            alternatives[token] = tuple(dict.fromkeys([*alternatives.get(token, ()), *alts]))

    asks_drug = q_tokens & medication_tokens()  # "what med?": a statement naming a drug or a drug class meets it

    def met(text: str, tokens: frozenset[str]) -> set[str]:
        found = (tokens & q_tokens) | {t for t, alts in alternatives.items() if any(a <= tokens for a in alts)}
        return found | asks_drug if asks_drug - found and names_a_drug(text) else found

    matched = {id(row): met(row[3], row[4]) for row in rows}
    df = Counter(t for row in rows for t in matched[id(row)])
    n = len(rows) or 1
    weights = {t: math.log(1 + n / (1 + df.get(t, 0))) for t in q_tokens}
    # A question that tells the patient's story first ("BMI 33, did 6 mo of a lifestyle program. which meds are
    # options?") asks in its last sentence: what that sentence names weighs more than the story around it.
    asked_words = asked_sentence_tokens(question)
    if asked_words:
        weights = {t: w * (ASKED_SENTENCE_WEIGHT if t in asked_words else 1.0) for t, w in weights.items()}
    total = sum(weights.values()) or 1.0
    top_weight = max(weights.values(), default=0.0) or 1.0
    # (a heading word only one retrieved passage's heading holds: "Haemolysis" names a subject, "Dosing" does not)
    heading_df = Counter(t for hit in hits for t in _own_heading(hit))
    # (... naming what is asked about, not whom or which drug: "Privigen" heads a rates section a dose question is not about)
    unique_heading_words = {t for t, n in heading_df.items() if n == 1} \
        - (focus.concepts | focus.drug_words if focus is not None else frozenset())
    known = q_tokens | set(tokenize(" ".join((focus.condition + focus.population + focus.context + focus.drug)
                                             if focus is not None else ())))
    asks_for_one = open_ask(question)
    ranking = asks_to_rank(question)
    # "which med is preferred?", "which SSRIs can I use?": what names no drug (of the class) is no answer
    drug_words = (asks_drug | set(tokenize(" ".join(drug_class_words(question))))) & q_tokens
    wants_drug = bool(drug_words) and (ranking or asks_for_one) and not asks_non_drug(question)
    age = focus.age_years if focus is not None else None
    # The words the question names its patient by: its own, those they are met by, its concepts' terms (and, per chunk,
    # the words of the subject of the document retrieval ranked first).
    named = known | {t for alts in alternatives.values() for alt in alts for t in alt}
    if focus is not None:
        named |= set(tokenize(" ".join(focus.named + focus.also_on_topic)))
    top_doc = hits[0].doc_id  # what retrieval says the question is about: its document's subject is the question's
    asks_give = (asks_for_one or asks_another(question)) and not asks_target(question) and "monitoring" not in wanted
    states = frozenset(patient_states(question))
    ruled_out = excluded_states(tuple(states))
    proposed = proposed_actions(own_turn)
    out: list[Candidate] = []
    for row in rows:
        hit, rank, order, text, tokens = row
        overlap = sum(weights[t] for t in matched[id(row)]) / total
        head = set(tokenize(" ".join(hit.heading_path[1:])))
        section = section_name(hit)
        fit = False
        aspect_bonus = 0.0
        sections_met: set[str] = set()
        for name in wanted:
            _, aspect_section, cue = ASPECTS[name]
            if cue.search(text):
                fit = True
                aspect_bonus += 0.25 if name == "dose" else 0.15
            if section == aspect_section and aspect_section not in sections_met:
                sections_met.add(aspect_section)  # a section answering two aspects asked ("target", "monitoring") counts once
                aspect_bonus += 0.1
        if quantities and states_asked_quantity(text, quantities, content):
            fit, aspect_bonus = True, aspect_bonus + QUANTITY_BONUS
        if units and len(units & units_named(text)) >= 2:
            fit, aspect_bonus = True, aspect_bonus + QUANTITY_BONUS  # the value in both units asked for
        heading_bonus = 0.1 * len(head & q_tokens) / (len(q_tokens) or 1)
        if (named_heading := _own_heading(hit) & (asked_words or q_tokens) & unique_heading_words) \
                and any(ASPECTS[name][0].search(hit.heading_path[-1]) for name in wanted):
            heading_bonus += HEADING_ASKED_BONUS * max(weights.get(t, 0.0) for t in named_heading) / top_weight
        on_context = focus is not None and bool(focus.context or focus.drug) and _names(text, focus.context + focus.drug)
        if on_context:
            aspect_bonus += context_bonus
        score = max(hit.score, 0.0) / top * 0.5 + overlap + aspect_bonus + heading_bonus - 0.01 * order
        # (What the document or its section is about is no side point of it: "When ..." under a heading on it.)
        if _OPENING_CLAUSE.match(text) and unasked_circumstance(text, known | _about(hit)):
            score -= CIRCUMSTANCE_PENALTY
        if focus is not None and any(_names(text, others) and not _names(text, (word,)) for word, others in focus.contrasting
                                     if not _is_phase(word, over)):
            score -= CONTRAST_PENALTY  # "autologous HSCT" for a question about an allogeneic one
        # A guideline's own recommendation is its conclusion: it answers before the discussion of its evidence.
        kind = str(hit.meta.get("kind", "text"))
        score += KIND_BONUS.get(kind, 0.0)
        if asks_for_one and kind == "recommendation" and not _recommends(grade_of(hit, text)):
            score -= OPEN_ASK_PENALTY  # asked what to give, "insufficient evidence for X" or "against X" is no answer
        if kind == "table_row" and _several_drugs(text):
            score -= MIXED_ROW_PENALTY  # a row holding several drugs' doses cannot say which dose is whose
        age_match = age_fit(text, age) if age else None
        if age_match is not None:
            score += AGE_BONUS * age_match if age_match > 0 else -AGE_PENALTY  # "women greater than 44 years of age" for a 45-year-old
        ranks = ranking and ranks_options(text)
        if ranks:
            score += RANKING_BONUS
        if ranking and kind == "recommendation" and (grade_of(hit, text) or "").lower() == "strong for":
            score += STRENGTH_BONUS
        if wants_drug and not drug_words & matched[id(row)]:
            score -= NO_DRUG_PENALTY  # "which med is preferred?": a statement naming no drug is no answer
        if history and _names(text, history) and not names_a_drug(_without(text, history)):
            score -= HISTORY_PENALTY  # "already on metformin, what add-on?": metformin's own recommendation is no answer
        elif tried_now and kind == "recommendation" and _recommends(grade_of(hit, text)):
            if _names(offered(text), tried_now):
                score -= TRIED_OPTION_PENALTY
            elif after_failure(text):
                score += AFTER_FAILURE_BONUS
        # (A statement naming the question's own condition is about its patient: "In multiple myeloma, ... in patients at
        # risk of thrombosis" is a precaution for a myeloma patient, not another patient's advice.)
        if unasked_population(text, frozenset(named | (_subject_words(hit) if hit.doc_id == top_doc else frozenset())),
                              focus.concepts if focus is not None else None) \
                and not (focus is not None and focus.condition and _names(text, focus.condition)):
            score -= UNASKED_POPULATION_PENALTY  # another patient's recommendation
        if asks_give and states_target(text):
            score -= TARGET_PENALTY  # "add what next?" is not answered by a goal to treat to
        if states and (condition := condition_states(text)):
            if condition & states:
                score += STATE_BONUS
            elif condition & ruled_out:
                score -= STATE_PENALTY  # another patient's circumstance
        if over and any(_is_phase(t, over) for t in tokens):
            score -= PHASE_OVER_PENALTY
        if proposed and decides(text, proposed):
            score += DECISION_BONUS
        if proposed and focus is not None and focus.condition and _names(text, focus.condition) \
                and not on_topic(hit, focus.condition):
            score += CONDITION_BONUS
        # A statement resting only on a secondary summary gives way to a primary source saying the same.
        keys = references_of(hit, text) if secondary else []
        weak = bool(keys) and set(keys) <= secondary
        out.append(Candidate(text, hit, rank, score - (secondary_penalty if weak else 0.0), tokens, section, fit, on_context, weak,
                             ranks))
    return out


def _only_about(hit: Hit | None, population: str) -> bool:
    """Whether a passage's document is about this population alone (its front matter's `population`: a Kawasaki page for
    children speaks of children in every line)."""
    if hit is None or not population or not hit.meta.get(f"population:{population}"):
        return False
    return not any(key.startswith("population:") and key != f"population:{population}" and value
                   for key, value in hit.meta.items())


def _own_heading(hit: Hit) -> set[str]:
    """The words of a passage's own (innermost) heading below its document title."""
    return set(tokenize(hit.heading_path[-1])) if len(hit.heading_path) > 1 else set()


def _without(text: str, terms: tuple[str, ...]) -> str:
    """Text with the terms (whole words) taken out."""
    for term in terms:
        text = re.sub(rf"(?i)(?<![a-z0-9]){re.escape(term)}(?![a-z0-9])", " ", text)
    return text


def _defined_alternatives(question: str, hits: list[Hit]) -> dict[str, tuple[frozenset[str], ...]]:
    """The long forms the retrieved passages give the acronyms a question writes ("estimated glomerular filtration
    rate (eGFR)"), as token sets a statement spelling the acronym out meets it by."""
    asked = {w.lower().rstrip("s"): w for w in re.findall(r"\b[A-Za-z]*[A-Z][A-Za-z]*[A-Z]s?\b", question)}
    if not asked:
        return {}
    out: dict[str, list[frozenset[str]]] = {}
    for hit in hits:
        for long, short in _definitions_in(hit.text).items():
            key = short.lower().rstrip("s")
            if key in asked:
                for token in tokenize(asked[key])[:1]:
                    alt = frozenset(tokenize(long))
                    if alt and alt not in out.setdefault(token, []):
                        out[token].append(alt)
    return {t: tuple(alts) for t, alts in out.items()}


@lru_cache(maxsize=4096)
def _definitions_in(text: str) -> dict[str, str]:
    from assistant.vocabulary import definitions

    return definitions(text)


def on_topic(hit: Hit, terms: tuple[str, ...]) -> bool:
    """True when a chunk's document title or topics name one of the terms."""
    return _names(" ".join([str(hit.meta.get("title", "")), str(hit.meta.get("topics", ""))]), terms)


def names_any(text: str, terms: tuple[str, ...]) -> bool:
    """True when text names one of the terms as whole words."""
    return _names(text, terms)


def _names(text: str, terms: tuple[str, ...]) -> bool:
    text = text.lower()
    return any(re.search(rf"(?<![a-z0-9]){re.escape(term.lower())}(?![a-z0-9])", text) for term in terms)  # "trough IgG"


def _on_focus(rows: list, focus: Focus) -> list:
    """Statements on the focus condition and population (all of them when none is)."""
    kept = rows
    if focus.condition:
        terms = focus.condition + focus.also_on_topic + focus.context
        kept = [row for row in kept if on_topic(row[0], terms) or _names(row[3], focus.condition + focus.context)] or kept
    # A dose stated for another condition only ("In secondary immunodeficiency, ... 0.2-0.4 g/kg") is that condition's,
    # wherever it stands (a document on active infection speaks of several).
    # A table row of the drug asked about is that drug's (the conditions it names are its adverse effects: "Headache").
    if focus.condition and focus.other_conditions:
        kept = [row for row in kept if not (_DOSE_NUMBER.search(row[3]) and _names(row[3], focus.other_conditions)
                                            and not _names(row[3], focus.condition) and not _drug_row(row, focus.drug))] or kept
    # A dose question about a drug beside the principal one is answered by that drug's doses, never by another drug's.
    if focus.drug and any(_names(row[3], focus.drug) for row in kept):
        kept = [row for row in kept if (_names(row[3], focus.drug) or not _DOSE_NUMBER.search(row[3]))
                and not (row[0].meta.get("kind") == "table_row" and _DOSE_NUMBER.search(row[3]) and _several_drugs(row[3]))]
    # A dose stated only for another age group ("For adults, ... 325-650 mg") is never a dose for the one asked about.
    if focus.population and focus.other_populations:
        kept = [row for row in kept if not (_DOSE_NUMBER.search(row[3]) and _names(row[3], focus.other_populations)
                                            and not _names(row[3], focus.population))]
    # Only when the sources speak to the population asked about do statements about another one give way.
    # A dose shown for a population must be stated for it: in a child's answer, a dose that names no population is left out
    # too (not in an adult's: guidelines state adult doses without saying so).
    if focus.population and not focus.default_population and sum(_names(row[3], focus.population) for row in kept) >= 2:
        kept = [
            row for row in kept
            if _names(row[3], focus.population) or _only_about(row[0], focus.population_name)
            or not (_names(row[3], focus.other_populations) or _DOSE_NUMBER.search(row[3]))
        ]
    return kept


def _drug_row(row: tuple, drugs: tuple[str, ...]) -> bool:
    """Whether a row is a table row whose subject (before its first ": ") names one of the drugs."""
    return bool(drugs) and row[0].meta.get("kind") == "table_row" and _names(row[3].split(": ", 1)[0], drugs)


def mmr(pool: list[Candidate], limit: int, diversity: float = 0.3) -> list[Candidate]:
    """Pick statements by relevance minus redundancy with those already picked."""
    chosen: list[Candidate] = []
    remaining = sorted(pool, key=lambda c: (-c.score, c.rank, c.text))
    while remaining and len(chosen) < limit:
        def value(c: Candidate) -> float:
            overlap = max((_jaccard(c.tokens, p.tokens) for p in chosen), default=0.0)
            return (1 - diversity) * c.score - diversity * overlap

        best = max(remaining, key=value)
        remaining.remove(best)
        if any(_jaccard(best.tokens, p.tokens) > 0.6 for p in chosen):
            continue  # a near-duplicate from another chunk says nothing new
        chosen.append(best)
    return chosen


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / (len(a | b) or 1)


@dataclass(frozen=True)
class Draft:
    """A composed answer before citations are numbered."""

    direct: list[Candidate]
    sections: list[tuple[str, list[Candidate]]]

    def size(self) -> int:
        return len(self.direct) + sum(len(cands) for _, cands in self.sections)


def compose(question: str, hits: list[Hit], max_statements: int, focus: Focus | None = None, per_section: int = 4,
            cover: bool = False, secondary: frozenset[str] = frozenset(), asked: tuple[str, ...] = ()) -> Draft:
    """Direct answer first (the best one or two statements), then seed-style sections, the one asked about first.

    With `cover` (a broad "what is the role of X in Y" question), every seed section the passages speak to gets its
    best statements before the rest compete for the remaining places."""
    pool = candidates(question, hits, focus, secondary=secondary, asked=asked)
    if not pool:
        return Draft([], [])
    wanted = _wanted(question, asked)
    direct = _each_part_answered(question, pool, _direct(pool, wanted, asked_quantities(question), asked))
    rest = [c for c in pool if c not in direct and all(_jaccard(c.tokens, d.tokens) <= 0.6 for d in direct)]
    seeded: list[Candidate] = []
    if cover:
        for name in SECTION_ORDER:
            best = sorted((c for c in rest if c.section == name), key=lambda c: (-c.score, c.rank, c.text))[:3]
            seeded += [c for c in best if all(_jaccard(c.tokens, p.tokens) <= 0.6 for p in seeded)]
        rest = [c for c in rest if c not in seeded]
    picked = seeded + mmr(rest, max(0, max_statements - len(direct) - len(seeded)))
    grouped: dict[str, list[Candidate]] = {}
    for cand in picked:
        group = grouped.setdefault(cand.section, [])
        if len(group) < per_section:
            group.append(cand)
    first = [ASPECTS[name][1] for name in wanted]
    order = [*dict.fromkeys(first), *SECTION_ORDER]

    def position(item: tuple[str, list[Candidate]]) -> tuple[float, float]:
        # A section under the source's own heading ("Adults", "IVIG resistance") is specific: it follows the key points.
        name, cands = item
        return (order.index(name) if name in order else order.index("Key points") + 0.5, -max(c.score for c in cands))

    sections = sorted(grouped.items(), key=position)
    # Within a section, keep the source's own order: statements of one chunk read as written.
    sections = [(name, sorted(cands, key=lambda c: (c.rank, _position_in(c)))) for name, cands in sections]
    return Draft(direct, sections)


def _direct(pool: list[Candidate], wanted: list[str], quantities: list[re.Pattern[str]] = (),
            asked: tuple[str, ...] = ()) -> list[Candidate]:
    """The one or two statements that answer the question most directly. `asked`: the question frame's own aspects; when
    the question's words ask more aspects than the frame ("target trough" asks the target and reads as monitoring too), a
    statement answering the frame's aspect leads."""
    ranked = sorted(pool, key=lambda c: (-c.score, c.rank, c.text))
    best = ranked[0].score
    # A statement about the circumstance asked about ("at risk of thrombosis") comes first when one is nearly as relevant.
    on_context = [c for c in ranked if c.on_context and c.score >= 0.6 * best]
    if on_context:
        ranked = on_context + [c for c in ranked if c not in on_context]
    # A guideline's own recommendation answers before its discussion, with its grade; the more so when the question
    # asks what the guideline recommends or how strongly.
    share = 0.6 if "recommendation" in wanted else 0.8
    # Only the recommendations of the guideline retrieval ranked first lead: another guideline's recommendation found
    # beside it (COPD's for an asthma question) gives way to this one's statements when they are nearly as relevant.
    top_doc = min(pool, key=lambda c: c.rank).hit.doc_id
    foreign = [c for c in ranked if c.hit.meta.get("kind") == "recommendation" and c.hit.doc_id != top_doc]
    if ranked[0] in foreign and any(c.hit.doc_id == top_doc and c.score >= share * best for c in ranked):
        ranked = [c for c in ranked if c not in foreign] + foreign
        best = ranked[0].score
    recommendations = [c for c in ranked if c.hit.meta.get("kind") == "recommendation" and c.score >= share * best
                       and c.hit.doc_id == top_doc]
    if ranked[0].ranks:  # asked which ranks first, the statement ranking the options is not displaced by one that does not
        recommendations = [c for c in recommendations if c.ranks or (grade_of(c.hit, c.text) or "").lower() == "strong for"]
    if recommendations:
        ranked = recommendations + [c for c in ranked if c not in recommendations]
    if quantities:  # "how often": a statement stating an interval answers it
        stating = [c for c in ranked if c.answers_aspect and any(q.search(c.text) for q in quantities)
                   and (c.on_context or not on_context)
                   # "how often trough?": a dose's interval says how often to dose, not how often to check
                   and ("dose" in wanted or not _DOSE_NUMBER.search(c.text))
                   # (an interval of checking, that is: a time it takes, "three to six months to a new steady state", is none)
                   and ("monitoring" not in wanted or "dose" in wanted or _CHECKING.search(c.text)
                        or not any(q is _HOW_OFTEN for q in quantities if q.search(c.text)))]
        if stating and stating[0].score >= 0.6 * ranked[0].score:
            ranked = [stating[0], *[c for c in ranked if c is not stating[0]]]
    elif wanted:
        floor = 0.7
        fitting = [c for c in ranked if c.answers_aspect and (c.on_context or not on_context)]
        own = [name for name in dict.fromkeys(FRAME_ASPECTS[a] for a in asked if a in FRAME_ASPECTS) if name in ASPECTS]
        if own and len(own) < len(wanted) and "dose" not in wanted:
            fitting = [c for c in fitting if any(ASPECTS[name][2].search(c.text) for name in own)] or fitting
        if "dose" in wanted:
            fitting = [c for c in ranked if _DOSE_NUMBER.search(c.text) and (c.on_context or not on_context)] or fitting
            own_dose = [c for c in ranked if c.on_context and _DOSE_NUMBER.search(c.text)]
            if own_dose and own_dose[0].score >= OWN_DOSE_SHARE * ranked[0].score:
                fitting, floor = own_dose, OWN_DOSE_SHARE  # the asked drug's own dose answers before any talk around it
        elif "what_to_do" in wanted:  # "now what?": what to do leads, before what the other aspect's words describe
            fitting = [c for c in fitting if ASPECTS["what_to_do"][2].search(c.text)] or fitting
        elif recommendations:
            # The guideline's own recommendation leads: a sentence of its discussion using the aspect's word ("the 2009
            # recommendations included ...") does not displace it; another recommendation fitting the aspect may.
            fitting = [c for c in fitting if c in recommendations]
        # A fitting statement from a top chunk beats a slightly better-scored one that does not answer what was asked.
        if fitting and fitting[0].score >= floor * ranked[0].score:
            ranked = [fitting[0], *[c for c in ranked if c is not fitting[0]]]
    first = ranked[0]
    direct = [first]
    for cand in ranked[1:4]:
        if (
            cand.hit.doc_id == first.hit.doc_id
            and cand.score >= 0.8 * first.score
            and _jaccard(cand.tokens, first.tokens) < 0.5
            and (not wanted or cand.answers_aspect)
            and not _another_strength(first, cand)  # a lead states one recommendation's strength
        ):
            direct.append(cand)
            break
    return direct


# A question asking two things ("start IVIG now or wait till he's better? dose?", "IVIG dose and how long do we run it
# over?"): its parts, at a question mark or at a conjunction opening a new question.
_PART_BREAK = re.compile(r"\?+\s*|[,;]?\s+\b(?:and|also|plus|\+)\s+(?=(?:what|how|when|which|who|is|are|do|does|can|could|should|"
                         r"would|any|anything)\b)", re.I)
PART_OVERLAP_WEIGHT, PART_CUE_BONUS = 0.5, 0.3


def asked_parts(question: str) -> list[str]:
    """The parts of a question that each ask something (one part for a question asking one thing)."""
    own = _CARRIED.sub("", question)
    asking = [m.group(0) for m in re.finditer(r"[^.?!]*\?", own)] or [own]
    parts = [p.strip(" ,;-") for chunk in asking for p in _PART_BREAK.split(chunk)]
    return [p for p in parts if len(set(tokenize(p)) - framing_tokens()) >= 1 and re.search(r"[A-Za-z]{3,}", p)]


def _each_part_answered(question: str, pool: list[Candidate], direct: list[Candidate]) -> list[Candidate]:
    """The direct answer with, for each further part a question asks, the statement answering that part best (its words,
    its aspect's cue, the step it puts up), so a two-part question is answered in both parts."""
    parts = asked_parts(question)
    if len(parts) < 2:
        return direct
    out = list(direct)
    for part in parts:
        words = set(tokenize(part)) - framing_tokens()
        aspects = [name for name, (asks, _, _) in ASPECTS.items() if asks.search(part)]
        steps = proposed_actions(part if part.endswith("?") else part + "?")

        def fit(c: Candidate) -> float:
            cue = any(ASPECTS[name][2].search(c.text) for name in aspects) or bool(steps and decides(c.text, steps))
            return c.score + PART_OVERLAP_WEIGHT * len(words & c.tokens) / (len(words) or 1) + (PART_CUE_BONUS if cue else 0.0)

        best = max(pool, key=lambda c: (fit(c), -c.rank))
        if all(best is not c and _jaccard(best.tokens, c.tokens) <= 0.6 for c in out) and len(out) < 3:
            out.append(best)
    return out


def _another_strength(first: Candidate, cand: Candidate) -> bool:
    """Whether a candidate is another recommendation graded otherwise than the lead's: a lead states one strength, whether
    or not the question asks an aspect."""
    kinds = (first.hit.meta.get("kind"), cand.hit.meta.get("kind"))
    return kinds == ("recommendation", "recommendation") and grade_of(first.hit, first.text) != grade_of(cand.hit, cand.text)


def _position_in(cand: Candidate) -> int:
    index = cand.hit.text.find(cand.text)
    return index if index >= 0 else 1 << 30
