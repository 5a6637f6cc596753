"""Verdicts for every dose in a text: rules, magnitude errors, arithmetic, notation flags and grounding."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.doses.arithmetic import Calculations, calculations
from assistant.doses.bare_pairs import components, with_bare_pairs
from assistant.doses.commas import ambiguous_spans, both_readings
from assistant.doses.column_units import unwrapped, with_column_units
from assistant.doses.cadence import Cadence, scan_cadence
from assistant.doses.ceilings import ceilings_below_doses, stated_daily_ceiling
from assistant.doses.context import AnswerContext
from assistant.doses.counts import count_doses
from assistant.doses.dose_counts import dose_count_findings
from assistant.doses.conversions import (SWITCH_TO_SCIG, conversion_chain, cross_checks, factor_findings, obesity_weight,
                                         rounding_findings, rule_failure as _rule_failure, scig_conversion)
from assistant.doses.binding import purpose_sources, purposes
from assistant.doses.binding import (TextBinding, age_qualifiers, labelled_durations, older_adult, patient_sex, once_daily, preferred_sources, sentence_duration,
                                     split_passage, text_formulations, topics, trial_kind)
from assistant.doses.grounding import (amount_mention, in_sources, product_names, qualifiers, quoted, unit_count,
                                       variant_grounded)
from assistant.doses.lexicon import Lexicon
from assistant.doses.indications import diseases, is_disease
from assistant.doses.intake import intake_over_ceiling, percent_changes
from assistant.doses.molar import molar_findings
from assistant.doses.normal_measures import only_normal
from assistant.doses.negation import is_negated, negated_factor, negation_verdict, span_negated
from assistant.doses.matching import (ONE_SIDED_SPAN, Scope, best, cap_problem as _cap_problem, is_cap, magnitude,
                                      nearest, period_scaled, problem, range_text, select)
from assistant.doses.numbers import fmt
from assistant.doses.parse import Amount, Scan, scan
from assistant.doses.passage_brands import passage_brands, with_passage_brands
from assistant.doses.passage_cues import is_reference_point, shorter_than_sources, stated_as_reference
from assistant.doses.rules import RuleBook
from assistant.doses.scope import (converted_level, family_of, finding, is_measured, jurisdiction, lab_kind,
                                  scope_for)
from assistant.doses.stated import suggestion, variants as stated_variants
from assistant.doses.exclusions import exclusion_findings
from assistant.doses.targets import goal_findings, passage_times, target_findings, threshold_findings
from assistant.doses.timing import timing_findings
from assistant.doses.units import per_kg_dim
from assistant.doses.weight_basis import weight_basis_findings
from assistant.models import PASSING_VERDICTS, DoseFinding

_PREMEDICATION = re.compile(r"(?i)premedicat|pre-medicat|before (?:the|each|an?) infusion|infusion reaction")
# A quantity's cadence right before a restatement of it ("... mmol/day, which is 2,070-2,300 mg", "... a day, i.e.").
# A limit on the restated quantity ("under 100 mmol per day, i.e. 2,300 mg") limits the restatement too.
_RESTATED_CADENCE = re.compile(
    r"(?i)(?:(?P<limit>\b(?:under|below|less\s+than|no\s+more\s+than|not\s+more\s+than|at\s+most|up\s+to"
    r"|max(?:imum)?(?:\s+of)?)\s*|[<≤]\s*)[~≈]?\s*\d[\d,.]*(?:\s*[-–]\s*\d[\d,.]*)?\s*[a-zµ]+\s*)?"
    r"(?P<cadence>(?:/|\bper\s+|\ba\s+)(?:day|d|24\s*h(?:ours?)?|week|wk))\b\s*,?\s*"
    r"(?:which\s+is|i\.e\.,?|that\s+is,?|=|≈|or)\s*(?:about|approximately|roughly|~)?\s*$")
# Serum IgG a measurement can report, in g/L: wide enough for myeloma paraprotein, narrow enough to catch a
# slipped mg/dL-for-g/L (600 "g/L").
OBSERVED_IGG_G_PER_L = (0.05, 100.0)


@lru_cache(maxsize=2048)
def scan_text(text: str, lex: Lexicon) -> Scan:
    """The grammar's scan of a text, cached (answers repeat passages and questions)."""
    return scan(text, lex)


def _rule_passages(book: RuleBook, n) -> list[Scan]:
    """The scanned sentences of a weak rule's source document that cite its reference (none for other rules)."""
    return [scan_text(p, book.lexicon) for p in book.rule_passages.get(n.rule.id, ())]


def _same_document(lines: tuple[str, ...], sources: list[Scan]) -> bool:
    """Whether a cited passage is a section of the document these sentences come from: one of them stands in it."""
    def plain(t: str) -> str:
        return " ".join(re.sub(r"\[@[^\]]*\]", " ", t).split()).lower()

    texts = [plain(src.text) for src in sources]
    return any(len(q := plain(line)) >= 40 and any(q in t for t in texts) for line in lines)


def own_quals(sc: Scan, a: Amount, lex: Lexicon, drug: str | None, asked: frozenset[str]) -> frozenset[str]:
    """The circumstances a dose is stated for: its statement's, and the question's (the patient's). An age the
    statement gives its dose ("the 200 mcg dose is for 12 and up") speaks for it instead of the patient's age."""
    own = qualifiers(sc, a, lex, drug)
    if any(q.startswith("age") for q in own):
        asked = frozenset(q for q in asked if not q.startswith("age"))
    return own | asked


def _example_grounds(book: RuleBook, n, a: Amount, s, pre: str, scope: Scope, sources: list[Scan]) -> bool:
    """A dose agreeing with a worked-example rule, in a text citing another section of the example's document (its
    formula): the example's own sentences state the dose (or the per-kg dose a total is worked from)."""
    # Only a per-kg dose (as written, or the per-kg form of a total worked from it for the stated dosing weight).
    lines = book.example_passages.get(n.rule.id) if _example(n) and "/bw" in s.dim else None
    if not lines or not _same_document(lines, sources):
        return False
    own = [scan_text(p, book.lexicon) for p in lines]
    return in_sources(a, own, scope.age, scope.drug, book.lexicon) or bool(pre and variant_grounded(s, own))


def _period_grounds(book: RuleBook, n, a: Amount, s, scope: Scope, sources: list[Scan]) -> bool:
    """A dose given every n periods that a rule allows at n times its amount ("20.6 g every 2 weeks" of a weekly
    10.3 g): the cited passage states the amount per period."""
    per = period_scaled(n, s)
    if per is s or not sources:
        return False
    k = s.hi / per.hi if per.hi else 1.0
    one = replace(a, low=a.low / k, high=a.high / k, cadence=replace(a.cadence, interval=n.interval))
    return in_sources(one, sources, scope.age, scope.drug, book.lexicon)


def _names_own_drug(sc: Scan, a: Amount, drug: str | None) -> bool:
    """Whether the amount stands right after (or right before) a name of its drug, in one phrase ("ibuprofen 3,200 mg,
    acetaminophen 4,000 mg": the 3,200 mg is ibuprofen's even though only acetaminophen has a limit rule)."""
    for d in sc.in_sentence(sc.drugs, a.sentence):
        if d.canonical != drug:
            continue
        between = sc.text[d.end:a.start] if d.end <= a.start else sc.text[a.end:d.start]
        if len(between) <= 30 and not re.search(r"[,;:()]|\b(?:and|or|before|after|with|within)\b", between):
            return True
    return False


def _per_kg_for(a: Amount, weight: float | None) -> Amount | None:
    """The amount per kg of the patient's weight ("80-240 mL/h" for 80 kg is 1-3 mL/kg/h), None without a weight or
    for an amount already per kg."""
    if not weight or a.info is None or "/bw" in a.info.dim:
        return None
    unit = re.sub(r"^([^/]+)", r"\1/kg", a.unit, count=1)
    return replace(a, low=a.low / weight, high=a.high / weight, unit=unit,
                   info=replace(a.info, dim=per_kg_dim(a.info.dim), written=unit))


def _example(n) -> bool:
    """A rule that records a worked example (one patient's numbers) rather than a range."""
    return "example" in (n.rule.population.note or "").lower()


def text_binding(sc: Scan, a: Amount, drug: str | None = None) -> TextBinding:
    """What the text binds a dose to: the formulation it names for it, once daily in so many words, its sentence's
    course length, and the daily ceiling its statement gives it."""
    k = next((j for j, o in enumerate(sc.amounts) if o.start == a.start), None)
    mention = amount_mention(sc, k) if k is not None else None
    sentence = sc.sentences[a.sentence]
    drug_end = mention.end if mention is not None and mention.end <= a.start else None
    others = any(o.sentence == a.sentence and o.start != a.start and o.cadence.duration for o in sc.amounts)
    forms = text_formulations(sc.text, sentence, a.start, a.end, drug_end)
    if not forms and (first := _chain(sc, a.sentence)) != a.sentence:
        # "Sumatriptan nasal spray 20 mg at onset; max 40 mg per day": a ';'-joined clause keeps its drug's formulation.
        forms = text_formulations(sc.text, (sc.sentences[first][0], sentence[1]), a.start, a.end, drug_end)
    return TextBinding(formulations=forms,
                       once_daily=once_daily(a.cadence.text, sc.text, a.end),
                       duration=sentence_duration(sc.text, sentence, a.cadence.duration, others, a.start),
                       daily_ceiling=stated_daily_ceiling(sc, a, drug))


def _trial_lengths(sc: Scan, srcs: list[Scan] | None, lex: Lexicon, answer_drug: str | None = None) -> list[DoseFinding]:
    """A length the text gives a drug under a label ("an adequate trial is 2 weeks"), held to the lengths the cited
    passages give the same drug under that label ("Adequate trial: 8 weeks"): withheld when they give others only."""
    from assistant.doses.grounding import same_drug

    out: list[DoseFinding] = []
    if not srcs:
        return out
    for start, end, label, span in labelled_durations(sc.text):
        named = [d for d in sc.drugs if d.start < start and sc.sentence_of(d.start) == sc.sentence_of(start)] or \
            [d for d in sc.drugs if d.end <= start]
        if not named and not (answer_drug and not sc.drugs):
            continue
        drug = named[-1].canonical if named else answer_drug  # "Six weeks is an adequate trial" of the question's drug
        theirs = []
        for src in srcs:
            for s_start, s_end, s_label, s_span in labelled_durations(src.text):
                line_start = src.text.rfind("\n", 0, s_start) + 1
                mine = [d for d in src.drugs if line_start <= d.start < s_start]
                if mine and same_drug(mine[-1].canonical, drug, lex) and trial_kind(s_label) == trial_kind(label):
                    theirs.append(s_span)
        if not theirs or any(lo <= span[0] + 1e-6 and span[1] <= hi + 1e-6 for lo, hi in theirs):
            continue
        lo, hi = span
        out.append(DoseFinding(
            text=sc.text[start:end], start=start, end=end, drug=drug, value=lo if lo == hi else [lo, hi], unit="day",
            per_kg=False, verdict="ungrounded",
            message=f"The cited passage gives {drug} a {trial_kind(label)} of "
                    f"{' or '.join(f'{fmt(a)}-{fmt(b)}' if a != b else fmt(a) for a, b in theirs)} days, not this."))
    return out


