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
from dataclasses import dataclass, replace
from functools import lru_cache

from assistant.people import Audience
from assistant.question import FILLER, Mentions, mentions_of, patient_facts
from assistant.vocabulary import (Mention, Vocabulary, age_asked, condition_qualifier, expand_acronyms, is_document_condition,
                                  named_as_history)

ELLIPSIS_START = re.compile(
    r"^(and|but|also|what about|how about|what if|if|then|so|or|in|for|with|same|ok|okay|and what about|and if|and for|and in)\b[\s,]*",
    re.I,
)
PRONOUN = re.compile(r"\b(it|that|this|these|those|them|she|he|her|his|him|they|their|the dose|the same|such|instead|too|as well|either)\b", re.I)
AFFIRM = re.compile(r"^\s*(yes|yeah|yep|yes please|sure|ok|okay|please|go on|continue|tell me more|more|more detail|more details)\W*$", re.I)
_WORD = re.compile(r"[a-z][a-z0-9'-]*")


def topic_of(question: str, vocab: Vocabulary, known: Callable[[str], bool] | None = None) -> Mentions:
    """The drug, condition, population, context and aspect a question names (and content words the corpus lacks)."""
    return mentions_of(question, vocab, known)


def _asked_topic(question: str, vocab: Vocabulary) -> Mentions:
    """An earlier question's topic without a drug it names only as the patient's history ("failed NSAIDs and a steroid
    shot. hyaluronic acid injection?" is not about the steroid): that drug is not carried into the follow-ups."""
    topic = topic_of(question, vocab)
    if topic.drug is not None and named_as_history(question, topic.drug.surface):
        topic = replace(topic, drug=None)
    return with_qualifier(question, topic)


def with_qualifier(question: str, topic: Mentions) -> Mentions:
    """The topic with its condition's qualifier words as the question wrote them ("episodic migraine", "stage 2 HTN"):
    a follow-up that leaves the condition out asks about the same kind of it."""
    condition = topic.condition
    qualifier = condition_qualifier(question, condition.start) if condition is not None else ""
    if not qualifier or qualifier.lower() in condition.surface.lower():
        return topic
    start = max(0, condition.start - len(qualifier) - 1)
    return replace(topic, condition=Mention(condition.term, f"{qualifier} {condition.surface}", start, condition.end))


