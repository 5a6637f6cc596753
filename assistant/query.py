"""Query-side processing: medical abbreviations expanded so BM25 and the embedder see both forms."""

from __future__ import annotations

import re

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


def expand_query(query: str) -> str:
    """The query with the long form of each known abbreviation appended once."""
    additions: list[str] = []
    lowered = query.lower()
    for word in _WORD.findall(query):
        long_form = ABBREVIATIONS.get(word.lower())
        if long_form and long_form.lower() not in lowered and long_form not in additions:
            additions.append(long_form)
    return f"{query} ({'; '.join(additions)})" if additions else query
