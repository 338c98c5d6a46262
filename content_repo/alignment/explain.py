"""Short Russian explanations of a suggestion, for the methodist who accepts or rejects it."""

from __future__ import annotations

from .curriculum import Curriculum, CurriculumNode, NodeKind
from .reading import ReadRecord
from .records import HintKind
from .scoring import Match
from .subjects import SubjectChoice

EXAM_TITLES = {"EGE": "ЕГЭ", "OGE": "ОГЭ"}
KIND_TITLES = {
    NodeKind.SECTION: "Раздел",
    NodeKind.TOPIC: "Тема",
    NodeKind.CONTENT_SECTION: "Раздел содержания",
}


def explain(
    *,
    node: CurriculumNode,
    section_title: str,
    match: Match,
    read: ReadRecord,
    subjects: SubjectChoice,
    inferred_subject: bool,
    curriculum: Curriculum,
) -> list[str]:
    """Sentences: the hint (if any), the matched words, the node and its place, the grade, the subject."""
    reasons = []
    if match.hint is not None:
        reasons.append(_hint(match))
    if match.words:
        reasons.append("Совпали слова: " + ", ".join(f"«{word}»" for word in match.words) + ".")
    reasons.append(_node(node, section_title, curriculum))
    grade = _grade(node, match, read)
    if grade:
        reasons.append(grade)
    subject_title = curriculum.subject_title(node.subject)
    if inferred_subject:
        reasons.append(f"Источник не указал предмет, предмет определён по тексту: {subject_title}.")
    elif subjects.split:
        named = subjects.named_by_source or "предмет источника"
        reasons.append(f"«{named}» в этих классах делится на несколько предметов; по содержанию — {subject_title}.")
    if node.is_codifier_element:
        reasons.append(f"Материал подготовки к {EXAM_TITLES.get(node.exam, node.exam)}.")
    return reasons


def _hint(match: Match) -> str:
    assert match.hint is not None
    other = f" «{match.hint.other_title}»" if match.hint.other_title else ""
    if match.hint.kind is HintKind.SAME_TITLE:
        return f"Методист подтвердил этот узел для ресурса с тем же названием{other}."
    return f"Методист подтвердил этот узел для соседнего урока той же серии{other}."


def _node(node: CurriculumNode, section_title: str, curriculum: Curriculum) -> str:
    subject = curriculum.subject_title(node.subject)
    if node.is_codifier_element:
        exam = EXAM_TITLES.get(node.exam, node.exam)
        place = f", раздел «{section_title}»" if section_title and section_title != node.title else ""
        return f"Элемент кодификатора {exam} по предмету «{subject}» ({node.codifier}): «{node.title}»{place}."
    kind = KIND_TITLES.get(node.kind, "Узел")
    place = f" раздела «{section_title}»" if section_title and section_title != node.title else ""
    variant = f", {node.variant} уровень" if node.variant else ""
    return f"{kind} «{node.title}»{place} — {subject}, {node.grade} класс{variant}."


def _grade(node: CurriculumNode, match: Match, read: ReadRecord) -> str:
    if node.grade is None:
        return ""
    if not read.grades:
        return "Класс ресурса не указан; тема подобрана по тексту."
    grades = ", ".join(str(grade) for grade in read.grades)
    if match.adjacent:
        return (
            f"Тема из соседнего класса: ресурс для {grades} класса, тема — {node.grade} класса "
            "(программы переносят темы между классами)."
        )
    return f"Класс совпадает: ресурс для {grades} класса."
