"""Repair text extracted from PDFs: drop running headers and footers, join split words and
hyphenated line breaks. Only letters are ever joined; digits are never touched."""

from __future__ import annotations

import re
from collections import Counter

PAGE_FOOTER = re.compile(r"^\s*(?:.*\s)?Page\s*\d+\s*of\s*\d+\s*$", re.IGNORECASE)
BARE_PAGE_NUMBER = re.compile(r"^\s*(?:-\s*)?\d{1,4}(?:\s*-)?\s*$")
# "intak e", "shap e": a word broken before its last letter by the PDF's glyph spacing.
SPLIT_TAIL = re.compile(r"\b([A-Za-z]{2,}) ([a-z])\b(?=[\s.,;:)])")
# "m g" right after a number: a unit broken by glyph spacing.
SPLIT_UNIT = re.compile(r"(?<=\d)( ?)(m) (g|L|l)\b")
HYPHEN_BREAK = re.compile(r"([A-Za-z]{2,})-\n\s*([a-z][A-Za-z]*)")
WORD = re.compile(r"[A-Za-z]{2,}")
COMPOUND = re.compile(r"\b([A-Za-z]{2,})-([A-Za-z]{2,})\b")
# pdfium marks a hyphen where a line breaks as U+FFFE; the word on either side may be on the next line.
LINE_HYPHEN = re.compile(r"([A-Za-z]+)\ufffe[ \t]*(\n[ \t]*)?([A-Za-z]+)")
# Symbol-font bullets that arrive as private-use code points.
PRIVATE_BULLET = re.compile(r"^([ \t]*)[\uf020-\uf0ff](?=[ \t])", re.M)
# "sertralinea", "batteriesa", "Dosea,b": a footnote letter set after a word (a superscript read inline).
FOOTNOTE_LETTER = re.compile(r"\b([A-Za-z][A-Za-z-]{2,})([a-h](?:,[a-h])*)(?=[\s.,;:)]|$)")
NONCHARS = dict.fromkeys(map(ord, "\uffff\u00ad\u200b\ufeff\u2060"), None)
SINGLE_LETTER_WORDS = {"a", "i", "o", "x", "e"}


def repeated_lines(pages: list[str], min_share: float = 0.3) -> set[str]:
    """Lines that open or close many pages: running headers and footers."""
    if len(pages) < 4:
        return set()
    counts: Counter[str] = Counter()
    for page in pages:
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        edge = set(lines[:3] + lines[-3:])
        counts.update(edge)
    threshold = max(3, int(len(pages) * min_share))
    return {line for line, n in counts.items() if n >= threshold and not BARE_PAGE_NUMBER.match(line)}


def strip_page_noise(page: str, headers: set[str]) -> str:
    """Remove running headers, 'Page N of M' footers and bare page numbers from one page."""
    lines = page.splitlines()
    kept = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        # A bare number is a page number only at the page's edge; inside, it may be a table cell.
        at_edge = i < 2 or i >= len(lines) - 2
        if stripped in headers or PAGE_FOOTER.match(stripped) or (at_edge and BARE_PAGE_NUMBER.match(stripped)):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept)


def vocabulary(text: str) -> Counter[str]:
    """Lower-cased word counts, the evidence for which repairs are real words."""
    return Counter(word.lower() for word in WORD.findall(text))


def repair_words(text: str, vocab: Counter[str]) -> str:
    """Join split tails and hyphenated line breaks when the document itself uses the joined word."""

    def join_tail(match: re.Match[str]) -> str:
        head, tail = match.group(1), match.group(2)
        joined = (head + tail).lower()
        if tail in SINGLE_LETTER_WORDS and vocab[joined] == 0:
            return match.group(0)
        if vocab[joined] > 0 and (vocab[head.lower()] == 0 or vocab[joined] >= vocab[head.lower()]):
            return head + tail
        return match.group(0)

    def join_hyphen(match: re.Match[str]) -> str:
        head, tail = match.group(1), match.group(2)
        # "inter-\nvention" is one word; "follow-\nup" keeps its hyphen.
        if vocab[(head + tail).lower()] > 0:
            return head + tail
        return f"{head}-{tail}"

    text = HYPHEN_BREAK.sub(join_hyphen, text)
    text = SPLIT_UNIT.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}", text)
    return strip_footnote_letters(SPLIT_TAIL.sub(join_tail, text), vocab)


def strip_footnote_letters(text: str, vocab: Counter[str]) -> str:
    """Drop a footnote letter glued to a word ("sertralinea" -> "sertraline"): the word with the letter is no English
    word and the document writes the word without it more often."""
    from wordfreq import zipf_frequency

    def strip(match: re.Match[str]) -> str:
        stem, word = match.group(1), (match.group(1) + match.group(2)[0]).lower()
        if vocab[stem.lower()] >= 2 and vocab[word] < vocab[stem.lower()] and zipf_frequency(word, "en") == 0:
            return stem
        return match.group(0)

    return FOOTNOTE_LETTER.sub(strip, text)


def normalize_chars(text: str) -> str:
    """Drop non-characters and invisible marks (U+FFFF, soft hyphen, zero-width); symbol bullets become "•".

    U+FFFE (pdfium's hyphen at a line break) is kept for join_line_hyphens(), which needs the vocabulary."""
    text = text.translate(NONCHARS).replace("\x02", "\ufffe")  # pdfium writes some line-break hyphens as U+0002
    return PRIVATE_BULLET.sub(lambda m: m.group(1) + "•", text)


def compounds(text: str) -> Counter[str]:
    """Hyphenated words the document writes with a hyphen ("new-added", "self-management")."""
    return Counter(f"{a}-{b}".lower() for a, b in COMPOUND.findall(text))


def join_line_hyphens(text: str, vocab: Counter[str], hyphenated: Counter[str]) -> str:
    """U+FFFE between two word parts: a hyphen the document writes, or a word it writes joined."""

    def fix(match: re.Match[str]) -> str:
        head, tail = match.group(1), match.group(3)
        if hyphenated[f"{head}-{tail}".lower()] == 0 and vocab[(head + tail).lower()] > 0:
            return head + tail
        return f"{head}-{tail}"

    return LINE_HYPHEN.sub(fix, text).replace("\ufffe", "-")


def clean_pdf_pages(pages: list[str], headers: set[str] | None = None) -> list[str]:
    """Normalise the extracted text of every page of one PDF."""
    pages = [normalize_chars(page) for page in pages]
    headers = repeated_lines(pages) if headers is None else headers
    stripped = [strip_page_noise(page, headers) for page in pages]
    whole = "\n".join(stripped)
    vocab, hyphenated = vocabulary(whole), compounds(whole)
    return [repair_words(join_line_hyphens(page, vocab, hyphenated), vocab) for page in stripped]


def digits(text: str) -> list[str]:
    """The sequence of numbers in a text (normalisation must leave it unchanged)."""
    return re.findall(r"\d+(?:\.\d+)?", text)
