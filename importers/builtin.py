"""The built-in sources: РЭШ, ЯКласс, Учи.ру, МЭШ and the methodists' spreadsheets (idempotent setup)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from importers.models import HarvestSource

__all__ = ["BUILTIN_SOURCES", "ensure_builtin_sources"]

Kind = HarvestSource.Kind

# Production addresses and hosts from the site READMEs (tests/fixtures/sources/*/README.md).
BUILTIN_SOURCES: list[dict[str, Any]] = [
    {
        "code": "resh",
        "name": "Российская электронная школа",
        "kind": Kind.RESH,
        "base_url": "https://resh.edu.ru",
        "allowed_hosts": ["resh.edu.ru"],
        "schedule": "7d",
    },
    {
        "code": "yaklass",
        "name": "ЯКласс",
        "kind": Kind.YAKLASS,
        "base_url": "https://www.yaklass.ru",
        "allowed_hosts": ["www.yaklass.ru", "yaklass.ru"],
        "schedule": "7d",
    },
    {
        "code": "uchi",
        "name": "Учи.ру",
        "kind": Kind.UCHI,
        "base_url": "https://uchi.ru/partner/feed.jsonl",
        "allowed_hosts": ["uchi.ru"],
        "schedule": "24h",
    },
    {
        "code": "mesh",
        "name": "Библиотека МЭШ",
        "kind": Kind.MESH,
        "base_url": "https://uchebnik.mos.ru",
        "allowed_hosts": ["uchebnik.mos.ru"],
        "schedule": "24h",
    },
    {"code": "csv", "name": "Таблицы методистов", "kind": Kind.CSV, "base_url": "", "allowed_hosts": []},
]

# Methodists see the harvest in the admin (jobs, counts, errors) and upload spreadsheets.
_METHODIST_PERMISSIONS = ["view_harvestsource", "view_harvestjob", "view_harvesterror"]
_METHODISTS = "Методисты"


def ensure_builtin_sources() -> list[HarvestSource]:
    """Create the built-in sources that are missing; settings an operator changed are left alone."""
    sources = []
    with transaction.atomic():
        for entry in BUILTIN_SOURCES:
            values = dict(entry)
            source, _ = HarvestSource.objects.get_or_create(code=values.pop("code"), defaults=values)
            sources.append(source)
        group = Group.objects.filter(name=_METHODISTS).first()
        if group is not None:
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label="importers", codename__in=_METHODIST_PERMISSIONS)
            )
    return sources
