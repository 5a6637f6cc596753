"""Of the conditions a question names, the one the passages found are about.

"68F with T2DM, HTN on 2 meds, office SBP 146. what SBP goal?": the question names diabetes first, but what it asks (a
blood-pressure goal) found the hypertension guideline, whose passages say "type 2 diabetes" and never the diabetes
guideline's own words. When no passage found speaks of the first condition named and one speaks of another the question
names, the question is about that one (the first stays among the others named): it is no condition the sources miss.
Only when some indexed guideline is about the first condition: one no indexed document covers ("MIS-C, same 2 g/kg as
Kawasaki?") stays the question's, and is answered as not covered rather than by the other condition's dose."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def about_found_condition(vocab: Any, frame: Any, own: Any, hits: list,
                          indexed: Callable[[tuple[str, ...]], bool] = lambda terms: True) -> tuple[Any, Any]:
    """(frame, own) with the indication the retrieved passages speak of, when they speak of none of the first named
    and `indexed` (whether an indexed document's title names any of a condition's terms) says another document covers it."""
    from assistant.compose import names_any, on_topic

    if not hits or not own.indication or not own.other_indications or frame.indication != own.indication:
        return frame, own

    def spoken(name: str) -> bool:
        term = vocab.term("indications", name)
        return term is not None and any(on_topic(h, term.terms) or names_any(h.text, term.terms) for h in hits)

    first = vocab.term("indications", own.indication)
    if spoken(own.indication) or first is None or not indexed(first.terms):
        return frame, own
    for other in own.other_indications:
        if spoken(other):
            term = vocab.term("indications", other)
            rest = [own.indication, *(o for o in own.other_indications if o != other)]
            update = {"indication": other, "indication_label": term.label, "other_indications": rest}
            return frame.model_copy(update=update), own.model_copy(update=update)
    return frame, own
