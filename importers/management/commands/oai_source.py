"""``manage.py oai_source CODE BASE_URL``: add (or change) an OAI-PMH repository as a harvest source.

The source is then harvested like any other: ``manage.py harvest CODE`` (or by its schedule). Its host goes to
the allow-list; a repository on an internal address needs ``--allow-private``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from importers.errors import ConfigurationError
from importers.http import check_base_url
from importers.models import HarvestSource
from importers.sources.oai import DEFAULT_OVERLAP, METADATA_PREFIXES


class Command(BaseCommand):
    help = "Добавить или изменить источник OAI-PMH (адрес, формат метаданных, наборы, расписание)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="код источника (латиница, цифры, дефис)")
        parser.add_argument("base_url", help="адрес OAI-PMH, например https://repo.example.org/oai/request")
        parser.add_argument("--name", help="название (по умолчанию — код)")
        parser.add_argument("--prefix", default="oai_dc", choices=METADATA_PREFIXES, help="формат метаданных")
        parser.add_argument("--set", dest="sets", action="append", default=[], help="набор (можно несколько раз)")
        parser.add_argument("--overlap", type=int, default=DEFAULT_OVERLAP, help="запас «from» назад, секунд")
        parser.add_argument("--provider", help="код организации-поставщика записей (по умолчанию — код источника)")
        parser.add_argument("--schedule", default="", help="интервал сбора: «24h», «7d»; пусто — вручную")
        parser.add_argument("--review", action="store_true", help="отправлять записи на проверку методисту")
        parser.add_argument("--allow-private", action="store_true", help="разрешить внутренний адрес")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            target = check_base_url(options["base_url"], allow_private=options["allow_private"])
        except ConfigurationError as error:
            raise CommandError(str(error)) from error
        source_options: dict[str, Any] = {"metadata_prefix": options["prefix"], "sets": options["sets"]}
        source_options["overlap_seconds"] = options["overlap"]
        if options["provider"]:
            source_options["provider"] = options["provider"]
        source = HarvestSource.objects.filter(code=options["code"]).first() or HarvestSource(code=options["code"])
        if source.pk is not None and source.kind != HarvestSource.Kind.OAI:
            raise CommandError(f"источник {source.code!r} уже есть, и он не OAI-PMH ({source.get_kind_display()})")
        source.name = options["name"] or source.name or options["code"]
        source.kind = HarvestSource.Kind.OAI
        source.base_url = target.url
        source.allowed_hosts = [target.host]
        source.options = source_options
        source.schedule = options["schedule"]
        source.allow_private = options["allow_private"]
        source.publish_policy = (
            HarvestSource.PublishPolicy.REVIEW if options["review"] else HarvestSource.PublishPolicy.PUBLISH
        )
        try:
            source.full_clean()
        except ValidationError as error:
            raise CommandError("; ".join(f"{k}: {', '.join(v)}" for k, v in error.message_dict.items())) from error
        created = source.pk is None
        source.save()
        verb = "добавлен" if created else "изменён"
        self.stdout.write(self.style.SUCCESS(f"Источник {source.code} ({source.base_url}) {verb}: {source.options}"))
