"""Query understanding: a grade, a subject, an exam or a test named in the query text.

«дроби 5 класс» → text «дроби», grade 5; «ЕГЭ по русскому языку» → no text left, subject ``russian``, exam
``EGE`` with the optional words «ЕГЭ». The backends use what is recognised to *boost* matching resources,
never as a hard filter, so a misreading costs ranking, not results.

Exam and assessment words («ЕГЭ», «ВПР», «контрольная работа», «тест»; ``search/data/intents.json``) are
intent, not required text: they leave the required text for ``ParsedQuery.optional``, which ranks the
resources that have those words higher without excluding the others, and they boost resources of the
matching kind (tests, trainers) and, for an exam, of its grades. «ВПР математика 4 класс» never comes back
empty because no resource says «ВПР».
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from content_repo.text.analysis import Token, stem, tokenize_with_spans
from content_repo.text.synonyms import synonym_map

from .vocabulary import EXAM_TITLES, GRADES, Intent, intent_aliases, intents, subject_aliases, subjects

_PREPOSITION = r"(?:(?<![^\W\d_])(?:для|в|во|за|на)\s+)?"
_NUMBER_SUFFIX = r"(?:\s*-?\s*(?:й|ый|ой|ий|го|ого|м|ом|х|ых))?"
_NUMBER = rf"(?<!\d)\d{{1,2}}(?!\d)[абвгд]?{_NUMBER_SUFFIX}"
_CLASS = r"(?:класс[а-я]*|кл\b\.?)"
_GRADE_RE = re.compile(
    rf"{_PREPOSITION}(?P<numbers>{_NUMBER}(?:\s*(?:-|–|—|,|и)\s*{_NUMBER})*)\s*{_CLASS}",
    re.IGNORECASE,
)
_ORDINALS = {
    "перв": 1,
    "втор": 2,
    "трет": 3,
    "четверт": 4,
    "пят": 5,
    "шест": 6,
    "седьм": 7,
    "восьм": 8,
    "девят": 9,
    "десят": 10,
    "одиннадцат": 11,
}
_ORDINAL_RE = re.compile(
    rf"{_PREPOSITION}(?<![^\W\d_])(?P<ordinal>{'|'.join(_ORDINALS)})[а-я]{{0,4}}\s+{_CLASS}",
    re.IGNORECASE,
)
_RANGE_RE = re.compile(r"(\d{1,2})[^\d,и]*[-–—]\s*(\d{1,2})")
_SUBJECT_PREPOSITIONS = frozenset({"по", "для", "к"})

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """What a query asks for: required free text, the grades, subjects and exam recognised in it, and the
    exam or assessment words (``optional``), which rank but are not required."""

    text: str
    grades: tuple[int, ...] = ()
    subjects: tuple[str, ...] = ()
    exam: str | None = None
    optional: str = ""
    assessment: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.text or self.grades or self.subjects or self.exam or self.optional)

    @property
    def intent(self) -> Intent | None:
        """The exam's intent, or the assessment intent when a test or a контрольная was asked for."""
        if self.exam is not None:
            return intents()[self.exam]
        return intents()["assessment"] if self.assessment else None

    @property
    def intent_grades(self) -> tuple[int, ...]:
        """The grades an exam is for («ОГЭ» → 9), unless the query names grades itself."""
        intent = self.intent
        return intent.grades if intent is not None and not self.grades else ()


def parse_query(query: str) -> ParsedQuery:
    """Recognise grades, subjects, exams and assessment words in ``query``; the rest is returned as is."""
    text = query.replace("ё", "е").replace("Ё", "Е")
    grades, grade_spans = _find_grades(text)
    tokens = [token for token in tokenize_with_spans(text) if not _inside(token, grade_spans)]
    subject_codes, subject_spans = _find_aliases(tokens, subject_aliases(), consume=True)
    tokens = [token for token in tokens if not _inside(token, subject_spans)]
    intent_codes, intent_spans = _find_aliases(tokens, intent_aliases(), consume=False)
    exams = [code for code in intent_codes if code in EXAM_TITLES]
    return ParsedQuery(
        text=_cut(query, grade_spans + subject_spans + intent_spans),
        grades=grades,
        subjects=_narrow_to_grades(subject_codes, grades),
        exam=exams[0] if exams else None,
        optional=" ".join(query[start:end] for start, end in sorted(intent_spans)),
        assessment="assessment" in intent_codes,
    )


