"""The answering chain: standalone question -> retrieve -> compose -> citation guard -> dose check -> Answer.

`Assistant.events()` yields progress and parts as they are ready (the SSE endpoint streams them);
`Assistant.runnable()` is the same pipeline as a LangChain Runnable (invoke, stream, batch).
The composer is extractive unless a chat model is injected or named by the settings; abstention
never falls back to a model's own knowledge.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda

from assistant.answer_aspects import RESPONSE_ASKED, bind_routes
from assistant.calculate import WORKED_EXAMPLE
from assistant.citations import MARKER, Numbering, best_quote, guard, normalise
from assistant.compose import (aspect_sections, compose, grade_of, names_any, on_topic, references_of, section_name,
                               statements_of)
from assistant.errors import GuideqaError, InputError
from assistant.doses.numbers import fmt
from assistant.followup import (DRUG_OWN_ASPECTS, Focus, age_group_words, another_person_audience, focus_of, keeps_topic,
                                standalone_question, switches_drug)
from assistant.question import DOSE_OF, QuestionFrame, only_in_story, read_question
from assistant.vocabulary import (Vocabulary, asks_to_rank, expand_acronyms, load_vocabulary, named_as_history, put_forward,
                                  follows_on_in_time, specific_equivalents, with_conditions,
                                  without_negated_conditions)
from assistant.index import Index
from assistant.models import Answer, Calculation, Section, Statement
from assistant.retrieval import Filters, GuidelineRetriever, Hit, Retriever, out_of_scope
from assistant.people import asks_nothing, asks_wh, asks_yes_no, audience
from assistant.sessions import SessionStore
from assistant.tried import add_after_failure, without_tried_drug
from assistant.unspoken import unspoken_drug
from assistant.referent import with_lead_drug
from assistant.found_condition import about_found_condition
from assistant.scope_topics import outside_guideline
from assistant.settings import Settings

log = logging.getLogger(__name__)
DISCLAIMER = "For clinicians. Decision support from guideline text only; verify against the cited sources and clinical judgment."
ABSTAIN_MESSAGE = "The guideline corpus does not cover this question well enough to answer it from its sources."


@dataclass(frozen=True)
class Question:
    """A validated request to answer."""

    text: str
    session_id: str | None = None
    filters: Filters = Filters()
    weight_kg: float | None = None
    key_id: str = "local"


_RECOMMENDS = re.compile(r"\b(?:we|work group)\s+(?:recommends?|suggests?)\b|\binsufficient evidence to recommend\b", re.I)


def clean_question(text: Any, limit: int) -> str:
    """The question with control characters removed; InputError if empty or too long."""
    if not isinstance(text, str):
        raise InputError("The question must be text.")
    text = "".join(ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in text)
    text = " ".join(text.split())
    if not text:
        raise InputError("The question is empty.")
    if len(text) > limit:
        raise InputError(f"The question is {len(text)} characters long; the limit is {limit}.")
    return text


_DEFINITION_CHUNKS = 60  # the first passages of a document, where it spells out the acronyms it uses
_AMOUNT = re.compile(r"(?i)\b\d+(?:[.,]\d+)?\s*(?:g|mg|kg|ml|g/kg|mg/kg)\b")
_SENTENCE_END = re.compile(r"(?<=\]\.)\s+")
_GIVEN_AMOUNT = re.compile(r"(?i)(?<![\w.])\d+(?:[.,]\d+)?\s*(?:g/kg|mg/kg|grams?|g)\b(?!/)")

def _grade_note(grade: str | None) -> str:
    return f" (grade: {grade})" if grade else ""


def _admitted(hits: list[Hit], found: Hit, numbering: Numbering) -> list[Hit]:
    """The hits with a passage read for the answer added (and numberable), unless it is among them already."""
    if found.chunk_id in {h.chunk_id for h in hits}:
        return hits
    numbering.by_id.setdefault(found.chunk_id, found)
    return [*hits, found]


def _worked_example(sentence: str, by_number: dict[int, Hit]) -> bool:
    """Whether a lead sentence is a source's worked example (its wording, or the heading of the passage it cites)."""
    if WORKED_EXAMPLE.search(sentence):
        return True
    cited = [int(n) for n in re.findall(r"\[(\d+)\]", sentence)]
    return any(n in by_number and WORKED_EXAMPLE.search(" ".join(by_number[n].heading_path)) for n in cited)


# When a frame names several populations, the one whose rules are the most specific decides the dose check.
_POPULATION_PRIORITY = ("neonate", "child", "pregnancy", "elderly", "obesity", "adult")


def dose_context(frame: QuestionFrame | None, weight_kg: float | None, broad: frozenset[str] = frozenset()) -> Any:
    """What the dose check holds every statement of the answer to: the frame's drug, indication and population."""
    from assistant.doses import AnswerContext

    if frame is None:
        return AnswerContext(weight_kg=weight_kg)
    population = next((p for p in _POPULATION_PRIORITY if p in frame.population), frame.population[0] if frame.population else None)
    # A broad state ("hypogammaglobulinemia") is no indication a rule is written for: each statement's own decides.
    indication = None if frame.indication in broad else frame.indication
    return AnswerContext(drug=frame.drug, indication=indication, population=population, weight_kg=weight_kg,
                         comparison=frame.comparison)


# An amount of a drug as passages write it (2 g/kg, 400 mg/kg, 30 g, 325-650 mg): not a lab value (mg/dL, g/L).
_DOSE_AMOUNT = re.compile(r"(?i)\d\s*(?:g|mg|mcg|µg|μg|micrograms?|milligrams?|grams?|mL|units?|IU)\b(?!\s*/\s*(?:d?l|ml)\b)")

def _dosed_sentences(hits: list[Hit], names: tuple[str, ...]) -> tuple[list[str], bool]:
    """The retrieved sentences naming one of `names`, and whether any of them gives an amount."""
    naming = [part for h in hits for part in statements_of(h) if names_any(part, names)]
    return naming, any(_DOSE_AMOUNT.search(part) for part in naming)




# What a product's own labelling decides (its conversion factor, its infusion rates), not the drug's.
PRODUCT_SPECIFIC_ASPECTS = frozenset({"switch", "administration"})
# A question opening on how, when or why (its last sentence): it asks for a way or a time, not whether to start.
_OPENS_HOW = re.compile(r"(?i)(?:^|[.?!;:]\s+)(?:how|when|why|where)\b[^.?!;:]*\?+[\s\W]*$")

# A follow-up that varies the earlier question ("what if ...", "and if ...", "what about ...").
VARIATION = re.compile(r"(?i)^\W*(?:and\s+)?(?:what|how)\s+(?:if|about)\b|^\W*and\s+if\b")


# Questions about the evidence or the reasons ("isn't adjusted-weight dosing evidence based?") want no numbers worked out.
REASONED_ASPECTS = frozenset({"evidence", "explanation", "what_to_do"})

# The aspects a patient's own numbers are worked out for; a follow-up about monitoring or evidence gets no dose lead.
WORKED_OUT_ASPECTS = frozenset({"dose", "switch", "administration"})