def judge(book: RuleBook, sc: Scan, a: Amount, scope: Scope, family: str, sources: list[Scan] | None) -> DoseFinding:
    """Verdict for one amount against the rules and the cited passages."""
    if a.problem:
        return finding(sc, a, scope, "ambiguous", f"Cannot read this dose reliably: {a.problem}.")
    if scope.drug is None:
        if quoted(sc, a, [src.text for src in sources or []]):
            return finding(sc, a, scope, "grounded", "No drug is named to check this dose against; the sentence is "
                                                     "quoted word for word from the cited passage.")
        return finding(sc, a, scope, "ambiguous", "A dose with no drug named near it; it cannot be checked.")
    grounded = in_sources(a, sources, scope.age, scope.drug, book.lexicon,
                          product_names(sc, a.sentence, scope.drug, book.lexicon), start=scope.start,
                          quals=own_quals(sc, a, book.lexicon, scope.drug, scope.asked), count=unit_count(sc, a),
                          bind=text_binding(sc, a, scope.drug))
    variants = stated_variants(book, sc, a, scope, family)
    sel = select(book, family, scope)
    # A rule for another disease, population or stage is borrowed: it never verifies, so it is left out.
    base, caps = [n for n in sel.base if n.rule.id not in sel.borrowed], sel.caps
    note = f" ({sel.note})" if sel.note else ""
    bounded = bool(caps) and stated_daily_ceiling(sc, a, scope.drug) is not None

    def cap_problem(n, s):
        # A dose with a stated daily ceiling beside it is held to a daily cap as one dose; the ceiling bounds the sum.
        return _cap_problem(n, replace(s, cadence=replace(s.cadence, interval=None)) if bounded else s)

    usable = [(s, pre) for s, pre in variants if any(n.dim == s.dim for n in base + caps)]
    if not usable:
        # No rule in this unit: a slipped "/kg" (0.4 g for 0.4 g/kg) is a unit error, otherwise grounding decides.
        for s, _ in variants:
            for n in base:
                if n.dim.replace("/bw", "") == s.dim.replace("/bw", "") and problem(n, replace(s, dim=n.dim)) is None:
                    return finding(sc, a, scope, "unit_error",
                                   f"{a.text.strip()} matches {range_text(n)} of rule {n.rule.id} only if the unit "
                                   f"is {n.rule.unit}; check the unit.", n)
        if grounded:
            return finding(sc, a, scope, "grounded", f"No dose rule covers this; the cited passage states it{note}.")
        if not base and (per_kg := _per_kg_for(a, scope.weight)) is not None and in_sources(
                per_kg, sources, scope.age, scope.drug, book.lexicon, start=scope.start,
                quals=own_quals(sc, a, book.lexicon, scope.drug, scope.asked), bind=text_binding(sc, a)):
            # "80-240 mL/h" for an 80 kg patient is the passage's "1-3 mL/kg/hour": a drug with no rules, the total
            # worked out for the patient's weight from the per-kg dose the cited passage states.
            span = f"{fmt(per_kg.low)}-{fmt(per_kg.high)}" if per_kg.is_range else fmt(per_kg.low)
            return finding(sc, a, scope, "grounded", f"{a.text.strip()} for {fmt(scope.weight)} kg is {span} "
                                                     f"{per_kg.unit}; the cited passage states it{note}.")
        if "/bw" not in a.info.dim and any("/bw" in n.dim for n in base):
            return finding(sc, a, scope, "ungrounded", f"The rules for {scope.drug} are per kg and no body weight is "
                                                       f"given to check {a.text.strip()}; no cited passage states it.")
        return finding(sc, a, scope, "ungrounded",
                       f"No rule for {scope.drug} covers this dose, and no cited passage states it{note}.")
    limit = a.is_max or a.comparator in ("<", "<=")
    for s, pre in usable:
        broken = next((n for n in caps if cap_problem(n, s)), None)
        held = [n for n in base if n.dim == s.dim and problem(n, s) is None]
        if limit:
            # A stated limit within every cap is what the caps say; one that is a cap's own bound cites that cap.
            same = [n for n in caps if n.dim == s.dim and s.hi >= n.hi / ONE_SIDED_SPAN]  # not a tenth of it
            held = [n for n in same if abs(n.hi - s.hi) <= 1e-6 * n.hi] or held or same
        if broken is not None and (held or limit):
            return finding(sc, a, scope, "out_of_range", f"{pre}{a.text.strip()} breaks the limit {range_text(broken)} "
                                                         f"(rule {broken.rule.id}, {broken.rule.indication}).", broken)
        if not held:
            continue
        strong = [n for n in held if n.rule.evidence != "weak"]
        if strong:
            n = best(strong, s)
            if sources is not None and not grounded and not (pre and variant_grounded(s, sources)) \
                    and not _example_grounds(book, n, a, s, pre, scope, sources) \
                    and not _period_grounds(book, n, a, s, scope, sources):
                return finding(sc, a, scope, "ungrounded",
                               f"{pre}agrees with rule {n.rule.id}, but the cited passage does not state this dose.", n)
            within = f"within {range_text(n)}"
            if (per := period_scaled(n, s)) is not s and per.hi:
                within += f", given as {fmt(s.hi / per.hi)} {n.rule.per}s' doses at once, as the rule allows"
            if s.is_max and s.cadence.interval == (1.0, 1.0) and n.max_daily is not None:
                within = f"a daily limit no higher than the rule's {fmt(n.rule.max_daily.value)} {n.rule.max_daily.unit}"
            return finding(sc, a, scope, "verified", f"{pre}{within} (rule {n.rule.id}){note}.", n)
        weak = best(held, s)
        if grounded:
            return finding(sc, a, scope, "grounded", f"Stated in the cited passage; the only rule ({weak.rule.id}) "
                                                     f"is from a weak source.", weak)
        if sources is None and (own := _rule_passages(book, weak)) and in_sources(a, own, scope.age, scope.drug, book.lexicon):
            # No passage is cited (a text checked on its own): the weak rule's own source sentence is the passage.
            return finding(sc, a, scope, "grounded", f"{pre}Stated in the source of rule {weak.rule.id} "
                                                     f"({weak.rule.source.document}); a weak source, so not verified.",
                           weak)
        return finding(sc, a, scope, "ungrounded",
                       f"{pre}only a weak source (rule {weak.rule.id}: order sets or secondary pages) gives "
                       f"{range_text(weak)}; it cannot verify a dose.", weak)
    s, pre = usable[-1]
    if not any(n.dim == s.dim for n in base) and not any(cap_problem(n, s) for n in caps):
        # Only limits apply ("at most 4 g per day") and the dose keeps to them: no rule gives the dose itself.
        if grounded:
            return finding(sc, a, scope, "grounded", f"Within the limits of the rules; the cited passage states it{note}.")
        return finding(sc, a, scope, "ungrounded", f"Within the limits of the rules, but no rule gives this dose "
                                                   f"and no cited passage states it{note}.")
    # A worked example's numbers are one patient's, not a limit: a dose that differs from them is not out of range.
    failing = [n for n in base if n.dim == s.dim and not _example(n)] or [n for n in caps if n.dim == s.dim]
    if not failing and grounded:
        return finding(sc, a, scope, "grounded", f"Stated in the cited passage; no rule but a worked example's covers "
                                                 f"it{note}.")
    elsewhere = [n for n in book.for_drug(scope.drug, family) if n.dim == s.dim and n not in failing
                 and not is_cap(n) and problem(n, s) is None]
    if elsewhere and failing:
        # The number is plausible for this drug, just not here: a wrong indication or population, not a slip.
        n, other = nearest(failing, s), elsewhere[0]
        return finding(sc, a, scope, "out_of_range",
                       f"{pre}{a.text.strip()} fits rule {other.rule.id} ({other.rule.indication}) but not "
                       f"{range_text(n)} (rule {n.rule.id}, {n.rule.indication}): {problem(n, s)}{note}.", n)
    if (mag := magnitude(failing, s)) is not None:
        k, n = mag
        ratio = f"{fmt(10.0 ** abs(k))}x {'above' if k > 0 else 'below'}"
        return finding(sc, a, scope, "unit_error",
                       f"{pre}{a.text.strip()} is {ratio} the {range_text(n)} of rule {n.rule.id}; did you mean "
                       f"{suggestion(a, k)}?", n)
    if grounded and all(n.rule.evidence == "weak" for n in failing):
        return finding(sc, a, scope, "grounded", "Stated in the cited passage; only a weak-source rule disagrees.")
    if not failing:
        return finding(sc, a, scope, "ungrounded", f"No rule for {scope.drug} covers this dose{note}.")
    n = nearest(failing, s)
    why = problem(n, s) or "outside the rule"
    return finding(sc, a, scope, "out_of_range",
                   f"{pre}{a.text.strip()} does not fit {range_text(n)} (rule {n.rule.id}): {why}{note}.", n)


def judge_step(book: RuleBook, sc: Scan, a: Amount, scope: Scope, sources: list[Scan] | None) -> DoseFinding:
    """A step or slope ("each 100 mg/kg more", "per 100 mg/dL higher trough"): held by a conversion-factor rule."""
    lo, hi = a.canon
    rules = [n for n in book.norm if n.family == "factor" and n.dim == a.info.dim
             and (scope.drug is None or n.rule.drug == scope.drug)]
    held = [n for n in rules if n.lo is not None and n.hi is not None and n.lo * 0.999 <= lo and hi <= n.hi * 1.001]
    if held:
        return finding(sc, a, scope, "verified", f"A step of {a.text.strip()}, as rule {held[0].rule.id} gives.",
                       held[0])
    # Another drug's step of the same size in the passage (a table's next row) does not ground it.
    if in_sources(a, sources, scope.age, scope.drug, book.lexicon):
        return finding(sc, a, scope, "grounded", "A step size stated in the cited passage; no rule gives it.")
    return finding(sc, a, scope, "ungrounded", f"A step of {a.text.strip()} that no rule gives.")


