"""Follow-up questions: a deterministic, session-aware standalone question.

A question is read into slots (drug, condition, population, context such as rituximab, and the
aspect asked about: dose, duration, monitoring...). An elliptical follow-up ("and in children?",
"what dose?", "how long?", "what if she had rituximab?", "what about Kawasaki?") takes the slots
of earlier turns; what the follow-up names replaces the earlier value (a new population replaces
the old one); a self-contained question, or one about a topic the corpus has never seen, is left
alone; "yes" / "tell me more" repeats the previous question.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import yaml

POPULATIONS: dict[str, tuple[str, ...]] = {
    "children": ("child", "children", "pediatric", "paediatric", "paediatrics", "pediatrics", "kids", "kid", "infant",
                 "infants", "adolescent", "adolescents", "newborn", "newborns", "neonate", "neonates", "boy", "girl", "toddler"),
    "older adults": ("elderly", "older adult", "older adults", "older patients", "older people", "geriatric"),
    "adults": ("adult", "adults", "grown-up", "grown-ups"),
    "pregnancy": ("pregnant", "pregnancy", "pregnant woman", "pregnant women", "breastfeeding", "lactation"),
    "obesity": ("obese", "obesity", "overweight", "bmi"),
    "renal impairment": ("renal impairment", "kidney disease", "ckd", "renal failure", "renal insufficiency", "dialysis"),
}
CONTEXTS: dict[str, tuple[str, ...]] = {
    "rituximab": ("rituximab", "anti-cd20", "b-cell depleting", "b-cell depletion", "b cell depletion", "ocrelizumab", "obinutuzumab"),
    "CAR-T therapy": ("car-t", "car t", "cart therapy", "chimeric antigen receptor", "cd19 car-t"),
    "active infection": ("active infection", "infection", "infections", "pneumonia", "sepsis", "septic"),
    "thrombosis risk": ("thrombosis risk", "risk of thrombosis", "thrombosis", "thromboembolism", "clot", "clots"),
    "IgA deficiency": ("iga deficiency", "anti-iga", "iga-deficient"),
}
# Conditions the dose-rule vocabulary does not name but the corpus covers.
CONDITIONS: dict[str, tuple[str, ...]] = {
    "hypogammaglobulinemia": ("severe hypogammaglobulinemia", "severe hypogammaglobulinaemia", "hypogammaglobulinemia",
                              "hypogammaglobulinaemia", "low igg", "antibody deficiency"),
    "transient hypogammaglobulinemia of infancy": ("transient hypogammaglobulinemia of infancy", "transient hypogammaglobulinaemia"),
    "selective iga deficiency": ("selective iga deficiency",),
}
# What is asked about; a follow-up naming an aspect keeps it and takes the subject from earlier turns.
ASPECTS: dict[str, tuple[str, ...]] = {
    "dose": ("dose", "doses", "dosing", "dosage", "how much", "g/kg", "mg/kg", "loading", "maintenance"),
    "duration": ("how long", "duration", "stop", "stopping", "discontinue", "continue", "lifelong", "reassess", "when to stop"),
    "monitoring": ("monitor", "monitoring", "trough", "check", "levels", "level", "follow up", "follow-up", "target"),
    "adverse effects": ("side effect", "side effects", "adverse", "reaction", "reactions", "risk", "risks", "safe", "safety", "complication",
                        "complications", "headache", "headaches", "harm", "toxicity"),
    "starting": ("when to start", "start", "starting", "indicated", "indication", "threshold", "eligible", "criteria"),
    "administration": ("infusion rate", "rate", "how fast", "infuse", "infusion", "administer", "administration", "route"),
    "premedication": ("premedication", "premedicate", "premed", "pre-medication"),
    "conversion": ("switch", "switching", "convert", "conversion", "subcutaneous", "scig"),
}
ELLIPSIS_START = re.compile(
    r"^(and|but|also|what about|how about|what if|if|then|so|or|in|for|with|same|ok|okay|and what about|and if|and for|and in)\b[\s,]*",
    re.I,
)
PRONOUN = re.compile(r"\b(it|that|this|these|those|them|she|he|her|his|they|their|the dose|the same|such|instead|too|as well|either)\b", re.I)
AFFIRM = re.compile(r"^\s*(yes|yeah|yep|yes please|sure|ok|okay|please|go on|continue|tell me more|more|more detail|more details)\W*$", re.I)
_WORD = re.compile(r"[a-z][a-z0-9'-]*")
_FILLER = frozenset(
    "a an and are as at be but by for from has have if in into is it its of on or such that the their then there these they "
    "this to was were will with what which who whom how when where why does do did can could should would i me my we our you "
    "your he she him her them about also same ok okay so patient patients had has having give given get case one ones "
    "is there any more need needed much many long tell please".split()
)


@dataclass(frozen=True)
class Mention:
    """A slot value: its canonical name and the words the question used for it."""

    name: str
    surface: str


@dataclass(frozen=True)
class Topic:
    """What a question is about."""

    drug: Mention | None = None
    condition: Mention | None = None
    population: Mention | None = None
    context: Mention | None = None
    aspect: Mention | None = None
    unknown: tuple[str, ...] = field(default=())

    def merged(self, newer: "Topic") -> "Topic":
        """This topic with whatever the newer question names replacing it (a new condition drops the old context)."""
        context = newer.context or (None if newer.condition and newer.condition != self.condition else self.context)
        return replace(
            self,
            drug=newer.drug or self.drug,
            condition=newer.condition or self.condition,
            population=newer.population or self.population,
            context=context,
            aspect=newer.aspect or self.aspect,
            unknown=newer.unknown,
        )

    def subject(self) -> bool:
        """Whether the question names what it is about; in an immunoglobulin corpus the drug alone does not."""
        return bool(self.condition or self.context)


@lru_cache(maxsize=4)
def _vocabulary(rules_dir: Path) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Drug and condition names with their synonyms, from the rules vocabulary."""
    path = rules_dir / "vocabulary.yaml"
    if not path.exists():
        return {}, {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}

    def table(entries: list[dict]) -> dict[str, tuple[str, ...]]:
        out: dict[str, tuple[str, ...]] = {}
        for entry in entries or []:
            name = entry["canonical"].replace("_", " ")
            out[name] = tuple(n.lower() for n in (name, *entry.get("synonyms", [])))
        return out

    return table(raw.get("drugs", [])), table(raw.get("indications", []))


