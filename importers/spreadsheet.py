"""A methodist's spreadsheet (CSV or XLSX): read, validate row by row, then import the valid rows.

Validation happens before anything is saved and names each problem by row number and column; the import
goes through the intake path (the same mapping, checks, overlay and publishing rules as every other door).
The columns are documented in docs/importers.md («Таблица методиста»).
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from content_repo.intake.items import Outcome, Policy
from content_repo.intake.records import HarvestedRecord
from content_repo.intake.services import Intake, batch_size
from content_repo.vocabularies.models import Term
from importers.models import HarvestError, HarvestJob, HarvestRecord, HarvestSource, Stage

__all__ = [
    "COLUMNS",
    "MAX_BYTES",
    "MAX_ROWS",
    "SheetError",
    "SheetRow",
    "header_names",
    "import_rows",
    "read_sheet",
    "validate_sheet",
]

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
SOURCE_CODE = "csv"
# Column → its Russian header (both are accepted, case-insensitively).
COLUMNS = {
    "external_id": "идентификатор",
    "title": "название",
    "url": "адрес",
    "description": "описание",
    "subject": "предмет",
    "grades": "классы",
    "type": "тип",
    "license": "лицензия",
    "access": "доступ",
    "topics": "темы",
    "keywords": "ключевые слова",
    "authors": "авторы",
    "language": "язык",
    "lesson_number": "номер урока",
}
REQUIRED = ("title", "url", "subject", "grades")
_GRADE_RANGE = re.compile(r"^(\d{1,2})\s*[-–]\s*(\d{1,2})$")
_LIST_SPLIT = re.compile(r"[;,]")


class SheetError(ValueError):
    """The file as a whole cannot be read (format, size, header)."""


@dataclass
class SheetRow:
    """One data row: its spreadsheet row number, the record it makes, or the problems that stop it."""

    number: int
    values: dict[str, str]
    record: HarvestedRecord | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.record is not None and not self.problems


def read_sheet(name: str, data: bytes) -> list[tuple[int, dict[str, str]]]:
    """Rows as (row number, {column: text}); row 1 is the header. Raises :class:`SheetError`."""
    if len(data) > MAX_BYTES:
        raise SheetError(f"файл больше {MAX_BYTES // 1024 // 1024} МБ")
    rows = _xlsx_rows(data) if name.lower().endswith(".xlsx") else _csv_rows(data)
    header = next(rows, None)
    if header is None:
        raise SheetError("файл пуст")
    columns = [_column(cell) for cell in header]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise SheetError(f"нет обязательных столбцов: {', '.join(missing)}")
    result = []
    for number, cells in enumerate(rows, start=2):
        values = {column: cell.strip() for column, cell in zip(columns, cells, strict=False) if column}
        if any(values.values()):
            result.append((number, values))
        if len(result) > MAX_ROWS:
            raise SheetError(f"больше {MAX_ROWS} строк: разделите файл")
    return result


def header_names(name: str, data: bytes) -> dict[str, str]:
    """The file's own header of each known column (``{"topics": "Темы"}``), for reports in its words."""
    rows = _xlsx_rows(data) if name.lower().endswith(".xlsx") else _csv_rows(data)
    header = next(rows, None) or []
    return {column: cell.strip() for cell in header if (column := _column(cell))}


def _column(header: str) -> str | None:
    key = header.strip().lower()
    for column, russian in COLUMNS.items():
        if key in (column, russian):
            return column
    return None


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1251")  # Excel on Russian Windows saves CSV in windows-1251
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    yield from csv.reader(io.StringIO(text), dialect)


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    from zipfile import BadZipFile

    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError) as error:
        raise SheetError(f"не удалось прочитать XLSX: {error}") from error
    sheet = workbook.worksheets[0]
    for row in sheet.iter_rows(values_only=True):
        yield ["" if cell is None else str(cell) for cell in row]


class _Lookups:
    """Vocabulary codes, accepted as codes or as their Russian labels."""

    def __init__(self) -> None:
        self.terms: dict[str, dict[str, str]] = {}
        for vocabulary, code, label in Term.objects.values_list("vocabulary", "code", "label"):
            table = self.terms.setdefault(vocabulary, {})
            table[code.lower()] = code
            table.setdefault(label.lower(), code)

    def term(self, vocabulary: str, value: str, default: str) -> str | None:
        return self.terms.get(vocabulary, {}).get(value.lower()) if value else default


def _intake(user: Any = None) -> Intake:
    from importers.builtin import ensure_builtin_sources

    ensure_builtin_sources()
    source = HarvestSource.objects.get(code=SOURCE_CODE)
    return Intake(policy=Policy.PUBLISH if source.publishes else Policy.REVIEW, user=user, strict=True)


def validate_sheet(rows: list[tuple[int, dict[str, str]]]) -> list[SheetRow]:
    """Check every row; a valid row gets its record, an invalid one its (column, message) problems."""
    lookups, intake = _Lookups(), _intake()
    seen: dict[str, int] = {}
    result = []
    for number, values in rows:
        row = SheetRow(number, values)
        record = _record(row, lookups)
        if record is not None:
            if record.external_id in seen:
                row.problems.append(("external_id", f"повторяет строку {seen[record.external_id]}"))
            seen.setdefault(record.external_id, number)
            mapped = intake.map(record)
            row.problems += [
                (_COLUMN_OF.get(problem.field, problem.field), problem.message) for problem in mapped.problems
            ]
            row.record = record
        result.append(row)
    return result


# Where a catalog field's problem points in the sheet.
_COLUMN_OF = {"subjects": "subject", "resource_type": "type", "alignments": "topics"}


