"""Reading a resource record: lesson-title noise stripped, grades, exam and variant cues, weighted terms.

Catalog titles carry more than the topic: «Урок 14. Сложение дробей», «Сценарий урока: …», «Тест. Дроби.
Вариант 2», «Видеоурок «Квадратные уравнения»», «Алгебра 8 класс. …». The topic is what is left once the
numbering, the form of the resource, the variant, the grade and the quotes are gone; the grade and the exam are
kept as cues. Terms are the shared analysis of ``content_repo.text`` (ё folded, Snowball stems, stop words),
with school synonyms and abbreviations (``НОД`` ↔ «наибольший общий делитель») as alternatives of a position.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from content_repo.text.analysis import analyze, normalize, stem, tokenize
from content_repo.text.synonyms import Phrase, expand_synonyms, merge_rules, read_rules, synonym_rules

from .records import ResourceRecord

DATA_DIR = Path(__file__).resolve().parent / "data"
FORM_WORDS_FILE = DATA_DIR / "form_words.txt"
GLOSSARY_FILE = DATA_DIR / "glossary.txt"
OFF_PROGRAMME_FILE = DATA_DIR / "off_programme.txt"

# Field weights of a record: the title says what a resource is about; a description says much else besides.
TITLE_WEIGHT = 1.0
# A subject named in the title («… по теории вероятностей») is mostly the subject, sometimes also the topic.
SUBJECT_PHRASE_WEIGHT = 0.3
KEYWORD_WEIGHT = 0.6
PART_WEIGHT = 0.5
DESCRIPTION_WEIGHT = 0.35
DESCRIPTION_CHARS = 600

_DASH = r"(?:[.:;)\-–—|/«\"„“]|\s+по\s+(?:теме|разделу|главе|модулю)\b|\s+на\s+тему\b)"
_NUMBER = r"№?\s*\d+(?:[.,]\d+)*[а-я]?"
# Form of the resource, at the start of a title and followed by punctuation: «Тест.», «Сценарий урока:».
_FORM_PREFIX = re.compile(
    r"^\s*(?:(?:сценари[йи]|конспект|план|технологическ\w+\s+карт\w+|методическ\w+\s+разработк\w+|разработк\w+"
    r"|презентаци\w+|видеоурок\w*|видеолекци\w+|видеоролик\w*|видео|интерактивн\w+\s+урок\w*|онлайн-урок\w*"
    r"|урок(?:-\w+)?|аудиокниг\w*|тест\w*|тренаж[её]р\w*|рабоч\w+\s+лист\w*|карточк\w+|задани[яей]|упражнени[яей]|практикум"
    r"|(?:контрольн|проверочн|самостоятельн|практическ|лабораторн|итогов|диагностическ)\w+\s+работ\w+|диктант"
    r"|зач[её]т|конспекты|материал\w*)"
    r"(?:\s+(?:к|для|по)?\s*(?:урок\w*|заняти\w+))?(?:\s*" + _NUMBER + r")?)\s*" + _DASH + r"+\s*",
    re.IGNORECASE,
)
# Numbering at the start: «Урок 14.», «Занятие 3:», «§ 12», «Тема 2.3.», «14.», «Глава 3 —».
_NUMBERING_PREFIX = re.compile(
    r"^\s*(?:(?:видео)?урок|заняти[ея]|тема|параграф|глава|модуль|раздел|лекция|§)?\s*"
    + _NUMBER
    + r"\s*(?:"
    + _DASH
    + r"+\s*|\s+(?=[^\W\d_]))",
    re.IGNORECASE,
)
_VARIANT = re.compile(r"[(\[]?\s*вариант\s*№?\s*\d+\s*[)\]]?", re.IGNORECASE)
_PART = re.compile(r"\b(?:часть|ч\.)\s*\d+\b", re.IGNORECASE)
_LESSON_ANYWHERE = re.compile(r"\b(?:урок|занятие)\s*№?\s*(\d+)\b", re.IGNORECASE)
_GRADE = re.compile(
    r"(?<!\d)(\d{1,2})(?:\s*[-–—]\s*(\d{1,2}))?(?:\s*-?\s*(?:й|го|ый|ой|х|ых|м))?\s*(?:класс\w*|кл\b\.?)",
    re.IGNORECASE,
)
_WHOLE_COURSE = re.compile(r"\bза\s+\d{1,2}(?:\s*-?\s*(?:й|го))?\s*(?:класс\w*|кл\b)", re.IGNORECASE)
# «Контрольная работа по разделу …», «Обобщение по главе …»: the judge takes the section, not a topic of it.
_WHOLE_SECTION = re.compile(r"\bпо\s+(?:раздел|глав|модул)\w*", re.IGNORECASE)
_FOR_TOPIC = re.compile(r"\b(?:по\s+(?:теме|разделу|главе|модулю)|на\s+тему|тема\s*:)", re.IGNORECASE)
_QUOTES = re.compile(r"[«»“”„\"'‘’]")
_EMPTY_BRACKETS = re.compile(r"[(\[]\W*[)\]]")
_EXAM = re.compile(r"\b(егэ|огэ|гиа)\b", re.IGNORECASE)
_EXAM_TERMS = frozenset({("егэ",), ("огэ",), ("гиа",)})
_ADVANCED = re.compile(r"углубл[её]нн|профильн", re.IGNORECASE)
_BASIC = re.compile(r"\bбазов", re.IGNORECASE)
_GENERIC_PARTS = tuple(
    normalize(label)
    for label in ("Начнём урок", "Основная часть", "Конспект", "Тренировочные задания", "Контрольные задания")
)


@dataclass(frozen=True, slots=True)
class CleanTitle:
    """A title without its noise, and the cues found in that noise."""

    text: str
    lesson_number: int | None
    grades: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Position:
    """One word (or phrase) of a record: its alternatives (phrases of stems), field weight and original form."""

    alternatives: tuple[tuple[str, ...], ...]
    weight: float
    in_title: bool
    word: str

    @property
    def original(self) -> tuple[str, ...]:
        return self.alternatives[0]


@dataclass(frozen=True, slots=True)
class ReadRecord:
    """What the engine uses of a record."""

    title: str
    positions: tuple[Position, ...]
    grades: tuple[int, ...]
    exam: str | None
    prefers_advanced: bool | None
    lesson_number: int | None
    off_programme: tuple[str, ...] = ()
    whole_section: bool = False


def clean_title(title: str) -> CleanTitle:
    """Strip lesson-title noise; keep the lesson number and the grades it mentions.

    >>> clean_title("Урок 14. Тест. «Сложение дробей». Вариант 2").text
    'Сложение дробей'
    """
    text = title.replace("ё", "е").replace("Ё", "Е")
    lesson = _LESSON_ANYWHERE.search(text)
    grades = grades_in(text)
    for pattern in (_GRADE, _VARIANT, _PART):
        text = pattern.sub(" ", text)
    previous = None
    while previous != text:
        previous = text
        text = _NUMBERING_PREFIX.sub("", text.lstrip(' «"„“'), count=1)
        text = _FORM_PREFIX.sub("", text, count=1)
    text = _EMPTY_BRACKETS.sub(" ", _FOR_TOPIC.sub(" ", _QUOTES.sub(" ", text)))
    text = " ".join(text.split()).strip(" .,:;-–—|/")
    return CleanTitle(text, int(lesson.group(1)) if lesson else None, grades)


def grades_in(text: str) -> tuple[int, ...]:
    """Grades named in a text: «8 класс», «5-6 классы», «для 7-го класса»; numbers outside 1–11 are ignored."""
    found: set[int] = set()
    for match in _GRADE.finditer(text):
        low = int(match.group(1))
        high = int(match.group(2)) if match.group(2) else low
        if 1 <= low <= high <= 11:
            found.update(range(low, high + 1))
    return tuple(sorted(found))


def exam_in(texts: Iterable[str]) -> str | None:
    """«EGE» or «OGE» when a text names the exam (ГИА counts as ОГЭ)."""
    for text in texts:
        match = _EXAM.search(text)
        if match:
            return "EGE" if match.group(1).lower() == "егэ" else "OGE"
    return None


def read_record(record: ResourceRecord, title: str | None = None, subject_phrase: str = "") -> ReadRecord:
    """Clean a record and turn its fields into weighted positions (title first).

    ``title`` replaces the cleaned title: the engine passes it without the subject name it found there, and
    that name as ``subject_phrase``, whose words count as title words of low weight.
    """
    cleaned = clean_title(record.title)
    cues = off_programme_cues(record.title, cleaned.text)
    if title is not None:
        cleaned = CleanTitle(title, cleaned.lesson_number, cleaned.grades)
    texts = [record.title, *record.keywords, record.description[:DESCRIPTION_CHARS]]
    grades = tuple(sorted(set(record.grades))) or cleaned.grades or grades_in(record.description[:DESCRIPTION_CHARS])
    exam = exam_in(texts)
    if exam is None and "exam_prep" in record.educational_use:
        exam = "OGE" if grades and max(grades) <= 9 else "EGE"
    joined = " ".join(texts)
    advanced = True if _ADVANCED.search(joined) else (False if _BASIC.search(joined) else None)
    fields = [(cleaned.text, TITLE_WEIGHT, True), (subject_phrase, SUBJECT_PHRASE_WEIGHT, True)]
    fields += [(clean_title(keyword).text, KEYWORD_WEIGHT, False) for keyword in record.keywords]
    fields += [
        (clean_title(part).text, PART_WEIGHT, False)
        for part in record.part_titles
        if not normalize(part).strip().startswith(_GENERIC_PARTS)
    ]
    fields.append((_description(record.description), DESCRIPTION_WEIGHT, False))
    # The exam is a cue (codifier elements, the grades it revises), not a word of the topic.
    positions = tuple(position for position in _merge_positions(fields) if position.original not in _EXAM_TERMS)
    return ReadRecord(
        cleaned.text,
        positions,
        grades,
        exam,
        advanced,
        cleaned.lesson_number,
        cues,
        bool(_WHOLE_SECTION.search(record.title)),
    )


def text_terms(text: str) -> list[str]:
    """Stems of a text without stop words, words that only name a resource's form, and one-digit numbers
    («Таблица умножения на 8 и 9»: the numbers are not what the lesson is about)."""
    form = form_words()
    return [term for term in analyze(text) if term not in form and not (term.isdigit() and len(term) == 1)]


def text_positions(text: str) -> list[tuple[tuple[tuple[str, ...], ...], str]]:
    """Positions of a text (alternatives per position, with the first original word)."""
    words: dict[str, str] = {}
    for token in tokenize(text.replace("ё", "е")):
        words.setdefault(stem(token), token)
    groups = expand_synonyms(text_terms(text), alignment_rules())
    return [(group.alternatives, words.get(group.original[0], group.original[0])) for group in groups]


@lru_cache(maxsize=1)
def alignment_rules() -> dict[Phrase, frozenset[Phrase]]:
    """The school synonyms plus the alignment glossary (English topic words → Russian, ``data/glossary.txt``)."""
    return merge_rules((*synonym_rules(), *read_rules(GLOSSARY_FILE)))


def off_programme_cues(title: str, cleaned: str | None = None) -> tuple[str, ...]:
    """Phrases of ``data/off_programme.txt`` in a title («классный час», «олимпиада», «за год»), looked for in
    the ``cleaned`` title if given (a «Урок-экскурсия» is a lesson), and a whole grade's course («повторение
    за 7 класс») in the title as written."""
    text = title if cleaned is None else cleaned
    words = tuple(stem(token) for token in tokenize(text.replace("ё", "е")))
    found = [match.group().strip() for match in _WHOLE_COURSE.finditer(title)]
    for phrase, text in _off_programme_phrases():
        size = len(phrase)
        if any(words[i : i + size] == phrase for i in range(len(words) - size + 1)):
            found.append(text)
    return tuple(found)


@lru_cache(maxsize=1)
def _off_programme_phrases() -> tuple[tuple[tuple[str, ...], str], ...]:
    lines = (line.strip() for line in OFF_PROGRAMME_FILE.read_text(encoding="utf-8").splitlines())
    phrases = [line for line in lines if line and not line.startswith("#")]
    return tuple((tuple(stem(token) for token in tokenize(normalize(line))), line) for line in phrases)


@lru_cache(maxsize=1)
def form_words() -> frozenset[str]:
    """Stems of words that describe a resource's form, not its topic (``data/form_words.txt``)."""
    lines = (line.strip() for line in FORM_WORDS_FILE.read_text(encoding="utf-8").splitlines())
    return frozenset(stem(normalize(line)) for line in lines if line and not line.startswith("#"))


