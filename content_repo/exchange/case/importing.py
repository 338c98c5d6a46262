"""Loading an IMS CASE 1.1 CFPackage (a regional programme published by an OpenSALT-like tool) as curriculum.

The package's CFDocument becomes a framework, its CFItems topics (sections and topics) of that framework, with
their hierarchy from ``isChildOf``. Every node keeps its provenance in ``source`` (the package URI, the
document's and the item's identifiers, its creator and last change). The load is idempotent and all or
nothing: the whole package is checked first, and a problem anywhere (which item, which field, why) stops it
before anything is written. A node already in the catalog — an item whose identifier is the one the catalog
gives that node (:mod:`.identity`) — is matched, not copied: a package exported by this or another instance
of the catalog loads back without a change.

What a topic needs and where it is taken from: the subject — ``subjectURI`` pointing at a catalog subject,
``subject`` by name (the intake's subject names), or the parent's; the grade — the first ``educationLevel``
from «01» to «11» (or the parent's); the kind — ``CFItemType`` («раздел», «тема»), else a node with children is
a section.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from django.db import transaction

from content_repo.curriculum.models import Framework, Level, Subject, Topic
from content_repo.curriculum.services import LoadReport, _Upserter, levels_for_grades  # the loader's own upsert
from content_repo.intake.subjects import SubjectMapper

from .export import CODIFIER_FRAMEWORK
from .identity import case_uuid

__all__ = ["CaseImportError", "load_case_package", "read_package"]

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_SUBJECT_URI = re.compile(r"/curriculum/subjects/([a-z_]+)/?$")
_KINDS = {"раздел содержания": "content_section", "раздел": "section", "тема": "topic", "section": "section"}


class CaseImportError(ValueError):
    """The package cannot be loaded; ``problems`` name the place and the reason of each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("пакет CASE не загружен: " + "; ".join(problems[:20]))
        self.problems = problems


@dataclass
class _Node:
    """A CFItem on its way to becoming a topic."""

    index: int
    item: Mapping[str, Any]
    identifier: str
    code: str = ""
    existing: bool = False
    subject: Subject | None = None
    grade: int | None = None
    parent: str | None = None
    order: int = 0
    children: list[str] = field(default_factory=list)


def load_case_package(package: Any, origin: str) -> LoadReport:
    """Load ``package`` (parsed JSON) fetched from ``origin``; raises :class:`CaseImportError`."""
    problems = _check(package)
    if problems:
        raise CaseImportError(problems)
    document = package["CFDocument"]
    known = _known_identifiers()
    nodes = _nodes(package, known)
    problems = _resolve(package, nodes, known)
    if problems:
        raise CaseImportError(problems)
    report = LoadReport()
    with transaction.atomic():
        framework = _framework(document, origin, known, report)
        _topics(nodes, framework, document, origin, report)
    return report


# --- checks --------------------------------------------------------------------------------------------


def _check(package: Any) -> list[str]:
    if not isinstance(package, dict):
        return ["ожидается JSON-объект CFPackage"]
    problems = []
    document = package.get("CFDocument")
    if not isinstance(document, dict):
        return ["CFDocument: обязательный объект отсутствует"]
    for name in ("identifier", "title", "creator"):
        if not isinstance(document.get(name), str) or not document[name].strip():
            problems.append(f"CFDocument.{name}: обязательная строка отсутствует")
    if isinstance(document.get("identifier"), str) and not _UUID.match(document["identifier"]):
        problems.append(f"CFDocument.identifier: {document['identifier'][:60]!r} — не UUID")
    for name, required in (("CFItems", ("identifier", "fullStatement")), ("CFAssociations", ("associationType",))):
        entries = package.get(name, [])
        if not isinstance(entries, list):
            problems.append(f"{name}: ожидается массив")
            continue
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                problems.append(f"{name}[{index}]: ожидается объект")
                continue
            for key in required:
                if not isinstance(entry.get(key), str) or not entry[key].strip():
                    problems.append(f"{name}[{index}].{key}: обязательная строка отсутствует")
            if isinstance(entry.get("identifier"), str) and not _UUID.match(entry["identifier"]):
                problems.append(f"{name}[{index}].identifier: {entry['identifier'][:60]!r} — не UUID")
            if name == "CFAssociations":
                for end in ("originNodeURI", "destinationNodeURI"):
                    if not isinstance(entry.get(end), dict) or not isinstance(entry[end].get("identifier"), str):
                        problems.append(f"{name}[{index}].{end}: нужна ссылка с identifier")
    return problems