def names_known_terms(text: str) -> bool:
    """Whether every word of ``text`` is a school abbreviation or name the search knows («днк», «кпд»,
    «егэ»): such a text is never retyped on the other keyboard layout, though it has few vowels."""
    tokens = tokenize_with_spans(text)
    return bool(tokens) and all(stem(token.text) in _known_words() for token in tokens)


@lru_cache(maxsize=1)
def _known_words() -> frozenset[str]:
    phrases = [*synonym_map(), *subject_aliases(), *intent_aliases()]
    return frozenset(word for phrase in phrases for word in phrase)


def _find_grades(text: str) -> tuple[tuple[int, ...], list[Span]]:
    found: list[int] = []
    spans: list[Span] = []
    for match in _GRADE_RE.finditer(text):
        grades = _grades_of(match.group("numbers"))
        if grades:
            found.extend(grades)
            spans.append(match.span())
    for match in _ORDINAL_RE.finditer(text):
        found.append(_ORDINALS[match.group("ordinal").lower().replace("ё", "е")])
        spans.append(match.span())
    return tuple(sorted(set(found))), spans


def _grades_of(numbers: str) -> tuple[int, ...]:
    """«5» → (5,); «5-6» → (5, 6); «10 – 11» → (10, 11); «5, 7» → (5, 7). Numbers outside 1–11 → ()."""
    values = [int(value) for value in re.findall(r"\d{1,2}", numbers)]
    if any(value not in GRADES for value in values):
        return ()
    grades = set(values)
    for low, high in _RANGE_RE.findall(numbers):
        grades.update(range(int(low), int(high) + 1))
    return tuple(sorted(grades))


def _find_aliases(
    tokens: list[Token], aliases: dict[tuple[str, ...], tuple[str, ...]], *, consume: bool
) -> tuple[tuple[str, ...], list[Span]]:
    """Greedy longest match of alias phrases on the stems of the tokens (stop words kept: «по русскому»)."""
    words = [(index, stem(token.text)) for index, token in enumerate(tokens)]
    longest = max((len(phrase) for phrase in aliases), default=0)
    codes: list[str] = []
    spans: list[Span] = []
    position = 0
    while position < len(words):
        for length in range(min(longest, len(words) - position), 0, -1):
            phrase = tuple(word for _, word in words[position : position + length])
            if phrase in aliases:
                codes.extend(code for code in aliases[phrase] if code not in codes)
                first, last = words[position][0], words[position + length - 1][0]
                if consume and first > 0 and tokens[first - 1].text in _SUBJECT_PREPOSITIONS:
                    first -= 1
                spans.append((tokens[first].start, tokens[last].end))
                position += length
                break
        else:
            position += 1
    return tuple(codes), spans


def _narrow_to_grades(codes: tuple[str, ...], grades: tuple[int, ...]) -> tuple[str, ...]:
    """«алгебра 10 класс» means algebra_analysis, not algebra 7–9: keep subjects taught in those grades."""
    if not grades:
        return codes
    known = subjects()
    taught = tuple(code for code in codes if code in known and set(known[code].grades) & set(grades))
    return taught or codes


def _inside(token: Token, spans: list[Span]) -> bool:
    return any(start <= token.start and token.end <= end for start, end in spans)


def _cut(text: str, spans: list[Span]) -> str:
    """``text`` without ``spans``, whitespace and dangling punctuation tidied."""
    kept = []
    position = 0
    for start, end in sorted(spans):
        kept.append(text[position:start])
        position = max(position, end)
    kept.append(text[position:])
    return " ".join(" ".join(kept).split()).strip(" ,;:-–—")
