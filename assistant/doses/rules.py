"""Dose rules: load and validate corpus/rules/*.yaml into a RuleBook with bounds in canonical units."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from assistant.doses.drugnames import warm
from assistant.doses.lexicon import Lexicon, lexicon
from assistant.doses.indications import is_disease
from assistant.doses.schema import DoseRule, Vocabulary
from assistant.doses.units import unit_info
from assistant.errors import ConfigError

_FAMILY = {"dose": "dose", "rate": "rate", "lab_target": "lab", "threshold": "lab", "conversion_factor": "factor",
          "rounding": "rounding", "timing": "timing"}


class RuleFileError(ConfigError):
    """A rule or vocabulary file that cannot be used; the message names the file and the row."""

    def __init__(self, message: str) -> None:
        super().__init__(message, detail=message)


@dataclass(frozen=True)
class NormRule:
    """A rule with its bounds in canonical units and its cadence in days."""

    rule: DoseRule
    family: str
    dim: str
    lo: float | None
    hi: float | None
    kind: str
    interval: tuple[float, float] | None
    duration: float | None
    min_duration: float | None
    infusion: tuple[float, float] | None
    max_single: float | None
    max_daily: float | None
    max_course: float | None
    scaled: tuple[float, float] | None = None  # every n periods at n times the amount, for intervals in this span (days)


@dataclass(frozen=True, eq=False)
class RuleBook:
    """Every rule of a rules directory, validated, with the compiled vocabulary."""

    rules: tuple[DoseRule, ...]
    vocabulary: Vocabulary
    norm: tuple[NormRule, ...] = ()
    lexicon: Lexicon | None = None
    by_drug: dict[str, tuple[NormRule, ...]] = field(default_factory=dict)
    brands: frozenset[str] = frozenset()
    factor_brands: frozenset[str] = frozenset()  # the brands with conversion factors of their own (Hizentra, Cuvitru)
    modified_drugs: frozenset[str] = frozenset()  # drugs with rules of their own for diseases (what premedication is for)
    # For each weak rule: the sentences of its source document that cite its reference. A weak rule never verifies,
    # but with no cited passage at hand these are the passage it stands for (a dose they state is `grounded`).
    rule_passages: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # For each worked-example rule: the same sentences of its source document. A text that cites one section of that
    # document (the formula) and works the example's dose is grounded by the example's sentences in another section.
    example_passages: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def rule(self, rule_id: str) -> DoseRule | None:
        """The rule with this id, if any."""
        return next((r for r in self.rules if r.id == rule_id), None)

    def for_drug(self, drug: str, family: str) -> list[NormRule]:
        """Rules of one drug and one family (dose, rate, lab, factor)."""
        return [n for n in self.by_drug.get(drug, ()) if n.family == family]

    def indications_of(self, drug: str | None, family: str) -> frozenset[str]:
        """The indications this drug has rules of this family for (a dose family: dose or rate rules)."""
        kin = ("dose", "rate") if family in ("dose", "rate") else (family,)
        return frozenset(n.rule.indication for n in self.by_drug.get(drug or "", ()) if n.family in kin)

    def limits(self, drug: str | None, dim: str) -> bool:
        """Whether the drug has a limit in this unit: a cap rule or a daily maximum."""
        return any(n.family in ("dose", "rate") and n.dim == dim and (n.lo is None or n.max_daily is not None)
                   for n in self.by_drug.get(drug or "", ()))

    def brand_factors(self, brand: str) -> set[float]:
        """The conversion factors the rules give for one product brand."""
        return {v for n in self.norm if n.family == "factor" and n.rule.brand == brand for v in (n.lo, n.hi)
                if v is not None}

    def drug_for(self, diseases: frozenset[str]) -> str | None:
        """The one drug with dose rules for these diseases, if exactly one has."""
        drugs = {n.rule.drug for n in self.norm if n.rule.indication in diseases and n.family in ("dose", "rate")}
        return drugs.pop() if len(drugs) == 1 else None


def _days(unit: str, where: str) -> float:
    info = unit_info(unit)
    if info is None or info.dim != "time":
        raise RuleFileError(f"{where}: {unit!r} is not a unit of time")
    return info.factor  # the canonical unit of time is the day


def _normalise(rule: DoseRule, where: str) -> NormRule:
    info = unit_info(rule.unit)
    if info is None:
        raise RuleFileError(f"{where}: unit {rule.unit!r} is not one the dose checker understands")
    family = _FAMILY[rule.kind]
    dose_unit = not info.dim.startswith("other:") and info.dim not in ("conc", "factor", "bw", "time")
    if family == "timing" and info.dim != "time" or family == "lab" and info.dim != "conc" or family == "rate" and not (dose_unit and info.dim.endswith("/time")) \
            or family in ("dose", "rounding") and not (dose_unit and not info.dim.endswith("/time")):
        raise RuleFileError(f"{where}: unit {rule.unit!r} does not fit a rule of kind {rule.kind!r}")
    if (rule.basis != "absolute") != ("/bw" in info.dim):
        raise RuleFileError(f"{where}: basis {rule.basis!r} does not match unit {rule.unit!r}")

    def limit(q) -> float | None:
        if q is None:
            return None
        qi = unit_info(q.unit)
        if qi is None or qi.dim != info.dim:
            raise RuleFileError(f"{where}: limit unit {q.unit!r} does not match rule unit {rule.unit!r}")
        return q.value * qi.factor

    per = info.per if rule.per in ("dose", "none") and info.per else rule.per
    interval = None
    if rule.interval is not None:
        step = _days(rule.interval.unit, where)
        interval = (rule.interval.min * step, rule.interval.max * step)
    elif per in ("day", "week", "month"):
        interval = (_days(per, where),) * 2
    duration = None if rule.duration is None else rule.duration.value * _days(rule.duration.unit, where)
    scale = info.factor
    return NormRule(rule=rule, family=family, dim=info.dim,
                    lo=None if rule.min is None else rule.min * scale, hi=None if rule.max is None else rule.max * scale,
                    kind="course" if per == "course" else "dose", interval=interval, duration=duration,
                    min_duration=None if rule.min_duration is None else
                    rule.min_duration.value * _days(rule.min_duration.unit, where),
                    infusion=None if rule.infusion is None else
                    (rule.infusion.min * _days(rule.infusion.unit, where), rule.infusion.max * _days(rule.infusion.unit, where)),
                    max_single=limit(rule.max_single), max_daily=limit(rule.max_daily),
                    max_course=limit(rule.max_course),
                    scaled=None if rule.scaled_interval is None else
                    (rule.scaled_interval.min * _days(rule.scaled_interval.unit, where),
                     rule.scaled_interval.max * _days(rule.scaled_interval.unit, where)))


def _read_yaml(path: Path):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RuleFileError(f"{path}: cannot read YAML: {exc}") from exc


_DOCUMENT_DIRS = ("guidelines", ".")


def _unreviewed(rules_dir: Path, reference: str) -> bool:
    """Whether corpus/references.yaml marks the reference as not peer reviewed (a secondary web summary)."""
    path = rules_dir.parent / "references.yaml"
    try:
        refs = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return True  # no way to tell: ground nothing
    entry = refs.get(reference) if isinstance(refs, dict) else None
    return not isinstance(entry, dict) or entry.get("peer_reviewed") is False


def _cited_sentences(rules_dir: Path, rule: DoseRule) -> tuple[str, ...]:
    """The lines of the rule's source document (a corpus file beside the rules directory) that cite its reference."""
    for folder in _DOCUMENT_DIRS:
        for path in sorted((rules_dir.parent / folder).glob(f"{rule.source.document}.*")):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if _unreviewed(rules_dir, rule.source.reference):
                return ()  # a secondary summary that no one peer reviewed grounds nothing, even for a weak rule
            mark = f"@{rule.source.reference}"
            return tuple(line.strip("-* \t") for line in text.splitlines()
                         if re.search(rf"{re.escape(mark)}(?![\w-])", line))
    return ()


