"""``manage.py process_bulk_submissions``: load bulk submissions left waiting or cut short (after a restart).

The embedded default loads large bulk requests in a thread of the web process; a restart loses what that thread
was doing, never what it did (each batch's results are committed with the batch). This command — at start-up,
or from cron beside ``deliver_webhooks`` — finishes them: queued ones, and running ones silent for ``--stale``
seconds. A line already answered is not loaded again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Q
from django.utils import timezone

from content_repo.api.models import BulkSubmission
from content_repo.api.publishing import process_bulk


class Command(BaseCommand):
    help = "Довести до конца пакетные отправки, ждущие в очереди или прерванные перезапуском."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--stale",
            type=int,
            default=300,
            help="секунд без движения, после которых «выполняется» считается прерванным",
        )

    def handle(self, *args: Any, stale: int, **options: Any) -> None:
        silent_since = timezone.now() - timedelta(seconds=stale)
        waiting = BulkSubmission.objects.filter(
            Q(state=BulkSubmission.State.QUEUED)
            | Q(state=BulkSubmission.State.RUNNING, heartbeat_at__lt=silent_since)
            | Q(state=BulkSubmission.State.RUNNING, heartbeat_at__isnull=True)
        ).order_by("created_at")
        for submission_id in waiting.values_list("pk", flat=True):
            submission = process_bulk(str(submission_id))
            counts = ", ".join(f"{name} {getattr(submission, name)}" for name in submission.COUNT_FIELDS)
            self.stdout.write(f"{submission.pk}: {submission.get_state_display()}, строк {submission.lines}: {counts}")