def _record(row: SheetRow, lookups: _Lookups) -> HarvestedRecord | None:
    values, problems = row.values, row.problems
    for name in REQUIRED:
        if not values.get(name):
            problems.append((name, "обязательное поле не заполнено"))
    url = values.get("url", "")
    if url and not re.match(r"^https?://[^\s/]+", url, re.IGNORECASE):
        problems.append(("url", f"{url[:80]!r} — не абсолютный адрес http(s)"))
    grades = _grades(values.get("grades", ""), problems)
    codes = {
        name: lookups.term(vocabulary, values.get(column, ""), default)
        for name, column, vocabulary, default in (
            ("resource_type", "type", "resource_type", "other"),
            ("license", "license", "license", "all-rights-reserved-free-view"),
            ("access", "access", "access", "free"),
            ("language", "language", "language", "ru"),
        )
    }
    for name, column in (
        ("resource_type", "type"),
        ("license", "license"),
        ("access", "access"),
        ("language", "language"),
    ):
        if codes[name] is None:
            problems.append((column, f"неизвестное значение {values[column]!r}"))
    number = values.get("lesson_number", "")
    if number and not number.isdigit():
        problems.append(("lesson_number", f"{number!r} — не целое число"))
    if problems:
        return None
    external_id = values.get("external_id") or hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]
    return HarvestedRecord(
        source=SOURCE_CODE,
        external_id=external_id,
        url=url,
        title=values["title"],
        description=values.get("description") or None,
        subject_name=values["subject"],
        grades=tuple(grades),
        lesson_number=int(number) if number else None,
        resource_type=str(codes["resource_type"]),
        license=str(codes["license"]),
        access=str(codes["access"]),
        language=str(codes["language"]),
        provider="",
        keywords=_list(values.get("keywords", "")),
        authors=_list(values.get("authors", "")),
        topics=_list(values.get("topics", "")),
    )


def _list(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in _LIST_SPLIT.split(text) if item.strip())


def _grades(text: str, problems: list[tuple[str, str]]) -> list[int]:
    grades: list[int] = []
    for item in _list(text.replace(" ", ",")) if "-" not in text and "–" not in text else [text.strip()]:
        span = _GRADE_RANGE.match(item)
        numbers = list(range(int(span.group(1)), int(span.group(2)) + 1)) if span else [item]
        for number in numbers:
            if str(number).isdigit() and 1 <= int(number) <= 11:
                grades.append(int(number))
            else:
                problems.append(("grades", f"{item!r} — классы от 1 до 11 («5», «5, 6» или «5-7»)"))
                return []
    return grades


def import_rows(rows: list[SheetRow], user: Any = None) -> HarvestJob:
    """Import the valid rows as a job of the ``csv`` source, through the intake path, in batches."""
    intake = _intake(user)
    source = HarvestSource.objects.get(code=SOURCE_CODE)
    job = HarvestJob.objects.create(source=source, options={"rows": len(rows)})
    valid = [row for row in rows if row.record is not None and row.valid]
    for start in range(0, len(valid), batch_size()):
        _import_batch(intake, job, valid[start : start + batch_size()])
    job.state = HarvestJob.State.PARTIAL if job.failed else HarvestJob.State.FINISHED
    job.finished_at, job.gather_status = timezone.now(), "complete"
    job.save()
    return job


def _import_batch(intake: Intake, job: HarvestJob, rows: list[SheetRow]) -> None:
    items, errors = [], []
    for index, row in enumerate(rows):
        assert row.record is not None
        mapped = intake.map(row.record)
        if mapped.item is None:  # the catalog changed since the rows were checked
            errors.append((row, "; ".join(f"{p.field}: {p.message}" for p in mapped.problems)))
        else:
            items.append(dataclasses.replace(mapped.item, ref=index))
    with transaction.atomic():
        results = intake.load(items)
        for result in results:
            row = rows[result.ref]
            if result.outcome is Outcome.REJECTED:
                errors.append((row, result.message()))
            else:
                setattr(job, result.outcome.value, getattr(job, result.outcome.value) + 1)
        job.gathered += len(rows)
        job.failed += len(errors)
        _record_rows(job, rows, {result.ref for result in results if result.outcome is not Outcome.REJECTED})
        HarvestError.objects.bulk_create(
            HarvestError(
                job=job,
                stage=Stage.LOAD,
                external_id=row.record.external_id if row.record else "",
                url=row.record.url if row.record else "",
                line=row.number,
                message=message[:5000],
            )
            for row, message in errors
        )
        job.save()


def _record_rows(job: HarvestJob, rows: list[SheetRow], loaded: set[int]) -> None:
    """The rows as records of the ``csv`` source, so the job's page lists them like a harvest's."""
    by_id = {row.record.external_id: (index, row) for index, row in enumerate(rows) if row.record is not None}
    existing = {r.external_id: r for r in HarvestRecord.objects.filter(source=job.source, external_id__in=by_id)}
    records = []
    for external_id, (index, row) in by_id.items():
        assert row.record is not None
        record = existing.get(external_id) or HarvestRecord(source=job.source, external_id=external_id)
        record.url, record.context, record.seen_in_job, record.last_job = row.record.url, {"row": row.number}, job, job
        record.record, record.record_hash = row.record.to_dict(), row.record.content_hash()
        record.state = HarvestRecord.State.LOADED if index in loaded else HarvestRecord.State.FAILED
        record.catalog_id = external_id if index in loaded else ""
        records.append(record)
    HarvestRecord.objects.bulk_create([r for r in records if r.pk is None])
    fields = ["url", "context", "seen_in_job", "last_job", "record", "record_hash", "state", "catalog_id"]
    HarvestRecord.objects.bulk_update([r for r in records if r.pk is not None], fields)