def _judge_amount(book: RuleBook, sc: Scan, i: int, fam: str | None, scope: Scope, srcs: list[Scan] | None,
                  lhs_starts: dict[int, int], patient_levels: tuple[tuple[float, float], ...] = ()) -> DoseFinding | None:
    """Verdict for the i-th amount of a text, or None for a plausible measured level. patient_levels: the lab levels
    the question reports (canonical units)."""
    a = sc.amounts[i]
    if fam == "lab" and a.info is not None and not (a.problem or a.comparator or a.is_max or a.step) and any(
            abs(a.canon[0] - lo) <= 0.03 * lo and abs(a.canon[1] - hi) <= 0.03 * hi for lo, hi in patient_levels):
        return None  # "7.2 g/L: above the target" for a question's "trough 720 mg/dL": the patient's level restated
    head = sc.amounts[a.head] if a.head is not None else None
    if fam == "lab" and head is not None and not a.observed and not is_measured(sc, a) and head.info and a.info \
            and head.info.dim == a.info.dim and not a.problem and (head.observed or is_measured(sc, head)):
        # "Trough IgG 5.2 g/L (520 mg/dL)": the patient's level restated in another unit, right or not.
        (lo, hi), (hlo, hhi) = a.canon, head.canon
        if abs(lo - hlo) <= 0.03 * hlo and abs(hi - hhi) <= 0.03 * hhi:
            return None
        return finding(sc, a, scope, "unit_error", f"{a.text.strip()} is not {head.text.strip()} in other units; check "
                                                   f"the unit (mg/dL or g/L).")
    if fam == "lab" and (pair := converted_level(sc, i)) is not None:
        (lo, hi), (hlo, hhi) = pair[1].canon, pair[0].canon
        if a is pair[0] or abs(lo - hlo) <= 0.03 * hlo and abs(hi - hhi) <= 0.03 * hhi:
            return None  # the level is an example of the conversion; its restatement carries any error
        return finding(sc, a, scope, "unit_error", f"{a.text.strip()} is not {pair[0].text.strip()} in other units; "
                                                   f"check the unit (mg/dL or g/L).")
    measured = a.observed or is_measured(sc, a)
    if fam == "lab" and measured and not a.problem:
        # A measured level is patient data, not advice: only a physically impossible one is flagged.
        lo, hi = a.canon
        if OBSERVED_IGG_G_PER_L[0] <= lo and hi <= OBSERVED_IGG_G_PER_L[1]:
            return None
        return finding(sc, a, scope, "unit_error", f"An IgG level of {a.text.strip()} is not a level a patient can "
                                                   f"have; check the unit (mg/dL or g/L).")
    if a.step and not a.problem:
        return judge_step(book, sc, a, scope, srcs)
    if fam is None:
        return finding(sc, a, scope, "ambiguous", "A concentration with no analyte named (IgG trough? another lab "
                                                  "value? a product strength?); it cannot be checked.")
    said = _RESTATED_CADENCE.search(sc.text, sc.sentences[a.sentence][0], a.start)
    if said is not None and said.group("limit") and not a.is_max:
        a = replace(a, is_max=True)  # "under 100 mmol per day, i.e. 2,300 mg": the restated limit is a limit too
    if a.cadence.bare and i in lhs_starts:  # the result of a calculation: its cadence is named before the sum
        a = replace(a, cadence=scan_cadence(sc.text[sc.sentences[a.sentence][0]:lhs_starts[i]]))
        if a.cadence.bare and (days := re.search(r"(?i)[×x*]\s*(\d+)\s*(?:consecutive\s+)?days?\b",
                                                 sc.text[lhs_starts[i]:a.start])):
            # "0.4 g/kg/day × 5 days = 2 g/kg": a daily dose times its days is the course total.
            n = float(days.group(1))
            a = replace(a, cadence=Cadence(kind="course", duration=(n, n)))
    elif a.cadence.bare and said is not None:
        # "90-100 mmol/day, which is 2,070-2,300 mg": a restatement in other units keeps the cadence it restates.
        a = replace(a, cadence=scan_cadence(said.group("cadence")))
    elif a.cadence.bare and a.info and "/bw" not in a.info.dim:  # a total for a weight repeats as its per-kg dose
        pair = sc.amounts[a.head] if a.head is not None else next(
            (b for b in reversed(sc.amounts[:i]) if b.sentence == a.sentence and b.info
             and b.info.dim == per_kg_dim(a.info.dim)), None)
        if pair is not None:
            a = replace(a, cadence=pair.cadence)
    return judge(book, sc, a, scope, fam, srcs)


def _ruled_out(book: RuleBook, sc: Scan, i: int, found: DoseFinding, scope: Scope | None, family: str,
               srcs: list[Scan] | None, phases_by_amount: dict[int, str | None] | None = None) -> DoseFinding:
    """A negated dose judged for each disease its sentence names ("The ITP dose of 1 g/kg must not be used in PID",
    "Do not give the Kawasaki dose of 2 g/kg to adults with ITP"): the first disease whose rules rule it out, else the
    amount's own finding."""
    named = diseases(m.canonical for m in sc.in_sentence(sc.indications, sc.amounts[i].sentence))
    if found.verdict not in ("verified", "ungrounded") or scope is None:
        return found
    # "For CIDP maintenance use 1 g/kg every 3 weeks, not the loading dose of 2 g/kg": a dose of one phase ruled out
    # for the phase the sentence doses is judged for that phase.
    phases = {p for k, p in (phases_by_amount or {}).items() if k != i and p and sc.amounts[k].sentence ==
              sc.amounts[i].sentence and not is_negated(sc, sc.amounts[k])} - {scope.phase}
    for phase in sorted(phases):
        other = judge(book, sc, sc.amounts[i], replace(scope, phase=phase), family, srcs)
        if other.verdict in ("out_of_range", "unit_error"):
            return other
    if len(named) < 2:
        return found
    modifiers = scope.indications - diseases(scope.indications)
    for one in sorted(named):
        other = judge(book, sc, sc.amounts[i], replace(scope, indications=frozenset({one}) | modifiers), family, srcs)
        if other.verdict in ("out_of_range", "unit_error"):
            return other
    return found


_ASKS_MAX = re.compile(r"(?i)\b(?:max(?:imum|imal)?|highest|ceiling|upper\s+limit|most)\b[^?]*(?:dose|rate|amount|total"
                       r"|daily|\?)")
_NOT_MAX = re.compile(r"(?i)\b(?:start\w*|initial\w*|begin\w*|first|then|usual\w*|typical\w*|minimum|lowest|onset)\b")


def _answers_max(sc: Scan, sources: list[str] | None = None) -> Scan:
    """An answer to a question that asks for a maximum ("Max infusion rate for Privigen?"): a dose stated plainly in a
    sentence that names no other role (start, usual, then) is that maximum, as "up to" would say. A sentence quoted
    word for word from a cited passage keeps the passage's roles ("6 mg at onset ...; maximum daily dose is 12 mg")."""
    out = []
    for a in sc.amounts:
        s_start, s_end = sc.sentences[a.sentence]
        if not (a.is_max or a.comparator or a.step or a.observed or _NOT_MAX.search(sc.text[s_start:s_end])
                or (len(re.findall(r"[A-Za-z]{3,}", sc.text[s_start:s_end])) >= 4 and quoted(sc, a, sources))):
            a = replace(a, is_max=True)
        out.append(a)
    return replace(sc, amounts=tuple(out))


_STRENGTH_PART = r"(?:[A-Za-z][\w-]*\s+)?\d[\d.,]*\s*(?:mg|mcg|µg|g)"
_COMPOSITION = re.compile(rf"\(\s*{_STRENGTH_PART}(?:\s*/\s*{_STRENGTH_PART})+\s*(?:tablets?|caps(?:ules?)?)?\s*\)")


def _strength_volume(sc: Scan, i: int) -> bool:
    """Whether the i-th amount is the volume of a strength written as mass per volume ("albuterol 2.5 mg/3 mL"): the
    volume one unit holds, not a dose of its own."""
    a = sc.amounts[i]
    prev = sc.amounts[i - 1] if i else None
    return a.info is not None and a.info.dim == "volume" and prev is not None and prev.info is not None \
        and prev.info.dim == "mass" and not prev.is_range and bool(re.fullmatch(r"[ \t]*/[ \t]*", sc.text[prev.end:a.start]))


def _restated_rates(book: RuleBook, sc: Scan, ctx: Scan | None, results: dict[int, DoseFinding],
                    overrides: dict[int, DoseFinding]) -> None:
    """A rate restated in the other unit at the stated product concentration ("below 2 mg/kg/min, i.e. under 1.2
    mL/kg/h for this 10% product") is as right as the rate it restates, when the conversion holds (a wrong one is a
    cross-check's finding already)."""
    from assistant.doses.conversions import concentration
    from assistant.doses.units import volume_rate_to_mass_rate

    for i, a in enumerate(sc.amounts):
        mine = results.get(i)
        if a.head is None or i in overrides or mine is None or mine.verdict in PASSING_VERDICTS or a.info is None:
            continue
        h, theirs = sc.amounts[a.head], results.get(a.head)
        if theirs is None or theirs.verdict not in PASSING_VERDICTS or h.info is None \
                or {h.info.dim, a.info.dim} != {"mass/bw/time", "volume/bw/time"} or _limit_of(a) != _limit_of(h):
            continue
        conc = concentration(sc, book, a.sentence) or (concentration(ctx, book) if ctx else None)
        if not conc:
            continue
        per_ml = volume_rate_to_mass_rate(1.0, conc)  # mg/kg/min for each mL/kg/h
        scale = per_ml if a.info.dim == "mass/bw/time" else 1 / per_ml
        if all(abs(x * scale - y) <= 0.02 * y for x, y in zip(_rate(h), _rate(a)) if y):
            results[i] = mine.model_copy(update={
                "verdict": theirs.verdict, "rule_id": theirs.rule_id, "source": theirs.source,
                "message": f"{a.text.strip()} is {h.text.strip()} at {fmt(conc)} mg/mL; {theirs.message}"})


def _limit_of(a: Amount) -> bool:
    return a.is_max or a.comparator in ("<", "<=")


def _rate(a: Amount) -> tuple[float, float]:
    """A rate in mg/kg/min or mL/kg/h as written."""
    return a.low, a.high


def _strength_cadence(sc: Scan) -> Scan:
    """The scan with a mass-per-volume strength's mass taking the cadence read after its volume."""
    if not any(_strength_volume(sc, i) for i in range(len(sc.amounts))):
        return sc
    def taken(cad):  # "one vial q6-8h over 5-15 min": each repeated dose's time, not one single dose
        return replace(cad, single=cad.single and cad.interval is None)

    return replace(sc, amounts=tuple(
        replace(a, cadence=taken(sc.amounts[i + 1].cadence)) if i + 1 < len(sc.amounts) and _strength_volume(sc, i + 1)
        and a.cadence.bare else a for i, a in enumerate(sc.amounts)))


