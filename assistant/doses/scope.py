"""What each amount is about: its family (dose, rate, lab), drug, indications, population, route and weight."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.doses.authorities import attributed
from assistant.doses.lexicon import Mention
from assistant.doses.context import AnswerContext
from assistant.doses.indications import diseases, is_disease
from assistant.doses.matching import Scope, source_text
from assistant.doses.parse import Amount, Scan
from assistant.doses.rules import NormRule
from assistant.models import DoseFinding

_IGG = re.compile(r"(?i)\bIgG\b|\btrough|\blevels?\b|\bserum\b|gamma ?globulin|\bthreshold")
_IG_DRUG = re.compile(r"(?i)immunoglobulin|immune globulin|\bIVI[Gg]\b|\bSCI[Gg]\b")
_OTHER_ANALYTE = re.compile(r"(?i)\b(?:creatinine|glucose|sodium|potassium|h(?:a)?emoglobin|Hb|albumin|cholesterol|"
                            r"LDL|HDL|triglycerides?|bilirubin|urea|BUN|protein(?:uria)?|IgA|IgM|IgE|ferritin|CRP|"
                            r"lactate|calcium|magnesium|phosphate|fibrinogen|uric acid|viscosity)\b")
# What a lab value is for: a threshold to start treatment, or a trough level to keep. The cue nearest it decides.
_LAB_KINDS = (("threshold", re.compile(r"(?i)\bthreshold|\bcut-?off|\bcriteri|\beligib|\bqualif|\bstart|\bbegin"
                                      r"|\binitiat|\bconsider")),
              ("lab_target", re.compile(r"(?i)\btrough|\btarget|\baim|\bmaintain|\bkeep|\bgoal")))
_DOSE_DIMS = {"mass", "mass/bw", "mass/bsa", "volume", "volume/bw", "iu", "iu/bw", "iu/bsa"}


def _unique(items) -> str | None:
    values = {i.canonical if isinstance(i, Mention) else i for i in items}
    return values.pop() if len(values) == 1 else None


_START = re.compile(r"(?i)\b(start\w*|initial(?:ly)?|begin\w*|first\s+\d+\s+min\w*|commence\w*|at\s+first)\b"
                    r"[^.;,]{0,40}$")
_AFTER_FIRST = re.compile(r"(?i)\b(?:after|beyond|past|following)\s+(?:the\s+)?(?:first\s+\d+\s+min\w*|start\w*"
                          r"|initial\s+\w+)$")
_START_AFTER = re.compile(r"(?i)^[^.;]{0,30}?\b(?:for\s+the\s+first\s+\d+\s+min\w*|to\s+start|at\s+first|initially)\b")
_THEN_RATE = re.compile(r"(?i)[^.;]{0,60}?\b(?:then|followed\s+by|before\s+(?:increasing|titrating))\b[^.;]{0,40}?\d")
_TITRATION = re.compile(r"(?i)\b(?:increas\w*|titrat\w*|maxim\w*|up\s+to|advanc\w*|escalat\w*|then|tolerat\w*)\b")


# A change of product: the labels restart the infusion at the lowest initial rate, so a rate given with it is a start.
_SWITCH_PRODUCT = re.compile(r"(?i)\b(?:switch\w*|chang\w*)\s+(?:of\s+)?(?:the\s+)?(?:IVIG\s+|Ig\s+|immunoglobulin\s+)?"
                             r"(?:products?|brands?)\b|\b(?:new|another|different)\s+(?:IVIG\s+)?(?:product|brand)\b")


def _is_start(sc: Scan, a: Amount, ctx: Scan | None) -> bool:
    """A starting rate: said so before it ('start at'), after it ('for the first 30 minutes'), asked for, or given
    where the product changes ('when switching IVIG products ... 8 mg/kg/min')."""
    s_start, s_end = sc.sentences[a.sentence]
    k = a.sentence
    while k > 0 and sc.text[sc.sentences[k - 1][0]:sc.sentences[k - 1][1]].rstrip().endswith(";"):
        k -= 1
    if a.info is not None and a.info.dim.endswith("/time") and _SWITCH_PRODUCT.search(sc.text[sc.sentences[k][0]:s_end]):
        return True
    before = _START.search(sc.text[s_start:a.start])
    if before and _AFTER_FIRST.search(sc.text[s_start:s_start + before.start() + len(before.group(1))]):
        before = None  # "increased after the first 30 minutes up to 6 mL/kg/h": past the start, not the start
    if before or _START_AFTER.search(sc.text[a.end:s_end]):
        return True
    if a.info is not None and a.info.dim.endswith("/time") and _THEN_RATE.match(sc.text, a.end, s_end) and not any(
            b.info is not None and b.info.dim.endswith("/time") and b.end <= a.start for b in sc.in_sentence(sc.amounts, a.sentence)):
        return True  # "0.5 mL/kg/h for 3 hours, then up to 6 mL/kg/h": the first rate of a titration is its start
    sentence = sc.text[s_start:s_end]
    return ctx is not None and bool(re.search(r"(?i)\b(?:initial|starting|start)\b", ctx.text)) \
        and not _TITRATION.search(sentence)


# "acetaminophen before IVIG: 650 mg": a drug named in a phrase of time is when the dose is given, not what is dosed.
_WHEN = re.compile(r"(?i)\b(?:before|after|prior\s+to|ahead\s+of|during|following|alongside|around)\s+(?:the\s+|each\s+"
                   r"|an?\s+|every\s+|starting\s+)?$")


# "rizatriptan in a patient taking propranolol: 10 mg": a drug the patient takes alongside is a circumstance of the dose.
_TAKING = re.compile(r"(?i)\b(?:taking|takes|took|on|receiving|receives|using|uses|while\s+on|in\s+combination\s+with|co-?administered\s+with"
                     r"|plus|with)\s+(?:a\s+|an\s+)?$")


# The words between a dose and the drug named right after it as its own: "50 mg of oral X", "the 5 mg dose of X".
FOLLOW = re.compile(r"(?i)\s*(?:(?:dose|doses|tablets?|capsules?)\s+)?(?:of\s+)?(?:(?:oral|iv|intravenous|subcutaneous)\s+)?")


def named_for(sc: Scan, a: Amount, before: list[Mention]) -> list[Mention]:
    """The drug named right after an amount as the one it is for ("the maximum daily dose for ibuprofen is 3,200 mg and
    1,000-1,500 mg for naproxen"), when the drug named before it already has a dose of its own in between."""
    after = [d for d in sc.in_sentence(sc.drugs, a.sentence)
             if a.end <= d.start <= a.end + 12 and re.fullmatch(r"(?i)\s*for\s+(?:the\s+)?", sc.text[a.end:d.start])]
    if not after or not before:
        return after
    used = any(o is not a and before[-1].end <= o.start and o.end <= a.start for o in sc.amounts)
    return after if used else []


def dosed_before(text: str, before: list[Mention]) -> list[Mention]:
    """The drugs named before an amount that may be the one dosed: one named in a phrase of time ("before IVIG") or as
    a drug the patient takes alongside ("taking propranolol") is not, when another drug is named before it."""
    kept = [d for d in before if not _WHEN.search(text[max(0, d.start - 20):d.start])
            and not _TAKING.search(text[max(0, d.start - 25):d.start])]
    return kept or before


_PHASES = (("loading", re.compile(r"(?i)\b(?:loading|load|induction|induce)\b")),
           ("maintenance", re.compile(r"(?i)\bmaint\w*")))
# What may stand between a dose and the phase word naming it ("2 g/kg load", "2 g/kg IVIG loading dose").
_OWN_PHASE = re.compile(r"(?i)\s*(?:(?:of\s+)?(?:IVIG|SCIG|IG)\s+)?(?:as\s+(?:a|the)\s+)?")
_PHASE_BREAK = re.compile(r"(?i)\bthen\b|\bfollowed\s+by\b|\bafter\s+that\b|\bafterwards\b|\bonce\b|;")


def _phase(sc: Scan, a: Amount, ctx: Scan | None) -> str | None:
    """The phase of the regimen a dose is for: the nearest phase word before it in its clause ("CIDP induction ...
    2 g/kg, followed by maintenance of 1 g/kg"), else right after it ("2 g/kg as a loading dose"), else the question's
    when it names one phase only."""
    s_start, s_end = sc.sentences[a.sentence]
    right_after = sc.text[a.end:a.end + 25]
    if (own := [name for name, pat in _PHASES if (m := pat.search(right_after)) and _OWN_PHASE.fullmatch(
            right_after[:m.start()])]) and len(own) == 1:
        return own[0]  # "after the 2 g/kg load": the phase word right after the dose is its own
    parts = _PHASE_BREAK.split(sc.text[s_start:a.start])
    before = parts[-1]
    offset = a.start - len(before)
    # A phase word right after another dose is that dose's ("CIDP maintenance after the 2 g/kg load: 1 g/kg q3 weeks").
    taken = [o.end for o in sc.amounts if o.end <= a.start and o is not a]
    found = [(m.end(), name) for name, pat in _PHASES for m in pat.finditer(before)
             if not any(0 <= offset + m.start() - end and _OWN_PHASE.fullmatch(sc.text[end:offset + m.start()])
                        for end in taken)]
    if found:
        return max(found)[1]
    after = _PHASE_BREAK.split(sc.text[a.end:s_end])[0][:40]
    if named := {name for name, pat in _PHASES if pat.search(after)}:
        return named.pop() if len(named) == 1 else None
    # "a loading dose of 0.4-0.8 g/kg, followed by at least 0.2 g/kg every 3-4 weeks": what follows the loading dose
    # is the maintenance, whatever phase the question names.
    if {name for name, pat in _PHASES for part in parts[:-1] if pat.search(part)} == {"loading"}:
        return "maintenance"
    if ctx is not None and len(named := {name for name, pat in _PHASES if pat.search(ctx.text)}) == 1:
        return named.pop()
    return None


def _drug_mention(sc: Scan, a: Amount, ctx: Scan | None, fits, frame: AnswerContext | None) -> Mention | None:
    """The drug of an amount: named by it in its sentence, else the answer's, else an earlier sentence's or the
    question's."""
    if a.component:
        return Mention(a.component, a.start, a.start, a.component)  # "Qsymia 3.75/23 mg": 3.75 mg of phentermine
    in_sent = sc.in_sentence(sc.drugs, a.sentence)
    text = sc.text
    follow = [d for d in in_sent if a.end <= d.start <= a.end + 20 and FOLLOW.fullmatch(text[a.end:d.start])]
    before = dosed_before(text, [d for d in in_sent if d.end <= a.start])
    # "a 650 mg dose before the IVIG": a drug named after the dose in a phrase of time is when, not what.
    after = [d for d in in_sent if d.start >= a.end and not _WHEN.search(text[max(0, d.start - 20):d.start])]
    for group in (follow, named_for(sc, a, before), before[-1:], after[:1]):
        if group:
            return group[0]
    if frame is not None and frame.drug:
        # A sentence that does not repeat the drug is about the drug its answer is about.
        return Mention(frame.drug, a.start, a.start)
    # Outside the sentence, the nearest drug that can be dosed this way (an infusion rate belongs to IVIG,
    # not to the acetaminophen of the sentence before).
    earlier = [d for d in sc.drugs if d.end <= sc.sentences[a.sentence][0]][::-1]
    if earlier:
        return ([d for d in earlier if fits(d.canonical)] or earlier)[0]
    pool = ([d for d in ctx.drugs if fits(d.canonical)] or list(ctx.drugs)) if ctx else []
    if len({d.canonical for d in pool}) != 1:
        return None
    if len({d.product for d in pool}) > 1:
        # A context naming the drug in several forms ("switching from IVIG to SCIG") says which drug, not which product.
        return replace(pool[0], product=None, route=None)
    return pool[0]


_AS_IN = re.compile(r"(?i)(?:\bas\s+(?:in|for|with|used\s+in)|\bsame\s+as|\blike|\bborrowed\s+from)\s+(?:the\s+|an?\s+)?"
                    r"(?:adult\s+|pediatric\s+|paediatric\s+)?$")


def _indications(sc: Scan, a: Amount, ctx: Scan | None, frame: AnswerContext | None) -> tuple[set[str], bool]:
    """The indications an amount is dosed for, and whether the statement's disease disagrees with the answer's.

    Where no listed disease is named for it, a disease the vocabulary does not list (named in its sentence, else in
    the question) is its indication: no rule is for that disease, so none verifies."""
    found, conflict = _listed_indications(sc, a, ctx, frame)
    if diseases(found) or frame is not None and frame.indication and is_disease(frame.indication):
        return found, conflict
    unlisted = {m.canonical for m in sc.in_sentence(sc.conditions, a.sentence)} or (
        {m.canonical for m in ctx.conditions} if ctx else set())
    return found | unlisted, conflict


def _listed_indications(sc: Scan, a: Amount, ctx: Scan | None, frame: AnswerContext | None) -> tuple[set[str], bool]:
    """The vocabulary's indications an amount is dosed for, and whether the statement's disease disagrees with the
    answer's."""
    # "as in GBS", "the same as CIDP": a disease named for comparison is not the one the dose is for.
    mentioned = [m for m in sc.indications if not _AS_IN.search(sc.text[max(0, m.start - 16):m.start])]
    in_sentence = sc.in_sentence(mentioned, a.sentence)
    sentence = {m.canonical for m in in_sentence}
    # A modifier (thrombosis risk) named in a part of the sentence before a semicolon still holds after it.
    i = a.sentence
    while i > 0 and sc.text[sc.sentences[i - 1][0]:sc.sentences[i - 1][1]].rstrip().endswith(";"):
        i -= 1
        sentence |= {m.canonical for m in sc.in_sentence(mentioned, i) if not is_disease(m.canonical)}
    before = [m for m in in_sentence if m.end <= a.start and is_disease(m.canonical)]
    if len(diseases(sentence)) > 1 and before:
        # Several diseases in one sentence: the dose is for the one named last before it.
        sentence = {before[-1].canonical} | (sentence - diseases(sentence))
    whole = {m.canonical for m in mentioned}
    own = diseases(sentence) or diseases(whole)
    modifiers = sentence - diseases(sentence)
    if frame is not None and frame.indication:
        wanted = {frame.indication}
        if not is_disease(frame.indication):
            return own | modifiers | wanted, False
        if not own:
            return wanted | modifiers, False
        return own | modifiers, not (frame.comparison or wanted & own)
    layers = [sentence, whole, {m.canonical for m in ctx.indications} if ctx else set()]
    found: set[str] = set()
    for k, names in enumerate(layers):
        if not diseases(found):
            found |= diseases(names)
        if k != 1:
            # Modifiers (thrombosis risk, premedication) hold for their own sentence, or for all if the question names them.
            found |= names - diseases(names)
    return found, False


def scope_for(sc: Scan, a: Amount, ctx: Scan | None, weight_kg: float | None, fits=lambda drug: True,
              frame: AnswerContext | None = None, brands: frozenset[str] = frozenset(),
              treats=lambda diseases: None) -> Scope:
    """Drug, indications, population, route and weight for one amount: sentence, then answer frame, then context.

    With no drug named anywhere, a disease that only one drug has rules for names that drug ("For GBS, a total
    of 2 g/kg over 5 days"); treats gives it."""
    mention = _drug_mention(sc, a, ctx, fits, frame)
    indications, conflict = _indications(sc, a, ctx, frame)
    if mention is None and (drug := treats(frozenset(diseases(indications)))):
        mention = Mention(drug, a.start, a.start)
    # A population holds for its own sentence: the sentence, then the answer's frame, then the question.
    own_ages = sc.in_sentence(sc.ages, a.sentence)
    # "0.8-1 g/kg ..., not the 2-day adult label regimen": a population named in a clause after the dose that rules
    # something out is the contrast's, not the dose's.
    from assistant.doses.negation import span_negated  # (negation reads grounding, which reads this module)
    own_ages = [m for m in own_ages if not (m.start >= a.end and span_negated(sc, m.start, m.end))]
    age = _unique(own_ages)
    if age is None and own_ages:
        # "7 yo with XLA: a lower range in kids than in adults": the patient's age in years speaks over bands compared.
        age = _unique(m for m in own_ages if re.search(r"\d", m.surface))
    if not own_ages:
        age = frame.age if frame is not None and frame.population else _unique(ctx.ages) if ctx and ctx.ages else None
    s_start, s_end = sc.sentences[a.sentence]
    # Only a route word right by the amount speaks for it ("650 mg PO"); otherwise the drug's own name does (IVIG).
    near = [r for r in sc.routes if s_start <= r.start < s_end and (0 <= r.start - a.end <= 25 or 0 <= a.start - r.end
                                                                     <= 25)]
    # A product named after the dose and apart from it ("45 g every 3 weeks becomes 15 g of SCIG") is not its product.
    between = [b for b in sc.amounts if mention is not None and mention.end <= b.start and b.end <= a.start
               and b.head is None]
    # ... nor one named before another dose of the sentence ("on IVIG 0.4 g/kg (24 g): weekly equivalent 6 g").
    own = mention if mention is not None and (mention.end <= a.start and not between
                                              or 0 <= mention.start - a.end <= 12) else None
    route = _unique(near) if near else (own.route if own else None)
    product = own.product if own and own.product else {"iv": "ivig", "sc": "scig"}.get(route or "")
    products = {d.product for d in sc.in_sentence(sc.drugs, a.sentence) if d.product}
    attached = mention is not None and (0 <= a.start - mention.end <= 12 or 0 <= mention.start - a.end <= 12)
    if len(products) > 1 and not attached:
        product = route = None  # "on IVIG 30 g ... needs 10 g of SCIG weekly": the rules decide which product fits
    sentence = sc.text[s_start:s_end]
    named_brands = {b for b in brands if re.search(rf"(?i)\b{re.escape(b)}\b", sentence)} or (
        {b for b in brands if re.search(rf"(?i)\b{re.escape(b)}\b", ctx.text)} if ctx else set())
    # The body weight a dose is on: said right after it ("32 g on adjusted body weight"), or once in the sentence.
    kinds = {"adjusted": r"(?i)adjusted|dosing weight", "actual": r"(?i)actual (?:body )?weight"}
    near_text = sc.text[a.end:a.end + 35]
    basis = next((k for k, pat in kinds.items() if re.search(pat, near_text)), None)
    if basis is None:
        present = [k for k, pat in kinds.items() if re.search(pat, sentence)]
        basis = present[0] if len(present) == 1 else None
    weight = None
    for pool in (sc.in_sentence(sc.weights, a.sentence), sc.weights):
        if pool:
            preferred = [w for w in pool if w.kind == "adjusted"] or [w for w in pool if w.kind != "ideal"] or pool
            weight = preferred[-1].kg
            break
    if weight is None:
        weight = weight_kg or (frame.weight_kg if frame else None) or (ctx.weights[-1].kg if ctx and ctx.weights
                                                                       else None)
    return Scope(drug=mention.canonical if mention else None, indications=frozenset(indications), age=age,
                 route=route, product=product, weight_basis=basis, weight=weight, conflict=conflict,
                 start=_is_start(sc, a, ctx), phase=_phase(sc, a, ctx),
                 brand=named_brands.pop() if len(named_brands) == 1 else None,
                 # The labelling the sentence names, else the question's ("per the US label?"): another's rules never
                 # verify ("0.5 mL/kg/h" is the EU start, not the US one).
                 jurisdiction=jurisdiction(sentence) or (jurisdiction(ctx.text) if ctx else None),
                 authority=attributed(sc.text, s_start, s_end, a.start, ctx.text if ctx else None))


_EU = re.compile(r"\bEU\b|\bEurop|\bSmPC\b")
_US = re.compile(r"\bUS\b|\bU\.S\.|\bFDA\b|\bUSPI\b|\bAmeric")


def jurisdiction(text: str) -> str | None:
    """The labelling a text names: 'eu', 'us', or None (neither, or both)."""
    eu, us = bool(_EU.search(text)), bool(_US.search(text))
    return "eu" if eu and not us else "us" if us and not eu else None


_CLEARANCE = re.compile(r"(?i)\b(?:e?GFR|CrCl|CLcr|clearance|filtration|urine|output|flow)\b[^.;]{0,40}$")


def family_of(a: Amount, sc: Scan, ig_context: bool = False) -> str | None:
    """dose, rate, lab (an IgG level), concentration (a product's strength) or other (not a drug quantity).

    A level is an IgG level only where the sentence (or the question) is about immunoglobulin or one of its
    indications; "blood glucose levels < 110 mg/dL" is some other lab value."""
    dim = a.info.dim
    s_start, s_end = sc.sentences[a.sentence]
    if dim in _DOSE_DIMS:
        return "dose"
    if dim.endswith("/time"):
        # eGFR 30 mL/min/1.73 m2, creatinine clearance, urine output: a patient's measurement, not a drug's rate.
        if re.match(r"\s*(?:/|per)\s*1\.73", sc.text[a.end:a.end + 12]) or (
                dim == "volume/time" and _CLEARANCE.search(sc.text[s_start:a.start])):
            return "other"
        return "rate"
    if dim != "conc":
        return None
    before = sc.text[s_start:a.start]
    hits = [(m.end(), "lab") for m in _IGG.finditer(before)] + [(m.end(), "other")
                                                                 for m in _OTHER_ANALYTE.finditer(before)]
    family = max(hits)[1] if hits else None
    after = sc.text[a.end:s_end]  # "the 650 mg/dL threshold", "6 g/L of IgG"
    hits = [(m.start(), "lab") for m in _IGG.finditer(after)] + [(m.start(), "other")
                                                                for m in _OTHER_ANALYTE.finditer(after)]
    if family is None and hits and a.unit not in ("mg/mL", "g/mL"):
        family = min(hits)[1]
    if family is None and a.unit in ("mg/mL", "g/mL"):
        return "concentration"  # product strength (10% = 100 mg/mL), not a patient's level
    named = {d.canonical for d in sc.in_sentence(sc.drugs, a.sentence)}
    ig = bool(_IG_DRUG.search(sc.text[s_start:s_end]) or re.search(r"(?i)\bIgG\b|gamma ?globulin",
                                                                   sc.text[s_start:s_end])) or "immunoglobulin" in named
    ig = ig or bool(sc.in_sentence(sc.indications, a.sentence)) or (ig_context and not named)
    if family == "lab" and not re.search(r"(?i)\bIgG\b|gamma ?globulin", before) and _OTHER_ANALYTE.search(before):
        return "other"  # "blood glucose levels < 110 mg/dL": the level is of the analyte named, not of IgG
    if family is None:
        return "lab" if ig else "other"
    if family == "lab" and named and not ig:
        return "other"  # a trough of another drug (vancomycin 15-20 mg/L): no IgG rule speaks for it
    return family


_MEASURED = re.compile(r"(?i)\b(?:IgG|trough|level)(?:\s+(?:IgG|trough|level))*\s*(?:=\s*|:\s*)?$")
_CLAUSE = re.compile(r"[,;:(]")
_GOAL = re.compile(r"(?i)\btarget|\baim|\bmaintain|\bkeep|\bgoal|\bthreshold|\bcut-?off|\bcriteri|\beligib|\bstart"
                   r"|\bbegin|\binitiat|\bconsider|\bshould|\bneeds?\b|\babove|\bbelow|\bat least")


def is_measured(sc: Scan, a: Amount) -> bool:
    """'IgG trough 4.2 g/L', 'Trough 480 mg/dL': a level named and its value, no target, threshold or comparator."""
    s_start, _ = sc.sentences[a.sentence]
    clause = _CLAUSE.split(sc.text[s_start:a.start])[-1]
    return a.comparator is None and not a.is_max and bool(_MEASURED.search(clause)) and not _GOAL.search(clause)


# A level restated in another unit as a plain equivalence: "An IgG of 450 mg/dL is 4.5 g/L", "600 mg/dL = 6 g/L".
_EQUALS = re.compile(r"(?i)^\s*(?:is|equals?|=|≈|corresponds\s+to|is\s+the\s+same\s+as)\s*(?:about\s+|approximately\s+"
                     r"|roughly\s+|~\s*)?$")
_NOTHING_MORE = re.compile(r"^\s*(?:\([^()]*\))?\s*[.;]?\s*$")


def converted_level(sc: Scan, i: int) -> tuple[Amount, Amount] | None:
    """(level, restatement) when the i-th amount is either of a sentence that only converts a lab level between units
    ("An IgG of 450 mg/dL is 4.5 g/L (divide mg/dL by 100)"): no target, threshold, limit or other claim about the
    level, nothing after the restatement but a parenthesis. Such a sentence states the conversion, not a level to
    reach; the conversion is what is checked."""
    a = sc.amounts[i]
    k = next((j for j, b in enumerate(sc.amounts) if b.head == i), None) if a.head is None else i
    if k is None:
        return None
    r = sc.amounts[k]
    h = sc.amounts[r.head]
    if h.info is None or r.info is None or h.info.dim != r.info.dim or h.sentence != r.sentence or any(
            x.problem or x.comparator or x.is_max or x.step for x in (h, r)):
        return None
    s_start, s_end = sc.sentences[h.sentence]
    if not _EQUALS.match(sc.text[h.end:r.start]) or not _NOTHING_MORE.match(sc.text[r.end:s_end]) \
            or _GOAL.search(sc.text[s_start:h.start]):
        return None
    return h, r


def lab_kind(sc: Scan, a: Amount) -> str | None:
    """'threshold' or 'lab_target' by the cue nearest the value in its sentence (before it, then after); else None."""
    s_start, s_end = sc.sentences[a.sentence]
    before = [(m.end(), kind) for kind, cue in _LAB_KINDS for m in cue.finditer(sc.text, s_start, a.start)]
    if before:
        return max(before)[1]
    after = [(m.start(), kind) for kind, cue in _LAB_KINDS for m in cue.finditer(sc.text, a.end, s_end)]
    return min(after)[1] if after else None


def finding(sc: Scan, a: Amount, scope: Scope | None, verdict: str, message: str,
            rule: NormRule | None = None) -> DoseFinding:
    """A DoseFinding for one amount, spans into the checked text."""
    return DoseFinding(text=sc.text[a.start:a.end], start=a.start, end=a.end, drug=scope.drug if scope else None,
                       value=[a.low, a.high] if a.is_range else a.low, unit=a.unit,
                       per_kg=bool(a.info and "/bw" in a.info.dim), frequency=a.cadence.text, verdict=verdict,
                       rule_id=rule.rule.id if rule else None, source=source_text(rule) if rule else None,
                       message=message, flags=list(dict.fromkeys(a.flags + a.cadence.flags)))
