"""A product the cited passage names in parentheses after its drug ("Fluticasone furoate DPI (ARNUITY ELLIPTA)",
"Phentermine/ topiramate ER (Qsymia®)"): a brand the drug dictionary may not know. A text (or question) naming that
brand names the drug, as the product the passage gives it (so its doses are held to that product's rows)."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.doses.lexicon import Mention
from assistant.doses.parse import Scan

# The parenthesis right after a drug's name and up to 40 characters of its form ("DPI", "MDI", "ER"): a brand in
# capitals or capitalised, one to three words, with a trademark sign or not.
_BRAND = re.compile(r"[^()\n;:]{0,40}?\(\s*(?P<brand>[A-Z][A-Za-z0-9-]{2,}(?:\s+[A-Z][A-Za-z0-9-]{2,}){0,2})\s*[®™]?\s*\)")


def passage_brands(srcs: list[Scan] | None) -> dict[str, str]:
    """Brand (lower case) -> the drug the passages name it after."""
    out: dict[str, str] = {}
    for src in srcs or ():
        for d in src.drugs:
            m = _BRAND.match(src.text, d.end)
            if m is None:
                continue
            brand = m.group("brand").lower()
            if brand in out and out[brand] != d.canonical:
                out[brand] = ""  # named after two drugs: no brand of either
            else:
                out.setdefault(brand, d.canonical)
    return {b: d for b, d in out.items() if d}


def with_passage_brands(sc: Scan | None, brands: dict[str, str]) -> Scan | None:
    """The scan with each brand of the passages it names (its full name, or its first word of 5 letters or more)
    added as a mention of the brand's drug, where no drug is named already."""
    if sc is None or not brands:
        return sc
    found: list[Mention] = []
    for brand, drug in brands.items():
        words = [brand] + ([brand.split()[0]] if " " in brand and len(brand.split()[0]) >= 5 else [])
        for w in words:
            name = r"\s+".join(re.escape(part) for part in w.split())
            for m in re.finditer(rf"(?i)(?<![\w-]){name}(?![\w-])", sc.text):
                if any(d.start < m.end() and m.start() < d.end for d in sc.drugs + tuple(found)):
                    continue
                found.append(Mention(drug, m.start(), m.end(), m.group(0)))
    if not found:
        return sc
    return replace(sc, drugs=tuple(sorted(sc.drugs + tuple(found), key=lambda x: x.start)))


def row_brands(src: Scan, pos: int) -> frozenset[str]:
    """The brands a passage's line (one table row) names in parentheses after its drug, before pos."""
    line_start = src.text.rfind("\n", 0, pos) + 1
    return frozenset(m.group("brand").lower() for d in src.drugs if line_start <= d.start < pos
                     and (m := _BRAND.match(src.text, d.end)) is not None and m.end() <= pos)


def other_brand(src: Scan, pos: int, products: frozenset[str]) -> bool:
    """Whether the passage's line at pos is about another brand than the text's product ("ARNUITY ELLIPTA" named,
    the row is FLOVENT HFA's): a product's row grounds only that product's doses."""
    theirs = row_brands(src, pos)
    if not theirs or not products:
        return False
    def first(name: str) -> str:
        return name.split()[0]
    mine = {p for p in products} | {first(p) for p in products}
    return not any(b in mine or first(b) in mine for b in theirs) and any(
        p in {b for b in _known(src)} or first(p) in {first(b) for b in _known(src)} for p in products)


def _known(src: Scan) -> frozenset[str]:
    """Every brand the passage names after a drug."""
    return frozenset(m.group("brand").lower() for d in src.drugs if (m := _BRAND.match(src.text, d.end)) is not None)
