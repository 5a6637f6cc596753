"""The body weight a text says doses are calculated on ("Ontario calculates the dose on actual body weight"), held to
the weight the cited passage says they are calculated on (words in assistant/doses/data/passage-targets.yaml)."""

from __future__ import annotations

import re

from assistant.doses.parse import Scan
from assistant.doses.targets import vocabulary
from assistant.models import DoseFinding


def _bases(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every weight a clause of the text asserts doses are calculated on."""
    voc = vocabulary()
    out = []
    for m in voc.basis.finditer(text):
        c_start = max([0] + [k.end() for k in re.finditer(r"[.;:,]\s|\n", text[:m.start()])])
        if voc.not_asserted.search(text[c_start:m.end()]):
            continue
        kind = next(k for k, p in voc.basis_kinds if p.fullmatch(m.group("kind")))
        out.append((m.start("kind"), m.end("kind"), kind))
    return out


def weight_basis_findings(sc: Scan, srcs: list[Scan] | None) -> list[DoseFinding]:
    """A finding for every body weight the text says doses are calculated on where the cited passages say which weight
    they are calculated on, and it is another: ungrounded."""
    if not srcs:
        return []
    theirs = {kind for src in srcs for _, _, kind in _bases(src.text)}
    if not theirs:
        return []
    named = " or ".join(sorted(theirs))
    return [DoseFinding(text=sc.text[start:end], start=start, end=end, value=0.0, unit="kg", per_kg=True,
                        verdict="ungrounded",
                        message=f"The cited passage calculates doses on {named} body weight, not on {kind} "
                                f"body weight.")
            for start, end, kind in _bases(sc.text) if kind not in theirs]

