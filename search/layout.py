"""Wrong keyboard layout: «lhj,b» typed with the Latin layout on means «дроби».

Keys are mapped between the QWERTY and ЙЦУКЕН layouts, punctuation keys included
(``, . ; ' [ ] `` → «б ю ж э х ъ»). A query is converted only when it looks like Russian typed on the
Latin layout (or the reverse): few vowels in the script it was typed in, a normal share of vowels in the
other one. English words («python», «scratch») keep their vowels and are left alone.
"""

from __future__ import annotations

import re

_LATIN_KEYS = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>~"
_CYRILLIC_KEYS = "йцукенгшщзхъфывапролджэячсмитьбюёЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮЁ"

_TO_CYRILLIC = str.maketrans(_LATIN_KEYS, _CYRILLIC_KEYS)
_TO_LATIN = str.maketrans(_CYRILLIC_KEYS, _LATIN_KEYS)

# No Russian word starts with these letters; English words retyped often do («strength» → «ыекутпер»).
_IMPOSSIBLE_RUSSIAN_START_RE = re.compile(r"(?:^|[^а-яё])[ыьъ]", re.IGNORECASE)

# A "word" typed on the wrong layout: key characters with at least one letter (a lone comma stays a comma).
_LATIN_WORD_RE = re.compile(r"[a-z\[\];',.`{}:\"<>~]*[a-z][a-z\[\];',.`{}:\"<>~]*", re.IGNORECASE)
_CYRILLIC_WORD_RE = re.compile(r"[а-яё]+", re.IGNORECASE)
_LATIN_LETTER_RE = re.compile(r"[a-z]", re.IGNORECASE)
_CYRILLIC_LETTER_RE = re.compile(r"[а-яё]", re.IGNORECASE)

_LATIN_VOWELS = frozenset("aeiouy")
_CYRILLIC_VOWELS = frozenset("аеёиоуыэюя")

# Share of vowels below which a text does not read as words of its script, above which it does...
_FEW_VOWELS = 0.3
_ENOUGH_VOWELS = 0.3
# ...and above which it does not either («test» → «еуые», «css» → «сыы»).
_TOO_MANY_VOWELS = 0.65
_MIN_LETTERS = 2


def to_cyrillic(text: str) -> str:
    """Retype ``text`` as if the Russian layout had been on (every mapped key, punctuation included)."""
    return text.translate(_TO_CYRILLIC)


def to_latin(text: str) -> str:
    """Retype ``text`` as if the Latin (QWERTY) layout had been on."""
    return text.translate(_TO_LATIN)


def convert_layout(query: str) -> str | None:
    """The query retyped on the other layout, without judging if it was wrong (``None`` if mixed or empty).

    Backends use it as a last resort when the query as typed finds nothing.
    """
    has_latin = _LATIN_LETTER_RE.search(query) is not None
    has_cyrillic = _CYRILLIC_LETTER_RE.search(query) is not None
    if has_latin == has_cyrillic:
        return None
    if has_latin:
        return _LATIN_WORD_RE.sub(lambda m: to_cyrillic(m.group()), query)
    return _CYRILLIC_WORD_RE.sub(lambda m: to_latin(m.group()), query)


def fix_layout(query: str) -> str | None:
    """The query retyped on the other layout if it looks typed on the wrong one, else ``None``.

    >>> fix_layout("lhj,b 5 rkfcc")
    'дроби 5 класс'
    >>> fix_layout("python") is None
    True
    """
    has_latin = _LATIN_LETTER_RE.search(query) is not None
    has_cyrillic = _CYRILLIC_LETTER_RE.search(query) is not None
    if has_latin == has_cyrillic:
        return None
    if has_latin:
        source_letters = "".join(_LATIN_WORD_RE.findall(query))
        fixed = _LATIN_WORD_RE.sub(lambda m: to_cyrillic(m.group()), query)
        source_vowels, target_vowels = _LATIN_VOWELS, _CYRILLIC_VOWELS
        target_letters = "".join(_CYRILLIC_WORD_RE.findall(fixed))
        if _IMPOSSIBLE_RUSSIAN_START_RE.search(fixed):
            return None
    else:
        source_letters = "".join(_CYRILLIC_WORD_RE.findall(query))
        fixed = _CYRILLIC_WORD_RE.sub(lambda m: to_latin(m.group()), query)
        source_vowels, target_vowels = _CYRILLIC_VOWELS, _LATIN_VOWELS
        target_letters = "".join(_LATIN_LETTER_RE.findall(fixed))
    if len(source_letters) < _MIN_LETTERS:
        return None
    if _vowel_share(source_letters, source_vowels) >= _FEW_VOWELS:
        return None
    if not _ENOUGH_VOWELS <= _vowel_share(target_letters, target_vowels) <= _TOO_MANY_VOWELS:
        return None
    return fixed


def _vowel_share(letters: str, vowels: frozenset[str]) -> float:
    if not letters:
        return 0.0
    return sum(1 for char in letters.lower() if char in vowels) / len(letters)
