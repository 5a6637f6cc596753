"""Document structure: headings from the PDF outline placed at their exact offsets, what kind of text each
section holds, and recommendation statements with their strength and status.

Headings come only from the outline (or, without one, from the chunker's typography rules): a sentence
never becomes a heading.

Chunk metadata contract (ingest.chunk.Chunk.kind / .extra, stored flat in Chroma by ingest.store.chunk_metadata):
  kind          text | recommendation | table_row | superseded | bibliography | search_strategy |
                evidence_table | methodology | research | front_matter | toc.  Only text, recommendation and table_row are current
                guideline content that may back an answer statement.
  grade         the recommendation's strength (also for superseded rows), else the section grade (Markdown)
  strength      "Strong for" | "Weak for" | "Weak against" | "Strong against" | "Neither for nor against"
  status        the guideline's category, lower case, comma-joined: "reviewed, new-added", "not reviewed, amended",
                "reviewed, new-replaced", "not reviewed, not changed", "not reviewed, deleted", ...
  rec_number    "7", "28a"; rec_form "body" (the statement in its section) | "table" (a summary or appendix table row)
  topic         the table's topic cells above a recommendation row; replaced_by: "33" (earlier version rows)
  refs          the document's own reference numbers stripped from the text, "9,10,44,45,46"
  table, row, columns   for table rows: table number in the document, row number, "Drug | Initial Dose | ..."
  issuer, year, version, url   per document (PDF metadata and title page; a guidelines.yaml/.csv beside the file wins)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ingest.pdf import Bookmark

KINDS = ("text", "recommendation", "table_row", "superseded", "bibliography", "search_strategy", "evidence_table", "methodology",
         "research", "front_matter", "toc")
ANSWERABLE = frozenset({"text", "recommendation", "table_row"})


@dataclass(frozen=True)
class Heading:
    start: int  # offset in the document text where the heading's own text begins
    end: int  # where it ends (== start when the title was not found on its page)
    level: int
    title: str
    page: int  # 1-based


@dataclass(frozen=True)
class Region:
    """A span of the document text with a kind of its own (a table row, ...)."""

    start: int
    end: int
    kind: str
    data: dict = field(default_factory=dict, hash=False, compare=False)


# ------------------------------------------------------------------------------------------ the outline


@lru_cache(maxsize=4096)
def _title_patterns(title: str) -> list[re.Pattern[str]]:
    """The whole title (words may wrap or lose their spaces), then its first words (long titles are truncated)."""
    title = title.removesuffix("...").rstrip(".…* ").strip()
    words = re.findall(r"[A-Za-z0-9]+|[^\sA-Za-z0-9]", title)
    if not words:
        return []
    out = [re.compile(r"\s*".join(re.escape(w) for w in words), re.IGNORECASE)]
    if len(words) > 12:
        out.append(re.compile(r"\s*".join(re.escape(w) for w in words[:12]), re.IGNORECASE))
    return out


# Bookmarks some guidelines set on labels inside a section: they name no section of their own.
LABEL_MARK = re.compile(rf"^(?:Recommendations?|Discussion|\(\s*(?:{'|'.join(['Strong', 'Weak', 'Neither', 'N/A', 'No recommendation'])}).*\))\s*$", re.I)


CAPTION_MARK = re.compile(r"^(?:Table|Figure|Exhibit)\s+[A-Z]?-?\d+[a-z]?\s*[.:]", re.I)


def _caption_only(title: str) -> bool:
    """A bookmark on a table's or figure's caption names no section: the text after the table is its section's,
    not the table's (kept when the caption is what marks the section's kind, e.g. an evidence table)."""
    return bool(CAPTION_MARK.match(title)) and section_kind((title,)) == "text"


ROMAN = {r: n for n, r in enumerate(["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV",
                                     "XVI", "XVII", "XVIII", "XIX", "XX"], start=1)}
ROMAN_BY_NUMBER = {n: r for r, n in ROMAN.items()}
NUMBERED_MARK = re.compile(r"^(?P<label>[IVX]{1,5}|[A-Z])\.\s+\S")


def _label(title: str) -> tuple[str, int] | None:
    m = NUMBERED_MARK.match(title)
    if not m:
        return None
    label = m.group("label")
    if label in ROMAN and (len(label) > 1 or label in {"I", "V", "X"}):
        return "roman", ROMAN[label]
    return ("letter", ord(label) - 64) if len(label) == 1 else None


def fill_outline_gaps(outline: list[Bookmark], pages: list[str]) -> list[Bookmark]:
    """Bookmarks an outline skipped ("I. Introduction" before "II. Background", "VI. Recommendations" between V and
    VII, "C. ..." between B and D), read from the heading lines of the pages between their neighbours. Only a gap of
    exactly one in a numbered sequence is filled, and only from a line that is a heading (not a TOC line)."""
    out = list(outline)
    inserts: list[tuple[int, Bookmark]] = []
    for i, mark in enumerate(out):
        lab = _label(mark.title)
        if lab is None or lab[1] < 2:
            continue
        kind, n = lab
        prev = None
        for j in range(i - 1, -1, -1):
            other = out[j]
            if other.level < mark.level and kind == "letter":
                break  # letters restart under each parent
            if other.level == mark.level and (ol := _label(other.title)) and ol[0] == kind:
                prev = (j, ol[1])
                break
        if prev is not None and prev[1] != n - 2:
            continue
        if prev is None and n != 2:
            continue
        first_page = out[prev[0]].page if prev is not None else 0
        want = ROMAN_BY_NUMBER[n - 1] if kind == "roman" else chr(64 + n - 1)
        line_re = re.compile(rf"(?m)^[ \t]*{re.escape(want)}\.[ \t]+([A-Z][^\n.]{{2,90}}?)[ \t]*$")
        found, at = None, 0
        for page in range(first_page, mark.page + 1):
            for m in line_re.finditer(pages[page]):
                if re.search(r"(\.\s?){4,}|\d\s*$", m.group(0)):
                    continue  # a table-of-contents line
                found, at = Bookmark(mark.level, page, f"{want}. {' '.join(m.group(1).split())}"), m.start()
                break
            if found:
                break
        if found and not any(_label(b.title) == (kind, n - 1) and b.level == mark.level and first_page <= b.page <= mark.page
                             for b in out):
            # before the first bookmark that stands after the heading line (a later page, or lower on its page)
            where = i
            for j in range((prev[0] + 1) if prev else 0, i):
                other = out[j]
                pos = _title_patterns(other.title)[0].search(pages[other.page]) if _title_patterns(other.title) else None
                if other.page > found.page or (other.page == found.page and pos is not None and pos.start() > at):
                    where = j
                    break
            inserts.append((where, found))
    for where, mark in sorted(inserts, key=lambda x: x[0], reverse=True):
        out.insert(where, mark)
    return out


def place_outline(outline: list[Bookmark], pages: list[str], page_starts: tuple[int, ...]) -> list[Heading]:
    """Each bookmark at the offset where its title stands on its page (the page start when it cannot be found)."""
    marks = [m for m in _drop_root(outline) if not LABEL_MARK.match(m.title) and not _caption_only(m.title)]
    headings: list[Heading] = []
    last_page, cursor = -1, 0
    for mark in marks:
        if not 0 <= mark.page < len(pages):
            continue
        text = pages[mark.page]
        if mark.page != last_page:
            cursor = 0
        found = None
        for pattern in _title_patterns(mark.title):
            for match in pattern.finditer(text, cursor):
                line_start = text.rfind("\n", 0, match.start()) + 1
                if not text[line_start : match.start()].strip():  # the title opens a line
                    found = match
                    break
            if found is None:
                found = pattern.search(text, cursor)
            if found is not None:
                break
        title = mark.title
        if found is not None:
            start, end = found.start(), found.end()
            while end < len(text) and text[end] in ".:*":  # the title's own closing punctuation
                end += 1
            cursor = end
            if sentence_like(title):  # the bookmark is the section's first sentence: leave it in the text
                end = start
        else:
            start = end = cursor
        if sentence_like(title):
            title = short_title(title)
        base = page_starts[mark.page]
        headings.append(Heading(base + start, base + end, mark.level, title, mark.page + 1))
        last_page = mark.page
    headings.sort(key=lambda h: h.start)  # stable: outline order within one offset
    return headings


def sentence_like(title: str) -> bool:
    """A bookmark that holds a sentence rather than a heading (truncated with "...", or long prose)."""
    return title.endswith(("...", "…")) or len(title.split()) > 16 or bool(re.search(r"[a-z]{3,}\.\s+[A-Z]", title))


def short_title(title: str, words: int = 10) -> str:
    """The first words of a sentence-like bookmark, as a heading."""
    title = title.removesuffix("...").rstrip("…. ")
    first = re.split(r"(?<=[a-z]{3}[.;:])\s", title)[0]
    parts = first.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words or first != title else "")


def _drop_root(outline: list[Bookmark]) -> list[Bookmark]:
    """Leave out a first bookmark on page 1 that only names the whole document."""
    if outline and outline[0].page == 0 and (len(outline) == 1 or outline[1].level > outline[0].level or outline[0].level == 0):
        return outline[1:]
    return list(outline)


# ---------------------------------------------------------------------------------------- section kinds

SECTION_KINDS: list[tuple[str, re.Pattern[str]]] = [
    ("toc", re.compile(r"^(table of )?contents$", re.I)),
    ("bibliography", re.compile(r"^(references|bibliography|reference list|works cited)\b", re.I)),
    ("search_strategy", re.compile(r"search (terms|strateg)|literature (review )?search|search syntax|syntax$|hedges", re.I)),
    ("evidence_table", re.compile(r"evidence table|evidence base for|grade evidence profile", re.I)),
    ("superseded", re.compile(r"\b(19|20)\d\d recommendation categori[sz]ation table|recommendation categori[sz]ation table", re.I)),
    # How the guideline was made: its key questions (PICOTS), the systematic review, grading, meetings, peer review,
    # focus groups. Not advice: a question is answered by the recommendation, never by the key question behind it.
    ("methodology", re.compile(r"key questions?\b|\bKQs?\b|review methodology|development methodology|^methods?$|"
                               r"conducting the systematic|systematic (?:evidence )?review$|criteria for (?:study )?inclusion|"
                               r"inclusion criteria for|grading recommendations|determining recommendation strength|"
                               r"rating the quality|convening the|drafting and (?:submitting|finalizing)|peer review process|"
                               r"^reconciling (?:19|20)\d\d|focus group methods|study flow diagram", re.I)),
    # What the authors would study next: no advice either.
    ("research", re.compile(r"research (?:priorities|gaps|needs|agenda)|knowledge gaps|recommended research|future research", re.I)),
    ("front_matter", re.compile(r"participant list|abbreviation|acronym|glossary|work group$|guideline work group|development team|acknowledg|qualifying statement", re.I)),
]


def section_kind(path: tuple[str, ...]) -> str:
    """The kind of text a section holds, from its heading path (innermost heading that decides wins)."""
    for title in reversed(path):
        clean = re.sub(r"^(appendix [a-z0-9]+[:.]?|[ivx]+\.|[a-z]\.|\d+(\.\d+)*\.?)\s*", "", title.strip(), flags=re.I).strip(" *:")
        for kind, pattern in SECTION_KINDS:
            if pattern.search(clean):
                return kind
    return "text"


DOT_LEADER = re.compile(r"(?:\.\s?){5,}\s*\d+\b")
PUBMED = re.compile(r"PubMed PMID|PMID:|doi:\s*10\.|\bet al\.\s.*\b(19|20)\d\d;\s*\d+", re.I)
KEY_QUESTION = re.compile(r"\b(?:Key Questions?|KQs?)\s*#?\d{1,2}[a-z]?\b")
SEARCH_SYNTAX = re.compile(r"/exp\b|:ti,ab|:ti\b|:ab\b|\bNEXT/\d|\bADJ\d|\[mh\]|\[tiab\]|\bSet #|#\d+\s+(AND|OR)\s+#?\d", re.I)


def text_kind(text: str) -> str | None:
    """A kind read from the text itself, for debris whose section does not say (TOC lines, bibliography, searches)."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return None
    if len(DOT_LEADER.findall(text)) >= 2 or (DOT_LEADER.search(text) and (len(text) < 300 or re.match(r"\s*(Table of )?Contents\b", text))):
        return "toc"
    if len(PUBMED.findall(text)) >= max(1, len(text) // 600):
        return "bibliography"
    if len(SEARCH_SYNTAX.findall(text)) >= 3 or re.search(r"Set\s*#\s*Concept\s*Strategy", text):
        return "search_strategy"
    if len(KEY_QUESTION.findall(text)) >= 2:
        return "methodology"  # the key questions' populations, interventions, outcomes: the review's plan, not advice
    return None


# ------------------------------------------------------------------------------------- recommendations

STRENGTH = r"(?:Strong|Weak)\s+(?:for|against)|Neither\s+for\s+nor\s+against|No\s+recommendation\s+for\s+or\s+against|N/A|Not\s+applicable"
CATEGORY_WORD = r"(?:Not[-\s]+)?Reviewed|New[-\s]*(?:added|replaced)|Amended|Not[-\s]+changed|Deleted"
CATEGORY = rf"(?:{CATEGORY_WORD})(?:\s*[,;\-]?\s*(?:{CATEGORY_WORD}))*"
# Body form: "Recommendation\n7. text ...\n(Weak for | Reviewed, New-replaced)"
BODY_MARK = re.compile(rf"\(\s*(?P<strength>{STRENGTH})\s*\|\s*(?P<status>{CATEGORY})\s*\)", re.I)
BODY_START = re.compile(r"(?m)^[ \t]*(?P<num>\d{1,3}[a-z]?)\.[ \t]+(?=\S)")
# Table form: a row ends with its strength cell (opening a line, or closing one after the statement's last
# sentence), then its category cell when the table has one, then, in tables of an earlier version, the
# number of the recommendation that replaced it, or "--".
ROW_END = re.compile(
    rf"(?m)(?:^[ \t]*|(?<=[.:)\u201d\]][ \t]))(?P<strength>{STRENGTH})(?:[ \t]*\n?[ \t]*(?P<status>{CATEGORY}))?[ \t]*"
    r"(?P<tail>(?:\n?[ \t]*(?:--|–|—|N/A|Not applicable|Recommendation\s*\n?\s*\d+(?:\s*(?:,|and)\s*\d+)*))?)[ \t]*$",
    re.I,
)
# Tables of an earlier version grade with letters ("A", "B", "C,B,N/A", "None") before the category cell.
OLD_ROW_END = re.compile(
    rf"(?m)(?:^[ \t]*|(?<=\S[ \t]))(?P<strength>(?:[ABCDI]|None|N/A)(?:[ \t]*,[ \t]*(?:[ABCDI]|N/A))*)[ \t]*\n?[ \t]*"
    rf"(?P<status>(?i:{CATEGORY}))[ \t]*"
    r"(?P<tail>(?:\n?[ \t]*(?:--|–|—|N/A|Not applicable|Recommendation\s*\n?\s*\d+(?:\s*(?:,|and)\s*\d+)*|\d+[a-z]?(?:\s*(?:,|and)\s*\d+[a-z]?)*))?)[ \t]*$",
)
# ... and rows of such a table set on one line: "... training. A Not reviewed, Deleted -- 15 2 105 Recommend ..."
OLD_ROW_INLINE = re.compile(
    rf"(?<=\S )(?P<strength>(?:[ABCDI]|None|N/A)(?:,(?:[ABCDI]|N/A))*) (?P<status>(?i:{CATEGORY}))"
    r"(?P<tail>[ \t]*(?:--|–|—|Recommendation\s*\d+(?:\s*(?:,|and)\s*\d+)*))?(?=[ \t]+\d{1,2}(?:\.\d{1,2})*[ \t]+\w{1,3}[ \t]+\d{1,3}[ \t]+[A-Z])",
)
ROW_NUMBER = re.compile(r"(?m)^[ \t]*(?P<num>\d{1,3}[a-z]?)(?:\.(?=\s)|[ \t]+\d{1,3}[ \t]*$|[ \t]*$|[ \t]+(?=[A-Z]))")


INLINE_NUMBER = re.compile(r"(?<!\S)(\d{1,3}[a-z]?\.)\s+(?=(?:We|In|For|There|When|If|Among|Offer|Consider|Providers?|Clinicians?)\b)")


ABBREVIATION_BEFORE = re.compile(r"\b(?:N/?A|NR)\s*:\s*$", re.I)
MAX_REC_NUMBER = 150  # guidelines number their recommendations in the tens; a larger number opening a line is a value


@dataclass(frozen=True)
class Recommendation:
    start: int
    end: int
    number: str | None
    text: str
    strength: str
    status: str
    form: str  # body | table
    replaced_by: str | None = None


def norm_strength(value: str) -> str:
    if re.fullmatch(r"\s*(?:[ABCDI]|None|N/A)(?:\s*,\s*(?:[ABCDI]|N/A))+\s*|\s*[ABCDI]\s*|\s*None\s*", value):
        return "Grade " + re.sub(r"\s+", "", value) if value.strip() != "None" else "None"  # an earlier version's letter grade
    value = " ".join(value.split()).lower()
    if value in {"n/a", "not applicable", "no recommendation for or against"}:
        return "Neither for nor against"
    return value[:1].upper() + value[1:]


def norm_status(value: str) -> str:
    value = " ".join(value.replace("\n", " ").split()).lower()
    value = re.sub(r"\b(new|not)[-\s]+(?=added|replaced|changed)", r"\1-", value).replace("not-changed", "not changed")
    value = re.sub(r"not[-\s]+reviewed", "not reviewed", value)
    value = re.sub(r"(reviewed)\s*[-;]?\s*(?=new|amended|not|deleted)", r"\1, ", value)
    return ", ".join(part.strip() for part in re.split(r"[,;]", value) if part.strip())


def find_recommendations(text: str, start: int = 0, end: int | None = None, letter_grades: bool = False) -> list[Recommendation]:
    """Recommendation statements (body form) and recommendation table rows in text[start:end], in order
    (letter_grades: also rows of an earlier version's table, graded "A".."I" or "None")."""
    end = len(text) if end is None else end
    found: list[Recommendation] = []
    floor = start
    for m in BODY_MARK.finditer(text, start, end):
        lo = max(floor, m.start() - 2000)
        starts = list(BODY_START.finditer(text, lo, m.start()))
        floor = m.end()
        if not starts:
            continue
        head = starts[-1]
        body = _flat(text[head.end() : m.start()])
        if len(body) < 15:
            continue
        found.append(Recommendation(head.start(), m.end(), head.group("num"), body, norm_strength(m.group("strength")),
                                    norm_status(m.group("status")), "body"))
    taken = [(r.start, r.end) for r in found]
    previous_end = start
    ends = list(ROW_END.finditer(text, start, end))
    if letter_grades:
        spans = [(m.start(), m.end()) for m in ends]
        for pattern in (OLD_ROW_END, OLD_ROW_INLINE):
            ends += [m for m in pattern.finditer(text, start, end) if not any(a < m.end() and m.start() < b for a, b in spans)]
            spans = [(m.start(), m.end()) for m in ends]
        ends.sort(key=lambda m: m.start())
    for m in ends:
        if any(a <= m.start() < b for a, b in taken):
            previous_end = max(previous_end, m.end())
            continue
        lo = max(previous_end, *(b for a, b in taken if b <= m.start()), start) if taken else previous_end
        row_start = _row_start(text, lo, m.start())
        body_text = text[row_start : m.start()]
        number = None
        nm = ROW_NUMBER.match(body_text) or re.match(r"(?P<num>\d{1,3}[a-z]?)\.\s+", body_text)
        if nm:
            number = nm.group("num")
            body_text = body_text[nm.end() :]
        body = _flat(body_text)
        previous_end = m.end()
        if len(body) < 15 or len(body) > 2500 or (not nm and not m.group("status")):
            continue  # a row needs its number or its category cell: otherwise it is prose that happens to end so
        if not m.group("status") and (ABBREVIATION_BEFORE.search(text, max(0, m.start() - 12), m.start())
                                      or (number and int(re.sub(r"\D", "", number)) > MAX_REC_NUMBER)):
            continue  # "N/A: not applicable" in an abbreviation list; "200" opening a line of a dose table
        tail = m.group("tail") or ""
        replaced = re.search(r"\d+(?:\s*(?:,|and)\s*\d+)*", tail)
        found.append(
            Recommendation(row_start, m.end(), number, body, norm_strength(m.group("strength")), norm_status(m.group("status") or ""),
                           "table", replaced.group(0) if replaced else None)
        )
    found.sort(key=lambda r: r.start)
    return found


def _row_start(text: str, lo: int, hi: int) -> int:
    """Where a table row begins: its number line when it has one, else just after the previous row."""
    starts = [m.start() for m in ROW_NUMBER.finditer(text, lo, hi)]
    if starts:
        return starts[-1]
    inline = INLINE_NUMBER.search(text, lo, hi)  # "... Treatments 27. We suggest": header cells and number on one line
    if inline:
        return inline.start(1)
    while lo < hi and text[lo] in " \t\n":
        lo += 1
    return lo


def _flat(text: str) -> str:
    return " ".join(text.split())


def is_superseded(rec: Recommendation, section: str) -> bool:
    """A row of an earlier version's table, or one the current version deleted: never current advice."""
    return section == "superseded" or "deleted" in rec.status