def _name_word(word: str, rare: float = 3.0) -> bool:
    """Whether a word beside a product's name is part of it ("diskus"): a rare word, not English ("starting")."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en") < rare


class Assistant:
    """Answers questions from one index, with sessions for follow-ups.

    `chat_model` (any LangChain BaseChatModel) replaces the extractive composer and enables the
    history-aware rewrite of follow-ups; without it the settings decide (extractive by default).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        index: Index | None = None,
        sessions: SessionStore | None = None,
        chat_model: Any | None = None,
    ) -> None:
        self.settings = settings
        self.index = index or Index(settings)
        self._sessions = sessions
        self._chat_model = chat_model
        self._documents_vocabulary: tuple[tuple, Vocabulary] | None = None

    @cached_property
    def retriever(self) -> Retriever:
        from assistant.embeddings import get_embedder, set_threads

        set_threads(self.settings.embedding.threads or 1)  # one intra-op thread per serving process (DESIGN.md)
        embedder = get_embedder(self.settings.embedding.model, self.settings.embedding.batch_size)
        if self.settings.embedding.query_runtime == "onnx":
            embedder.use_onnx(self.settings.data_dir / "models")
        return Retriever.from_settings(self.index, embedder, self.settings.retrieval)

    @cached_property
    def rulebook(self) -> Any:
        from assistant.doses import load_rulebook

        return load_rulebook(self.settings.doses.rules_dir)

    @property
    def secondary_sources(self) -> frozenset[str]:
        """Reference keys of secondary summaries (not peer reviewed): statements resting only on them do not lead."""
        from assistant.corpus import load_references

        path = self.settings.corpus_dir / "references.yaml"
        return frozenset(k for k, ref in load_references(path).items() if not ref.peer_reviewed) if path.exists() else frozenset()

    @cached_property
    def source_words(self) -> frozenset[str]:
        """The words that name a rule's source or jurisdiction ("Ontario", "AAAAI", "EU"): a follow-up naming only one asks
        the earlier question again by that source."""
        words = {str(r.jurisdiction).lower() for r in self.rulebook.rules if getattr(r, "jurisdiction", None)}
        words |= {str(r.source.reference).split("-")[0].lower() for r in self.rulebook.rules if r.source.reference}
        return frozenset(w for w in words if len(w) >= 2 and w not in self.vocabulary.english and w not in ("any", "none"))

    @cached_property
    def principal_drug(self) -> str | None:
        """The drug most dose rules are about (the corpus's subject, named in nearly every passage)."""
        from collections import Counter

        counts = Counter(rule.drug for rule in self.rulebook.rules)
        return counts.most_common(1)[0][0] if counts else None

    @property
    def vocabulary(self) -> Vocabulary:
        """The words questions use: the shared clinical lexicon, this corpus's vocabulary (reloaded when a file changes)
        and the conditions the indexed guidelines' own titles name, with the acronyms they define (per index version)."""
        base = load_vocabulary(self.settings.doses.rules_dir, self.settings.corpus_dir / "lexicon.yaml")
        bind_routes(base.routes)  # the answer aspects' route words are this corpus's
        try:
            version = self.index.version
        except GuideqaError:
            return base
        key = (id(base), version)
        if self._documents_vocabulary is None or self._documents_vocabulary[0] != key:
            self._documents_vocabulary = (key, with_conditions(base, *self._document_conditions()))
        return self._documents_vocabulary[1]

    def _document_conditions(self) -> tuple[tuple, tuple]:
        """Conditions from every indexed document's title, with acronyms its first passages define; and every acronym
        those passages define."""
        from assistant.retrieval import document_glossaries
        from assistant.vocabulary import document_acronyms, document_conditions

        titles: dict[str, str] = {}
        texts: dict[str, str] = {}
        for entry in self.index.manifest().files.values():
            for text, meta in self.index.get(entry.chunk_ids[:_DEFINITION_CHUNKS]).values():
                doc = str(meta.get("doc_id", ""))
                titles.setdefault(doc, str(meta.get("title", "")))
                texts[doc] = texts.get(doc, "") + "\n" + text
        glossaries = document_glossaries(self.index)  # the abbreviation lists the documents print: their conditions' names
        return document_conditions(titles, texts, glossaries), document_acronyms(texts)

    @property
    def chat_model(self) -> Any | None:
        """The injected chat model, or the one the settings name (None for the extractive composer)."""
        if self._chat_model is None and self.settings.answer.composer != "extractive":
            from assistant.llm import chat_model_from_settings

            self._chat_model = chat_model_from_settings(self.settings.answer)
        return self._chat_model

    @property
    def sessions(self) -> SessionStore:
        if self._sessions is None:
            self._sessions = SessionStore(self.settings.data_dir / "sessions.sqlite3")
        return self._sessions

    @property
    def generator(self) -> str:
        if self.chat_model is None:
            return "extractive"
        from assistant.llm import model_name

        return f"llm:{model_name(self.chat_model)}"

    def langchain_retriever(self, filters: Filters | None = None) -> GuidelineRetriever:
        """The retriever as a LangChain BaseRetriever."""
        return GuidelineRetriever(retriever=self.retriever, k=self.settings.retrieval.k, mode=self.settings.retrieval.retriever, filters=filters)

    def ask(self, question: str, **kwargs: Any) -> Answer:
        """Answer one question (and record it in its session)."""
        answer = None
        for kind, payload in self.events(question, **kwargs):
            if kind == "done":
                answer = payload
        assert answer is not None
        return answer

    def standalone(self, text: str, turns: list[dict]) -> str:
        """The question as it can be searched alone (`turns`: the session's earlier turns): the model's rewrite when one is
        configured, else the deterministic one."""
        if not turns:
            return text
        history = [t["standalone_question"] for t in turns]
        vocab = self.vocabulary
        deterministic = standalone_question(text, history, vocab, known=self._known_word)
        model = self.chat_model
        if model is not None and self.settings.answer.llm_rewrite:
            from assistant.llm import rewrite_question

            pairs = [(t["question"], str(t["answer"].get("summary", ""))) for t in turns]
            rewritten = rewrite_question(model, text, pairs, self.settings.answer.max_question_chars)
            if rewritten and keeps_topic(rewritten, text, deterministic, vocab):
                return rewritten
            if rewritten:
                log.debug("model rewrite dropped the conversation's topic; using the deterministic rewrite")
        return deterministic

    def frame(self, text: str, turns: list[dict], weight_kg: float | None, *, followed: bool,
              read: QuestionFrame | None = None, new_person: bool = False) -> tuple[QuestionFrame, QuestionFrame]:
        """This turn's question frame (its own slots over the previous turn's, when it follows on), and its own slots alone.
        `turns` are the session's earlier turns; `read` is the question already read (without the caller's weight)."""
        if read is None or weight_kg is not None:  # the caller's weight is read in with the question's own numbers
            read = read_question(text, self.vocabulary, self._known_word, weight_kg)
        own = without_tried_drug(self._with_dictionary_drug(read, text), text)  # a drug only tried is not the one asked
        previous = turns[-1]["answer"].get("question_frame") if turns else None
        if previous and followed and own.drug and previous.get("drug") and own.drug != previous["drug"] \
                and named_as_history(self.vocabulary.normalise(text, self._known_word), own.product or own.drug):
            # "AED switched, pred tapered off. eligible now?": a drug named only as the patient's history does not
            # replace the drug the conversation is about.
            own = own.model_copy(update={"drug": None, "product": None})
        if previous and followed:
            # A follow-up asking nothing new of its own but changing the patient, their circumstances, the product or the
            # source ("what if she's 45 kg", "hx of DVT - anything different?", "if we go SCIG instead, Ontario weekly?")
            # asks the earlier question again for what it changes.
            changes = bool(own.patient.model_dump(exclude_none=True, exclude={"sex"}) or own.context or own.population
                           or self.source_words & set(re.findall(r"[a-z0-9]+", text.lower())))
            # "What if it's chronic ITP and we're giving Privigen?": a variation on the earlier question, which it asks again.
            # Another person, said to be asked about the same ("her husband also has OUD - same?"), is asked it again.
            keep = self._only_slots(text) or (not (own.aspects or own.indication) and (changes or bool(own.drug))) \
                or (not own.aspects and (new_person or bool(VARIATION.match(text))))
            if not keep and not (own.aspects or own.indication or own.drug or changes) and asks_nothing(text):
                # "the older one is still spiking ~40h after it finished": news of the patient, asking nothing, asks what
                # to do now, not the earlier turn's aspect again.
                own = own.model_copy(update={"aspects": ["what_to_do"]})
            if switches_drug(previous.get("drug"), own.drug, bool(own.aspects)):  # another drug instead: not its dose
                previous = {**previous, "aspects": [a for a in previous.get("aspects") or [] if a not in DRUG_OWN_ASPECTS]}
            return QuestionFrame.model_validate(previous).followed_by(own, keep_aspect=keep, new_person=new_person), own
        if previous:  # a new subject: only the patient carries over
            return QuestionFrame.model_validate(previous).followed_by(own, same_subject=False), own
        return own, own

    def _with_dictionary_drug(self, frame: QuestionFrame, text: str) -> QuestionFrame:
        """A drug the corpus vocabulary does not know (sertraline in a site's guidelines, HBIG in an IVIG corpus), from the
        drug dictionary the dose layer uses, so the frame names it and coverage can be judged. Beside a drug the corpus
        knows, the dictionary drug whose dose the question asks for ("what aspirin dose goes with the IVIG") is the drug."""
        from assistant.doses.drugnames import dictionary_drugs

        normalised = self.vocabulary.normalise(text, self._known_word)
        # (a drug inside a finding, "no response to pneumovax", is the patient's work-up, not the drug asked about)
        findings = self.vocabulary.qualified_spans(normalised)
        found = [m for m in dictionary_drugs(normalised) if not any(a <= m.start < b for a, b in findings)]
        if frame.drug:
            # ... or the longer name the corpus's drug word stands inside ("anti-D immunoglobulin" is not immunoglobulin).
            inside = (frame.product or frame.drug).lower()
            found = [m for m in found if self.vocabulary.term("drugs", m.canonical) is None and m.canonical != frame.drug
                     and (re.search(DOSE_OF.format(re.escape(m.surface)), normalised, re.IGNORECASE)
                          or put_forward(normalised, m.start, m.end)
                          or (inside in m.surface.lower() and len(m.surface) > len(inside)))]
        if not found:
            return frame
        # (of several, the one owning the dose asked: "on spiriva ... what's the max advair diskus dose?")
        found = sorted(found, key=lambda m: not re.search(DOSE_OF.format(re.escape(m.surface)), normalised, re.IGNORECASE))
        return frame.model_copy(update={"drug": found[0].canonical, "product": found[0].surface,
                                        "products": list(dict.fromkeys([m.surface for m in found] + frame.products))})

    def _only_slots(self, text: str) -> bool:
        """Whether a follow-up names nothing but slots ("and in children?", "what about Kawasaki?")."""
        from assistant.followup import ELLIPSIS_START, PRONOUN, content_words, topic_of, without_slots

        body = ELLIPSIS_START.sub("", text.strip()).strip(" ,?.")
        rest = PRONOUN.sub(" ", without_slots(body, topic_of(body, self.vocabulary)))
        return not content_words(rest)

    def _leans_on_history(self, text: str, own: QuestionFrame) -> bool:
        """Whether a question leans on earlier turns: an ellipsis or pronoun, or clinical words (an aspect, a drug, a
        patient's numbers) without a condition of their own (`own`: the question as read). A question with none of
        these changes the subject."""
        from assistant.followup import PRONOUN, is_elliptical, topic_of

        topic = topic_of(text, self.vocabulary, self._known_word)
        if is_elliptical(text, topic) or PRONOUN.search(text) or _AMOUNT.search(text) or follows_on_in_time(text):
            return True
        return not own.indication and bool(own.aspects or own.drug or own.population or own.context
                                            or own.patient.model_dump(exclude_none=True))

    def _carry_subject(self, standalone: str, frame: QuestionFrame, own: QuestionFrame) -> str:
        """The standalone question naming the condition and circumstance the conversation is about, when the follow-up
        leaves them out and its rewrite did not bring them in (what is searched is what the frame says)."""
        vocab = self.vocabulary
        missing = []
        for slot, value, mine in (("indications", frame.indication, own.indication), ("contexts", frame.context, own.context),
                                  ("drugs", frame.drug, own.drug)):
            term = vocab.term(slot, value) if value and not mine else None
            if term is not None and not names_any(standalone, term.terms):
                missing.append(term.label)
        for population in frame.population:  # a child, a pregnancy carried from the earlier turn ("what trough for him?")
            term = vocab.term("populations", population) if population in vocab.distinct_populations \
                and population not in own.population else None
            if term is not None and not names_any(standalone, term.terms):
                missing.append(term.label)
        if frame.aspects and not own.aspects:  # the aspect carried from the earlier turn is searched too
            terms = [t for a in frame.aspects if (t := vocab.term("aspects", a))]
            missing += [t.label for t in terms if not names_any(standalone, t.terms)][-1:]
        return f"{standalone.rstrip(' ?.')} — {', '.join(missing)}?" if missing else standalone

    def _searchable(self, query: str, terms: tuple[str, ...]) -> bool:
        """Whether the query names one of the terms in words the indexed documents use ("CVID"; not "kidney tx")."""
        return any(names_any(query, (t,)) and all(self._known_word(w) for w in re.findall(r"[a-z]{2,}", t)) for t in terms)

    def _known_word(self, word: str) -> bool:
        try:
            return self.index.lexical().knows(word)
        except Exception:  # no lexical index: treat every word as known (the old, carry-everything behaviour)
            return True

    def events(
        self,
        question: str,
        *,
        session_id: str | None = None,
        filters: Filters | None = None,
        weight_kg: float | None = None,
        key_id: str = "local",
    ) -> Iterator[tuple[str, Any]]:
        """Yield ("status", stage), ("statement", {...}), ("citations", [...]), ("dose_checks", [...]), ("done", Answer)."""
        started = time.perf_counter()
        text = clean_question(question, self.settings.answer.max_question_chars)
        if session_id:
            self.sessions.check(session_id, key_id)
        turns = self.sessions.turns(session_id) if session_id else []
        # "Different pt: ..." starts over; "his dad, same range?" keeps the question but not the earlier patient; "back to
        # the boy" follows on from the turns before the other person came in.
        normalised = self.vocabulary.normalise(text, self._known_word)  # shorthand expanded before the follow-up is read
        # another person, same conversation subject ("what about her husband, 70 - lisinopril alone?"): the condition carries
        who, carried = another_person_audience(normalised, turns, audience(text, turns), self.vocabulary, self._known_word)
        turns = who.turns
        standalone = (carried or normalised) if who.new_person else self.vocabulary.normalise(
            self.standalone(normalised, turns), self._known_word)
        rewritten = standalone != normalised
        read = read_question(text, self.vocabulary, self._known_word)
        follows = bool(session_id) and bool(turns) and (who.new_person or who.back or rewritten or self._leans_on_history(text, read))
        frame, own = self.frame(text, turns, weight_kg, followed=follows, read=read, new_person=who.new_person)
        if follows:
            frame = with_lead_drug(frame, text, turns)  # "how do I dose it?": the drug the answer before recommended
            standalone = self._carry_subject(standalone, frame, own)
        weight_kg = weight_kg or frame.patient.weight_kg
        yield "status", "retrieving"
        cfg = self.settings.retrieval
        # the long forms the indexed documents define are searched too; a condition the patient has not ("no DM/CKD") is not
        query = expand_acronyms(without_negated_conditions(standalone, self.vocabulary), self.vocabulary)
        if frame.drug and frame.product and frame.drug.lower() not in query.lower():
            query = f"{query} ({frame.drug})"  # a brand is searched by its generic name too (Suboxone: buprenorphine/naloxone)
        if (term := self.vocabulary.term("indications", frame.indication) if frame.indication else None) \
                and not self._searchable(query, term.terms):
            query = f"{query} ({term.label})"  # the condition understood from shorthand or a typo ("kidney tx") is searched
        if own.context and (term := self.vocabulary.term("contexts", own.context)) and not self._searchable(query, term.terms):
            query = f"{query} ({term.label})"  # ... and the circumstance the turn names in shorthand ("had a DVT last yr")
        for aspect in own.aspects:  # ... and the aspect ("premed for next time?")
            if (term := self.vocabulary.term("aspects", aspect)) and names_any(query, term.terms) \
                    and not self._searchable(query, term.terms) and term.label:
                query = f"{query} ({term.label})"
        hits, stats = self.retriever.retrieve(query, k=cfg.k, mode=cfg.retriever, filters=filters, answerable=True)
        evidence = self.retriever.evidence(stats)
        base = {"question": text, "standalone_question": standalone, "session_id": session_id, "question_frame": frame,
                "index_version": self.index.version, "generator": self.generator}
        answer: Answer | None = None
        frame, own = about_found_condition(self.vocabulary, frame, own, hits,
                                           lambda terms: names_any(self._indexed_titles(), terms))  # "T2DM, HTN ... SBP goal?": HTN's passages
        base["question_frame"] = frame
        on_indication = self._on_indication(frame, hits)
        gap = self._not_covered(frame, own, hits, on_indication) or self._unindexed_condition(text, own, hits, frame) \
            or self._unindexed_product(normalised, own) \
            or unspoken_drug(self.retriever, self.settings, self.vocabulary, own, hits, text) \
            or outside_guideline(self.index, text, hits)  # "CGM ... is out of the scope of this CPG"
        if not gap and hits and (scoped := out_of_scope(self.index, self.vocabulary, frame, text, hits)):  # the guideline's scope
            gap = f"The sources do not cover {frame.indication_label or 'this question'} in {scoped}."
        if gap:
            answer = Answer(**base, status="abstained", summary=f"{gap} {self._abstain_message(hits, lead='')}".strip(),
                            latency_ms=0.0)
        elif hits and (evidence >= cfg.abstain_below or self._covered(frame, hits, on_indication, stats.get("coverage", 0.0))
                       or self._judgeable(frame, text) or self._defines_asked(standalone, hits)):
            # A terse question about what the passages are about is covered, however few words it shares with them.
            yield "status", "composing"
            composed = self._compose(without_negated_conditions(standalone, self.vocabulary), hits, base)
            if composed is not None:
                answer, passages = composed
                yield "status", "checking doses"
                answer = self._check_doses(answer, passages, weight_kg)
                # Statements stream only after the dose check: nothing unchecked ever leaves the chain.
                for i, section in enumerate(answer.sections):
                    for statement in section.statements:
                        yield "statement", {"section": section.heading, "section_index": i, "statement": statement.model_dump()}
                yield "citations", [c.model_dump() for c in answer.citations]
                yield "dose_checks", [f.model_dump() for f in answer.dose_checks]
        if answer is None:
            answer = Answer(**base, status="abstained", summary=self._abstain_message(hits), latency_ms=0.0)
        answer = answer.model_copy(update={"latency_ms": round((time.perf_counter() - started) * 1000, 1)})
        if session_id:
            self.sessions.add_turn(session_id, text, standalone, answer.model_dump_json())
        log.info("answered status=%s hits=%d evidence=%.3f latency_ms=%.0f", answer.status, len(hits), evidence, answer.latency_ms)
        yield "done", answer

    def _compose(self, question: str, hits: list[Hit], base: dict) -> tuple[Answer, dict[int, str]] | None:
        if self.chat_model is not None:
            try:
                return self._compose_llm(question, hits, base)
            except Exception as exc:  # a failing model server must not take answering down; the extractive path is grounded by construction
                log.warning("LLM composer failed (%s); composing extractively", type(exc).__name__)
                base = {**base, "generator": "extractive (LLM failed)"}
        frame = base.get("question_frame")
        if frame is not None and frame.aspects and not WORKED_OUT_ASPECTS & set(frame.aspects) \
                and not RESPONSE_ASKED.search(question):  # (a level's rise asked for a proposed dose works with the doses)
            # A dose the patient was given ("got 2 g/kg yesterday, now severe headache") is history, not what is asked:
            # its numbers do not pull dose statements ahead of the answer.
            question = _GIVEN_AMOUNT.sub(" ", question)
        return self._compose_extractive(question, hits, base)

    def _compose_extractive(self, question: str, hits: list[Hit], base: dict) -> tuple[Answer, dict[int, str]] | None:
        focus = focus_of(question, self.vocabulary)
        limit = self.settings.answer.max_statements
        frame = base.get("question_frame")
        overview = frame is not None and "overview" in frame.aspects
        if overview:
            # A broad question reads the documents on every aspect the seed page covers (premedication, administration...).
            topics = tuple(dict.fromkeys(t for ts in self.vocabulary.aspect_topics.values() for t in ts))
            focus = replace(focus, also_on_topic=focus.also_on_topic + topics)
            hits = self._add_topic_documents(question, hits, replace(focus, also_on_topic=topics), per_topic=2, each=True)
            limit *= 2
        elif focus.condition and focus.also_on_topic:
            hits = self._add_topic_documents(question, hits, focus)
        hits = self._add_recommendations(question, hits)
        hits = add_after_failure(self.retriever, self.settings, question, hits)  # "X failed, next?": the row for that patient
        hits = self._add_aspect_sections(question, hits, tuple(frame.aspects) if frame is not None else ())
        hits = self._add_context_documents(question, hits, frame)
        hits = self._add_dose_rows(frame, hits, str(base.get("question") or question))
        if frame is not None and (names := self._drug_names(frame)):
            focus = replace(focus, drug=names)
        if frame is not None:
            focus = self._with_frame_population(focus, frame)
        secondary = self.secondary_sources
        asked = tuple(frame.aspects) if frame is not None else ()
        draft = compose(question, hits, limit, focus=focus, cover=overview, secondary=secondary, asked=asked)
        if focus.condition and draft.size() < limit // 2:
            # Few statements stay on the condition asked about: read more of the documents that are about it.
            documents = tuple(dict.fromkeys(h.doc_id for h in hits if on_topic(h, focus.condition)))
            if documents:
                more, _ = self.retriever.retrieve(question, k=self.settings.retrieval.k, mode=self.settings.retrieval.retriever,
                                                  filters=Filters(documents=documents), reuse_vector=True, answerable=True)
                hits = hits + [h for h in more if h.chunk_id not in {x.chunk_id for x in hits}]
                draft = compose(question, hits, limit, focus=focus, cover=overview, secondary=secondary, asked=asked)
        if not draft.direct:
            return None
        numbering = Numbering(hits, self.settings.corpus_dir / "references.yaml")
        # The lead carries its own line's grade (a recommendation's strength), as every statement does.
        summary = " ".join(f"{c.text.rstrip('.')}{_grade_note(grade_of(c.hit, c.text))} [{numbering.cite(c.hit, c.text)}]."
                           for c in draft.direct)
        sections = [
            Section(heading=name, statements=[
                Statement(text=c.text, citations=[numbering.cite(c.hit, c.text)], grade=grade_of(c.hit, c.text),
                          references=numbering.resolve(references_of(c.hit, c.text)), secondary_only=c.secondary_only)
                for c in cands
            ])
            for name, cands in draft.sections
        ]
        summary, sections = self._with_calculations(summary, sections, numbering, hits, base.get("question_frame"), question)
        sections, _ = guard(sections, set(numbering.numbers.values()))
        answer = Answer(**base, status="answered", summary=summary, sections=sections, citations=numbering.citations(), latency_ms=0.0)
        return answer, numbering.passages()

    def _compose_llm(self, question: str, hits: list[Hit], base: dict) -> tuple[Answer, dict[int, str]] | None:
        from assistant.llm import generate, parse_answer
        from assistant.support import NOT_SUPPORTED, check_support

        sources = [(f"{h.meta.get('title', h.doc_id)} — {h.meta.get('section', '')}", h.text) for h in hits]
        raw = generate(self.chat_model, question, sources)
        parsed = parse_answer(raw, set(range(1, len(hits) + 1)))
        cfg = self.settings.answer
        if parsed.declined or parsed.kept < cfg.llm_min_statements or parsed.kept < cfg.llm_min_supported_share * parsed.statements_seen:
            log.info("LLM answer abstained: kept %d of %d statements", parsed.kept, parsed.statements_seen)
            return None
        # Claim-level support (after the marker guard of the parse, before the answer is built and the dose check):
        # a statement its cited passages do not say is dropped, or kept marked when the settings say so.
        vocab = self.vocabulary
        defined = {long: short for short, long in vocab.acronyms}  # what the indexed documents spell out
        verdicts: dict[tuple[str, tuple[int, ...]], Any] = {}

        def verdict(text: str, numbers: list[int]) -> Any:
            key = (text, tuple(numbers))
            if key not in verdicts:
                verdicts[key] = check_support(text, [([str(hits[n - 1].meta.get("title", "")), *hits[n - 1].heading_path],
                                                      hits[n - 1].text) for n in numbers], vocab, acronyms=defined)
            return verdicts[key]

        def keep(items: list[tuple[str, list[int]]]) -> list[tuple[str, list[int]]]:
            return [item for item in items if cfg.llm_unsupported == "mark" or verdict(*item).supported]

        supported = sum(verdict(*item).supported for item in [*parsed.direct, *(i for _, items in parsed.sections for i in items)])
        if supported < cfg.llm_min_statements or supported < cfg.llm_min_supported_share * parsed.statements_seen:
            log.info("LLM answer abstained: %d of %d statements supported by their cited passages", supported, parsed.statements_seen)
            return None
        parsed.direct = keep(parsed.direct)
        parsed.sections = [(heading, kept) for heading, items in parsed.sections if (kept := keep(items))]
        numbering = Numbering(hits, self.settings.corpus_dir / "references.yaml")

        def quote(text: str, numbers: list[int], n: int) -> str:
            found = verdict(text, numbers)
            return found.quote if found.supported and found.quote and numbers[found.passage] == n else best_quote(text, hits[n - 1].text)

        def statement(text: str, numbers: list[int], grade_from: Hit) -> Statement:
            cited = [numbering.cite(hits[n - 1], quote(text, numbers, n)) for n in numbers]
            note = None if verdict(text, numbers).supported else NOT_SUPPORTED
            return Statement(text=text, citations=cited, grade=grade_of(grade_from, quote(text, numbers, numbers[0])),
                             support_note=note)

        direct = parsed.direct or [parsed.sections[0][1][0]]
        if not parsed.direct:  # the model wrote no first line: its first statement is the direct answer
            parsed.sections[0] = (parsed.sections[0][0], parsed.sections[0][1][1:])
        summary_parts = []
        for text, numbers in direct:
            cited = [numbering.cite(hits[n - 1], quote(text, numbers, n)) for n in numbers]
            note = "" if verdict(text, numbers).supported else f" ({NOT_SUPPORTED})"
            summary_parts.append(f"{text.rstrip('.')}{note} {''.join(f'[{n}]' for n in cited)}.")
        sections = [
            Section(heading=heading, statements=[statement(t, nums, hits[nums[0] - 1]) for t, nums in items])
            for heading, items in parsed.sections if items
        ]
        summary, sections = self._with_calculations(" ".join(summary_parts), sections, numbering, hits, base.get("question_frame"),
                                                    question)
        sections, _ = guard(sections, set(numbering.numbers.values()))
        answer = Answer(**base, status="answered", summary=summary, sections=sections,
                        citations=numbering.citations(), latency_ms=0.0)
        return answer, numbering.passages()

    def _with_calculations(self, summary: str, sections: list[Section], numbering: Numbering, hits: list[Hit],
                           frame: QuestionFrame | None, question: str) -> tuple[str, list[Section]]:
        """The patient's own numbers, worked out from the rules and cited to the passage stating each rule, before the lead."""
        from assistant.calculate import (calculations, converts, dosing_weight, response_rules, stated_doses, unit_conversions,
                                         worked_weight)
        from assistant.doses import check_text
        from assistant.doses.policy import failing

        if frame is None:
            return summary, sections
        judged = self._with_judgement(summary, sections, numbering, hits, frame, question)
        if judged is not None:
            return judged  # the criteria judged for this patient, its IgG among them, lead
        summary, sections = self._with_level(summary, sections, numbering, frame)
        patient = bool(frame.patient.weight_kg or frame.patient.adjusted_weight_kg or frame.patient.regimen) \
            and bool(WORKED_OUT_ASPECTS & set(frame.aspects)) and not REASONED_ASPECTS & set(frame.aspects)
        # "on 400 mg/kg, if we go up to 600 how much will the trough climb?": a level's rise per unit of dose, worked out.
        responding = response_rules(self.rulebook, frame, question) if frame.patient.regimen is not None else []
        patient = patient or bool(responding)
        if not patient and not converts(question):
            return summary, sections  # nothing of the patient's to work out, or this turn asks about something else
        for n in responding:  # the passage stating the rise per step of dose, read even when the turn's words missed it
            more, _ = self.retriever.retrieve(question, k=self.settings.retrieval.k, mode=self.settings.retrieval.retriever,
                                              filters=Filters(documents=(n.rule.source.document,)), reuse_vector=True,
                                              answerable=True)
            for found in more:
                hits = _admitted(hits, found, numbering)
        passages = numbering.passages()
        # The per-kg doses the lead states, verified for this frame, are the ones to work out first.
        lead = check_text(summary, self.rulebook, sources=list(passages.values()), frame=dose_context(frame, None, self.vocabulary.broad))
        prefer = [f.rule_id for f in lead if f.verdict == "verified" and f.per_kg and f.rule_id]
        if patient:
            # The passages stating the rules this patient's numbers need are read even when the turn's own words did not
            # retrieve them: the conversion factors for a regimen to convert ("what if Cuvitru instead?"), the per-kg
            # rates for a rate ("what do I start the pump at?"), the dosing-weight formula when it applies ("IBW 70 kg").
            family = "factor" if frame.patient.regimen is not None else "rate" if "administration" in frame.aspects else None
            docs = tuple(dict.fromkeys(n.rule.source.document for n in self.rulebook.norm
                                       if family and n.family == family and (family == "rate" or n.rule.product == "scig")
                                       and n.rule.source.document))
            hits = self._with_documents(question, docs, hits, numbering)
            if family == "rate" and frame.context:  # a risk's own ceiling ("history of DVT: the cap?"), as its passage states it
                for n in self.rulebook.norm:
                    if n.family == "rate" and n.rule.indication == frame.context and n.rule.max is not None \
                            and n.rule.source.document and all(h.doc_id != n.rule.source.document or fmt(n.rule.max) not in h.text
                                                               for h in hits):
                        found = self._passage_citing(n.rule.source.document, f"{fmt(n.rule.max)} {n.rule.unit}", hits, question)
                        if found is not None:
                            hits = _admitted(hits, found, numbering)
            if family == "factor":  # the named product's own factor, as its passage states it ("Cuvitru ... 1.30")
                named = {w.lower() for p in frame.products for w in re.findall(r"[A-Za-z]+", p)}
                for n in self.rulebook.norm:
                    if n.family == "factor" and n.rule.brand and n.rule.brand in named and n.lo is not None \
                            and n.rule.source.document:
                        for found in self._passages_stating(n.rule.source.document, n.lo, (n.rule.brand,)):
                            hits = _admitted(hits, found, numbering)
            if (adjusted := dosing_weight(self.rulebook, frame)) is not None and adjusted[2].rule.source.document:
                hits = self._with_documents(question, (adjusted[2].rule.source.document,), hits, numbering, k=3)
        term = self.vocabulary.term("indications", frame.indication) if frame.indication else None
        calcs = calculations(self.rulebook, frame, hits, prefer=prefer, question=question, names=term.terms if term else ()) \
            if patient else unit_conversions(self.rulebook, hits, question)
        if not calcs and patient and frame.patient.weight_kg and "switch" not in frame.aspects:
            # No rule of the indication asked about: the per-kg doses the lead itself states (verified for this frame). A
            # question naming no indication must state the dose itself, or it would borrow another condition's.
            by_number = numbering.by_number()
            stated = []
            for f in lead:
                marker = MARKER.search(summary, f.end)
                if f.verdict != "verified" or not f.per_kg or not f.rule_id or marker is None:
                    continue
                if not frame.indication and not re.search(rf"(?<![\d.]){re.escape(f.text)}", question):
                    continue
                lo, hi = (f.value if isinstance(f.value, list) else [f.value, f.value])[:2]
                hit = by_number.get(int(marker.group(1).split(",")[0]))
                if hit is not None:
                    stated.append((lo, hi, f.unit, f.rule_id, hit))
            calcs = stated_doses(self.rulebook, frame, stated) or worked_weight(self.rulebook, frame, hits)
        if not calcs:
            return summary, sections
        # A worked example's numbers are about someone else: with the patient's own numbers, they leave the lead.
        by_number = numbering.by_number()
        summary = " ".join(part for part in _SENTENCE_END.split(summary) if not _worked_example(part, by_number))
        # ... and from the sections: beside the patient's own numbers, another patient's amounts only mislead.
        sections = [sec.model_copy(update={"statements": kept}) for sec in sections
                    if (kept := [st for st in sec.statements if not (_AMOUNT.search(st.text) and _worked_example(
                        f"{st.text} " + " ".join(f"[{n}]" for n in st.citations), by_number))])]
        statements = []
        shown = {normalise(st.text) for sec in sections for st in sec.statements}
        for c in calcs:
            n = numbering.cite(c.hit, best_quote(c.text, c.hit.text))
            statements.append(Statement(text=c.text, citations=[n], grade=None,
                                        calculated=Calculation(formula=c.formula, rule_id=c.rule_id)))
        checked = dose_context(frame, None, self.vocabulary.broad)
        for c in calcs:  # the rule each calculation applies, in its passage's own words, after the patient's numbers
            for hit, basis in ((c.hit, c.basis()), c.step or (c.hit, None)):  # (and the passage of a further step it takes)
                if basis and normalise(basis) not in shown and not _worked_example(f"{basis} [1]", {1: hit}) \
                        and not failing(check_text(basis, self.rulebook, sources=[hit.text], frame=checked)):
                    shown.add(normalise(basis))
                    statements.append(Statement(text=basis, citations=[numbering.cite(hit, basis)], grade=grade_of(hit, basis)))
        worked = " ".join(f"{s.text.rstrip('.')} [{s.citations[0]}]." for s in statements if s.calculated)
        # A yes/no question ("is adjusted weight actually required?") is answered by the source; the numbers follow it.
        lead = f"{summary} {worked}" if asks_yes_no(question) else f"{worked} {summary}"
        return lead.strip(), [Section(heading="For this patient", statements=statements), *sections]

    @cached_property
    def criteria(self) -> tuple:
        from assistant.criteria import load_criteria

        return load_criteria(self.settings.doses.rules_dir)

    def _with_judgement(self, summary: str, sections: list[Section], numbering: Numbering, hits: list[Hit],
                        frame: QuestionFrame, question: str) -> tuple[str, list[Section]] | None:
        """Asked whether to start ("does he qualify?", "IVIG?" after the patient's history), the patient's facts judged
        against the criteria the documents state for this indication, cited to the passage stating them, first."""
        judgements = self._judgements(frame, question)
        statements = []
        for j in judgements:
            hit = self._passage_citing(j.criteria.source.document, j.criteria.source.cites, hits, question)
            if hit is None:
                continue  # the passage stating the criteria is not in the index: nothing to cite the judgement to
            numbering.by_id.setdefault(hit.chunk_id, hit)
            n = numbering.cite(hit, best_quote(j.criteria.source.cites, hit.text))
            statements.append(Statement(text=j.text, citations=[n], grade=None,
                                        calculated=Calculation(formula=j.formula, rule_id=j.criteria.id)))
        if not statements:
            return None
        worked = " ".join(f"{s.text.rstrip('.')} [{s.citations[0]}]." for s in statements)
        return f"{worked} {summary}".strip(), [Section(heading="For this patient", statements=statements), *sections]

    @staticmethod
    def _asks_to_start(frame: QuestionFrame, question: str) -> bool:
        """Whether the turn asks whether to start ("start IVIG?", "does he qualify?", or only "IVIG?" after the patient's
        history)."""
        if "duration" in frame.aspects and set(frame.aspects) <= {"duration", "recommendation", "indication"}:
            return not asks_wh(question)  # "continue?", "ok to continue monthly IVIG?": whether to go on giving it
        if set(frame.aspects) in ({"indication"}, {"recommendation"}, {"indication", "recommendation"}):
            return True
        # Nothing else asked: a yes/no question, or the patient's story naming the treatment ("... peds asking re IVIG");
        # not a question opening on how or when ("how will we know when her own B cells come back?")
        return not frame.aspects and not _OPENS_HOW.search(question) \
            and bool(asks_yes_no(question) or question.rstrip().endswith("?") or frame.drug)

    @staticmethod
    def _asks_to_switch(frame: QuestionFrame, question: str) -> bool:
        """Whether the turn asks whether to switch now ("can we switch him to hizentra now?"), not how."""
        return frame.aspects == ["switch"] and not asks_wh(question)

    def _judgements(self, frame: QuestionFrame, question: str) -> list:
        """The criteria judged for the decision the turn asks: whether to start (or go on), else whether to switch now."""
        from assistant.criteria import judge

        if frame.drug is None and not frame.aspects and self.principal_drug:
            # "renal tx, IgG 3.6 g/L, 3 pneumonias. replacement?": a question naming no drug asks about the corpus's own
            frame = frame.model_copy(update={"drug": self.principal_drug})
        if self._asks_to_start(frame, question):
            return judge(self.criteria, frame, continuing="duration" in frame.aspects)
        return judge(self.criteria, frame, decision="switch") if self._asks_to_switch(frame, question) else []

    def _judgeable(self, frame: QuestionFrame, question: str) -> bool:
        """Whether the turn asks whether to start and criteria the documents state apply to what it says of the patient."""
        return self._asks_to_start(frame, question) and bool(self._judgements(frame, question))

    def _with_documents(self, question: str, docs: tuple[str, ...], hits: list[Hit], numbering: Numbering,
                        k: int | None = None) -> list[Hit]:
        """The hits, with the best passages of `docs` for the question added when none of theirs is among them."""
        if not docs or any(h.doc_id in docs for h in hits):
            return hits
        more, _ = self.retriever.retrieve(question, k=k or self.settings.retrieval.k, mode=self.settings.retrieval.retriever,
                                          filters=Filters(documents=docs), reuse_vector=True, answerable=True)
        numbering.by_id.update({h.chunk_id: h for h in more})
        return hits + more

    def _passage_citing(self, document: str, words: str, hits: list[Hit], question: str) -> Hit | None:
        """The passage of `document` holding `words`: among the hits, else read from that document in the index."""
        def holding(found: list[Hit]) -> Hit | None:
            return next((h for h in found if h.doc_id == document and words.lower() in " ".join(h.text.split()).lower()), None)

        if (hit := holding(hits)) is not None:
            return hit
        more, _ = self.retriever.retrieve(words, k=self.settings.retrieval.k, mode=self.settings.retrieval.retriever,
                                          filters=Filters(documents=(document,)), answerable=True)
        return holding(more)

    def _passages_stating(self, document: str, value: float, names: tuple[str, ...]) -> list[Hit]:
        """The passages of `document` stating a number (1.3 as "1.3" or "1.30") beside one of `names`."""
        number = re.compile(rf"(?<![\d.]){re.escape(fmt(value))}0*(?!\d|\.\d)")
        more, _ = self.retriever.retrieve(f"{' '.join(names)} {fmt(value)}", k=self.settings.retrieval.k,
                                          mode=self.settings.retrieval.retriever, filters=Filters(documents=(document,)),
                                          answerable=True)
        return [h for h in more if number.search(h.text) and names_any(h.text, names)]

    def _with_level(self, summary: str, sections: list[Section], numbering: Numbering,
                    frame: QuestionFrame) -> tuple[str, list[Section]]:
        """The patient's IgG held against the threshold or target the lead states, first ("is he eligible?", "at target?")."""
        from assistant.calculate import compared_level

        by_number = numbering.by_number()
        sentences = [(MARKER.sub("", part), by_number[int(m.group(1).split(",")[0])])
                     for part in _SENTENCE_END.split(summary) if (m := MARKER.search(part)) and int(m.group(1).split(",")[0]) in by_number]
        found = compared_level(self.rulebook, frame, sentences)
        if found is None:
            return summary, sections
        n = numbering.cite(found.hit, best_quote(found.text, found.hit.text))
        statement = Statement(text=found.text, citations=[n], grade=None,
                              calculated=Calculation(formula=found.formula, rule_id=found.rule_id))
        return f"{found.text.rstrip('.')} [{n}]. {summary}", [Section(heading="For this patient", statements=[statement]), *sections]

    def warm(self) -> None:
        """Load the model, rules, index and BM25, and resolve the topic filters answers use, before the first question."""
        self.ask("What is the usual immunoglobulin replacement dose?")
        vocab = self.vocabulary
        for topic in dict.fromkeys(t for a in {*vocab.aspect_topics, *vocab.asked_aspect_topics} for t in vocab.topics_of(a)):
            self.index.filtered_ids(Filters(topics=(topic,)).where())

    def _with_frame_population(self, focus: Focus, frame: QuestionFrame) -> Focus:
        """The age group the frame holds ("her 6yo daughter": a child) as the focus's, when the question's words name none."""
        vocab = self.vocabulary
        groups = [p for p in frame.population if p in vocab.exclusive_populations and vocab.term("populations", p)]
        if focus.population or len(groups) != 1:
            return focus
        population, others = age_group_words(vocab, groups[0])
        return replace(focus, population=population, other_populations=others, population_name=groups[0],
                       default_population=groups[0] in vocab.default_populations)

    def _add_topic_documents(self, question: str, hits: list[Hit], focus: Focus, per_topic: int = 3,
                             each: bool = False) -> list[Hit]:
        """A condition's side effects or administration are also covered by documents on that topic for every condition:
        when no hit comes from one (from each topic, with `each`), read the best few chunks of such documents too."""
        if not each and any(on_topic(h, focus.also_on_topic) for h in hits):
            return hits
        seen = {h.chunk_id for h in hits}
        for topic in focus.also_on_topic:
            if each and any(on_topic(h, (topic,)) for h in hits):
                continue
            more, _ = self.retriever.retrieve(question, k=per_topic, mode=self.settings.retrieval.retriever,
                                              filters=Filters(topics=(topic,)), reuse_vector=True, answerable=True)
            hits = hits + [h for h in more if h.chunk_id not in seen]
            seen |= {h.chunk_id for h in more}
        return hits

    def _add_recommendations(self, question: str, hits: list[Hit], documents: int = 2, k: int = 3) -> list[Hit]:
        """The recommendations of the documents the question found, closest first, beside the discussion that retrieval
        ranked higher: a guideline's own recommendation is its answer ("does the guideline recommend X?", "X for Y?")."""
        docs = tuple(dict.fromkeys(h.doc_id for h in hits))[:documents]
        if not docs or not self.index.filtered_ids({"kind": "recommendation"}):  # guidelines without graded recommendations
            return hits
        more, _ = self.retriever.retrieve(question, k=k, mode=self.settings.retrieval.retriever, reuse_vector=True,
                                          filters=Filters(documents=docs, kinds=("recommendation",)), answerable=True)
        if names := specific_equivalents(question):  # "hyaluronic acid?": a recommendation on viscosupplementation
            named, _ = self.retriever.retrieve(f"{question} ({'; '.join(names)})", k=k, mode=self.settings.retrieval.retriever,
                                               filters=Filters(documents=docs, kinds=("recommendation",)), answerable=True)
            more += named
        if asks_to_rank(question):  # "which does the guideline favor most?": its strongest recommendations too
            strong, _ = self.retriever.retrieve(question, k=k, mode=self.settings.retrieval.retriever, reuse_vector=True,
                                                filters=Filters(documents=docs[:1], kinds=("recommendation",),
                                                                strengths=("Strong for",)), answerable=True)
            more += strong
        seen = {h.chunk_id for h in hits}
        return hits + [h for h in dict((h.chunk_id, h) for h in more).values() if h.chunk_id not in seen]

    def _add_aspect_sections(self, question: str, hits: list[Hit], asked: tuple[str, ...], documents: int = 2,
                             k: int = 4) -> list[Hit]:
        """Asked an aspect answered in a section of its own ("how often do we check the trough?"), the passages of that
        section in the documents the question found, beside those its words found elsewhere in them."""
        sections = aspect_sections(question, asked)
        docs = tuple(dict.fromkeys(h.doc_id for h in hits))[:documents]
        if not sections or not docs:
            return hits
        more, _ = self.retriever.retrieve(f"{question} ({'; '.join(sections)})", k=k, mode=self.settings.retrieval.retriever,
                                          filters=Filters(documents=docs), answerable=True)
        seen = {h.chunk_id for h in hits}
        return hits + [h for h in dict((h.chunk_id, h) for h in more).values()
                       if h.chunk_id not in seen and section_name(h) in sections]

    def _add_context_documents(self, question: str, hits: list[Hit], frame: QuestionFrame | None, k: int = 3) -> list[Hit]:
        """The patient's circumstance has documents of its own ("now CAP on ceftriaxone": a document on active infection,
        by its topics): their passages for the question, beside those of the condition's documents, when none is found."""
        term = self.vocabulary.term("contexts", frame.context) if frame is not None and frame.context else None
        if term is None:
            return hits
        topic = Filters(topics=(term.label,))
        if any(topic.accepts(h.meta) for h in hits):
            return hits
        more, _ = self.retriever.retrieve(f"{question} ({term.label})", k=k, mode=self.settings.retrieval.retriever,
                                          filters=topic, answerable=True)
        seen = {h.chunk_id for h in hits}
        return hits + [h for h in more if h.chunk_id not in seen]

    def _add_dose_rows(self, frame: QuestionFrame | None, hits: list[Hit], asked: str, documents: int = 2,
                       k: int = 3) -> list[Hit]:
        """A dose question's drug is dosed in its documents' tables: the rows of the documents the question found that
        name the drug, searched for "<drug> dose" (a titration table, a renal dosing table), beside the discussion. Only
        when this turn asks the dose in words ("what about X instead?" after a dose question asks about X again)."""
        if frame is None or not frame.drug or "dose" not in frame.aspects:
            return hits
        if (dose := self.vocabulary.term("aspects", "dose")) is not None and not names_any(asked, dose.terms):
            return hits
        docs = tuple(dict.fromkeys(h.doc_id for h in hits))[:documents]
        if not docs or not self.index.filtered_ids({"kind": "table_row"}):
            return hits
        term = self.vocabulary.term("drugs", frame.drug)
        names = tuple(dict.fromkeys([*(term.terms if term else ()), *(w.lower() for w in (frame.drug, frame.product) if w)]))
        named = frame.product or frame.drug
        # (the product as the question names its dose: "advair diskus dose" finds the Diskus row, not the HFA one)
        owner = re.search(DOSE_OF.format(re.escape(named)), asked, re.IGNORECASE) if named else None
        between = owner.group(0).split()[1:-1] if owner and owner.group(0).lower().startswith(named.lower()) else []
        named_as = f"{named} {' '.join(between)} dose" if between and all(_name_word(w) for w in between) else f"{named} dose"
        more, _ = self.retriever.retrieve(named_as, k=k, mode=self.settings.retrieval.retriever,
                                          filters=Filters(documents=docs, kinds=("table_row",)), answerable=True)
        seen = {h.chunk_id for h in hits}
        return hits + [h for h in more if h.chunk_id not in seen and names_any(h.text, names)]

    def _check_doses(self, answer: Answer, passages: dict[int, str], weight_kg: float | None) -> Answer:
        from assistant.doses import check_answer

        def checked(summary: str, sections: list[Section] = answer.sections) -> Answer:
            return check_answer(answer.model_copy(update={"summary": summary, "sections": sections}), passages, self.rulebook,
                                weight_kg=weight_kg, question=answer.standalone_question,
                                frame=dose_context(answer.question_frame, weight_kg, self.vocabulary.broad))

        result = checked(answer.summary)
        parts = [p for p in _SENTENCE_END.split(answer.summary) if p.strip()]
        if result.status != "blocked" or len(parts) < 2:
            return result
        # A lead sentence whose dose is withheld leaves the lead; the lead sentences that pass on their own answer. With
        # none passing, the answer is blocked as before.
        kept = [p for p in parts if checked(p).status != "blocked"]
        if not kept:
            return result
        # The sentences that left are checked as statements of their own, so their doses are withheld in the citations'
        # quotes too (and reported among the dose checks); that section is not shown.
        left = [Statement(text=MARKER.sub("", p).strip(), citations=[int(n) for m in MARKER.finditer(p) for n in m.group(1).split(",")])
                for p in parts if p not in kept]
        final = checked(" ".join(kept), [*answer.sections, Section(heading="lead", statements=left)])
        return final.model_copy(update={"sections": final.sections[:-1]})

    def _abstain_message(self, hits: list[Hit], lead: str = ABSTAIN_MESSAGE) -> str:
        titles = list(dict.fromkeys(str(h.meta.get("title", h.doc_id)) for h in hits))[:3]
        nearest = f" The nearest topics it covers: {'; '.join(titles)}." if titles else ""
        return (lead + nearest).strip()

    def _unindexed_condition(self, text: str, own: QuestionFrame, hits: list[Hit],
                             frame: QuestionFrame | None = None) -> str | None:
        """'The sources do not cover X' for a condition the question names (the shared lexicon's list) that no indexed
        guideline's title and no retrieved passage names ("outpatient community acquired pneumonia abx choice?"). With
        an indexed condition of its own, the question is about that one unless the other qualifies it ("bipolar II
        depression"); "CIDP in a patient with heart failure" asks about CIDP."""
        from assistant.vocabulary import named_conditions

        if not hits:
            return None
        titles = " ".join([self._indexed_titles(), *dict.fromkeys(str(h.meta.get("title", "")) for h in hits)])
        indication = self.vocabulary.term("indications", own.indication) if own.indication else None
        low = text.lower()
        for label, terms, (_, end) in named_conditions(text):
            if names_any(titles, terms) or any(names_any(h.text, terms) for h in hits):
                continue
            if indication is not None and not any(
                    re.match(rf"\W*(?:[\w'-]+\W+)?{re.escape(t)}(?![a-z0-9])", low[end:]) for t in indication.terms):
                continue  # the question's own condition is another, named apart from this one
            if indication is None and frame is not None and frame.indication and only_in_story(
                    text, re.compile(r"(?i)(?<![a-z0-9])(?:" + "|".join(map(re.escape, terms)) + r")(?![a-z0-9])")):
                continue  # "he's 58, HTN, DM2, prior MI. anything for the infusion itself?": the patient's history
            return f"The sources do not cover {label}."
        return None

    def _unindexed_product(self, text: str, own: QuestionFrame) -> str | None:
        """'The sources do not cover HyQvia' for a product the question names that no indexed passage ever names: another
        product's conversion factor or infusion rate is no answer for it ("HyQvia: how do we convert?"). What holds for the
        drug holds for its brands ("Tylenol dose?" is answered by acetaminophen's), and a brand the drug dictionary knows
        is covered by its generic name (Suboxone by buprenorphine) when the passages name that."""
        specific = bool(PRODUCT_SPECIFIC_ASPECTS & set(own.aspects))
        term = self.vocabulary.term("drugs", own.drug) if own.drug else None
        generic = re.findall(r"[a-z]{3,}", (own.drug or "").lower())
        for product in own.products:
            words = re.findall(r"[a-z]{3,}", product.lower())
            if not words or any(self._known_word(w) for w in words) or named_as_history(text, product):
                continue  # known, or what the patient already tried ("tried miralax w/o relief. next step?")
            if (specific and term is not None and names_any(product, term.terms)) \
                    or not any(self._known_word(w) for w in generic):
                return f"The sources do not cover {product}."
        return None

    def _indexed_titles(self) -> str:
        """Every indexed document's title (per index version)."""
        key = self.index.version
        cached = getattr(self, "_titles_cache", None)
        if cached is None or cached[0] != key:
            firsts = [e.chunk_ids[0] for e in self.index.manifest().files.values() if e.chunk_ids]
            titles = dict.fromkeys(str(meta.get("title", "")) for _, meta in self.index.get(firsts).values())
            cached = self._titles_cache = (key, " ".join(titles))
        return cached[1]

    def _defines_asked(self, question: str, hits: list[Hit], best: int = 5) -> bool:
        """Whether one of the best passages spells out an acronym the question writes and states a recommendation on it
        ("HBOT ... how strong is the rec?": "the Work Group recommends against hyperbaric oxygen therapy (HBOT)")."""
        from assistant.vocabulary import defined_long_forms

        for hit in hits[:best]:
            longs = defined_long_forms(question, [hit.text])
            if longs and (hit.meta.get("kind") == "recommendation" or _RECOMMENDS.search(hit.text)):
                return True
        return False

    def _on_indication(self, frame: QuestionFrame, hits: list[Hit]) -> list[Hit]:
        """The retrieved passages about the frame's indication (all of them when it names none)."""
        term = self.vocabulary.term("indications", frame.indication) if frame.indication else None
        if term is None:
            return hits
        return [h for h in hits if on_topic(h, term.terms) or names_any(h.text, term.terms)]

    def _covered(self, frame: QuestionFrame, hits: list[Hit], on_indication: list[Hit], known_share: float = 0.0) -> bool:
        """Whether the passages are about what the frame names: its indication, circumstance, the topic of its aspect, or a
        drug other than the corpus's principal one (so a terse question is answered however few words it shares); or, for
        a question every word of which the corpus knows, whether the best passages' document is about the aspect asked
        ("ontario trough target?": the document on trough targets)."""
        vocab = self.vocabulary
        if frame.indication and on_indication:
            return True
        if known_share >= 1.0 and frame.aspects:
            words = tuple(t for a in frame.aspects if (term := vocab.term("aspects", a)) for t in term.terms if len(t) >= 4)
            if words and any(on_topic(h, words) for h in hits[:3]):
                return True
        if frame.context and (frame.drug or frame.indication) and (term := vocab.term("contexts", frame.context)) \
                and any(names_any(h.text, term.terms) for h in hits):
            return True
        topics = tuple(t for a in frame.aspects for t in vocab.topics_of(a))
        if topics and any(on_topic(h, topics) for h in hits):
            return True
        if words := self._drug_names(frame):
            return any(on_topic(h, words) or names_any(h.text, words) for h in hits)
        return False

    def _not_covered(self, frame: QuestionFrame, own: QuestionFrame, hits: list[Hit], on_indication: list[Hit]) -> str | None:
        """'The sources do not cover X in pregnancy' when no retrieved passage speaks to the frame's indication, or to a
        population this turn names."""
        vocab = self.vocabulary
        subject = frame.indication_label or frame.product or frame.drug or "this question"
        if own.indication and hits and not on_indication:
            return f"The sources do not cover {subject}."
        if own.drug and vocab.term("drugs", own.drug) is None and hits:
            words = tuple(w.lower() for w in (own.drug, own.product) if w)
            # A dose of it must stand in what was retrieved; any other question is covered if the corpus uses its name,
            # every word of it ("hepatitis B immune globulin" is not spoken of where only "immune globulin" is).
            spoken = any(names_any(h.text, words) for h in hits) or ("dose" not in own.aspects and any(
                (long := re.findall(r"[a-z]{4,}", name)) and all(self._known_word(w) for w in long) for name in words))
            if not spoken:  # a drug the corpus never speaks of
                return f"The sources do not cover {own.product or own.drug}."
        undosed = self._undosed_condition(frame, own, hits)
        if undosed:
            return f"The sources give no {frame.product or frame.drug or 'treatment'} dose for {undosed}."
        # (a product with a conversion factor of its own is dosed from the patient's regimen: "EU Hizentra SmPC, weekly
        # dose there?" after an IVIG regimen is a conversion, worked out)
        converted = frame.patient.regimen is not None and (own.product or "").lower() in self.rulebook.factor_brands
        product = None if converted else self._undosed_product(own, hits)
        if product:
            return f"The sources give no dose of {product}."
        for name in own.population:
            term = vocab.term("populations", name)
            if term is None or name not in vocab.distinct_populations:
                continue
            if dosed := self._drug_names(frame) if "dose" in own.aspects else None:
                # A dose of a drug other than the corpus's own for this population: a sentence (or a section about the
                # population) must give one; the adult dose is no answer for a child.
                if not any(names_any(part, dosed) and _DOSE_AMOUNT.search(part) and
                           (names_any(part, term.terms) or names_any(" ".join(h.heading_path), term.terms))
                           for h in hits for part in statements_of(h)):
                    return f"The sources give no {frame.product or frame.drug} dose for {term.label}."
            own = [h for h in on_indication if h.meta.get(f"population:{name}") or names_any(h.text, term.terms)]
            # A population-specific document (dosing weight in obesity) covers it for every condition; child and adult do not.
            anywhere = name not in vocab.exclusive_populations and any(h.meta.get(f"population:{name}") for h in hits)
            if not own and not anywhere:
                return f"The sources do not cover {subject} in {term.label}."
        return None

    def _drug_names(self, frame: QuestionFrame) -> tuple[str, ...]:
        """The names of the frame's drug when it is not the corpus's principal one (empty otherwise)."""
        if not frame.drug or frame.drug == self.principal_drug:
            return ()
        term = self.vocabulary.term("drugs", frame.drug)
        return term.terms if term else tuple(dict.fromkeys(w.lower() for w in (frame.drug, frame.product) if w))

    def _undosed_condition(self, frame: QuestionFrame, own: QuestionFrame, hits: list[Hit]) -> str | None:
        """A condition this dose question names that no dose rule is about and no retrieved sentence naming it gives a dose
        for ("IVIG dose for antibody-mediated rejection" when the sources only say such doses are outside their scope)."""
        if "dose" not in (own.aspects or frame.aspects) or own.comparison:  # a follow-up asks the earlier aspect again
            return None
        drug = self.vocabulary.term("drugs", frame.drug) if frame.drug else None
        ruled = self.rulebook.indications_of(drug.canonical if drug else frame.drug, "dose")
        for name in (own.indication, *own.other_indications):
            term = self.vocabulary.term("indications", name) if name else None
            if term is None or name in ruled or name in self.vocabulary.broad:
                continue
            # A guideline about the condition (its title names it) is trusted to dose it where it does (a PTSD guideline's
            # drug table names no condition); elsewhere, a sentence must name the condition with the dose.
            if any(names_any(str(h.meta.get("title", "")), term.terms) for h in hits):
                continue
            naming, dosed = _dosed_sentences(hits, term.terms)
            # The condition asked about must have a dosed sentence; a further one named, only when it is spoken of.
            if (naming or name == own.indication) and not dosed:
                return (own.indication_label if name == own.indication else None) or term.label
        return None

    def _undosed_product(self, own: QuestionFrame, hits: list[Hit]) -> str | None:
        """The drug or product a dose question names that no retrieved sentence naming it gives a dose of (a
        corticosteroid the sources leave to order sets, a product they only mention): said, never another's dose."""
        if "dose" not in own.aspects or not own.drug:
            return None
        term = self.vocabulary.term("drugs", own.drug)
        if term is None:
            # A drug of the dictionary only: a site's PDFs may dose it in a table the question's retrieval did not bring
            # back, so the whole index is searched for its dose before saying the sources give none.
            names = tuple(dict.fromkeys(w.lower() for w in (own.drug, own.product) if w))
            if _dosed_sentences(hits, names)[1]:
                return None
            more, _ = self.retriever.retrieve(f"{own.product or own.drug} dose", k=self.settings.retrieval.k,
                                              mode=self.settings.retrieval.retriever, answerable=True)
            return None if _dosed_sentences(more, names)[1] else (own.product or own.drug)
        if own.drug != self.principal_drug:
            names, shown = term.terms, own.product or own.drug
        elif own.product and own.product.upper() not in term.acronyms and own.product.lower() != term.label.lower():
            names, shown = (own.product.lower(),), own.product  # the product named (a brand) must be dosed as itself
        else:
            return None
        # A drug's dose names the drug beside it (a table row, a sentence), whatever the guideline is about.
        return None if _dosed_sentences(hits, names)[1] else shown

    def runnable(self) -> Runnable:
        """The pipeline as a LangChain Runnable taking {"question", "session_id"?, "filters"?, "weight_kg"?} and returning an Answer."""
        def run(inp: dict | str) -> Answer:
            if isinstance(inp, str):
                return self.ask(inp)
            return self.ask(inp["question"], **{k: v for k, v in inp.items() if k != "question"})

        return RunnableLambda(run, name="guideqa_answer")