def _find(original: str, table: dict[str, tuple[str, ...]], taken: list[tuple[int, int]]) -> tuple[Mention, tuple[int, int]] | None:
    """The earliest, then longest, term of a table in text that does not overlap spans already taken."""
    text = original.lower()
    best: tuple[int, int, str, str] | None = None
    for name, terms in table.items():
        for term in terms:
            for match in re.finditer(rf"(?<![a-z0-9]){re.escape(term)}(?![a-z0-9])", text):
                start, end = match.span()
                if any(start < e and s < end for s, e in taken):
                    continue
                if best is None or (start, -(end - start)) < (best[0], -(best[1] - best[0])):
                    best = (start, end, name, term)
                break
    if best is None:
        return None
    return Mention(best[2], original[best[0] : best[1]]), (best[0], best[1])


def topic_of(question: str, rules_dir: Path, known: Callable[[str], bool] | None = None) -> Topic:
    """The drug, condition, population, context and aspect a question names (and content words the corpus lacks)."""
    text = question.lower()
    drugs, conditions = _vocabulary(rules_dir)
    conditions = {**conditions, **CONDITIONS}
    taken: list[tuple[int, int]] = []
    slots: dict[str, Mention | None] = {}
    # Contexts and populations first, so "rituximab" is a context and "obesity" a population, not conditions.
    for slot, table in (("context", CONTEXTS), ("population", POPULATIONS), ("drug", drugs), ("condition", conditions), ("aspect", ASPECTS)):
        found = _find(question, table, taken)
        slots[slot] = found[0] if found else None
        if found:
            taken.append(found[1])
    unknown: tuple[str, ...] = ()
    if known is not None:
        rest = text
        for start, end in sorted(taken, reverse=True):
            rest = rest[:start] + " " + rest[end:]
        unknown = tuple(w for w in _WORD.findall(rest) if w not in _FILLER and len(w) > 2 and not known(w))
    return Topic(**slots, unknown=unknown)


