"""Coverage: how much of the statement's content words the span holds (its heading path's words, what its acronyms
spell out and synonyms WordNet knows counting), a run or coordinated clause of words it holds none of (an added claim),
and the names a passage gives by another form of a term."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.support_added import added_run
from assistant.support_cues import cues, normal
from assistant.support_source import _slot, _Source
from assistant.support_text import _content, _glued, _kin, _Lexicon, _Unit, _words

CLAUSE_COVERAGE = 0.5  # a coordinated claim ("..., and it also ...") with less of its words in the span is an added claim


def coverage_problems(st: _Unit, words: frozenset[str], src: _Source, min_coverage: float,
                      max_uncovered: int, span_text: str = "") -> tuple[list[str], float]:
    """What the span's words (`words`: its units' and the statement's words glued from them) leave of the statement's
    content words: an added run or clause, a clinically specific word the passage lacks, too little coverage; and the
    coverage share. `span_text`: the span's text, where the statement's acronyms may be written out."""
    reasons: list[str] = []
    content = _content(st.sequence) or _content(st.words)  # the words of its quantities are the quantity check's
    pool = words | src.heading_words | (src.heading_plain - st.specific)  # (the section's words as written: "Diabetes"
    # in a title; not a clinically specific word a term of it holds, "knee" of "Hip and Knee Osteoarthritis")
    pool |= _spelled_out(pool, src)  # what the span's acronyms and drug abbreviations spell out
    pool |= initialisms(st.text, span_text)  # "ME/CFS" for "myalgic encephalomyelitis/chronic fatigue syndrome"
    pool |= _kin(content - pool, pool)  # a synonym WordNet knows ("final" for "last")
    covered = content & pool
    share = len(covered) / len(content) if content else 1.0
    missing = len(content) - len(covered)
    if run := added_run(st.sequence, _content(st.sequence), lambda w: w in pool or bool(_glued(frozenset([w]), pool)), st.text):
        reasons.append(f"adds a claim the source does not make: {' '.join(w.strip('⟨⟩') for w in run)}")
    for clause in st.claims:
        if len(clause) >= 2 and len(clause & pool) / len(clause) < CLAUSE_COVERAGE:
            reasons.append(f"adds a claim the source does not make: {', '.join(sorted(w.strip('⟨⟩') for w in clause - pool))}")
            break
    passage_words = src.words | src.section_words
    for w in sorted(st.specific & (content - covered)):
        if w not in passage_words and w not in _glued(frozenset([w]), passage_words) and not _kin({w}, passage_words):
            reasons.append(f"names '{w}' which the source does not")
    if share < min_coverage or missing > max_uncovered:
        reasons.append(f"coverage {share:.2f}: the source does not say {', '.join(sorted(w.strip('⟨⟩') for w in content - covered))}")
    return reasons, share


def _spelled_out(pool: frozenset[str], src: _Source) -> frozenset[str]:
    """The words a pool's document acronyms stand for ("ICS": inhaled, corticosteroid, and the concepts their long form
    names) and the names of the drugs the passage names by an abbreviation ("HCTZ": hydrochlorothiazide)."""
    out = set()
    lex = src.lex
    for token in pool:
        if lex is not None and token.startswith("⟨acronym:"):
            out |= lex.implied.get(token, frozenset())
            out |= _long_words(lex, token)
    for e in src.named:
        if e.startswith("⟨substance:"):
            out |= set(_words(e[11:-1]))
    return frozenset(out)


def _acronym_words(words: frozenset[str], lex: _Lexicon | None) -> frozenset[str]:
    """The words the document acronyms among a unit's words stand for ("BWSTT": body, weight, support ...)."""
    if lex is None:
        return frozenset()
    return frozenset().union(*(lex.implied.get(t, frozenset()) | _long_words(lex, t) for t in words if t.startswith("⟨acronym:")))


@lru_cache(maxsize=4096)
def _long_words(lex: _Lexicon, token: str) -> frozenset[str]:
    return frozenset(w for form, t in lex.concept.items() if t == token and " " in form for w in _words(form))


def _variant_named(entity: str, src: _Source) -> bool:
    """A condition, population or context the passage names by another form of one of its terms
    ("hypogammaglobulinemic" for "hypogammaglobulinemia"): a word sharing all but the term's last two letters."""
    if src.lex is None or _slot(entity) not in ("indications", "populations", "contexts"):
        return False
    terms = [t for t, tok in src.lex.concept.items() if tok == entity and " " not in t and len(t) >= 8]
    text = " ".join(u.text.lower() for u in src.units)
    if any(re.search(rf"\b{re.escape(t[:-2])}[a-z]*", text) for t in terms):
        return True
    return _reordered(entity, src)


REORDER_SLACK = 3  # the words a term's words may stand among when a passage writes them in another order


def _reordered(entity: str, src: _Source) -> bool:
    """A term of two words or more the passage writes in another order, its words within the term's length and
    REORDER_SLACK words of one another in one unit ("specific antibody responses are normal" for "normal specific
    antibody responses"; "of" forms are the vocabulary's own)."""
    light = cues().light
    forms = [t for t, tok in src.lex.concept.items() if tok == entity and " " in t]
    for u in src.units:
        seq = _words(normal(u.text).lower())
        for form in forms:
            need = {w for w in _words(form) if w not in light}
            if len(need) < 2 or not need <= set(seq):
                continue
            reach = len(form.split()) + REORDER_SLACK
            at = [i for i, w in enumerate(seq) if w in need]
            if any(need <= set(seq[i:i + reach]) for i in at):
                return True
    return False


_CAPITALS = re.compile(r"(?<![\w-])([A-Z]{2,6})(?:s|'s)?(?![\w-])")
_LETTERS = re.compile(r"[A-Za-z]+")


def _initials_spell(acronym: str, words: list[str], light: frozenset[str]) -> bool:
    """Whether consecutive words spell the acronym by their initials, light words ("of", "and") passed over."""
    target = acronym.lower()
    for start in range(len(words)):
        i, k = start, 0
        while i < len(words) and k < len(target):
            w = words[i].lower()
            if w[0] == target[k]:
                k += 1
            elif w not in light or i == start:
                break
            i += 1
        if k == len(target):
            return True
    return False


def initialisms(statement: str, span: str) -> frozenset[str]:
    """The statement's acronyms the span writes out ("ME/CFS" where it says "myalgic encephalomyelitis/chronic fatigue
    syndrome", "TRALI" for "transfusion-related acute lung injury"), as the statement's word tokens, and the words of the
    statement that write out an acronym the span uses ("low molecular weight heparin" for "LMWH")."""
    light = cues().light
    out: set[str] = set()
    span_words = _LETTERS.findall(span)
    for m in _CAPITALS.finditer(statement):
        if _initials_spell(m.group(1), span_words, light):
            out |= set(_words(m.group(1).lower())) | {f"⟨acronym:{m.group(1).lower()}⟩"}
    words = _LETTERS.findall(statement)
    for m in _CAPITALS.finditer(span):
        target = m.group(1).lower()
        for start in range(len(words)):
            run = words[start:start + len(target)]
            if len(run) == len(target) and "".join(w[0].lower() for w in run) == target:
                out |= set(_words(" ".join(run).lower()))
    return frozenset(out)

