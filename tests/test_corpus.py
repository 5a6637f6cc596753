"""Schema and consistency tests for the bundled corpus: guidelines, references, dose rules, vocabulary.

Two dose checks: a simple one (regex over number + unit, each value held by a rule of its document)
and the strict one, which runs the real dose checker over every statement the assistant can quote
and requires every finding to be verified or grounded. Each helper is also run on a bad example so
the checks can fail.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import frontmatter
import pytest
import yaml

from assistant.corpus import CITATION_MARK, GRADE_MARK, GuidelineMeta, Reference, cited_keys
from assistant.doses import check_text, load_rulebook
from assistant.doses.schema import DoseRule, RuleFile, Vocabulary
from assistant.models import PASSING_VERDICTS, DoseFinding
from assistant.settings import ChunkSettings
from assistant.text import split_sentences
from ingest.chunk import chunk_document
from ingest.load import load_markdown

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
GUIDELINE_PATHS = sorted((CORPUS / "guidelines").glob("*.md"))
RULE_PATHS = sorted(p for p in (CORPUS / "rules").glob("*.yaml") if p.name != "vocabulary.yaml")
VOCABULARY_PATH = CORPUS / "rules" / "vocabulary.yaml"
REFERENCES_PATH = CORPUS / "references.yaml"

# At least this many doses in the corpus must verify against a rule, so the strict test cannot pass vacuously.
MIN_VERIFIED_DOSES = 120

# Secondary (non-primary) sources: a rule resting on one of these must never verify a dose.
WEAK_ONLY_REFERENCES = {"droracle-2025"}

NUM = r"\d+(?:\.\d+)?"
# Longest units first; mg/mL is recognised only so that a concentration is not read as a dose in mg.
QUANTITY = re.compile(
    rf"(?<![\w.])({NUM})(?:\s*(?:-|–|to)\s*({NUM}))?\s*"
    r"(mg/kg/min|mL/kg/h|mg/mL|mg/kg|g/kg|mg/dL|g/L|mg|g)(?![A-Za-z])"
)
SKIPPED_UNITS = {"mg/mL"}
# Unit groups the simple check converts within (factor to the group's base unit).
UNIT_GROUPS = {
    "mg/kg": ("per_kg", 1.0),
    "g/kg": ("per_kg", 1000.0),
    "mg/dL": ("igg", 1.0),
    "g/L": ("igg", 100.0),
    "mg": ("mass", 1.0),
    "g": ("mass", 1000.0),
    "mg/kg/min": ("rate_mass", 1.0),
    "mL/kg/h": ("rate_volume", 1.0),
}
_WHOLE = r"(?![\d.]*\d)"  # no backtracking into a longer number
FACTOR = re.compile(
    rf"(?:×\s*({NUM}){_WHOLE}(?!\s*(?:kg|mg|g|mL)\b))"
    rf"|(?:(?<![\d.])({NUM})\s*×)"
    rf"|(?:\bfactor\b[^.\[\d]{{0,30}}?({NUM}){_WHOLE}(?!\s*(?:kg|mg|g|mL)\b))"
    rf"|(?:\bmultiply(?:ing)? by\s+({NUM}){_WHOLE}(?!\s*(?:minutes?|hours?|seconds?|days?|weeks?)\b))"
)
SENTENCE_END_WITHOUT_CITATION = re.compile(r"(?<!\])[.!?]\s+(?=[A-Z])")
ERROR_PRONE = {
    "trailing zero": re.compile(r"(?<![\d.])\d+\.0(?!\d)"),
    "naked decimal": re.compile(r"(?<![\w.])\.\d"),
    "abbreviation": re.compile(r"\b(?:U|IU|cc|QD|QOD|ug|µg|qd)\b"),
}


# ---------------------------------------------------------------- helpers (tested on bad input below)


def load_references() -> dict[str, Reference]:
    raw = yaml.safe_load(REFERENCES_PATH.read_text(encoding="utf-8")) or {}
    return {key: Reference.model_validate(value) for key, value in raw.items()}


def load_guidelines() -> dict[str, tuple[GuidelineMeta, str, Path]]:
    docs = {}
    for path in GUIDELINE_PATHS:
        post = frontmatter.load(path)
        meta = GuidelineMeta.model_validate(post.metadata)
        docs[meta.id] = (meta, post.content, path)
    return docs


def load_rules() -> list[DoseRule]:
    rules: list[DoseRule] = []
    for path in RULE_PATHS:
        rules.extend(RuleFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8"))).rules)
    return rules


def statement_blocks(body: str) -> list[str]:
    """Bullets and paragraphs of a Markdown body, headings and blank lines excluded."""
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            blocks.append(" ".join(line.strip() for line in current))
            current.clear()

    for line in body.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            flush()
        elif re.match(r"^([-*+]|\d+\.)\s+", stripped):
            flush()
            current.append(re.sub(r"^([-*+]|\d+\.)\s+", "", stripped))
        else:
            current.append(stripped)
    flush()
    return blocks


def uncited_statements(body: str) -> list[str]:
    """Blocks that do not end with a [@key] marker, or that hold a sentence ending without one."""
    bad = []
    for block in statement_blocks(body):
        tail = GRADE_MARK.sub("", block).rstrip(" .")
        if not re.search(CITATION_MARK.pattern + r"$", tail) or SENTENCE_END_WITHOUT_CITATION.search(block):
            bad.append(block)
    return bad


def quantity_mentions(text: str) -> list[tuple[float, str]]:
    """Every number (or both ends of a range) followed by a dose or laboratory unit."""
    text = CITATION_MARK.sub("", GRADE_MARK.sub("", text))
    found = []
    for match in QUANTITY.finditer(text):
        low, high, unit = match.group(1), match.group(2), match.group(3)
        if unit in SKIPPED_UNITS:
            continue
        found.append((float(low), unit))
        if high is not None:
            found.append((float(high), unit))
    return found


def factor_mentions(text: str) -> list[float]:
    """Dimensionless factors written as '× N', 'N ×', 'factor ... N' or 'multiplying by N'."""
    text = CITATION_MARK.sub("", GRADE_MARK.sub("", text))
    return [float(next(g for g in m.groups() if g is not None)) for m in FACTOR.finditer(text)]


def normalise(value: float, unit: str) -> tuple[str, float] | None:
    group = UNIT_GROUPS.get(unit)
    return (group[0], value * group[1]) if group else None


def rule_holds(rule: DoseRule, value: float, unit: str) -> bool:
    """True when the rule's range (or one of its maxima) holds value in unit, converting within a unit group."""
    stated = normalise(value, unit)
    if stated is None:
        return False
    tol = 1e-9
    own = normalise(1.0, rule.unit)
    if own is not None and own[0] == stated[0]:
        low = -float("inf") if rule.min is None else rule.min * own[1]
        high = float("inf") if rule.max is None else rule.max * own[1]
        if rule.kind in ("threshold", "lab_target") and rule.comparator in ("<", "<="):
            # "IgG below 4 g/L" states the threshold itself, so only the boundary value is held.
            if abs(stated[1] - high) <= tol:
                return True
        elif rule.kind in ("threshold", "lab_target") and rule.comparator in (">", ">="):
            if abs(stated[1] - low) <= tol:
                return True
        elif low - tol <= stated[1] <= high + tol:
            return True
    for limit in (rule.max_single, rule.max_daily, rule.max_course):
        if limit is not None:
            lim = normalise(limit.value, limit.unit)
            if lim is not None and lim[0] == stated[0] and abs(lim[1] - stated[1]) <= tol:
                return True
    return False