def _load(rules_dir: Path) -> RuleBook:
    vocab_path = rules_dir / "vocabulary.yaml"
    if not vocab_path.is_file():
        raise RuleFileError(f"{vocab_path}: vocabulary file missing")
    try:
        vocabulary = Vocabulary.model_validate(_read_yaml(vocab_path))
    except ValidationError as exc:
        raise RuleFileError(f"{vocab_path}: {exc}") from exc
    drugs = {d.canonical for d in vocabulary.drugs}
    indications = {i.canonical for i in vocabulary.indications} | {"any"}
    rules: list[DoseRule] = []
    norm: list[NormRule] = []
    seen: dict[str, str] = {}
    for path in sorted([*rules_dir.glob("*.yaml"), *rules_dir.glob("*.yml")]):
        if path.name == vocab_path.name:
            continue
        data = _read_yaml(path)
        if not isinstance(data, dict) or set(data) != {"rules"} or not isinstance(data["rules"], list):
            raise RuleFileError(f"{path}: expected a mapping with one key 'rules' holding a list")
        for index, row in enumerate(data["rules"]):
            row_id = row.get("id") if isinstance(row, dict) else None
            where = f"{path}: rule #{index} (id {row_id!r})"
            try:
                rule = DoseRule.model_validate(row)
            except ValidationError as exc:
                problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'row'}: {e['msg']}" for e in exc.errors())
                raise RuleFileError(f"{where}: {problems}") from exc
            if rule.drug not in drugs:
                raise RuleFileError(f"{where}: drug {rule.drug!r} is not in {vocab_path.name}")
            if rule.indication not in indications:
                raise RuleFileError(f"{where}: indication {rule.indication!r} is not in {vocab_path.name}")
            if rule.id in seen:
                raise RuleFileError(f"{where}: duplicate id, first defined in {seen[rule.id]}")
            seen[rule.id] = str(path)
            rules.append(rule)
            norm.append(_normalise(rule, where))
    by_drug: dict[str, tuple[NormRule, ...]] = {}
    for n in norm:
        by_drug[n.rule.drug] = by_drug.get(n.rule.drug, ()) + (n,)
    warm()
    passages = {r.id: found for r in rules if r.evidence == "weak" and (found := _cited_sentences(rules_dir, r))}
    examples = {r.id: found for r in rules if r.evidence != "weak" and "example" in (r.population.note or "").lower()
                and (found := _cited_sentences(rules_dir, r))}
    return RuleBook(rules=tuple(rules), vocabulary=vocabulary, norm=tuple(norm), lexicon=lexicon(vocabulary),
                    by_drug=by_drug, brands=frozenset(r.brand for r in rules if r.brand),
                    factor_brands=frozenset(r.brand for r in rules if r.brand and r.kind == "conversion_factor"),
                    modified_drugs=frozenset(r.drug for r in rules if is_disease(r.indication)),
                    rule_passages=passages, example_passages=examples)


_CACHE: dict[tuple, RuleBook] = {}


def load_rulebook(rules_dir: Path) -> RuleBook:
    """Load and validate every rule file in a directory; cached until a file changes."""
    rules_dir = Path(rules_dir).resolve()
    if not rules_dir.is_dir():
        raise RuleFileError(f"{rules_dir}: rules directory not found")
    stamp = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(rules_dir.glob("*.y*ml")))
    key = (str(rules_dir), stamp)
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = _load(rules_dir)
    return _CACHE[key]
