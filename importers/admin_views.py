"""The spreadsheet upload: upload → per-row report (nothing saved) → confirm → import the valid rows."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from content_repo.intake.records import HarvestedRecord
from importers.engine.runner import WithdrawalNotConfirmable, confirm_withdrawal
from importers.models import HarvestJob
from importers.spreadsheet import SheetError, SheetRow, header_names, import_rows, read_sheet, validate_sheet

_SESSION_KEY = "importers_sheet"
UPLOAD_PERMISSION = "resources.review_resource"


class SheetUploadForm(forms.Form):
    file = forms.FileField(label="Таблица (CSV или XLSX)")


def _check(request: HttpRequest) -> None:
    if not request.user.has_perm(UPLOAD_PERMISSION):
        raise PermissionDenied


def upload_view(request: HttpRequest) -> HttpResponse:
    """Step 1: read and validate the file; show every problem by row and column; keep the valid rows."""
    _check(request)
    form = SheetUploadForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "page_title": "Загрузка таблицы", "header_title": "Загрузка таблицы"}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            rows = validate_sheet(read_sheet(upload.name, data))
        except SheetError as error:
            form.add_error("file", str(error))
        else:
            token = secrets.token_urlsafe(16)
            request.session[_SESSION_KEY] = {
                "token": token,
                "name": upload.name,
                "rows": [[row.number, row.record.to_dict()] for row in rows if row.valid and row.record],
            }
            headers = header_names(upload.name, data)
            context.update(
                rows=rows, token=token, problems=_problems(rows, headers), valid=sum(row.valid for row in rows)
            )
    return TemplateResponse(request, "importers/admin/upload.html", context)


def _problems(rows: list[SheetRow], headers: dict[str, str]) -> list[tuple[int, str, str]]:
    """(row, column as the file names it, message) — «темы» stays «темы», «Topics» stays «Topics»."""
    return [(row.number, headers.get(column, column), message) for row in rows for column, message in row.problems]


def confirm_view(request: HttpRequest) -> HttpResponse:
    """Step 2: import the rows validated in step 1 (POST with the report's token)."""
    _check(request)
    stored = request.session.get(_SESSION_KEY)
    if request.method != "POST" or not stored or stored["token"] != request.POST.get("token"):
        messages.error(request, "Загрузите таблицу заново: проверка устарела")
        return redirect("importers_upload")
    rows = [SheetRow(number, {}, HarvestedRecord.from_dict(data)) for number, data in stored["rows"]]
    job = import_rows(rows, user=request.user)
    del request.session[_SESSION_KEY]
    messages.success(request, f"Таблица «{stored['name']}» загружена: {job.summary()}")
    return redirect("importers_upload")


def confirm_withdrawal_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A methodist confirms the withdrawal a harvest held back (it would have taken down too much of a source)."""
    _check(request)
    job = get_object_or_404(HarvestJob.objects.select_related("source"), pk=pk)
    job_url = reverse("harvest_jobs:inspect", args=[job.pk])
    if request.method == "POST":
        try:
            withdrawn = confirm_withdrawal(job, request.user)
        except WithdrawalNotConfirmable as error:
            messages.error(request, f"Снятие не выполнено: {error}")
        else:
            messages.success(request, f"Снято с публикации ресурсов: {withdrawn} (источник «{job.source}»)")
        return redirect(job_url)
    context = {
        "job": job,
        "job_url": job_url,
        "page_title": f"Подтвердить снятие {job.withdrawal_pending} ресурсов",
        "header_title": f"Подтвердить снятие {job.withdrawal_pending} ресурсов",
    }
    return TemplateResponse(request, "importers/admin/confirm_withdrawal.html", context)


RUN_PERMISSION = "importers.change_harvestsource"


def run_harvest_view(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator starts a source's harvest now (the background worker runs it; progress on the job)."""
    from importers.models import HarvestSource
    from importers.tasks import run_harvest

    if not request.user.has_perm(RUN_PERMISSION):
        raise PermissionDenied
    source = get_object_or_404(HarvestSource, pk=pk)
    jobs_url = reverse("harvest_jobs:index")
    if request.method == "POST":
        run_harvest.enqueue(source.code)
        messages.success(request, f"Сбор «{source.name}» запущен: задание появится в списке и покажет ход работы")
        return redirect(f"{jobs_url}?source={source.pk}")
    context = {
        "source": source,
        "cancel_url": reverse("harvest_sources:inspect", args=[source.pk]),
        "page_title": f"Запустить сбор «{source.name}»",
        "header_title": f"Запустить сбор «{source.name}»",
    }
    return TemplateResponse(request, "importers/admin/run_harvest.html", context)