def uncovered_quantities(
    mentions: dict[str, list[tuple[float, str]]], rules: list[DoseRule]
) -> list[tuple[str, float, str]]:
    """(doc, value, unit) not held by a rule sourced from that document or from another document stating the same."""
    stated = {doc: {normalise(v, u) for v, u in found} for doc, found in mentions.items()}
    missing = []
    for doc, found in mentions.items():
        for value, unit in found:
            ok = any(
                rule_holds(rule, value, unit)
                and (
                    rule.source.document == doc
                    or normalise(value, unit) in stated.get(rule.source.document, set())
                )
                for rule in rules
                if rule.kind != "conversion_factor" or rule.unit != "1"
            )
            if not ok:
                missing.append((doc, value, unit))
    return missing


def uncovered_factors(factors: dict[str, list[float]], rules: list[DoseRule]) -> list[tuple[str, float]]:
    """Factors not inside a conversion_factor rule of the same document (or one stating the same factor)."""
    missing = []
    for doc, found in factors.items():
        for value in found:
            ok = any(
                rule.kind == "conversion_factor"
                and (rule.min is None or rule.min - 1e-9 <= value)
                and (rule.max is None or value <= rule.max + 1e-9)
                and (rule.source.document == doc or value in factors.get(rule.source.document, []))
                for rule in rules
            )
            if not ok:
                missing.append((doc, value))
    return missing