def _description(description: str) -> str:
    return clean_title(description[:DESCRIPTION_CHARS]).text if description else ""


def _merge_positions(fields: list[tuple[str, float, bool]]) -> tuple[Position, ...]:
    """One position per distinct alternatives, with the highest field weight it appears in."""
    merged: dict[tuple[tuple[str, ...], ...], Position] = {}
    for text, weight, in_title in fields:
        if not text:
            continue
        for alternatives, word in text_positions(text):
            key = tuple(sorted(alternatives))
            known = merged.get(key)
            if known is None or weight > known.weight:
                merged[key] = Position(alternatives, weight, in_title or bool(known and known.in_title), word)
    return tuple(merged.values())


@dataclass(frozen=True, slots=True)
class IdentityKeys:
    """Keys a service uses to find near-identical resources whose confirmed alignments are hints.

    ``title`` — the stems of the cleaned title: «Урок 3. Сложение дробей» on РЭШ and «Сложение дробей. Видеоурок»
    elsewhere share it (→ :attr:`HintKind.SAME_TITLE`). ``series`` and ``lesson_number`` — the lessons of one
    source, subject and grades, numbered («Урок 14.»): lesson 13 and 15 are neighbours
    (→ :attr:`HintKind.SERIES_NEIGHBOUR`). ``series`` is empty when the title has no lesson number.
    """

    title: str
    series: str
    lesson_number: int | None


def identity_keys(record: ResourceRecord) -> IdentityKeys:
    """The near-identity keys of a record (see :class:`IdentityKeys`)."""
    cleaned = clean_title(record.title)
    title = " ".join(text_terms(cleaned.text))
    if cleaned.lesson_number is None:
        return IdentityKeys(title, "", None)
    subject = ",".join(record.subject_codes) or normalize(record.subject_name or "")
    grades = ",".join(str(grade) for grade in sorted(set(record.grades) or set(cleaned.grades)))
    return IdentityKeys(title, f"{record.source}|{subject}|{grades}", cleaned.lesson_number)