# --- matching ------------------------------------------------------------------------------------------


@dataclass
class _Known:
    """Identifiers the catalog gives its own nodes: what an exported package names."""

    topics: dict[str, str]
    subjects: dict[str, Subject]
    frameworks: dict[str, Framework]


def _known_identifiers() -> _Known:
    return _Known(
        topics={case_uuid("topic", code): code for code in Topic.objects.values_list("code", flat=True)},
        subjects={case_uuid("subject", s.code): s for s in Subject.objects.all()},
        frameworks={case_uuid("document", f.code): f for f in Framework.objects.all()},
    )


def _nodes(package: Mapping[str, Any], known: _Known) -> dict[str, _Node]:
    nodes = {}
    for index, item in enumerate(package.get("CFItems", [])):
        identifier = item["identifier"].lower()
        if identifier in known.subjects:
            continue  # a subject of the catalog: the topics under it take it as their subject
        node = _Node(index=index, item=item, identifier=identifier)
        node.existing = identifier in known.topics
        node.code = known.topics.get(identifier) or f"case-{identifier}"
        nodes[identifier] = node
    return nodes


def _resolve(package: Mapping[str, Any], nodes: dict[str, _Node], known: _Known) -> list[str]:
    """Parents, order, subject and grade of every node; the problems of those that lack one."""
    subject_of_parent: dict[str, Subject] = {}
    for association in package.get("CFAssociations", []):
        if association["associationType"] != "isChildOf":
            continue
        child = association["originNodeURI"]["identifier"].lower()
        parent = association["destinationNodeURI"]["identifier"].lower()
        if child not in nodes:
            continue
        if parent in nodes:
            nodes[child].parent = parent
            nodes[parent].children.append(child)
        elif parent in known.subjects:
            subject_of_parent[child] = known.subjects[parent]
        sequence = association.get("sequenceNumber")
        nodes[child].order = sequence if isinstance(sequence, int) and sequence >= 0 else nodes[child].index
    mapper = SubjectMapper.from_database()
    subjects = {subject.code: subject for subject in known.subjects.values()}
    document_subjects = package["CFDocument"].get("subject") or []
    problems = []
    for node in _top_down(nodes):
        parent = nodes.get(node.parent) if node.parent else None
        node.subject = (
            _subject(node.item, mapper, subjects)
            or subject_of_parent.get(node.identifier)
            or (parent.subject if parent else None)
            or _subject({"subject": document_subjects}, mapper, subjects)
        )
        node.grade = _grade(node.item) or (parent.grade if parent else None)
        where = f"CFItems[{node.index}] ({node.item.get('humanCodingScheme') or node.identifier})"
        if node.existing:
            continue
        if node.subject is None:
            problems.append(f"{where}: предмет не определён (subjectURI, subject или родитель с предметом)")
        if node.grade is None:
            problems.append(f"{where}.educationLevel: нужен класс «01»–«11» (у элемента или его родителя)")
    return problems


def _top_down(nodes: dict[str, _Node]) -> list[_Node]:
    """Parents before children (a cycle is cut where it closes)."""
    ordered, seen = [], set()

    def visit(node: _Node, path: set[str]) -> None:
        if node.identifier in seen:
            return
        if node.parent and node.parent in nodes and node.parent not in path:
            visit(nodes[node.parent], path | {node.identifier})
        elif node.parent in path:
            node.parent = None
        seen.add(node.identifier)
        ordered.append(node)

    for node in nodes.values():
        visit(node, set())
    return ordered


