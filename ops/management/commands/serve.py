"""``manage.py serve``: the production stack on this machine (``make serve``), under supervisord.

Before starting anything it refuses to run outside ``DEPLOYMENT=production`` and with unapplied migrations
(``make serve`` applies them first; on several machines migrations are a deliberate step, see
docs/operations.md), collects the static files, prepares the folders, then hands over to supervisord, which
runs the processes of :func:`ops.supervisor.programs` and restarts any that exits.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ops.supervisor import configuration, programs

DATABASE_QUEUE = "django_tasks_db.DatabaseBackend"


class Command(BaseCommand):
    help = (
        "Запустить рабочий стек на этой машине: веб-процессы gunicorn, очередь задач, сбор по расписанию, "
        "досылку в поисковый индекс, уведомления и пакеты поставщиков (нужен DEPLOYMENT=production)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--logs",
            choices=["files", "stdout"],
            default="files",
            help="журналы процессов: файлы в $VAR_DIR/log (по умолчанию) или общий вывод",
        )
        parser.add_argument(
            "--without",
            action="append",
            default=[],
            choices=[program.name for program in programs()],
            help="не запускать этот процесс (можно несколько раз): например, harvests на стенде без сети",
        )
        parser.add_argument("--print-config", action="store_true", help="напечатать supervisord.conf и выйти")

    def handle(self, *args: Any, logs: str, without: list[str], print_config: bool, **options: Any) -> None:
        if not settings.PRODUCTION:
            raise CommandError(
                "serve запускает рабочий стек: задайте DEPLOYMENT=production (и SECRET_KEY, ALLOWED_HOSTS) — "
                "make serve делает это сам; для разработки есть make run"
            )
        run_dir = Path(settings.VAR_DIR) / "run"
        log_dir = None if logs == "stdout" else Path(settings.VAR_DIR) / "log"
        stack = [program for program in programs() if program.name not in without]
        config = configuration(Path(settings.BASE_DIR), run_dir, log_dir, stack)
        if print_config:
            self.stdout.write(config)
            return
        refuse_unapplied_migrations()
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        metrics_dir = prepare_folders(run_dir, log_dir)
        (run_dir / "supervisord.conf").write_text(config, encoding="utf-8")
        environment = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
        environment.setdefault("TASKS_BACKEND", DATABASE_QUEUE)
        self.announce(run_dir, log_dir, environment, stack)
        supervisord = shutil.which("supervisord", path=str(Path(sys.executable).parent)) or "supervisord"
        os.execve(supervisord, [supervisord, "-c", str(run_dir / "supervisord.conf")], environment)

    def announce(self, run_dir: Path, log_dir: Path | None, environment: dict[str, str], stack: list[Any]) -> None:
        bind = environment.get("SERVE_BIND") or f"127.0.0.1:{environment.get('PORT') or 8000}"
        self.stdout.write(self.style.SUCCESS(f"Каталог: http://{bind}/ (админка /admin/, API /api/v1/)"))
        for program in stack:
            self.stdout.write(f"  {program.name:9} {program.description}")
        self.stdout.write(f"Журналы: {log_dir or 'в этот вывод'}; состояние: /healthz, /readyz, /metrics")
        self.stdout.write(f"Управление: .venv/bin/supervisorctl -c {run_dir / 'supervisord.conf'} status|restart ИМЯ")


def refuse_unapplied_migrations() -> None:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = ", ".join(f"{migration.app_label}.{migration.name}" for migration, _ in plan[:10])
        more = f" и ещё {len(plan) - 10}" if len(plan) > 10 else ""
        raise CommandError(
            f"база не обновлена: не применено миграций {len(plan)} ({names}{more}). Сделайте резервную копию "
            "(manage.py backup) и примените их: manage.py migrate (make serve делает это сам)"
        )


def prepare_folders(run_dir: Path, log_dir: Path | None) -> Path:
    """The run, log and media folders; a clean metrics folder (counters start from zero with the stack)."""
    metrics_dir = run_dir / "metrics"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    for folder in (run_dir, metrics_dir, log_dir):
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
    if isinstance(default_storage, FileSystemStorage):
        Path(default_storage.location).mkdir(parents=True, exist_ok=True)
    return metrics_dir