def keeps_topic(rewrite: str, follow_up: str, deterministic: str, rules_dir: Path) -> bool:
    """Whether a model's rewrite of a follow-up keeps its subject (a weak model may answer or parrot instead):
    every slot the deterministic rewrite carries, and at least half of the follow-up's other content words."""
    want, got = topic_of(deterministic, rules_dir), topic_of(rewrite, rules_dir)
    for slot in ("drug", "condition", "population", "context", "aspect"):
        needed, found = getattr(want, slot), getattr(got, slot)
        if needed is not None and (found is None or found.name != needed.name):
            return False
    asked = topic_of(follow_up, rules_dir)
    named = {w for slot in ("drug", "condition", "population", "context", "aspect") if getattr(asked, slot)
             for w in content_words(getattr(asked, slot).surface)}
    own = set(content_words(follow_up)) - named
    return len(own & set(content_words(rewrite))) * 2 >= len(own)


def content_words(question: str) -> list[str]:
    return [w for w in _WORD.findall(question.lower()) if w not in _FILLER]


def is_elliptical(question: str, topic: Topic) -> bool:
    """True when a question leans on earlier turns for its subject."""
    stripped = question.strip()
    if AFFIRM.match(stripped):
        return True
    if topic.unknown and not topic.subject() and not PRONOUN.search(stripped):
        return False  # a new topic the corpus does not know: searching it alone lets the answer abstain
    if ELLIPSIS_START.match(stripped):
        return True
    words = content_words(stripped)
    if not topic.subject():
        return len(words) <= 6 or bool(PRONOUN.search(stripped))
    return len(words) <= 2 or (bool(PRONOUN.search(stripped)) and len(words) <= 4)


def _tail(topic: Topic, current: Topic) -> str:
    """The earlier subject the follow-up leaves out, as a phrase."""
    parts: list[str] = []
    if topic.drug and not current.drug:
        parts.append(topic.drug.surface)
    if topic.condition and not current.condition:
        parts.append(f"in {topic.condition.surface}")
    if topic.context and not current.context:
        parts.append(f"{_context_joiner(topic.context)} {topic.context.name}")
    if topic.population and not current.population:
        parts.append(f"in {topic.population.name}")
    return " ".join(parts)


def _context_joiner(context: Mention) -> str:
    return "after" if context.name in ("rituximab", "CAR-T therapy") else "with"


def _substitute(text: str, old: Mention | None, new: Mention, joiner: str, canonical: bool = False) -> str:
    """Replace the earlier words for a slot with the new ones, or add the new ones before the question mark."""
    if old is not None:
        pattern = re.compile(rf"(?<![A-Za-z0-9]){re.escape(old.surface)}(?![A-Za-z0-9])", re.I)
        if pattern.search(text):
            return pattern.sub(new.surface, text, count=1)
    return f"{text.rstrip(' ?.')} {joiner} {new.name if canonical else new.surface}?"