def _subject(item: Mapping[str, Any], mapper: SubjectMapper, subjects: dict[str, Subject]) -> Subject | None:
    uris = [str(link.get("uri")) for link in item.get("subjectURI") or [] if isinstance(link, dict)]
    codes = [m.group(1) for uri in uris if (m := _SUBJECT_URI.search(uri))]
    codes += [code for name in item.get("subject") or [] if isinstance(name, str) and (code := mapper.map(name))]
    return next((subjects[code] for code in codes if code in subjects), None)


def _grade(item: Mapping[str, Any]) -> int | None:
    for level in item.get("educationLevel") or []:
        text = str(level).strip()
        if text.isdigit() and 1 <= int(text) <= 11:
            return int(text)
    return None


# --- writing -------------------------------------------------------------------------------------------


def _provenance(document: Mapping[str, Any], origin: str, item: Mapping[str, Any] | None = None) -> str:
    package_uri = (document.get("CFPackageURI") or {}).get("uri") or origin
    text = f"CASE 1.1: {package_uri}; CFDocument «{document['title']}» {document['identifier']}, {document['creator']}"
    if item is not None:
        text += f"; CFItem {item['identifier']}"
        if item.get("humanCodingScheme"):
            text += f" ({item['humanCodingScheme']})"
        if item.get("lastChangeDateTime"):
            text += f", изменён {item['lastChangeDateTime']}"
    return text


def _framework(document: Mapping[str, Any], origin: str, known: _Known, report: LoadReport) -> Framework:
    own = known.frameworks.get(document["identifier"].lower())
    if own is not None:
        report.add("frameworks", "unchanged")
        return own
    upserter = _Upserter(Framework, "code", report, "frameworks")
    values = {
        "title": document["title"][:500],
        "legal_act": str(document.get("description") or "")[:500],
        "source": _provenance(document, origin),
    }
    framework = upserter.upsert(f"case-{document['identifier'].lower()}", values)
    assert isinstance(framework, Framework)
    return framework


def _topics(
    nodes: dict[str, _Node], framework: Framework, document: Mapping[str, Any], origin: str, report: LoadReport
) -> None:
    if framework.code == CODIFIER_FRAMEWORK:
        return  # the codifiers are the catalog's own: nothing to load back
    levels = {level.code: level for level in Level.objects.all()}
    upserter = _Upserter(Topic, "code", report, "topics")
    for node in _top_down(nodes):
        if node.existing:
            report.add("topics", "unchanged")
            continue
        assert node.subject is not None and node.grade is not None
        item = node.item
        kind = _KINDS.get(str(item.get("CFItemType") or "").strip().lower())
        parent = upserter.existing.get(nodes[node.parent].code) if node.parent else None
        upserter.upsert(
            node.code,
            {
                "subject_id": node.subject.pk,
                "grade_id": node.grade,
                "level_id": levels[levels_for_grades([node.grade])[0]].pk,
                "variant": "",
                "kind": kind or ("section" if node.children else "topic"),
                "number": str(item.get("listEnumeration") or item.get("humanCodingScheme") or "")[:32],
                "title": item["fullStatement"],
                "parent_id": parent.pk if parent else None,
                "order": node.order,
                "framework_id": framework.pk,
                "source": _provenance(document, origin, item),
            },
        )


MAX_PACKAGE_BYTES = 50 * 1024 * 1024


def read_package(location: str) -> Any:
    """A CFPackage from a file or an http(s) URL, parsed; ``CaseImportError`` says what went wrong."""
    if re.match(r"^https?://", location, re.IGNORECASE):
        try:
            with httpx.stream("GET", location, timeout=30, follow_redirects=True) as response:
                response.raise_for_status()
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > MAX_PACKAGE_BYTES:
                        raise CaseImportError([f"{location}: больше {MAX_PACKAGE_BYTES // 2**20} МБ"])
        except httpx.HTTPError as error:
            raise CaseImportError([f"{location}: не загружается ({error})"]) from error
        raw = bytes(body)
    else:
        path = Path(location)
        if not path.is_file():
            raise CaseImportError([f"{location}: файла нет"])
        raw = path.read_bytes()
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise CaseImportError([f"{location}: не JSON ({error})"]) from error
