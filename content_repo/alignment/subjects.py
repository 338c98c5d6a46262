"""Subjects of a record: the source's codes or name mapped to curriculum subjects, with grade-dependent splits.

«Математика» is one subject in grades 1–6 and three in 7–9 (алгебра, геометрия, вероятность и статистика):
the name gives the candidates, the content of the resource picks one. A code the caller already mapped is split
the same way when the subject is not taught in the record's grades (a source that calls everything «Математика»
sends ``math`` for an algebra lesson of grade 8). The table is data, ``data/subject_names.json``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from content_repo.text.analysis import stem, tokenize, tokenize_with_spans

from .curriculum import SubjectInfo

SUBJECT_NAMES_FILE = Path(__file__).resolve().parent / "data" / "subject_names.json"

NameKey = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NameRule:
    """Subjects a name means in some grades (all grades when ``grades`` is empty)."""

    grades: frozenset[int]
    subjects: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SubjectChoice:
    """The candidate subjects of a record and how they were found."""

    codes: tuple[str, ...]
    split: bool = False
    named_by_source: str = ""

    @property
    def known(self) -> bool:
        return bool(self.codes)


class SubjectNames:
    """The names table, keyed by the stems of a name («Иностранный (английский) язык» → иностра, английск, язык)."""

    def __init__(
        self,
        rules: Mapping[NameKey, Sequence[NameRule]],
        subjects: Mapping[str, SubjectInfo],
        exam_subjects: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.rules = dict(rules)
        self.subjects = subjects
        self.exam_subjects = {code: tuple(codes) for code, codes in (exam_subjects or {}).items()}
        self.longest = max((len(key) for key in self.rules), default=0)

    @classmethod
    def load(cls, subjects: Mapping[str, SubjectInfo], path: Path = SUBJECT_NAMES_FILE) -> SubjectNames:
        """The table file plus every curriculum subject's own title."""
        document = json.loads(path.read_text(encoding="utf-8"))
        data = document["names"]
        exam_subjects = {k: v for k, v in document.get("exam_subjects", {}).items() if not k.startswith("_")}
        rules: dict[NameKey, list[NameRule]] = {}
        for subject in subjects.values():
            rules.setdefault(name_key(subject.title), []).append(NameRule(frozenset(subject.grades), (subject.code,)))
        for name, entries in data.items():
            rules[name_key(name)] = [
                NameRule(frozenset(entry["grades"]), tuple(entry["subjects"])) for entry in entries
            ]
        return cls(rules, subjects, exam_subjects)

    def codifier_subjects(self, subjects: Iterable[str]) -> tuple[str, ...]:
        """Subjects of codifiers that serve these programme subjects (ФИПИ «math» for algebra, geometry…)."""
        wanted = set(subjects)
        found = [code for code in wanted if code in self.subjects]
        for exam_subject, served in self.exam_subjects.items():
            if wanted & set(served) and exam_subject not in found:
                found.append(exam_subject)
        return tuple(sorted(found))

    def strip_from_title(self, title: str, grades: Iterable[int]) -> tuple[str, tuple[str, ...], str]:
        """Cut a subject named in a title («Алгебра. …», «… по физике»): the rest, the codes and the name.

        A name only counts at the start of the title before punctuation, or after «по»: elsewhere «история»,
        «право», «статистика» are words of topics.
        """
        tokens = tokenize_with_spans(title)
        stems = [stem(token.text) for token in tokens]
        wanted = list(grades)
        for start in range(len(tokens)):
            after_po = start > 0 and tokens[start - 1].text == "по"
            if not (after_po or start == 0):
                continue
            for size in range(min(self.longest, len(tokens) - start), 0, -1):
                key = tuple(stems[start : start + size])
                if key not in self.rules:
                    continue
                end = tokens[start + size - 1].end
                if start == 0 and not after_po and not _punctuation_follows(title, end):
                    break
                cut_from = tokens[start - 1].start if after_po else tokens[start].start
                rest = " ".join(f"{title[:cut_from]} {title[end:]}".split()).strip(" .,:;-–—")
                return rest, self._apply(self.rules[key], set(wanted)), title[tokens[start].start : end]
        return title, (), ""

    def lookup(self, name: str, grades: Iterable[int]) -> tuple[str, ...]:
        """Subject codes for a source's name in the given grades; () when the table does not know the name."""
        key = name_key(name)
        rules = self.rules.get(key) or self._longest_inside(key)
        return self._apply(rules, set(grades))

    def resolve(self, codes: Sequence[str], name: str | None, grades: Sequence[int]) -> SubjectChoice:
        """The record's candidate subjects: its codes (split by grade when needed), else its subject name."""
        wanted = set(grades)
        found: list[str] = []
        split = False
        split_name = ""
        for code in codes:
            subject = self.subjects.get(code)
            if subject is None:
                continue
            if not wanted or wanted & set(subject.grades):
                _add(found, [code])
            missing = wanted - set(subject.grades)
            replacement = self.lookup(subject.title, missing) if missing else ()
            if replacement and set(replacement) != {code}:
                _add(found, replacement)
                if len(replacement) > 1:
                    split, split_name = True, subject.title
        if not found and name:
            found = list(self.lookup(name, wanted))
            split = len(found) > 1
        return SubjectChoice(tuple(found), split=split, named_by_source=split_name or name or "")

    def _apply(self, rules: Sequence[NameRule], grades: set[int]) -> tuple[str, ...]:
        codes: list[str] = []
        for rule in rules:
            if not grades or not rule.grades or rule.grades & grades:
                _add(codes, [code for code in rule.subjects if code in self.subjects])
        return tuple(codes)

    def _longest_inside(self, key: NameKey) -> Sequence[NameRule]:
        """«Математика (базовый уровень)»: the longest known name inside an unknown one."""
        best: NameKey = ()
        for known in self.rules:
            if len(known) > len(best) and _contains(key, known):
                best = known
        return self.rules.get(best, ()) if best else ()


def name_key(name: str) -> NameKey:
    """Stems of every word of a name, stop words included («и» in «Алгебра и начала анализа» is part of it)."""
    return tuple(stem(token) for token in tokenize(name.replace("ё", "е")))


def _punctuation_follows(text: str, end: int) -> bool:
    rest = text[end:].lstrip()
    return not rest or rest[0] in ".,:;-–—|/("


def _contains(haystack: NameKey, needle: NameKey) -> bool:
    size = len(needle)
    return any(haystack[i : i + size] == needle for i in range(len(haystack) - size + 1))


def _add(target: list[str], codes: Iterable[str]) -> None:
    for code in codes:
        if code not in target:
            target.append(code)