def _restatements(sc: Scan, results: dict[int, DoseFinding], ctx: Scan | None) -> None:
    """An amount restated in parentheses right after it, in other units ("500 to 1500 mg a day (0,5 to 1,5 g)") or as
    the mass a volume holds at a concentration the text or the question states ("1 mg/mL" ... "3 mL (3 mg)"), is the
    same dose: the one of the two that fails takes the verdict of the one that passes."""
    concs = [a.canon[0] for x in (sc, ctx) if x is not None for a in x.amounts
             if a.info is not None and a.info.dim == "conc" and not a.is_range and a.canon[0] > 0]  # mg/mL
    for i in range(1, len(sc.amounts)):
        a, b = sc.amounts[i], sc.amounts[i - 1]
        f, g = results.get(i), results.get(i - 1)
        if f is None or g is None or a.info is None or b.info is None or b.sentence != a.sentence \
                or a.is_range != b.is_range or (f.verdict in PASSING_VERDICTS) == (g.verdict in PASSING_VERDICTS) \
                or "unit_error" in (f.verdict, g.verdict):
            continue
        between = sc.text[b.end:a.start]
        if not re.fullmatch(r"(?i)[^()\d;.]{0,30}\(\s*(?:i\.e\.,?\s*|=\s*|or\s+)?", between) \
                or not re.match(r"\s*\)", sc.text[a.end:a.end + 3]):
            continue
        if b.info.dim == a.info.dim:
            same = all(abs(x - y) <= 0.01 * max(abs(x), 1e-12) for x, y in zip(a.canon, b.canon))
        elif {a.info.dim, b.info.dim} == {"mass", "volume"} and not a.is_range:
            mass, volume = (a, b) if a.info.dim == "mass" else (b, a)
            held = mass.canon[0] * 1000 / volume.canon[0] if volume.canon[0] else 0.0
            same = any(abs(held - c) <= 0.01 * c for c in concs)
        else:
            same = False
        if not same:
            continue
        k, bad, good, other = (i, f, g, b) if g.verdict in PASSING_VERDICTS else (i - 1, g, f, a)
        results[k] = bad.model_copy(update={
            "verdict": good.verdict, "rule_id": good.rule_id, "source": good.source,
            "message": f"{sc.amounts[k].text.strip()} is the same dose as {other.text.strip()}; {good.message}"})


def _strength_volumes(sc: Scan, results: dict[int, DoseFinding]) -> None:
    """A volume of a strength the text writes as mass per volume ("2.5 mg/3 mL ... max 10 mg/day = four vials, 12 mL")
    is as right as the mass it holds, when that mass stands before it in its sentence with a verdict of its own."""
    strengths = [(sc.amounts[i - 1], a) for i, a in enumerate(sc.amounts) if _strength_volume(sc, i)]
    if len(strengths) != 1 or not strengths[0][1].low:
        return
    mass, volume = strengths[0]
    per_ml = mass.canon[0] / volume.canon[0]  # g per mL
    for i, a in enumerate(sc.amounts):
        f = results.get(i)
        if f is None or f.verdict in PASSING_VERDICTS or a.info is None or a.info.dim != "volume" or a.is_range \
                or _strength_volume(sc, i):
            continue
        held = a.canon[0] * per_ml
        for k in range(i - 1, -1, -1):
            b, g = sc.amounts[k], results.get(k)
            if b.sentence != a.sentence:
                break
            if g is not None and b.info is not None and b.info.dim == "mass" and not b.is_range \
                    and abs(b.canon[1] - held) <= 0.02 * held:
                results[i] = f.model_copy(update={
                    "verdict": g.verdict, "rule_id": g.rule_id, "source": g.source,
                    "message": f"{a.text.strip()} of {mass.text.strip()}/{volume.text.strip()} holds {b.text.strip()}; "
                               f"{g.message}"})
                break


def _composition(sc: Scan, a: Amount) -> bool:
    """Whether the amount is part of a combination product's strength written in parentheses right after the product's
    name ("Cafergot (ergotamine 1 mg/caffeine 100 mg)"): the content of one unit, not a dose."""
    for m in _COMPOSITION.finditer(sc.text):
        if m.start() <= a.start < m.end() and any(0 <= m.start() - d.end <= 2 for d in sc.drugs):
            return True
    return False


def _negated_factors(book: RuleBook, sc: Scan, found: list[DoseFinding]) -> list[DoseFinding]:
    """Stated factors, with those a sentence rules out judged as ruled out. A right factor that the text also applies
    elsewhere is not itself ruled out ("do not multiply the whole 30 g by 1.37; use 7.5 g x 1.37"): what is ruled out
    is what it is applied to, which the amounts check."""
    negated = {k for k, f in enumerate(found) if span_negated(sc, f.start, f.end)}
    out = []
    for k, f in enumerate(found):
        if k in negated and not (f.verdict == "verified" and any(
                j not in negated and g.verdict == "verified" and g.value == f.value for j, g in enumerate(found))):
            targets = _target_brands(book, sc, f.start, f.end)
            if targets and f.verdict in ("verified", "out_of_range"):
                # Ruled out for the product(s) the sentence applies it to ("do not apply 1.37 to Cuvitru", "not
                # Hizentra's 1.37, when switching to Cuvitru"): right when it is not their factor.
                own = [book.brand_factors(b) for b in targets]
                wrong = all(fs and not any(abs(v - float(f.value)) < 1e-6 for v in fs) for fs in own)
                f = f.model_copy(update={"verdict": "out_of_range" if wrong else "verified", "message": (
                    f"{f.text} is {'not ' if wrong else ''}the factor the rules give for {', '.join(targets)}.")})
            elif f.verdict == "verified" and (other := _other_labelling(book, sc, f)) is not None:
                # "Under the European label, do not apply the US factor of 1.37": ruled out for a labelling whose own
                # factor is another, which is what its rules say.
                f = f.model_copy(update={"verdict": "out_of_range", "message": (
                    f"{f.text} is the factor of another labelling than the {other.upper()} one the sentence names.")})
            f = negated_factor(f)
        out.append(f)
    return out


def _other_labelling(book: RuleBook, sc: Scan, f: DoseFinding) -> str | None:
    """The labelling a sentence names ("under the European label") when the stated factor's rule is another
    labelling's and the rules give the named one a factor of its own for the same conversion; else None."""
    rule = book.rule(f.rule_id) if f.rule_id else None
    s_start, s_end = sc.sentences[sc.sentence_of(f.start)]
    named = jurisdiction(re.sub(r"(?i)\b(?:US|EU|European|American)\s+(?:factor|label\w*)?\s*(?:of\s+)?" +
                                re.escape(f.text), " ", sc.text[s_start:s_end]))
    if rule is None or named is None or rule.jurisdiction in ("any", named):
        return None
    own = [n for n in book.norm if n.family == "factor" and n.rule.jurisdiction == named
           and n.rule.indication == rule.indication]
    held = any(n.lo is not None and n.lo <= float(f.value) <= (n.hi or n.lo) for n in own)
    return named if own and not held else None


_POSSESSIVE = re.compile(r"(?i)(?:['’]s)?\s*(?:(?:US|EU|own|label(?:led)?|adjustment|conversion|dose)\s+)*(?:factor\s+"
                         r"(?:of\s+|is\s+)?)?\(?\s*$")


def _target_brands(book: RuleBook, sc: Scan, start: int, end: int) -> list[str]:
    """The products a sentence applies a stated factor to: those named in its clause other than the factor's owner
    ("Hizentra's 1.37", "Hizentra 1.37"), else the sentence's other products."""
    s_start, s_end = sc.sentences[sc.sentence_of(start)]
    named = [(m.start(), m.end(), m.group(0).lower()) for b in sorted(book.factor_brands)
             for m in re.finditer(rf"(?i)\b{re.escape(b)}\b", sc.text[s_start:s_end])]
    named = [(a + s_start, e + s_start, b) for a, e, b in named]
    owner = {b for a, e, b in named if e <= start and start - e <= 30 and _POSSESSIVE.fullmatch(sc.text[e:start])}
    cuts = [s_start] + [s_start + m.end() for m in re.finditer(r"[,;:]", sc.text[s_start:s_end])] + [s_end]
    c_start = max(c for c in cuts if c <= start)
    c_end = min(c for c in cuts if c >= end)
    clause = [b for a, e, b in named if c_start <= a < c_end and b not in owner]
    return list(dict.fromkeys(clause or [b for _, _, b in named if b not in owner]))


def _worked_out(sc: Scan, calc: Calculations, results: dict[int, DoseFinding], operands: dict[int, DoseFinding | None],
                extra: list[DoseFinding]) -> None:
    """A result of right arithmetic on checked numbers and a verified factor is verified ("15 g/week x 1.3 =
    19.5 g weekly"), even where no dose rule holds the result itself."""
    for i, start in calc.lhs_starts.items():
        if i not in results or results[i].verdict != "out_of_range" or ("amount", i) in calc.problems:
            continue
        within = [k for k in operands if start <= sc.amounts[k].start < sc.amounts[i].start]
        repeat = sc.amounts[i].cadence.interval
        if any(sc.amounts[k].cadence.interval not in (None, repeat) for k in within):
            continue  # "30 g every 4 weeks x 1.37 = 41.1 g weekly": the 4-weekly dose was not divided
        inside = [operands[k] for k in within]
        factor = [f for f in extra if start <= f.start < sc.amounts[i].start and f.unit == "1"]
        if inside and factor and all(f is None or f.verdict in PASSING_VERDICTS for f in inside + factor):
            results[i] = results[i].model_copy(update={
                "verdict": "verified", "rule_id": factor[0].rule_id,
                "message": f"Worked out correctly from checked numbers and a verified factor ({factor[0].rule_id})."})


def _given(a: Amount, scans: list[Scan]) -> bool:
    """Whether a scan (the question, a cited passage) states the amount: same dimension and value."""
    if a.info is None:
        return False
    lo, hi = a.canon
    return any(b.info is not None and b.info.dim == a.info.dim and abs(b.canon[0] - lo) <= 1e-6 * max(1.0, lo)
               and abs(b.canon[1] - hi) <= 1e-6 * max(1.0, hi) for s in scans for b in s.amounts)


