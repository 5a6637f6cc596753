"""Which indications name a disease and which modify a dose (premedication, thrombosis risk, conversions)."""

from __future__ import annotations

# Indications that modify a dose (thrombosis risk, premedication, conversions) rather than name a disease: when
# named, their rules must hold as well. Every other indication of the vocabulary is a disease, and a disease's dose
# is verified only by a rule for that disease (another disease's rule is borrowed and can at most leave it ungrounded).
MODIFIERS = frozenset({"premedication", "thrombosis_risk", "ivig_to_scig", "obesity_dosing_weight"})


def is_disease(indication: str) -> bool:
    """True for an indication that names a disease (not a modifier, not 'any')."""
    return indication not in MODIFIERS and indication != "any"


def diseases(indications) -> set[str]:
    """The diseases among some indications."""
    return {i for i in indications if is_disease(i)}