def standalone_question(
    question: str, history: list[str], rules_dir: Path, known: Callable[[str], bool] | None = None
) -> str:
    """Rewrite a follow-up into a question that can be searched alone (history: earlier standalone questions).

    `known` says whether the corpus has a word; with it, a follow-up about something the corpus
    never mentions is left alone instead of being glued to the earlier topic.
    """
    question = " ".join(question.split())
    if not history:
        return question
    if AFFIRM.match(question):
        return history[-1]
    current = topic_of(question, rules_dir, known)
    if not is_elliptical(question, current):
        return question
    previous = Topic()
    for earlier in history:
        previous = previous.merged(topic_of(earlier, rules_dir))
    body = ELLIPSIS_START.sub("", question.strip()).strip(" ,?.")
    if current.aspect is None and not content_words(_without_slots(body, current)):
        # Only a slot changes ("and in children?", "what about Kawasaki?", "what if she had rituximab?"):
        # ask the previous question again with that slot replaced.
        text = history[-1]
        if current.condition:
            text = _substitute(text, previous.condition, current.condition, "in")
            if previous.context and not current.context and previous.context.surface.lower() in text.lower():
                text = re.sub(rf"\s*(after|with|and|in)?\s*{re.escape(previous.context.surface)}", "", text, count=1, flags=re.I)
        if current.drug:
            text = _substitute(text, previous.drug, current.drug, "with")
        if current.context:
            text = _substitute(text, previous.context, current.context, _context_joiner(current.context), canonical=True)
        if current.population:
            text = _substitute(text, previous.population, current.population, "in", canonical=True)
        if text != history[-1]:
            return text
    merged = previous.merged(current)
    tail = _tail(merged, current)
    if not body:
        return history[-1]
    body = body[0].upper() + body[1:]
    return f"{body} — {tail}?" if tail else f"{body}? ({history[-1].rstrip('?')})"


def _without_slots(text: str, topic: Topic) -> str:
    """Text with the words of its recognised slots removed."""
    out = text.lower()
    for mention in (topic.drug, topic.condition, topic.population, topic.context, topic.aspect):
        if mention is not None:
            out = re.sub(rf"(?<![a-z0-9]){re.escape(mention.surface)}(?![a-z0-9])", " ", out, flags=re.I)
    return out


@dataclass(frozen=True)
class Focus:
    """What an answer must stay on: the condition's words, and the population asked about versus the others."""

    condition: tuple[str, ...] = ()
    population: tuple[str, ...] = ()
    other_populations: tuple[str, ...] = ()
    also_on_topic: tuple[str, ...] = ()  # a document about these (e.g. obesity) is on focus even if it never names the condition
    context: tuple[str, ...] = ()  # the circumstance asked about (rituximab, thrombosis risk): statements naming it come first


# Aspects that whole documents cover for every condition: a question about a condition's side effects is also
# answered by the documents on these topics, though they never name that condition.
ASPECT_TOPICS: dict[str, tuple[str, ...]] = {
    "adverse effects": ("adverse effects", "infusion reaction"),
    "premedication": ("premedication", "infusion reaction"),
    "administration": ("infusion rate", "administration"),
}

# Populations that exclude each other in a statement: a statement only about adults does not answer a question about children.
_EXCLUSIVE = ("children", "adults")


def focus_of(question: str, rules_dir: Path) -> Focus:
    """The condition and population a question is about, as words to look for in statements."""
    topic = topic_of(question, rules_dir)
    condition: tuple[str, ...] = ()
    if topic.condition is not None:
        _, conditions = _vocabulary(rules_dir)
        terms = {**conditions, **CONDITIONS}.get(topic.condition.name, ())
        condition = tuple(dict.fromkeys((topic.condition.surface.lower(), *terms)))
    population: tuple[str, ...] = ()
    others: tuple[str, ...] = ()
    also: tuple[str, ...] = ()
    if topic.population is not None and topic.population.name in _EXCLUSIVE:
        population = POPULATIONS[topic.population.name]
        others = tuple(t for name in _EXCLUSIVE if name != topic.population.name for t in POPULATIONS[name])
    elif topic.population is not None:
        also = POPULATIONS[topic.population.name]
    context = CONTEXTS[topic.context.name] if topic.context is not None else ()
    if topic.aspect is not None:
        also += ASPECT_TOPICS.get(topic.aspect.name, ())
    return Focus(condition, population, others, also, context)