def _bare_given(sc: Scan, start: int, end: int, given: list[Scan]) -> bool:
    """Whether a sum written in bare numbers uses only numbers given ("on 36 g every 4 weeks": "36 / 4 = 9 g per
    week"): each is a given amount's value, or a given dose's repeat in weeks or days. A stated factor is checked on
    its own."""
    spans = [(f[0], f[1]) for f in sc.factors] + [(b.start, b.end) for b in sc.amounts]
    bare = [(m.start(), float(m.group(0).replace(",", ""))) for m in re.finditer(r"(?<![\w.,])\d+(?:,\d{3})*(?:\.\d+)?(?![\w.,]*\d)",
                                                                             sc.text[start:end])]
    bare = [v for pos, v in bare if not any(s <= start + pos < e for s, e in spans)]
    values = {round(x, 6) for g in given for b in g.amounts for x in (b.low, b.high)}
    repeats = {round(x / d, 6) for g in given for b in g.amounts if b.cadence.interval
               for x in b.cadence.interval for d in (1.0, 7.0)}
    return bool(bare) and all(round(v, 6) in values | repeats for v in bare)


def _worked_from_given(book: RuleBook, sc: Scan, calc: Calculations, results: dict[int, DoseFinding],
                       operands: dict[int, DoseFinding | None], given: list[Scan], weights: set[float]) -> None:
    """A result of right arithmetic whose every number is given (checked, stated by the question or the cited
    passage, or the result of an earlier such sum) is as grounded as its numbers ("the question's 1 mg/kg/min x 60
    min/h / 50 mg/mL = 1.2 mL/kg/h"). Only a failure for want of a passage stating the result itself is lifted; a
    result outside a rule, or a sum using another body weight than the patient's, stays."""
    accepted: list[Amount] = []
    for i in sorted(calc.lhs_starts, key=lambda k: sc.amounts[k].start):
        a = sc.amounts[i]
        start = calc.lhs_starts[i]
        mine = results.get(i)
        if mine is None or ("amount", i) in calc.problems:
            continue
        inside = [k for k, b in enumerate(sc.amounts) if start <= b.start and b.end <= a.start and k != i]
        if not inside and not _bare_given(sc, start, a.start, given):
            continue
        ok = True
        for k in inside:
            b = sc.amounts[k]
            f = operands.get(k)
            if f is not None and f.verdict in PASSING_VERDICTS:
                continue
            if _given(b, given) or any(c.info is not None and b.info is not None and c.info.dim == b.info.dim
                                       and abs(c.canon[0] - b.canon[0]) <= 1e-6 * max(1.0, b.canon[0]) for c in accepted):
                continue
            ok = False
            break
        used = [w.kg for w in sc.weights if start <= w.start and w.end <= a.start]
        if ok and used and weights and not all(any(abs(kg - w) <= 0.02 * w for w in weights) for kg in used):
            ok = False
        if not ok:
            continue
        if mine.verdict in PASSING_VERDICTS:
            accepted.append(a)
            continue
        if mine.verdict != "ungrounded" or is_negated(sc, a):
            continue
        accepted.append(a)
        results[i] = mine.model_copy(update={
            "verdict": "grounded",
            "message": "Worked out correctly from numbers the question or the cited passage gives."})


_WORDED_FILE = Path(__file__).parent / "data" / "worded-operations.yaml"


@lru_cache(maxsize=1)
def _worded_multiples() -> tuple[tuple[float, re.Pattern], ...]:
    data = yaml.safe_load(_WORDED_FILE.read_text(encoding="utf-8"))
    return tuple((float(k), re.compile(r"(?i)(?<![\w-])(?:" + "|".join(r"\s+".join(map(re.escape, w.split()))
                                                                        for w in words) + r")\b"))
                 for k, words in data["multiples"].items())


@lru_cache(maxsize=1)
def _equivalence() -> re.Pattern:
    data = yaml.safe_load(_WORDED_FILE.read_text(encoding="utf-8"))
    words = "|".join(r"\s+".join(map(re.escape, w.split())) for w in sorted(data["equivalence"], key=len, reverse=True))
    filler = r"(?:therefore|thus|so|then|about|approximately|roughly|around|~|≈|less\s+than|more\s+than|under|over|<|>)"
    return re.compile(rf"(?i)^[\s,]*(?:{filler}\s+)*(?:{words})(?:\s+{filler})*[\s,]*$")


_PERCENT = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*%")


def _strengths(scan_: Scan, k: int) -> frozenset[str]:
    """The product strengths ("10%") sentence k names: a conversion between mg and mL holds for one strength."""
    s_start, s_end = scan_.sentences[k]
    return frozenset(m.group(1) for m in _PERCENT.finditer(scan_.text[s_start:s_end]))


def _conversions(scan_: Scan) -> list[tuple[str, str, float, frozenset[str]]]:
    """(from dimension, to dimension, ratio, strengths named) of every pair of amounts stated as each other
    ("For a 10% product, 0.5 mg/kg/min equals 0.3 mL/kg/h")."""
    out = []
    pattern = _equivalence()
    for a, b in zip(scan_.amounts, scan_.amounts[1:]):
        if a.info is None or b.info is None or a.info.dim == b.info.dim or a.sentence != b.sentence or a.is_range \
                or b.is_range or a.canon[0] <= 0 or not pattern.match(scan_.text[a.end:b.start]):
            continue
        out.append((a.info.dim, b.info.dim, b.canon[0] / a.canon[0], _strengths(scan_, a.sentence)))
    return out


def _passage_conversions(sc: Scan, results: dict[int, DoseFinding], srcs: list[Scan]) -> None:
    """A conversion the text states ("for a 10% IVIG, 4 mg/kg/min equals 2.4 mL/kg/h") with the ratio of one a cited
    passage states between the same units, for the same product strength ("for a 10% product, ... 8 mg/kg/min equals
    4.8 mL/kg/h"), is the passage's conversion worked again:
    its two amounts are grounded where rules agree with them and only a passage stating them was missing."""
    known = [c for src in srcs for c in _conversions(src)]
    if not known:
        return
    pattern = _equivalence()
    by_start = {a.start: k for k, a in enumerate(sc.amounts)}
    for k, (a, b) in enumerate(zip(sc.amounts, sc.amounts[1:])):
        if a.info is None or b.info is None or a.info.dim == b.info.dim or a.sentence != b.sentence or a.is_range \
                or b.is_range or a.canon[0] <= 0 or not pattern.match(sc.text[a.end:b.start]):
            continue
        ratio = b.canon[0] / a.canon[0]
        strengths = _strengths(sc, a.sentence)
        if not any(d1 == a.info.dim and d2 == b.info.dim and abs(ratio - r) <= 0.02 * r and named == strengths
                   for d1, d2, r, named in known):
            continue
        pair = [by_start[a.start], by_start[b.start]]
        found = [results.get(i) for i in pair]
        if any(f is None or f.verdict not in (*PASSING_VERDICTS, "ungrounded") or (f.verdict == "ungrounded" and not
               f.rule_id) for f in found) or any(is_negated(sc, sc.amounts[i]) for i in pair):
            continue
        for i, f in zip(pair, found):
            if f.verdict == "ungrounded":
                results[i] = f.model_copy(update={
                    "verdict": "grounded", "message": f"{f.message.split(', but')[0]}; the conversion "
                                                      f"{sc.amounts[pair[0]].text.strip()} = {sc.amounts[pair[1]].text.strip()} "
                                                      f"has the ratio of one the cited passage states."})


def _worded_operations(sc: Scan, results: dict[int, DoseFinding], given: list[Scan]) -> None:
    """A result of arithmetic in words on a dose the question or the cited passage gives ("converted to Hizentra at
    about 10.3 g weekly" ... "double the calculated weekly dose: roughly 20.6 g every 2 weeks") is as grounded as
    that dose. Only a dose a rule agrees with that wants only a passage stating it is lifted, and only when the
    multiple's word stands before it in its sentence, not negated, and the given dose times the multiple is it."""
    for i, f in list(results.items()):
        a = sc.amounts[i]
        if f.verdict != "ungrounded" or not f.rule_id or a.info is None or a.is_range or is_negated(sc, a):
            continue
        s_start = sc.sentences[a.sentence][0]
        before = sc.text[s_start:a.start]
        if re.search(r"(?i)\b(?:not|never|don['’]t|avoid)\b", before):
            continue
        for k, words in _worded_multiples():
            if not words.search(before):
                continue
            if any(b.info is not None and b.info.dim == a.info.dim and not b.is_range and b.canon[0] > 0
                   and abs(b.canon[0] * k - a.canon[0]) <= 0.02 * a.canon[0] for g in given for b in g.amounts):
                results[i] = f.model_copy(update={
                    "verdict": "grounded", "message": f"{f.message.split(';')[0].split(', but')[0]}; worked out in "
                                                      f"words ({words.search(before).group(0)}) from a dose the question "
                                                      f"or the cited passage gives."})
                break


_REPEAT_BEFORE = re.compile(r"(?i)\b(?:repeat|repeats|repeated|repeating|redose|re-dose|second\s+dose\s+of)\s+"
                            r"(?:it\s+)?(?:with\s+)?(?:the\s+|another\s+|a\s+|an\s+|once\s+)?(?:(?:same|full|whole)\s+)?$")


def _repeat_doses(sc: Scan, results: dict[int, DoseFinding], srcs: list[Scan]) -> None:
    """A repeat dose ("Repeat the 825 mg") of a drug whose cited row gives its repeat dose ("550 – 825 mg at onset;
    can repeat 220 mg in 3 – 4 hours") must be that repeat dose: the onset dose it also states does not ground it."""
    for i, f in list(results.items()):
        a = sc.amounts[i]
        s_start = sc.sentences[a.sentence][0]
        if f.verdict not in PASSING_VERDICTS or not f.drug or a.info is None \
                or not _REPEAT_BEFORE.search(sc.text[max(s_start, a.start - 40):a.start]):
            continue
        theirs = []
        for src in srcs:
            for b in src.amounts:
                if b.info is None or b.info.dim != a.info.dim:
                    continue
                line_start = src.text.rfind("\n", 0, b.start) + 1
                if not any(d.canonical == f.drug and line_start <= d.start < b.start for d in src.drugs):
                    continue
                if _REPEAT_BEFORE.search(src.text[max(line_start, b.start - 40):b.start].replace("can ", "")):
                    theirs.append(b)
        if not theirs or any(b.canon[0] - 1e-9 <= a.canon[0] and a.canon[1] <= b.canon[1] + 1e-9 for b in theirs):
            continue
        results[i] = f.model_copy(update={
            "verdict": "out_of_range", "message": f"A repeat dose of {a.text.strip()}: the cited passage's repeat dose "
                                                  f"of {f.drug} is {' or '.join(b.text.strip() for b in theirs)}."})


_COUNT_WORDS = {"one": 1, "a": 1, "an": 1, "single": 1, "two": 2, "three": 3, "four": 4, "2": 2, "3": 3, "4": 4, "1": 1}
_TABLETS = re.compile(r"(?i)\b(?P<n>one|a|an|single|two|three|four|[1-4])\s+(?:tablets?|tabs?|capsules?|caps)\b")


