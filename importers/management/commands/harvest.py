"""``manage.py harvest SOURCE``: run (or resume) a harvest job with a progress bar and a summary line.

Configuration errors (an unusable ``--base-url``, a host refused as internal, an unknown source) are
reported on stderr with a non-zero exit status, never as a traceback. The exit status tells how the job
ended: 0 finished, 1 failed (nothing could be gathered, or the run was refused), 2 finished with errors.
"""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from tqdm import tqdm

from importers.engine import HarvestBusy, HarvestConfigError, HarvestOptions, StageResult, dry_run, run_harvest
from importers.errors import ConfigurationError, FetchError
from importers.http import check_base_url
from importers.models import HarvestJob
from importers.urls import looks_like_url


def parse_since(value: str) -> datetime:
    """``2025-01-31`` (midnight, local time) or an ISO datetime; naive values are in TIME_ZONE."""
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(f"--since: ожидается дата ГГГГ-ММ-ДД или дата и время ISO 8601, получено {value!r}")
        parsed = datetime.combine(day, time.min)
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def parse_base_url(value: str) -> str:
    """``--base-url``: a well-formed http(s) URL, or (for file feeds) a path to an existing file.

    Only the form is checked here; whether the host may be reached (the internal-network refusal) is
    decided by the harvest with the source's settings.
    """
    if looks_like_url(value):
        try:
            check_base_url(value, allow_private=True)
        except ConfigurationError as error:
            raise CommandError(f"--base-url: {error}") from error
    elif not Path(value).is_file():
        raise CommandError(f"--base-url: ожидается адрес http(s):// или путь к файлу фида, файла нет: {value!r}")
    return value


class Command(BaseCommand):
    help = "Собрать записи источника (resh, yaklass, uchi, mesh): сбор → загрузка → преобразование → запись."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="код источника: resh, yaklass, uchi, mesh")
        parser.add_argument("--base-url", help="другой адрес сайта (зеркало, тестовый сервер); для uchi — URL или путь")
        parser.add_argument("--rate", type=float, help="запросов в секунду к хосту (по умолчанию — из источника)")
        parser.add_argument("--since", type=parse_since, help="обработать только записи, изменённые после даты")
        parser.add_argument("--limit", type=int, help="не больше N записей (сбор неполный: ничего не снимается)")
        parser.add_argument("--dry-run", action="store_true", help="проверить без записи в базу")
        parser.add_argument("--full", action="store_true", help="без условных запросов и без возобновления")
        parser.add_argument("--allow-private", action="store_true", help="разрешить внутренние адреса сети")
        parser.add_argument("--no-progress", action="store_true", help="без индикатора выполнения")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rate"] is not None and options["rate"] <= 0:
            raise CommandError("--rate должен быть больше нуля")
        if options["base_url"] is not None:
            parse_base_url(options["base_url"])
        harvest_options = HarvestOptions(
            base_url=options["base_url"],
            rate=options["rate"],
            since=options["since"],
            limit=options["limit"],
            full=options["full"],
            allow_private=options["allow_private"],
        )
        bar = tqdm(desc=options["source"], unit=" зап.", disable=options["no_progress"] or None, file=self.stderr._out)

        def progress(result: StageResult) -> None:
            bar.update(1)

        try:
            if options["dry_run"]:
                result = dry_run(options["source"], harvest_options, progress)
                summary = result.summary()
                for problem in result.problems[:50]:
                    self.stderr.write(problem)
            else:
                job = run_harvest(options["source"], harvest_options, progress)
                summary = job.summary()
        except (HarvestBusy, HarvestConfigError, ConfigurationError) as error:
            raise CommandError(str(error)) from error
        except FetchError as error:  # a refused host or an unreachable source that stopped the whole run
            raise CommandError(f"сбор {options['source']!r} остановлен: {error}") from error
        finally:
            bar.close()
        self.stdout.write(summary)
        if not options["dry_run"] and job.state != HarvestJob.State.FINISHED:
            # Exit 1: nothing could be gathered; exit 2: finished with errors (failed records, an incomplete list).
            returncode = 1 if job.state == HarvestJob.State.FAILED else 2
            raise CommandError(f"сбор {options['source']!r}: {job.get_state_display()}", returncode=returncode)