def _contrasted(surface: str, question: str, vocab: Vocabulary) -> str:
    """A carried condition phrase without the qualifier a follow-up contradicts ("episodic migraine" after "and if it
    turns chronic?" is "migraine")."""
    low = question.lower()
    said = {w for group in vocab.contrasts for w in group if re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", low)}
    for group in vocab.contrasts:
        for word in group:
            if word not in said and any(o in said for o in group if o != word):
                surface = re.sub(rf"(?i)(?<![a-z]){re.escape(word)}(?![a-z])[\s-]*", "", surface).strip()
    return surface


def merged(older: Mentions, newer: Mentions) -> Mentions:
    """The older topic with whatever the newer question names replacing it (a new condition drops the old context)."""
    context = newer.context or (None if newer.condition and newer.condition.name != (older.condition.name if older.condition else None)
                                else older.context)
    return replace(
        older,
        drug=newer.drug or older.drug,
        condition=newer.condition or older.condition,
        population=newer.population or older.population,
        context=context,
        aspect=newer.aspect or older.aspect,
        aspects=newer.aspects or older.aspects,
        unknown=newer.unknown,
    )


def keeps_topic(rewrite: str, follow_up: str, deterministic: str, vocab: Vocabulary) -> bool:
    """Whether a model's rewrite of a follow-up keeps its subject (a weak model may answer or parrot instead):
    every slot the deterministic rewrite carries, and at least half of the follow-up's other content words."""
    want, got = topic_of(deterministic, vocab), topic_of(rewrite, vocab)
    for slot in ("drug", "condition", "population", "context", "aspect"):
        needed, found = getattr(want, slot), getattr(got, slot)
        if needed is not None and (found is None or found.name != needed.name):
            return False
    asked = topic_of(follow_up, vocab)
    named = {w for slot in ("drug", "condition", "population", "context", "aspect") if getattr(asked, slot)
             for w in content_words(getattr(asked, slot).surface)}
    own = set(content_words(follow_up)) - named
    return len(own & set(content_words(rewrite))) * 2 >= len(own)


def content_words(question: str) -> list[str]:
    return [w for w in _WORD.findall(question.lower()) if w not in FILLER]


def is_elliptical(question: str, topic: Mentions) -> bool:
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


# The aspects for which a patient's circumstance (renal impairment, obesity) changes the answer: a follow-up about
# anything else ("what trough do we want?") is not searched with it.
_CIRCUMSTANTIAL = frozenset({"dose", "administration", "adverse_effects", "premedication"})


# The aspects that are about the earlier drug itself (its amounts, how it is given): a follow-up naming another drug
# instead ("what about lubiprostone instead?" after linaclotide's dose) asks about that drug, not for its dose.
DRUG_OWN_ASPECTS = frozenset({"dose", "administration"})


def switches_drug(previous_drug: str | None, current_drug: str | None, asks_own_aspect: bool) -> bool:
    """Whether a follow-up that asks nothing of its own names another drug than the earlier turns' (not another product
    of the same drug: "what if Cuvitru instead" after Hizentra is the same immunoglobulin)."""
    return bool(previous_drug and current_drug and current_drug != previous_drug and not asks_own_aspect)


def _named_drug(text: str, topic: Mentions) -> str | None:
    """The drug a question names: the vocabulary's, else the drug dictionary's (a site's guidelines dose drugs the dose
    rules do not know)."""
    if topic.drug is not None:
        return topic.drug.name
    from assistant.doses.drugnames import dictionary_drugs

    found = dictionary_drugs(text)
    return found[0].canonical if found else None


def _tail(topic: Mentions, current: Mentions, vocab: Vocabulary, switched: bool = False, question: str = "") -> str:
    """The earlier subject the follow-up leaves out, as a phrase: the drug and condition; the patient's age group always,
    other circumstances of the patient only for a follow-up whose answer they change; the earlier aspect, unless it was
    about the earlier drug and the follow-up names another (`switched`)."""
    parts: list[str] = []
    if topic.aspects and not current.aspect and not (switched and topic.aspects[-1].name in DRUG_OWN_ASPECTS):
        parts.append(topic.aspects[-1].surface)  # the earlier question's aspect, asked again for what the follow-up changes
    if topic.drug and not current.drug and not switched:
        parts.append(topic.drug.surface)
    if topic.condition and not current.condition:
        parts.append(f"in {_contrasted(topic.condition.surface, question, vocab) if question else topic.condition.surface}")
    if topic.context and not current.context:
        parts.append(f"{topic.context.term.joiner} {topic.context.label}")
    population = topic.population
    if population and not current.population:
        group = population.name in vocab.exclusive_populations or population.name in vocab.distinct_populations
        if group or current.aspect is None or current.aspect.name in _CIRCUMSTANTIAL:
            parts.append(f"in {population.label}")
    return " ".join(parts)


def _substitute(text: str, old: Mention | None, new: Mention, joiner: str, canonical: bool = False) -> str:
    """Replace the earlier words for a slot with the new ones, or add the new ones before the question mark."""
    if old is not None:
        pattern = re.compile(rf"(?<![A-Za-z0-9]){re.escape(old.surface)}(?![A-Za-z0-9])", re.I)
        if pattern.search(text):
            return pattern.sub(new.surface, text, count=1)
    return f"{text.rstrip(' ?.')} {joiner} {new.label if canonical else new.surface}?"


def standalone_question(
    question: str, history: list[str], vocab: Vocabulary, known: Callable[[str], bool] | None = None
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
    current = topic_of(question, vocab, known)
    if not is_elliptical(question, current):
        return question
    previous = Mentions()
    for earlier in history:
        previous = merged(previous, _asked_topic(earlier, vocab))
    body = ELLIPSIS_START.sub("", question.strip()).strip(" ,?.")
    earlier = next((d for d in (_named_drug(h, topic_of(h, vocab)) for h in reversed(history)) if d), None)
    switched = switches_drug(earlier, _named_drug(question, current), current.aspect is not None)
    # (Another drug instead of one whose dose was asked is not asked the earlier question again with the drug replaced.)
    again = not (switched and previous.aspects and previous.aspects[-1].name in DRUG_OWN_ASPECTS)
    if again and current.aspect is None and not content_words(without_slots(body, current)):
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
            text = _substitute(text, previous.context, current.context, current.context.term.joiner, canonical=True)
        if current.population:
            text = _substitute(text, previous.population, current.population, "in", canonical=True)
        if (age := patient_facts(question).age_years) is not None:
            text = _with_age(text, age)
        if text != history[-1]:
            return text
    if current.population is None and patient_facts(question).age_years is not None:
        previous = replace(previous, population=None)  # "what if the pt is an 8yo?": the age says the age group
    tail = _tail(merged(previous, current), current, vocab, switched, question)
    if not body:
        return history[-1]
    body = body[0].upper() + body[1:]
    return f"{body} — {tail}?" if tail else f"{body}? ({history[-1].rstrip('?')})"


_AGE_PHRASE = re.compile(r"(?i)(?<![\d.])\d{1,3}(?:\s*-?\s*(?:years?|yrs?|y)\s*-?\s*old\b|\s*yo\b|\s*y/o\b|-year-old\b)")


def _with_age(text: str, age: float) -> str:
    """The earlier question with the age the follow-up states in place of the earlier patient's ("and if she were 31?")."""
    stated = f"{age:g} year old"
    return _AGE_PHRASE.sub(stated, text, count=1) if _AGE_PHRASE.search(text) else text


def another_person_subject(question: str, history: list[str], vocab: Vocabulary,
                           known: Callable[[str], bool] | None = None) -> str | None:
    """For a turn about another person that asks a question of its own ("different pt - remitted on sertraline, how long
    do i keep it going?", "what about his mom, 84, CHF + dementia?"): the standalone question naming the conversation's
    condition (and the earlier aspect, when the turn asks none), or None when the turn starts a new subject.

    The conversation's condition carries when the turn names no condition, or names only conditions no indexed guideline
    is about (the new person's other illnesses) and asks about no drug of its own while the conversation's condition
    is a guideline's. The earlier patient's facts never carry (the caller reads the turn as a new person)."""
    if not history:
        return None
    previous = Mentions()
    for earlier in history:
        previous = merged(previous, _asked_topic(earlier, vocab))
    if previous.condition is None:
        return None
    if said_absent(question, previous.condition, vocab):
        # "and her husband, 72, no diabetes?": the condition this person has not is not carried; another the
        # conversation named is (the hypertension of "T2DM, HTN on 2 meds ... SBP goal?")
        others = [c for earlier in history for c in topic_of(earlier, vocab).conditions
                  if c.name != previous.condition.name and c.name not in vocab.modifiers
                  and not said_absent(question, c, vocab)]
        if not others:
            return None
        previous = replace(previous, condition=others[0])
    current = topic_of(question, vocab, known)
    own = [c for c in current.conditions if c.name not in vocab.modifiers]
    if any(c.name == previous.condition.name for c in own):
        return None  # it names the conversation's condition itself
    if own and (not is_document_condition(previous.condition.name) or any(is_document_condition(c.name) for c in own)
                or current.drug is not None or current.aspect is not None or _named_drug(question, current)):
        return None
    if current.unknown and not own and not current.aspect and not _named_drug(question, current):
        return None  # words the corpus does not know, and nothing else: a subject of its own
    parts = []
    if current.aspect is None and previous.aspects:
        parts.append(previous.aspects[-1].surface)
    parts.append(f"in {_contrasted(previous.condition.surface, question, vocab)}")
    return f"{question.rstrip(' ?.')} — {' '.join(parts)}?"


def another_person_audience(question: str, turns: list[dict], who: Audience, vocab: Vocabulary,
                            known: Callable[[str], bool] | None = None) -> tuple[Audience, str | None]:
    """The turns a turn about another person follows on from, and its standalone question: when `audience` started over
    but the turn keeps the conversation's subject (`another_person_subject`), all the earlier turns (the new person's
    own facts replace the earlier patient's) and the question naming that subject."""
    if not (who.new_person and not who.turns and turns):
        return who, None
    carried = another_person_subject(question, [str(t["standalone_question"]) for t in turns], vocab, known)
    return (Audience(turns, new_person=True), carried) if carried else (who, None)


def without_slots(text: str, topic: Mentions) -> str:
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
    drug: tuple[str, ...] = ()  # a drug asked about beside the corpus's principal one (diphenhydramine): its doses answer
    other_conditions: tuple[str, ...] = ()  # the specific conditions not asked about: a dose naming only them is theirs
    contrasting: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (a word asked, the words that exclude it)
    age_years: float | None = None  # the patient's age: a statement bounding its patients' age must hold them
    named: tuple[str, ...] = ()  # every word the question names its patient by (its concepts' terms, acronyms' long forms)
    concepts: frozenset[str] = frozenset()  # the tokens of every condition and population the vocabulary knows
    drug_words: frozenset[str] = frozenset()  # the tokens of every drug and product the vocabulary knows
    default_population: bool = False  # the population asked about is the one a statement naming none is about (adults)
    population_name: str = ""  # the age group's key: a document only about it ("population: [child]") speaks of it throughout


def age_group_words(vocab: Vocabulary, name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words of an age group an answer keeps to (one of the vocabulary's exclusive populations), and the words of
    the groups that exclude it."""
    others = tuple(t for other in vocab.exclusive_populations if other != name
                   and (term := vocab.term("populations", other)) for t in term.terms)
    return vocab.term("populations", name).terms, others


def focus_of(question: str, vocab: Vocabulary) -> Focus:
    """The condition and population a question is about, as words to look for in statements."""
    topic = topic_of(question, vocab)
    condition: tuple[str, ...] = ()
    if topic.condition is not None:
        condition = tuple(dict.fromkeys((topic.condition.surface.lower(), *topic.condition.term.terms)))
    population: tuple[str, ...] = ()
    others: tuple[str, ...] = ()
    also: tuple[str, ...] = ()
    exclusive = vocab.exclusive_populations
    population_key = ""
    if topic.population is not None and topic.population.name in exclusive:
        population, others = age_group_words(vocab, topic.population.name)
        population_key = topic.population.name
    elif topic.population is not None:
        also = topic.population.term.terms
    context = topic.context.term.terms if topic.context is not None else ()
    if topic.aspect is not None:
        also += vocab.topics_of(topic.aspect.name)
    # (a further aspect the question asks reads the documents answering it when asked itself: "earliest the trough will
    # reflect the new dose?" asks the duration and the target, and the trough document answers it, never naming the
    # condition)
    for aspect in dict.fromkeys(a.name for a in topic.aspects or ()):
        also += tuple(t for t in vocab.asked_aspect_topics.get(aspect, ()) if t not in also)
    other_conditions: tuple[str, ...] = ()
    if topic.condition is not None and topic.condition.name not in vocab.broad:
        other_conditions = tuple(t for term in vocab.indications
                                 if term.canonical != topic.condition.name and term.canonical not in vocab.broad
                                 and term.canonical not in vocab.modifiers for t in term.terms if t not in condition)
    low = question.lower()
    contrasting = tuple((word, tuple(w for w in group if w != word)) for group in vocab.contrasts for word in group
                        if re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", _own_words(low, group)))
    named = tuple(dict.fromkeys(t for m in (*topic.conditions, *topic.populations, *topic.contexts, *topic.drugs)
                                for t in m.term.terms)) + (expand_acronyms(question, vocab),)
    return Focus(condition, population, others, also, context, other_conditions=other_conditions, contrasting=contrasting,
                 age_years=patient_facts(question).age_years or age_asked(question), named=named, concepts=concept_tokens(vocab),
                 drug_words=drug_tokens(vocab), population_name=population_key,
                 default_population=topic.population is not None and topic.population.name in vocab.default_populations)


@lru_cache(maxsize=16)
def drug_tokens(vocab: Vocabulary) -> frozenset[str]:
    """The tokens of the vocabulary's drugs and products."""
    from assistant.lexical import tokenize

    return frozenset(t for term in vocab.drugs for w in term.terms for t in tokenize(w) if len(t) >= 3)


@lru_cache(maxsize=16)
def concept_tokens(vocab: Vocabulary) -> frozenset[str]:
    """The tokens of the vocabulary's conditions and populations: the words a statement names another patient by."""
    from assistant.lexical import tokenize

    return frozenset(t for term in (*vocab.indications, *vocab.populations) for w in term.terms for t in tokenize(w)
                     if len(t) >= 3)


CARRIED_TURN = re.compile(r"\s*\([^()]*\)\s*$")  # the earlier turn a follow-up's standalone form carries at its end


def _own_words(low: str, group: tuple[str, ...] | list[str]) -> str:
    """Where a contrast group's words are read: a follow-up naming one of them itself ("and for his hip? (knee OA ...)")
    replaces the one its carried earlier turn names; otherwise the whole question."""
    own = CARRIED_TURN.sub("", low)
    if own != low and any(re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", own) for w in group):
        return own
    return low


_ABSENT_WORD = re.compile(r"(?i)\b(?:no|not|without|denies|never had|non)\W+(?:[a-z-]+\W+){0,1}?([a-z][a-z-]{3,})")


def said_absent(question: str, condition: Mention, vocab: Vocabulary) -> bool:
    """Whether a turn says its person has not the condition ("no diabetes" for type 2 diabetes mellitus): a word of the
    condition's terms (or label) stands after a negation."""
    term = vocab.term("indications", condition.name)
    words = {w for t in (*(term.terms if term else ()), term.label if term else "", condition.surface)
             for w in re.findall(r"[a-z][a-z-]{3,}", (t or "").lower())}
    return any(m.group(1).lower() in words for m in _ABSENT_WORD.finditer(question))
