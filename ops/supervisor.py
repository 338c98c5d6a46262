"""The production stack on one machine: the processes of ``manage.py serve`` and supervisord's configuration.

supervisord (the ``supervisor`` package) starts each process, restarts one that exits, and lets the operator
stop, start or restart any of them alone::

    .venv/bin/supervisorctl -c var/run/supervisord.conf status
    .venv/bin/supervisorctl -c var/run/supervisord.conf restart worker

The same processes, one systemd unit each, are in deploy/systemd/ for a deployment that has systemd.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Program:
    """One long-running process of the stack."""

    name: str
    command: list[str]
    description: str
    stop_seconds: int = 30


def programs(python: str = sys.executable) -> list[Program]:
    manage = [python, "manage.py"]
    return [
        Program(
            "web",
            [python, "-m", "gunicorn", "-c", "python:ops.gunicorn_conf", "content_repo.wsgi:application"],
            "веб-процессы gunicorn (WEB_WORKERS × WEB_THREADS)",
        ),
        Program(
            "worker",
            # -v0: django-tasks' own two lines per task are silenced; ops.tasks writes one (and the failures).
            [*manage, "db_worker", "--queue-name", "*", "--interval", "1", "--verbosity", "0"],
            "очередь задач: сбор, индексация, уведомления, большие пакеты",
            # A harvest batch or a bulk batch finishes its transaction before the worker stops.
            stop_seconds=120,
        ),
        Program(
            "harvests",
            [*manage, "repeat", "--every", "600", "schedule_harvests"],
            "раз в 10 минут ставит в очередь сбор источников, которым пора",
        ),
        Program("sweep", [*manage, "search_sweep", "--every", "60"], "раз в минуту досылает в поисковый индекс"),
        Program(
            "webhooks",
            [*manage, "repeat", "--every", "60", "deliver_webhooks"],
            "раз в минуту отправляет уведомления, срок которых настал",
        ),
        Program(
            "bulk",
            [*manage, "repeat", "--every", "300", "process_bulk_submissions"],
            "раз в 5 минут доводит пакеты поставщиков, прерванные перезапуском",
        ),
    ]


def configuration(root: Path, run_dir: Path, log_dir: Path | None, stack: list[Program]) -> str:
    """supervisord.conf for ``stack``; logs in ``log_dir`` (one file per process, rotated) or on stdout."""

    def value(text: str | Path) -> str:
        return str(text).replace("%", "%%")  # supervisord expands %(name)s in values

    def logging_lines(name: str) -> list[str]:
        if log_dir is None:
            return ["stdout_logfile=/dev/stdout", "stdout_logfile_maxbytes=0", "redirect_stderr=true"]
        return [
            f"stdout_logfile={value(log_dir / f'{name}.log')}",
            "stdout_logfile_maxbytes=50MB",
            "stdout_logfile_backups=5",
            "redirect_stderr=true",
        ]

    lines = [
        "[supervisord]",
        "nodaemon=true",
        f"pidfile={value(run_dir / 'supervisord.pid')}",
        *(
            ["logfile=/dev/stdout", "logfile_maxbytes=0"]
            if log_dir is None
            else [f"logfile={value(log_dir / 'supervisord.log')}", "logfile_maxbytes=10MB", "logfile_backups=3"]
        ),
        f"childlogdir={value(log_dir or run_dir)}",
        "",
        "[unix_http_server]",
        f"file={value(run_dir / 'supervisor.sock')}",
        "chmod=0700",
        "",
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
        "",
        "[supervisorctl]",
        f"serverurl=unix://{value(run_dir / 'supervisor.sock')}",
        "",
    ]
    for program in stack:
        lines += [
            f"[program:{program.name}]",
            "command=" + " ".join(_quoted(value(part)) for part in program.command),
            f"directory={value(root)}",
            "autostart=true",
            "autorestart=true",
            # Started means "still running after 5 s"; one that keeps failing to start is retried, then FATAL.
            "startsecs=5",
            "startretries=10",
            "stopsignal=TERM",
            f"stopwaitsecs={program.stop_seconds}",
            "stopasgroup=true",
            "killasgroup=true",
            *logging_lines(program.name),
            "",
        ]
    return "\n".join(lines)


def _quoted(part: str) -> str:
    # supervisord splits the command with shlex: quote what the shell would split or expand.
    return part if part and all(c.isalnum() or c in "-_./:=,%" for c in part) else "'" + part.replace("'", "") + "'"