def _count_contents(sc: Scan, results: dict[int, DoseFinding], srcs: list[Scan]) -> None:
    """What a count of a combination's tablets holds ("Two tablets deliver 500 mg acetaminophen, 500 mg aspirin and
    130 mg caffeine"), where the cited row gives one tablet's strengths ("Acetaminophen 250 mg/ aspirin 250 mg/caffeine
    65 mg"): an amount that is the count times its own component's strength is grounded (the component named right
    after the amount, else before it)."""
    strengths: dict[str, list[float]] = {}
    for src in srcs:
        for j, b in enumerate(src.amounts):
            if b.info is None or b.info.dim != "mass" or b.is_range:
                continue
            # One tablet's strengths are written joined by '/' ("Acetaminophen 250 mg/ aspirin 250 mg/caffeine 65 mg").
            joined = (j + 1 < len(src.amounts) and re.fullmatch(r"\s*/\s*[A-Za-z -]{0,30}", src.text[b.end:src.amounts[j + 1].start])) \
                or (j > 0 and re.fullmatch(r"\s*/\s*[A-Za-z -]{0,30}", src.text[src.amounts[j - 1].end:b.start]))
            if not joined:
                continue
            first = j
            while first > 0 and re.fullmatch(r"\s*/\s*[A-Za-z -]{0,30}", src.text[src.amounts[first - 1].end:src.amounts[first].start]):
                first -= 1
            if _TABLETS.search(src.text[max(0, src.amounts[first].start - 60):src.amounts[first].start]):
                continue  # "2 tablets twice daily (Naltrexone 16 mg/bupropion 180 mg)": what a count holds, not one tablet
            before = [d for d in src.drugs if 0 <= b.start - d.end <= 2]
            if before:
                strengths.setdefault(before[-1].canonical, []).append(b.canon[0])
            elif word := re.search(r"([A-Za-z]{4,})\s*$", src.text[max(0, b.start - 30):b.start]):
                strengths.setdefault(word.group(1).lower(), []).append(b.canon[0])  # a component no dictionary lists
    if not strengths:
        return
    for k, (s_start, s_end) in enumerate(sc.sentences):
        m = _TABLETS.search(sc.text[s_start:s_end])
        if m is None:
            continue
        n = _COUNT_WORDS[m.group("n").lower()]
        for i, a in enumerate(sc.amounts):
            f = results.get(i)
            if a.sentence != k or f is None or f.verdict != "ungrounded" or a.info is None or a.info.dim != "mass" \
                    or a.is_range or a.start < s_start + m.end():
                continue
            after = [d for d in sc.drugs if 0 <= d.start - a.end <= 2]
            word = re.match(r"\s*([A-Za-z]{4,})", sc.text[a.end:a.end + 30])
            drug = after[0].canonical if after else word.group(1).lower() if word and word.group(1).lower() in \
                strengths else f.drug
            if drug and any(abs(n * v - a.canon[0]) <= 0.01 * a.canon[0] for v in strengths.get(drug, ())):
                results[i] = f.model_copy(update={
                    "drug": drug, "verdict": "grounded",
                    "message": f"{m.group(0)} of the cited product hold {a.text.strip()} of {drug}."})


def _passage_framing(sc: Scan, results: dict[int, DoseFinding], srcs: list[Scan], negated: set[int]) -> None:
    """A dose grounded by the value its passage states, where the passage frames it otherwise: only as a reference
    point for another use ("lower than the FDA-recommended dosage of 150-800 mg/day"), or run for fewer hours before or
    after a procedure than the passage gives for that rate."""
    for i, f in list(results.items()):
        if f.verdict not in PASSING_VERDICTS or i in negated:
            continue
        a = sc.amounts[i]
        if f.verdict == "grounded" and not is_reference_point(sc, a) and stated_as_reference(a, srcs):
            results[i] = f.model_copy(update={
                "verdict": "ungrounded", "message": "The cited passage gives this dose only as a reference point for "
                                                    "another use (a dose it compares with), not as the dose for this."})
        elif why := shorter_than_sources(sc, a, srcs):
            results[i] = f.model_copy(update={"verdict": "out_of_range", "message": f"Course too short: {why}."})


def _chain(sc: Scan, k: int) -> int:
    """The first sentence of the run of ';'-joined sentences holding sentence k (one sentence of prose)."""
    while k > 0 and sc.text[sc.sentences[k - 1][0]:sc.sentences[k - 1][1]].rstrip().endswith(";"):
        k -= 1
    return k


def _worked_totals(book: RuleBook, sc: Scan, results: dict[int, DoseFinding], totals: dict[int, int],
                   overrides: dict[int, DoseFinding], rejudge) -> None:
    """A total worked out for the patient's weight from the per-kg dose stated beside it ("at 0.4 g/kg that is about
    30 g" for 74 kg, "32 g, which the calculator rounds to 30 g") is as right as that per-kg dose: the cross-check
    found the arithmetic to hold. Only a failure for want of a rule or passage holding the total itself is lifted."""
    for i, j in totals.items():
        mine, theirs = results.get(i), results.get(j)
        if mine is None or theirs is None or i in overrides or mine.verdict in PASSING_VERDICTS \
                or theirs.verdict not in PASSING_VERDICTS or not _rule_failure(book, mine) or is_negated(sc, sc.amounts[i]):
            continue
        t, u = sc.amounts[i].cadence, sc.amounts[j].cadence
        if not t.bare and (t.kind, t.interval, t.duration, t.infusion) != (u.kind, u.interval, u.duration, u.infusion):
            if not u.bare:
                continue
            # "1 g/kg = 90 g daily for 5 days": the total says how often; the per-kg dose is judged with it.
            theirs = rejudge(j, replace(sc.amounts[j], cadence=t))
            if theirs is None or theirs.verdict not in PASSING_VERDICTS:
                continue
        results[i] = mine.model_copy(update={
            "verdict": theirs.verdict, "rule_id": theirs.rule_id, "source": theirs.source,
            "message": f"{sc.amounts[i].text.strip()} is {sc.amounts[j].text.strip()} for the patient's weight; "
                       f"{theirs.message}"})


@lru_cache(maxsize=1)
def _split_words() -> re.Pattern:
    data = yaml.safe_load(_WORDED_FILE.read_text(encoding="utf-8"))
    return re.compile(r"(?i)\b(?:" + "|".join(r"\s+".join(map(re.escape, w.split())) for w in data["split"]) + r")\b")


_DAY_MARK = re.compile(r"(?i)^\s*(?:\(\s*)?(?:on\s+|for\s+)?(?:day|d)\s*\d\b")


def _day_parts(book: RuleBook, sc: Scan, results: dict[int, DoseFinding], ctx: Scan | None) -> None:
    """A dose split over days, each part marked with its day ("Split it: 92 g on day 1 and 92 g on day 2"): when every
    part alone is a whole dose of one per-dose rule whose range cannot hold so many of them (1 g/kg twice is 2 g/kg),
    the parts do not add up to the dose: each is withheld."""
    where = " ".join(filter(None, (ctx.text if ctx is not None else None,)))
    for k, (s_start, s_end) in enumerate(sc.sentences):
        sentence = sc.text[s_start:s_end]
        if not _split_words().search(sentence) and not _split_words().search(where):
            continue
        parts = [i for i, a in enumerate(sc.amounts) if a.sentence == k and i in results and not a.is_range
                 and _DAY_MARK.match(sc.text[a.end:a.end + 16])]
        if len(parts) < 2:
            continue
        ids = {results[i].rule_id for i in parts}
        if len(ids) != 1 or None in ids or any(results[i].verdict != "verified" for i in parts):
            continue
        norm = next((n for n in book.norm if n.rule.id == next(iter(ids))), None)
        if norm is None or norm.rule.per != "dose" or norm.lo is None or norm.hi is None:
            continue
        if len(parts) * norm.lo <= norm.hi * 1.03:
            continue
        for i in parts:
            results[i] = results[i].model_copy(update={
                "verdict": "out_of_range",
                "message": f"{len(parts)} parts of {sc.amounts[i].text.strip()} on separate days are {len(parts)} times "
                           f"the whole dose of rule {norm.rule.id}: split, each day's part is the dose divided by "
                           f"{len(parts)}."})


def _split_parts(book: RuleBook, sc: Scan, results: dict[int, DoseFinding]) -> None:
    """"1 g/kg every 3 weeks, which may be split into two infusions of 0.5 g/kg": a part is right when the parts add up
    to the dose before it and that dose's rule allows so many infusions; parts that do not add up are wrong."""
    for i, a in enumerate(sc.amounts):
        if not a.parts or i not in results or a.info is None or a.problem:
            continue
        whole = next((k for k in range(i - 1, -1, -1) if k in results and sc.amounts[k].sentence in (a.sentence, a.sentence - 1)
                      and sc.amounts[k].info and sc.amounts[k].info.dim == a.info.dim and not sc.amounts[k].parts
                      and not sc.amounts[k].problem), None)
        if whole is None:
            continue
        b, mine = sc.amounts[whole], results[i]
        (lo, hi), (wlo, whi) = a.canon, b.canon
        if not (abs(lo * a.parts - wlo) <= 0.03 * wlo and abs(hi * a.parts - whi) <= 0.03 * whi):
            results[i] = mine.model_copy(update={
                "verdict": "out_of_range", "message": f"{a.parts} parts of {a.text.strip()} make "
                f"{fmt(lo * a.parts / a.info.factor)} {a.unit}, not the {b.text.strip()} they divide."})
            continue
        found = results[whole]
        rule = next((r for r in book.rules if r.id == found.rule_id), None)
        if found.verdict in PASSING_VERDICTS and rule is not None and (rule.max_parts or 1) >= a.parts:
            results[i] = mine.model_copy(update={
                "verdict": found.verdict, "rule_id": found.rule_id, "source": found.source,
                "message": f"{b.text.strip()} in {a.parts} infusions of {a.text.strip()}, as rule {rule.id} allows."})


# What says that a figure is worked out from the dose before it: "666 mg three times daily comes to 1,998 mg per day",
# "2 tablets twice daily gives naltrexone 32 mg ... a day".
_WORKS_OUT = re.compile(r"(?i)\b(?:gives?|giving|comes?\s+to|coming\s+to|amounts?\s+to|equals?|totals?|totalling|totaling"
                        r"|making|makes|is|are|that\s+is|i\.e\.|which\s+is|for\s+a\s+total\s+of|or)\b|=|≈|→")
_PER_DAY = re.compile(r"(?i)^[^.;]{0,40}?(?:\b(?:a|per|each|in\s+a)\s+day\b|/\s*day\b|\bdaily\s+total\b|\btotal\s+daily\b)")


