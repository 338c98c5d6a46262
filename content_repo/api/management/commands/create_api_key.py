from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from content_repo.api.keys import create_api_key
from content_repo.publishers.models import Organization


class Command(BaseCommand):
    help = "Выдать ключ API организации. Ключ печатается один раз: в базе хранится только его хеш."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="код организации")
        parser.add_argument("--scopes", required=True, help="права через запятую: read, publish, review")
        parser.add_argument("--name", default="", help="название ключа (для кого, зачем)")
        parser.add_argument("--quota", type=int, default=None, help="запросов в час (по умолчанию из настроек)")

    def handle(self, *args, org, scopes, name, quota, **options):
        organization = Organization.objects.filter(code=org).first()
        if organization is None:
            raise CommandError(f"нет организации с кодом {org!r}; создайте: manage.py create_organization")
        try:
            issued = create_api_key(organization, scopes, name=name, hourly_quota=quota)
        except ValidationError as e:
            raise CommandError("; ".join(e.messages)) from e
        key = issued.api_key
        self.stderr.write(
            f"Ключ для {organization.code} ({', '.join(key.scopes)}), квота {key.hourly_quota}/ч. "
            "Сохраните его сейчас: больше он показан не будет."
        )
        self.stdout.write(issued.key)
