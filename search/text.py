"""Search's name for the shared Russian text analysis, which lives in :mod:`content_repo.text.analysis`.

Kept so that ``search.text.analyze`` and friends still resolve; new code imports the ground-floor module.
"""

from content_repo.text.analysis import (
    DATA_DIR,
    STOPWORDS_FILE,
    PrefixTerms,
    Token,
    analyze,
    analyze_for_index,
    analyze_prefix,
    is_cyrillic,
    is_latin,
    is_stop_word,
    normalize,
    sort_key,
    stem,
    stop_words,
    tokenize,
    tokenize_with_spans,
)

__all__ = [
    "DATA_DIR",
    "STOPWORDS_FILE",
    "PrefixTerms",
    "Token",
    "analyze",
    "analyze_for_index",
    "analyze_prefix",
    "is_cyrillic",
    "is_latin",
    "is_stop_word",
    "normalize",
    "sort_key",
    "stem",
    "stop_words",
    "tokenize",
    "tokenize_with_spans",
]