def corpus_statements() -> list[tuple[str, str, str, str]]:
    """(document id, statement, its chunk's text, context) for every statement the assistant can quote.

    Statements are the bullets and sentences of each chunk as ingest makes it (citation and grade
    markers stripped); the context is what an answer gives the checker: the document title and section heading.
    """
    out = []
    for path in GUIDELINE_PATHS:
        doc = next(load_markdown(path))
        for chunk in chunk_document(doc, ChunkSettings()):
            context = f"{doc.title}\n{chunk.heading_path[-1]}"
            for line in chunk.text.splitlines():
                for sentence in split_sentences(line.removeprefix("- ")):
                    out.append((doc.doc_id, sentence, chunk.text, context))
    return out


def unchecked_quantities(statement: str, findings: list[DoseFinding]) -> list[str]:
    """Numbers with a dose unit, and stated factors, that no finding of the checker covers."""
    spans = [m for m in QUANTITY.finditer(statement) if m.group(3) not in SKIPPED_UNITS]
    spans += list(FACTOR.finditer(statement))
    return [m.group(0) for m in spans if not any(f.start < m.end() and m.start() < f.end for f in findings)]


def unknown_citations(body: str, listed: list[str], known: set[str]) -> list[str]:
    """Keys cited in body that are missing from the document's references list or from references.yaml."""
    return [key for key in cited_keys(body) if key not in listed or key not in known]


def error_prone_notation(body: str) -> list[tuple[str, str]]:
    text = CITATION_MARK.sub("", GRADE_MARK.sub("", body))
    return [(name, m.group(0)) for name, rx in ERROR_PRONE.items() for m in rx.finditer(text)]


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def references() -> dict[str, Reference]:
    return load_references()


@pytest.fixture(scope="module")
def guidelines() -> dict[str, tuple[GuidelineMeta, str, Path]]:
    return load_guidelines()


@pytest.fixture(scope="module")
def rules() -> list[DoseRule]:
    return load_rules()


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary.model_validate(yaml.safe_load(VOCABULARY_PATH.read_text(encoding="utf-8")))


# ---------------------------------------------------------------- guidelines and references


def test_at_least_fifteen_guidelines() -> None:
    assert len(GUIDELINE_PATHS) >= 15


@pytest.mark.parametrize("path", GUIDELINE_PATHS, ids=lambda p: p.stem)
def test_guideline_front_matter_validates_and_id_matches_filename(path: Path) -> None:
    post = frontmatter.load(path)
    meta = GuidelineMeta.model_validate(post.metadata)
    assert meta.id == path.stem
    assert post.content.lstrip().startswith("# "), "body should open with a level-1 heading"


def test_guideline_ids_unique(guidelines) -> None:
    ids = [meta.id for meta, _, _ in guidelines.values()]
    assert len(ids) == len(GUIDELINE_PATHS) == len(set(ids))


def test_references_yaml_validates(references) -> None:
    assert references
    for key in references:
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", key), key


@pytest.mark.parametrize("path", GUIDELINE_PATHS, ids=lambda p: p.stem)
def test_basis_and_references_resolve(path: Path, references) -> None:
    meta = GuidelineMeta.model_validate(frontmatter.load(path).metadata)
    assert set(meta.references) <= set(references), set(meta.references) - set(references)
    assert set(meta.basis) <= set(references), set(meta.basis) - set(references)
    assert set(meta.basis) <= set(meta.references), "basis keys should also be listed in references"


@pytest.mark.parametrize("path", GUIDELINE_PATHS, ids=lambda p: p.stem)
def test_every_citation_resolves_and_every_listed_reference_is_cited(path: Path, references) -> None:
    post = frontmatter.load(path)
    meta = GuidelineMeta.model_validate(post.metadata)
    assert unknown_citations(post.content, meta.references, set(references)) == []
    assert set(meta.references) <= set(cited_keys(post.content)), "listed but never cited"


@pytest.mark.parametrize("path", GUIDELINE_PATHS, ids=lambda p: p.stem)
def test_every_statement_is_cited(path: Path) -> None:
    assert uncited_statements(frontmatter.load(path).content) == []


@pytest.mark.parametrize("path", GUIDELINE_PATHS, ids=lambda p: p.stem)
def test_grade_markers_follow_a_citation(path: Path) -> None:
    body = frontmatter.load(path).content
    for match in GRADE_MARK.finditer(body):
        before = body[: match.start()].rstrip()
        assert before.endswith("]") and CITATION_MARK.search(before[-200:]), match.group(0)


