"""Highlighting in Python, for the database backend: the engines' unified highlighter, imitated.

Text is HTML-escaped the way Lucene's ``html`` encoder does it (``&``, ``<``, ``>``, ``"``, ``'`` and ``/``)
and every word whose stem is one of the query's terms is wrapped in ``<mark>…</mark>``.
"""

from __future__ import annotations

import html
from collections.abc import Collection

from content_repo.text.analysis import is_stop_word, stem, tokenize_with_spans

FRAGMENT_SIZE = 200
_SENTENCE_ENDS = ".!?…\n"


def escape(text: str) -> str:
    """HTML-escape ``text`` exactly as the engines' ``encoder: html`` does."""
    return html.escape(text, quote=True).replace("/", "&#x2F;")


def highlight(text: str, terms: Collection[str], fragment_size: int | None = None) -> str | None:
    """``text`` escaped with the words matching ``terms`` (stems) marked; ``None`` if nothing matches.

    With ``fragment_size``, a long text is cut to the passage around the first match, starting at the
    beginning of its sentence.
    """
    spans = [
        (token.start, token.end)
        for token in tokenize_with_spans(text)
        if not is_stop_word(token.text) and stem(token.text) in terms
    ]
    if not spans:
        return None
    start, end = 0, len(text)
    if fragment_size is not None and len(text) > fragment_size:
        start = _sentence_start(text, spans[0][0])
        end = _word_end(text, start + fragment_size)
    return _mark(text, [span for span in spans if start <= span[0] and span[1] <= end], start, end)


def _mark(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    parts = []
    position = start
    for span_start, span_end in spans:
        parts.append(escape(text[position:span_start]))
        parts.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        position = span_end
    parts.append(escape(text[position:end]))
    return "".join(parts).strip()


def _sentence_start(text: str, position: int) -> int:
    cut = max(text.rfind(mark, 0, position) for mark in _SENTENCE_ENDS)
    return cut + 1 if cut >= 0 else 0


def _word_end(text: str, position: int) -> int:
    if position >= len(text):
        return len(text)
    space = text.rfind(" ", 0, position)
    return space if space > 0 else position
