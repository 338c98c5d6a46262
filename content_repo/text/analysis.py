"""Russian text analysis shared by search and curriculum alignment.

The chain is the same everywhere so that the embedded `database` search backend, the OpenSearch/Elasticsearch
analyzers (built in ``search/backends/engine.py`` from the same data files) and the alignment engine
(``content_repo/alignment``) agree on what a term is:

1. Unicode NFKC, lowercase, «ё» → «е»;
2. tokens are runs of letters and digits (Cyrillic, Latin, digits; punctuation and «_» split);
3. Russian stop words (``content_repo/text/data/stopwords_ru.txt``) are dropped;
4. Snowball stemming: Russian for words with Cyrillic letters, English (Porter2) for Latin words,
   numbers as they are.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import Stemmer

DATA_DIR = Path(__file__).resolve().parent / "data"
STOPWORDS_FILE = DATA_DIR / "stopwords_ru.txt"

_WORD_RE = re.compile(r"[^\W_]+")
_CYRILLIC_RE = re.compile(r"[а-яё]")
_LATIN_RE = re.compile(r"[a-z]")
_DIGITS_RE = re.compile(r"\d+")
_SORT_NUMBER_WIDTH = 6

_local = threading.local()


@dataclass(frozen=True, slots=True)
class Token:
    """A normalised token and where it was found in the original text (``text[start:end]``)."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class PrefixTerms:
    """A query typed so far: complete words (stemmed) and the unfinished last word, if any.

    ``prefix`` is the stem of the unfinished word. Stemming only removes a suffix, so the stem of a prefix
    is still a prefix of the stems of the words it may grow into («дроби» → «дроб» → «дробь», «дробей»).
    """

    terms: tuple[str, ...]
    prefix: str | None


def normalize(text: str) -> str:
    """NFKC-normalise, lowercase and fold «ё» into «е»."""
    return unicodedata.normalize("NFKC", text).lower().replace("ё", "е")


def tokenize_with_spans(text: str) -> list[Token]:
    """Split ``text`` into normalised tokens, keeping their positions in the original string."""
    tokens = []
    for match in _WORD_RE.finditer(text):
        for part in _normalized_parts(match.group()):
            tokens.append(Token(part, match.start(), match.end()))
    return tokens


def tokenize(text: str) -> list[str]:
    """Split ``text`` into normalised tokens (stop words included, nothing stemmed).

    The same tokens as :func:`tokenize_with_spans`, without building the spans: indexing calls this for
    every title and keyword.
    """
    return [part for word in _WORD_RE.findall(text) for part in _normalized_parts(word)]


@lru_cache(maxsize=65536)
def _normalized_parts(word: str) -> tuple[str, ...]:
    """The tokens of one word of the original text, normalised.

    Each word is normalised on its own, then split again (NFKC may turn a letter into several, «½» into
    «1⁄2»). Words repeat a lot across a catalog, so the result is cached like :func:`stem`.
    """
    return tuple(_WORD_RE.findall(normalize(word)))


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """The Russian stop words from ``data/stopwords_ru.txt`` (normalised)."""
    return frozenset(_read_list(STOPWORDS_FILE))


def is_stop_word(token: str) -> bool:
    """Whether a normalised token is a stop word."""
    return token in stop_words()


def is_cyrillic(token: str) -> bool:
    """Whether a normalised token contains a Russian letter."""
    return _CYRILLIC_RE.search(token) is not None


def is_latin(token: str) -> bool:
    """Whether a normalised token contains a Latin letter."""
    return _LATIN_RE.search(token) is not None


@lru_cache(maxsize=65536)
def stem(token: str) -> str:
    """Snowball stem of a normalised token: Russian for Cyrillic, English for Latin, digits unchanged."""
    if is_cyrillic(token):
        return _stemmer("russian").stemWord(token)
    if is_latin(token):
        return _stemmer("english").stemWord(token)
    return token


def analyze(text: str) -> list[str]:
    """The index/query terms of ``text``: normalised, stop words removed, stemmed."""
    return [stem(token) for token in tokenize(text) if not is_stop_word(token)]


def analyze_for_index(text: str) -> str:
    """The terms of ``text`` joined by spaces, for full-text columns (SQLite FTS5, PostgreSQL tsvector)."""
    return " ".join(analyze(text))


def analyze_prefix(text: str) -> PrefixTerms:
    """Analyse a query typed so far: the last word is a prefix unless the text ends with a separator."""
    tokens = tokenize(text)
    if not tokens:
        return PrefixTerms((), None)
    finished = not _WORD_RE.match(text[-1])
    complete, partial = (tokens, None) if finished else (tokens[:-1], tokens[-1])
    terms = tuple(stem(token) for token in complete if not is_stop_word(token))
    return PrefixTerms(terms, stem(partial) if partial is not None else None)


def sort_key(title: str) -> str:
    """A key to sort titles by: normalised, no punctuation, numbers zero-padded («Урок 9» < «Урок 10»)."""
    # One substitution over the joined words: a run of digits never spans the spaces between them.
    return _DIGITS_RE.sub(_pad_number, " ".join(tokenize(title)))


def _pad_number(match: re.Match[str]) -> str:
    return match.group().zfill(_SORT_NUMBER_WIDTH)


def _stemmer(language: str) -> Stemmer.Stemmer:
    """A stemmer per thread and language: PyStemmer objects must not be shared between threads."""
    cache: dict[str, Stemmer.Stemmer] | None = getattr(_local, "stemmers", None)
    if cache is None:
        cache = _local.stemmers = {}
    if language not in cache:
        cache[language] = Stemmer.Stemmer(language)
    return cache[language]


def _read_list(path: Path) -> list[str]:
    """Non-empty, non-comment lines of a data file, normalised."""
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [normalize(line) for line in lines if line and not line.startswith("#")]
