"""A follow-up's pronoun for the drug the answer before it recommended.

"mod-severe AUD, naltrexone and topiramate failed. next med?" -> "... we suggest offering gabapentin ..." -> "how do I
dose it?": "it" is gabapentin, the drug the earlier lead named, when the conversation's frame names no drug of its own
(the patient's tried drugs are not it)."""

from __future__ import annotations

import re
from typing import Any

# A pronoun standing for a thing named before (the pronoun words are general English).
_PRONOUN = re.compile(r"(?i)(?<![a-z])(?:it|that|this one|that one|them)(?![a-z])")


def with_lead_drug(frame: Any, text: str, turns: list[dict]) -> Any:
    """The frame with the drug the previous answer's lead named, when this turn points at it by a pronoun and the frame
    names no drug; unchanged otherwise."""
    if frame.drug or not turns or not _PRONOUN.search(text):
        return frame
    from assistant.doses.drugnames import dictionary_drugs
    from assistant.vocabulary import history_drugs

    previous = turns[-1]
    lead = str((previous.get("answer") or {}).get("summary") or "")
    history = set(history_drugs(str(previous.get("question") or previous.get("standalone") or "")))
    named = [m for m in dictionary_drugs(lead) if m.canonical.lower() not in history and m.surface.lower() not in history]
    if not named or len({m.canonical for m in named}) > 1:
        return frame  # none, or several: the pronoun says not which
    return frame.model_copy(update={"drug": named[0].canonical, "product": named[0].surface,
                                    "products": [named[0].surface, *frame.products]})
