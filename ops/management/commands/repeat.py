"""``manage.py repeat --every SECONDS COMMAND [ARGS…]``: run a management command over and over.

For the commands a deployment runs on a schedule (``schedule_harvests``, ``deliver_webhooks``,
``process_bulk_submissions``) as one long-running process under ``serve``'s supervisor, where cron is not at hand.
A pass that fails is logged and the next one runs on time: the loop itself stops only when it is told to.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, close_old_connections

logger = logging.getLogger("ops.repeat")


class Command(BaseCommand):
    help = "Выполнять команду manage.py каждые N секунд (для процессов под manage.py serve вместо cron)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, required=True, metavar="SECONDS", help="интервал, секунд")
        parser.add_argument("--times", type=int, metavar="N", help="остановиться после N проходов")
        parser.add_argument("command", help="имя команды manage.py")
        parser.add_argument("arguments", nargs="*", help="её аргументы")

    def handle(self, *args: Any, every: float, times: int | None, command: str, arguments: list[str], **o: Any) -> None:
        if every <= 0:
            raise CommandError("--every: интервал должен быть больше нуля")
        done = 0
        while times is None or done < times:
            started = time.monotonic()
            self.run_once(command, arguments)
            done += 1
            if times is None or done < times:
                time.sleep(max(0.0, every - (time.monotonic() - started)))

    def run_once(self, command: str, arguments: list[str]) -> None:
        close_old_connections()
        try:
            call_command(command, *arguments, stdout=self.stdout, stderr=self.stderr)
        except (CommandError, DatabaseError) as e:
            logger.error("manage.py %s failed, next pass as scheduled: %s", command, e)
        finally:
            close_old_connections()
