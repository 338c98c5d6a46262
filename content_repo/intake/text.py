"""Plain-text clean-up of values from outside: entities decoded, every whitespace run made one space."""

from __future__ import annotations

import html

__all__ = ["collapse_whitespace", "name_key", "normalise_text"]


def collapse_whitespace(value: str) -> str:
    """Turn every whitespace run (NBSP and newlines too) into one space and strip both ends."""
    # str.split() without arguments treats NBSP and the other Unicode spaces as whitespace.
    return " ".join(value.split())


def normalise_text(value: str) -> str:
    """Normalise text that may still hold HTML entities (feeds, JSON): decode them, then collapse."""
    return collapse_whitespace(html.unescape(value))


def name_key(name: str) -> str:
    """A name as a lookup key: sources differ in case, spacing and «ё»/«е», none of which changes a name."""
    return normalise_text(name).casefold().replace("ё", "е")