def _day_totals(sc: Scan, results: dict[int, DoseFinding], scopes: dict[int, Scope], book: RuleBook,
                counted) -> None:
    """A day's total worked out from a dose repeated within the day that is right ("666 mg three times daily comes to
    1,998 mg per day"; "2 tablets twice daily gives naltrexone 32 mg ... a day" for 8 mg tablets) is as right as that
    dose: it holds only when the sum does (the dose times its doses a day, to rounding)."""
    # A strength given so many units at a time ("160/4.5, 2 puffs bid") is that many times the strength per dose.
    doses = [(a.start, a.end, results[k], {None: a.canon[0] * unit_count(sc, a)[0]} if not a.is_range and
              unit_count(sc, a)[0] == unit_count(sc, a)[1] else None, a.cadence.interval, a.sentence)
             for k, a in enumerate(sc.amounts) if k in results and results[k].verdict in PASSING_VERDICTS
             and a.info is not None and a.info.dim == "mass"]
    for c in counted:
        if c.finding.verdict in PASSING_VERDICTS and c.amount.low == c.amount.high:
            units = c.amount.canon[0] / next(iter(c.parts.values()))  # the count: the first part's dose per unit
            doses.append((c.amount.start, c.amount.end, c.finding, {d: v * units for d, v in c.parts.items()},
                          c.amount.cadence.interval, c.amount.sentence))
    for i, a in enumerate(sc.amounts):
        mine = results.get(i)
        if mine is None or mine.verdict in PASSING_VERDICTS or a.info is None or a.info.dim != "mass" or a.is_range \
                or not _rule_failure(book, mine) or is_negated(sc, sc.amounts[i]):
            continue
        s_end = sc.sentences[a.sentence][1]
        if not (a.info.per == "day" or a.cadence.interval == (1.0, 1.0) and not once_daily(a.cadence.text, sc.text, a.end)
                or _PER_DAY.match(sc.text[a.end:s_end])):
            continue
        drug = scopes[i].drug if i in scopes else None
        for start, end, f, values, t, sentence in doses:
            if sentence != a.sentence or end > a.start or values is None or not t or t[0] != t[1] or t[0] >= 1 \
                    or not _WORKS_OUT.search(sc.text[end:a.start]):
                continue
            value = values.get(None, values.get(drug))
            if value is None:
                continue
            expected = value / t[0]
            if abs(a.canon[0] - expected) <= max(0.02 * expected, 0.5 * 10.0 ** -a.decimals * a.info.factor):
                results[i] = mine.model_copy(update={
                    "verdict": f.verdict, "rule_id": f.rule_id, "source": f.source,
                    "message": f"{a.text.strip()} is a day of {f.text.strip()} ({fmt(round(1 / t[0]))} doses a day); "
                               f"{f.message}"})
                break


def _count_totals(sc: Scan, results: dict[int, DoseFinding], scopes: dict[int, Scope], counted,
                  extra: list[DoseFinding]) -> None:
    """A count summed from counts before it ("2 tabs AM + 1 tab PM = 3 tabs") holds when the sum does and its parts
    pass; the amounts it works out to right after ("so naltrexone 24 mg / bupropion 270 mg per day", 8 mg/90 mg
    tablets) are as right as it when they are the count times each part's strength."""
    for c in counted:
        a = c.amount
        s_start = sc.sentences[a.sentence][0]
        if not re.search(r"=\s*$", sc.text[s_start:a.start]) or a.low != a.high:
            continue
        parts = [o for o in counted if o.amount.sentence == a.sentence and o.amount.end <= a.start]
        if len(parts) < 2 or any(o.amount.low != o.amount.high for o in parts) or not all(
                "+" in sc.text[parts[j].amount.end:parts[j + 1].amount.start] for j in range(len(parts) - 1)):
            continue
        n = float(c.finding.value) if not isinstance(c.finding.value, list) else None
        if n is None:
            continue
        summed = sum(float(o.finding.value) for o in parts if not isinstance(o.finding.value, list))
        added = abs(summed - n) < 1e-9
        holds = added and all(o.finding.verdict in PASSING_VERDICTS for o in parts)
        verdict = "grounded" if holds else "ungrounded" if added else "out_of_range"
        message = (f"{a.text} is the sum of {' + '.join(o.amount.text for o in parts)}, each stated in the cited passage."
                   if holds else f"{a.text} is the sum of {' + '.join(o.amount.text for o in parts)}, which the cited "
                                 f"passage does not give." if added else
                   f"Arithmetic does not hold: {' + '.join(o.amount.text for o in parts)} is not {a.text}.")
        for k, f in enumerate(extra):
            if f.start == c.finding.start and f.end == c.finding.end:
                extra[k] = f.model_copy(update={"verdict": verdict, "message": message})
        for i, b in enumerate(sc.amounts):
            f = results.get(i)
            if f is None or b.sentence != a.sentence or b.start < a.end or b.info is None or b.info.dim != "mass" \
                    or b.is_range or not (_WORKS_OUT.search(sc.text[a.end:b.start])
                                          or re.search(r"(?i)\bso\b", sc.text[a.end:b.start])):
                continue
            drug = scopes[i].drug if i in scopes else None
            per = c.parts.get(drug) if drug else None
            if per is None:
                continue
            expected = n * per
            if abs(b.canon[0] - expected) <= 0.02 * expected:
                results[i] = f.model_copy(update={"verdict": verdict, "message": f"{b.text.strip()} is {a.text} of "
                                                  f"{fmt(per / b.info.factor)} {b.unit.split('/')[0]} ({drug}); {message}"})


def check_text(text: str, rulebook: RuleBook, *, weight_kg: float | None = None, sources: list[str] | None = None,
               context: str | None = None, frame: AnswerContext | None = None) -> list[DoseFinding]:
    """Every dose in text with its verdict; sources are the cited passages, context e.g. the question, frame what
    the answer is about."""
    if not text or not text.strip():
        return []
    found = _check(text, rulebook, weight_kg=weight_kg, sources=sources, context=context, frame=frame)
    spans = ambiguous_spans(text, scan_text(text, rulebook.lexicon).amounts)
    return both_readings(text, found, spans, lambda t: _check(t, rulebook, weight_kg=weight_kg, sources=sources,
                                                              context=context, frame=frame))


# A comparison closing a dose's clause ("up to 540 mg a day, same as diltiazem SR", "up to 6 mg/day like the oral
# tablets"): what the dose is likened to, not what it is for.
_COMPARED = re.compile(r"(?i)(?<=[\s,])(?:(?:just\s+|exactly\s+)?(?:the\s+)?same\s+as|(?:just\s+)?like|similar\s+to|"
                       r"as\s+(?:for|with)|unlike|(?:less|more|lower|higher)\s+than|compared\s+(?:with|to)|versus|vs\.?)\s+(?:the\s+|a\s+|an\s+)?[^,;.:()\d]{2,40}?(?=\s*(?:[,;.:)]|$))")


# "Add IVIG to the steroid: 1 g/kg": the drug added to is the patient's background, the dose is the added drug's.
_ADDED_TO = re.compile(r"(?i)\b(?:add|adds|adding|added)\s+(?:the\s+|an?\s+)?(?!up\b|it\b|them\b)[A-Za-z][\w-]*"
                       r"(?P<to>\s+(?:to|onto|on\s+top\s+of)\s+(?:the\s+|his\s+|her\s+|their\s+|current\s+|ongoing\s+)*"
                       r"[A-Za-z][\w-]*)(?![\w-])")


def _without_comparisons(text: str) -> str:
    """The text with each comparison after a dose blanked out (same length, so spans hold): "540 mg a day, same as
    diltiazem SR" is a dose of the answer's drug, which the question names."""
    out = text
    for m in _COMPARED.finditer(text):
        if re.search(r"\d\s*(?:[a-zµ%/]+[\w/]*)?(?:\s+(?:a|per|each)\s+\w+)?[\s,]*$", text[:m.start()]):
            out = out[:m.start()] + " " * (m.end() - m.start()) + out[m.end():]
    for m in _ADDED_TO.finditer(out):
        out = out[:m.start("to")] + " " * (m.end("to") - m.start("to")) + out[m.end("to"):]
    return out


