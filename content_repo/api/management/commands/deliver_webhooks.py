from django.core.management.base import BaseCommand

from content_repo.api.webhooks import deliver_pending


class Command(BaseCommand):
    help = "Отправить уведомления, срок попытки которых настал (для cron, если бэкенд задач не умеет откладывать)."

    def handle(self, *args, **options):
        outcome = deliver_pending()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in sorted(outcome.items())) or "нечего отправлять")
