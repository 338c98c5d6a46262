from django.core.management.base import BaseCommand, CommandError

from content_repo.publishers.models import Organization
from content_repo.publishers.services import create_organization


class Command(BaseCommand):
    help = "Создать (или переименовать) организацию: поставщика, платформу или оператора."

    def add_arguments(self, parser):
        parser.add_argument("code", help="код организации (латиница, цифры, дефис)")
        parser.add_argument("--name", required=True, help="название")
        parser.add_argument("--kind", default="vendor", choices=Organization.Kind.values)

    def handle(self, *args, code, name, kind, **options):
        try:
            organization = create_organization(code, name, kind)
        except ValueError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(self.style.SUCCESS(f"Организация {organization.code}: {organization.name}"))