def _check(text: str, rulebook: RuleBook, *, weight_kg: float | None, sources: list[str] | None,
           context: str | None, frame: AnswerContext | None) -> list[DoseFinding]:
    lex = rulebook.lexicon
    if context and (frame is not None and frame.drug or scan_text(context, lex).drugs):
        text = _without_comparisons(text)
    sc = scan_text(text, lex)
    ctx = scan_text(context, lex) if context else None
    if sources is not None:
        # A passage may carry the guideline it comes from ("[source: <title> | <section>]"): when a cited guideline is
        # about the condition the text (or its question) names, another condition's guideline does not ground it.
        # The question's condition is the answer's: a text justifying a dose by another condition's label ("that's the
        # max for depression, so fine for OA too") does not bring that condition's guideline in.
        named_topics = topics(" ".join(filter(None, (context, frame.indication if frame else None)))) or topics(text)
        keep = preferred_sources(sources, named_topics)
        # The table's purpose likewise: the acute regimen does not ground a dose for prevention.
        keep = [k and p for k, p in zip(keep, purpose_sources(sources, purposes(context or "")))]
        sources = [with_column_units(unwrapped(split_passage(p)[1])) for p, ok in zip(sources, keep) if ok]
    srcs = [scan_text(s, lex) for s in sources] if sources is not None else None
    # "Arnuity Ellipta" where the passage names "Fluticasone furoate DPI (ARNUITY ELLIPTA)": the brand names its drug.
    if brands := passage_brands(srcs):
        sc, ctx = with_passage_brands(sc, brands), with_passage_brands(ctx, brands)
    if ctx is not None and _ASKS_MAX.search(ctx.text):
        sc = _answers_max(sc, sources)
    answer_drug = frame.drug if frame is not None and frame.drug else (
        ctx.drugs[0].canonical if ctx is not None and len({d.canonical for d in ctx.drugs}) == 1 else None)
    # "Increase to 11.25/69 x 14 days" about Qsymia: a combination's strengths without their unit are its doses.
    sc = with_bare_pairs(sc, answer_drug or next((d.canonical for d in sc.drugs if components(d.canonical)), None), srcs)
    # "2.5 mg/3 mL: one vial q6-8h": the cadence read after the strength's volume is the strength's (in the text and
    # in the passages alike).
    sc = _strength_cadence(sc)
    srcs = [_strength_cadence(src) for src in srcs] if srcs is not None else None
    calc = calculations(sc)
    scopes: dict[int, Scope] = {}
    results: dict[int, DoseFinding] = {}
    lab_drugs = {n.rule.drug for n in rulebook.norm if n.family == "lab"}
    named = {d.canonical for d in sc.drugs} | ({d.canonical for d in ctx.drugs} if ctx else set()) | (
        {frame.drug} if frame and frame.drug else set())
    ig_context = bool(named & rulebook.modified_drugs or ctx and ctx.indications or frame and frame.indication)
    # Premedication rules speak for acetaminophen next to IVIG; beside a cited passage about a headache they do not.
    alongside = srcs is None or bool(named & rulebook.modified_drugs) or bool(
        _PREMEDICATION.search(text + " " + (context or "")))
    operands: dict[int, DoseFinding | None] = {}  # a calculation's numbers: judged, not reported (its result is)
    # The lab levels the question reports ("trough 720 mg/dL"): a text restating one in other units restates the patient's.
    patient_levels = tuple(b.canon for b in ctx.amounts if b.info is not None and not (b.problem or b.comparator or b.is_max)
                           and family_of(b, ctx, ig_context) == "lab") if ctx is not None else ()
    # The circumstances the question names (renal impairment, an age) are the patient's: a passage dose stated for them
    # is the dose for this answer's patient too.
    # A circumstance named only by a normal measured value ("CrCl 90") is not one.
    asked = frozenset(name for name, pattern in lex.qualifiers if pattern.search(ctx.text)
                      and not only_normal(name, pattern, ctx.text)) if ctx else frozenset()
    # The patient's own age in the question ("8 yo, Flovent HFA"): a passage row for other ages does not ground.
    asked |= frozenset(q for q in age_qualifiers(ctx.text) if q.startswith("age=")) if ctx else frozenset()
    asked |= older_adult(asked)  # a 78-year-old is the passage's "geriatric" patient
    if sex := patient_sex(" ".join(filter(None, (context, text)))):
        asked |= {f"sex={sex}"}  # "for a 35 yo man": a passage row for females only does not ground his dose
    # A text that applies a conversion factor the rules give is about that conversion ("Hizentra: 30 ÷ 4 × 1.37"):
    # the conversion's own rules (its worked example) speak for its doses, as if the conversion were named.
    extra = _negated_factors(rulebook, sc, factor_findings(rulebook, sc, ctx)) + obesity_weight(rulebook, sc, ctx) + \
        timing_findings(rulebook, sc, ctx) + _trial_lengths(sc, srcs, lex, answer_drug) + \
        dose_count_findings(sc, srcs, lex, answer_drug)
    extra += target_findings(sc, srcs, lex) + goal_findings(sc, sources, context) + \
        exclusion_findings(sc, sources, context, lex) + passage_times(sc, srcs, lex, {f.start for f in extra}) + \
        weight_basis_findings(sc, srcs) + threshold_findings(sc, srcs, lex) + molar_findings(sc)
    counted = count_doses(sc, srcs, lex, answer_drug, asked)
    extra += [c.finding for c in counted]
    converting = frozenset(rule.indication for f in extra if f.verdict == "verified" and f.unit == "1" and f.rule_id
                           and (rule := rulebook.rule(f.rule_id)) is not None and not is_disease(rule.indication)
                           and rule.indication != "any")
    if SWITCH_TO_SCIG.search(" ".join(filter(None, (context, text)))) and any(
            n.rule.indication == "ivig_to_scig" for n in rulebook.norm):
        converting |= {"ivig_to_scig"}  # "Switching a 75 kg woman on IVIG 30 g q4w to Hizentra": the conversion's
    for i, a in enumerate(sc.amounts):
        if "rounding" in a.flags:
            continue  # "rounded to the nearest 5 g": a rounding step, checked with the dose it rounds
        if _composition(sc, a):
            continue  # "Cafergot (ergotamine 1 mg/caffeine 100 mg)": what one tablet holds, not a dose
        if _strength_volume(sc, i):
            continue  # "albuterol 2.5 mg/3 mL": the volume one vial holds, not a dose
        fam = family_of(a, sc, ig_context) if a.info else "dose"
        if fam in ("other", "concentration"):
            continue
        dims = {a.info.dim, a.info.dim.replace("/bw", "")} if a.info else set()

        def fits(d: str, f=fam, ds=dims) -> bool:
            return any(n.dim.replace("/bw", "") in ds or n.dim in ds for n in rulebook.for_drug(d, f))

        def fallback(named: frozenset[str], f=fam, dim=a.info.dim if a.info else None) -> str | None:
            # No drug named: the one drug with rules for the disease named, else the one drug dosed in this unit.
            sole = [d for d in rulebook.by_drug if any(n.dim in (dim, per_kg_dim(dim or "")) for n in
                                                        rulebook.for_drug(d, f))]
            return rulebook.drug_for(named) or (sole[0] if len(sole) == 1 else None)

        scope = replace(scope_for(sc, a, ctx, weight_kg, fits, frame, rulebook.brands, fallback), alongside=alongside,
                        asked=asked)
        if converting:
            scope = replace(scope, indications=scope.indications | converting)
        if a.is_max and a.info and not rulebook.limits(scope.drug, a.info.dim) and not _names_own_drug(sc, a, scope.drug) and (limited := [
                d.canonical for d in sc.in_sentence(sc.drugs, a.sentence) if rulebook.limits(d.canonical, a.info.dim)]):
            scope = replace(scope, drug=limited[0])  # "acetaminophen before IVIG, within the 4 g daily limit"
        if scope.drug is None and (same := next((scopes[k] for k in sorted(scopes, reverse=True)
                                                 if sc.amounts[k].sentence == a.sentence and scopes[k].drug), None)):
            scope = replace(scope, drug=same.drug)  # "so 0.4 g/kg gives 32 g": one sentence, one drug
        if fam == "lab":
            drug = scope.drug if scope.drug in lab_drugs else next(iter(lab_drugs)) if len(lab_drugs) == 1 else None
            scope = replace(scope, drug=drug, lab_kind=lab_kind(sc, a))
        found = _judge_amount(rulebook, sc, i, fam, scope, srcs, calc.lhs_starts, patient_levels)
        if i in calc.operands:
            operands[i] = found
            continue
        scopes[i] = scope
        if found is not None:
            results[i] = found
    extra += rounding_findings(rulebook, sc, named | {s.drug for s in scopes.values() if s.drug})
    # Cross-checks override an amount's own verdict (keeping what the amount itself says: drug, cadence, flags).
    totals: dict[int, int] = {}
    overrides = cross_checks(rulebook, sc, scopes, calc.operands, ctx, totals)
    overrides |= {i: f for i, f in scig_conversion(rulebook, sc, scopes).items() if i not in overrides}
    for (kind, idx), (verdict, why) in calc.problems.items():
        if kind == "amount" and idx in results:
            overrides[idx] = finding(sc, sc.amounts[idx], scopes.get(idx), verdict, f"Arithmetic does not hold: {why}.")
        elif kind == "weight":
            w = sc.weights[idx]
            extra.append(DoseFinding(text=sc.text[w.start:w.end], start=w.start, end=w.end, value=w.kg, unit="kg",
                                     per_kg=False, verdict=verdict, message=f"Arithmetic does not hold: {why}."))
    for i, f in overrides.items():
        if i in results:
            mine = results[i]
            results[i] = f.model_copy(update={"drug": mine.drug, "frequency": mine.frequency, "flags": mine.flags,
                                              "rule_id": f.rule_id or mine.rule_id, "source": f.source or mine.source})
    _restated_rates(rulebook, sc, ctx, results, overrides)

    def rejudge(k: int, a: Amount) -> DoseFinding | None:
        if k not in scopes:
            return None
        return judge(rulebook, sc, a, scopes[k], family_of(a, sc, ig_context) or "dose", srcs)

    _worked_totals(rulebook, sc, results, totals, overrides, rejudge)
    conversion_chain(rulebook, sc, scopes, results, extra)
    _worked_out(sc, calc, results, operands, extra)
    given = [x for x in (ctx, *(srcs or [])) if x is not None]
    patient = {w.kg for w in ctx.weights} if ctx is not None else set()
    patient |= {weight_kg} if weight_kg else set()
    patient |= {frame.weight_kg} if frame is not None and frame.weight_kg else set()
    _worked_from_given(rulebook, sc, calc, results, operands, given, patient)
    _worded_operations(sc, results, given)
    if srcs:
        _passage_conversions(sc, results, srcs)
    _split_parts(rulebook, sc, results)
    _day_parts(rulebook, sc, results, ctx)
    _day_totals(sc, results, scopes, rulebook, counted)
    _count_totals(sc, results, scopes, counted, extra)
    _strength_volumes(sc, results)
    _restatements(sc, results, ctx)
    ceilings_below_doses(sc, results, scopes)
    intake_over_ceiling(rulebook, sc, ctx, results, scopes)
    percent_changes(rulebook, sc, ctx, results, scopes, srcs)
    negated = {i for i in results if is_negated(sc, sc.amounts[i])}
    for i in sorted(negated):
        f = results[i]
        fam = family_of(sc.amounts[i], sc, ig_context) or "dose"
        instead = any(k not in negated and sc.amounts[k].sentence == sc.amounts[i].sentence and g.drug == f.drug
                      and g.verdict in PASSING_VERDICTS for k, g in results.items())
        ruled = _ruled_out(rulebook, sc, i, f, scopes.get(i), fam, srcs, {k: v.phase for k, v in scopes.items()})
        results[i] = negation_verdict(sc, sc.amounts[i], ruled, sources, replaced_by_dose=instead)
        scope = scopes.get(i)
        if results[i].verdict not in PASSING_VERDICTS and scope is not None and scope.drug \
                and not rulebook.by_drug.get(scope.drug) and srcs and not in_sources(
                    sc.amounts[i], srcs, scope.age, scope.drug, rulebook.lexicon, start=scope.start,
                    quals=own_quals(sc, sc.amounts[i], rulebook.lexicon, scope.drug, scope.asked)) and any(
                k not in negated and _chain(sc, sc.amounts[k].sentence) == _chain(sc, sc.amounts[i].sentence)
                and g.drug == f.drug and g.verdict == "grounded" for k, g in results.items()):
            # A drug with no rules: "Don't start sertraline at 200 mg; start at 50 mg daily" rules out a dose the cited
            # passage does not give for this (its population and circumstances: "in older adults ... instead of 50 mg",
            # the adults' dose), and gives the dose the passage states in its place.
            results[i] = results[i].model_copy(update={
                "verdict": "grounded", "message": "A dose the sentence rules out, which the cited passage does not "
                                                  "give; the dose it puts in its place is the passage's."})
    if srcs:
        _passage_framing(sc, results, srcs, negated)
        _repeat_doses(sc, results, srcs)
        _count_contents(sc, results, srcs)
    return sorted([*results.values(), *extra], key=lambda f: (f.start, f.end))
