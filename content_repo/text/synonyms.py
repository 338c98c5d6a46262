"""School abbreviations and synonyms (``content_repo/text/data/synonyms.txt``, Solr format).

The engines get the rules inline in a ``synonym_graph`` filter (see ``search/backends/engine.py``); the
embedded backend and the alignment engine expand analysed terms here with :func:`expand_synonyms`. All sides
match rules on stemmed terms, so inflected forms of a phrase are recognised as well.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .analysis import DATA_DIR, analyze

SYNONYMS_FILE = DATA_DIR / "synonyms.txt"

Phrase = tuple[str, ...]


class SynonymRuleError(ValueError):
    """A line of the synonyms file cannot be parsed."""


@dataclass(frozen=True, slots=True)
class TermGroup:
    """One position of an expanded query: any of ``alternatives`` (each a phrase of stemmed terms) matches.

    The first alternative is what the user typed.
    """

    alternatives: tuple[Phrase, ...]

    @property
    def original(self) -> Phrase:
        return self.alternatives[0]


@lru_cache(maxsize=1)
def synonym_rules() -> tuple[str, ...]:
    """The rules of the synonyms file as written (comments and blank lines dropped)."""
    return read_rules(SYNONYMS_FILE)


def read_rules(path: Path) -> tuple[str, ...]:
    """The rules of a file in the synonyms format (comments and blank lines dropped)."""
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


def parse_rule(rule: str) -> dict[Phrase, frozenset[Phrase]]:
    """Parse one Solr rule into ``{analysed phrase: phrases it also matches}``."""
    if rule.count("=>") > 1:
        raise SynonymRuleError(f"more than one '=>' in synonym rule {rule!r}")
    left, arrow, right = rule.partition("=>")
    sources = _phrases(left, rule)
    targets = _phrases(right, rule) if arrow else sources
    return {source: frozenset(targets) | {source} for source in sources}


@lru_cache(maxsize=1)
def synonym_map() -> dict[Phrase, frozenset[Phrase]]:
    """All rules merged: an analysed phrase → every phrase it matches (itself included)."""
    return merge_rules(synonym_rules())


def merge_rules(rules: Iterable[str]) -> dict[Phrase, frozenset[Phrase]]:
    """Rules merged into one map: an analysed phrase → every phrase it matches (itself included)."""
    merged: dict[Phrase, set[Phrase]] = {}
    for rule in rules:
        for source, targets in parse_rule(rule).items():
            merged.setdefault(source, set()).update(targets)
    return {source: frozenset(targets) for source, targets in merged.items()}


def expand_synonyms(terms: Sequence[str], rules: Mapping[Phrase, frozenset[Phrase]] | None = None) -> list[TermGroup]:
    """Group analysed query terms into positions, each with its synonyms (longest rule wins).

    ``rules`` defaults to the school synonyms file; the alignment engine passes that map merged with its own.

    >>> [g.alternatives for g in expand_synonyms(["егэ", "русск"])][0]
    (('егэ',), ('един', 'государствен', 'экзам'))
    """
    rules = synonym_map() if rules is None else rules
    longest = max((len(phrase) for phrase in rules), default=1)
    groups: list[TermGroup] = []
    position = 0
    while position < len(terms):
        for length in range(min(longest, len(terms) - position), 0, -1):
            phrase = tuple(terms[position : position + length])
            if phrase in rules:
                others = sorted(rules[phrase] - {phrase})
                groups.append(TermGroup((phrase, *others)))
                position += length
                break
        else:
            groups.append(TermGroup(((terms[position],),)))
            position += 1
    return groups


def _phrases(side: str, rule: str) -> list[Phrase]:
    phrases = [tuple(analyze(part)) for part in side.split(",")]
    if not all(phrases):
        raise SynonymRuleError(f"empty phrase (or only stop words) in synonym rule {rule!r}")
    return phrases
