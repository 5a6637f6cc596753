"""Query-side processing: medical abbreviations expanded so BM25 and the embedder see both forms,
and the words an answer to each kind of question tends to use (a "how many people" question is
answered by a passage about prevalence), added to the BM25 query at a lower weight."""

from __future__ import annotations

import re
from collections import Counter

from assistant.lexical import tokenize

ABBREVIATIONS: dict[str, str] = {
    "ivig": "intravenous immunoglobulin",
    "scig": "subcutaneous immunoglobulin",
    "igg": "immunoglobulin G",
    "cvid": "common variable immunodeficiency",
    "xla": "X-linked agammaglobulinemia",
    "pid": "primary immunodeficiency",
    "sid": "secondary immunodeficiency",
    "cll": "chronic lymphocytic leukemia",
    "hsct": "hematopoietic stem cell transplant",
    "sot": "solid organ transplant",
    "itp": "immune thrombocytopenia",
    "gbs": "Guillain-Barre syndrome",
    "cidp": "chronic inflammatory demyelinating polyneuropathy",
    "car-t": "chimeric antigen receptor T-cell therapy",
    "bmi": "body mass index",
    "htn": "hypertension",
    "copd": "chronic obstructive pulmonary disease",
    "ckd": "chronic kidney disease",
    "mdd": "major depressive disorder",
    "ptsd": "posttraumatic stress disorder",
    "tbi": "traumatic brain injury",
    "oud": "opioid use disorder",
    "sud": "substance use disorder",
    "dm": "diabetes mellitus",
    "t2dm": "type 2 diabetes mellitus",
    "mme": "morphine milligram equivalents",
    "nsaid": "nonsteroidal anti-inflammatory drug",
    "nsaids": "nonsteroidal anti-inflammatory drugs",
    "ssri": "selective serotonin reuptake inhibitor",
    "snri": "serotonin norepinephrine reuptake inhibitor",
    "mi": "myocardial infarction",
}
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]*")

# Kinds of clinical question and the words passages answering them use. Matched on the question,
# added to the BM25 query only (the embedder already places "symptoms of X" near "signs of X").
QUESTION_TYPES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(symptoms?|signs?)\b", re.I), "signs symptoms include"),
    (re.compile(r"\b(what causes|cause[sd]?|why do|risk factors?)\b", re.I), "cause caused causes"),
    (re.compile(r"\b(inherit\w*|hereditary|passed down|run in families)\b", re.I), "inherited inheritance pattern autosomal"),
    (re.compile(r"\b(how many people|how common|prevalen\w*|incidence|frequency)\b", re.I), "prevalence affects estimated common"),
    (re.compile(r"\b(genetic changes?|genes?|mutations?)\b", re.I), "mutations gene genes"),
    (re.compile(r"\b(diagnos\w*|tests?|exams?|screen\w*)\b", re.I), "diagnosis diagnosed tests"),
    (re.compile(r"\b(treat\w*|therap\w*|manag\w*|what to do)\b", re.I), "treatment treated therapy"),
    (re.compile(r"\b(prevent\w*|avoid)\b", re.I), "prevent prevention reduce risk"),
    (re.compile(r"\b(outlook|prognosis|survival|life expectancy)\b", re.I), "outlook prognosis"),
    (re.compile(r"\b(complications?)\b", re.I), "complications"),
    (re.compile(r"\b(research|clinical trials?)\b", re.I), "research trials studies"),
    (re.compile(r"\b(dose|doses|dosing|dosage|how much)\b", re.I), "dose g/kg mg/kg"),
    (re.compile(r"\b(how long|duration|when to stop|stop\w*)\b", re.I), "duration continue stop"),
    (re.compile(r"\b(monitor\w*|follow[- ]up)\b", re.I), "monitoring monitor"),
]


def expand_query(query: str) -> str:
    """The query with the long form of each known abbreviation appended once."""
    additions: list[str] = []
    lowered = query.lower()
    for word in _WORD.findall(query):
        long_form = ABBREVIATIONS.get(word.lower())
        if long_form and long_form.lower() not in lowered and long_form not in additions:
            additions.append(long_form)
    return f"{query} ({'; '.join(additions)})" if additions else query


def lexical_terms(query: str, type_weight: float = 0.3) -> dict[str, float]:
    """BM25 query as {token: weight}: the (abbreviation-expanded) question's own tokens, plus
    the answer words of its question type at `type_weight` (never lowering a word the question uses)."""
    weights: dict[str, float] = dict(Counter(tokenize(expand_query(query))))
    if type_weight > 0:
        for pattern, words in QUESTION_TYPES:
            if pattern.search(query):
                for token in tokenize(words):
                    weights[token] = max(weights.get(token, 0.0), type_weight)
    return weights
