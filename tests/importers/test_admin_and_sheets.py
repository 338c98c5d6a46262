"""The admin: «Сбор данных» pages, and the spreadsheet upload with its per-row report before saving."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from content_repo.intake.subjects import SubjectMapper
from content_repo.resources.models import Resource
from importers.models import HarvestJob, HarvestSource
from importers.scheduling import due_sources
from importers.spreadsheet import read_sheet, validate_sheet

pytestmark = pytest.mark.django_db

SHEET = (
    "title;url;subject;grades;type;license;topics\n"
    "Дроби на числовой прямой;https://school.example/drobi;Математика;5;Урок;cc-by-4.0;\n"
    "Без адреса;javascript:alert(1);Математика;5;;;\n"
    "Неизвестный предмет;https://school.example/x;Астрология;6;;;\n"
    "Плохой класс;https://school.example/y;Физика;13;;;\n"
    "Таблица умножения;https://school.example/umnozhenie;math;2-3;trainer;;\n"
)


def _upload(client, name: str, data: bytes):
    return client.post(reverse("importers_upload"), {"file": SimpleUploadedFile(name, data)})


def test_upload_reports_rows_before_saving_then_imports_valid_ones(client, users, harvest_sources) -> None:
    client.force_login(users.methodist)
    before = Resource.objects.count()

    response = _upload(client, "подборка.csv", SHEET.encode("utf-8"))

    assert response.status_code == 200
    problems = re.findall(r'<tr class="problem"><td>строка (\d+)</td><td>(\w+)</td>', response.content.decode())
    assert problems == [("3", "url"), ("4", "subject"), ("5", "grades")]
    assert Resource.objects.count() == before
    token = response.context["token"]

    confirmed = client.post(reverse("importers_upload_confirm"), {"token": token})

    assert confirmed.status_code == 302
    job = HarvestJob.objects.get(source__code="csv")
    assert (job.created, job.failed) == (2, 0)
    made = Resource.objects.get(title="Таблица умножения")
    assert sorted(grade.number for grade in made.grades.all()) == [2, 3]
    assert made.status == Resource.Status.PUBLISHED
    assert made.source_layer.source == "csv"


def test_xlsx_rows_are_read(harvest_sources) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Название", "Адрес", "Предмет", "Классы"])
    sheet.append(["Имя существительное", "https://school.example/noun", "Русский язык", 5])
    buffer = io.BytesIO()
    workbook.save(buffer)

    rows = validate_sheet(read_sheet("list.xlsx", buffer.getvalue()))

    assert [(row.number, row.valid, row.problems) for row in rows] == [(2, True, [])]
    assert rows[0].record is not None and rows[0].record.subject_name == "Русский язык"
    assert SubjectMapper.from_database().map(rows[0].record.subject_name, "csv") == "russian"


def test_upload_needs_a_methodist(client, users) -> None:
    client.force_login(users.vendor_a)

    assert _upload(client, "a.csv", SHEET.encode()).status_code in (302, 403)


def test_admin_pages_show_jobs(client, users, harvest_sources) -> None:
    client.force_login(users.admin)
    HarvestJob.objects.create(source=harvest_sources["resh"], gathered=3, created=2, failed=1)

    for name in ("harvest_sources:index", "harvest_jobs:index", "harvest_errors:index"):
        assert client.get(reverse(name)).status_code == 200
    assert client.get(reverse("harvest_jobs:add")).status_code in (302, 403)


def test_schedule_runs_due_sources_through_the_task_backend(harvest_sources, serve_site) -> None:
    site = serve_site("mesh", 1)
    HarvestSource.objects.exclude(code="mesh").update(enabled=False)
    HarvestSource.objects.filter(code="mesh").update(
        base_url=site.base_url, allowed_hosts=["127.0.0.1"], allow_private=True, rate_limit=200
    )
    assert [source.code for source in due_sources()] == ["mesh"]

    call_command("schedule_harvests", stdout=io.StringIO())  # the immediate backend runs the task now

    job = HarvestJob.objects.get(source__code="mesh")
    assert (job.state, job.created) == (HarvestJob.State.FINISHED, 35)
    assert due_sources() == []
