"""A drug asked about that the guideline of the question's condition never names is not covered there.

"OSA on CPAP, still sleepy. add modafinil?": the sleep guideline never names modafinil; a word it shares with a search
strategy or another guideline's passage does not make the sleep guideline's recommendations an answer about it. Only for
a drug the corpus vocabulary does not know (one read from the drug dictionary), asked with a condition."""

from __future__ import annotations

from typing import Any


def unspoken_drug(retriever: Any, settings: Any, vocab: Any, own: Any, hits: list, question: str = "",
                  documents: int = 2) -> str | None:
    """'The sources do not cover X for Y' when neither the retrieved passages nor the documents they come from (their
    answerable passages, searched for the drug's name) name the drug this turn asks about; None otherwise."""
    from assistant.compose import names_any
    from assistant.retrieval import Filters
    from assistant.vocabulary import asks_another, drug_class_words, open_ask

    if not own.drug or not own.indication or not hits or vocab.term("drugs", own.drug) is not None:
        return None
    if open_ask(question) or asks_another(question) or _current(question, own.product or own.drug):
        return None  # asked for another option ("on miralax, still constipated. next?"), the drug named is the patient's
    # (any drug the turn names will do: "on risperidone ... switch to clozapine?" is covered where clozapine is named)
    # ... and the drug classes it names ("modafinil or adderall - ok with stimulants?" is covered where stimulants are)
    words = tuple(dict.fromkeys(w.lower() for w in (own.drug, own.product, *own.products, *drug_class_words(question))
                                if w))
    if any(names_any(h.text, words) for h in hits):
        return None
    docs = tuple(dict.fromkeys(h.doc_id for h in hits))[:documents]
    more, _ = retriever.retrieve(" ".join(words), k=5, mode=settings.retrieval.retriever, filters=Filters(documents=docs),
                                 answerable=True)
    if any(names_any(h.text, words) for h in more):
        return None
    where = f" for {own.indication_label}" if own.indication_label else ""
    return f"The sources do not cover {own.product or own.drug}{where}."


def _current(question: str, name: str) -> bool:
    """Whether the question names the drug as what the patient is on ("on risperidone", "taking miralax")."""
    import re

    return bool(re.search(rf"(?i)\b(?:on|taking|takes|using|uses|receiving|gets)\s+(?:[\w/-]+\s+){{0,2}}?{re.escape(name)}(?![a-z0-9])",
                          question))