@pytest.mark.parametrize("path", GUIDELINE_PATHS, ids=lambda p: p.stem)
def test_no_error_prone_dose_notation(path: Path) -> None:
    assert error_prone_notation(frontmatter.load(path).content) == []


@pytest.mark.parametrize("path", GUIDELINE_PATHS, ids=lambda p: p.stem)
def test_length_is_reasonable(path: Path) -> None:
    words = len(frontmatter.load(path).content.split())
    assert 300 <= words <= 1400, words


# ---------------------------------------------------------------- rules and vocabulary


@pytest.mark.parametrize("path", RULE_PATHS, ids=lambda p: p.name)
def test_rule_file_validates(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert RuleFile.model_validate(data).rules


def test_rule_ids_unique(rules) -> None:
    duplicates = [rid for rid, n in Counter(r.id for r in rules).items() if n > 1]
    assert duplicates == []


def test_rule_sources_exist(rules, guidelines, references) -> None:
    for rule in rules:
        assert rule.source.document in guidelines, (rule.id, rule.source.document)
        assert rule.source.reference in references, (rule.id, rule.source.reference)
        assert rule.source.reference in guidelines[rule.source.document][0].references, (
            rule.id,
            "the rule's reference should be one the source document cites",
        )


def test_rules_on_secondary_sources_are_weak(rules) -> None:
    for rule in rules:
        if rule.source.reference in WEAK_ONLY_REFERENCES:
            assert rule.evidence == "weak", rule.id


def test_vocabulary_validates_and_names_are_unique(vocabulary) -> None:
    for entries in (vocabulary.drugs, vocabulary.indications):
        names = [e.canonical for e in entries]
        assert len(names) == len(set(names))
        assert all(re.fullmatch(r"[a-z][a-z0-9_]*", n) for n in names), names


def test_rules_use_canonical_vocabulary(rules, vocabulary) -> None:
    drugs = {e.canonical for e in vocabulary.drugs}
    indications = {e.canonical for e in vocabulary.indications}
    for rule in rules:
        assert rule.drug in drugs, (rule.id, rule.drug)
        assert rule.indication == "any" or rule.indication in indications, (rule.id, rule.indication)
        assert rule.product in {"ivig", "scig", "any"}, (rule.id, rule.product)


def test_every_stated_dose_is_covered_by_a_rule(guidelines, rules) -> None:
    mentions = {doc: quantity_mentions(body) for doc, (_, body, _) in guidelines.items()}
    assert sum(len(m) for m in mentions.values()) > 50, "the regex found suspiciously few quantities"
    assert uncovered_quantities(mentions, rules) == []


def test_every_stated_factor_is_covered_by_a_rule(guidelines, rules) -> None:
    factors = {doc: factor_mentions(body) for doc, (_, body, _) in guidelines.items()}
    assert 1.37 in factors["ig-ivig-to-scig-conversion"]
    assert uncovered_factors(factors, rules) == []


def test_every_dose_in_the_corpus_verifies_with_the_real_checker() -> None:
    book = load_rulebook(CORPUS / "rules")
    failing, unchecked, verified = [], [], 0
    for doc, statement, passage, context in corpus_statements():
        findings = check_text(statement, book, sources=[passage], context=context)
        failing += [(doc, statement, f.text, f.verdict, f.message)
                    for f in findings if f.verdict not in PASSING_VERDICTS]
        unchecked += [(doc, statement, q) for q in unchecked_quantities(statement, findings)]
        verified += sum(f.verdict == "verified" for f in findings)
    assert failing == []
    assert unchecked == [], "the checker skipped a dose the simple regex sees"
    assert verified >= MIN_VERIFIED_DOSES


# ---------------------------------------------------------------- the helpers catch real violations


def _rule(**overrides) -> DoseRule:
    base = dict(
        id="x", drug="immunoglobulin", indication="itp", min=0.8, max=1, unit="g/kg",
        source={"document": "doc-a", "reference": "ref"},
    )
    base.update(overrides)
    return DoseRule.model_validate(base)


def test_helper_flags_uncited_statements() -> None:
    body = (
        "# Title\n\n## Dosing\n"
        "- IVIG 0.4 g/kg every 4 weeks [@perez-2017]\n"
        "- IVIG 2 g/kg for Kawasaki disease.\n\n"
        "Replacement is lifelong. It continues indefinitely [@perez-2017]\n"
        "- Fine with a grade [@neunert-2011] [grade: ASH 2011 grade 1B]\n"
    )
    bad = uncited_statements(body)
    assert bad == ["IVIG 2 g/kg for Kawasaki disease.", "Replacement is lifelong. It continues indefinitely [@perez-2017]"]


def test_helper_flags_unknown_citations() -> None:
    body = "- A statement [@perez-2017; @made-up-2030]\n- Another [@otani-2022]"
    assert unknown_citations(body, ["perez-2017", "made-up-2030"], {"perez-2017", "otani-2022"}) == [
        "made-up-2030",
        "otani-2022",
    ]


def test_helper_reads_ranges_units_and_skips_concentrations() -> None:
    text = "IVIG 0.4-0.6 g/kg every 3-4 weeks, trough above 500 mg/dL, 10% product (100 mg/mL), 325-650 mg [@x]"
    assert quantity_mentions(text) == [(0.4, "g/kg"), (0.6, "g/kg"), (500.0, "mg/dL"), (325.0, "mg"), (650.0, "mg")]


def test_helper_flags_uncovered_and_unit_slipped_doses() -> None:
    rules = [_rule(), _rule(id="y", unit="g/L", min=None, max=4, kind="threshold", comparator="<")]
    ok = {"doc-a": [(1.0, "g/kg"), (800.0, "mg/kg"), (400.0, "mg/dL")]}
    assert uncovered_quantities(ok, rules) == []
    # 10 g/kg (a tenfold slip), 1 g (wrong unit group) and a dose stated in another document with no rule.
    bad = {"doc-a": [(10.0, "g/kg"), (1.0, "g")], "doc-b": [(0.9, "g/kg")]}
    assert uncovered_quantities(bad, rules) == [("doc-a", 10.0, "g/kg"), ("doc-a", 1.0, "g"), ("doc-b", 0.9, "g/kg")]
    # doc-b is covered once doc-a (the rule's document) states the same value.
    assert uncovered_quantities({"doc-a": [(0.9, "g/kg")], "doc-b": [(0.9, "g/kg")]}, rules) == []


def test_helper_holds_thresholds_only_at_their_boundary() -> None:
    below = _rule(kind="threshold", comparator="<", min=None, max=4, unit="g/L")
    above = _rule(kind="lab_target", comparator=">=", min=6, max=None, unit="g/L")
    assert rule_holds(below, 400, "mg/dL") and rule_holds(below, 4, "g/L")
    assert not rule_holds(below, 2, "g/L") and not rule_holds(below, 40, "g/L")
    assert rule_holds(above, 600, "mg/dL") and not rule_holds(above, 60, "g/L")


def test_helper_counts_course_maxima() -> None:
    gbs = _rule(indication="gbs", min=0.4, max=0.4, per="day", max_course={"value": 2, "unit": "g/kg"})
    assert rule_holds(gbs, 2, "g/kg") and rule_holds(gbs, 400, "mg/kg")
    assert not rule_holds(gbs, 1, "g/kg")


def test_helper_flags_uncovered_factors() -> None:
    text = "weekly dose = 30 g / 4 weeks × 1.37, dosing weight = ideal + 0.4 × excess, a factor of 1.53"
    assert factor_mentions(text) == [1.37, 0.4, 1.53]
    rules = [
        _rule(id="f", kind="conversion_factor", min=1.37, max=1.37, unit="1", indication="ivig_to_scig"),
        _rule(id="g", kind="conversion_factor", min=0.4, max=0.4, unit="1", indication="obesity_dosing_weight"),
    ]
    assert uncovered_factors({"doc-a": factor_mentions(text)}, rules) == [("doc-a", 1.53)]


def test_strict_check_fails_on_wrong_and_skipped_doses() -> None:
    book = load_rulebook(CORPUS / "rules")
    wrong = "Writing the GBS regimen as 2 g/kg per day is a fivefold overdose"
    findings = check_text(wrong, book, sources=[wrong], context="IVIG in Guillain-Barré syndrome (GBS)\nPitfalls")
    assert [f.verdict for f in findings] == ["out_of_range"]
    assert unchecked_quantities("IVIG 0.4 g/kg every 4 weeks", []) == ["0.4 g/kg"]
    assert len(corpus_statements()) > 300


def test_helper_flags_error_prone_notation() -> None:
    found = error_prone_notation("give 1.0 g/kg, then .4 g/kg QD, 10 U")
    assert [name for name, _ in found] == ["trailing zero", "naked decimal", "abbreviation", "abbreviation"]
    assert error_prone_notation("give 1 g/kg, then 0.4 g/kg daily, 0.5 mg/kg/min") == []
